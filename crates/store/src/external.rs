//! External sister sites and their feed items: one SQL text for both backends.

macro_rules! impl_external_store {
    ($store:path) => {
        mod external_impl {
            use async_trait::async_trait;
            use chrono::{DateTime, Utc};
            use kawaraban_core::model::{ExternalItem, ExternalSite, NewExternalItem};
            use kawaraban_core::store::*;
            use kawaraban_core::StoreResult;

            use crate::error::map;

            type SiteRow = (i64, String, String, String, Option<DateTime<Utc>>, String);
            type ItemRow = (i64, i64, String, String, DateTime<Utc>);

            fn site((id, key, name, feed_url, fetched_at, last_error): SiteRow) -> ExternalSite {
                ExternalSite { id, key, name, feed_url, fetched_at, last_error }
            }

            fn item((id, external_site_id, url, title, published_at): ItemRow) -> ExternalItem {
                ExternalItem { id, external_site_id, url, title, published_at }
            }

            const SITE: &str = "SELECT id, key, name, feed_url, fetched_at, last_error FROM external_sites";
            const ITEM: &str = "SELECT id, external_site_id, url, title, published_at FROM external_items";

            #[async_trait]
            impl ExternalStore for $store {
                async fn add_external_site(&self, key: &str, name: &str, feed_url: &str) -> StoreResult<ExternalSite> {
                    sqlx::query(
                        "INSERT INTO external_sites (key, name, feed_url) VALUES ($1, $2, $3) \
                         ON CONFLICT (key) DO UPDATE SET name = excluded.name, feed_url = excluded.feed_url")
                        .bind(key).bind(name).bind(feed_url)
                        .execute(&self.pool).await.map_err(map)?;
                    let row: SiteRow = sqlx::query_as(&format!("{SITE} WHERE key = $1"))
                        .bind(key).fetch_one(&self.pool).await.map_err(map)?;
                    Ok(site(row))
                }

                async fn external_sites(&self) -> StoreResult<Vec<ExternalSite>> {
                    let rows: Vec<SiteRow> = sqlx::query_as(&format!("{SITE} ORDER BY key"))
                        .fetch_all(&self.pool).await.map_err(map)?;
                    Ok(rows.into_iter().map(site).collect())
                }

                async fn remove_external_site(&self, key: &str) -> StoreResult<bool> {
                    let done = sqlx::query("DELETE FROM external_sites WHERE key = $1")
                        .bind(key).execute(&self.pool).await.map_err(map)?;
                    Ok(done.rows_affected() > 0)
                }

                async fn claim_external_fetch(&self, id: i64, now: DateTime<Utc>, stale_before: DateTime<Utc>) -> StoreResult<bool> {
                    let done = sqlx::query(
                        "UPDATE external_sites SET fetched_at = $2 WHERE id = $1 \
                         AND (fetched_at IS NULL OR fetched_at < $3)")
                        .bind(id).bind(now).bind(stale_before)
                        .execute(&self.pool).await.map_err(map)?;
                    Ok(done.rows_affected() > 0)
                }

                async fn save_external_fetch(&self, id: i64, result: Result<&[NewExternalItem], &str>, keep: u32) -> StoreResult<()> {
                    let (_turn, mut tx) = self.write().await.map_err(map)?;
                    match result {
                        Err(why) => {
                            sqlx::query("UPDATE external_sites SET last_error = $2 WHERE id = $1")
                                .bind(id).bind(why).execute(&mut *tx).await.map_err(map)?;
                        }
                        Ok(items) => {
                            for i in items {
                                sqlx::query(
                                    "INSERT INTO external_items (external_site_id, guid, url, title, published_at) \
                                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (external_site_id, guid) DO UPDATE SET \
                                     url = excluded.url, title = excluded.title, published_at = excluded.published_at")
                                    .bind(id).bind(&i.guid).bind(&i.url).bind(&i.title).bind(i.published_at)
                                    .execute(&mut *tx).await.map_err(map)?;
                            }
                            sqlx::query(
                                "DELETE FROM external_items WHERE external_site_id = $1 AND id NOT IN \
                                 (SELECT id FROM external_items WHERE external_site_id = $1 \
                                  ORDER BY published_at DESC, id DESC LIMIT $2)")
                                .bind(id).bind(i64::from(keep)).execute(&mut *tx).await.map_err(map)?;
                            sqlx::query("UPDATE external_sites SET last_error = '' WHERE id = $1")
                                .bind(id).execute(&mut *tx).await.map_err(map)?;
                        }
                    }
                    tx.commit().await.map_err(map)
                }

                async fn external_items(&self, since: DateTime<Utc>) -> StoreResult<Vec<ExternalItem>> {
                    let rows: Vec<ItemRow> = sqlx::query_as(&format!(
                        "{ITEM} WHERE published_at >= $1 ORDER BY published_at DESC, id DESC"))
                        .bind(since).fetch_all(&self.pool).await.map_err(map)?;
                    Ok(rows.into_iter().map(item).collect())
                }

                async fn external_item(&self, id: i64) -> StoreResult<Option<ExternalItem>> {
                    let row: Option<ItemRow> = sqlx::query_as(&format!("{ITEM} WHERE id = $1"))
                        .bind(id).fetch_optional(&self.pool).await.map_err(map)?;
                    Ok(row.map(item))
                }

                async fn add_external_click(&self, item_id: i64, hour: i64) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO external_clicks (item_id, hour, clicks) \
                         SELECT $1, $2, 1 WHERE EXISTS (SELECT 1 FROM external_items WHERE id = $1) \
                         ON CONFLICT (item_id, hour) DO UPDATE SET clicks = external_clicks.clicks + 1")
                        .bind(item_id).bind(hour).execute(&self.pool).await.map_err(map)?;
                    Ok(())
                }

                async fn external_clicks(&self, since: i64) -> StoreResult<Vec<(i64, i64, i64)>> {
                    sqlx::query_as("SELECT item_id, hour, clicks FROM external_clicks WHERE hour >= $1 ORDER BY hour, item_id")
                        .bind(since).fetch_all(&self.pool).await.map_err(map)
                }
            }
        }
    };
}
