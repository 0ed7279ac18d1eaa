//! Stories in API v1: the site's published stories, newest first, a page
//! at a time from an opaque cursor (the last story's publish time and id,
//! so that stories published between two pages neither repeat nor push
//! others off); one story with its version as ETag (`If-None-Match` gives
//! 304); and writes with an admin key through the desk's one save
//! (`save_story`), an edit carrying the version it was made from as
//! `If-Match` (412 when the story moved on, 428 without it).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use kawaraban_core::desk::{DeskStatus, Intent, StoryFields};
use kawaraban_core::model::{CommentMode, DeskQuery, DeskSort, Site, Story};
use kawaraban_core::slug::slugify;

use super::json_body::json_body;
use super::keys::{AdminKey, Reader};
use super::paging::{Page, Paging};
use super::problem::Problem;
use super::{answer, etag};
use crate::desk::stories::publish::{save_story, Saving};
use crate::http::site::CurrentSite;
use crate::state::AppState;

/// A story as the API answers it: where it stands, and its fields as the
/// desk edits them.
#[derive(Serialize)]
struct StoryOut<'a> {
    id: i64,
    version: i64,
    status: &'static str,
    /// When it went (or goes) out; none for a story never out.
    published_at: Option<DateTime<Utc>>,
    updated_at: Option<DateTime<Utc>>,
    modified_at: DateTime<Utc>,
    #[serde(flatten)]
    fields: &'a StoryFields,
}

fn shaped(story: &Story, now: DateTime<Utc>) -> StoryOut<'_> {
    let status = story.desk_status(now);
    StoryOut {
        id: story.id,
        version: story.version,
        status: status.as_str(),
        published_at: (status != DeskStatus::Draft && status != DeskStatus::Submitted)
            .then_some(story.published_at),
        updated_at: story.updated_at,
        modified_at: story.modified_at,
        fields: &story.fields,
    }
}

/// A story's opaque tag: its version.
fn tag_of(version: i64) -> String {
    format!("v{version}")
}

/// A story answered with its ETag.
fn with_etag(status: StatusCode, story: &Story) -> Response {
    let mut resp = answer(status, &shaped(story, crate::pages::now()));
    resp.headers_mut()
        .insert(header::ETAG, etag::quoted(&tag_of(story.version)));
    resp
}

