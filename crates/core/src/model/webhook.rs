//! Webhooks and their deliveries.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// A receiver of events.
#[derive(Debug, Clone, Serialize)]
pub struct Webhook {
    pub id: i64,
    /// `None`: events of every site.
    pub site_id: Option<i64>,
    pub url: String,
    pub events: Vec<String>,
    /// `whsec_…`; never shown after it is made, except to the admin who
    /// rotates it.
    #[serde(skip)]
    pub secret: String,
    /// Signs too, until a day after a rotation.
    #[serde(skip)]
    pub previous_secret: String,
    pub rotated_at: Option<DateTime<Utc>>,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
}

impl Webhook {
    pub fn wants(&self, event: &str) -> bool {
        self.events.iter().any(|e| e == event)
    }
}

/// A webhook as registered.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    pub site_id: Option<i64>,
    pub url: String,
    pub events: Vec<String>,
    pub secret: String,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => DeliveryStatus::Pending,
            "delivered" => DeliveryStatus::Delivered,
            "failed" => DeliveryStatus::Failed,
            _ => return None,
        })
    }
}

/// One event for one webhook.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    pub id: i64,
    pub webhook_id: i64,
    /// `msg_…`: the same on every try, so receivers can drop repeats.
    pub event_id: String,
    pub event: String,
    pub payload: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub next_at: DateTime<Utc>,
    pub last_status: Option<i64>,
    pub last_error: String,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// What one try of a delivery came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// The receiver answered 2xx.
    Delivered { status: i64 },
    /// Try again at `next_at`.
    Retry {
        status: Option<i64>,
        error: String,
        next_at: DateTime<Utc>,
    },
    /// No more tries.
    Failed { status: Option<i64>, error: String },
}
