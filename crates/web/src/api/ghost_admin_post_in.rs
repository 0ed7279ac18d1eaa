//! A post as a client sends it to the Admin API: read field by field
//! (a wrong type is refused with the field's name, a field we do not keep
//! is left alone, as Ghost leaves unknown ones), then written into the
//! story's fields.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use kawaraban_core::desk::StoryFields;
use kawaraban_core::markdown;
use kawaraban_core::model::Site;

use super::ghost_admin::AdminError;
use super::ghost_admin_images::hash_of_url;
use super::ghost_admin_posts::MOST_BYTES;
use crate::state::AppState;

/// The one post of a request's body, `{"posts": [{…}]}`.
pub fn one_post(body: Result<Bytes, BytesRejection>) -> Result<Map<String, Value>, AdminError> {
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AdminError::too_large(format!(
                "A post is at most {} MB of JSON.",
                MOST_BYTES / (1024 * 1024)
            ))
        } else {
            AdminError::bad_request(e.body_text())
        }
    })?;
    let value: Value = serde_json::from_slice(&body)
        .map_err(|e| AdminError::bad_request(format!("The request's body is not JSON: {e}.")))?;
    let Value::Object(mut top) = value else {
        return Err(AdminError::bad_request(
            "The request's body is {\"posts\": [ one post ]}.",
        ));
    };
    match top.remove("posts") {
        Some(Value::Array(mut all)) if all.len() == 1 => match all.pop() {
            Some(Value::Object(post)) => Ok(post),
            _ => Err(AdminError::invalid("posts", "A post is a JSON object.")),
        },
        _ => Err(AdminError::invalid(
            "posts",
            "The request's body is {\"posts\": [ one post ]}.",
        )),
    }
}

/// A tag or author as a post names it.
enum Label {
    Name(String),
    /// One already kept, by its slug.
    Slug(String),
}

/// What a client's post says, field by field: `None` where it says nothing
/// (the field keeps what it has), an empty text where it sends `null`.
/// Fields Ghost has and we do not keep (code injection, Open Graph …) are
/// left alone, as Ghost leaves unknown ones.
#[derive(Default)]
pub struct PostIn {
    title: Option<String>,
    slug: Option<String>,
    html: Option<String>,
    /// `lexical` or `mobiledoc`, when one came with a document.
    document: Option<&'static str>,
    custom_excerpt: Option<String>,
    feature_image: Option<String>,
    feature_image_alt: Option<String>,
    feature_image_caption: Option<String>,
    featured: Option<bool>,
    pub status: Option<String>,
    published_at: Option<Option<DateTime<Utc>>>,
    /// Ours, not Ghost's: nothing goes out before it.
    embargo_until: Option<Option<DateTime<Utc>>>,
    meta_title: Option<String>,
    meta_description: Option<String>,
    canonical_url: Option<String>,
    tags: Option<Vec<Label>>,
    authors: Option<Vec<Label>>,
    pub updated_at: Option<DateTime<Utc>>,
}

fn text(p: &Map<String, Value>, name: &'static str) -> Result<Option<String>, AdminError> {
    match p.get(name) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(String::new())),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(AdminError::invalid(
            name,
            format!("{name} must be a string or null (got {other})"),
        )),
    }
}

fn when(
    p: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<Option<DateTime<Utc>>>, AdminError> {
    let wrong = |got: &Value| {
        AdminError::invalid(
            name,
            format!("{name} must be a time such as 2026-12-07T09:30:00.000Z, or null (got {got})"),
        )
    };
    match p.get(name) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(v @ Value::String(s)) => DateTime::parse_from_rfc3339(s.trim())
            .map(|t| Some(Some(t.with_timezone(&Utc))))
            .map_err(|_| wrong(v)),
        Some(other) => Err(wrong(other)),
    }
}

