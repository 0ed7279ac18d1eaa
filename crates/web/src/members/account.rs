//! `/account`: the member's name, address, password, sessions, their data
//! and the deletion of the account.

use axum::body::Body;
use axum::extract::Query;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Form;
use chrono::Utc;
use kawaraban_core::identity::check_password;
use kawaraban_core::model::{Member, Site};
use minijinja::context;

use super::session::{self, Client, Viewer};
use super::{field, limits, login, notice, see_other, to_login, Fields, Screen, Visit};
use crate::error::AppResult;
use crate::state::AppState;
use crate::view;

pub async fn page(v: Visit, Query(q): Query<Fields>) -> AppResult<Response> {
    let Visit {
        state,
        site,
        viewer,
        ..
    } = v;
    let Some(viewer) = viewer else {
        return Ok(to_login("/account"));
    };
    let notice = match field(&q, "changed") {
        "name" => Some("Your display name is saved."),
        "password" => Some("Your password is changed. Every other session has been signed out."),
        "sessions" => Some("Those sessions are signed out."),
        _ => None,
    };
    render(&state, &site, &viewer, notice, None, StatusCode::OK).await
}

pub(super) async fn render(
    state: &AppState,
    site: &Site,
    viewer: &Viewer,
    notice: Option<&str>,
    error: Option<&str>,
    status: StatusCode,
) -> AppResult<Response> {
    let now = Utc::now();
    let network = state.network.get();
    let tz = site.tz();
    let sessions: Vec<_> = state
        .store
        .sessions_of(viewer.member.id, now)
        .await?
        .into_iter()
        .map(|s| {
            let site_name = network
                .sites
                .iter()
                .find(|x| x.id == s.site_id)
                .map(|x| x.name.clone())
                .unwrap_or_default();
            context! {
                id => s.id_hash,
                current => s.id_hash == viewer.session.id_hash,
                this_sign_in => s.login_id == viewer.session.login_id,
                site => site_name,
                browser => super::browsers::describe(&s.user_agent),
                user_agent => s.user_agent,
                ip => s.ip,
                started => view::time_view(s.created_at, tz),
                last_seen => view::time_view(s.last_seen_at, tz),
            }
        })
        .collect();
    let identities = state.store.identities(viewer.member.id).await?;
    let m = &viewer.member;
    Screen::new(state, site, "account/account.html", "Your account")
        .status(status)
        .render(context! {
            csrf => viewer.csrf.clone(),
            member => context! {
                email => m.email.clone(),
                display_name => m.display_name.clone(),
                verified => m.is_verified(),
                role => m.role.as_str(),
                has_password => m.password_hash.is_some(),
                since => view::time_view(m.created_at, tz),
            },
            identities => identities.iter().map(|i| i.provider.clone()).collect::<Vec<_>>(),
            sessions,
            notice,
            error,
        })
}