/// A story's cursor: its publish time and id.
fn cursor_of(time: DateTime<Utc>, id: i64) -> String {
    format!("{}|{id}", time.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

fn read_cursor(text: &str) -> Option<(DateTime<Utc>, i64)> {
    let (time, id) = text.split_once('|')?;
    Some((
        DateTime::parse_from_rfc3339(time).ok()?.with_timezone(&Utc),
        id.parse().ok()?,
    ))
}

/// `GET /api/v1/stories?limit=&after=`: published stories, newest first.
pub async fn list(
    State(state): State<AppState>,
    _reader: Reader,
    CurrentSite(site): CurrentSite,
    RawQuery(query): RawQuery,
) -> Result<Response, Problem> {
    let paging = Paging::of(query.as_deref(), &[])?;
    let after = paging.after(read_cursor)?;
    let now = crate::pages::now();
    let q = DeskQuery {
        site_ids: vec![site.id],
        status: Some(DeskStatus::Published),
        sort: DeskSort::Published,
        after,
        limit: paging.fetch(),
        ..Default::default()
    };
    let rows = state.store.desk_stories(&q, now).await?;
    let (rows, next) = paging.page(rows, |r| cursor_of(r.published_at, r.id));
    let mut stories = Vec::with_capacity(rows.len());
    for row in &rows {
        if let Some(s) = state.store.story(row.id).await? {
            stories.push(s);
        }
    }
    let items: Vec<_> = stories.iter().map(|s| shaped(s, now)).collect();
    Ok(answer(StatusCode::OK, &Page { items, next }))
}

fn missing(site: &Site, id: &str) -> Problem {
    Problem::not_found(format!("No story of {} has the id {id:?}.", site.name))
}

/// The site's story with the id of a request's path.
async fn story_of(state: &AppState, site: &Site, id: &str) -> Result<Story, Problem> {
    let missing = || missing(site, id);
    let id: i64 = id.parse().map_err(|_| missing())?;
    match state.store.story(id).await? {
        Some(s) if s.site_id == site.id => Ok(s),
        _ => Err(missing()),
    }
}

/// `GET /api/v1/stories/{id}`: a published story (any, for an editor's
/// admin key), 304 when `If-None-Match` names its version.
pub async fn one(
    State(state): State<AppState>,
    reader: Reader,
    CurrentSite(site): CurrentSite,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let story = story_of(&state, &site, &id).await?;
    match story.desk_status(crate::pages::now()) {
        DeskStatus::Published => {}
        _ if reader.sees_every_status() => {}
        DeskStatus::Unpublished => return Err(crate::error::AppError::Gone.into()),
        _ => return Err(missing(&site, &id)),
    }
    let unchanged = etag::none_match(&headers, &tag_of(story.version));
    if unchanged {
        let mut resp = StatusCode::NOT_MODIFIED.into_response();
        resp.headers_mut()
            .insert(header::ETAG, etag::quoted(&tag_of(story.version)));
        return Ok(resp);
    }
    Ok(with_etag(StatusCode::OK, &story))
}

/// Where a write asks the story to stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Wanted {
    Draft,
    /// Out now, or at `publish_at` if it is ahead (scheduled).
    Published,
    /// Taken down: 410 Gone for readers, its revisions kept.
    Unpublished,
}

/// A field given, even as `null` (which clears a time).
fn given<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

macro_rules! story_in {
    ($( $name:ident : $ty:ty, )*) => {
        /// A write's body: any of the desk's fields (those left out stay as
        /// they are, or empty for a new story) and where the story should
        /// stand. Nothing else is accepted.
        #[derive(Debug, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct StoryIn {
            $( #[serde(default, deserialize_with = "given")] $name: Option<$ty>, )*
            #[serde(default)]
            status: Option<Wanted>,
        }

        impl StoryIn {
            fn apply(self, fields: &mut StoryFields) {
                $( if let Some(v) = self.$name { fields.$name = v; } )*
            }
        }
    };
}

story_in! {
    title: String,
    slug: String,
    summary: String,
    section: String,
    tags: Vec<String>,
    authors: Vec<String>,
    dateline: String,
    source: String,
    copyright: String,
    body: String,
    image: String,
    image_caption: String,
    image_credit: String,
    image_alt: String,
    breaking: bool,
    featured: bool,
    seo_title: String,
    seo_description: String,
    canonical_url: String,
    comment_mode: String,
    publish_at: Option<DateTime<Utc>>,
    embargo_until: Option<DateTime<Utc>>,
}

/// What a save asks for, from the wanted status and where the story
/// stands (`None`: a new one).
fn intent(wanted: Option<Wanted>, now_is: Option<DeskStatus>) -> Intent {
    let out = now_is.is_some_and(DeskStatus::is_out);
    match wanted {
        None => Intent::Save,
        Some(Wanted::Draft) if out || now_is == Some(DeskStatus::Unpublished) => Intent::Draft,
        Some(Wanted::Draft) => Intent::Save,
        Some(Wanted::Published) if out => Intent::Save,
        Some(Wanted::Published) => Intent::Publish,
        Some(Wanted::Unpublished) if now_is == Some(DeskStatus::Unpublished) => Intent::Save,
        Some(Wanted::Unpublished) => Intent::Unpublish,
    }
}

/// One save by the key, answered as the story it left, or as the problem.
async fn save(
    state: &AppState,
    site: &Site,
    key: &AdminKey,
    story: Option<&Story>,
    fields: StoryFields,
    intent: Intent,
    created: bool,
) -> Result<Response, Problem> {
    let base = story.map_or(0, |s| s.version);
    let note = Some(key.note());
    let id = match save_story(
        state,
        site,
        &key.who(story),
        story,
        fields,
        intent,
        base,
        note,
    )
    .await?
    {
        Saving::Saved { id, .. } => id,
        Saving::Forbidden(m) => return Err(Problem::forbidden(m)),
        Saving::Refused(e, _) => return Err(Problem::invalid(e.field, e.message)),
        Saving::Stale(_) => {
            let id = story.map_or(0, |s| s.id);
            let now = state.store.story(id).await?.map_or(base, |s| s.version);
            return Err(Problem::stale(now));
        }
    };
    let saved = state
        .store
        .story(id)
        .await?
        .ok_or(crate::error::AppError::NotFound)?;
    let mut resp = with_etag(
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        &saved,
    );
    if created {
        let location = HeaderValue::from_str(&format!("/api/v1/stories/{id}"))
            .expect("digits are a header value");
        resp.headers_mut().insert(header::LOCATION, location);
    }
    Ok(resp)
}

/// `POST /api/v1/stories`: a new story, a draft unless `status` says,
/// its slug its headline's unless it has one.
pub async fn create(
    State(state): State<AppState>,
    key: AdminKey,
    CurrentSite(site): CurrentSite,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    let input = json_body::<StoryIn>(&headers, &body, "a story's fields")?;
    let mut fields = StoryFields {
        comment_mode: CommentMode::Open.as_str().into(),
        ..Default::default()
    };
    let intent = intent(input.status, None);
    input.apply(&mut fields);
    // Without a slug of its own, the story takes its headline's.
    if fields.slug.is_empty() {
        fields.slug = slugify(&fields.title);
    }
    save(&state, &site, &key, None, fields, intent, true).await
}

/// `PATCH /api/v1/stories/{id}`: the fields the body gives, from the
/// version `If-Match` names.
pub async fn patch(
    State(state): State<AppState>,
    key: AdminKey,
    CurrentSite(site): CurrentSite,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    let story = story_of(&state, &site, &id).await?;
    etag::must_match(&headers, &tag_of(story.version), || {
        Problem::stale(story.version)
    })?;
    let input = json_body::<StoryIn>(&headers, &body, "a story's fields")?;
    let intent = intent(input.status, Some(story.desk_status(crate::pages::now())));
    let mut fields = story.fields.clone();
    input.apply(&mut fields);
    save(&state, &site, &key, Some(&story), fields, intent, false).await
}
