//! `/desk/stories`: the newsroom's stories. The list (filters, cursor,
//! who is editing), the editor (every field, save, submit, publish,
//! schedule, take down; a second editor's save merged field by field),
//! the revisions (diff, restore) and the preview in the site's own
//! template. The rules are `kawaraban_core::desk`'s; storage is
//! `StoryStore`.

mod circulation;
mod editor;
mod form;
mod list;
mod notes;
pub mod preview;
pub mod publish;
mod revisions;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use kawaraban_core::authz::Action;
use kawaraban_core::model::{Role, Story};

use crate::error::{AppError, AppResult};
use crate::members::{Viewer, Visit};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/desk/stories", get(list::page).post(editor::create))
        .route("/desk/stories/new", get(editor::new_page))
        .route("/desk/stories/preview", post(preview::preview))
        .route("/preview/{id}", get(preview::shared))
        .route(
            "/desk/stories/{id}",
            get(editor::edit_page).post(editor::save),
        )
        .route("/desk/stories/{id}/presence", post(editor::presence))
        .route("/desk/stories/{id}/notes", post(notes::add))
        .route("/desk/stories/{id}/circulate", post(circulation::circulate))
        .route("/desk/stories/{id}/revisions", get(revisions::page))
        .route(
            "/desk/stories/{id}/revisions/{version}/restore",
            post(revisions::restore),
        )
}

/// A request from staff who may write (contributors and above): anyone
/// else gets the sign-in page or a 403 before the handler runs.
pub struct Writer(pub Visit, pub Arc<Viewer>);

impl axum::extract::FromRequestParts<AppState> for Writer {
    type Rejection = axum::response::Response;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (v, viewer) = super::staff_request(parts, state, Action::Write).await?;
        Ok(Writer(v, viewer))
    }
}

/// The viewer's role on the visited site.
pub fn role(viewer: &Viewer) -> Role {
    viewer.actor.role
}

/// Whether the viewer made the story.
pub fn own(viewer: &Viewer, story: &Story) -> bool {
    story.created_by == Some(viewer.member.id)
}

/// A story the viewer may publish (to add notes to it, or show it on a
/// sister site), with its status now.
pub async fn load_publishable(
    v: &Visit,
    viewer: &Viewer,
    id: i64,
) -> AppResult<(Story, kawaraban_core::desk::DeskStatus)> {
    let story = load(v, viewer, id).await?;
    let status = story.desk_status(crate::pages::now());
    kawaraban_core::desk::may(
        role(viewer),
        own(viewer, &story),
        Some(status),
        kawaraban_core::desk::Intent::Publish,
    )
    .map_err(|e| AppError::Forbidden(e.message))?;
    Ok((story, status))
}

/// A story of the visited site that the viewer may see: editors see
/// every one; contributors and authors their own and those out.
pub async fn load(v: &Visit, viewer: &Viewer, id: i64) -> AppResult<Story> {
    let story = v.state.store.story(id).await?.ok_or(AppError::NotFound)?;
    if story.site_id != v.site.id {
        return Err(AppError::NotFound);
    }
    if role(viewer) < Role::Editor && !own(viewer, &story) {
        return Err(AppError::Forbidden(
            "This story is another writer's: only an editor may open it.".into(),
        ));
    }
    Ok(story)
}
