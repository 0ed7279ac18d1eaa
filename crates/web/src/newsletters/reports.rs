//! `POST /newsletters/reports/{key}`: bounce and complaint reports, as the
//! mail server forwards them or a provider's webhook posts them (the raw
//! message as the body). Hard bounces and complaints put the address on
//! the suppression list every send respects; a complaint also unsubscribes
//! it from every list. Soft bounces and delays change nothing (the sender
//! retries 4xx answers itself). The key in the URL is the network's
//! signature (see `report_key`), so that nobody else can suppress
//! addresses.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use kawaraban_core::identity::parse_email;
use kawaraban_mail::reports::{self, Report};

use crate::comments::json_answer;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The secret part of the report URL.
pub fn report_key(state: &AppState) -> String {
    state.signer.sign("newsletter-reports", "v1")
}

/// `c{campaign}.s{subscriber}.{site}@host`, as the sender makes Message-IDs.
fn ids_of(message_id: &str) -> Option<(i64, i64)> {
    let local = message_id
        .trim()
        .trim_matches(['<', '>'])
        .split('@')
        .next()?;
    let mut parts = local.split('.');
    let c = parts.next()?.strip_prefix('c')?.parse().ok()?;
    let s = parts.next()?.strip_prefix('s')?.parse().ok()?;
    Some((c, s))
}

pub async fn receive(
    State(state): State<AppState>,
    Path(key): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    if !state.signer.verify("newsletter-reports", "v1", &key) {
        return Err(AppError::NotFound);
    }
    let found = match reports::parse(&body) {
        Ok(r) => r,
        Err(e) => {
            return Ok(json_answer(
                StatusCode::UNPROCESSABLE_ENTITY,
                serde_json::json!({ "error": e.to_string() }),
            ))
        }
    };
    let now = Utc::now();
    let (mut suppressed, mut ignored) = (0, 0);
    for r in found {
        let (recipient, reason, message_id, complaint) = match &r {
            Report::Bounce {
                recipient,
                permanent: true,
                diagnostic,
                message_id,
                ..
            } => (
                recipient,
                format!("bounce: {diagnostic}"),
                message_id.clone(),
                false,
            ),
            Report::Complaint {
                recipient,
                feedback_type,
                message_id,
            } => (
                recipient,
                format!("complaint: {feedback_type}"),
                message_id.clone(),
                true,
            ),
            Report::Bounce { .. } | Report::Delay { .. } => {
                ignored += 1;
                continue;
            }
        };
        let Ok(email) = parse_email(recipient) else {
            ignored += 1;
            continue;
        };
        state.store.suppress(&email.norm, &reason, now).await?;
        if complaint {
            state.store.unsubscribe_everywhere(&email.norm, now).await?;
        }
        if let Some((campaign, subscriber)) = message_id.as_deref().and_then(ids_of) {
            state
                .store
                .outbox_bounced_late(campaign, subscriber, &reason)
                .await?;
        }
        tracing::info!(address = %email.norm, %reason, "address suppressed by a report");
        suppressed += 1;
    }
    Ok(json_answer(
        StatusCode::OK,
        serde_json::json!({ "suppressed": suppressed, "ignored": ignored }),
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn message_ids_name_the_campaign_and_subscriber() {
        assert_eq!(super::ids_of("<c12.s345.1@news.example>"), Some((12, 345)));
        assert_eq!(super::ids_of("c12.s345.1@news.example"), Some((12, 345)));
        assert_eq!(super::ids_of("<abc@elsewhere>"), None);
    }
}
