//! Readership counts: one SQL text for both backends.

macro_rules! impl_analytics_store {
    ($store:path) => {
        mod analytics_impl {
            use async_trait::async_trait;
            use kawaraban_core::analytics::{MinuteCounts, ReadersAt, RefKind};
            use kawaraban_core::store::*;
            use kawaraban_core::{StoreError, StoreResult};

            use crate::error::map;

            #[async_trait]
            impl AnalyticsStore for $store {
                async fn daily_salt(&self, day: i64, fresh: [u8; 32]) -> StoreResult<[u8; 32]> {
                    let mut tx = self.pool.begin().await.map_err(map)?;
                    sqlx::query("DELETE FROM analytics_salts WHERE day < $1")
                        .bind(day).execute(&mut *tx).await.map_err(map)?;
                    sqlx::query("INSERT INTO analytics_salts (day, secret) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING")
                        .bind(day).bind(fresh.to_vec()).execute(&mut *tx).await.map_err(map)?;
                    let (secret,): (Vec<u8>,) = sqlx::query_as("SELECT secret FROM analytics_salts WHERE day = $1")
                        .bind(day).fetch_one(&mut *tx).await.map_err(map)?;
                    tx.commit().await.map_err(map)?;
                    secret.try_into().map_err(|_| StoreError::Other("a stored salt is not 32 bytes".into()))
                }

                async fn add_counts(&self, counts: &[MinuteCounts]) -> StoreResult<()> {
                    let mut tx = self.pool.begin().await.map_err(map)?;
                    for c in counts {
                        let mut new_readers = 0i64;
                        for r in &c.readers {
                            let done = sqlx::query(
                                "INSERT INTO analytics_readers (day, article_id, reader) VALUES ($1, $2, $3) \
                                 ON CONFLICT DO NOTHING")
                                .bind(c.day()).bind(c.article_id).bind(*r)
                                .execute(&mut *tx).await.map_err(map)?;
                            new_readers += done.rows_affected() as i64;
                        }
                        // An article deleted since it was read has nothing to add
                        // to; the rest of the batch still counts.
                        sqlx::query(
                            "INSERT INTO analytics_minutes (article_id, minute, site_id, views, readers) \
                             SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM articles WHERE id = $1) \
                             ON CONFLICT (article_id, minute) DO UPDATE SET \
                             views = analytics_minutes.views + excluded.views, \
                             readers = analytics_minutes.readers + excluded.readers")
                            .bind(c.article_id).bind(c.minute).bind(c.site_id).bind(c.views).bind(new_readers)
                            .execute(&mut *tx).await.map_err(map)?;
                        for (kind, host, views) in &c.referrers {
                            sqlx::query(
                                "INSERT INTO analytics_referrers (article_id, minute, kind, host, site_id, views) \
                                 SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM articles WHERE id = $1) \
                                 ON CONFLICT (article_id, minute, kind, host) \
                                 DO UPDATE SET views = analytics_referrers.views + excluded.views")
                                .bind(c.article_id).bind(c.minute).bind(i32::from(kind.code())).bind(host)
                                .bind(c.site_id).bind(*views)
                                .execute(&mut *tx).await.map_err(map)?;
                        }
                    }
                    tx.commit().await.map_err(map)
                }

                async fn readers_since(&self, since: i64) -> StoreResult<Vec<ReadersAt>> {
                    let rows: Vec<(i64, i64, i64, i64, i64)> = sqlx::query_as(
                        "SELECT site_id, article_id, minute, views, readers FROM analytics_minutes \
                         WHERE minute >= $1 ORDER BY minute, article_id")
                        .bind(since).fetch_all(&self.pool).await.map_err(map)?;
                    Ok(rows
                        .into_iter()
                        .map(|(site_id, article_id, minute, views, readers)| ReadersAt {
                            site_id, article_id, minute, views, readers,
                        })
                        .collect())
                }

                async fn referrers_since(&self, article_id: i64, since: i64) -> StoreResult<Vec<(RefKind, String, i64)>> {
                    let rows: Vec<(i32, String, i64)> = sqlx::query_as(
                        "SELECT kind, host, CAST(SUM(views) AS BIGINT) AS views FROM analytics_referrers \
                         WHERE article_id = $1 AND minute >= $2 GROUP BY kind, host ORDER BY views DESC, kind, host")
                        .bind(article_id).bind(since).fetch_all(&self.pool).await.map_err(map)?;
                    Ok(rows
                        .into_iter()
                        .filter_map(|(k, host, views)| RefKind::from_code(k.into()).map(|k| (k, host, views)))
                        .collect())
                }

                async fn prune_readers(&self, before_day: i64) -> StoreResult<u64> {
                    let done = sqlx::query("DELETE FROM analytics_readers WHERE day < $1")
                        .bind(before_day).execute(&self.pool).await.map_err(map)?;
                    Ok(done.rows_affected())
                }
            }
        }
    };
}
