//! The moderators' side: the queue (pending, reported, rejected, all) with
//! per-card and bulk actions, members' standing and history, articles'
//! comment modes, and the audit log every action is written to.
//!
//! Pages here are per reader (never cached) and need a staff role
//! (`kawaraban_core::authz`).

pub mod actions;
pub mod articles;
pub mod audit;
pub mod members;
pub mod queue;

use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use kawaraban_core::authz::Action;

use crate::error::AppError;
use crate::members::{to_login, Viewer, Visit};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/moderation", get(queue::page).post(queue::act))
        .route(
            "/moderation/members/{id}",
            get(members::page).post(members::act),
        )
        .route("/moderation/audit", get(audit::page))
        .route("/moderation/article", post(articles::set_mode))
}

/// The signed-in member if they may do `action`; otherwise the answer to
/// give (sign in first, or 403).
pub fn staff(v: &Visit, action: Action, here: &str) -> Result<Arc<Viewer>, Box<Response>> {
    match &v.viewer {
        None => Err(Box::new(to_login(here))),
        Some(viewer) if viewer.can(action) => Ok(viewer.clone()),
        Some(_) => {
            let no = AppError::Forbidden("This page is for the site's moderators.".into());
            Err(Box::new(no.into_response()))
        }
    }
}
