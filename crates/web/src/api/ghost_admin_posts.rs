//! The Admin API's posts: browse (every status), read (by id or slug),
//! add, edit and delete, each write through the desk's one save
//! (`save_story`), so that the desk's rules, versions, caches and audit
//! log hold for an integration as for an editor.
//!
//! A post's body is HTML, sent with `?source=html` as Ghost's clients do,
//! and kept as the story's body (Markdown passes HTML through, and the
//! render sanitizes it). Ghost has no sections: a new post goes to the
//! section its first tag names, or the site's first; an edited one stays
//! where it is. An edit carries the `updated_at` it was read with, and one
//! made since is refused (409), never overwritten. Nothing is ever
//! deleted: `DELETE` takes a post down.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::json;

use kawaraban_core::desk::{DeskStatus, Intent, StoryFields};
use kawaraban_core::ghost::{self, Filter};
use kawaraban_core::model::{CommentMode, DeskQuery, DeskRow, DeskSort, ListFilter, Site, Story};
use kawaraban_core::paging::PageRequest;
use kawaraban_core::slug::slugify;

use super::ghost_admin::{answer, saved_at, shaped, AdminError, Formats};
use super::ghost_admin_auth::AdminKey;
use super::ghost_admin_post_in::{one_post, PostIn};
use crate::desk::stories::publish::{save_story, Saving};
use crate::error::AppError;
use crate::http::site::CurrentSite;
use crate::state::AppState;

/// The largest post accepted: a story at its longest (500,000 characters)
/// as JSON, with room to spare.
pub const MOST_BYTES: usize = 4 * 1024 * 1024;

pub fn body_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(MOST_BYTES)
}

/// What the posts' requests may say (others are left alone, as Ghost
/// leaves them).
#[derive(Debug, Default, Deserialize)]
pub struct Params {
    limit: Option<String>,
    page: Option<String>,
    filter: Option<String>,
    formats: Option<String>,
    include: Option<String>,
    order: Option<String>,
    source: Option<String>,
}

impl Params {
    fn formats(&self) -> Result<Formats, AdminError> {
        Formats::parse(self.formats.as_deref())
    }

    /// Whether `html` is the body (`?source=html`).
    fn html_source(&self) -> bool {
        self.source.as_deref() == Some("html")
    }
}

/// `GET posts/`: a page of the site's posts of every status, most lately
/// saved first (or `order=published_at desc`), with tags and authors.
pub async fn browse(
    State(state): State<AppState>,
    key: AdminKey,
    CurrentSite(site): CurrentSite,
    Query(q): Query<Params>,
) -> Result<Response, AdminError> {
    key.reads_stories()?;
    let limit = ghost::limit(q.limit.as_deref()).map_err(|m| AdminError::invalid("limit", m))?;
    let page = ghost::page(q.page.as_deref()).map_err(|m| AdminError::invalid("page", m))?;
    let formats = q.formats()?;
    // Tags and authors come with every post of the Admin API.
    ghost::include(q.include.as_deref()).map_err(|m| AdminError::invalid("include", m))?;
    let sort = match q.order.as_deref().map(|o| o.trim().to_ascii_lowercase()) {
        None => DeskSort::Updated,
        Some(o) if o.is_empty() || o == "updated_at desc" => DeskSort::Updated,
        Some(o) if o == "published_at desc" => DeskSort::Published,
        Some(o) => {
            return Err(AdminError::invalid(
                "order",
                format!("order {o:?} is not one we answer: updated_at desc (the default) or published_at desc"),
            ))
        }
    };
    let mut query = DeskQuery {
        site_ids: vec![site.id],
        sort,
        ..Default::default()
    };
    let (ids, total) = match wanted(q.filter.as_deref(), &mut query)? {
        Wanted::Featured => featured(&state, &site, page, limit).await?,
        Wanted::Rows(status) => {
            let skip = u64::from(page - 1) * u64::from(limit);
            let (mut ids, mut total) = (Vec::new(), 0u64);
            each_row(&state, query, |row| {
                if status.is_none_or(|s| s == ghost_status(row_status(row))) {
                    if total >= skip && ids.len() < limit as usize {
                        ids.push(row.id);
                    }
                    total += 1;
                }
                true
            })
            .await?;
            (ids, total)
        }
    };
    let mut posts = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(story) = state.store.story(id).await? {
            posts.push(shaped(&state, &site, &story, formats).await?);
        }
    }
    Ok(answer(
        StatusCode::OK,
        json!({ "posts": posts, "meta": { "pagination": ghost::pagination(page, limit, total) } }),
    ))
}

