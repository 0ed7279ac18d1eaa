//! `/newsletters`: choose lists and give an address; nothing is sent until
//! the emailed link is confirmed (its GET shows a button, its POST
//! confirms, so that mail scanners cannot subscribe anyone).

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use chrono::{Duration, Utc};
use kawaraban_core::identity::parse_email;
use kawaraban_core::model::{MailingList, Site, TokenKind};
use minijinja::context;

use super::link_key;
use crate::error::{AppError, AppResult};
use crate::members::links::{confirm_page as button_page, dead_link};
use crate::members::secrets::{new_token, token_hash};
use crate::members::{csrf, limits, mail, see_other, Screen, Visit};
use crate::state::AppState;

/// How long a confirmation link works.
const CONFIRM_TTL_DAYS: i64 = 7;

/// The page, with `chosen` lists ticked and `email` filled in.
async fn render(
    v: &Visit,
    email: &str,
    chosen: &[i64],
    error: Option<&str>,
    status: StatusCode,
) -> AppResult<Response> {
    let lists = v.state.store.lists(v.site.id).await?;
    let (token, cookie) = match &v.viewer {
        Some(viewer) => (viewer.csrf.clone(), None),
        None => csrf::anonymous_token(&v.state.signer, &v.headers, &v.site),
    };
    let member_email = v.viewer.as_ref().map(|m| m.member.email.clone());
    let manage = match &v.viewer {
        Some(viewer) => v
            .state
            .store
            .subscriber_by_email(v.site.id, &viewer.member.email_norm)
            .await?
            .filter(|s| !s.lists.is_empty())
            .map(|s| format!("/newsletters/manage/{}", link_key(&v.state, s.id))),
        None => None,
    };
    Screen::new(&v.state, &v.site, "newsletters/signup.html", "Newsletters")
        .status(status)
        .cookie(cookie)
        .render(context! {
            csrf => token,
            lists => lists.iter().map(|l| context! {
                id => l.id, name => l.name.clone(), description => l.description.clone(),
                kind => l.kind.as_str(), checked => chosen.contains(&l.id),
            }).collect::<Vec<_>>(),
            email => if email.is_empty() { member_email.unwrap_or_default() } else { email.to_string() },
            error,
            manage,
        })
}

pub async fn page(v: Visit) -> AppResult<Response> {
    render(&v, "", &[], None, StatusCode::OK).await
}

/// The lists named by a form, all of this site.
fn chosen(lists: &[MailingList], pairs: &[(String, String)]) -> Vec<i64> {
    let mut ids = crate::members::ids(pairs, "list");
    ids.retain(|id| lists.iter().any(|l| l.id == *id));
    ids
}

