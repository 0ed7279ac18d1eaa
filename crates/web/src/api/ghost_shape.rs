//! Our stories, authors and tags in the shape of Ghost's Content API (v5):
//! the same field names, with `null` for what we do not keep (code
//! injection, Open Graph overrides), so that Ghost's front ends find every
//! field they read.

use chrono::{DateTime, SecondsFormat, Utc};
use kawaraban_core::ghost::{self, Include};
use kawaraban_core::model::{Article, Person, Section, Site, Tag};
use std::borrow::Cow;

use serde::Serialize;
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

/// What we do not keep, written as Ghost writes an empty field: `null`.
type Null = Option<()>;

#[derive(Serialize, Clone)]
pub struct TagOut<'a> {
    id: String,
    name: &'a str,
    slug: &'a str,
    description: Null,
    feature_image: Null,
    visibility: &'static str,
    meta_title: Null,
    meta_description: Null,
    url: String,
}

pub fn tag<'a>(site: &Site, t: &'a Tag) -> TagOut<'a> {
    TagOut {
        id: t.id.to_string(),
        name: &t.name,
        slug: &t.slug,
        description: None,
        feature_image: None,
        visibility: "public",
        meta_title: None,
        meta_description: None,
        url: site.absolute(&format!("/tag/{}", t.slug)),
    }
}

#[derive(Serialize, Clone)]
pub struct AuthorOut<'a> {
    id: String,
    name: &'a str,
    slug: &'a str,
    profile_image: Null,
    cover_image: Null,
    bio: Null,
    website: Null,
    location: Null,
    facebook: Null,
    twitter: Null,
    meta_title: Null,
    meta_description: Null,
    url: String,
}

pub fn author<'a>(site: &Site, p: &'a Person) -> AuthorOut<'a> {
    AuthorOut {
        id: p.id.to_string(),
        name: &p.name,
        slug: &p.slug,
        profile_image: None,
        cover_image: None,
        bio: None,
        website: None,
        location: None,
        facebook: None,
        twitter: None,
        meta_title: None,
        meta_description: None,
        url: site.absolute(&format!("/author/{}", p.slug)),
    }
}

/// A story as a Ghost post, written straight to JSON (no map of values
/// in between: a page of fifteen is the API's busiest answer).
#[derive(Serialize)]
pub struct PostOut<'a> {
    id: String,
    uuid: String,
    title: &'a str,
    slug: &'a str,
    html: &'a str,
    comment_id: String,
    feature_image: Option<String>,
    feature_image_alt: Option<&'a str>,
    feature_image_caption: Option<&'a str>,
    featured: bool,
    visibility: &'static str,
    created_at: String,
    updated_at: String,
    published_at: String,
    custom_excerpt: Option<&'a str>,
    excerpt: Cow<'a, str>,
    reading_time: u32,
    access: bool,
    comments: bool,
    url: String,
    canonical_url: Null,
    codeinjection_head: Null,
    codeinjection_foot: Null,
    custom_template: Null,
    og_image: Null,
    og_title: Null,
    og_description: Null,
    twitter_image: Null,
    twitter_title: Null,
    twitter_description: Null,
    meta_title: Null,
    meta_description: Null,
    email_subject: Null,
    frontmatter: Null,
    // Only when `include` names them (absent, not null, otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    primary_author: Option<Option<AuthorOut<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    primary_tag: Option<Option<TagOut<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<Vec<TagOut<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    authors: Option<Vec<AuthorOut<'a>>>,
}

/// A post as an answer holds it: whole, or only the `fields` asked for.
#[derive(Serialize)]
#[serde(untagged)]
pub enum Shaped<'a> {
    Whole(Box<PostOut<'a>>),
    Fields(Map<String, Value>),
}

/// A story as a Ghost post: with its tags and authors when `include`
/// asks for them, and only `fields` when some are named.
pub fn post<'a>(site: &Site, a: &'a Article, include: Include, fields: &[&str]) -> Shaped<'a> {
    let whole = whole_post(site, a, include);
    if fields.is_empty() {
        return Shaped::Whole(Box::new(whole));
    }
    let Ok(Value::Object(mut all)) = serde_json::to_value(&whole) else {
        return Shaped::Whole(Box::new(whole));
    };
    Shaped::Fields(
        fields
            .iter()
            .filter_map(|f| all.remove(*f).map(|v| ((*f).to_string(), v)))
            .collect(),
    )
}

fn whole_post<'a>(site: &Site, a: &'a Article, include: Include) -> PostOut<'a> {
    let image = a.image.as_ref().map(|img| {
        let view = crate::view::ImageView::new(img, &a.image_alt, 1200);
        site.absolute(&view.large)
    });
    // The text is read only when there is no standfirst to be the excerpt.
    let excerpt = if a.summary.is_empty() {
        let text = kawaraban_core::markdown::plain_text_of_html(&a.body_html);
        Cow::Owned(text.chars().take(500).collect())
    } else {
        Cow::Borrowed(a.summary.as_str())
    };
    let words = kawaraban_core::markdown::html_word_count(&a.body_html);
    let tags = include
        .tags
        .then(|| a.tags.iter().map(|t| tag(site, t)).collect::<Vec<_>>());
    let authors = include.authors.then(|| {
        a.authors
            .iter()
            .map(|p| author(site, p))
            .collect::<Vec<_>>()
    });
    PostOut {
        id: a.id.to_string(),
        uuid: uuid(site, a.id),
        title: &a.title,
        slug: &a.slug,
        html: &a.body_html,
        comment_id: a.id.to_string(),
        feature_image: image,
        feature_image_alt: a.image.as_ref().map(|_| a.image_alt.as_str()),
        feature_image_caption: a.image.as_ref().map(|_| a.image_caption.as_str()),
        featured: a.featured,
        visibility: "public",
        created_at: time(a.published_at),
        updated_at: time(a.updated_at.unwrap_or(a.published_at)),
        published_at: time(a.published_at),
        custom_excerpt: (!a.summary.is_empty()).then_some(a.summary.as_str()),
        excerpt,
        reading_time: ghost::reading_time(words),
        access: true,
        comments: a.comment_mode != kawaraban_core::model::CommentMode::Disabled,
        url: site.absolute(&a.path()),
        canonical_url: None,
        codeinjection_head: None,
        codeinjection_foot: None,
        custom_template: None,
        og_image: None,
        og_title: None,
        og_description: None,
        twitter_image: None,
        twitter_title: None,
        twitter_description: None,
        meta_title: None,
        meta_description: None,
        email_subject: None,
        frontmatter: None,
        primary_author: authors.as_ref().map(|v| v.first().cloned()),
        primary_tag: tags.as_ref().map(|v| v.first().cloned()),
        tags,
        authors,
    }
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