/// What a browse's `filter` asks for.
enum Wanted {
    /// Rows of the desk's list (narrowed by the query), of this Ghost
    /// status if one is given.
    Rows(Option<&'static str>),
    Featured,
}

/// `filter`: the Content API's forms (`tag:`, `author:`, `featured:true`)
/// and `status:draft|published|scheduled`.
fn wanted(raw: Option<&str>, query: &mut DeskQuery) -> Result<Wanted, AdminError> {
    if let Some(status) = raw.and_then(|r| r.trim().strip_prefix("status:")) {
        return match status.trim().trim_matches('\'') {
            "draft" => Ok(Wanted::Rows(Some("draft"))),
            "published" => Ok(Wanted::Rows(Some("published"))),
            "scheduled" => Ok(Wanted::Rows(Some("scheduled"))),
            other => Err(AdminError::invalid(
                "filter",
                format!("status:{other} is not a status: draft, published or scheduled"),
            )),
        };
    }
    match ghost::filter(raw)
        .map_err(|m| AdminError::invalid("filter", format!("{m}, or status:draft")))?
    {
        Filter::All => {}
        Filter::Tag(slug) => query.tag = Some(slug),
        Filter::Author(slug) => query.author = Some(slug),
        Filter::Featured => return Ok(Wanted::Featured),
    }
    Ok(Wanted::Rows(None))
}

/// The featured posts published or scheduled (the desk's list does not
/// keep the flag, the readers' lists do), newest first.
async fn featured(
    state: &AppState,
    site: &Site,
    page: u32,
    limit: u32,
) -> Result<(Vec<i64>, u64), AdminError> {
    // Far enough ahead that every scheduled story counts as out.
    let ahead = Utc::now() + Duration::days(365 * 100);
    let f = ListFilter::Featured;
    let listed = state
        .store
        .list_articles(site.id, f, PageRequest::new(page, limit), ahead)
        .await?;
    let total = state.store.count_articles(site.id, f, ahead).await?;
    Ok((listed.items.iter().map(|a| a.id).collect(), total))
}

/// Walks the desk's list of `query` whole, a long page at a time, while
/// `keep_going` says so.
async fn each_row(
    state: &AppState,
    mut query: DeskQuery,
    mut keep_going: impl FnMut(&DeskRow) -> bool,
) -> Result<(), AdminError> {
    const PAGE: u32 = 500;
    query.limit = PAGE;
    let now = crate::pages::now();
    loop {
        let rows = state.store.desk_stories(&query, now).await?;
        for row in &rows {
            if !keep_going(row) {
                return Ok(());
            }
        }
        match rows.last() {
            Some(last) if rows.len() == PAGE as usize => {
                query.after = Some((last.sort_time(query.sort), last.id));
            }
            _ => return Ok(()),
        }
    }
}

fn row_status(row: &DeskRow) -> DeskStatus {
    DeskStatus::of(
        row.status,
        &row.workflow,
        row.published_at,
        crate::pages::now(),
    )
}

/// Ghost's word for a desk status: submitted and taken-down stories are
/// drafts to Ghost.
pub fn ghost_status(s: DeskStatus) -> &'static str {
    match s {
        DeskStatus::Published => "published",
        DeskStatus::Scheduled => "scheduled",
        DeskStatus::Draft | DeskStatus::Submitted | DeskStatus::Unpublished => "draft",
    }
}

/// The site's story with the id of a request's path.
async fn story_of(state: &AppState, site: &Site, id: &str) -> Result<Story, AdminError> {
    let missing = || AdminError::not_found("Post not found.");
    let id: i64 = id.parse().map_err(|_| missing())?;
    match state.store.story(id).await? {
        Some(s) if s.site_id == site.id => Ok(s),
        _ => Err(missing()),
    }
}

