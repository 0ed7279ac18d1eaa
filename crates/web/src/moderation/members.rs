//! `/moderation/members/{id}`: a member's standing and comment history, and
//! the forms that suspend, ban, restore or pre-moderate them.

use axum::extract::{Path, Query};
use axum::response::Response;
use axum::Form;
use chrono::Utc;
use kawaraban_core::authz::Action;
use minijinja::context;

use super::actions::{set_standing, Moderator, StandingChange};
use super::staff;
use crate::error::{AppError, AppResult};
use crate::members::{field, see_other, Fields, Screen, Visit};

pub async fn page(v: Visit, Path(id): Path<i64>, Query(q): Query<Fields>) -> AppResult<Response> {
    let here = format!("/moderation/members/{id}");
    let viewer = match staff(&v, Action::Moderate, &here) {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    let member = v
        .state
        .store
        .member_by_id(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let standing = v.state.store.standing(id).await?;
    let now = Utc::now();
    let tz = v.site.tz();
    let history: Vec<_> = v
        .state
        .store
        .member_comments(id, 50)
        .await?
        .into_iter()
        .map(|c| {
            context! {
                id => c.id,
                status => c.status.as_str(),
                reason => c.moderation_reason.clone(),
                body_html => c.body_html.clone(),
                flags => c.flags,
                created => crate::view::time_view(c.created_at, tz),
            }
        })
        .collect();
    Screen::new(&v.state, &v.site, "moderation/member.html", "Member").render(context! {
        csrf => viewer.csrf.clone(),
        member => context! {
            id => member.id,
            name => member.display_name.clone(),
            role => member.role.as_str(),
            since => crate::view::time_view(member.created_at, tz),
        },
        standing => context! {
            status => standing.at(now).as_str(),
            until => standing.until.map(|u| crate::view::time_view(u, tz)),
            premoderate => standing.premoderate,
            reason => standing.reason.clone(),
        },
        history,
        done => field(&q, "done") == "1",
    })
}

/// `POST /moderation/members/{id}` with `act` suspend (and `days`), ban,
/// restore, premoderate or trust; and a `reason`.
pub async fn act(v: Visit, Path(id): Path<i64>, Form(f): Form<Fields>) -> AppResult<Response> {
    let here = format!("/moderation/members/{id}");
    let viewer = match staff(&v, Action::Moderate, &here) {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    v.check_csrf(&f)?;
    let reason: String = field(&f, "reason")
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(500)
        .collect();
    let change = match field(&f, "act") {
        "suspend" => StandingChange::Suspend {
            days: field(&f, "days")
                .parse()
                .map_err(|_| AppError::bad_request("Give the suspension's length in days."))?,
        },
        "ban" => StandingChange::Ban,
        "restore" => StandingChange::Restore,
        "premoderate" => StandingChange::Premoderate(true),
        "trust" => StandingChange::Premoderate(false),
        _ => {
            return Err(AppError::bad_request(
                "Choose suspend, ban, restore, premoderate or trust.",
            ))
        }
    };
    if matches!(change, StandingChange::Suspend { .. } | StandingChange::Ban) && reason.is_empty() {
        return Err(AppError::bad_request(
            "Give a reason; it goes in the audit log and is shown to the member.",
        ));
    }
    set_standing(
        &v.state,
        &Moderator::from(&*viewer),
        id,
        change,
        &reason,
        Utc::now(),
    )
    .await?;
    Ok(see_other(&format!("{here}?done=1"), Vec::new()))
}
