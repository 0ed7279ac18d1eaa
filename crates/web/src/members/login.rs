//! Password sign-in, the start of every session (carried on to the sister
//! sites), the new-browser notice, and sign-out.
//!
//! A wrong password and an unknown address get the same answer, in the same
//! time (the unknown address is checked against a dummy hash).

use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use chrono::Utc;
use kawaraban_core::identity::parse_email;
use kawaraban_core::model::{Member, Site};
use minijinja::context;

use super::session::{self, Client};
use super::{csrf, field, limits, mail, network, safe_next, see_other, Fields, Screen, Visit};
use crate::error::AppResult;
use crate::state::AppState;

pub async fn login_form(v: Visit, Query(q): Query<Fields>) -> AppResult<Response> {
    let Visit {
        state,
        site,
        viewer,
        headers,
        ..
    } = v;
    let next = safe_next(&state, field(&q, "next"));
    if viewer.is_some() {
        return Ok(see_other(&next, Vec::new()));
    }
    render_login(
        &state,
        &site,
        &headers,
        field(&q, "email"),
        &next,
        None,
        StatusCode::OK,
    )
}

fn render_login(
    state: &AppState,
    site: &Site,
    headers: &HeaderMap,
    email: &str,
    next: &str,
    error: Option<&str>,
    status: StatusCode,
) -> AppResult<Response> {
    let (token, cookie) = csrf::anonymous_token(&state.signer, headers, site);
    Screen::new(state, site, "account/login.html", "Sign in")
        .status(status)
        .cookie(cookie)
        .render(context! { csrf => token, email, next, error })
}

pub async fn login(v: Visit, Form(f): Form<Fields>) -> AppResult<Response> {
    v.check_csrf(&f)?;
    let Visit {
        state,
        site,
        ip,
        headers,
        ..
    } = v;
    limits::hit(&state, limits::SIGN_IN_IP, &ip).await?;
    let next = safe_next(&state, field(&f, "next"));
    let raw_email = field(&f, "email");
    let wrong = "That email and password do not match an account. Check them, or sign in with an emailed link.";
    let Ok(email) = parse_email(raw_email) else {
        return render_login(
            &state,
            &site,
            &headers,
            raw_email,
            &next,
            Some(wrong),
            StatusCode::UNAUTHORIZED,
        );
    };
    limits::check(&state, limits::SIGN_IN_FAILURES, &email.norm).await?;
    let member = state.store.member_by_email(&email.norm).await?;
    let stored = member.as_ref().and_then(|m| m.password_hash.as_deref());
    let checked = state.passwords.check(field(&f, "password"), stored).await?;
    let (Some(member), true) = (member, checked.ok) else {
        limits::count(&state, limits::SIGN_IN_FAILURES, &email.norm).await?;
        return render_login(
            &state,
            &site,
            &headers,
            raw_email,
            &next,
            Some(wrong),
            StatusCode::UNAUTHORIZED,
        );
    };
    if checked.rehash {
        let fresh = state.passwords.hash(field(&f, "password")).await?;
        state
            .store
            .set_password_hash(member.id, &fresh, Utc::now())
            .await?;
    }
    sign_in(
        &state,
        &site,
        &member,
        &Client::from_request(&headers, ip),
        &next,
    )
    .await
}

/// Starts a session here and carries the sign-in to the sister sites, then
/// lands on `next`.
pub async fn sign_in(
    state: &AppState,
    site: &Site,
    member: &Member,
    client: &Client,
    next: &str,
) -> AppResult<Response> {
    notice_if_new_browser(state, site, member, client).await?;
    let (session, cookie) = session::start(state, site, member, client, None).await?;
    let landing = if next.starts_with('/') {
        site.absolute(next)
    } else {
        next.to_string()
    };
    let to = network::first_hop(state, site, &session, &landing).await?;
    // The csrf cookie of the anonymous forms is of no further use.
    Ok(see_other(&to, vec![cookie]))
}

/// Tells the member when their account is signed in from a browser none of
/// their live sessions uses, so a stolen password does not go unnoticed.
async fn notice_if_new_browser(
    state: &AppState,
    site: &Site,
    member: &Member,
    client: &Client,
) -> AppResult<()> {
    let sessions = state.store.sessions_of(member.id, Utc::now()).await?;
    if sessions.is_empty() || sessions.iter().any(|s| s.user_agent == client.user_agent) {
        return Ok(());
    }
    let when = crate::view::time_view(Utc::now(), site.tz()).human;
    mail::send(state, site, "new_sign_in", &member.email, &member.display_name, context! {
        when,
        browser => if client.user_agent.is_empty() { "an unknown browser".to_string() } else { client.user_agent.clone() },
        ip => client.ip.clone(),
        account_url => site.absolute("/account"),
        reset_url => site.absolute("/password/forgot"),
    })
    .await
}

/// Ends this sign-in on every site of the network.
pub async fn logout(v: Visit, Form(f): Form<Fields>) -> AppResult<Response> {
    let next = safe_next(&v.state, field(&f, "next"));
    if v.viewer.is_none() {
        return Ok(see_other(&next, vec![session::clear(&v.site)]));
    }
    let viewer = signed_in!(v, f);
    let Visit { state, site, .. } = v;
    state
        .store
        .delete_login(viewer.member.id, &viewer.session.login_id)
        .await?;
    Ok(see_other(&next, vec![session::clear(&site)]))
}
