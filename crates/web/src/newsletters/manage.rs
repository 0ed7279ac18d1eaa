//! `/newsletters/manage/{key}`: the lists of one address, changed without
//! signing in (the key is a signed link from every email); and one-click
//! unsubscribe (`List-Unsubscribe-Post`, RFC 8058).

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use chrono::Utc;
use kawaraban_core::model::{Subscriber, SubscriberStatus};
use minijinja::context;

use super::check_key;
use crate::error::{AppError, AppResult};
use crate::members::links::confirm_page as button_page;
use crate::members::{csrf, field, see_other, Fields, Screen, Visit};

/// The subscriber of a valid link of this site.
async fn subscriber_of(v: &Visit, key: &str) -> AppResult<Subscriber> {
    let id = check_key(&v.state, key).ok_or(AppError::NotFound)?;
    v.state
        .store
        .subscriber(id)
        .await?
        .filter(|s| s.site_id == v.site.id)
        .ok_or(AppError::NotFound)
}

pub async fn page(
    v: Visit,
    Path(key): Path<String>,
    Query(q): Query<Fields>,
) -> AppResult<Response> {
    let s = subscriber_of(&v, &key).await?;
    let lists = v.state.store.lists(v.site.id).await?;
    let (token, cookie) = csrf::anonymous_token(&v.state.signer, &v.headers, &v.site);
    let notice = match field(&q, "done") {
        "subscribed" => Some("You are subscribed. Here is everything you receive from us."),
        "saved" => Some("Your choices are saved."),
        "paused" => Some("Paused: we send you nothing until you resume."),
        "resumed" => Some("Resumed."),
        "unsubscribed" => {
            Some("You are unsubscribed from everything. We will not email you again.")
        }
        _ => None,
    };
    Screen::new(
        &v.state,
        &v.site,
        "newsletters/manage.html",
        "Your newsletters",
    )
    .cookie(cookie)
    .render(context! {
        csrf => token,
        key,
        email => s.email.clone(),
        status => s.status.as_str(),
        lists => lists.iter().map(|l| context! {
            id => l.id, name => l.name.clone(), description => l.description.clone(),
            checked => s.lists.contains(&l.id),
        }).collect::<Vec<_>>(),
        notice,
    })
}

/// `POST /newsletters/manage/{key}` with `act`: save (the ticked `list`s),
/// pause, resume, or unsubscribe (from everything).
pub async fn change(v: Visit, Path(key): Path<String>, body: Bytes) -> AppResult<Response> {
    let (pairs, f) = crate::members::parse_form(&body);
    v.check_csrf(&f)?;
    let s = subscriber_of(&v, &key).await?;
    let now = Utc::now();
    let store = &v.state.store;
    let done = match field(&f, "act") {
        "save" => {
            let ids = crate::members::ids(&pairs, "list");
            store.set_lists(s.id, &ids, now).await?;
            // Choosing lists again after leaving is a new yes.
            if s.status == SubscriberStatus::Unsubscribed && !ids.is_empty() {
                store
                    .set_subscriber_status(s.id, SubscriberStatus::Active, now)
                    .await?;
            }
            "saved"
        }
        "pause" => {
            store
                .set_subscriber_status(s.id, SubscriberStatus::Paused, now)
                .await?;
            "paused"
        }
        "resume" => {
            store
                .set_subscriber_status(s.id, SubscriberStatus::Active, now)
                .await?;
            "resumed"
        }
        "unsubscribe" => {
            store
                .set_subscriber_status(s.id, SubscriberStatus::Unsubscribed, now)
                .await?;
            "unsubscribed"
        }
        _ => {
            return Err(AppError::bad_request(
                "Choose save, pause, resume or unsubscribe.",
            ))
        }
    };
    if s.status == SubscriberStatus::Pending && done != "unsubscribed" {
        // The link came by email to this address: it confirms it too.
        store.confirm_subscriber(s.id, &[], now).await?;
    }
    Ok(see_other(
        &format!("/newsletters/manage/{key}?done={done}"),
        Vec::new(),
    ))
}

/// `GET /newsletters/unsubscribe/{key}`: a person who opened the
/// unsubscribe link gets a button (mail scanners open links too).
pub async fn unsubscribe_page(v: Visit, Path(key): Path<String>) -> AppResult<Response> {
    subscriber_of(&v, &key).await?;
    button_page(
        &v.state,
        &v.site,
        &v.headers,
        true,
        "Unsubscribe from everything?",
        "Unsubscribe",
        &format!("/newsletters/unsubscribe/{key}"),
    )
}

/// `POST /newsletters/unsubscribe/{key}`: one click, no page in between.
/// Mail providers send `List-Unsubscribe=One-Click` with no cookie or token
/// (RFC 8058); the signed key is the authority. A person using the button
/// page gets the manage page back.
pub async fn one_click(v: Visit, Path(key): Path<String>, body: Bytes) -> AppResult<Response> {
    let s = subscriber_of(&v, &key).await?;
    v.state
        .store
        .set_subscriber_status(s.id, SubscriberStatus::Unsubscribed, Utc::now())
        .await?;
    tracing::info!(subscriber = s.id, "unsubscribed by link");
    let from_button = url::form_urlencoded::parse(&body).any(|(k, _)| k == csrf::FIELD);
    if from_button {
        return Ok(see_other(
            &format!("/newsletters/manage/{key}?done=unsubscribed"),
            Vec::new(),
        ));
    }
    let mut resp = Response::new(Body::from("Unsubscribed.\n"));
    *resp.status_mut() = StatusCode::OK;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp.extensions_mut().insert(crate::pages::Themed);
    Ok(resp)
}
