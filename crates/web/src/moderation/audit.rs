//! `/moderation/audit`: every moderation action, newest first, for admins.

use axum::extract::Query;
use axum::response::Response;
use kawaraban_core::authz::Action;
use minijinja::context;

use super::staff;
use crate::error::{AppError, AppResult};
use crate::members::{field, Fields, Screen, Visit};

const PAGE: u32 = 50;

pub async fn page(v: Visit, Query(q): Query<Fields>) -> AppResult<Response> {
    if let Err(r) = staff(&v, Action::Administer, "/moderation/audit") {
        return Ok(*r);
    }
    let before = match field(&q, "before") {
        "" => None,
        b => Some(
            b.parse::<i64>()
                .map_err(|_| AppError::bad_request("That audit log page link is damaged."))?,
        ),
    };
    let mut entries = v.state.store.audit_log(before, PAGE + 1).await?;
    let more = (entries.len() > PAGE as usize).then(|| {
        entries.truncate(PAGE as usize);
        format!(
            "/moderation/audit?before={}",
            entries.last().map(|e| e.id).unwrap_or(0)
        )
    });
    let tz = v.site.tz();
    let entries: Vec<_> = entries
        .into_iter()
        .map(|e| {
            context! {
                actor => e.actor_name,
                action => e.action,
                target => e.target,
                reason => e.reason,
                at => crate::view::time_view(e.created_at, tz),
            }
        })
        .collect();
    Screen::new(&v.state, &v.site, "moderation/audit.html", "Audit log")
        .render(context! { entries, more })
}
