//! Reader surveys: what a survey asks ([`Definition`]), who is asked
//! ([`audience`]), how answers are checked ([`answers`]) and counted
//! ([`results`]). Plain functions, so tests need no server.

pub mod answers;
pub mod audience;
pub mod builder;
pub mod results;

use serde::{Deserialize, Serialize};

/// The longest free-text answer kept, in characters.
pub const MAX_TEXT: usize = 2000;
/// The longest short-text answer, in characters.
pub const MAX_SHORT_TEXT: usize = 200;
/// The banner's wording unless the editor changes it.
pub const DEFAULT_BANNER: &str = "Take our user survey and make your voice heard.";

/// What kind of answer a question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Single,
    Multiple,
    /// 1 to 5.
    Rating,
    /// 0 to 10, "How likely are you to recommend …".
    Nps,
    ShortText,
    LongText,
    /// Statements (rows) each rated on one scale (columns).
    Matrix,
}

impl Kind {
    /// Every kind, in the order the desk offers them.
    pub const ALL: [Kind; 7] = [
        Kind::Single,
        Kind::Multiple,
        Kind::Rating,
        Kind::Nps,
        Kind::ShortText,
        Kind::LongText,
        Kind::Matrix,
    ];

    /// The name in YAML and in the desk's form.
    pub fn key(self) -> &'static str {
        match self {
            Kind::Single => "single",
            Kind::Multiple => "multiple",
            Kind::Rating => "rating",
            Kind::Nps => "nps",
            Kind::ShortText => "short_text",
            Kind::LongText => "long_text",
            Kind::Matrix => "matrix",
        }
    }

    pub fn parse(key: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Single => "Single choice",
            Kind::Multiple => "Multiple choice",
            Kind::Rating => "Rating 1–5",
            Kind::Nps => "Net Promoter Score 0–10",
            Kind::ShortText => "Short text",
            Kind::LongText => "Long text",
            Kind::Matrix => "Matrix",
        }
    }
}

/// One question. `id` is stable for the survey's life: answers refer to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: u32,
    pub kind: Kind,
    pub prompt: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub help: String,
    #[serde(default)]
    pub required: bool,
    /// Choices (single, multiple) or the matrix's scale.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// The matrix's statements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statements: Vec<String>,
    /// Offer "Other, please say" with a text box (single, multiple).
    #[serde(default)]
    pub other: bool,
    /// Show the options in a different order to each reader.
    #[serde(default)]
    pub shuffle: bool,
}

/// A survey's questions and words, as the editor writes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    pub title: String,
    #[serde(default)]
    pub intro: String,
    #[serde(default = "default_banner")]
    pub banner: String,
    /// One question per page, with progress shown.
    #[serde(default)]
    pub one_per_page: bool,
    pub questions: Vec<Question>,
}

fn default_banner() -> String {
    DEFAULT_BANNER.to_string()
}

/// A definition's mistake, naming the question and field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{place}: {message}")]
pub struct DefinitionError {
    pub place: String,
    pub message: String,
}

fn err(place: impl Into<String>, message: impl Into<String>) -> DefinitionError {
    DefinitionError {
        place: place.into(),
        message: message.into(),
    }
}

impl Definition {
    /// Reads a definition from YAML; errors name the line or the question.
    pub fn from_yaml(text: &str) -> Result<Self, DefinitionError> {
        let d: Definition = serde_yaml::from_str(text).map_err(|e| {
            let place = e
                .location()
                .map(|l| format!("line {}", l.line()))
                .unwrap_or_else(|| "survey".into());
            err(place, e.to_string())
        })?;
        d.check()?;
        Ok(d)
    }

