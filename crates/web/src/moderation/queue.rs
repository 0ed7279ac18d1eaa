//! `/moderation`: the queue, one tab at a time, newest first; each card
//! shows the comment, its article, why it is there (the pipeline's reason,
//! readers' reports, the spam score) and the author's recent history.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::Query;
use axum::response::Response;
use kawaraban_core::authz::Action;
use kawaraban_core::model::QueueFilter;
use minijinja::context;
use serde::Serialize;

use super::actions::{decidable, decide, Decision, Moderator};
use super::staff;
use crate::comments::view::{comment_view, CommentView};
use crate::error::{AppError, AppResult};
use crate::members::{field, limits, parse_form, see_other, Fields, Screen, Visit};
use crate::view::TimeView;

const PAGE: u32 = 30;

#[derive(Serialize)]
struct Card {
    comment: CommentView,
    status: &'static str,
    reason: String,
    spam_score: i64,
    flags: i64,
    flag_reasons: Vec<String>,
    article_title: String,
    article_url: String,
    author_standing: &'static str,
    history: Vec<HistoryLine>,
}

#[derive(Serialize)]
struct HistoryLine {
    id: i64,
    status: &'static str,
    excerpt: String,
    created: TimeView,
}

pub async fn page(v: Visit, Query(q): Query<Fields>) -> AppResult<Response> {
    let viewer = match staff(&v, Action::Moderate, "/moderation") {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    let tab = match field(&q, "tab") {
        "" => QueueFilter::Pending,
        t => QueueFilter::parse(t).ok_or_else(|| {
            AppError::bad_request("The queue's tabs are pending, reported, rejected and all.")
        })?,
    };
    let before = match field(&q, "before") {
        "" => None,
        b => Some(
            b.parse::<i64>()
                .map_err(|_| AppError::bad_request("That queue page link is damaged."))?,
        ),
    };
    let tz = v.site.tz();
    let mut items = v
        .state
        .store
        .queue(v.site.id, tab, before, PAGE + 1)
        .await?;
    let more = (items.len() > PAGE as usize).then(|| {
        items.truncate(PAGE as usize);
        format!(
            "/moderation?tab={}&before={}",
            tab.as_str(),
            items.last().map(|i| i.comment.id).unwrap_or(0)
        )
    });
    // Each author's history and standing, fetched once per author.
    let mut histories: HashMap<i64, (Vec<HistoryLine>, &'static str)> = HashMap::new();
    for item in &items {
        let Some(m) = item.comment.member_id else {
            continue;
        };
        if histories.contains_key(&m) {
            continue;
        }
        let lines = v
            .state
            .store
            .member_comments(m, 6)
            .await?
            .into_iter()
            .filter(|c| c.id != item.comment.id)
            .take(5)
            .map(|c| HistoryLine {
                id: c.id,
                status: c.status.as_str(),
                excerpt: c.body_markdown.chars().take(120).collect(),
                created: crate::view::time_view(c.created_at, tz),
            })
            .collect();
        let standing = v.state.store.standing(m).await?.at(chrono::Utc::now());
        histories.insert(m, (lines, standing.as_str()));
    }
    let cards: Vec<Card> = items
        .into_iter()
        .map(|item| {
            let (history, author_standing) = item
                .comment
                .member_id
                .and_then(|m| histories.remove(&m))
                .unwrap_or((Vec::new(), "former member"));
            Card {
                comment: comment_view(&item.comment, tz, &v.state.signer),
                status: item.comment.status.as_str(),
                reason: item.comment.moderation_reason.clone(),
                spam_score: item.comment.spam_score,
                flags: item.comment.flags,
                flag_reasons: item.flag_reasons,
                article_title: item.article_title,
                article_url: item.article_path,
                author_standing,
                history,
            }
        })
        .collect();
    let (pending, reported, rejected) = v.state.store.queue_counts(v.site.id).await?;
    let problem = Problem::from_code(field(&q, "problem")).map(Problem::message);
    let notice = match field(&q, "done") {
        "" => None,
        "1" => Some("1 comment updated.".to_string()),
        n => Some(format!("{n} comments updated.")),
    };
    Screen::new(&v.state, &v.site, "moderation/queue.html", "Moderation").render(context! {
        csrf => viewer.csrf.clone(),
        tab => tab.as_str(),
        tabs => QueueFilter::ALL.iter().map(|t| context! {
            key => t.as_str(),
            count => match t { QueueFilter::Pending => Some(pending), QueueFilter::Reported => Some(reported), QueueFilter::Rejected => Some(rejected), QueueFilter::All => None },
        }).collect::<Vec<_>>(),
        cards,
        more,
        notice,
        problem,
        admin => viewer.can(Action::Administer),
    })
}

/// Most comments one batch decides.
const MOST_AT_ONCE: usize = 200;

/// Why a batch was not done, said on the queue it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Problem {
    NoneTicked,
    TooMany,
    NoBanReason,
}

impl Problem {
    const ALL: [Problem; 3] = [Problem::NoneTicked, Problem::TooMany, Problem::NoBanReason];

    fn code(self) -> &'static str {
        match self {
            Problem::NoneTicked => "none-ticked",
            Problem::TooMany => "too-many",
            Problem::NoBanReason => "ban-reason",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }

    fn message(self) -> &'static str {
        match self {
            Problem::NoneTicked => "Nothing was changed: tick at least one comment first.",
            Problem::TooMany => "Nothing was changed: at most 200 comments at a time.",
            Problem::NoBanReason => {
                "Nothing was changed: give a reason for a ban; it goes in the audit log."
            }
        }
    }
}

