//! Interfaces for other software. Ghost's Content API (`ghost_content`),
//! so that Ghost's front ends and clients read a Kawaraban site unchanged.
//!
//! API answers are JSON, errors included, in the shape their clients read
//! (`ghost_error`); the router puts these routes outside the page cache and
//! the themed error pages.

mod ghost_content;
mod ghost_error;
mod ghost_shape;

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().merge(ghost_content::routes())
}
