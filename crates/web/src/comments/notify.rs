//! The email a member asked for when somebody replies to their comment.

use kawaraban_core::model::{ArticleRef, Comment, Site};
use minijinja::context;

use crate::members::mail;
use crate::state::AppState;

/// Sends the parent's author a notice of this (now visible) reply, if they
/// asked for one and did not write the reply themselves. Failures are
/// logged: the reply itself stands.
pub async fn reply_visible(state: &AppState, site: &Site, reply: &Comment, article: &ArticleRef) {
    let Some(parent_id) = reply.parent_id else {
        return;
    };
    if let Err(e) = send(state, site, reply, parent_id, article).await {
        tracing::warn!(error = %e, comment = reply.id, "cannot queue a reply notification");
    }
}

async fn send(
    state: &AppState,
    site: &Site,
    reply: &Comment,
    parent_id: i64,
    article: &ArticleRef,
) -> crate::error::AppResult<()> {
    let Some(parent) = state.store.comment(parent_id).await? else {
        return Ok(());
    };
    let Some(author) = parent.member_id else {
        return Ok(());
    };
    if !parent.notify_replies || reply.member_id == Some(author) {
        return Ok(());
    }
    let Some(member) = state.store.member_by_id(author).await? else {
        return Ok(());
    };
    let excerpt: String = reply.body_markdown.chars().take(300).collect();
    mail::send(
        state,
        site,
        "comment_reply",
        &member.email,
        &member.display_name,
        context! {
            replier => reply.author_name.clone(),
            article_title => article.title.clone(),
            excerpt,
            truncated => reply.body_markdown.chars().count() > 300,
            link => site.absolute(&format!("/comments/{}", reply.id)),
        },
    )
    .await
}