/// `POST /moderation`: `act=approve:ID` (a card's button, with its own
/// `reason-ID`) or `act=approve` for every checked `ids` (with `reason`).
pub async fn act(v: Visit, body: Bytes) -> AppResult<Response> {
    let viewer = match staff(&v, Action::Moderate, "/moderation") {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    let (pairs, f) = parse_form(&body);
    v.check_csrf(&f)?;
    let act = field(&f, "act");
    let (name, one) = match act.split_once(':') {
        Some((n, id)) => (
            n,
            Some(
                id.parse::<i64>()
                    .map_err(|_| AppError::bad_request("That action names no comment."))?,
            ),
        ),
        None => (act, None),
    };
    let decision = Decision::parse(name)
        .ok_or_else(|| AppError::bad_request("Choose approve, reject or ban."))?;
    let (ids, reason): (Vec<i64>, String) = match one {
        Some(id) => (
            vec![id],
            field(&f, &format!("reason-{id}")).trim().to_string(),
        ),
        None => (
            crate::members::ids(&pairs, "ids"),
            field(&f, "reason").trim().to_string(),
        ),
    };
    let tab = match field(&f, "tab") {
        t if QueueFilter::parse(t).is_some() => t,
        _ => "pending",
    };
    // A batch that cannot be done goes back to the queue, which says why.
    let problem = if ids.is_empty() {
        Some(Problem::NoneTicked)
    } else if ids.len() > MOST_AT_ONCE {
        Some(Problem::TooMany)
    } else if decision == Decision::Ban && reason.is_empty() {
        Some(Problem::NoBanReason)
    } else {
        None
    };
    if let Some(p) = problem {
        return Ok(see_other(
            &format!("/moderation?tab={tab}&problem={}", p.code()),
            Vec::new(),
        ));
    }
    let reason: String = reason
        .chars()
        .filter(|c| !c.is_control())
        .take(500)
        .collect();
    // All or nothing: one comment out of reach refuses the whole batch.
    let moderator = Moderator::from(&*viewer);
    for id in &ids {
        decidable(&v.state, &v.site, &moderator, *id).await?;
    }
    for id in &ids {
        limits::hit(&v.state, limits::MODERATION, &viewer.member.id.to_string()).await?;
        decide(&v.state, &v.site, &moderator, *id, decision, &reason).await?;
    }
    Ok(see_other(
        &format!("/moderation?tab={tab}&done={}", ids.len()),
        Vec::new(),
    ))
}
