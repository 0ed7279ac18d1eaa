//! Counting the responses: per option, per rating, the Net Promoter Score,
//! matrices, and the free-text answers.

use serde::Serialize;

use super::answers::{Answer, Answers};
use super::{Definition, Kind};

/// One bar of a chart: a label, a count and its share of the answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bar {
    pub label: String,
    pub count: u64,
    /// Percent of the question's answers (0–100, one decimal).
    pub percent: f64,
}

/// One question's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionResult {
    pub id: u32,
    pub kind: Kind,
    pub prompt: String,
    /// How many responses answered it.
    pub answered: u64,
    /// Choices, ratings 1–5 or scores 0–10.
    pub bars: Vec<Bar>,
    /// The mean of a rating or score.
    pub mean: Option<f64>,
    /// NPS questions: % promoters (9–10) minus % detractors (0–6), −100 to 100.
    pub nps: Option<i32>,
    /// A matrix: per statement, its bars over the scale.
    pub rows: Vec<(String, Vec<Bar>)>,
    /// Free text (and "Other" answers), newest first as given.
    pub texts: Vec<String>,
}

fn percent(n: u64, of: u64) -> f64 {
    if of == 0 {
        0.0
    } else {
        (n as f64 * 1000.0 / of as f64).round() / 10.0
    }
}

fn bars(labels: impl IntoIterator<Item = String>, counts: &[u64], of: u64) -> Vec<Bar> {
    labels
        .into_iter()
        .zip(counts)
        .map(|(label, &count)| Bar {
            label,
            count,
            percent: percent(count, of),
        })
        .collect()
}

/// The Net Promoter Score of counts of scores 0 to 10.
pub fn nps(scores: &[u64; 11]) -> Option<i32> {
    let total: u64 = scores.iter().sum();
    if total == 0 {
        return None;
    }
    let promoters: u64 = scores[9..].iter().sum();
    let detractors: u64 = scores[..7].iter().sum();
    Some(((promoters as f64 - detractors as f64) * 100.0 / total as f64).round() as i32)
}

