//! Changing the account's email address. Whoever holds a signed-in browser
//! must not be able to take the account over by changing its address, so:
//!
//! - the change asks for the current password, or, for a member without
//!   one (emailed links, social sign-in), a sign-in in the last
//!   [`FRESH_SIGN_IN`];
//! - the new address takes effect when the link sent to it is followed;
//! - the old address is then told, with a one-time link (valid for
//!   [`UNDO_FOR`]) that puts it back and signs out every session.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use chrono::{Duration, Utc};
use kawaraban_core::identity::parse_email;
use kawaraban_core::model::{Member, Site, TokenKind};
use minijinja::context;

use super::account::{password_ok, render, WRONG_PASSWORD};
use super::links::{confirm_page, dead_link, spend_link};
use super::secrets::{new_token, token_hash};
use super::session::Viewer;
use super::{field, limits, mail, notice, register, Fields, Visit};
use crate::error::AppResult;
use crate::state::AppState;

/// How recent a sign-in must be to change the address without a password.
pub const FRESH_SIGN_IN: Duration = Duration::minutes(15);
/// How long the old address can undo the change.
pub const UNDO_FOR: Duration = Duration::days(7);

/// `POST /account/email` with `email` and `current_password`.
pub async fn change_email(v: Visit, Form(f): Form<Fields>) -> AppResult<Response> {
    let viewer = signed_in!(v, f);
    let Visit { state, site, .. } = v;
    let m = &viewer.member;
    if m.password_hash.is_some() {
        if !password_ok(&state, m, field(&f, "current_password")).await? {
            return refuse(&state, &site, &viewer, WRONG_PASSWORD).await;
        }
    } else if Utc::now() - viewer.session.created_at > FRESH_SIGN_IN {
        return refuse(
            &state,
            &site,
            &viewer,
            "To change your address, sign out and sign in again (with an emailed link or your \
             sign-in provider), then change it within 15 minutes.",
        )
        .await;
    }
    let email = match parse_email(field(&f, "email")) {
        Ok(e) => e,
        Err(e) => return refuse(&state, &site, &viewer, &e).await,
    };
    limits::hit(&state, limits::LINKS_ACCOUNT, &m.email_norm).await?;
    if email.norm != m.email_norm && state.store.member_by_email(&email.norm).await?.is_none() {
        register::send_verification(&state, &site, m, &email.email, "/account").await?;
    }
    notice(
        &state,
        &site,
        "Confirm your new address",
        &format!("If {} can be used, a link is on its way to it. Your address changes when you follow it.", email.email),
    )
}

async fn refuse(state: &AppState, site: &Site, viewer: &Viewer, e: &str) -> AppResult<Response> {
    render(
        state,
        site,
        viewer,
        None,
        Some(e),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// After the new address was confirmed: tells the old one, with a link
/// that undoes the change.
pub async fn tell_old_address(
    state: &AppState,
    site: &Site,
    before: &Member,
    new_address: &str,
) -> AppResult<()> {
    let token = new_token();
    let now = Utc::now();
    let data = serde_json::json!({ "email": before.email, "new": new_address }).to_string();
    state
        .store
        .create_token(
            &token_hash(&token),
            TokenKind::EmailUndo,
            Some(before.id),
            &data,
            now,
            now + UNDO_FOR,
        )
        .await?;
    mail::send(
        state,
        site,
        "email_changed",
        &before.email,
        &before.display_name,
        context! {
            new_address,
            undo_url => site.absolute(&format!("/account/email/undo/{token}")),
            days => UNDO_FOR.num_days(),
        },
    )
    .await
}

/// `GET /account/email/undo/{token}`: one button, so that opening the link
/// changes nothing.
pub async fn undo_form(v: Visit, Path(token): Path<String>) -> AppResult<Response> {
    let live = v
        .state
        .store
        .token_is_live(&token_hash(&token), TokenKind::EmailUndo, Utc::now())
        .await?;
    confirm_page(
        &v.state,
        &v.site,
        &v.headers,
        live,
        "Put my old email address back",
        "Put it back and sign out everywhere",
        &format!("/account/email/undo/{token}"),
    )
}

/// `POST /account/email/undo/{token}`: the old address again, confirmed,
/// and every session of the account signed out.
pub async fn undo(
    v: Visit,
    Path(token): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    v.check_csrf(&f)?;
    let Visit { state, site, .. } = v;
    let now = Utc::now();
    let Some((member, data)) = spend_link(&state, &token, TokenKind::EmailUndo, now).await? else {
        return dead_link(&state, &site);
    };
    let Some(Ok(old)) = data["email"].as_str().map(parse_email) else {
        return dead_link(&state, &site);
    };
    state.store.delete_sessions_of(member.id, None).await?;
    match state
        .store
        .set_email(member.id, &old.email, &old.norm, true, now)
        .await
    {
        Ok(()) => {}
        Err(kawaraban_core::StoreError::Conflict(_)) => {
            return notice(
                &state,
                &site,
                "Address in use",
                "That address now belongs to another account, so it could not be put back. Every session of your account is signed out; sign in with a link to your current address.",
            );
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(
        member = member.id,
        "email change undone from the old address"
    );
    notice(
        &state,
        &site,
        "Your address is back",
        &format!(
            "Your account's address is {} again, and every session is signed out. \
             If you did not ask for the change, choose a new password too.",
            old.email
        ),
    )
}
