//! The editor's form: read into a story's fields (errors name the field),
//! and the fields written back as the form's values.

use chrono_tz::Tz;
use kawaraban_core::desk::{Refused, StoryFields};
use kawaraban_core::local_time;
use kawaraban_core::slug::slugify;
use serde::Serialize;

use crate::members::{field, Fields};

/// A comma-separated list of names, trimmed, empties and repeats dropped.
fn names(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(n)) {
            out.push(n.to_string());
        }
    }
    out
}

fn time(
    f: &Fields,
    name: &'static str,
    label: &str,
    tz: Tz,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, Refused> {
    local_time::parse(label, field(f, name), tz).map_err(|message| Refused {
        field: name,
        message,
    })
}

/// The story the form describes. An empty slug is made from the headline.
pub fn read(f: &Fields, tz: Tz) -> Result<StoryFields, Refused> {
    let text = |name: &str| field(f, name).trim().to_string();
    let title = text("title");
    let slug = match text("slug") {
        s if s.is_empty() => slugify(&title),
        s => s,
    };
    Ok(StoryFields {
        slug,
        summary: text("summary"),
        section: text("section"),
        tags: names(field(f, "tags")),
        authors: names(field(f, "authors")),
        dateline: text("dateline"),
        source: text("source"),
        copyright: text("copyright"),
        // The body keeps its own spacing; only line ends are made one kind.
        body: field(f, "body").replace("\r\n", "\n"),
        image: text("image"),
        image_caption: text("image_caption"),
        image_credit: text("image_credit"),
        image_alt: text("image_alt"),
        breaking: f.contains_key("breaking"),
        featured: f.contains_key("featured"),
        seo_title: text("seo_title"),
        seo_description: text("seo_description"),
        canonical_url: text("canonical_url"),
        comment_mode: match text("comment_mode") {
            m if m.is_empty() => "open".into(),
            m => m,
        },
        publish_at: time(f, "publish_at", "Publish time", tz)?,
        embargo_until: time(f, "embargo_until", "Embargo until", tz)?,
        title,
    })
}

/// The fields as the form's values (times in the site's zone).
#[derive(Serialize)]
pub struct FormValues {
    #[serde(flatten)]
    pub fields: StoryFields,
    pub tags_text: String,
    pub authors_text: String,
    pub publish_at_local: String,
    pub embargo_until_local: String,
}

pub fn values(fields: &StoryFields, tz: Tz) -> FormValues {
    FormValues {
        tags_text: fields.tags.join(", "),
        authors_text: fields.authors.join(", "),
        publish_at_local: local_time::field_value(fields.publish_at, tz),
        embargo_until_local: local_time::field_value(fields.embargo_until, tz),
        fields: fields.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reads_into_fields_and_back() {
        let f: Fields = [
            ("title", " Rail strike ends "),
            ("slug", ""),
            ("tags", "Rail, Labour, rail,"),
            ("authors", "Aiko Tanabe"),
            ("body", "One.\r\nTwo.\r\n"),
            ("featured", "on"),
            ("publish_at", "2026-12-08T09:30"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let tz: Tz = "Asia/Tokyo".parse().unwrap();
        let s = read(&f, tz).unwrap();
        assert_eq!(s.title, "Rail strike ends");
        assert_eq!(s.slug, "rail-strike-ends");
        assert_eq!(s.tags, ["Rail", "Labour"]);
        assert_eq!(s.body, "One.\nTwo.\n");
        assert!(s.featured && !s.breaking);
        assert_eq!(s.comment_mode, "open");
        assert_eq!(values(&s, tz).publish_at_local, "2026-12-08T09:30");
        let bad: Fields = [
            ("title".to_string(), "x".to_string()),
            ("embargo_until".to_string(), "soon".to_string()),
        ]
        .into();
        assert_eq!(read(&bad, tz).unwrap_err().field, "embargo_until");
    }
}
