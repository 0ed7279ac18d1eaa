//! Webhooks and their durable outbox.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::model::{Attempt, Delivery, NewWebhook, Webhook};
use crate::StoreResult;

#[async_trait]
pub trait WebhookStore: Send + Sync {
    async fn add_webhook(&self, w: &NewWebhook, now: DateTime<Utc>) -> StoreResult<Webhook>;
    /// Every webhook, newest first.
    async fn webhooks(&self) -> StoreResult<Vec<Webhook>>;
    async fn webhook(&self, id: i64) -> StoreResult<Option<Webhook>>;
    async fn set_webhook_enabled(&self, id: i64, enabled: bool) -> StoreResult<()>;
    /// The new secret signs from now on; the old one for a day more.
    async fn rotate_webhook_secret(
        &self,
        id: i64,
        secret: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn delete_webhook(&self, id: i64) -> StoreResult<()>;
    /// One delivery of the event for each enabled webhook that wants it
    /// (of this site or of the network); an event id already queued for a
    /// webhook is not queued again. Gives how many were queued.
    async fn queue_event(
        &self,
        site_id: i64,
        event: &str,
        event_id: &str,
        payload: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<u64>;
    /// Leases up to `limit` pending deliveries due at `now` to the sender
    /// holding `lease`, until `until`; each lease counts as an attempt.
    async fn lease_deliveries(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: u32,
        lease: i64,
    ) -> StoreResult<Vec<Delivery>>;
    /// Records a try, if the sender still holds the lease (false if not).
    async fn finish_delivery(
        &self,
        id: i64,
        lease: i64,
        attempt: &Attempt,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// A webhook's deliveries, newest first.
    async fn deliveries(&self, webhook_id: i64, limit: u32) -> StoreResult<Vec<Delivery>>;
    /// Queues a delivery again, at once (the desk's replay).
    async fn replay_delivery(&self, id: i64, now: DateTime<Utc>) -> StoreResult<bool>;
}
