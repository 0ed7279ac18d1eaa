//! Readership counts: one SQL text for both backends, except the list of
//! ids that [`AnalyticsStore::summaries_by_id`] reads (`$ids`: a subquery
//! turning the JSON array bound as `$1` into rows).

/// The table and bucket column of a grain's rows.
pub(crate) fn table_of(grain: kawaraban_core::analytics::Grain) -> (&'static str, &'static str) {
    use kawaraban_core::analytics::Grain;
    match grain {
        Grain::Minute => ("analytics_minutes", "minute"),
        Grain::Hour => ("analytics_hours", "hour"),
        Grain::Day => ("analytics_days", "day"),
    }
}

/// A span's bounds in its grain's units: `[from, to)`, rounded outwards.
pub(crate) fn bounds(span: &kawaraban_core::analytics::Span) -> (i64, i64) {
    let g = span.grain.minutes();
    (span.from.div_euclid(g), (span.to + g - 1).div_euclid(g))
}

/// The filter every span query shares: `$1`..`$4` are from, to, site and
/// article (0 for all), over the alias `x`.
macro_rules! span_where {
    () => {
        " x.{col} >= $1 AND x.{col} < $2 AND ($3 = 0 OR x.site_id = $3) AND ($4 = 0 OR x.article_id = $4) "
    };
}

