//! Ghost's Content API, read-only, on every site: `posts` (a page of them,
//! or one by slug), `pages` (none yet: the site has no static pages),
//! `tags` and `authors` (the site's, or one by slug), and `settings`. Each request carries
//! a content key (`kawaraban api-key add NAME --kind content`) as `?key=`;
//! the parameters are read as `kawaraban_core::ghost` says.

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use kawaraban_core::api_key::{self, KeyKind};
use kawaraban_core::ghost::{self, Filter};
use kawaraban_core::model::ListFilter;
use kawaraban_core::paging::PageRequest;

use super::ghost_error::GhostError;
use super::ghost_shape;
use crate::error::AppError;
use crate::http::site::CurrentSite;
use crate::state::AppState;

const BASE: &str = "/ghost/api/content";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(&format!("{BASE}/posts/"), get(posts))
        .route(&format!("{BASE}/posts/slug/{{slug}}/"), get(post_by_slug))
        .route(&format!("{BASE}/pages/"), get(pages))
        .route(&format!("{BASE}/pages/slug/{{slug}}/"), get(page_by_slug))
        .route(&format!("{BASE}/tags/"), get(tags))
        .route(&format!("{BASE}/tags/slug/{{slug}}/"), get(tag_by_slug))
        .route(&format!("{BASE}/authors/"), get(authors))
        .route(
            &format!("{BASE}/authors/slug/{{slug}}/"),
            get(author_by_slug),
        )
        .route(&format!("{BASE}/settings/"), get(settings))
}

/// What the Content API's requests may say (others are left alone, as
/// Ghost leaves them).
#[derive(Debug, Default, Deserialize)]
pub struct Params {
    limit: Option<String>,
    page: Option<String>,
    include: Option<String>,
    fields: Option<String>,
    filter: Option<String>,
    order: Option<String>,
}

/// The headers of every Content API answer: readable from any origin (Ghost
/// front ends run in browsers), never kept by a shared cache (the key is
/// in the address).
pub fn api_headers(h: &mut HeaderMap) {
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert("content-version", HeaderValue::from_static("v5.0"));
}

fn answer(body: impl serde::Serialize) -> Response {
    let mut resp = axum::Json(body).into_response();
    api_headers(resp.headers_mut());
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=0"),
    );
    resp
}

/// A request carrying a live content key as `?key=`; any other is refused.
pub struct ContentKey;

impl FromRequestParts<AppState> for ContentKey {
    type Rejection = GhostError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, GhostError> {
        let key = parts.uri.query().and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "key")
                .map(|(_, v)| v.into_owned())
        });
        check_key(state, key.as_deref()).await.map(|()| ContentKey)
    }
}

/// Refuses a request without a live content key.
async fn check_key(state: &AppState, key: Option<&str>) -> Result<(), GhostError> {
    live_content_key(state, key)
        .await?
        .map_err(GhostError::unauthorized)
}

/// Whether `key` is a live content key: `Ok(Err(why))` when it is not,
/// in words for the caller. Keys are kept as `members::kept` keeps what it
/// reads: until the next commit (a revocation is one). Shared with our own
/// API (`api::v1`).
pub async fn live_content_key(
    state: &AppState,
    key: Option<&str>,
) -> Result<Result<(), &'static str>, AppError> {
    let Some(key) = key.filter(|k| !k.is_empty()) else {
        return Ok(Err(
            "A content key is needed: add ?key= with a key from `kawaraban api-key add NAME --kind content`.",
        ));
    };
    if !api_key::is_content_key(key) {
        return Ok(Err(
            "Unknown content key: a content key is 26 hexadecimal characters.",
        ));
    }
    let lookup = api_key::content_lookup(key);
    let read = async {
        state
            .store
            .live_api_key(KeyKind::Content, &lookup)
            .await
            .map(|k| k.is_some())
    };
    let live = state
        .kept_api_keys
        .get_or_read(state.store.commit_mark(), lookup.clone(), read)
        .await?;
    Ok(if live {
        Ok(())
    } else {
        Err("Unknown content key: it was never issued here, or it was revoked.")
    })
}

/// A page of posts with its pagination.
#[derive(serde::Serialize)]
struct Posts<'a> {
    posts: Vec<ghost_shape::Shaped<'a>>,
    meta: Meta,
}

#[derive(serde::Serialize)]
struct Meta {
    pagination: ghost::Pagination,
}

async fn posts(
    State(state): State<AppState>,
    _key: ContentKey,
    CurrentSite(site): CurrentSite,
    Query(q): Query<Params>,
) -> Result<Response, GhostError> {
    let limit = ghost::limit(q.limit.as_deref()).map_err(GhostError::validation)?;
    let page = ghost::page(q.page.as_deref()).map_err(GhostError::validation)?;
    let include = ghost::include(q.include.as_deref()).map_err(GhostError::validation)?;
    let fields = ghost::fields(q.fields.as_deref(), ghost_shape::POST_FIELDS)
        .map_err(GhostError::validation)?;
    ghost::order(q.order.as_deref()).map_err(GhostError::validation)?;
    let filter = match ghost::filter(q.filter.as_deref()).map_err(GhostError::validation)? {
        Filter::All => Some(ListFilter::All),
        Filter::Featured => Some(ListFilter::Featured),
        Filter::Tag(slug) => state
            .store
            .tag_by_slug(site.id, &slug)
            .await?
            .map(|t| ListFilter::Tag(t.id)),
        Filter::Author(slug) => state
            .store
            .author_by_slug(&slug)
            .await?
            .map(|a| ListFilter::Author(a.id)),
    };
    let now = Utc::now();
    // An unknown tag or author has no posts, as in Ghost.
    let (articles, total) = match filter {
        None => (Vec::new(), 0),
        Some(f) => {
            let listed = state
                .store
                .list_articles(site.id, f, PageRequest::new(page, limit), now)
                .await?;
            let ids: Vec<i64> = listed.items.iter().map(|a| a.id).collect();
            let total = state.store.count_articles(site.id, f, now).await?;
            (
                state.store.articles_by_ids(site.id, &ids, now).await?,
                total,
            )
        }
    };
    let posts: Vec<_> = articles
        .iter()
        .map(|a| ghost_shape::post(&site, a, include, &fields))
        .collect();
    Ok(answer(Posts {
        posts,
        meta: Meta {
            pagination: ghost::pagination(page, limit, total),
        },
    }))
}

