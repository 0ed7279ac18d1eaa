//! Editors open, close or disable the comments of an article (the tools
//! under its comments section, shown to editors).

use axum::response::Response;
use axum::Form;
use chrono::Utc;
use kawaraban_core::authz::Action;
use kawaraban_core::model::CommentMode;

use super::staff;
use crate::comments::{article_tags, invalidate};
use crate::error::{AppError, AppResult};
use crate::members::{field, see_other, Fields, Visit};

/// `POST /moderation/article` with `article` and `mode` (open, closed, disabled).
pub async fn set_mode(v: Visit, Form(f): Form<Fields>) -> AppResult<Response> {
    let viewer = match staff(&v, Action::Edit, "/") {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    v.check_csrf(&f)?;
    let mode = CommentMode::parse(field(&f, "mode"))
        .ok_or_else(|| AppError::bad_request("Comments can be open, closed or disabled."))?;
    let id: i64 = field(&f, "article")
        .parse()
        .map_err(|_| AppError::bad_request("The form names no article."))?;
    let article = v
        .state
        .store
        .article_ref(id, Utc::now())
        .await?
        .filter(|a| a.site_id == v.site.id)
        .ok_or(AppError::NotFound)?;
    v.state.store.set_comment_mode(id, mode).await?;
    v.state
        .store
        .audit(
            Some(&viewer.member),
            "article.comments",
            &format!("article:{id}"),
            mode.as_str(),
            Utc::now(),
        )
        .await?;
    invalidate(&v.state, article_tags(v.site.id, id)).await;
    Ok(see_other(
        &format!("{}#comments", article.path()),
        Vec::new(),
    ))
}
