//! Webhooks: events queued in the durable outbox as they happen
//! ([`emit`]), delivered signed by every app server's sender
//! ([`deliver`]), registered and watched from the desk ([`desk`]).

pub mod deliver;
mod desk;

use axum::Router;
use chrono::{SecondsFormat, Utc};
use rand::RngCore;
use serde_json::{json, Value};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    desk::routes()
}

/// Queues `event` with `data` for every webhook of the site (or of the
/// network) that asked for it. Never fails the action that caused it: a
/// store that cannot queue is logged.
pub async fn emit(state: &AppState, site_id: i64, event: &str, data: Value) {
    let mut id = [0u8; 12];
    rand::rng().fill_bytes(&mut id);
    let event_id = format!("msg_{}", hex::encode(id));
    let now = Utc::now();
    let payload = json!({
        "type": event,
        "timestamp": now.to_rfc3339_opts(SecondsFormat::Millis, true),
        "data": data,
    })
    .to_string();
    if let Err(e) = state
        .store
        .queue_event(site_id, event, &event_id, &payload, now)
        .await
    {
        tracing::warn!(error = %e, event, "cannot queue a webhook event");
    }
}

/// A story as events describe it.
pub fn story_data(
    site: &kawaraban_core::model::Site,
    id: i64,
    f: &kawaraban_core::desk::StoryFields,
    status: kawaraban_core::desk::DeskStatus,
    published_at: chrono::DateTime<Utc>,
    version: i64,
) -> Value {
    json!({
        "id": id,
        "site": site.key,
        "url": site.absolute(&format!("/{}/{}", f.section, f.slug)),
        "title": f.title,
        "slug": f.slug,
        "section": f.section,
        "status": status.as_str(),
        "version": version,
        "published_at": status.is_out().then(|| published_at.to_rfc3339_opts(SecondsFormat::Secs, true)),
        "breaking": f.breaking,
    })
}
