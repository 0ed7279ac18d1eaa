//! Our stories, authors and tags in the shape of Ghost's Content API (v5):
//! the same field names, with `null` for what we do not keep (code
//! injection, Open Graph overrides), so that Ghost's front ends find every
//! field they read.

use chrono::{DateTime, SecondsFormat, Utc};
use kawaraban_core::ghost::{self, Include};
use kawaraban_core::model::{Article, Person, Section, Site, Tag};
use serde_json::{json, Map, Value};

/// Every field of a post, for `fields=`.
pub const POST_FIELDS: &[&str] = &[
    "id",
    "uuid",
    "title",
    "slug",
    "html",
    "comment_id",
    "feature_image",
    "feature_image_alt",
    "feature_image_caption",
    "featured",
    "visibility",
    "created_at",
    "updated_at",
    "published_at",
    "custom_excerpt",
    "excerpt",
    "reading_time",
    "access",
    "comments",
    "url",
    "canonical_url",
    "codeinjection_head",
    "codeinjection_foot",
    "custom_template",
    "og_image",
    "og_title",
    "og_description",
    "twitter_image",
    "twitter_title",
    "twitter_description",
    "meta_title",
    "meta_description",
    "email_subject",
    "frontmatter",
    "primary_author",
    "primary_tag",
    "tags",
    "authors",
];

/// Times as Ghost writes them: `2026-12-07T09:30:00.000+00:00`.
fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, false)
}

pub fn tag(site: &Site, t: &Tag) -> Value {
    json!({
        "id": t.id.to_string(),
        "name": t.name,
        "slug": t.slug,
        "description": null,
        "feature_image": null,
        "visibility": "public",
        "meta_title": null,
        "meta_description": null,
        "url": site.absolute(&format!("/tag/{}", t.slug)),
    })
}

pub fn author(site: &Site, p: &Person) -> Value {
    json!({
        "id": p.id.to_string(),
        "name": p.name,
        "slug": p.slug,
        "profile_image": null,
        "cover_image": null,
        "bio": null,
        "website": null,
        "location": null,
        "facebook": null,
        "twitter": null,
        "meta_title": null,
        "meta_description": null,
        "url": site.absolute(&format!("/author/{}", p.slug)),
    })
}

/// A story as a Ghost post: with its tags and authors when `include`
/// asks for them, and only `fields` when some are named.
pub fn post(site: &Site, a: &Article, include: Include, fields: &[&str]) -> Value {
    let url = site.absolute(&a.path());
    let image = a.image.as_ref().map(|img| {
        let view = crate::view::ImageView::new(img, &a.image_alt, 1200);
        site.absolute(&view.large)
    });
    let text = kawaraban_core::markdown::plain_text_of_html(&a.body_html);
    let excerpt = if a.summary.is_empty() {
        text.chars().take(500).collect::<String>()
    } else {
        a.summary.clone()
    };
    let updated = a.updated_at.unwrap_or(a.published_at);
    let mut v = json!({
        "id": a.id.to_string(),
        "uuid": uuid(site, a.id),
        "title": a.title,
        "slug": a.slug,
        "html": a.body_html,
        "comment_id": a.id.to_string(),
        "feature_image": image,
        "feature_image_alt": a.image.as_ref().map(|_| a.image_alt.clone()),
        "feature_image_caption": a.image.as_ref().map(|_| a.image_caption.clone()),
        "featured": a.featured,
        "visibility": "public",
        "created_at": time(a.published_at),
        "updated_at": time(updated),
        "published_at": time(a.published_at),
        "custom_excerpt": (!a.summary.is_empty()).then(|| a.summary.clone()),
        "excerpt": excerpt,
        "reading_time": ghost::reading_time(&text),
        "access": true,
        "comments": a.comment_mode != kawaraban_core::model::CommentMode::Disabled,
        "url": url,
        "canonical_url": null,
        "codeinjection_head": null,
        "codeinjection_foot": null,
        "custom_template": null,
        "og_image": null,
        "og_title": null,
        "og_description": null,
        "twitter_image": null,
        "twitter_title": null,
        "twitter_description": null,
        "meta_title": null,
        "meta_description": null,
        "email_subject": null,
        "frontmatter": null,
    });
    let obj = v.as_object_mut().expect("a JSON object");
    if include.tags {
        let tags: Vec<Value> = a.tags.iter().map(|t| tag(site, t)).collect();
        obj.insert(
            "primary_tag".into(),
            tags.first().cloned().unwrap_or(Value::Null),
        );
        obj.insert("tags".into(), Value::Array(tags));
    }
    if include.authors {
        let authors: Vec<Value> = a.authors.iter().map(|p| author(site, p)).collect();
        obj.insert(
            "primary_author".into(),
            authors.first().cloned().unwrap_or(Value::Null),
        );
        obj.insert("authors".into(), Value::Array(authors));
    }
    if fields.is_empty() {
        return v;
    }
    let mut kept = Map::new();
    for f in fields {
        if let Some(value) = obj.remove(*f) {
            kept.insert((*f).to_string(), value);
        }
    }
    Value::Object(kept)
}

/// A post's stable UUID, made from the site's URL and the story's id
/// (Ghost's clients key caches on it).
fn uuid(site: &Site, id: i64) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(format!("{}\u{0}{id}", site.url).as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    // Version 8 (custom), RFC 9562 variant.
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let x = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &x[..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..]
    )
}

/// The site's settings as Ghost's `settings` answer them.
pub fn settings(site: &Site, sections: &[Section]) -> Value {
    let navigation: Vec<Value> = sections
        .iter()
        .map(|s| json!({ "label": s.name, "url": format!("/{}/", s.slug) }))
        .collect();
    json!({
        "title": site.name,
        "description": site.tagline,
        "logo": null,
        "icon": null,
        "accent_color": null,
        "cover_image": null,
        "facebook": null,
        "twitter": null,
        "lang": "en",
        "locale": "en",
        "timezone": site.time_zone,
        "codeinjection_head": null,
        "codeinjection_foot": null,
        "navigation": navigation,
        "secondary_navigation": [],
        "meta_title": null,
        "meta_description": null,
        "og_image": null,
        "og_title": null,
        "og_description": null,
        "twitter_image": null,
        "twitter_title": null,
        "twitter_description": null,
        "members_support_address": null,
        "url": site.absolute("/"),
    })
}
