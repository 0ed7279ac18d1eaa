//! Campaigns and the outbox: one SQL text for both backends, the lease's
//! row locking (`FOR UPDATE SKIP LOCKED` on PostgreSQL) passed in.

#[derive(sqlx::FromRow)]
pub(crate) struct CampaignRow {
    pub id: i64,
    pub site_id: i64,
    pub list_id: i64,
    pub kind: String,
    pub dedupe_key: Option<String>,
    pub subject: String,
    pub preheader: String,
    pub text_body: String,
    pub html_body: String,
    pub status: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<CampaignRow> for kawaraban_core::model::Campaign {
    fn from(r: CampaignRow) -> Self {
        Self {
            id: r.id,
            site_id: r.site_id,
            list_id: r.list_id,
            kind: r.kind,
            dedupe_key: r.dedupe_key,
            subject: r.subject,
            preheader: r.preheader,
            text_body: r.text_body,
            html_body: r.html_body,
            status: r.status,
            created_at: r.created_at,
        }
    }
}

pub(crate) const CAMPAIGN_SELECT: &str = "SELECT id, site_id, list_id, kind, dedupe_key, subject, \
     preheader, text_body, html_body, status, created_at FROM campaigns";

/// Who a list's mail goes to: active subscribers, not suppressed.
pub(crate) const AUDIENCE: &str =
    "FROM subscribers s JOIN subscriptions x ON x.subscriber_id = s.id \
     WHERE x.list_id = $1 AND s.status = 'active' \
     AND NOT EXISTS (SELECT 1 FROM suppressions p WHERE p.email_norm = s.email_norm)";

/// `$first, $first+1, …`: `n` numbered parameters for an `IN (…)` list.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

macro_rules! impl_campaign_store {
    ($store:path, $lock:literal) => {
        mod campaign_impl {
            use async_trait::async_trait;
            use chrono::{DateTime, Utc};
            use kawaraban_core::model::*;
            use kawaraban_core::store::*;
            use kawaraban_core::{StoreError, StoreResult};

            use crate::campaigns::{placeholders, CampaignRow, AUDIENCE, CAMPAIGN_SELECT};
            use crate::error::map;

            #[async_trait]
            impl CampaignStore for $store {
                async fn create_campaign(&self, c: &NewCampaign, now: DateTime<Utc>) -> StoreResult<Option<Campaign>> {
                    let row: Option<(i64,)> = sqlx::query_as(
                        "INSERT INTO campaigns (site_id, list_id, kind, dedupe_key, subject, preheader, \
                           text_body, html_body, status, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', $9) \
                         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id")
                        .bind(c.site_id).bind(c.list_id).bind(&c.kind).bind(&c.dedupe_key)
                        .bind(&c.subject).bind(&c.preheader).bind(&c.text_body).bind(&c.html_body).bind(now)
                        .fetch_optional(&self.pool).await.map_err(map)?;
                    match row {
                        Some((id,)) => self.campaign(id).await,
                        None => Ok(None),
                    }
                }

                async fn campaign(&self, id: i64) -> StoreResult<Option<Campaign>> {
                    let row: Option<CampaignRow> = sqlx::query_as(&format!("{CAMPAIGN_SELECT} WHERE id = $1"))
                        .bind(id).fetch_optional(&self.pool).await.map_err(map)?;
                    Ok(row.map(Campaign::from))
                }

                async fn campaigns(&self, site_id: i64, limit: u32) -> StoreResult<Vec<Campaign>> {
                    let rows: Vec<CampaignRow> = sqlx::query_as(&format!(
                        "{CAMPAIGN_SELECT} WHERE site_id = $1 ORDER BY id DESC LIMIT $2"))
                        .bind(site_id).bind(i64::from(limit)).fetch_all(&self.pool).await.map_err(map)?;
                    Ok(rows.into_iter().map(Campaign::from).collect())
                }

                async fn queue_campaign(&self, id: i64, now: DateTime<Utc>) -> StoreResult<u64> {
                    let c = self.campaign(id).await?.ok_or(StoreError::NotFound)?;
                    let (_turn, mut tx) = self.write().await.map_err(map)?;
                    let r = sqlx::query(&format!(
                        "INSERT INTO outbox (campaign_id, subscriber_id, email, status, next_at) \
                         SELECT $2, s.id, s.email, 'queued', $3 {AUDIENCE} \
                         ON CONFLICT (campaign_id, subscriber_id) DO NOTHING"))
                        .bind(c.list_id).bind(id).bind(now).execute(&mut *tx).await.map_err(map)?;
                    sqlx::query("UPDATE campaigns SET status = 'sending' WHERE id = $1 AND status = 'queued'")
                        .bind(id).execute(&mut *tx).await.map_err(map)?;
                    tx.commit().await.map_err(map)?;
                    Ok(r.rows_affected())
                }

                async fn list_audience(&self, list_id: i64) -> StoreResult<i64> {
                    let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) {AUDIENCE}"))
                        .bind(list_id).fetch_one(&self.pool).await.map_err(map)?;
                    Ok(n)
                }

                async fn lease_outbox(&self, now: DateTime<Utc>, lease_until: DateTime<Utc>, limit: u32, lease: i64) -> StoreResult<Vec<OutboxItem>> {
                    let rows: Vec<(i64, i64, i64, String, i64)> = sqlx::query_as(concat!(
                        "UPDATE outbox SET next_at = $2, attempts = attempts + 1, lease = $4 WHERE id IN (",
                        "SELECT id FROM outbox WHERE status = 'queued' AND next_at <= $1 ORDER BY next_at, id LIMIT $3 ",
                        $lock,
                        ") RETURNING id, campaign_id, subscriber_id, email, attempts"))
                        .bind(now).bind(lease_until).bind(i64::from(limit)).bind(lease)
                        .fetch_all(&self.pool).await.map_err(map)?;
                    let mut items: Vec<OutboxItem> = rows.into_iter()
                        .map(|(id, campaign_id, subscriber_id, email, attempts)| OutboxItem { id, campaign_id, subscriber_id, email, attempts })
                        .collect();
                    items.sort_by_key(|i| i.id);
                    Ok(items)
                }

                async fn outbox_claim(&self, lease: i64, ids: &[i64], now: DateTime<Utc>) -> StoreResult<Vec<i64>> {
                    if ids.is_empty() {
                        return Ok(Vec::new());
                    }
                    let list = placeholders(3, ids.len());
                    let update = format!(
                        "UPDATE outbox SET status = 'sent', sent_at = $2, error = '' \
                         WHERE lease = $1 AND status = 'queued' AND id IN ({list}) RETURNING id");
                    let mut q = sqlx::query_as::<_, (i64,)>(&update).bind(lease).bind(now);
                    for id in ids {
                        q = q.bind(*id);
                    }
                    let rows: Vec<(i64,)> = q.fetch_all(&self.pool).await.map_err(map)?;
                    let mut ids: Vec<i64> = rows.into_iter().map(|(id,)| id).collect();
                    ids.sort_unstable();
                    Ok(ids)
                }

                async fn outbox_claimed(&self, lease: i64, ids: &[i64]) -> StoreResult<Vec<i64>> {
                    if ids.is_empty() {
                        return Ok(Vec::new());
                    }
                    let select = format!(
                        "SELECT id FROM outbox WHERE lease = $1 AND status = 'sent' AND id IN ({}) ORDER BY id",
                        placeholders(2, ids.len()));
                    let mut q = sqlx::query_as::<_, (i64,)>(&select).bind(lease);
                    for id in ids {
                        q = q.bind(*id);
                    }
                    let rows = q.fetch_all(&self.pool).await.map_err(map)?;
                    Ok(rows.into_iter().map(|(id,)| id).collect())
                }

                async fn outbox_failed(&self, id: i64, error: &str, retry_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> StoreResult<()> {
                    let (status, next) = match retry_at {
                        Some(t) => ("queued", t),
                        None => ("failed", now),
                    };
                    sqlx::query("UPDATE outbox SET status = $2, next_at = $3, error = $4 WHERE id = $1")
                        .bind(id).bind(status).bind(next).bind(error).execute(&self.pool).await.map_err(map)?;
                    Ok(())
                }

                async fn outbox_bounced(&self, id: i64, error: &str, now: DateTime<Utc>) -> StoreResult<()> {
                    let (_turn, mut tx) = self.write().await.map_err(map)?;
                    sqlx::query("UPDATE outbox SET status = 'bounced', error = $2 WHERE id = $1")
                        .bind(id).bind(error).execute(&mut *tx).await.map_err(map)?;
                    sqlx::query(
                        "INSERT INTO suppressions (email_norm, reason, created_at) \
                         SELECT s.email_norm, 'bounce', $2 FROM outbox o JOIN subscribers s ON s.id = o.subscriber_id \
                         WHERE o.id = $1 ON CONFLICT (email_norm) DO NOTHING")
                        .bind(id).bind(now).execute(&mut *tx).await.map_err(map)?;
                    tx.commit().await.map_err(map)
                }

                async fn campaign_counts(&self, id: i64) -> StoreResult<CampaignCounts> {
                    let rows: Vec<(String, i64)> = sqlx::query_as(
                        "SELECT status, COUNT(*) FROM outbox WHERE campaign_id = $1 GROUP BY status")
                        .bind(id).fetch_all(&self.pool).await.map_err(map)?;
                    let mut c = CampaignCounts::default();
                    for (status, n) in rows {
                        match status.as_str() {
                            "queued" => c.queued = n,
                            "sent" => c.sent = n,
                            "failed" => c.failed = n,
                            "bounced" => c.bounced = n,
                            _ => {}
                        }
                    }
                    Ok(c)
                }

                async fn breaking_articles(&self, site_id: i64, since: DateTime<Utc>, now: DateTime<Utc>) -> StoreResult<Vec<(i64, String)>> {
                    let rows: Vec<(i64, String)> = sqlx::query_as(
                        "SELECT id, slug FROM articles WHERE site_id = $1 AND breaking AND status = 'published' \
                         AND published_at > $2 AND published_at <= $3 ORDER BY published_at")
                        .bind(site_id).bind(since).bind(now).fetch_all(&self.pool).await.map_err(map)?;
                    Ok(rows)
                }

                async fn next_breaking_after(&self, site_id: i64, now: DateTime<Utc>) -> StoreResult<Option<DateTime<Utc>>> {
                    let row: Option<(DateTime<Utc>,)> = sqlx::query_as(
                        "SELECT published_at FROM articles WHERE site_id = $1 AND breaking AND status = 'published' \
                         AND published_at > $2 ORDER BY published_at LIMIT 1")
                        .bind(site_id).bind(now).fetch_optional(&self.pool).await.map_err(map)?;
                    Ok(row.map(|(t,)| t))
                }

                async fn outbox_bounced_late(&self, campaign_id: i64, subscriber_id: i64, error: &str) -> StoreResult<bool> {
                    let r = sqlx::query(
                        "UPDATE outbox SET status = 'bounced', error = $3 \
                         WHERE campaign_id = $1 AND subscriber_id = $2 AND status = 'sent'")
                        .bind(campaign_id).bind(subscriber_id).bind(error).execute(&self.pool).await.map_err(map)?;
                    Ok(r.rows_affected() == 1)
                }

                async fn campaign_exists(&self, dedupe_key: &str) -> StoreResult<bool> {
                    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM campaigns WHERE dedupe_key = $1")
                        .bind(dedupe_key).fetch_one(&self.pool).await.map_err(map)?;
                    Ok(n > 0)
                }

                async fn finish_campaigns(&self, now: DateTime<Utc>) -> StoreResult<u64> {
                    let r = sqlx::query(
                        "UPDATE campaigns SET status = 'done', finished_at = $1 WHERE status = 'sending' \
                         AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.campaign_id = campaigns.id AND o.status = 'queued')")
                        .bind(now).execute(&self.pool).await.map_err(map)?;
                    Ok(r.rows_affected())
                }
            }
        }
    };
}