/// `POST /newsletters`: `email` and one or more `list`. A form placed on a
/// shared (cached) page carries no token: it gets the page back, filled in,
/// to confirm from there.
pub async fn sign_up(v: Visit, body: axum::body::Bytes) -> AppResult<Response> {
    let (pairs, f) = crate::members::parse_form(&body);
    let lists = v.state.store.lists(v.site.id).await?;
    let picked = chosen(&lists, &pairs);
    let raw = crate::members::field(&f, "email").trim().to_string();
    if v.check_csrf(&f).is_err() {
        return render(&v, &raw, &picked, None, StatusCode::OK).await;
    }
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let Ok(email) = parse_email(&raw) else {
        let e = "That does not look like an email address.";
        return render(&v, &raw, &picked, Some(e), unprocessable).await;
    };
    if picked.is_empty() {
        let e = "Choose at least one newsletter or alert.";
        return render(&v, &raw, &picked, Some(e), unprocessable).await;
    }
    limits::hit(&v.state, limits::SIGNUP_IP, &v.ip).await?;
    let now = Utc::now();
    // A signed-in member with this (confirmed) address needs no link.
    if let Some(viewer) = v
        .viewer
        .as_ref()
        .filter(|m| m.member.is_verified() && m.member.email_norm == email.norm)
    {
        let s = v
            .state
            .store
            .sign_up(
                v.site.id,
                &email.email,
                &email.norm,
                Some(viewer.member.id),
                now,
            )
            .await?;
        v.state.store.confirm_subscriber(s.id, &picked, now).await?;
        return Ok(see_other(
            &format!(
                "/newsletters/manage/{}?done=subscribed",
                link_key(&v.state, s.id)
            ),
            Vec::new(),
        ));
    }
    // Everyone else gets the same answer, whatever the address's history;
    // suppressed addresses and repeated requests are simply not mailed.
    let mailed = limits::hit(&v.state, limits::SIGNUP_ADDRESS, &email.norm)
        .await
        .is_ok()
        && !v.state.store.is_suppressed(&email.norm).await?;
    if mailed {
        let member_id = v.viewer.as_ref().map(|m| m.member.id);
        let s = v
            .state
            .store
            .sign_up(v.site.id, &email.email, &email.norm, member_id, now)
            .await?;
        let token = new_token();
        let data = serde_json::json!({ "subscriber": s.id, "lists": picked }).to_string();
        v.state
            .store
            .create_token(
                &token_hash(&token),
                TokenKind::Subscribe,
                None,
                &data,
                now,
                now + Duration::days(CONFIRM_TTL_DAYS),
            )
            .await?;
        let names: Vec<String> = lists
            .iter()
            .filter(|l| picked.contains(&l.id))
            .map(|l| l.name.clone())
            .collect();
        mail::send(
            &v.state,
            &v.site,
            "newsletter_confirm",
            &email.email,
            "",
            context! {
                link => v.site.absolute(&format!("/newsletters/confirm/{token}")),
                lists => names,
                days => CONFIRM_TTL_DAYS,
            },
        )
        .await?;
    }
    check_your_email(&v.state, &v.site, &email.email)
}

fn check_your_email(state: &AppState, site: &Site, address: &str) -> AppResult<Response> {
    Screen::new(state, site, "account/notice.html", "Check your email").render(context! {
        heading => "Check your email",
        message => format!(
            "We sent a link to {address}. Nothing is sent to you until you follow it and confirm."
        ),
    })
}

pub async fn confirm_page(v: Visit, Path(token): Path<String>) -> AppResult<Response> {
    let live = v
        .state
        .store
        .token_is_live(&token_hash(&token), TokenKind::Subscribe, Utc::now())
        .await?;
    button_page(
        &v.state,
        &v.site,
        &v.headers,
        live,
        "Confirm your subscription",
        "Confirm my subscription",
        &format!("/newsletters/confirm/{token}"),
    )
}

pub async fn confirm(
    v: Visit,
    Path(token): Path<String>,
    Form(f): Form<crate::members::Fields>,
) -> AppResult<Response> {
    v.check_csrf(&f)?;
    let now = Utc::now();
    let Some(spent) = v
        .state
        .store
        .spend_token(&token_hash(&token), TokenKind::Subscribe, now)
        .await?
    else {
        return dead_link(&v.state, &v.site);
    };
    let data: serde_json::Value = serde_json::from_str(&spent.data).unwrap_or_default();
    let id = data["subscriber"]
        .as_i64()
        .ok_or_else(|| AppError::internal("a subscribe token without its subscriber"))?;
    let lists: Vec<i64> = data["lists"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x.as_i64()).collect())
        .unwrap_or_default();
    let s = v
        .state
        .store
        .subscriber(id)
        .await?
        .ok_or(AppError::NotFound)?;
    if s.site_id != v.site.id {
        return Err(AppError::NotFound);
    }
    v.state.store.confirm_subscriber(id, &lists, now).await?;
    Ok(see_other(
        &format!(
            "/newsletters/manage/{}?done=subscribed",
            link_key(&v.state, id)
        ),
        Vec::new(),
    ))
}
