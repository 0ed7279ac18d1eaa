//! Comments under articles: reading them (shared, cached pages), and what
//! members do with them (post, reply, edit, delete, vote, report), every
//! new or edited text going through the moderation pipeline
//! (`kawaraban_core::moderation`).
//!
//! Every form works without JavaScript (a full-page answer). The theme's
//! `comments.js` posts the same forms with `Accept: application/json` and
//! gets JSON back instead, so new comments appear in place.

pub mod listing;
pub mod notify;
pub mod post;
pub mod reactions;
pub mod view;

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use minijinja::context;

use crate::error::AppResult;
use crate::members::Screen;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/comments", post(post::create))
        .route("/comments/{id}", get(listing::permalink))
        .route("/comments/{id}/edit", get(post::edit_form).post(post::edit))
        .route("/comments/{id}/delete", post(post::delete))
        .route("/comments/{id}/vote", post(reactions::vote))
        .route(
            "/comments/{id}/report",
            get(reactions::report_form).post(reactions::report),
        )
        .route("/{section}/{slug}/comments", get(listing::page))
}

/// The browser's script asked for JSON rather than a page.
pub fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// Pages with these tags are stale, here and on every other app server.
pub async fn invalidate(state: &AppState, tags: Vec<String>) {
    if let Err(e) = state.store.publish_invalidations(&tags).await {
        tracing::warn!(error = %e, "cannot announce a cache invalidation");
    }
    state
        .apply_invalidations(tags.iter().map(String::as_str))
        .await;
}

/// The tags of the pages that show an article's comments or its count.
pub fn article_tags(site_id: i64, article_id: i64) -> Vec<String> {
    vec![format!("article:{article_id}"), format!("list:{site_id}")]
}

/// A JSON answer for the script; marked so the error layer leaves it be.
pub fn json_answer(status: StatusCode, body: serde_json::Value) -> Response {
    let mut resp = (status, Json(body)).into_response();
    resp.extensions_mut().insert(crate::pages::Themed);
    resp
}

/// What a member is told when something they did was not done: JSON for
/// the script, or a page with the message, a way back, and the text they
/// wrote (kept so that it is not lost).
pub fn refuse(
    v: &crate::members::Visit,
    json: bool,
    status: StatusCode,
    message: &str,
    back: &str,
    text: Option<&str>,
) -> AppResult<Response> {
    if json {
        return Ok(json_answer(status, serde_json::json!({ "error": message })));
    }
    Screen::new(&v.state, &v.site, "comments/refused.html", "Your comment")
        .status(status)
        .render(context! { message, back, text })
}

/// Before an account is erased: its comments are taken down on the sites
/// whose rule says "remove"; elsewhere they stay, signed "former member"
/// (the database unlinks them when the member row goes). Returns the tags
/// of the pages to refresh once the member is gone.
pub async fn forget_member(state: &AppState, member_id: i64) -> AppResult<Vec<String>> {
    let mut tags: Vec<String> = state
        .store
        .member_comments(member_id, 10_000)
        .await?
        .iter()
        .map(|c| format!("article:{}", c.article_id))
        .collect();
    for site in state.network.get().sites.iter() {
        let rule = state.store.comment_settings(site.id).await?.deleted_members;
        if rule == kawaraban_core::model::DeletedMembers::Remove {
            let changed = state.store.remove_comments_of(member_id, site.id).await?;
            if !changed.is_empty() {
                tags.push(format!("list:{}", site.id));
            }
        }
    }
    tags.sort();
    tags.dedup();
    Ok(tags)
}
