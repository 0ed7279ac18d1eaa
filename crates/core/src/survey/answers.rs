//! A reader's answers, read from the survey form and checked against the
//! definition.
//!
//! The form names each answer after its question: `q3` (a choice's index,
//! `other`, a number or text; repeated for multiple choice), `q3_other`
//! (the "Other, please say" text) and `q6_0`, `q6_1`, … (a matrix's
//! statements, each a scale index). Every other field is the caller's.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Definition, Kind, Question, MAX_SHORT_TEXT, MAX_TEXT};

/// One question's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Option indices chosen (one for single choice), and the "other" text.
    Choice {
        chosen: Vec<u16>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        other: Option<String>,
    },
    Number(u8),
    Text(String),
    /// A scale index per statement (`None`: left blank).
    Matrix(Vec<Option<u16>>),
}

/// Every answer of one response, by question id.
pub type Answers = BTreeMap<u32, Answer>;

/// Why a form cannot be taken at all (a forged or stale form, not a
/// reader's slip).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("the form answers a question this survey does not have ({0})")]
    UnknownQuestion(String),
    #[error("question {0}: {1:?} is not one of its options")]
    UnknownOption(u32, String),
    #[error("question {0}: only one answer is allowed")]
    TooMany(u32),
}

/// A question a reader must still answer, or answered out of bounds,
/// said so that it can be shown beside the question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub question: u32,
    pub message: String,
}

