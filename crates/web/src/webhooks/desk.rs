//! `/desk/webhooks`: admins register receivers for events (this site's, or
//! with the network role, every site's), see each one's delivery log,
//! replay a delivery, rotate the secret (the old one signs for a day
//! more), turn a webhook off or remove it. Every change is audited.

use axum::extract::Path;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::Utc;
use kawaraban_core::model::{NewWebhook, Role, Webhook};
use kawaraban_core::webhooks::{check_url, is_event, is_internal, new_secret, EVENTS};
use minijinja::context;
use rand::RngCore;

use crate::desk::{render, Admin};
use crate::error::{AppError, AppResult};
use crate::members::{field, parse_form, see_other, Viewer, Visit};
use crate::state::AppState;

/// Deliveries a webhook's page lists.
const LOG: u32 = 100;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/desk/webhooks", get(list).post(create))
        .route("/desk/webhooks/{id}", get(page).post(act))
}

fn network_admin(viewer: &Viewer) -> bool {
    viewer.member.role == Role::Admin
}

fn secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    new_secret(&bytes)
}

fn view(v: &Visit, w: &Webhook) -> minijinja::Value {
    let network = v.state.network.get();
    let scope = match w.site_id {
        None => "every site".to_string(),
        Some(id) => network
            .sites
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.name.clone())
            .unwrap_or_default(),
    };
    context! { id => w.id, url => w.url.clone(), events => w.events.clone(), enabled => w.enabled, scope,
    created => crate::view::time_view(w.created_at, v.site.tz()).human }
}

/// This site's webhooks and the network's.
async fn visible(v: &Visit) -> AppResult<Vec<Webhook>> {
    Ok(v.state
        .store
        .webhooks()
        .await?
        .into_iter()
        .filter(|w| w.site_id.is_none_or(|s| s == v.site.id))
        .collect())
}

async fn list_page(
    v: &Visit,
    viewer: &Viewer,
    error: Option<String>,
    made: Option<(i64, String)>,
) -> AppResult<Response> {
    let hooks: Vec<_> = visible(v).await?.iter().map(|w| view(v, w)).collect();
    let events: Vec<_> = EVENTS
        .iter()
        .map(|(name, what)| context! { name, what })
        .collect();
    let mut resp = render(
        v,
        viewer,
        "desk/webhooks.html",
        "Webhooks",
        "/desk/webhooks",
        context! { hooks, events, error, made => made.map(|(id, secret)| context! { id, secret }),
        network_admin => network_admin(viewer), csrf => viewer.csrf.clone() },
    )?;
    if error.is_some() {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

async fn list(Admin(v, viewer): Admin) -> AppResult<Response> {
    list_page(&v, &viewer, None, None).await
}

/// The receiver's address, checked: http(s), and not an internal address
/// unless the server allows those.
async fn receiver(state: &AppState, text: &str) -> Result<String, String> {
    let url = check_url(text)?;
    if !state.config.webhooks_allow_internal {
        let host = url
            .host_str()
            .unwrap_or_default()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = url.port_or_known_default().unwrap_or(443);
        let addrs: Vec<_> = tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|e| format!("URL: cannot resolve {host}: {e}"))?
            .collect();
        if addrs.iter().any(|a| is_internal(a.ip())) {
            return Err(format!(
                "URL: {host} is an internal address; webhooks go to receivers on the internet"
            ));
        }
    }
    Ok(url.to_string())
}

/// `POST /desk/webhooks`: `url`, `events` (repeated), `scope` site|network.
async fn create(Admin(v, viewer): Admin, body: axum::body::Bytes) -> AppResult<Response> {
    let (pairs, f) = parse_form(&body);
    v.check_csrf(&f)?;
    let events: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "events")
        .map(|(_, e)| e.clone())
        .collect();
    if let Some(bad) = events.iter().find(|e| !is_event(e)) {
        return list_page(
            &v,
            &viewer,
            Some(format!("events: \"{bad}\" is not an event")),
            None,
        )
        .await;
    }
    if events.is_empty() {
        return list_page(
            &v,
            &viewer,
            Some("events: choose at least one event".into()),
            None,
        )
        .await;
    }
    let site_id = match field(&f, "scope") {
        "network" if network_admin(&viewer) => None,
        "network" => {
            return Err(AppError::Forbidden(
                "Webhooks for every site are for network admins.".into(),
            ))
        }
        _ => Some(v.site.id),
    };
    let url = match receiver(&v.state, field(&f, "url")).await {
        Ok(u) => u,
        Err(e) => return list_page(&v, &viewer, Some(e), None).await,
    };
    let secret = secret();
    let w = v
        .state
        .store
        .add_webhook(
            &NewWebhook {
                site_id,
                url,
                events,
                secret: secret.clone(),
            },
            Utc::now(),
        )
        .await?;
    audit(&v, &viewer, "webhook.add", w.id, &w.url).await?;
    list_page(&v, &viewer, None, Some((w.id, secret))).await
}

