//! Webhooks and their outbox (`WebhookStore`): one SQL text for both
//! backends, the lease's row locking (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL) passed in.

macro_rules! impl_webhook_store {
    ($store:path, $lock:literal) => {
        mod webhook_impl {
            use async_trait::async_trait;
            use chrono::{DateTime, Utc};
            use kawaraban_core::model::{Attempt, Delivery, DeliveryStatus, NewWebhook, Webhook};
            use kawaraban_core::store::WebhookStore;
            use kawaraban_core::{StoreError, StoreResult};

            use crate::error::map;

            const HOOK: &str = "SELECT id, site_id, url, events, secret, previous_secret, rotated_at, enabled, created_at FROM webhooks";
            const DELIVERY: &str = "id, webhook_id, event_id, event, payload, status, attempts, next_at, last_status, last_error, created_at, delivered_at";

            #[derive(sqlx::FromRow)]
            struct HookRow {
                id: i64,
                site_id: Option<i64>,
                url: String,
                events: String,
                secret: String,
                previous_secret: String,
                rotated_at: Option<DateTime<Utc>>,
                enabled: bool,
                created_at: DateTime<Utc>,
            }

            impl From<HookRow> for Webhook {
                fn from(r: HookRow) -> Self {
                    Webhook {
                        id: r.id,
                        site_id: r.site_id,
                        url: r.url,
                        events: r.events.split(',').filter(|e| !e.is_empty()).map(str::to_string).collect(),
                        secret: r.secret,
                        previous_secret: r.previous_secret,
                        rotated_at: r.rotated_at,
                        enabled: r.enabled,
                        created_at: r.created_at,
                    }
                }
            }

            #[derive(sqlx::FromRow)]
            struct DeliveryRow {
                id: i64,
                webhook_id: i64,
                event_id: String,
                event: String,
                payload: String,
                status: String,
                attempts: i64,
                next_at: DateTime<Utc>,
                last_status: Option<i64>,
                last_error: String,
                created_at: DateTime<Utc>,
                delivered_at: Option<DateTime<Utc>>,
            }

            fn delivery(r: DeliveryRow) -> StoreResult<Delivery> {
                Ok(Delivery {
                    status: DeliveryStatus::parse(&r.status)
                        .ok_or_else(|| StoreError::Other(format!("delivery {}: status {:?}", r.id, r.status)))?,
                    id: r.id,
                    webhook_id: r.webhook_id,
                    event_id: r.event_id,
                    event: r.event,
                    payload: r.payload,
                    attempts: r.attempts,
                    next_at: r.next_at,
                    last_status: r.last_status,
                    last_error: r.last_error,
                    created_at: r.created_at,
                    delivered_at: r.delivered_at,
                })
            }

            #[async_trait]
            impl WebhookStore for $store {
                async fn add_webhook(&self, w: &NewWebhook, now: DateTime<Utc>) -> StoreResult<Webhook> {
                    let row: HookRow = sqlx::query_as(
                        "INSERT INTO webhooks (site_id, url, events, secret, created_at) VALUES ($1, $2, $3, $4, $5) \
                         RETURNING id, site_id, url, events, secret, previous_secret, rotated_at, enabled, created_at")
                        .bind(w.site_id).bind(&w.url).bind(w.events.join(",")).bind(&w.secret).bind(now)
                        .fetch_one(&self.pool).await.map_err(map)?;
                    Ok(row.into())
                }

                async fn webhooks(&self) -> StoreResult<Vec<Webhook>> {
                    let rows: Vec<HookRow> = sqlx::query_as(&format!("{HOOK} ORDER BY id DESC"))
                        .fetch_all(&self.pool).await.map_err(map)?;
                    Ok(rows.into_iter().map(Webhook::from).collect())
                }

                async fn webhook(&self, id: i64) -> StoreResult<Option<Webhook>> {
                    let row: Option<HookRow> = sqlx::query_as(&format!("{HOOK} WHERE id = $1"))
                        .bind(id).fetch_optional(&self.pool).await.map_err(map)?;
                    Ok(row.map(Webhook::from))
                }

                async fn set_webhook_enabled(&self, id: i64, enabled: bool) -> StoreResult<()> {
                    sqlx::query("UPDATE webhooks SET enabled = $2 WHERE id = $1")
                        .bind(id).bind(enabled).execute(&self.pool).await.map_err(map)?;
                    Ok(())
                }

                async fn rotate_webhook_secret(&self, id: i64, secret: &str, now: DateTime<Utc>) -> StoreResult<()> {
                    sqlx::query("UPDATE webhooks SET previous_secret = secret, secret = $2, rotated_at = $3 WHERE id = $1")
                        .bind(id).bind(secret).bind(now).execute(&self.pool).await.map_err(map)?;
                    Ok(())
                }

                async fn delete_webhook(&self, id: i64) -> StoreResult<()> {
                    sqlx::query("DELETE FROM webhooks WHERE id = $1").bind(id).execute(&self.pool).await.map_err(map)?;
                    Ok(())
                }

                async fn queue_event(&self, site_id: i64, event: &str, event_id: &str, payload: &str, now: DateTime<Utc>) -> StoreResult<u64> {
                    let done = sqlx::query(
                        "INSERT INTO webhook_deliveries (webhook_id, event_id, event, payload, next_at, created_at) \
                         SELECT id, $3, $2, $4, $5, $5 FROM webhooks \
                         WHERE enabled AND (site_id IS NULL OR site_id = $1) AND (',' || events || ',') LIKE $6 \
                         ON CONFLICT (webhook_id, event_id) DO NOTHING")
                        .bind(site_id).bind(event).bind(event_id).bind(payload).bind(now).bind(format!("%,{event},%"))
                        .execute(&self.pool).await.map_err(map)?;
                    Ok(done.rows_affected())
                }

                async fn lease_deliveries(&self, now: DateTime<Utc>, until: DateTime<Utc>, limit: u32, lease: i64) -> StoreResult<Vec<Delivery>> {
                    let rows: Vec<DeliveryRow> = sqlx::query_as(&format!(
                        "UPDATE webhook_deliveries SET next_at = $2, attempts = attempts + 1, lease = $4 WHERE id IN (\
                         SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_at <= $1 ORDER BY next_at, id LIMIT $3 {}\
                         ) RETURNING {DELIVERY}", $lock))
                        .bind(now).bind(until).bind(i64::from(limit)).bind(lease)
                        .fetch_all(&self.pool).await.map_err(map)?;
                    let mut out: Vec<Delivery> = rows.into_iter().map(delivery).collect::<StoreResult<_>>()?;
                    out.sort_by_key(|d| d.id);
                    Ok(out)
                }

                async fn finish_delivery(&self, id: i64, lease: i64, attempt: &Attempt, now: DateTime<Utc>) -> StoreResult<bool> {
                    let q = match attempt {
                        Attempt::Delivered { status } => sqlx::query(
                            "UPDATE webhook_deliveries SET status = 'delivered', last_status = $3, last_error = '', delivered_at = $4 \
                             WHERE id = $1 AND lease = $2 AND status = 'pending'")
                            .bind(id).bind(lease).bind(*status).bind(now),
                        Attempt::Retry { status, error, next_at } => sqlx::query(
                            "UPDATE webhook_deliveries SET last_status = $3, last_error = $4, next_at = $5 \
                             WHERE id = $1 AND lease = $2 AND status = 'pending'")
                            .bind(id).bind(lease).bind(*status).bind(error.clone()).bind(*next_at),
                        Attempt::Failed { status, error } => sqlx::query(
                            "UPDATE webhook_deliveries SET status = 'failed', last_status = $3, last_error = $4 \
                             WHERE id = $1 AND lease = $2 AND status = 'pending'")
                            .bind(id).bind(lease).bind(*status).bind(error.clone()),
                    };
                    Ok(q.execute(&self.pool).await.map_err(map)?.rows_affected() > 0)
                }

                async fn deliveries(&self, webhook_id: i64, limit: u32) -> StoreResult<Vec<Delivery>> {
                    let rows: Vec<DeliveryRow> = sqlx::query_as(&format!(
                        "SELECT {DELIVERY} FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2"))
                        .bind(webhook_id).bind(i64::from(limit)).fetch_all(&self.pool).await.map_err(map)?;
                    rows.into_iter().map(delivery).collect()
                }

                async fn replay_delivery(&self, id: i64, now: DateTime<Utc>) -> StoreResult<bool> {
                    let done = sqlx::query(
                        "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_at = $2, lease = 0, delivered_at = NULL \
                         WHERE id = $1")
                        .bind(id).bind(now).execute(&self.pool).await.map_err(map)?;
                    Ok(done.rows_affected() > 0)
                }
            }
        }
    };
}
