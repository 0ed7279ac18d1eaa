//! The desk's question builder: a survey's definition as plain form
//! fields, so an editor builds it without writing YAML and without
//! JavaScript. Each question `n` (0, 1, …) is a group of fields named
//! `q{n}_id`, `q{n}_kind`, `q{n}_prompt`, `q{n}_help`, `q{n}_options` and
//! `q{n}_statements` (one a line), the checkboxes `q{n}_required`,
//! `q{n}_other`, `q{n}_shuffle` and `q{n}_remove`, and `q{n}_position`.
//! The form ends with one blank question: filled in, it is added.

use std::collections::HashMap;

use super::{Definition, DefinitionError, Kind, Question, DEFAULT_BANNER};

/// Most question groups read from one form (the definition allows 100).
const MOST: usize = 101;

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Reads the builder's fields into a definition, checked by
/// [`Definition::check`]; errors name the question by its place.
pub fn from_form(pairs: &[(String, String)]) -> Result<Definition, DefinitionError> {
    let d = read(pairs)?;
    d.check()?;
    Ok(d)
}

/// The same without the final check: what the editor typed, to show again
/// beside the error.
pub fn read(pairs: &[(String, String)]) -> Result<Definition, DefinitionError> {
    let f: HashMap<&str, &str> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let get = |name: &str| f.get(name).copied().unwrap_or("");
    let on = |name: &str| matches!(get(name), "on" | "true" | "1");
    let mut taken: Vec<u32> = Vec::new();
    let mut found: Vec<(i64, usize, Option<u32>, Question)> = Vec::new();
    for n in 0..MOST {
        let field = |name: &str| format!("q{n}_{name}");
        if !f.contains_key(field("kind").as_str()) {
            continue;
        }
        let place = || format!("question {}", n + 1);
        let id = match get(&field("id")).trim() {
            "" => None,
            t => Some(t.parse::<u32>().map_err(|_| DefinitionError {
                place: place(),
                message: format!("\"{t}\" is not a question id"),
            })?),
        };
        // Ids of removed questions are not given again: answers may name them.
        taken.extend(id);
        let prompt = get(&field("prompt")).trim().to_string();
        if on(&field("remove")) || (id.is_none() && prompt.is_empty()) {
            // Taken out, or the blank question left blank.
            continue;
        }
        let kind = Kind::parse(get(&field("kind"))).ok_or_else(|| DefinitionError {
            place: place(),
            message: format!("\"{}\" is not a kind of question", get(&field("kind"))),
        })?;
        let position = match get(&field("position")).trim() {
            "" => n as i64 + 1,
            t => t.parse().map_err(|_| DefinitionError {
                place: place(),
                message: format!("position: \"{t}\" is not a number"),
            })?,
        };
        let choice = matches!(kind, Kind::Single | Kind::Multiple);
        let q = Question {
            id: id.unwrap_or(0),
            kind,
            prompt,
            help: get(&field("help")).trim().to_string(),
            required: on(&field("required")),
            // Options only where the kind has them, so switching a
            // question's kind does not leave its old options behind.
            options: if choice || kind == Kind::Matrix {
                lines(get(&field("options")))
            } else {
                Vec::new()
            },
            statements: if kind == Kind::Matrix {
                lines(get(&field("statements")))
            } else {
                Vec::new()
            },
            other: choice && on(&field("other")),
            shuffle: choice && on(&field("shuffle")),
        };
        found.push((position, n, id, q));
    }
    found.sort_by_key(|(position, n, _, _)| (*position, *n));
    // New questions take ids never used by the others.
    let mut next = taken.iter().copied().max().unwrap_or(0) + 1;
    let questions = found
        .into_iter()
        .map(|(_, _, id, mut q)| {
            if id.is_none() {
                q.id = next;
                next += 1;
            }
            q
        })
        .collect();
    let banner = get("banner").trim();
    Ok(Definition {
        title: get("title").trim().to_string(),
        intro: get("intro").trim().to_string(),
        banner: if banner.is_empty() {
            DEFAULT_BANNER.to_string()
        } else {
            banner.to_string()
        },
        one_per_page: on("one_per_page"),
        questions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(fields: &[(&str, &str)]) -> Vec<(String, String)> {
        fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn questions_are_read_ordered_and_new_ones_numbered() {
        let d = from_form(&form(&[
            ("title", "Reader survey"),
            ("q0_id", "1"),
            ("q0_kind", "single"),
            ("q0_prompt", "How often do you read us?"),
            ("q0_options", "Daily\r\n\r\nWeekly\nRarely\n"),
            ("q0_other", "on"),
            ("q0_required", "on"),
            ("q0_position", "2"),
            ("q1_id", "4"),
            ("q1_kind", "nps"),
            ("q1_prompt", "Would you recommend us?"),
            ("q1_options", "left over from a choice"),
            ("q1_position", "1"),
            ("q2_id", ""),
            ("q2_kind", "matrix"),
            ("q2_prompt", "Rate each part"),
            ("q2_options", "Poor\nGood"),
            ("q2_statements", "News\nSport"),
            ("q2_position", "3"),
            ("q3_id", ""),
            ("q3_kind", "short_text"),
            ("q3_prompt", ""),
        ]))
        .unwrap();
        assert_eq!(d.banner, DEFAULT_BANNER);
        let ids: Vec<u32> = d.questions.iter().map(|q| q.id).collect();
        assert_eq!(
            ids,
            [4, 1, 5],
            "ordered by position; the new one after the highest id"
        );
        assert!(
            d.questions[0].options.is_empty(),
            "an NPS question keeps no options"
        );
        assert_eq!(d.questions[1].options, ["Daily", "Weekly", "Rarely"]);
        assert!(d.questions[1].other && d.questions[1].required);
        assert_eq!(d.questions[2].statements, ["News", "Sport"]);
    }

    #[test]
    fn a_removed_question_goes_and_mistakes_name_the_question() {
        let d = from_form(&form(&[
            ("title", "T"),
            ("q0_id", "1"),
            ("q0_kind", "rating"),
            ("q0_prompt", "Keep"),
            ("q1_id", "2"),
            ("q1_kind", "rating"),
            ("q1_prompt", "Drop"),
            ("q1_remove", "on"),
        ]))
        .unwrap();
        assert_eq!(d.questions.len(), 1);
        let e = from_form(&form(&[
            ("title", "T"),
            ("q0_kind", "single"),
            ("q0_prompt", "Only one option"),
            ("q0_options", "Yes"),
        ]))
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "question 1 (id 1): needs at least two options"
        );
        let e = from_form(&form(&[
            ("title", "T"),
            ("q0_kind", "slider"),
            ("q0_prompt", "p"),
        ]))
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "question 1: \"slider\" is not a kind of question"
        );
        let e = from_form(&form(&[("title", "T")])).unwrap_err();
        assert_eq!(e.place, "questions");
    }

    #[test]
    fn a_definition_written_out_as_the_form_reads_back_the_same() {
        let d = Definition::from_yaml(crate::survey::tests::SAMPLE).unwrap();
        let mut pairs = vec![
            ("title".to_string(), d.title.clone()),
            ("intro".to_string(), d.intro.clone()),
            ("banner".to_string(), d.banner.clone()),
        ];
        if d.one_per_page {
            pairs.push(("one_per_page".into(), "on".into()));
        }
        for (n, q) in d.questions.iter().enumerate() {
            let f = |name: &str| format!("q{n}_{name}");
            pairs.push((f("id"), q.id.to_string()));
            pairs.push((f("kind"), q.kind.key().into()));
            pairs.push((f("prompt"), q.prompt.clone()));
            pairs.push((f("help"), q.help.clone()));
            pairs.push((f("options"), q.options.join("\n")));
            pairs.push((f("statements"), q.statements.join("\n")));
            for (flag, set) in [
                ("required", q.required),
                ("other", q.other),
                ("shuffle", q.shuffle),
            ] {
                if set {
                    pairs.push((f(flag), "on".into()));
                }
            }
        }
        assert_eq!(from_form(&pairs).unwrap(), d);
    }
}