async fn load(v: &Visit, viewer: &Viewer, id: i64) -> AppResult<Webhook> {
    let w = v.state.store.webhook(id).await?.ok_or(AppError::NotFound)?;
    match w.site_id {
        Some(s) if s != v.site.id => Err(AppError::NotFound),
        None if !network_admin(viewer) => Err(AppError::Forbidden(
            "Webhooks for every site are for network admins.".into(),
        )),
        _ => Ok(w),
    }
}

async fn hook_page(
    v: &Visit,
    viewer: &Viewer,
    w: &Webhook,
    new_secret: Option<String>,
) -> AppResult<Response> {
    let tz = v.site.tz();
    let log: Vec<_> = v
        .state
        .store
        .deliveries(w.id, LOG)
        .await?
        .into_iter()
        .map(|d| context! {
            id => d.id, event => d.event, event_id => d.event_id, status => d.status.as_str(), attempts => d.attempts,
            last_status => d.last_status, last_error => d.last_error,
            at => crate::view::time_view(d.created_at, tz).human,
            next => (d.status == kawaraban_core::model::DeliveryStatus::Pending).then(|| crate::view::time_view(d.next_at, tz).human),
        })
        .collect();
    render(
        v,
        viewer,
        "desk/webhook.html",
        "Webhook",
        "/desk/webhooks",
        context! { w => view(v, w), log, new_secret, csrf => viewer.csrf.clone() },
    )
}

async fn page(Admin(v, viewer): Admin, Path(id): Path<i64>) -> AppResult<Response> {
    let w = load(&v, &viewer, id).await?;
    hook_page(&v, &viewer, &w, None).await
}

/// `POST /desk/webhooks/{id}`: `action` rotate, enable, disable, delete,
/// or replay (`delivery`).
async fn act(
    Admin(v, viewer): Admin,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let (_, f) = parse_form(&body);
    v.check_csrf(&f)?;
    let w = load(&v, &viewer, id).await?;
    let now = Utc::now();
    let action = field(&f, "action");
    match action {
        "rotate" => {
            let s = secret();
            v.state.store.rotate_webhook_secret(id, &s, now).await?;
            audit(&v, &viewer, "webhook.rotate", id, &w.url).await?;
            let w = load(&v, &viewer, id).await?;
            return hook_page(&v, &viewer, &w, Some(s)).await;
        }
        "enable" | "disable" => {
            v.state
                .store
                .set_webhook_enabled(id, action == "enable")
                .await?
        }
        "delete" => {
            v.state.store.delete_webhook(id).await?;
            audit(&v, &viewer, "webhook.delete", id, &w.url).await?;
            return Ok(see_other("/desk/webhooks", Vec::new()));
        }
        "replay" => {
            let d: i64 = field(&f, "delivery")
                .parse()
                .map_err(|_| AppError::bad_request("delivery: which one?"))?;
            if !v
                .state
                .store
                .deliveries(id, LOG)
                .await?
                .iter()
                .any(|x| x.id == d)
            {
                return Err(AppError::NotFound);
            }
            v.state.store.replay_delivery(d, now).await?;
        }
        other => {
            return Err(AppError::bad_request(format!(
                "action: \"{other}\" is not rotate, enable, disable, delete or replay"
            )))
        }
    }
    audit(&v, &viewer, &format!("webhook.{action}"), id, &w.url).await?;
    Ok(see_other(&format!("/desk/webhooks/{id}"), Vec::new()))
}

async fn audit(v: &Visit, viewer: &Viewer, action: &str, id: i64, what: &str) -> AppResult<()> {
    v.state
        .store
        .audit(
            Some(&viewer.member),
            action,
            &format!("webhook:{id}"),
            what,
            Utc::now(),
        )
        .await?;
    Ok(())
}
