//! `POST /desk/stories/{id}/notes`: a correction or an update note added
//! to a published story, by those who may publish it.

use axum::extract::Path;
use axum::response::Response;
use kawaraban_core::model::{ArticleNote, NoteKind};

use super::{load_publishable, publish, Writer};
use crate::error::{AppError, AppResult};
use crate::members::{field, parse_form, see_other};

/// The longest note.
const MAX_CHARS: usize = 2000;

pub async fn add(
    Writer(v, viewer): Writer,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let (_, f) = parse_form(&body);
    v.check_csrf(&f)?;
    let (story, status) = load_publishable(&v, &viewer, id).await?;
    let now = crate::pages::now();
    if !status.is_out() {
        return Err(AppError::bad_request(
            "Corrections and updates are for published stories: change a draft itself.",
        ));
    }
    let kind = NoteKind::parse(field(&f, "kind")).ok_or_else(|| {
        AppError::bad_request(format!(
            "kind: \"{}\" is not correction or update",
            field(&f, "kind")
        ))
    })?;
    let text = field(&f, "text").trim();
    if text.is_empty() || text.chars().count() > MAX_CHARS {
        return Err(AppError::bad_request(format!(
            "text: a {} says what changed, in 1 to {MAX_CHARS} characters",
            kind.as_str()
        )));
    }
    let note = ArticleNote {
        kind,
        text: text.to_string(),
        at: now,
    };
    v.state.store.add_note(id, &note, now).await?;
    publish::announce(
        &v.state,
        &v.site,
        id,
        Some(&viewer.member),
        &format!("story.{}", kind.as_str()),
        text,
        now,
    )
    .await?;
    let data = serde_json::json!({
        "story": crate::webhooks::story_data(&v.site, id, &story.fields, status, story.published_at, story.version),
        "note": note,
    });
    crate::webhooks::emit(&v.state, v.site.id, "story.correction", data).await;
    super::circulation::follow_note(&v.state, id, &note, Some(&viewer.member)).await?;
    Ok(see_other(
        &format!("/desk/stories/{id}?noted={}", kind.as_str()),
        Vec::new(),
    ))
}