pub async fn change_name(v: Visit, Form(f): Form<Fields>) -> AppResult<Response> {
    let viewer = signed_in!(v, f);
    let Visit { state, site, .. } = v;
    match super::names::display_name(&state, Some(viewer.member.id), field(&f, "display_name"))
        .await?
    {
        Ok(name) => {
            state
                .store
                .set_display_name(viewer.member.id, &name, Utc::now())
                .await?;
            Ok(see_other("/account?changed=name", Vec::new()))
        }
        Err(e) => {
            render(
                &state,
                &site,
                &viewer,
                None,
                Some(&e),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

pub(super) const WRONG_PASSWORD: &str = "Your current password is not right.";

/// Whether `given` is the member's current password; a wrong one counts
/// as a failed sign-in (the same limit guards both).
pub(super) async fn password_ok(state: &AppState, m: &Member, given: &str) -> AppResult<bool> {
    limits::check(state, limits::SIGN_IN_FAILURES, &m.email_norm).await?;
    let checked = state
        .passwords
        .check(given, m.password_hash.as_deref())
        .await?;
    if !checked.ok {
        limits::count(state, limits::SIGN_IN_FAILURES, &m.email_norm).await?;
    }
    Ok(checked.ok)
}

pub async fn change_password(v: Visit, Form(f): Form<Fields>) -> AppResult<Response> {
    let viewer = signed_in!(v, f);
    let Visit {
        state,
        site,
        ip,
        headers,
        ..
    } = v;
    let m = &viewer.member;
    if m.password_hash.is_some() && !password_ok(&state, m, field(&f, "current_password")).await? {
        return render(
            &state,
            &site,
            &viewer,
            None,
            Some(WRONG_PASSWORD),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let new = field(&f, "new_password");
    if let Err(e) = check_password(new, &[&m.email, &m.display_name]) {
        return render(
            &state,
            &site,
            &viewer,
            None,
            Some(&e),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let hash = state.passwords.hash(new).await?;
    state
        .store
        .set_password_hash(m.id, &hash, Utc::now())
        .await?;
    // Every session ends, this one too; a fresh one replaces it.
    state.store.delete_sessions_of(m.id, None).await?;
    login::sign_in(
        &state,
        &site,
        m,
        &Client::from_request(&headers, ip),
        "/account?changed=password",
    )
    .await
}

pub async fn end_session(v: Visit, Form(f): Form<Fields>) -> AppResult<Response> {
    let viewer = signed_in!(v, f);
    let Visit { state, site, .. } = v;
    let target = field(&f, "session");
    let now = Utc::now();
    let Some(s) = state
        .store
        .sessions_of(viewer.member.id, now)
        .await?
        .into_iter()
        .find(|s| s.id_hash == target)
    else {
        return Ok(see_other("/account?changed=sessions", Vec::new()));
    };
    // A sign-in spans the network's sites: end all of its sessions.
    state
        .store
        .delete_login(viewer.member.id, &s.login_id)
        .await?;
    if s.login_id == viewer.session.login_id {
        return Ok(see_other("/", vec![session::clear(&site)]));
    }
    Ok(see_other("/account?changed=sessions", Vec::new()))
}

pub async fn end_all_sessions(v: Visit, Form(f): Form<Fields>) -> AppResult<Response> {
    let viewer = signed_in!(v, f);
    let Visit { state, site, .. } = v;
    state
        .store
        .delete_sessions_of(viewer.member.id, None)
        .await?;
    Ok(see_other("/", vec![session::clear(&site)]))
}

/// Everything stored about the member, as JSON.
pub async fn export(v: Visit) -> AppResult<Response> {
    let Visit { state, viewer, .. } = v;
    let Some(viewer) = viewer else {
        return Ok(to_login("/account"));
    };
    let m = &viewer.member;
    let sessions = state.store.sessions_of(m.id, Utc::now()).await?;
    let identities = state.store.identities(m.id).await?;
    let body = serde_json::to_string_pretty(&serde_json::json!({
        "member": m,
        "sign_in_identities": identities,
        "sessions": sessions,
        "exported_at": Utc::now(),
    }))
    .map_err(crate::error::AppError::internal)?;
    let mut resp = Response::new(Body::from(body));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"my-data.json\""),
    );
    Ok(resp)
}

/// Erases the account. Asks for the word DELETE so a slip cannot do it.
pub async fn delete(v: Visit, Form(f): Form<Fields>) -> AppResult<Response> {
    let viewer = signed_in!(v, f);
    let Visit { state, site, .. } = v;
    if field(&f, "confirm").trim() != "DELETE" {
        let e = "Type DELETE in capitals to confirm that the account should be erased.";
        return render(
            &state,
            &site,
            &viewer,
            None,
            Some(e),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let stale = crate::comments::forget_member(&state, viewer.member.id).await?;
    state.store.delete_member(viewer.member.id).await?;
    crate::comments::invalidate(&state, stale).await;
    tracing::info!(member = viewer.member.id, "account deleted by its member");
    let resp = notice(
        &state,
        &site,
        "Your account is deleted",
        "Your account and the personal data kept with it are erased. Thank you for reading.",
    )?;
    let (mut parts, body) = resp.into_parts();
    parts
        .headers
        .append(header::SET_COOKIE, session::clear(&site));
    Ok(Response::from_parts(parts, body))
}
