//! Kawaraban's own JSON API, version 1, on every site (the Host header
//! picks it): stories (`stories`), sections, tags and authors (`labels`),
//! the media library (`media`), members (`members`, admin keys only) and
//! comments with their moderation (`comments`); read with a content key
//! and written with an admin key (`keys`), lists a page at a time
//! (`paging`), writes as checked JSON (`json_body`) from an ETag
//! (`etag`), errors as RFC 9457 problem details (`problem`). What it answers is described
//! by the OpenAPI 3.1 document served at `/api/openapi.json`
//! (`openapi.json`, written by hand beside this file and checked against
//! real answers in the tests), and in docs/api.md.

mod comments;
mod etag;
mod json_body;
mod keys;
mod labels;
mod media;
mod members;
mod paging;
mod problem;
mod stories;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;

use crate::api::{ghost_admin_images, ghost_admin_posts};
use crate::state::AppState;
use problem::Problem;

/// The OpenAPI document of this API.
const OPENAPI: &str = include_str!("openapi.json");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .route(
            "/api/v1/stories",
            get(stories::list)
                .post(stories::create)
                .layer(ghost_admin_posts::body_limit()),
        )
        .route(
            "/api/v1/stories/{id}",
            get(stories::one)
                .patch(stories::patch)
                .layer(ghost_admin_posts::body_limit()),
        )
        .route("/api/v1/sections", get(labels::sections))
        .route("/api/v1/tags", get(labels::tags))
        .route("/api/v1/authors", get(labels::authors))
        .route(
            "/api/v1/media",
            get(media::list)
                .post(media::upload)
                .layer(ghost_admin_images::body_limit()),
        )
        .route(
            "/api/v1/media/{hash}",
            get(media::one)
                .patch(media::describe)
                .layer(ghost_admin_posts::body_limit()),
        )
        .route("/api/v1/members", get(members::list))
        .route("/api/v1/members/{id}", get(members::one))
        .route("/api/v1/comments", get(comments::list))
        .route(
            "/api/v1/comments/{id}/moderation",
            post(comments::moderate).layer(ghost_admin_posts::body_limit()),
        )
}

async fn openapi() -> Response {
    let mut resp = OPENAPI.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    for_everyone(h, "public, max-age=300");
    resp
}

/// Every answer of the API, errors included: readable from any origin,
/// kept by caches as `cache_control` says.
fn for_everyone(h: &mut HeaderMap, cache_control: &'static str) {
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
}

/// A JSON answer, readable from any origin, never kept by a shared cache
/// (a key may be in the address).
fn answer(status: StatusCode, body: &impl Serialize) -> Response {
    let mut resp = (status, axum::Json(body)).into_response();
    for_everyone(resp.headers_mut(), "private, max-age=0");
    resp
}

/// The query's parameters, `key` aside; one not in `known` is refused
/// (400 naming it), so that a misspelt one is not silently ignored.
fn params(query: Option<&str>, known: &[&str]) -> Result<Vec<(String, String)>, Problem> {
    let mut out = Vec::new();
    for (name, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        if name == "key" {
            continue;
        }
        if !known.contains(&name.as_ref()) {
            let detail = match known {
                [] => format!("{name} is not a parameter here: this list takes none"),
                _ => format!("{name} is not a parameter here: {}", known.join(", ")),
            };
            return Err(Problem::bad_request(Some(&name), detail));
        }
        out.push((name.into_owned(), value.into_owned()));
    }
    Ok(out)
}
