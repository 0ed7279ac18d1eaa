//! Emailed one-time links: sign-in ("magic") links and password resets,
//! and the one-button pages behind every emailed link, so that mail
//! scanners that open links cannot spend them.
//!
//! Requests for a link end on the same "check your email" page whether or
//! not the address has an account.

use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use chrono::{Duration, Utc};
use kawaraban_core::identity::{check_password, parse_email};
use kawaraban_core::model::{Member, Site, TokenKind};
use kawaraban_core::store::Store;
use kawaraban_core::StoreResult;
use minijinja::context;

use super::login::sign_in;
use super::secrets::{new_token, token_hash};
use super::session::Client;
use super::{csrf, field, limits, mail, notice, safe_next, Fields, Screen, Visit};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub(super) const CHECK_EMAIL: &str = "Check your email";

pub(super) fn check_email_message(email: &str) -> String {
    format!(
        "If {email} can be used here, a message with a link is on its way to it. \
         The link works once and expires soon; look in your spam folder if it does not arrive."
    )
}

/// The page behind an emailed link: one button that POSTs, so that mail
/// scanners opening links cannot spend them.
pub(crate) fn confirm_page(
    state: &AppState,
    site: &Site,
    headers: &HeaderMap,
    live: bool,
    title: &str,
    button: &str,
    action: &str,
) -> AppResult<Response> {
    if !live {
        return dead_link(state, site);
    }
    let (token, cookie) = csrf::anonymous_token(&state.signer, headers, site);
    Screen::new(state, site, "account/confirm.html", title)
        .cookie(cookie)
        .render(context! { csrf => token, heading => title, button, action })
}

pub(crate) fn dead_link(state: &AppState, site: &Site) -> AppResult<Response> {
    Screen::new(state, site, "account/notice.html", "Link expired")
        .status(StatusCode::GONE)
        .render(context! {
            heading => "This link has expired or was already used",
            message => "Links we email work once and for a limited time. You can ask for a new one.",
            link => "/login",
            link_text => "Go to sign in",
        })
}

/// Spends an emailed link's token: its member and the data it carried, or
/// `None` when the link is unknown, used, expired or its member is gone.
pub(super) async fn spend_link(
    state: &AppState,
    token: &str,
    kind: TokenKind,
    now: chrono::DateTime<Utc>,
) -> AppResult<Option<(Member, serde_json::Value)>> {
    let Some(spent) = state
        .store
        .spend_token(&token_hash(token), kind, now)
        .await?
    else {
        return Ok(None);
    };
    let Some(id) = spent.member_id else {
        return Ok(None);
    };
    let data = serde_json::from_str(&spent.data).unwrap_or_default();
    Ok(state.store.member_by_id(id).await?.map(|m| (m, data)))
}

/// Emails a one-time link of `kind` to the member with this address, if
/// there is one; the answer is the same either way.
async fn email_link(
    state: &AppState,
    site: &Site,
    ip: &str,
    raw_email: &str,
    kind: TokenKind,
    next: &str,
) -> AppResult<Response> {
    limits::hit(state, limits::LINKS_IP, ip).await?;
    let email = match parse_email(raw_email) {
        Ok(e) => e,
        Err(e) => return Err(AppError::bad_request(e)),
    };
    limits::hit(state, limits::LINKS_ACCOUNT, &email.norm).await?;
    if let Some(member) = state.store.member_by_email(&email.norm).await? {
        let (ttl, template) = match kind {
            TokenKind::Reset => (Duration::hours(1), "reset"),
            _ => (Duration::minutes(20), "magic_link"),
        };
        let link = create_link(&*state.store, site, member.id, kind, ttl, next).await?;
        mail::send(
            state,
            site,
            template,
            &member.email,
            &member.display_name,
            context! {
                link,
                minutes => ttl.num_minutes(),
            },
        )
        .await?;
    }
    notice(state, site, CHECK_EMAIL, &check_email_message(&email.email))
}

/// Makes a one-time link of `kind` (magic link or reset) for a member,
/// valid for `ttl`, that lands on `next`. Also used by `kawaraban user add`.
pub async fn create_link(
    store: &dyn Store,
    site: &Site,
    member_id: i64,
    kind: TokenKind,
    ttl: Duration,
    next: &str,
) -> StoreResult<String> {
    let token = new_token();
    let now = Utc::now();
    let data = serde_json::json!({ "next": next }).to_string();
    store
        .create_token(
            &token_hash(&token),
            kind,
            Some(member_id),
            &data,
            now,
            now + ttl,
        )
        .await?;
    let path = match kind {
        TokenKind::Reset => format!("/password/reset/{token}"),
        _ => format!("/login/link/{token}"),
    };
    Ok(site.absolute(&path))
}