    /// The rules a definition must keep before it is stored.
    pub fn check(&self) -> Result<(), DefinitionError> {
        if self.title.trim().is_empty() {
            return Err(err("title", "a survey needs a title"));
        }
        if self.title.chars().count() > 200 {
            return Err(err("title", "at most 200 characters"));
        }
        if self.banner.trim().is_empty() || self.banner.chars().count() > 200 {
            return Err(err("banner", "between 1 and 200 characters"));
        }
        if self.questions.is_empty() {
            return Err(err("questions", "a survey needs at least one question"));
        }
        if self.questions.len() > 100 {
            return Err(err("questions", "at most 100 questions"));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, q) in self.questions.iter().enumerate() {
            let place = format!("question {} (id {})", i + 1, q.id);
            if q.id == 0 || !seen.insert(q.id) {
                return Err(err(place, "each question needs its own id, 1 or more"));
            }
            if q.prompt.trim().is_empty() || q.prompt.chars().count() > 500 {
                return Err(err(place, "the prompt must be 1 to 500 characters"));
            }
            let needs_options = matches!(q.kind, Kind::Single | Kind::Multiple | Kind::Matrix);
            if needs_options && q.options.len() < 2 {
                return Err(err(place, "needs at least two options"));
            }
            if !needs_options && !q.options.is_empty() {
                return Err(err(
                    place,
                    format!("a {} question has no options", q.kind.label()),
                ));
            }
            if q.options.len() > 50 {
                return Err(err(place, "at most 50 options"));
            }
            if q.options
                .iter()
                .any(|o| o.trim().is_empty() || o.chars().count() > 200)
            {
                return Err(err(place, "each option must be 1 to 200 characters"));
            }
            let mut opts = std::collections::HashSet::new();
            if !q.options.iter().all(|o| opts.insert(o.trim())) {
                return Err(err(place, "two options have the same words"));
            }
            if (q.kind == Kind::Matrix) == q.statements.is_empty() {
                return Err(err(
                    place,
                    "a matrix needs statements, and only a matrix has them",
                ));
            }
            if q.statements.len() > 30 {
                return Err(err(place, "at most 30 statements"));
            }
            if q.other && !matches!(q.kind, Kind::Single | Kind::Multiple) {
                return Err(err(place, "only choice questions offer \"Other\""));
            }
        }
        Ok(())
    }

    pub fn question(&self, id: u32) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }
}

/// A survey's state as the editor sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Draft,
    Open,
    Closed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Open => "open",
            Status::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "draft" => Some(Status::Draft),
            "open" => Some(Status::Open),
            "closed" => Some(Status::Closed),
            _ => None,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub const SAMPLE: &str = r#"
title: How are we doing?
intro: Five minutes, anonymous unless you sign in.
questions:
  - id: 1
    kind: single
    prompt: How often do you read us?
    required: true
    options: [Daily, Weekly, Rarely]
    other: true
  - id: 2
    kind: multiple
    prompt: Which sections do you read?
    options: [National, World, Business, Sport]
    shuffle: true
  - id: 3
    kind: rating
    prompt: How do you rate our coverage?
    required: true
  - id: 4
    kind: nps
    prompt: How likely are you to recommend us to a friend?
  - id: 5
    kind: long_text
    prompt: What should we do better?
  - id: 6
    kind: matrix
    prompt: How far do you agree?
    statements: [Stories are accurate, Headlines are fair]
    options: [Disagree, Neutral, Agree]
"#;

    #[test]
    fn a_sample_definition_reads_and_keeps_its_defaults() {
        let d = Definition::from_yaml(SAMPLE).unwrap();
        assert_eq!(d.banner, DEFAULT_BANNER);
        assert_eq!(d.questions.len(), 6);
        assert_eq!(d.question(6).unwrap().kind, Kind::Matrix);
    }

    #[test]
    fn a_bad_definition_names_the_line_or_question() {
        let e = Definition::from_yaml(
            "title: x\nquestions:\n  - id: 1\n    kind: slider\n    prompt: p\n",
        )
        .unwrap_err();
        assert_eq!(e.place, "line 4", "{e}");
        let e = Definition::from_yaml(
            "title: x\nquestions:\n  - {id: 1, kind: single, prompt: p, options: [only]}\n",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "question 1 (id 1): needs at least two options"
        );
        let e = Definition::from_yaml(
            "title: x\nquestions:\n  - {id: 1, kind: rating, prompt: p}\n  - {id: 1, kind: nps, prompt: q}\n",
        )
        .unwrap_err();
        assert!(e.place.starts_with("question 2"), "{e}");
        let e = Definition::from_yaml(
            "title: x\nquestions:\n  - {id: 1, kind: rating, prompt: p, colour: red}\n",
        )
        .unwrap_err();
        assert!(e.message.contains("colour"), "{e}");
        assert!(Definition::from_yaml("title: ''\nquestions: []\n").is_err());
    }
}
