//! What changed between two revisions of a story, field by field, the
//! body line by line.

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

use super::fields::{label, StoryFields};

/// One line of a body diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    /// `same`, `added` or `removed`.
    pub kind: &'static str,
    pub text: String,
}

/// One changed field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldDiff {
    pub name: &'static str,
    pub label: &'static str,
    pub old: String,
    pub new: String,
    /// For the body (and any text of several lines): the lines.
    pub lines: Vec<Line>,
}

/// The fields that differ from `old` to `new`, in the editor's order.
pub fn diff(old: &StoryFields, new: &StoryFields) -> Vec<FieldDiff> {
    old.changed(new)
        .into_iter()
        .map(|name| {
            let (a, b) = (
                old.shown(name).unwrap_or_default(),
                new.shown(name).unwrap_or_default(),
            );
            let lines = if a.contains('\n') || b.contains('\n') {
                TextDiff::from_lines(&a, &b)
                    .iter_all_changes()
                    .map(|c| Line {
                        kind: match c.tag() {
                            ChangeTag::Equal => "same",
                            ChangeTag::Insert => "added",
                            ChangeTag::Delete => "removed",
                        },
                        text: c.value().trim_end_matches('\n').to_string(),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            FieldDiff {
                name,
                label: label(name),
                old: a,
                new: b,
                lines,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_changes_are_given_line_by_line() {
        let old = StoryFields {
            title: "A".into(),
            body: "one\ntwo\nthree\n".into(),
            ..Default::default()
        };
        let new = StoryFields {
            body: "one\n2\nthree\n".into(),
            ..old.clone()
        };
        let d = diff(&old, &new);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].label, "Body");
        let kinds: Vec<_> = d[0]
            .lines
            .iter()
            .map(|l| (l.kind, l.text.as_str()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("same", "one"),
                ("removed", "two"),
                ("added", "2"),
                ("same", "three")
            ]
        );
        assert!(diff(&old, &old).is_empty());
    }
}
