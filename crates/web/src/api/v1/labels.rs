//! The site's sections (in the site's order), and the tags and authors of
//! its published stories (by name), whole: lists of this length need no
//! pages.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use serde::Serialize;

use super::keys::Reader;
use super::problem::Problem;
use super::{answer, params};
use crate::http::site::CurrentSite;
use crate::state::AppState;

/// One section, tag or author.
#[derive(Serialize)]
struct Label<'a> {
    slug: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct Labels<'a> {
    items: Vec<Label<'a>>,
}

fn labels<'a>(all: impl Iterator<Item = (&'a str, &'a str)>) -> Response {
    let items = all.map(|(slug, name)| Label { slug, name }).collect();
    answer(StatusCode::OK, &Labels { items })
}

/// `GET /api/v1/sections`.
pub async fn sections(
    State(state): State<AppState>,
    _reader: Reader,
    CurrentSite(site): CurrentSite,
    RawQuery(q): RawQuery,
) -> Result<Response, Problem> {
    params(q.as_deref(), &[])?;
    let network = state.network.get();
    let all = network.sections(site.id);
    Ok(labels(
        all.iter().map(|s| (s.slug.as_str(), s.name.as_str())),
    ))
}

/// `GET /api/v1/tags`.
pub async fn tags(
    State(state): State<AppState>,
    _reader: Reader,
    CurrentSite(site): CurrentSite,
    RawQuery(q): RawQuery,
) -> Result<Response, Problem> {
    params(q.as_deref(), &[])?;
    let all = state.store.site_tags(site.id, Utc::now()).await?;
    Ok(labels(
        all.iter().map(|t| (t.slug.as_str(), t.name.as_str())),
    ))
}

/// `GET /api/v1/authors`.
pub async fn authors(
    State(state): State<AppState>,
    _reader: Reader,
    CurrentSite(site): CurrentSite,
    RawQuery(q): RawQuery,
) -> Result<Response, Problem> {
    params(q.as_deref(), &[])?;
    let all = state.store.site_authors(site.id, Utc::now()).await?;
    Ok(labels(
        all.iter().map(|p| (p.slug.as_str(), p.name.as_str())),
    ))
}
