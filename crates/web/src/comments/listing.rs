//! Reading comments: the first page under the article, the "load more"
//! pages (`/{section}/{slug}/comments`), and permalinks (`/comments/{id}`).

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono_tz::Tz;
use kawaraban_core::model::{
    Article, CommentCursor, CommentMode, CommentSort, CommentStatus, Site,
};
use kawaraban_core::moderation;
use minijinja::context;
use serde::Serialize;

use super::view::{self, CommentView, PAGE};
use crate::error::{AppError, AppResult};
use crate::http::site::CurrentSite;
use crate::pages::{now, Page, Params, ARTICLE_TTL};
use crate::state::AppState;
use crate::view::{self as page_view, Meta};

/// What the comments section of a page shows.
#[derive(Serialize)]
pub struct Section {
    pub article_id: i64,
    pub article_path: String,
    /// `open`, `closed` or `disabled`, with auto-closing applied.
    pub mode: &'static str,
    pub count: i64,
    pub sort: &'static str,
    pub comments: Vec<CommentView>,
    /// The next page, if there is one.
    pub more: Option<String>,
    /// This is not the first page.
    pub continued: bool,
}

/// The effective comment mode of an article for its site's rules, as
/// pages show it (the rules of the network snapshot).
pub fn mode_of(
    state: &AppState,
    site_id: i64,
    mode: CommentMode,
    published: chrono::DateTime<chrono::Utc>,
) -> CommentMode {
    if mode != CommentMode::Open {
        return mode;
    }
    let settings = state.network.get().comment_rules(site_id);
    moderation::mode_at(mode, published, &settings, now())
}

/// One page of an article's comments.
pub async fn section(
    state: &AppState,
    article: &Article,
    sort: CommentSort,
    after: Option<CommentCursor>,
    tz: Tz,
) -> AppResult<Section> {
    let mode = mode_of(
        state,
        article.site_id,
        article.comment_mode,
        article.published_at,
    );
    let path = article.path();
    let mut s = Section {
        article_id: article.id,
        article_path: path.clone(),
        mode: mode.as_str(),
        count: article.comment_count,
        sort: view::sort_name(sort),
        comments: Vec::new(),
        more: None,
        continued: after.is_some(),
    };
    if mode == CommentMode::Disabled || (article.comment_count == 0 && after.is_none()) {
        return Ok(s);
    }
    let mut tops = state
        .store
        .top_comments(article.id, sort, after, PAGE + 1)
        .await?;
    if tops.len() > PAGE as usize {
        tops.truncate(PAGE as usize);
        if let Some(last) = tops.last() {
            s.more = Some(format!(
                "{path}/comments?sort={}&after={}",
                s.sort,
                view::cursor_after(last, sort)
            ));
        }
    }
    let ids: Vec<i64> = tops.iter().map(|c| c.id).collect();
    let replies = state.store.replies(&ids).await?;
    s.comments = view::threads(&tops, &replies, tz, &state.signer);
    Ok(s)
}

/// `/{section}/{slug}/comments?sort=…&after=…` (and `from=ID`, where a
/// permalink lands): a page of comments, shared by every reader.
pub async fn page(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    Path((section_slug, slug)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let q = Params::parse(query.as_deref());
    let sort = view::parse_sort(q.get("sort")).ok_or_else(|| {
        AppError::bad_request("Comments can be sorted by newest, oldest or liked.")
    })?;
    let after = match (q.get("after"), q.get("from")) {
        (Some(a), _) => Some(
            view::parse_cursor(a)
                .ok_or_else(|| AppError::bad_request("That comments page link is damaged."))?,
        ),
        (None, Some(f)) => {
            let id: i64 = f
                .parse()
                .map_err(|_| AppError::bad_request("That comment link is damaged."))?;
            Some(CommentCursor { key: 0, id: id - 1 })
        }
        (None, None) => None,
    };
    if after.is_some() && sort == CommentSort::MostLiked && q.get("from").is_some() {
        return Err(AppError::bad_request("That comment link is damaged."));
    }
    let article = state
        .store
        .article_by_slug(site.id, &slug, now())
        .await?
        .filter(|a| a.section_slug == section_slug)
        .ok_or(AppError::NotFound)?;
    let tz = site.tz();
    let comments = section(&state, &article, sort, after, tz).await?;
    let html = render_page(&state, &site, &article, comments)?;
    Ok(Page::html(html, vec![format!("article:{}", article.id)], ARTICLE_TTL).into_response())
}

fn render_page(
    state: &AppState,
    site: &Site,
    article: &Article,
    comments: Section,
) -> AppResult<String> {
    let network = state.network.get();
    let chrome = page_view::chrome(&network, site, Some(&article.section_slug), now());
    let meta = Meta {
        title: format!("Comments: {}", article.title),
        canonical: site.absolute(&format!("{}/comments", article.path())),
        noindex: true,
        ..Default::default()
    };
    Ok(state.theme.render(
        "comments/page.html",
        context! {
            chrome, meta, comments,
            article => context! { title => article.title.clone(), url => article.path() },
            providers => state.providers_view(),
        },
    )?)
}

/// `/comments/{id}`: opens the comments at this one (its thread, for a reply).
pub async fn permalink(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let c = state.store.comment(id).await?.ok_or(AppError::NotFound)?;
    if !matches!(c.status, CommentStatus::Visible | CommentStatus::Deleted) {
        return Err(AppError::NotFound);
    }
    let article = state
        .store
        .article_ref(c.article_id, now())
        .await?
        .filter(|a| a.site_id == site.id)
        .ok_or(AppError::NotFound)?;
    let top = c.parent_id.unwrap_or(c.id);
    let to = format!("{}/comments?sort=oldest&from={top}#c{id}", article.path());
    let mut resp = StatusCode::FOUND.into_response();
    resp.headers_mut().insert(
        header::LOCATION,
        HeaderValue::from_str(&to).map_err(AppError::internal)?,
    );
    Ok(resp)
}
