//! Parsing of import files: YAML front matter plus a Markdown body, with
//! every error tied to a line of the file.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::model::Status;
use crate::slug::{slugify, validate_section_slug, validate_slug};

/// A problem in one import file, with the line (1-based) where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub line: Option<usize>,
    pub message: String,
}

impl FileError {
    fn at(line: Option<usize>, message: impl Into<String>) -> Self {
        Self {
            line,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawImage {
    src: Option<String>,
    caption: Option<String>,
    credit: Option<String>,
    alt: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFront {
    title: Option<String>,
    slug: Option<String>,
    site: Option<String>,
    section: Option<String>,
    summary: Option<String>,
    dateline: Option<String>,
    published_at: Option<String>,
    updated_at: Option<String>,
    authors: Option<OneOrMany>,
    source: Option<String>,
    copyright: Option<String>,
    tags: Option<OneOrMany>,
    image: Option<RawImage>,
    featured: Option<bool>,
    breaking: Option<bool>,
    status: Option<String>,
}

/// The hero image as the file describes it; `src` is relative to the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    pub src: String,
    pub caption: String,
    pub credit: String,
    pub alt: String,
    /// Line of `src`, for errors found when reading the image.
    pub line: Option<usize>,
}

/// A parsed, validated import file. Site and section are still names: the
/// importer resolves them against storage.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    pub title: String,
    pub slug: String,
    pub site: String,
    pub site_line: Option<usize>,
    pub section: String,
    pub section_line: Option<usize>,
    pub summary: String,
    pub dateline: String,
    pub published_at: DateTime<Utc>,
    pub updated_at: Option<DateTime<Utc>>,
    pub authors: Vec<String>,
    pub source: String,
    pub copyright: String,
    pub tags: Vec<String>,
    pub image: Option<ImageRef>,
    pub featured: bool,
    pub breaking: bool,
    pub status: Status,
    pub body: String,
}

/// Parses raw file bytes.
pub fn parse_bytes(bytes: &[u8]) -> Result<ParsedFile, FileError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        FileError::at(Some(line), "the file is not valid UTF-8")
    })?;
    parse(text)
}

/// Parses the text of an import file.
pub fn parse(text: &str) -> Result<ParsedFile, FileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (yaml, body) = split_front_matter(text)?;
    // The YAML starts on line 2 of the file.
    let raw: RawFront = if yaml.trim().is_empty() {
        return Err(FileError::at(Some(1), "the front matter is empty"));
    } else {
        serde_yaml::from_str(yaml).map_err(|e| {
            let line = e.location().map(|l| l.line() + 1);
            FileError::at(
                line,
                format!("front matter: {}", strip_location(&e.to_string())),
            )
        })?
    };
    let line_of = |key: &str| key_line(yaml, key).map(|l| l + 1);

    let title = required(raw.title, "title", line_of("title"))?;
    if title.chars().count() > 300 {
        return Err(FileError::at(
            line_of("title"),
            "title: longer than 300 characters",
        ));
    }
    let slug = match raw.slug {
        Some(s) => {
            let s = s.trim().to_string();
            validate_slug(&s).map_err(|e| FileError::at(line_of("slug"), format!("slug: {e}")))?;
            s
        }
        None => {
            let s = slugify(&title);
            if s.is_empty() {
                return Err(FileError::at(
                    line_of("title"),
                    "slug: cannot be derived from the title; add a slug",
                ));
            }
            s
        }
    };
    let site = required(raw.site, "site", line_of("site"))?;
    let section_raw = required(raw.section, "section", line_of("section"))?;
    let section = if validate_section_slug(&section_raw).is_ok() {
        section_raw
    } else {
        slugify(&section_raw)
    };
    validate_section_slug(&section)
        .map_err(|e| FileError::at(line_of("section"), format!("section: {e}")))?;

    let published_raw = required(raw.published_at, "published_at", line_of("published_at"))?;
    let published_at = parse_time(&published_raw)
        .map_err(|e| FileError::at(line_of("published_at"), format!("published_at: {e}")))?;
    let updated_at = match raw.updated_at {
        Some(u) if !u.trim().is_empty() => {
            let t = parse_time(&u)
                .map_err(|e| FileError::at(line_of("updated_at"), format!("updated_at: {e}")))?;
            if t < published_at {
                return Err(FileError::at(
                    line_of("updated_at"),
                    "updated_at: is before published_at",
                ));
            }
            Some(t)
        }
        _ => None,
    };
    let summary = raw.summary.unwrap_or_default().trim().to_string();
    if summary.chars().count() > 1000 {
        return Err(FileError::at(
            line_of("summary"),
            "summary: longer than 1000 characters",
        ));
    }
    let status = match raw.status.as_deref() {
        None => Status::Published,
        Some(s) => Status::parse(s.trim()).ok_or_else(|| {
            FileError::at(
                line_of("status"),
                format!("status: {s:?} is neither published nor draft"),
            )
        })?,
    };
    let image = match raw.image {
        None => None,
        Some(img) => {
            let src_line = image_src_line(yaml).map(|l| l + 1);
            let src = img
                .src
                .filter(|s| !s.trim().is_empty())
                .ok_or_else(|| FileError::at(line_of("image"), "image.src: missing"))?;
            let caption = img.caption.unwrap_or_default().trim().to_string();
            Some(ImageRef {
                alt: img
                    .alt
                    .map(|a| a.trim().to_string())
                    .unwrap_or_else(|| caption.clone()),
                caption,
                credit: img.credit.unwrap_or_default().trim().to_string(),
                src,
                line: src_line,
            })
        }
    };
    let clean_list = |v: Option<OneOrMany>| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in v.map(OneOrMany::into_vec).unwrap_or_default() {
            let s = s.trim().to_string();
            if !s.is_empty() && !out.contains(&s) {
                out.push(s);
            }
        }
        out
    };
    let authors = clean_list(raw.authors);
    let tags = clean_list(raw.tags);
    if let Some(bad) = tags.iter().find(|t| slugify(t).is_empty()) {
        return Err(FileError::at(
            line_of("tags"),
            format!("tags: {bad:?} has no letters or digits to make a URL from"),
        ));
    }
    if let Some(bad) = authors.iter().find(|t| slugify(t).is_empty()) {
        return Err(FileError::at(
            line_of("authors"),
            format!("authors: {bad:?} has no letters or digits to make a URL from"),
        ));
    }
    if body.trim().is_empty() {
        return Err(FileError::at(None, "the body is empty"));
    }
    Ok(ParsedFile {
        title: title.trim().to_string(),
        slug,
        site: site.trim().to_string(),
        site_line: line_of("site"),
        section,
        section_line: line_of("section"),
        summary,
        dateline: raw.dateline.unwrap_or_default().trim().to_uppercase(),
        published_at,
        updated_at,
        authors,
        source: raw.source.unwrap_or_default().trim().to_string(),
        copyright: raw.copyright.unwrap_or_default().trim().to_string(),
        tags,
        image,
        featured: raw.featured.unwrap_or(false),
        breaking: raw.breaking.unwrap_or(false),
        status,
        body: body.to_string(),
    })
}

