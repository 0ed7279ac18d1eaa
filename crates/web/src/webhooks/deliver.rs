//! The webhook sender, on every app server: leases deliveries that are
//! due, POSTs each signed (Standard Webhooks headers) to its receiver,
//! never following a redirect and never waiting past the timeout, and
//! records the answer: delivered on a 2xx, else tried again later, with
//! growing waits, until the retries run out.

use std::net::SocketAddr;
use std::time::Duration;

use chrono::Utc;
use futures::StreamExt;
use kawaraban_core::model::{Attempt, Delivery, Webhook};
use kawaraban_core::webhooks::{
    is_internal, retry_after, signature_header, ROTATION_OVERLAP_HOURS,
};

use crate::state::AppState;

/// Deliveries leased at once, and sent at once.
const BATCH: u32 = 16;
const AT_ONCE: usize = 8;

pub async fn run(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    let lease = i64::from(rand::random::<u32>()) + 1;
    loop {
        tokio::select! {
            _ = stop.changed() => {}
            _ = tokio::time::sleep(state.config.webhook_poll) => {}
        }
        if *stop.borrow() {
            return;
        }
        if let Err(e) = step(&state, lease).await {
            tracing::warn!(error = %e, "webhook sender cannot read its outbox");
        }
    }
}

/// One round: leases what is due and delivers it. Gives how many.
pub async fn step(state: &AppState, lease: i64) -> kawaraban_core::StoreResult<usize> {
    let now = Utc::now();
    let hold = chrono::Duration::from_std(state.config.webhook_timeout * 3)
        .unwrap_or(chrono::Duration::seconds(30));
    let due = state
        .store
        .lease_deliveries(now, now + hold, BATCH, lease)
        .await?;
    let n = due.len();
    futures::stream::iter(due)
        .for_each_concurrent(AT_ONCE, |d| async move {
            let attempt = attempt(state, &d).await;
            if let Err(e) = state
                .store
                .finish_delivery(d.id, lease, &attempt, Utc::now())
                .await
            {
                tracing::warn!(error = %e, delivery = d.id, "cannot record a webhook delivery");
            }
        })
        .await;
    Ok(n)
}

/// Tries one delivery; what happened, as the outbox records it.
async fn attempt(state: &AppState, d: &Delivery) -> Attempt {
    let failed = |status: Option<i64>, error: String| match retry_after(d.attempts) {
        Some(wait) => Attempt::Retry {
            status,
            error,
            next_at: Utc::now() + wait,
        },
        None => Attempt::Failed { status, error },
    };
    let hook = match state.store.webhook(d.webhook_id).await {
        Ok(Some(h)) if h.enabled => h,
        Ok(_) => {
            return Attempt::Failed {
                status: None,
                error: "the webhook is off".into(),
            }
        }
        Err(e) => return failed(None, format!("cannot read the webhook: {e}")),
    };
    let client = match client_for(state, &hook).await {
        Ok(c) => c,
        Err(e) => return failed(None, e),
    };
    let ts = Utc::now().timestamp();
    let previous = hook
        .rotated_at
        .filter(|r| Utc::now() - *r < chrono::Duration::hours(ROTATION_OVERLAP_HOURS))
        .map(|_| hook.previous_secret.as_str())
        .filter(|p| !p.is_empty());
    let signature = signature_header(
        &hook.secret,
        previous,
        &d.event_id,
        ts,
        d.payload.as_bytes(),
    );
    let sent = client
        .post(&hook.url)
        .header("content-type", "application/json")
        .header("user-agent", "Kawaraban-Webhooks/1")
        .header("webhook-id", &d.event_id)
        .header("webhook-timestamp", ts.to_string())
        .header("webhook-signature", signature)
        .body(d.payload.clone())
        .send()
        .await;
    match sent {
        Ok(r) if r.status().is_success() => Attempt::Delivered {
            status: i64::from(r.status().as_u16()),
        },
        Ok(r) if r.status().is_redirection() => {
            let to = r
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .unwrap_or("?")
                .to_string();
            failed(Some(i64::from(r.status().as_u16())), format!("redirected to {to}: webhooks do not follow redirects, register the final address"))
        }
        Ok(r) => failed(
            Some(i64::from(r.status().as_u16())),
            format!("the receiver answered {}", r.status()),
        ),
        Err(e) if e.is_timeout() => failed(
            None,
            format!(
                "no answer within {} s",
                state.config.webhook_timeout.as_secs()
            ),
        ),
        Err(e) => failed(
            None,
            format!("cannot reach the receiver: {}", without_url(&e)),
        ),
    }
}

fn without_url(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    if let Some(u) = e.url() {
        text = text.replace(u.as_str(), "");
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text = format!("{text}: {s}");
        source = s.source();
    }
    text.trim().to_string()
}

/// A client that goes only where the webhook's host resolves now, after
/// checking that it is not an internal address (unless allowed): pinning
/// the checked address means a name cannot resolve elsewhere between the
/// check and the connection.
async fn client_for(state: &AppState, hook: &Webhook) -> Result<reqwest::Client, String> {
    let url = url::Url::parse(&hook.url).map_err(|e| format!("bad address: {e}"))?;
    let host = url.host_str().ok_or("the address has no host")?.to_string();
    let port = url.port_or_known_default().unwrap_or(443);
    let bare = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((bare.as_str(), port))
        .await
        .map_err(|e| format!("cannot resolve {host}: {e}"))?
        .collect();
    let addr = *addrs
        .first()
        .ok_or_else(|| format!("{host} resolves to no address"))?;
    if !state.config.webhooks_allow_internal && addrs.iter().any(|a| is_internal(a.ip())) {
        return Err(format!(
            "{host} resolves to an internal address ({}); webhooks go to the internet only unless the server allows internal receivers",
            addr.ip()
        ));
    }
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(state.config.webhook_timeout)
        .connect_timeout(Duration::from_secs(5))
        .resolve(&bare, addr)
        .build()
        .map_err(|e| format!("cannot make a client: {e}"))
}