macro_rules! impl_analytics_store {
    ($store:path, $db:ty, $ids:literal, $after_counts:literal) => {
        mod analytics_impl {
            use async_trait::async_trait;
            use chrono::{DateTime, Utc};
            use kawaraban_core::analytics::*;
            use kawaraban_core::model::ArticleSummary;
            use kawaraban_core::store::*;
            use kawaraban_core::{StoreError, StoreResult};

            use crate::analytics::{bounds, table_of};
            use crate::error::map;
            use crate::rows::SitedSummaryRow;

            type Tx<'a> = sqlx::Transaction<'a, $db>;

            /// Adds one tally to every grain it belongs in.
            async fn tally_in(tx: &mut Tx<'_>, t: &Tally, minutes: bool) -> StoreResult<()> {
                // An article deleted since it was read has nothing to add
                // to; the rest of the batch still counts.
                let mut grains = vec![(Grain::Hour, "analytics_hours", "hour"), (Grain::Day, "analytics_days", "day")];
                if minutes {
                    grains.insert(0, (Grain::Minute, "analytics_minutes", "minute"));
                }
                for (grain, table, col) in grains {
                    sqlx::query(&format!(
                        "INSERT INTO {table} (article_id, {col}, site_id, views, readers) \
                         SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM articles WHERE id = $1) \
                         ON CONFLICT (article_id, {col}) DO UPDATE SET \
                         views = {table}.views + excluded.views, readers = {table}.readers + excluded.readers"))
                        .bind(t.article_id).bind(grain.bucket(t.minute)).bind(t.site_id).bind(t.views).bind(t.readers)
                        .execute(&mut **tx).await.map_err(map)?;
                }
                // The dashboard's per-site sums: sections and referrers by day.
                let day = Grain::Day.bucket(t.minute);
                sqlx::query(
                    "INSERT INTO analytics_section_days (site_id, day, section_id, views, readers) \
                     SELECT a.site_id, $2, a.section_id, $3, $4 FROM articles a WHERE a.id = $1 \
                     ON CONFLICT (site_id, day, section_id) DO UPDATE SET \
                     views = analytics_section_days.views + excluded.views, \
                     readers = analytics_section_days.readers + excluded.readers")
                    .bind(t.article_id).bind(day).bind(t.views).bind(t.readers)
                    .execute(&mut **tx).await.map_err(map)?;
                for (kind, host, views) in &t.referrers {
                    sqlx::query(
                        "INSERT INTO analytics_site_referrer_days (site_id, day, kind, host, views) \
                         SELECT a.site_id, $2, $3, $4, $5 FROM articles a WHERE a.id = $1 \
                         ON CONFLICT (site_id, day, kind, host) DO UPDATE SET \
                         views = analytics_site_referrer_days.views + excluded.views")
                        .bind(t.article_id).bind(day).bind(i32::from(kind.code())).bind(host).bind(*views)
                        .execute(&mut **tx).await.map_err(map)?;
                }
                let mut grains = vec![("analytics_referrer_days", "day", Grain::Day)];
                if minutes {
                    grains.insert(0, ("analytics_referrers", "minute", Grain::Minute));
                }
                for (kind, host, views) in &t.referrers {
                    for (table, col, grain) in &grains {
                        sqlx::query(&format!(
                            "INSERT INTO {table} (article_id, {col}, kind, host, site_id, views) \
                             SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM articles WHERE id = $1) \
                             ON CONFLICT (article_id, {col}, kind, host) \
                             DO UPDATE SET views = {table}.views + excluded.views"))
                            .bind(t.article_id).bind(grain.bucket(t.minute)).bind(i32::from(kind.code())).bind(host)
                            .bind(t.site_id).bind(*views)
                            .execute(&mut **tx).await.map_err(map)?;
                    }
                }
                Ok(())
            }

            fn ids(site: Option<i64>) -> i64 {
                site.unwrap_or(0)
            }

            #[async_trait]
            impl AnalyticsStore for $store {
                async fn daily_salt(&self, day: i64, fresh: [u8; 32]) -> StoreResult<[u8; 32]> {
                    let (_turn, mut tx) = self.write().await.map_err(map)?;
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
                    use sqlx::Connection as _;
                    let _turn = self.write_turn().await;
                    let mut conn = self.pool.acquire().await.map_err(map)?;
                    let mut tx = conn.begin_with(Self::BEGIN_WRITE).await.map_err(map)?;
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
                        let t = Tally {
                            site_id: c.site_id,
                            article_id: c.article_id,
                            minute: c.minute,
                            views: c.views,
                            readers: new_readers,
                            referrers: c.referrers.clone(),
                        };
                        tally_in(&mut tx, &t, true).await?;
                    }
                    tx.commit().await.map_err(map)?;
                    // The readers' inserts touch pages all over their table;
                    // the connection lets go of its cache of them (SQLite),
                    // so that memory stays flat however many readers come.
                    if !$after_counts.is_empty() {
                        let _ = sqlx::query($after_counts).execute(&mut *conn).await;
                    }
                    Ok(())
                }

                async fn add_tallies(&self, tallies: &[Tally], minutes: bool) -> StoreResult<()> {
                    let (_turn, mut tx) = self.write().await.map_err(map)?;
                    for t in tallies {
                        tally_in(&mut tx, t, minutes).await?;
                    }
                    tx.commit().await.map_err(map)
                }

                async fn readers_since(&self, since: i64) -> StoreResult<Vec<ReadersAt>> {
                    self.counts_in(&Span::all(Grain::Minute, since, i64::MAX / 2)).await
                }

                async fn counts_in(&self, span: &Span) -> StoreResult<Vec<ReadersAt>> {
                    let (table, col) = table_of(span.grain);
                    let (from, to) = bounds(span);
                    let rows: Vec<(i64, i64, i64, i64, i64)> = sqlx::query_as(&format!(
                        concat!("SELECT x.site_id, x.article_id, x.{col}, x.views, x.readers FROM {table} x WHERE",
                                span_where!(), "ORDER BY x.{col}, x.article_id"),
                        table = table, col = col))
                        .bind(from).bind(to).bind(ids(span.site_id)).bind(ids(span.article_id))
                        .fetch_all(&self.pool).await.map_err(map)?;
                    let g = span.grain.minutes();
                    Ok(rows
                        .into_iter()
                        .map(|(site_id, article_id, b, views, readers)| ReadersAt {
                            site_id, article_id, minute: b * g, views, readers,
                        })
                        .collect())
                }

                async fn top_articles(&self, span: &Span, limit: u32) -> StoreResult<Vec<ArticleTotals>> {
                    let (table, col) = table_of(span.grain);
                    let (from, to) = bounds(span);
                    let rows: Vec<(i64, i64, String, String, String, String, i64, i64)> = sqlx::query_as(&format!(
                        concat!("SELECT t.article_id, t.site_id, a.title, s.name, s.slug, a.slug, t.views, t.readers FROM \
                                 (SELECT x.article_id, MIN(x.site_id) AS site_id, CAST(SUM(x.views) AS BIGINT) AS views, \
                                  CAST(SUM(x.readers) AS BIGINT) AS readers FROM {table} x WHERE",
                                span_where!(),
                                "GROUP BY x.article_id ORDER BY readers DESC, views DESC, x.article_id LIMIT $5) t \
                                 JOIN articles a ON a.id = t.article_id JOIN sections s ON s.id = a.section_id \
                                 ORDER BY t.readers DESC, t.views DESC, t.article_id"),
                        table = table, col = col))
                        .bind(from).bind(to).bind(ids(span.site_id)).bind(ids(span.article_id)).bind(i64::from(limit))
                        .fetch_all(&self.pool).await.map_err(map)?;
                    Ok(rows
                        .into_iter()
                        .map(|(article_id, site_id, title, section_name, section, slug, views, readers)| ArticleTotals {
                            article_id, site_id, title, section_name, path: format!("/{section}/{slug}"), views, readers,
                        })
                        .collect())
                }

                async fn series(&self, span: &Span) -> StoreResult<Vec<Bucket>> {
                    let (table, col) = table_of(span.grain);
                    let (from, to) = bounds(span);
                    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(&format!(
                        concat!("SELECT x.{col}, CAST(SUM(x.views) AS BIGINT), CAST(SUM(x.readers) AS BIGINT) FROM {table} x WHERE",
                                span_where!(), "GROUP BY x.{col} ORDER BY x.{col}"),
                        table = table, col = col))
                        .bind(from).bind(to).bind(ids(span.site_id)).bind(ids(span.article_id))
                        .fetch_all(&self.pool).await.map_err(map)?;
                    let g = span.grain.minutes();
                    Ok(rows.into_iter().map(|(b, views, readers)| Bucket { minute: b * g, views, readers }).collect())
                }

                async fn section_totals(&self, span: &Span) -> StoreResult<Vec<(i64, String, i64, i64)>> {
                    // Whole days, from the per-section sums (one article's
                    // section is its own: asked for an article, its row).
                    let (from, to) = bounds(&Span { grain: Grain::Day, ..*span });
                    if let Some(article) = span.article_id {
                        let rows: Vec<(i64, String, i64, i64)> = sqlx::query_as(
                            "SELECT x.site_id, s.name, CAST(SUM(x.views) AS BIGINT), CAST(SUM(x.readers) AS BIGINT) \
                             FROM analytics_days x JOIN articles a ON a.id = x.article_id JOIN sections s ON s.id = a.section_id \
                             WHERE x.article_id = $1 AND x.day >= $2 AND x.day < $3 GROUP BY x.site_id, s.name")
                            .bind(article).bind(from).bind(to)
                            .fetch_all(&self.pool).await.map_err(map)?;
                        return Ok(rows);
                    }
                    let rows: Vec<(i64, String, i64, i64)> = sqlx::query_as(
                        "SELECT x.site_id, s.name, CAST(SUM(x.views) AS BIGINT) AS views, CAST(SUM(x.readers) AS BIGINT) \
                         FROM analytics_section_days x JOIN sections s ON s.id = x.section_id \
                         WHERE x.day >= $1 AND x.day < $2 AND ($3 = 0 OR x.site_id = $3) \
                         GROUP BY x.site_id, s.name ORDER BY views DESC, s.name")
                        .bind(from).bind(to).bind(ids(span.site_id))
                        .fetch_all(&self.pool).await.map_err(map)?;
                    Ok(rows)
                }

                async fn referrer_totals(&self, span: &Span) -> StoreResult<Vec<(RefKind, String, i64)>> {
                    let (from, to) = bounds(&Span { grain: Grain::Day, ..*span });
                    let rows: Vec<(i32, String, i64)> = match span.article_id {
                        Some(article) => sqlx::query_as(
                            "SELECT kind, host, CAST(SUM(views) AS BIGINT) AS views FROM analytics_referrer_days \
                             WHERE article_id = $1 AND day >= $2 AND day < $3 \
                             GROUP BY kind, host ORDER BY views DESC, kind, host")
                            .bind(article).bind(from).bind(to)
                            .fetch_all(&self.pool).await.map_err(map)?,
                        None => sqlx::query_as(
                            "SELECT kind, host, CAST(SUM(views) AS BIGINT) AS views FROM analytics_site_referrer_days \
                             WHERE day >= $1 AND day < $2 AND ($3 = 0 OR site_id = $3) \
                             GROUP BY kind, host ORDER BY views DESC, kind, host")
                            .bind(from).bind(to).bind(ids(span.site_id))
                            .fetch_all(&self.pool).await.map_err(map)?,
                    };
                    Ok(rows
                        .into_iter()
                        .filter_map(|(k, host, views)| RefKind::from_code(k.into()).map(|k| (k, host, views)))
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

                async fn prune_counts(&self, minutes_before: i64, hours_before: i64) -> StoreResult<u64> {
                    let (_turn, mut tx) = self.write().await.map_err(map)?;
                    let mut n = 0;
                    for (sql, at) in [
                        ("DELETE FROM analytics_minutes WHERE minute < $1", minutes_before),
                        ("DELETE FROM analytics_referrers WHERE minute < $1", minutes_before),
                        ("DELETE FROM analytics_hours WHERE hour < $1", hours_before.div_euclid(60)),
                    ] {
                        n += sqlx::query(sql).bind(at).execute(&mut *tx).await.map_err(map)?.rows_affected();
                    }
                    tx.commit().await.map_err(map)?;
                    Ok(n)
                }

                async fn trending_picks(&self) -> StoreResult<Vec<(i64, bool)>> {
                    sqlx::query_as("SELECT article_id, pinned FROM trending_picks ORDER BY created_at DESC, article_id")
                        .fetch_all(&self.pool).await.map_err(map)
                }

                async fn set_trending_pick(
                    &self,
                    article_id: i64,
                    pick: Option<bool>,
                    member_id: Option<i64>,
                    now: DateTime<Utc>,
                ) -> StoreResult<()> {
                    match pick {
                        None => {
                            sqlx::query("DELETE FROM trending_picks WHERE article_id = $1")
                                .bind(article_id).execute(&self.pool).await.map_err(map)?;
                        }
                        Some(pinned) => {
                            sqlx::query(
                                "INSERT INTO trending_picks (article_id, pinned, member_id, created_at) \
                                 SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM articles WHERE id = $1) \
                                 ON CONFLICT (article_id) DO UPDATE SET pinned = excluded.pinned, \
                                 member_id = excluded.member_id, created_at = excluded.created_at")
                                .bind(article_id).bind(pinned).bind(member_id).bind(now)
                                .execute(&self.pool).await.map_err(map)?;
                        }
                    }
                    Ok(())
                }

                async fn trending_settings(&self) -> StoreResult<Vec<(i64, i64, i64)>> {
                    sqlx::query_as("SELECT site_id, half_life_minutes, max_age_days FROM trending_settings ORDER BY site_id")
                        .fetch_all(&self.pool).await.map_err(map)
                }

                async fn set_trending_settings(&self, site_id: i64, half_life_minutes: i64, max_age_days: i64) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO trending_settings (site_id, half_life_minutes, max_age_days) VALUES ($1, $2, $3) \
                         ON CONFLICT (site_id) DO UPDATE SET half_life_minutes = excluded.half_life_minutes, \
                         max_age_days = excluded.max_age_days")
                        .bind(site_id).bind(half_life_minutes).bind(max_age_days)
                        .execute(&self.pool).await.map_err(map)?;
                    Ok(())
                }

                async fn summaries_by_id(&self, ids: &[i64], now: DateTime<Utc>) -> StoreResult<Vec<(i64, ArticleSummary)>> {
                    if ids.is_empty() {
                        return Ok(Vec::new());
                    }
                    let list = serde_json::to_string(ids).map_err(|e| StoreError::Other(e.to_string()))?;
                    let rows: Vec<SitedSummaryRow> = sqlx::query_as(concat!(
                        "SELECT a.site_id, ", summary_columns!(), " FROM articles a", article_joins!(),
                        "WHERE a.id IN (", $ids, ") AND", visible!()))
                        .bind(list).bind(now)
                        .fetch_all(&self.pool).await.map_err(map)?;
                    Ok(rows.into_iter().map(|r| (r.site_id, r.summary.into_summary(None))).collect())
                }
            }
        }
    };
}