fn required(v: Option<String>, name: &str, line: Option<usize>) -> Result<String, FileError> {
    match v {
        Some(s) if !s.trim().is_empty() => Ok(s),
        Some(_) => Err(FileError::at(line, format!("{name}: must not be empty"))),
        None => Err(FileError::at(
            Some(1),
            format!("{name}: missing (a required field)"),
        )),
    }
}

fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("not an RFC 3339 date-time ({s:?}): {e}"))
}

/// serde_yaml appends "at line X column Y"; we print the line ourselves.
fn strip_location(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

fn split_front_matter(text: &str) -> Result<(&str, &str), FileError> {
    let first_end = text.find('\n').unwrap_or(text.len());
    if text[..first_end].trim_end() != "---" {
        return Err(FileError::at(
            Some(1),
            "the file must start with a '---' line opening the YAML front matter",
        ));
    }
    let rest = &text[(first_end + 1).min(text.len())..];
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            let yaml = &rest[..offset];
            let body = &rest[offset + line.len()..];
            return Ok((yaml, body));
        }
        offset += line.len();
    }
    Err(FileError::at(
        Some(1),
        "the front matter is not closed by a '---' line",
    ))
}

/// The 1-based line within the YAML of a top-level key.
fn key_line(yaml: &str, key: &str) -> Option<usize> {
    yaml.lines()
        .position(|l| {
            l.strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with(':'))
        })
        .map(|i| i + 1)
}

fn image_src_line(yaml: &str) -> Option<usize> {
    let start = key_line(yaml, "image")?;
    yaml.lines()
        .enumerate()
        .skip(start)
        .take_while(|(_, l)| l.starts_with(' ') || l.starts_with('\t') || l.trim().is_empty())
        .find(|(_, l)| l.trim_start().starts_with("src:"))
        .map(|(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "---\ntitle: Rail line reopens\nsite: news\nsection: National\npublished_at: 2026-11-20T09:30:00+09:00\nauthors: Aiko Tanabe\ntags: [rail, Tohoku]\nimage:\n  src: img/a.jpg\n  caption: A train.\n  credit: PWS/Kenji Arata\n---\nThe line reopened.\n";

    #[test]
    fn good_file_parses() {
        let f = parse(GOOD).unwrap();
        assert_eq!(f.slug, "rail-line-reopens");
        assert_eq!(f.section, "national");
        assert_eq!(f.authors, vec!["Aiko Tanabe"]);
        assert_eq!(f.tags, vec!["rail", "Tohoku"]);
        let img = f.image.unwrap();
        assert_eq!(img.alt, "A train.");
        assert_eq!(img.line, Some(9));
        assert_eq!(f.published_at.to_rfc3339(), "2026-11-20T00:30:00+00:00");
    }

    #[test]
    fn bad_date_names_its_line() {
        let bad = GOOD.replace("2026-11-20T09:30:00+09:00", "2026-11-20 09:30");
        let e = parse(&bad).unwrap_err();
        assert_eq!(e.line, Some(5));
        assert!(
            e.message.starts_with("published_at: not an RFC 3339"),
            "{}",
            e.message
        );
    }

    #[test]
    fn missing_and_unknown_fields_are_errors() {
        let e = parse(&GOOD.replace("site: news\n", "")).unwrap_err();
        assert!(e.message.contains("site: missing"), "{e}");
        let e = parse(&GOOD.replace("site: news\n", "site: news\nsumary: x\n")).unwrap_err();
        assert!(e.message.contains("unknown field `sumary`"), "{e}");
        assert_eq!(e.line, Some(4));
    }

    #[test]
    fn invalid_yaml_and_utf8_are_reported_with_lines() {
        let e = parse("---\ntitle: [unclosed\nsite: news\n---\nbody").unwrap_err();
        assert!(e.line.is_some(), "{e}");
        let mut bytes = b"---\ntitle: x\n".to_vec();
        bytes.extend_from_slice(&[0xff, 0xfe]);
        let e = parse_bytes(&bytes).unwrap_err();
        assert_eq!(e.line, Some(3));
        let e = parse("no front matter").unwrap_err();
        assert_eq!(e.line, Some(1));
    }
}