fn labels(p: &Map<String, Value>, name: &'static str) -> Result<Option<Vec<Label>>, AdminError> {
    let wrong = || {
        AdminError::invalid(
            name,
            format!("{name} must be a list of names, or of objects with a name (or the slug of one kept here)"),
        )
    };
    let items = match p.get(name) {
        None => return Ok(None),
        Some(Value::Null) => return Ok(Some(Vec::new())),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(wrong()),
    };
    let of = |o: &Map<String, Value>, key: &str| {
        o.get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    items
        .iter()
        .map(|item| match item {
            Value::String(s) if !s.trim().is_empty() => Ok(Label::Name(s.trim().to_string())),
            Value::Object(o) => of(o, "name")
                .map(Label::Name)
                .or_else(|| of(o, "slug").map(Label::Slug))
                .ok_or_else(wrong),
            _ => Err(wrong()),
        })
        .collect::<Result<_, _>>()
        .map(Some)
}

impl PostIn {
    pub fn read(p: Map<String, Value>) -> Result<Self, AdminError> {
        let featured = match p.get("featured") {
            None => None,
            Some(Value::Null) => Some(false),
            Some(Value::Bool(b)) => Some(*b),
            Some(other) => {
                return Err(AdminError::invalid(
                    "featured",
                    format!("featured must be true or false (got {other})"),
                ))
            }
        };
        match p.get("visibility").and_then(Value::as_str) {
            None | Some("public") => {}
            Some(other) => {
                return Err(AdminError::invalid(
                    "visibility",
                    format!("visibility {other:?}: every post here is public"),
                ))
            }
        }
        let document = ["lexical", "mobiledoc"]
            .into_iter()
            .find(|d| p.get(*d).is_some_and(|v| !v.is_null()));
        let status = match text(&p, "status")? {
            Some(s) if s.is_empty() => None,
            s => s,
        };
        Ok(PostIn {
            title: text(&p, "title")?,
            slug: text(&p, "slug")?,
            html: text(&p, "html")?,
            document,
            custom_excerpt: text(&p, "custom_excerpt")?,
            feature_image: text(&p, "feature_image")?,
            feature_image_alt: text(&p, "feature_image_alt")?,
            feature_image_caption: text(&p, "feature_image_caption")?,
            featured,
            status,
            published_at: when(&p, "published_at")?,
            embargo_until: when(&p, "embargo_until")?,
            meta_title: text(&p, "meta_title")?,
            meta_description: text(&p, "meta_description")?,
            canonical_url: text(&p, "canonical_url")?,
            tags: labels(&p, "tags")?,
            authors: labels(&p, "authors")?,
            updated_at: when(&p, "updated_at")?.flatten(),
        })
    }

    /// Writes what the post says into `f`, the story's fields as they
    /// stand (a new one's defaults). `html_source`: `?source=html`.
    pub async fn apply(
        &self,
        state: &AppState,
        site: &Site,
        f: &mut StoryFields,
        html_source: bool,
    ) -> Result<(), AdminError> {
        let body_given = html_source && self.html.is_some();
        if let (Some(kind), false) = (self.document, body_given) {
            return Err(AdminError::invalid(
                kind,
                format!(
                    "{kind}: posts here are kept as HTML: send the body as html, with ?source=html"
                ),
            ));
        }
        match &self.html {
            Some(html) if html_source => f.body = html.clone(),
            // Without ?source=html Ghost reads no html; the post as read
            // may come back with it unchanged.
            Some(html) if *html == markdown::render_body(&f.body) => {}
            Some(_) => {
                return Err(AdminError::invalid(
                    "html",
                    "html is the post's body only with ?source=html: add it to the request (Ghost's clients: {source: 'html'})",
                ))
            }
            None => {}
        }
        let set = |to: &mut String, from: &Option<String>| {
            if let Some(v) = from {
                *to = v.trim().to_string();
            }
        };
        set(&mut f.title, &self.title);
        set(&mut f.slug, &self.slug);
        set(&mut f.summary, &self.custom_excerpt);
        set(&mut f.image_alt, &self.feature_image_alt);
        set(&mut f.seo_title, &self.meta_title);
        set(&mut f.seo_description, &self.meta_description);
        set(&mut f.canonical_url, &self.canonical_url);
        if let Some(caption) = &self.feature_image_caption {
            // Ghost's captions are HTML; ours are text.
            f.image_caption = markdown::plain_text_of_html(caption).trim().to_string();
        }
        if let Some(url) = &self.feature_image {
            f.image = hash_of_url(state, url)?;
        }
        if let Some(b) = self.featured {
            f.featured = b;
        }
        if let Some(t) = self.published_at {
            f.publish_at = t;
        }
        if let Some(t) = self.embargo_until {
            f.embargo_until = t;
        }
        if let Some(tags) = &self.tags {
            let mut names = Vec::with_capacity(tags.len());
            for t in tags {
                names.push(match t {
                    Label::Name(n) => n.clone(),
                    Label::Slug(s) => match state.store.tag_by_slug(site.id, s).await? {
                        Some(tag) => tag.name,
                        None => return Err(unknown_slug("tags", "tag", s)),
                    },
                });
            }
            f.tags = names;
        }
        if let Some(authors) = &self.authors {
            let mut names = Vec::with_capacity(authors.len());
            for a in authors {
                names.push(match a {
                    Label::Name(n) => n.clone(),
                    Label::Slug(s) => match state.store.author_by_slug(s).await? {
                        Some(p) => p.name,
                        None => return Err(unknown_slug("authors", "author", s)),
                    },
                });
            }
            f.authors = names;
        }
        Ok(())
    }
}

fn unknown_slug(field: &str, what: &str, slug: &str) -> AdminError {
    AdminError::invalid(
        field,
        format!("{field}: no {what} has the slug {slug:?}; name a new {what} by its name"),
    )
}