/// An answer of one post: the story `id` as it now stands.
async fn one(
    state: &AppState,
    site: &Site,
    id: i64,
    status: StatusCode,
    formats: Formats,
) -> Result<Response, AdminError> {
    let story = state.store.story(id).await?.ok_or(AppError::NotFound)?;
    let post = shaped(state, site, &story, formats).await?;
    Ok(answer(status, json!({ "posts": [post] })))
}

/// One save by the key: of `story` from the version it stands at, or of
/// a new one.
async fn save(
    state: &AppState,
    site: &Site,
    key: &AdminKey,
    story: Option<&Story>,
    fields: StoryFields,
    intent: Intent,
) -> Result<Saving, AdminError> {
    let base = story.map_or(0, |s| s.version);
    let note = Some(key.note());
    Ok(save_story(
        state,
        site,
        &key.who(story),
        story,
        fields,
        intent,
        base,
        note,
    )
    .await?)
}

/// `GET posts/{id}/`.
pub async fn read(
    State(state): State<AppState>,
    key: AdminKey,
    CurrentSite(site): CurrentSite,
    Path(id): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, AdminError> {
    let formats = q.formats()?;
    let story = story_of(&state, &site, &id).await?;
    key.reads_story(&story)?;
    one(&state, &site, story.id, StatusCode::OK, formats).await
}

/// `GET posts/slug/{slug}/`, whatever its status.
pub async fn read_by_slug(
    State(state): State<AppState>,
    key: AdminKey,
    CurrentSite(site): CurrentSite,
    Path(slug): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, AdminError> {
    key.reads_stories()?;
    let formats = q.formats()?;
    let query = DeskQuery {
        site_ids: vec![site.id],
        ..Default::default()
    };
    let mut found = None;
    each_row(&state, query, |row| {
        if row.slug == slug {
            found = Some(row.id);
        }
        found.is_none()
    })
    .await?;
    let Some(id) = found else {
        return Err(AdminError::not_found("Post not found."));
    };
    one(&state, &site, id, StatusCode::OK, formats).await
}

/// `POST posts/`: a new story, saved, published or scheduled as its
/// `status` says (a draft when it says nothing).
pub async fn add(
    State(state): State<AppState>,
    key: AdminKey,
    CurrentSite(site): CurrentSite,
    Query(q): Query<Params>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AdminError> {
    let formats = q.formats()?;
    let post = PostIn::read(one_post(body)?)?;
    let mut fields = StoryFields {
        comment_mode: CommentMode::Open.as_str().into(),
        ..Default::default()
    };
    post.apply(&state, &site, &mut fields, q.html_source())
        .await?;
    fields.section = section_for(&state, &site, &fields.tags)?;
    let intent = intent(
        post.status.as_deref(),
        None,
        fields.publish_at,
        crate::pages::now(),
    )?;
    // Without a slug of its own, the post takes its title's, made unique
    // as Ghost makes it (`-2`, `-3` …).
    let auto = fields.slug.is_empty();
    let base = match slugify(&fields.title) {
        s if s.is_empty() => "post".to_string(),
        s => s,
    };
    let mut n = 1;
    let id = loop {
        if auto {
            fields.slug = match n {
                1 => base.clone(),
                n => format!("{base}-{n}"),
            };
        }
        match save(&state, &site, &key, None, fields.clone(), intent).await? {
            Saving::Refused(e, _) if auto && e.field == "slug" && n < 10 => n += 1,
            other => break saved(other)?,
        }
    };
    one(&state, &site, id, StatusCode::CREATED, formats).await
}

/// `PUT posts/{id}/`: what the post says changed, from the version read at
/// its `updated_at`; fields it leaves out stay as they are.
pub async fn edit(
    State(state): State<AppState>,
    key: AdminKey,
    CurrentSite(site): CurrentSite,
    Path(id): Path<String>,
    Query(q): Query<Params>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AdminError> {
    let formats = q.formats()?;
    let story = story_of(&state, &site, &id).await?;
    key.reads_story(&story)?;
    let post = PostIn::read(one_post(body)?)?;
    let Some(read_at) = post.updated_at else {
        return Err(AdminError::invalid(
            "updated_at",
            "updated_at is required: send the post's updated_at as you read it, so that a save made since is not overwritten.",
        ));
    };
    if read_at.timestamp_millis() != saved_at(&story).timestamp_millis() {
        return Err(AdminError::collision());
    }
    let now = crate::pages::now();
    let mut fields = story.fields.clone();
    post.apply(&state, &site, &mut fields, q.html_source())
        .await?;
    let intent = intent(
        post.status.as_deref(),
        Some(story.desk_status(now)),
        fields.publish_at,
        now,
    )?;
    let id = saved(save(&state, &site, &key, Some(&story), fields, intent).await?)?;
    one(&state, &site, id, StatusCode::OK, formats).await
}

/// `DELETE posts/{id}/`: takes a published or scheduled post down (410
/// Gone for readers, its revisions kept); a draft is left as it is.
/// Stories are never deleted.
pub async fn delete(
    State(state): State<AppState>,
    key: AdminKey,
    CurrentSite(site): CurrentSite,
    Path(id): Path<String>,
) -> Result<Response, AdminError> {
    let story = story_of(&state, &site, &id).await?;
    key.reads_story(&story)?;
    if story.desk_status(crate::pages::now()).is_out() {
        let fields = story.fields.clone();
        saved(save(&state, &site, &key, Some(&story), fields, Intent::Unpublish).await?)?;
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    super::ghost_content::api_headers(resp.headers_mut());
    Ok(resp)
}

/// The save's outcome as the Admin API answers it: the story's id, or
/// the refusal in Ghost's terms.
fn saved(saving: Saving) -> Result<i64, AdminError> {
    match saving {
        Saving::Saved { id, .. } => Ok(id),
        Saving::Forbidden(m) => Err(AdminError::no_permission(m)),
        Saving::Refused(e, _) => Err(AdminError::invalid(ghost_field(e.field), e.message)),
        Saving::Stale(_) => Err(AdminError::collision()),
    }
}

/// A story field's name as a Ghost post calls it.
fn ghost_field(field: &str) -> &str {
    match field {
        "summary" => "custom_excerpt",
        "body" => "html",
        "image" => "feature_image",
        "image_alt" => "feature_image_alt",
        "image_caption" => "feature_image_caption",
        "seo_title" => "meta_title",
        "seo_description" => "meta_description",
        "publish_at" => "published_at",
        "section" => "tags",
        other => other,
    }
}

/// What a save asks for, from Ghost's `status` and where the story stands
/// (`None`: a new one).
fn intent(
    status: Option<&str>,
    now_is: Option<DeskStatus>,
    publish_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Intent, AdminError> {
    let out = now_is.is_some_and(DeskStatus::is_out);
    match status {
        None => Ok(Intent::Save),
        Some("draft") if out => Ok(Intent::Draft),
        Some("draft") => Ok(Intent::Save),
        Some("scheduled") if publish_at.is_none_or(|t| t <= now) => Err(AdminError::invalid(
            "published_at",
            "A scheduled post needs a published_at ahead of now.",
        )),
        // Out already: the publish time says whether it is scheduled.
        Some("published" | "scheduled") if out => Ok(Intent::Save),
        Some("published" | "scheduled") => Ok(Intent::Publish),
        Some(other) => Err(AdminError::invalid(
            "status",
            format!("status must be draft, published or scheduled (got {other:?})"),
        )),
    }
}

/// The section of a new post: the one its first tag names (by slug or
/// name), else the site's first.
fn section_for(state: &AppState, site: &Site, tags: &[String]) -> Result<String, AdminError> {
    let network = state.network.get();
    let sections = network.sections(site.id);
    let named = tags.first().and_then(|t| {
        let slug = slugify(t);
        sections
            .iter()
            .find(|s| s.slug == slug || s.name.eq_ignore_ascii_case(t.trim()))
    });
    named
        .or(sections.first())
        .map(|s| s.slug.clone())
        .ok_or_else(|| {
            AdminError::invalid(
                "tags",
                format!("{} has no sections yet: add one before posting", site.name),
            )
        })
}
