//! Mailing lists, subscribers and suppressions: one SQL text for both
//! backends.

#[derive(sqlx::FromRow)]
pub(crate) struct ListRow {
    pub id: i64,
    pub site_id: i64,
    pub key: String,
    pub name: String,
    pub description: String,
    pub kind: String,
    pub section_id: Option<i64>,
    pub position: i64,
    pub send_time: Option<String>,
}

impl From<ListRow> for kawaraban_core::model::MailingList {
    fn from(r: ListRow) -> Self {
        use kawaraban_core::model::ListKind;
        Self {
            id: r.id,
            site_id: r.site_id,
            key: r.key,
            name: r.name,
            description: r.description,
            kind: ListKind::parse(&r.kind).unwrap_or(ListKind::Newsletter),
            section_id: r.section_id,
            position: r.position,
            send_time: r.send_time,
        }
    }
}

/// A site's lists, in the order its forms show them (every page has the form).
pub(crate) const SITE_LISTS: &str =
    "SELECT id, site_id, key, name, description, kind, section_id, position, send_time \
     FROM mailing_lists WHERE site_id = $1 ORDER BY position, id";

#[derive(sqlx::FromRow)]
pub(crate) struct SubscriberRow {
    pub id: i64,
    pub site_id: i64,
    pub email: String,
    pub email_norm: String,
    pub member_id: Option<i64>,
    pub status: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub confirmed_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl SubscriberRow {
    pub fn with_lists(self, lists: Vec<i64>) -> kawaraban_core::model::Subscriber {
        use kawaraban_core::model::SubscriberStatus;
        kawaraban_core::model::Subscriber {
            id: self.id,
            site_id: self.site_id,
            email: self.email,
            email_norm: self.email_norm,
            member_id: self.member_id,
            status: SubscriberStatus::parse(&self.status).unwrap_or(SubscriberStatus::Paused),
            lists,
            created_at: self.created_at,
            confirmed_at: self.confirmed_at,
        }
    }
}

pub(crate) const SUBSCRIBER_SELECT: &str =
    "SELECT id, site_id, email, email_norm, member_id, status, created_at, confirmed_at FROM subscribers";

macro_rules! impl_newsletter_store {
    ($store:path, $db:ty) => {
        mod newsletter_impl {
            use async_trait::async_trait;
            use chrono::{DateTime, Utc};
            use kawaraban_core::model::*;
            use kawaraban_core::store::*;
            use kawaraban_core::{StoreError, StoreResult};

            use crate::error::map;
            use crate::newsletters::{ListRow, SubscriberRow, SUBSCRIBER_SELECT};

            impl $store {
                async fn lists_of(&self, subscriber_id: i64) -> StoreResult<Vec<i64>> {
                    let rows: Vec<(i64,)> = sqlx::query_as(
                        "SELECT list_id FROM subscriptions WHERE subscriber_id = $1 ORDER BY list_id")
                        .bind(subscriber_id).fetch_all(&self.pool).await.map_err(map)?;
                    Ok(rows.into_iter().map(|r| r.0).collect())
                }

                async fn subscriber_where(&self, clause: &str, a: i64, b: Option<&str>) -> StoreResult<Option<Subscriber>> {
                    let sql = format!("{SUBSCRIBER_SELECT} WHERE {clause}");
                    let mut q = sqlx::query_as::<_, SubscriberRow>(&sql).bind(a);
                    if let Some(b) = b {
                        q = q.bind(b);
                    }
                    let Some(row) = q.fetch_optional(&self.pool).await.map_err(map)? else {
                        return Ok(None);
                    };
                    let lists = self.lists_of(row.id).await?;
                    Ok(Some(row.with_lists(lists)))
                }

                /// Adds the lists (of the subscriber's own site) it does not have yet.
                async fn add_lists(&self, tx: &mut sqlx::Transaction<'_, $db>, id: i64, lists: &[i64], now: DateTime<Utc>) -> StoreResult<()> {
                    for list in lists {
                        sqlx::query(
                            "INSERT INTO subscriptions (subscriber_id, list_id, created_at) \
                             SELECT s.id, l.id, $3 FROM subscribers s JOIN mailing_lists l ON l.site_id = s.site_id \
                             WHERE s.id = $1 AND l.id = $2 ON CONFLICT (subscriber_id, list_id) DO NOTHING")
                            .bind(id).bind(list).bind(now).execute(&mut **tx).await.map_err(map)?;
                    }
                    Ok(())
                }
            }

            #[async_trait]
            impl NewsletterStore for $store {
                async fn lists(&self, site_id: i64) -> StoreResult<Vec<MailingList>> {
                    self.read_lists(site_id).await
                }

                async fn upsert_list(&self, l: &NewList, now: DateTime<Utc>) -> StoreResult<MailingList> {
                    l.validate().map_err(StoreError::Conflict)?;
                    let row: ListRow = sqlx::query_as(
                        "INSERT INTO mailing_lists (site_id, key, name, description, kind, section_id, position, created_at, send_time) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                         ON CONFLICT (site_id, key) DO UPDATE SET name = excluded.name, \
                           description = excluded.description, kind = excluded.kind, \
                           section_id = excluded.section_id, position = excluded.position, \
                           send_time = excluded.send_time \
                         RETURNING id, site_id, key, name, description, kind, section_id, position, send_time")
                        .bind(l.site_id).bind(&l.key).bind(l.name.trim()).bind(&l.description)
                        .bind(l.kind.as_str()).bind(l.section_id).bind(l.position).bind(now).bind(&l.send_time)
                        .fetch_one(&self.pool).await.map_err(map)?;
                    Ok(row.into())
                }

                async fn sign_up(&self, site_id: i64, email: &str, email_norm: &str, member_id: Option<i64>, now: DateTime<Utc>) -> StoreResult<Subscriber> {
                    sqlx::query(
                        "INSERT INTO subscribers (site_id, email, email_norm, member_id, status, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, 'pending', $5, $5) \
                         ON CONFLICT (site_id, email_norm) DO UPDATE SET \
                           member_id = COALESCE(subscribers.member_id, excluded.member_id)")
                        .bind(site_id).bind(email).bind(email_norm).bind(member_id).bind(now)
                        .execute(&self.pool).await.map_err(map)?;
                    self.subscriber_by_email(site_id, email_norm).await?.ok_or(StoreError::NotFound)
                }

                async fn subscriber(&self, id: i64) -> StoreResult<Option<Subscriber>> {
                    self.subscriber_where("id = $1", id, None).await
                }

                async fn subscriber_by_email(&self, site_id: i64, email_norm: &str) -> StoreResult<Option<Subscriber>> {
                    self.subscriber_where("site_id = $1 AND email_norm = $2", site_id, Some(email_norm)).await
                }

                async fn confirm_subscriber(&self, id: i64, lists: &[i64], now: DateTime<Utc>) -> StoreResult<Subscriber> {
                    let (_turn, mut tx) = self.write().await.map_err(map)?;
                    let r = sqlx::query(
                        "UPDATE subscribers SET status = 'active', updated_at = $2, \
                           confirmed_at = COALESCE(confirmed_at, $2) WHERE id = $1")
                        .bind(id).bind(now).execute(&mut *tx).await.map_err(map)?;
                    if r.rows_affected() == 0 {
                        return Err(StoreError::NotFound);
                    }
                    self.add_lists(&mut tx, id, lists, now).await?;
                    tx.commit().await.map_err(map)?;
                    self.subscriber(id).await?.ok_or(StoreError::NotFound)
                }

                async fn set_lists(&self, id: i64, lists: &[i64], now: DateTime<Utc>) -> StoreResult<()> {
                    let (_turn, mut tx) = self.write().await.map_err(map)?;
                    sqlx::query("DELETE FROM subscriptions WHERE subscriber_id = $1")
                        .bind(id).execute(&mut *tx).await.map_err(map)?;
                    self.add_lists(&mut tx, id, lists, now).await?;
                    sqlx::query("UPDATE subscribers SET updated_at = $2 WHERE id = $1")
                        .bind(id).bind(now).execute(&mut *tx).await.map_err(map)?;
                    tx.commit().await.map_err(map)
                }

                async fn set_subscriber_status(&self, id: i64, status: SubscriberStatus, now: DateTime<Utc>) -> StoreResult<()> {
                    let r = sqlx::query("UPDATE subscribers SET status = $1, updated_at = $2 WHERE id = $3")
                        .bind(status.as_str()).bind(now).bind(id).execute(&self.pool).await.map_err(map)?;
                    if r.rows_affected() == 0 {
                        return Err(StoreError::NotFound);
                    }
                    Ok(())
                }

                async fn import_subscriber(&self, site_id: i64, email: &str, email_norm: &str, status: SubscriberStatus, lists: &[i64], now: DateTime<Utc>) -> StoreResult<bool> {
                    let existed = self.subscriber_by_email(site_id, email_norm).await?.is_some();
                    let (_turn, mut tx) = self.write().await.map_err(map)?;
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO subscribers (site_id, email, email_norm, status, created_at, confirmed_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $5, $5) \
                         ON CONFLICT (site_id, email_norm) DO UPDATE SET status = excluded.status, \
                           updated_at = excluded.updated_at, \
                           confirmed_at = COALESCE(subscribers.confirmed_at, excluded.confirmed_at) \
                         RETURNING id")
                        .bind(site_id).bind(email).bind(email_norm).bind(status.as_str()).bind(now)
                        .fetch_one(&mut *tx).await.map_err(map)?;
                    sqlx::query("DELETE FROM subscriptions WHERE subscriber_id = $1")
                        .bind(id).execute(&mut *tx).await.map_err(map)?;
                    self.add_lists(&mut tx, id, lists, now).await?;
                    tx.commit().await.map_err(map)?;
                    Ok(!existed)
                }

                async fn bulk_subscribe(&self, site_id: i64, list_id: i64, emails: &[String], now: DateTime<Utc>) -> StoreResult<u64> {
                    let mut added = 0;
                    let (_turn, mut tx) = self.write().await.map_err(map)?;
                    // 500 rows a statement keeps under SQLite's bound-variable limit.
                    for chunk in emails.chunks(500) {
                        let mut q = sqlx::QueryBuilder::new(
                            "INSERT INTO subscribers (site_id, email, email_norm, status, created_at, confirmed_at, updated_at) ");
                        q.push_values(chunk, |mut b, e| {
                            b.push_bind(site_id).push_bind(e).push_bind(e.to_lowercase()).push_bind("active")
                                .push_bind(now).push_bind(now).push_bind(now);
                        });
                        q.push(" ON CONFLICT (site_id, email_norm) DO NOTHING RETURNING id");
                        let ids: Vec<(i64,)> = q.build_query_as().fetch_all(&mut *tx).await.map_err(map)?;
                        if ids.is_empty() {
                            continue;
                        }
                        added += ids.len() as u64;
                        let mut q = sqlx::QueryBuilder::new("INSERT INTO subscriptions (subscriber_id, list_id, created_at) ");
                        q.push_values(&ids, |mut b, (id,)| {
                            b.push_bind(*id).push_bind(list_id).push_bind(now);
                        });
                        q.build().execute(&mut *tx).await.map_err(map)?;
                    }
                    tx.commit().await.map_err(map)?;
                    Ok(added)
                }

                async fn subscribers_page(&self, site_id: i64, after_id: i64, limit: u32) -> StoreResult<Vec<Subscriber>> {
                    let rows: Vec<SubscriberRow> = sqlx::query_as(&format!(
                        "{SUBSCRIBER_SELECT} WHERE site_id = $1 AND id > $2 ORDER BY id LIMIT $3"))
                        .bind(site_id).bind(after_id).bind(i64::from(limit))
                        .fetch_all(&self.pool).await.map_err(map)?;
                    let (Some(first), Some(last)) = (rows.first().map(|r| r.id), rows.last().map(|r| r.id)) else {
                        return Ok(Vec::new());
                    };
                    let subs: Vec<(i64, i64)> = sqlx::query_as(
                        "SELECT subscriber_id, list_id FROM subscriptions \
                         WHERE subscriber_id >= $1 AND subscriber_id <= $2 ORDER BY subscriber_id, list_id")
                        .bind(first).bind(last).fetch_all(&self.pool).await.map_err(map)?;
                    let mut by_id: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
                    for (s, l) in subs {
                        by_id.entry(s).or_default().push(l);
                    }
                    Ok(rows.into_iter().map(|r| {
                        let lists = by_id.remove(&r.id).unwrap_or_default();
                        r.with_lists(lists)
                    }).collect())
                }

                async fn unsubscribe_everywhere(&self, email_norm: &str, now: DateTime<Utc>) -> StoreResult<u64> {
                    let r = sqlx::query("UPDATE subscribers SET status = 'unsubscribed', updated_at = $2 WHERE email_norm = $1")
                        .bind(email_norm).bind(now).execute(&self.pool).await.map_err(map)?;
                    Ok(r.rows_affected())
                }

                async fn suppress(&self, email_norm: &str, reason: &str, now: DateTime<Utc>) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO suppressions (email_norm, reason, created_at) VALUES ($1, $2, $3) \
                         ON CONFLICT (email_norm) DO NOTHING")
                        .bind(email_norm).bind(reason).bind(now).execute(&self.pool).await.map_err(map)?;
                    Ok(())
                }

                async fn is_suppressed(&self, email_norm: &str) -> StoreResult<bool> {
                    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM suppressions WHERE email_norm = $1")
                        .bind(email_norm).fetch_one(&self.pool).await.map_err(map)?;
                    Ok(n > 0)
                }
            }
        }
    };
}