async fn post_by_slug(
    State(state): State<AppState>,
    _key: ContentKey,
    CurrentSite(site): CurrentSite,
    Path(slug): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, GhostError> {
    let include = ghost::include(q.include.as_deref()).map_err(GhostError::validation)?;
    let fields = ghost::fields(q.fields.as_deref(), ghost_shape::POST_FIELDS)
        .map_err(GhostError::validation)?;
    let Some(article) = state
        .store
        .article_by_slug(site.id, &slug, Utc::now())
        .await?
    else {
        return Err(GhostError::not_found(format!(
            "No post has the slug {slug:?}."
        )));
    };
    Ok(answer(json!({
        "posts": [ghost_shape::post(&site, &article, include, &fields)],
    })))
}

/// Static pages: the site has none yet, so the list is empty.
async fn pages(_key: ContentKey, Query(q): Query<Params>) -> Result<Response, GhostError> {
    let limit = ghost::limit(q.limit.as_deref()).map_err(GhostError::validation)?;
    let page = ghost::page(q.page.as_deref()).map_err(GhostError::validation)?;
    Ok(answer(json!({
        "pages": [],
        "meta": { "pagination": ghost::pagination(page, limit, 0) },
    })))
}

async fn page_by_slug(_key: ContentKey, Path(slug): Path<String>) -> Result<Response, GhostError> {
    Err(GhostError::not_found(format!(
        "No page has the slug {slug:?}."
    )))
}

/// One page of `all`, with Ghost's pagination, for the lists kept whole
/// in memory (a site's tags and authors).
fn page_of<T>(all: Vec<T>, q: &Params) -> Result<(Vec<T>, ghost::Pagination), GhostError> {
    let limit = ghost::limit(q.limit.as_deref()).map_err(GhostError::validation)?;
    let page = ghost::page(q.page.as_deref()).map_err(GhostError::validation)?;
    if q.include.as_deref().is_some_and(|i| !i.trim().is_empty()) {
        return Err(GhostError::validation(
            "include is not answered for tags and authors (post counts are not kept)",
        ));
    }
    let total = all.len() as u64;
    let skip = (page as usize - 1) * limit as usize;
    let items = all.into_iter().skip(skip).take(limit as usize).collect();
    Ok((items, ghost::pagination(page, limit, total)))
}

/// The tags of the site's published stories, by name.
async fn tags(
    State(state): State<AppState>,
    _key: ContentKey,
    CurrentSite(site): CurrentSite,
    Query(q): Query<Params>,
) -> Result<Response, GhostError> {
    let all = state.store.site_tags(site.id, Utc::now()).await?;
    let (items, pagination) = page_of(all, &q)?;
    let tags: Vec<_> = items.iter().map(|t| ghost_shape::tag(&site, t)).collect();
    Ok(answer(
        json!({ "tags": tags, "meta": { "pagination": pagination } }),
    ))
}

/// The authors of the site's published stories, by name.
async fn authors(
    State(state): State<AppState>,
    _key: ContentKey,
    CurrentSite(site): CurrentSite,
    Query(q): Query<Params>,
) -> Result<Response, GhostError> {
    let all = state.store.site_authors(site.id, Utc::now()).await?;
    let (items, pagination) = page_of(all, &q)?;
    let authors: Vec<_> = items
        .iter()
        .map(|p| ghost_shape::author(&site, p))
        .collect();
    Ok(answer(
        json!({ "authors": authors, "meta": { "pagination": pagination } }),
    ))
}

async fn tag_by_slug(
    State(state): State<AppState>,
    _key: ContentKey,
    CurrentSite(site): CurrentSite,
    Path(slug): Path<String>,
) -> Result<Response, GhostError> {
    let Some(tag) = state.store.tag_by_slug(site.id, &slug).await? else {
        return Err(GhostError::not_found(format!(
            "No tag has the slug {slug:?}."
        )));
    };
    Ok(answer(json!({ "tags": [ghost_shape::tag(&site, &tag)] })))
}

async fn author_by_slug(
    State(state): State<AppState>,
    _key: ContentKey,
    CurrentSite(site): CurrentSite,
    Path(slug): Path<String>,
) -> Result<Response, GhostError> {
    let Some(author) = state.store.author_by_slug(&slug).await? else {
        return Err(GhostError::not_found(format!(
            "No author has the slug {slug:?}."
        )));
    };
    Ok(answer(
        json!({ "authors": [ghost_shape::author(&site, &author)] }),
    ))
}

async fn settings(
    State(state): State<AppState>,
    _key: ContentKey,
    CurrentSite(site): CurrentSite,
) -> Result<Response, GhostError> {
    let sections: Vec<_> = state
        .store
        .list_sections()
        .await?
        .into_iter()
        .filter(|s| s.site_id == site.id)
        .collect();
    Ok(answer(json!({
        "settings": ghost_shape::settings(&site, &sections),
        "meta": {},
    })))
}