pub async fn request_link(v: Visit, Form(f): Form<Fields>) -> AppResult<Response> {
    v.check_csrf(&f)?;
    let Visit {
        state, site, ip, ..
    } = v;
    let next = safe_next(&state, field(&f, "next"));
    email_link(
        &state,
        &site,
        &ip,
        field(&f, "email"),
        TokenKind::MagicLink,
        &next,
    )
    .await
}

pub async fn link_confirm(v: Visit, Path(token): Path<String>) -> AppResult<Response> {
    let Visit {
        state,
        site,
        headers,
        ..
    } = v;
    let live = state
        .store
        .token_is_live(&token_hash(&token), TokenKind::MagicLink, Utc::now())
        .await?;
    let title = format!("Sign in to {}", site.name);
    confirm_page(
        &state,
        &site,
        &headers,
        live,
        &title,
        "Sign in",
        &format!("/login/link/{token}"),
    )
}

pub async fn link_sign_in(
    v: Visit,
    Path(token): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    v.check_csrf(&f)?;
    let Visit {
        state,
        site,
        ip,
        headers,
        ..
    } = v;
    let now = Utc::now();
    let Some((member, data)) = spend_link(&state, &token, TokenKind::MagicLink, now).await? else {
        return dead_link(&state, &site);
    };
    // The link reached the mailbox: the address is confirmed.
    state.store.mark_email_verified(member.id, now).await?;
    let next = safe_next(&state, data["next"].as_str().unwrap_or("/"));
    sign_in(
        &state,
        &site,
        &member,
        &Client::from_request(&headers, ip),
        &next,
    )
    .await
}

pub async fn forgot_form(v: Visit, Query(q): Query<Fields>) -> AppResult<Response> {
    let Visit {
        state,
        site,
        headers,
        ..
    } = v;
    let (token, cookie) = csrf::anonymous_token(&state.signer, &headers, &site);
    Screen::new(&state, &site, "account/forgot.html", "Forgot password?")
        .cookie(cookie)
        .render(context! { csrf => token, email => field(&q, "email") })
}

pub async fn forgot(v: Visit, Form(f): Form<Fields>) -> AppResult<Response> {
    v.check_csrf(&f)?;
    let Visit {
        state, site, ip, ..
    } = v;
    email_link(
        &state,
        &site,
        &ip,
        field(&f, "email"),
        TokenKind::Reset,
        "/account",
    )
    .await
}

pub async fn reset_form(v: Visit, Path(token): Path<String>) -> AppResult<Response> {
    let Visit {
        state,
        site,
        headers,
        ..
    } = v;
    if !state
        .store
        .token_is_live(&token_hash(&token), TokenKind::Reset, Utc::now())
        .await?
    {
        return dead_link(&state, &site);
    }
    render_reset(&state, &site, &headers, &token, None, StatusCode::OK)
}

fn render_reset(
    state: &AppState,
    site: &Site,
    headers: &HeaderMap,
    token: &str,
    error: Option<&str>,
    status: StatusCode,
) -> AppResult<Response> {
    let (csrf_token, cookie) = csrf::anonymous_token(&state.signer, headers, site);
    Screen::new(state, site, "account/reset.html", "Choose a new password")
        .status(status)
        .cookie(cookie)
        .render(
            context! { csrf => csrf_token, action => format!("/password/reset/{token}"), error },
        )
}

pub async fn reset(
    v: Visit,
    Path(token): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    v.check_csrf(&f)?;
    let Visit {
        state,
        site,
        ip,
        headers,
        ..
    } = v;
    let password = field(&f, "password");
    if let Err(e) = check_password(password, &[]) {
        return render_reset(
            &state,
            &site,
            &headers,
            &token,
            Some(&e),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let now = Utc::now();
    let Some((member, _data)) = spend_link(&state, &token, TokenKind::Reset, now).await? else {
        return dead_link(&state, &site);
    };
    let hash = state.passwords.hash(password).await?;
    // Spends any other reset link too; then every session ends.
    state.store.set_password_hash(member.id, &hash, now).await?;
    state.store.mark_email_verified(member.id, now).await?;
    state.store.delete_sessions_of(member.id, None).await?;
    sign_in(
        &state,
        &site,
        &member,
        &Client::from_request(&headers, ip),
        "/account?changed=password",
    )
    .await
}
