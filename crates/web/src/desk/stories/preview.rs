//! `POST /desk/stories/preview`: the editor's fields, unsaved, shown in
//! the site's own article template (the editor's "Preview" button posts
//! the form here, into a new tab; the live preview into a frame).

use axum::response::{IntoResponse, Response};
use chrono::Utc;
use kawaraban_core::desk::StoryFields;
use kawaraban_core::markdown;
use kawaraban_core::model::{Article, CommentMode, Person, Site, Tag};
use kawaraban_core::slug::slugify;

use super::{form, Writer};
use crate::error::{AppError, AppResult};
use crate::members::parse_form;
use crate::state::AppState;

/// The article readers would get from these fields (id 0 when unsaved).
pub async fn article_of(
    state: &AppState,
    site: &Site,
    id: i64,
    f: &StoryFields,
) -> AppResult<Article> {
    let network = state.network.get();
    let section = network.section(site.id, &f.section).ok_or_else(|| {
        AppError::bad_request(format!(
            "Section: \"{}\" is not a section of {}",
            f.section, site.name
        ))
    })?;
    let image = match f.image.as_str() {
        "" => None,
        hash => state.store.image_by_hash(hash).await?,
    };
    let now = Utc::now();
    Ok(Article {
        id,
        site_id: site.id,
        section_id: section.id,
        section_slug: section.slug.clone(),
        section_name: section.name.clone(),
        slug: f.slug.clone(),
        title: f.title.clone(),
        summary: f.summary.clone(),
        dateline: f.dateline.clone(),
        body_html: markdown::render_body(&f.body),
        source: f.source.clone(),
        copyright: f.copyright.clone(),
        published_at: f.publish_at.unwrap_or(now),
        updated_at: None,
        featured: f.featured,
        breaking: f.breaking,
        image,
        image_caption: f.image_caption.clone(),
        image_credit: f.image_credit.clone(),
        image_alt: f.image_alt.clone(),
        authors: f
            .authors
            .iter()
            .map(|n| Person {
                id: 0,
                slug: slugify(n),
                name: n.clone(),
            })
            .collect(),
        tags: f
            .tags
            .iter()
            .map(|n| Tag {
                id: 0,
                slug: slugify(n),
                name: n.clone(),
            })
            .collect(),
        comment_mode: CommentMode::parse(&f.comment_mode).unwrap_or(CommentMode::Open),
        comment_count: 0,
        notes: Vec::new(),
        seo_title: f.seo_title.clone(),
        seo_description: f.seo_description.clone(),
        canonical_url: f.canonical_url.clone(),
    })
}

/// A preview page: the article template, never cached or indexed.
pub async fn page(state: &AppState, site: &Site, article: &Article) -> AppResult<Response> {
    let html = crate::pages::article::render_page(state, site, article, Utc::now(), true).await?;
    Ok((
        [
            (axum::http::header::CACHE_CONTROL, "no-store"),
            (
                axum::http::header::HeaderName::from_static("x-robots-tag"),
                "noindex",
            ),
        ],
        axum::response::Html(html),
    )
        .into_response())
}

pub async fn preview(Writer(v, _viewer): Writer, body: axum::body::Bytes) -> AppResult<Response> {
    let (_, f) = parse_form(&body);
    v.check_csrf(&f)?;
    let fields = form::read(&f, v.site.tz()).map_err(|e| AppError::bad_request(e.message))?;
    let article = article_of(&v.state, &v.site, 0, &fields).await?;
    page(&v.state, &v.site, &article).await
}

/// How long a preview link works.
pub const LINK_HOURS: i64 = 48;

const PURPOSE: &str = "story-preview";

/// A link showing story `id` as it stands, to anyone holding it, until
/// `until`: signed, so it cannot be made for another story or time.
pub fn link(state: &AppState, site: &Site, id: i64, until: chrono::DateTime<Utc>) -> String {
    let t = until.timestamp();
    let sig = state.signer.sign(PURPOSE, &format!("{}:{id}:{t}", site.id));
    site.absolute(&format!("/preview/{id}?until={t}&sig={sig}"))
}

#[derive(serde::Deserialize)]
pub struct LinkQuery {
    #[serde(default)]
    until: i64,
    #[serde(default)]
    sig: String,
}

/// `GET /preview/{id}?until=…&sig=…`: the story for someone without an
/// account. A wrong signature is a plain 404; an expired link says so.
pub async fn shared(
    axum::extract::State(state): axum::extract::State<AppState>,
    crate::http::site::CurrentSite(site): crate::http::site::CurrentSite,
    axum::extract::Path(id): axum::extract::Path<i64>,
    axum::extract::Query(q): axum::extract::Query<LinkQuery>,
) -> AppResult<Response> {
    if !state
        .signer
        .verify(PURPOSE, &format!("{}:{id}:{}", site.id, q.until), &q.sig)
    {
        return Err(AppError::NotFound);
    }
    if q.until < Utc::now().timestamp() {
        return Err(AppError::Forbidden(
            "This preview link has expired: ask the newsroom for a new one.".into(),
        ));
    }
    let story = state
        .store
        .story(id)
        .await?
        .filter(|s| s.site_id == site.id)
        .ok_or(AppError::NotFound)?;
    let article = article_of(&state, &site, id, &story.fields).await?;
    page(&state, &site, &article).await
}