/// Counts `responses` for every question; `search`, when given, keeps only
/// free-text answers containing it (case-insensitive).
pub fn tally<'a>(
    def: &Definition,
    responses: impl IntoIterator<Item = &'a Answers>,
    search: Option<&str>,
) -> Vec<QuestionResult> {
    let needle = search.map(str::to_lowercase).filter(|s| !s.is_empty());
    let keep = |t: &str| needle.as_ref().is_none_or(|n| t.to_lowercase().contains(n));
    let mut out: Vec<QuestionResult> = def
        .questions
        .iter()
        .map(|q| QuestionResult {
            id: q.id,
            kind: q.kind,
            prompt: q.prompt.clone(),
            answered: 0,
            bars: Vec::new(),
            mean: None,
            nps: None,
            rows: Vec::new(),
            texts: Vec::new(),
        })
        .collect();
    // Raw counts per question: options (+1 for "Other"), or matrix cells.
    let mut counts: Vec<Vec<u64>> = def
        .questions
        .iter()
        .map(|q| match q.kind {
            Kind::Single | Kind::Multiple => vec![0; q.options.len() + 1],
            Kind::Rating => vec![0; 5],
            Kind::Nps => vec![0; 11],
            Kind::Matrix => vec![0; q.options.len() * q.statements.len()],
            Kind::ShortText | Kind::LongText => Vec::new(),
        })
        .collect();
    let mut row_answers: Vec<Vec<u64>> = def
        .questions
        .iter()
        .map(|q| vec![0; q.statements.len()])
        .collect();
    for answers in responses {
        for (i, q) in def.questions.iter().enumerate() {
            let Some(a) = answers.get(&q.id) else {
                continue;
            };
            out[i].answered += 1;
            let c = &mut counts[i];
            match a {
                Answer::Choice { chosen, other } => {
                    for &o in chosen {
                        if let Some(n) = c.get_mut(o as usize) {
                            *n += 1;
                        }
                    }
                    if let Some(t) = other {
                        if let Some(n) = c.last_mut() {
                            *n += 1;
                        }
                        if keep(t) {
                            out[i].texts.push(t.clone());
                        }
                    }
                }
                Answer::Number(n) => {
                    let at = if q.kind == Kind::Rating {
                        (*n as usize).saturating_sub(1)
                    } else {
                        *n as usize
                    };
                    if let Some(x) = c.get_mut(at) {
                        *x += 1;
                    }
                }
                Answer::Text(t) => {
                    if keep(t) {
                        out[i].texts.push(t.clone());
                    }
                }
                Answer::Matrix(rows) => {
                    for (r, v) in rows.iter().enumerate() {
                        if let Some(v) = v {
                            if let Some(x) = c.get_mut(r * q.options.len() + *v as usize) {
                                *x += 1;
                                row_answers[i][r] += 1;
                            }
                        }
                    }
                }
            }
        }
    }
    for (i, q) in def.questions.iter().enumerate() {
        let r = &mut out[i];
        let c = &counts[i];
        match q.kind {
            Kind::Single | Kind::Multiple => {
                let mut labels = q.options.clone();
                if q.other {
                    labels.push("Other".into());
                }
                r.bars = bars(labels, c, r.answered);
            }
            Kind::Rating | Kind::Nps => {
                let lo = if q.kind == Kind::Rating { 1 } else { 0 };
                r.bars = bars((0..c.len()).map(|v| (v + lo).to_string()), c, r.answered);
                let total: u64 = c.iter().sum();
                if total > 0 {
                    let sum: u64 = c.iter().enumerate().map(|(v, n)| (v + lo) as u64 * n).sum();
                    r.mean = Some((sum as f64 * 100.0 / total as f64).round() / 100.0);
                }
                if q.kind == Kind::Nps {
                    let mut s = [0u64; 11];
                    s.copy_from_slice(c);
                    r.nps = nps(&s);
                }
            }
            Kind::Matrix => {
                let w = q.options.len();
                r.rows = q
                    .statements
                    .iter()
                    .enumerate()
                    .map(|(row, st)| {
                        (
                            st.clone(),
                            bars(
                                q.options.clone(),
                                &c[row * w..(row + 1) * w],
                                row_answers[i][row],
                            ),
                        )
                    })
                    .collect();
            }
            Kind::ShortText | Kind::LongText => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::answers::read;
    use crate::survey::tests::SAMPLE;

    fn answers(d: &Definition, pairs: &[(&str, &str)]) -> Answers {
        let f: Vec<(String, String)> = pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        read(d, &f).unwrap().0
    }

    #[test]
    fn the_net_promoter_score_counts_promoters_less_detractors() {
        let mut s = [0u64; 11];
        assert_eq!(nps(&s), None);
        s[10] = 6; // promoters
        s[8] = 2; // passive
        s[3] = 2; // detractors
        assert_eq!(nps(&s), Some(40));
        assert_eq!(nps(&[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), Some(-100));
    }

    #[test]
    fn responses_are_counted_per_option_rating_and_statement() {
        let d = Definition::from_yaml(SAMPLE).unwrap();
        let rs = [
            answers(
                &d,
                &[
                    ("q1", "0"),
                    ("q3", "5"),
                    ("q4", "10"),
                    ("q6_0", "2"),
                    ("q5", "More maps"),
                ],
            ),
            answers(
                &d,
                &[
                    ("q1", "0"),
                    ("q3", "4"),
                    ("q4", "9"),
                    ("q6_0", "2"),
                    ("q6_1", "0"),
                ],
            ),
            answers(
                &d,
                &[
                    ("q1", "other"),
                    ("q1_other", "On Sundays"),
                    ("q3", "3"),
                    ("q4", "2"),
                ],
            ),
            answers(
                &d,
                &[("q2", "1"), ("q2", "2"), ("q5", "Fewer ads, more maps")],
            ),
        ];
        let r = tally(&d, rs.iter(), None);
        let q1 = &r[0];
        assert_eq!(q1.answered, 3);
        assert_eq!(q1.bars[0].count, 2);
        assert_eq!(q1.bars[0].percent, 66.7);
        assert_eq!(q1.bars.last().unwrap().label, "Other");
        assert_eq!(q1.texts, ["On Sundays"]);
        assert_eq!(r[1].bars[1].count, 1);
        assert_eq!(r[2].mean, Some(4.0));
        assert_eq!(r[3].nps, Some(33)); // 2 promoters, 1 detractor of 3
        assert_eq!(r[5].rows[0].1[2].count, 2);
        assert_eq!(r[5].rows[0].1[2].percent, 100.0);
        assert_eq!(r[5].rows[1].1[0].count, 1);
        assert_eq!(r[4].texts.len(), 2);
        let found = tally(&d, rs.iter(), Some("FEWER"));
        assert_eq!(found[4].texts, ["Fewer ads, more maps"]);
    }
}
