//! Likes, dislikes and reports: once per member and comment, never on
//! one's own comment, rate-limited per member.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use chrono::Utc;
use kawaraban_core::authz::Action;
use kawaraban_core::model::{ArticleRef, Comment, CommentStatus};
use minijinja::context;

use super::{invalidate, json_answer, refuse, wants_json};
use crate::error::{AppError, AppResult};
use crate::members::{field, limits, see_other, to_login, Fields, Screen, Viewer, Visit};

/// Why this member may not like, dislike or report (`authz::can` with
/// `Action::React`), if they may not.
fn may_not_react(viewer: &Viewer) -> Option<&'static str> {
    if viewer.can(Action::React) {
        None
    } else if !viewer.member.is_verified() {
        Some("Confirm your email address first: follow the link we emailed you, or ask for a new one on your account page.")
    } else {
        Some("Your account is suspended or banned, so you cannot like, dislike or report comments.")
    }
}

/// The reasons a reader may give when reporting a comment.
pub const REASONS: [(&str, &str); 5] = [
    ("spam", "Spam or advertising"),
    ("abuse", "Abusive, hateful or harassing"),
    ("off-topic", "Off topic"),
    ("misinformation", "False or misleading"),
    ("other", "Something else"),
];

/// A visible comment of this site, with its article.
async fn visible(v: &Visit, id: i64) -> AppResult<(Comment, ArticleRef)> {
    let c = v.state.store.comment(id).await?.ok_or(AppError::NotFound)?;
    if c.status != CommentStatus::Visible {
        return Err(AppError::NotFound);
    }
    let article = v
        .state
        .store
        .article_ref(c.article_id, Utc::now())
        .await?
        .filter(|a| a.site_id == v.site.id)
        .ok_or(AppError::NotFound)?;
    Ok((c, article))
}

/// `POST /comments/{id}/vote` with `value` 1 (like) or -1 (dislike).
pub async fn vote(v: Visit, Path(id): Path<i64>, Form(f): Form<Fields>) -> AppResult<Response> {
    let json = wants_json(&v.headers);
    let (c, article) = visible(&v, id).await?;
    let back = format!("{}#c{id}", article.path());
    let Some(viewer) = v.viewer.clone() else {
        return Ok(to_login(&back));
    };
    v.check_csrf(&f)?;
    let value: i64 = match field(&f, "value") {
        "1" => 1,
        "-1" => -1,
        _ => return Err(AppError::bad_request("A vote is 1 (like) or -1 (dislike).")),
    };
    if let Some(why) = may_not_react(&viewer) {
        return refuse(&v, json, StatusCode::FORBIDDEN, why, &back, None);
    }
    if c.member_id == Some(viewer.member.id) {
        return refuse(
            &v,
            json,
            StatusCode::UNPROCESSABLE_ENTITY,
            "You cannot vote on your own comment.",
            &back,
            None,
        );
    }
    limits::hit(&v.state, limits::VOTES, &viewer.member.id.to_string()).await?;
    if !v.state.store.vote(id, viewer.member.id, value).await? {
        return refuse(
            &v,
            json,
            StatusCode::UNPROCESSABLE_ENTITY,
            "You have already voted on this comment.",
            &back,
            None,
        );
    }
    invalidate(&v.state, vec![format!("article:{}", article.id)]).await;
    if json {
        let c = v.state.store.comment(id).await?.ok_or(AppError::NotFound)?;
        return Ok(json_answer(
            StatusCode::OK,
            serde_json::json!({ "id": id, "likes": c.likes, "dislikes": c.dislikes }),
        ));
    }
    Ok(see_other(&back, Vec::new()))
}

/// `GET /comments/{id}/report`: the reasons to choose from.
pub async fn report_form(v: Visit, Path(id): Path<i64>) -> AppResult<Response> {
    let (c, article) = visible(&v, id).await?;
    let Some(viewer) = v.viewer.clone() else {
        return Ok(to_login(&format!("/comments/{id}/report")));
    };
    Screen::new(&v.state, &v.site, "comments/report.html", "Report a comment").render(context! {
        csrf => viewer.csrf.clone(),
        id,
        reasons => REASONS.iter().map(|(k, l)| context! { key => *k, label => *l }).collect::<Vec<_>>(),
        comment => super::view::comment_view(&c, v.site.tz(), &v.state.signer),
        article => context! { title => article.title.clone(), url => article.path() },
    })
}

/// `POST /comments/{id}/report` with `reason` (and optional `details`).
pub async fn report(v: Visit, Path(id): Path<i64>, Form(f): Form<Fields>) -> AppResult<Response> {
    let json = wants_json(&v.headers);
    let (c, article) = visible(&v, id).await?;
    let back = format!("{}#c{id}", article.path());
    let Some(viewer) = v.viewer.clone() else {
        return Ok(to_login(&format!("/comments/{id}/report")));
    };
    v.check_csrf(&f)?;
    let reason = field(&f, "reason");
    let Some((key, _)) = REASONS.iter().find(|(k, _)| *k == reason) else {
        return Err(AppError::bad_request(
            "Choose one of the reasons to report a comment.",
        ));
    };
    let details: String = field(&f, "details")
        .chars()
        .filter(|c| !c.is_control())
        .take(500)
        .collect();
    let reason = if details.trim().is_empty() {
        key.to_string()
    } else {
        format!("{key}: {}", details.trim())
    };
    if let Some(why) = may_not_react(&viewer) {
        return refuse(&v, json, StatusCode::FORBIDDEN, why, &back, None);
    }
    if c.member_id == Some(viewer.member.id) {
        return refuse(
            &v,
            json,
            StatusCode::UNPROCESSABLE_ENTITY,
            "You cannot report your own comment; you can delete it instead.",
            &back,
            None,
        );
    }
    limits::hit(&v.state, limits::REPORTS, &viewer.member.id.to_string()).await?;
    if !v
        .state
        .store
        .flag(id, viewer.member.id, &reason, Utc::now())
        .await?
    {
        return refuse(
            &v,
            json,
            StatusCode::UNPROCESSABLE_ENTITY,
            "You have already reported this comment; a moderator will look at it.",
            &back,
            None,
        );
    }
    if json {
        return Ok(json_answer(
            StatusCode::OK,
            serde_json::json!({ "id": id, "reported": true }),
        ));
    }
    Screen::new(
        &v.state,
        &v.site,
        "account/notice.html",
        "Thanks for your report",
    )
    .render(context! {
        heading => "Thanks for your report",
        message => "A moderator will look at the comment.",
        link => back.clone(),
        link_text => format!("Back to \u{201c}{}\u{201d}", article.title),
    })
}
