//! Interfaces for other software. Ghost's Content API (`ghost_content`),
//! so that Ghost's front ends and clients read a Kawaraban site unchanged,
//! and its Admin API for posts and images (`ghost_admin`), so that Ghost's
//! admin client writes to one; and our own API, `v1`, described by an
//! OpenAPI document at `/api/openapi.json`.
//!
//! API answers are JSON, errors included, in the shape their clients read
//! (`ghost_error`); the router puts these routes outside the page cache and
//! the themed error pages.

mod ghost_admin;
mod ghost_admin_auth;
mod ghost_admin_images;
mod ghost_admin_post_in;
mod ghost_admin_posts;
mod ghost_content;
mod ghost_error;
mod ghost_shape;
mod v1;

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(ghost_content::routes())
        .merge(ghost_admin::routes())
        .merge(v1::routes())
}
