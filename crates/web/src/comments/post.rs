//! Posting, replying, editing (15 minutes) and deleting one's own comment.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use chrono::{DateTime, Duration, Utc};
use kawaraban_core::comment_text;
use kawaraban_core::model::{ArticleRef, Comment, CommentStatus, Member, NewComment};
use kawaraban_core::moderation::{self, Facts, Outcome, Verdict};
use minijinja::context;

use super::view::{self, EDIT_WINDOW_SECS};
use super::{article_tags, invalidate, json_answer, notify, refuse, wants_json};
use crate::error::{AppError, AppResult};
use crate::members::session::Viewer;
use crate::members::{field, see_other, slots, to_login, Fields, Screen, Visit};
use crate::state::AppState;

/// Runs the moderation pipeline for a new text (or an edit of `editing`).
async fn pipeline(
    state: &AppState,
    article: &ArticleRef,
    member: &Member,
    raw: &str,
    editing: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<Outcome> {
    let settings = state.store.comment_settings(article.site_id).await?;
    let mode = moderation::mode_at(article.comment_mode, article.published_at, &settings, now);
    let standing = state.store.standing(member.id).await?;
    let (recent, approved) = state
        .store
        .posting_history(member.id, now - Duration::hours(1))
        .await?;
    Ok(moderation::check(
        &settings,
        &Facts {
            raw,
            mode,
            role: member.role,
            standing: &standing,
            recent: &recent,
            approved,
            member_since: member.created_at,
            editing,
            now,
        },
    ))
}

/// A published article of this site, by the id a form carries.
async fn article_of(v: &Visit, id: i64) -> AppResult<ArticleRef> {
    v.state
        .store
        .article_ref(id, Utc::now())
        .await?
        .filter(|a| a.site_id == v.site.id)
        .ok_or(AppError::NotFound)
}

/// An anonymous reader is sent to sign in (the script gets a 401 with
/// where to go).
fn sign_in_first(json: bool, back: &str) -> Response {
    if json {
        let login = format!(
            "/login?{}",
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("next", back)
                .finish()
        );
        return json_answer(
            StatusCode::UNAUTHORIZED,
            serde_json::json!({ "error": "Sign in to take part.", "login": login }),
        );
    }
    to_login(back)
}

/// The member's comment rendered as the page shows it, their tools filled in.
fn rendered(v: &Visit, viewer: &Viewer, c: &Comment, article: &ArticleRef) -> AppResult<String> {
    let cv = view::comment_view(c, v.site.tz(), &v.state.signer);
    let html = v.state.theme.render(
        "comments/one.html",
        context! { c => cv, comments => context! { article_id => article.id, article_path => article.path(), mode => "open" } },
    )?;
    Ok(slots::fill_for(&v.state, &v.site, viewer, &html))
}

/// What the member sees after posting or editing.
fn answer(
    v: &Visit,
    viewer: &Viewer,
    c: &Comment,
    article: &ArticleRef,
    json: bool,
    count: i64,
) -> AppResult<Response> {
    let pending = c.status == CommentStatus::Pending;
    if json {
        return Ok(json_answer(
            StatusCode::OK,
            serde_json::json!({
                "id": c.id,
                "status": c.status,
                "parent": c.parent_id,
                "count": count,
                "html": rendered(v, viewer, c, article)?,
                "message": if pending { "Thanks. Your comment will appear once a moderator has read it." } else { "" },
            }),
        ));
    }
    if pending {
        return Screen::new(
            &v.state,
            &v.site,
            "account/notice.html",
            "Thanks for your comment",
        )
        .render(context! {
            heading => "Thanks for your comment",
            message => "It will appear under the article once a moderator has read it.",
            link => format!("{}#comments", article.path()),
            link_text => format!("Back to \u{201c}{}\u{201d}", article.title),
        });
    }
    Ok(see_other(
        &format!("{}#c{}", article.path(), c.id),
        Vec::new(),
    ))
}

/// The answer to a form whose submit key already stored a comment.
async fn answer_again(
    v: &Visit,
    viewer: &Viewer,
    article: &ArticleRef,
    key: Option<&str>,
    json: bool,
) -> AppResult<Option<Response>> {
    let Some(key) = key else { return Ok(None) };
    let Some(c) = v.state.store.comment_by_key(viewer.member.id, key).await? else {
        return Ok(None);
    };
    let count = v.state.store.comment_count(article.id).await?;
    answer(v, viewer, &c, article, json, count).map(Some)
}

/// `POST /comments`: a new comment or a reply (`parent`).
pub async fn create(v: Visit, Form(f): Form<Fields>) -> AppResult<Response> {
    let json = wants_json(&v.headers);
    let now = Utc::now();
    let id: i64 = field(&f, "article")
        .parse()
        .map_err(|_| AppError::bad_request("The comment form names no article."))?;
    let article = article_of(&v, id).await?;
    let back = format!("{}#comments", article.path());
    let Some(viewer) = v.viewer.clone() else {
        return Ok(sign_in_first(json, &back));
    };
    v.check_csrf(&f)?;
    let body = field(&f, "body");
    let refuse = |status, message: &str| refuse(&v, json, status, message, &back, Some(body));
    if !viewer.member.is_verified() {
        return refuse(
            StatusCode::FORBIDDEN,
            "Confirm your email address before commenting: open the link we sent you.",
        );
    }
    let parent = match field(&f, "parent") {
        "" => None,
        p => {
            let pid: i64 = p
                .parse()
                .map_err(|_| AppError::bad_request("The reply form names no comment."))?;
            match v.state.store.comment(pid).await? {
                Some(c) if c.article_id == article.id && c.status == CommentStatus::Visible => {
                    // One level of replies: answering a reply answers its thread.
                    Some(c.parent_id.unwrap_or(c.id))
                }
                _ => {
                    return refuse(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "The comment you replied to is no longer available.",
                    )
                }
            }
        }
    };
    let key = field(&f, "key");
    let key = (!key.is_empty() && key.len() <= 64).then(|| key.to_string());
    // The same form sent again (a double click, a retry): the first answer.
    if let Some(r) = answer_again(&v, &viewer, &article, key.as_deref(), json).await? {
        return Ok(r);
    }
    let outcome = pipeline(&v.state, &article, &viewer.member, body, None, now).await?;
    let (status, reason) = match outcome.verdict {
        Verdict::Refuse(msg) => {
            // A second copy of a form racing the first is refused as a
            // duplicate once the first is stored: answer with the first.
            if let Some(r) = answer_again(&v, &viewer, &article, key.as_deref(), json).await? {
                return Ok(r);
            }
            return refuse(StatusCode::UNPROCESSABLE_ENTITY, &msg);
        }
        Verdict::Hold(reason) => (CommentStatus::Pending, reason),
        Verdict::Approve => (CommentStatus::Visible, String::new()),
    };
    let (c, created) = v
        .state
        .store
        .post_comment(
            &NewComment {
                article_id: article.id,
                member_id: viewer.member.id,
                parent_id: parent,
                body_html: comment_text::render(&outcome.text),
                body_markdown: outcome.text,
                status,
                spam_score: outcome.spam_score,
                moderation_reason: reason,
                submit_key: key,
                notify_replies: field(&f, "notify") == "1",
            },
            now,
        )
        .await?;
    if created && c.status == CommentStatus::Visible {
        invalidate(&v.state, article_tags(v.site.id, article.id)).await;
        notify::reply_visible(&v.state, &v.site, &c, &article).await;
    }
    if created {
        let data = serde_json::json!({
            "comment": { "id": c.id, "article_id": article.id, "parent_id": c.parent_id, "status": c.status.as_str(),
                "author": viewer.member.display_name, "html": c.body_html },
        });
        crate::webhooks::emit(&v.state, v.site.id, "comment.posted", data).await;
    }
    let count = v.state.store.comment_count(article.id).await?;
    answer(&v, &viewer, &c, &article, json, count)
}

/// The member's own comment, still within its edit window.
async fn own_editable(
    v: &Visit,
    viewer: &Viewer,
    id: i64,
) -> AppResult<Result<(Comment, ArticleRef), &'static str>> {
    let c = v.state.store.comment(id).await?.ok_or(AppError::NotFound)?;
    let article = article_of(v, c.article_id).await?;
    if c.member_id != Some(viewer.member.id)
        || !matches!(c.status, CommentStatus::Visible | CommentStatus::Pending)
    {
        return Err(AppError::NotFound);
    }
    if (Utc::now() - c.created_at).num_seconds() > EDIT_WINDOW_SECS {
        return Ok(Err("Comments can be changed for 15 minutes after posting; this one can no longer be edited."));
    }
    Ok(Ok((c, article)))
}