/// Reads the answers out of a form. Fields for unknown questions or
/// options refuse the whole form; slips a reader can fix (text too long,
/// "Other" ticked with nothing said) come back as problems beside the
/// answers that were fine, so the page can show them again.
pub fn read(
    def: &Definition,
    form: &[(String, String)],
) -> Result<(Answers, Vec<Problem>), FormError> {
    let mut fields: BTreeMap<(u32, Part), Vec<&str>> = BTreeMap::new();
    for (name, value) in form {
        let Some(rest) = name.strip_prefix('q') else {
            continue;
        };
        if !rest.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let (id, part) =
            parse_name(rest).ok_or_else(|| FormError::UnknownQuestion(name.clone()))?;
        if def.question(id).is_none() {
            return Err(FormError::UnknownQuestion(name.clone()));
        }
        fields.entry((id, part)).or_default().push(value.as_str());
    }
    let mut answers = Answers::new();
    let mut problems = Vec::new();
    for q in &def.questions {
        let main: Vec<&str> = fields
            .get(&(q.id, Part::Main))
            .map(|v| {
                v.iter()
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let other_text = fields
            .get(&(q.id, Part::Other))
            .and_then(|v| v.first())
            .map(|s| s.trim())
            .filter(|s| !s.is_empty());
        if other_text.is_some() && !q.other {
            return Err(FormError::UnknownQuestion(format!("q{}_other", q.id)));
        }
        let row_fields: Vec<(u16, &str)> = fields
            .range((q.id, Part::Row(0))..=(q.id, Part::Row(u16::MAX)))
            .filter_map(|((_, p), v)| match p {
                Part::Row(r) => Some((*r, v.first().copied().unwrap_or("").trim())),
                _ => None,
            })
            .collect();
        if q.kind != Kind::Matrix && !row_fields.is_empty() {
            return Err(FormError::UnknownQuestion(format!(
                "q{}_{}",
                q.id, row_fields[0].0
            )));
        }
        match q.kind {
            Kind::Single | Kind::Multiple => {
                if q.kind == Kind::Single && main.len() > 1 {
                    return Err(FormError::TooMany(q.id));
                }
                let mut chosen = Vec::new();
                let mut wants_other = false;
                for v in &main {
                    if *v == "other" && q.other {
                        wants_other = true;
                        continue;
                    }
                    let i = option_index(q, v)?;
                    if !chosen.contains(&i) {
                        chosen.push(i);
                    }
                }
                chosen.sort_unstable();
                let other = match (wants_other, other_text) {
                    (true, Some(t)) => match clip(q, t, MAX_SHORT_TEXT, &mut problems) {
                        Some(t) => Some(t),
                        None => continue,
                    },
                    (true, None) => {
                        problems.push(Problem {
                            question: q.id,
                            message: "Please say what \"Other\" is, or untick it.".into(),
                        });
                        continue;
                    }
                    // Text typed without ticking "Other": the reader meant it.
                    (false, Some(t)) => match clip(q, t, MAX_SHORT_TEXT, &mut problems) {
                        Some(t) => Some(t),
                        None => continue,
                    },
                    (false, None) => None,
                };
                if !chosen.is_empty() || other.is_some() {
                    answers.insert(q.id, Answer::Choice { chosen, other });
                }
            }
            Kind::Rating | Kind::Nps => {
                if main.len() > 1 {
                    return Err(FormError::TooMany(q.id));
                }
                if let Some(v) = main.first() {
                    let (lo, hi) = if q.kind == Kind::Rating {
                        (1, 5)
                    } else {
                        (0, 10)
                    };
                    match v.parse::<u8>() {
                        Ok(n) if (lo..=hi).contains(&n) => {
                            answers.insert(q.id, Answer::Number(n));
                        }
                        _ => return Err(FormError::UnknownOption(q.id, v.to_string())),
                    }
                }
            }
            Kind::ShortText | Kind::LongText => {
                if main.len() > 1 {
                    return Err(FormError::TooMany(q.id));
                }
                let max = if q.kind == Kind::ShortText {
                    MAX_SHORT_TEXT
                } else {
                    MAX_TEXT
                };
                if let Some(t) = main.first().and_then(|t| clip(q, t, max, &mut problems)) {
                    answers.insert(q.id, Answer::Text(t));
                }
            }
            Kind::Matrix => {
                let mut rows = vec![None; q.statements.len()];
                for (r, v) in row_fields {
                    let slot = rows
                        .get_mut(r as usize)
                        .ok_or_else(|| FormError::UnknownQuestion(format!("q{}_{r}", q.id)))?;
                    if !v.is_empty() {
                        *slot = Some(option_index(q, v)?);
                    }
                }
                if rows.iter().any(Option::is_some) {
                    answers.insert(q.id, Answer::Matrix(rows));
                }
            }
        }
    }
    Ok((answers, problems))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    Main,
    Other,
    Row(u16),
}

fn parse_name(rest: &str) -> Option<(u32, Part)> {
    let (id, part) = match rest.split_once('_') {
        None => (rest, Part::Main),
        Some((id, "other")) => (id, Part::Other),
        Some((id, row)) => (id, Part::Row(row.parse().ok()?)),
    };
    Some((id.parse().ok()?, part))
}

fn option_index(q: &Question, v: &str) -> Result<u16, FormError> {
    v.parse::<u16>()
        .ok()
        .filter(|i| (*i as usize) < q.options.len())
        .ok_or_else(|| FormError::UnknownOption(q.id, v.to_string()))
}

/// `text` if it fits in `max` characters; a problem otherwise.
fn clip(q: &Question, text: &str, max: usize, problems: &mut Vec<Problem>) -> Option<String> {
    let n = text.chars().count();
    if n > max {
        problems.push(Problem {
            question: q.id,
            message: format!("Please keep this to {max} characters (it is {n})."),
        });
        return None;
    }
    Some(text.to_string())
}

/// The required questions among `asked` that have no answer (a matrix
/// needs every statement answered).
pub fn missing(def: &Definition, answers: &Answers, asked: &[u32]) -> Vec<Problem> {
    def.questions
        .iter()
        .filter(|q| q.required && asked.contains(&q.id))
        .filter(|q| match answers.get(&q.id) {
            None => true,
            Some(Answer::Matrix(rows)) => rows.iter().any(Option::is_none),
            Some(_) => false,
        })
        .map(|q| Problem {
            question: q.id,
            message: if q.kind == Kind::Matrix {
                "Please answer every statement.".into()
            } else {
                "This question needs an answer.".into()
            },
        })
        .collect()
}

/// The form fields that carry `answers` forward (hidden fields between the
/// steps of a one-question-a-page survey), in the form `read` takes.
pub fn to_fields(answers: &Answers) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (id, a) in answers {
        match a {
            Answer::Choice { chosen, other } => {
                for c in chosen {
                    out.push((format!("q{id}"), c.to_string()));
                }
                if let Some(t) = other {
                    out.push((format!("q{id}"), "other".into()));
                    out.push((format!("q{id}_other"), t.clone()));
                }
            }
            Answer::Number(n) => out.push((format!("q{id}"), n.to_string())),
            Answer::Text(t) => out.push((format!("q{id}"), t.clone())),
            Answer::Matrix(rows) => {
                for (r, v) in rows.iter().enumerate() {
                    if let Some(v) = v {
                        out.push((format!("q{id}_{r}"), v.to_string()));
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::tests::SAMPLE;

    fn def() -> Definition {
        Definition::from_yaml(SAMPLE).unwrap()
    }

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn a_full_form_reads_into_answers_and_back() {
        let d = def();
        let f = form(&[
            ("csrf", "ignored"),
            ("q1", "other"),
            ("q1_other", "  Twice a day "),
            ("q2", "3"),
            ("q2", "0"),
            ("q3", "4"),
            ("q4", "10"),
            ("q5", "More science, please."),
            ("q6_0", "2"),
            ("q6_1", "1"),
        ]);
        let (a, problems) = read(&d, &f).unwrap();
        assert!(problems.is_empty());
        assert_eq!(
            a[&1],
            Answer::Choice {
                chosen: vec![],
                other: Some("Twice a day".into())
            }
        );
        assert_eq!(
            a[&2],
            Answer::Choice {
                chosen: vec![0, 3],
                other: None
            }
        );
        assert_eq!(a[&4], Answer::Number(10));
        assert_eq!(a[&6], Answer::Matrix(vec![Some(2), Some(1)]));
        assert!(missing(&d, &a, &[1, 2, 3, 4, 5, 6]).is_empty());
        let (again, _) = read(&d, &to_fields(&a)).unwrap();
        assert_eq!(again, a);
    }

    #[test]
    fn forged_fields_refuse_the_form() {
        let d = def();
        for (f, want) in [
            (form(&[("q9", "1")]), "q9"),
            (form(&[("q1", "7")]), "7"),
            (form(&[("q3", "6")]), "6"),
            (form(&[("q4", "-1")]), "-1"),
            (form(&[("q6_5", "1")]), "q6_5"),
            (form(&[("q6_0", "3")]), "3"),
            (form(&[("q3_other", "x")]), "q3_other"),
            (form(&[("q1x", "1")]), "q1x"),
        ] {
            let e = read(&d, &f).unwrap_err();
            assert!(e.to_string().contains(want), "{e} should name {want}");
        }
        assert_eq!(
            read(&d, &form(&[("q1", "0"), ("q1", "1")])).unwrap_err(),
            FormError::TooMany(1)
        );
    }

    #[test]
    fn slips_come_back_as_problems_and_keep_the_rest() {
        let d = def();
        let long = "x".repeat(MAX_TEXT + 1);
        let (a, problems) =
            read(&d, &form(&[("q1", "other"), ("q3", "2"), ("q5", &long)])).unwrap();
        assert_eq!(a.get(&3), Some(&Answer::Number(2)));
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].question, 1);
        assert!(problems[1].message.contains("2000"), "{:?}", problems[1]);
        // Required 1 is missing; 3 is there; the half-answered matrix is not required.
        let (a, _) = read(&d, &form(&[("q3", "2"), ("q6_0", "1")])).unwrap();
        let m = missing(&d, &a, &[1, 2, 3, 4, 5, 6]);
        assert_eq!(m.iter().map(|p| p.question).collect::<Vec<_>>(), [1]);
        // Only the asked questions count (one question a page).
        assert!(missing(&d, &a, &[3]).is_empty());
    }
}
