//! `/desk/stories/{id}/revisions`: every saved version (who, when, what
//! the save was), the diff between any two, and restoring one (itself a
//! new version, so nothing is lost).

use axum::extract::{Path, Query};
use axum::response::Response;
use kawaraban_core::desk::diff::diff;
use kawaraban_core::desk::Intent;
use minijinja::context;
use serde::Deserialize;

use super::{editor, load, Writer};
use crate::desk::render;
use crate::error::{AppError, AppResult};
use crate::members::parse_form;

/// Versions the history lists.
const KEPT_SHOWN: u32 = 500;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Pair {
    a: Option<i64>,
    b: Option<i64>,
}

pub async fn page(
    Writer(v, viewer): Writer,
    Path(id): Path<i64>,
    Query(p): Query<Pair>,
) -> AppResult<Response> {
    let story = load(&v, &viewer, id).await?;
    let tz = v.site.tz();
    let revs = v.state.store.revisions(id, KEPT_SHOWN).await?;
    // By default: the newest against the one before it.
    let b = p.b.or(revs.first().map(|r| r.version));
    let a = p.a.or(revs.get(1).map(|r| r.version));
    let find = |n: Option<i64>| n.and_then(|n| revs.iter().find(|r| r.version == n));
    let (old, new) = (find(a), find(b));
    if (p.a.is_some() && old.is_none()) || (p.b.is_some() && new.is_none()) {
        return Err(AppError::bad_request(
            "There is no such version of this story.",
        ));
    }
    let changes = match (old, new) {
        (Some(o), Some(n)) => diff(&o.fields, &n.fields),
        _ => Vec::new(),
    };
    let list: Vec<_> = revs
        .iter()
        .map(|r| context! {
            version => r.version,
            who => r.member_name.clone().unwrap_or_else(|| if r.member_id.is_some() { "a former member".into() } else { "import".into() }),
            at => crate::view::time_view(r.created_at, tz).human,
            note => r.note.clone(),
            current => r.version == story.version,
        })
        .collect();
    render(
        &v,
        &viewer,
        "desk/revisions.html",
        &format!("History: {}", story.fields.title),
        "/desk/stories",
        context! {
            story => context! { id, title => story.fields.title.clone(), version => story.version },
            revisions => list, a, b, changes, csrf => viewer.csrf.clone(),
        },
    )
}

/// `POST …/revisions/{version}/restore`: the version's fields saved as a
/// new version, with the story's status unchanged.
pub async fn restore(
    Writer(v, viewer): Writer,
    Path((id, version)): Path<(i64, i64)>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let (_, f) = parse_form(&body);
    v.check_csrf(&f)?;
    let story = load(&v, &viewer, id).await?;
    let rev = v
        .state
        .store
        .revision(id, version)
        .await?
        .ok_or(AppError::NotFound)?;
    editor::write(
        &v,
        &viewer,
        Some(&story),
        rev.fields,
        Intent::Save,
        story.version,
        editor::How::Restored(version),
    )
    .await
}
