//! Comments in API v1: a story's comments, replies too, oldest first a
//! page at a time. A content key sees the visible ones of a published
//! story; an admin key of a moderator's role or higher sees every one,
//! with its moderation status, flags and reason. A moderation decision
//! (approve, reject, ban) goes through the moderation desk's own
//! (`moderation::actions::decide`), so the audit log, the author's reply
//! mail, the counts and the page caches follow as they do there.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use kawaraban_core::authz::{Action, Actor};
use kawaraban_core::model::{Comment, Site, StandingStatus};

use super::answer;
use super::json_body::json_body;
use super::keys::{AdminKey, Reader};
use super::paging::{Page, Paging};
use super::problem::Problem;
use crate::error::AppError;
use crate::http::site::CurrentSite;
use crate::members::limits;
use crate::moderation::actions::{decide, Decision, Moderator};
use crate::state::AppState;

/// A comment as the API answers it; what only moderators see is left out
/// for a content key.
#[derive(Serialize)]
struct CommentOut<'a> {
    id: i64,
    story: i64,
    parent_id: Option<i64>,
    /// The author's name now (empty: a former member).
    author: &'a str,
    body_html: &'a str,
    status: &'static str,
    likes: i64,
    dislikes: i64,
    created_at: DateTime<Utc>,
    edited_at: Option<DateTime<Utc>>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    moderation: Option<ModerationOut<'a>>,
}

/// What moderators see of a comment.
#[derive(Serialize)]
struct ModerationOut<'a> {
    member_id: Option<i64>,
    flags: i64,
    spam_score: i64,
    moderation_reason: &'a str,
}

fn shaped(c: &Comment, moderator: bool) -> CommentOut<'_> {
    CommentOut {
        id: c.id,
        story: c.article_id,
        parent_id: c.parent_id,
        author: &c.author_name,
        body_html: &c.body_html,
        status: c.status.as_str(),
        likes: c.likes,
        dislikes: c.dislikes,
        created_at: c.created_at,
        edited_at: c.edited_at,
        moderation: moderator.then_some(ModerationOut {
            member_id: c.member_id,
            flags: c.flags,
            spam_score: c.spam_score,
            moderation_reason: &c.moderation_reason,
        }),
    }
}

/// Whether the reader moderates: an admin key of a moderator's role or
/// higher.
fn moderates(reader: &Reader) -> bool {
    matches!(reader, Reader::Admin(k) if k.may(Action::Moderate).is_ok())
}

/// `GET /api/v1/comments?story=&limit=&after=`.
pub async fn list(
    State(state): State<AppState>,
    reader: Reader,
    CurrentSite(site): CurrentSite,
    RawQuery(query): RawQuery,
) -> Result<Response, Problem> {
    let paging = Paging::of(query.as_deref(), &["story"])?;
    let after = paging.after(|t| t.parse::<i64>().ok())?;
    let Some((_, story)) = paging.rest.iter().find(|(name, _)| name == "story") else {
        return Err(Problem::bad_request(
            Some("story"),
            "story is required: the id of the story whose comments to list",
        ));
    };
    let missing = || Problem::not_found(format!("No story of {} has the id {story:?}.", site.name));
    let id: i64 = story.parse().map_err(|_| missing())?;
    let moderator = moderates(&reader);
    let here = if moderator {
        state
            .store
            .story(id)
            .await?
            .is_some_and(|s| s.site_id == site.id)
    } else {
        state
            .store
            .article_ref(id, Utc::now())
            .await?
            .is_some_and(|a| a.site_id == site.id)
    };
    if !here {
        return Err(missing());
    }
    let rows = state
        .store
        .article_comments(id, moderator, after, paging.fetch())
        .await?;
    let (rows, next) = paging.page(rows, |c| c.id.to_string());
    let items: Vec<_> = rows.iter().map(|c| shaped(c, moderator)).collect();
    Ok(answer(StatusCode::OK, &Page { items, next }))
}

/// A moderation decision's body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionIn {
    /// `approve`, `reject` or `ban` (reject, and ban the author).
    decision: String,
    /// For the audit log (and the author's record); a ban needs one.
    #[serde(default)]
    reason: String,
}

/// The key as a moderator: no member, the key's role.
fn moderator(key: &AdminKey) -> Moderator<'static> {
    Moderator {
        actor: Actor {
            // A key is no member: id 0 is nobody's, so no member is "themselves".
            id: 0,
            role: key.0.role,
            standing: StandingStatus::Active,
            verified: true,
        },
        member: None,
        note: key.note(),
    }
}

/// `POST /api/v1/comments/{id}/moderation`: a decision on a comment of
/// this site, answered with the comment as it then stands.
pub async fn moderate(
    State(state): State<AppState>,
    key: AdminKey,
    CurrentSite(site): CurrentSite,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    key.may(Action::Moderate)?;
    let missing = || Problem::not_found(format!("No comment of {} has the id {id:?}.", site.name));
    let number: i64 = id.parse().map_err(|_| missing())?;
    let input: DecisionIn = json_body(&headers, &body, "a moderation decision")?;
    let decision = Decision::parse(&input.decision)
        .ok_or_else(|| Problem::invalid("decision", "decision is approve, reject or ban"))?;
    let reason: String = input
        .reason
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(500)
        .collect();
    if decision == Decision::Ban && reason.is_empty() {
        return Err(Problem::invalid(
            "reason",
            "a ban needs a reason: it goes in the audit log",
        ));
    }
    limits::hit(&state, limits::MODERATION, &format!("key:{}", key.0.id)).await?;
    match decide(&state, &site, &moderator(&key), number, decision, &reason).await {
        Ok(()) => {}
        Err(AppError::NotFound) => return Err(missing()),
        Err(AppError::BadRequest(m)) => return Err(Problem::new(StatusCode::CONFLICT, m)),
        Err(e) => return Err(e.into()),
    }
    let c = comment_of(&state, &site, number)
        .await?
        .ok_or_else(missing)?;
    Ok(answer(StatusCode::OK, &shaped(&c, true)))
}

/// The comment, if it is of a story of this site.
async fn comment_of(state: &AppState, site: &Site, id: i64) -> Result<Option<Comment>, Problem> {
    let Some(c) = state.store.comment(id).await? else {
        return Ok(None);
    };
    let story = state.store.story(c.article_id).await?;
    Ok(story.is_some_and(|s| s.site_id == site.id).then_some(c))
}