fn seen_text(c: &Comment) -> String {
    c.edited_at
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true))
        .unwrap_or_default()
}

/// `GET /comments/{id}/edit`
pub async fn edit_form(v: Visit, Path(id): Path<i64>) -> AppResult<Response> {
    let Some(viewer) = v.viewer.clone() else {
        return Ok(to_login(&format!("/comments/{id}/edit")));
    };
    match own_editable(&v, &viewer, id).await? {
        Err(msg) => refuse(
            &v,
            false,
            StatusCode::FORBIDDEN,
            msg,
            &format!("/comments/{id}"),
            None,
        ),
        Ok((c, article)) => {
            Screen::new(&v.state, &v.site, "comments/edit.html", "Edit your comment").render(
                context! {
                    csrf => viewer.csrf.clone(),
                    id,
                    body => c.body_markdown.clone(),
                    seen => seen_text(&c),
                    article => context! { title => article.title.clone(), url => article.path() },
                },
            )
        }
    }
}

/// `POST /comments/{id}/edit`
pub async fn edit(v: Visit, Path(id): Path<i64>, Form(f): Form<Fields>) -> AppResult<Response> {
    let json = wants_json(&v.headers);
    let Some(viewer) = v.viewer.clone() else {
        return Ok(sign_in_first(json, &format!("/comments/{id}/edit")));
    };
    v.check_csrf(&f)?;
    let body = field(&f, "body");
    let back = format!("/comments/{id}/edit");
    let refuse = |status, message: &str| refuse(&v, json, status, message, &back, Some(body));
    let (c, article) = match own_editable(&v, &viewer, id).await? {
        Ok(found) => found,
        Err(msg) => return refuse(StatusCode::FORBIDDEN, msg),
    };
    let now = Utc::now();
    let outcome = pipeline(&v.state, &article, &viewer.member, body, Some(id), now).await?;
    let hold = match outcome.verdict {
        Verdict::Refuse(msg) => return refuse(StatusCode::UNPROCESSABLE_ENTITY, &msg),
        Verdict::Hold(reason) => Some(reason),
        Verdict::Approve => None,
    };
    let seen = match field(&f, "seen") {
        "" => None,
        s => Some(
            DateTime::parse_from_rfc3339(s)
                .map_err(|_| AppError::bad_request("The edit form is damaged; reload it."))?
                .with_timezone(&Utc),
        ),
    };
    let html = comment_text::render(&outcome.text);
    if !v
        .state
        .store
        .edit_comment(id, viewer.member.id, &outcome.text, &html, seen, now)
        .await?
    {
        return refuse(
            StatusCode::CONFLICT,
            "This comment was changed in another window since you opened it; reload to see the latest version.",
        );
    }
    if let (Some(reason), CommentStatus::Visible) = (&hold, c.status) {
        v.state
            .store
            .set_comment_status(id, CommentStatus::Pending, reason)
            .await?;
    }
    invalidate(&v.state, article_tags(v.site.id, article.id)).await;
    let c = v.state.store.comment(id).await?.ok_or(AppError::NotFound)?;
    let count = v.state.store.comment_count(article.id).await?;
    answer(&v, &viewer, &c, &article, json, count)
}

/// `POST /comments/{id}/delete`: the author takes their comment down.
pub async fn delete(v: Visit, Path(id): Path<i64>, Form(f): Form<Fields>) -> AppResult<Response> {
    let json = wants_json(&v.headers);
    let Some(viewer) = v.viewer.clone() else {
        return Ok(sign_in_first(json, &format!("/comments/{id}")));
    };
    v.check_csrf(&f)?;
    let c = v.state.store.comment(id).await?.ok_or(AppError::NotFound)?;
    if c.member_id != Some(viewer.member.id) || c.status == CommentStatus::Deleted {
        return Err(AppError::NotFound);
    }
    let article = article_of(&v, c.article_id).await?;
    v.state
        .store
        .set_comment_status(id, CommentStatus::Deleted, "deleted by its author")
        .await?;
    invalidate(&v.state, article_tags(v.site.id, article.id)).await;
    if json {
        let count = v.state.store.comment_count(article.id).await?;
        return Ok(json_answer(
            StatusCode::OK,
            serde_json::json!({ "id": id, "deleted": true, "count": count }),
        ));
    }
    Ok(see_other(
        &format!("{}#comments", article.path()),
        Vec::new(),
    ))
}
