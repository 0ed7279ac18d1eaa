//! The trait implementations whose SQL is the same for SQLite and
//! PostgreSQL, written once and stamped out for each backend by
//! [`impl_common_store!`]. Each backend supplies `self.pool` and an inherent
//! `search_dialect` method for full-text search.

macro_rules! impl_common_store {
    ($store:ty, $db:ty, $backend:literal) => {
        use async_trait::async_trait;
        use chrono::{DateTime, Utc};
        use kawaraban_core::model::*;
        use kawaraban_core::paging::{PageRequest, Paged};
        use kawaraban_core::slug::slugify;
        use kawaraban_core::store::*;
        use kawaraban_core::StoreResult;

        use crate::error::map;
        use crate::rows::*;

        /// Creates or updates one article inside the caller's transaction.
        async fn upsert_in(tx: &mut sqlx::Transaction<'_, $db>, a: &ArticleInput, now: DateTime<Utc>) -> StoreResult<Upserted> {
            let existing: Option<(i64,)> = sqlx::query_as(crate::sql::ARTICLE_ID_BY_SLUG)
                .bind(a.site_id)
                .bind(&a.slug)
                .fetch_optional(&mut **tx)
                .await
                .map_err(map)?;
            let (id,): (i64,) = sqlx::query_as(crate::sql::UPSERT_ARTICLE)
            .bind(a.site_id)
            .bind(a.section_id)
            .bind(&a.slug)
            .bind(&a.title)
            .bind(&a.summary)
            .bind(&a.dateline)
            .bind(&a.body_markdown)
            .bind(&a.body_html)
            .bind(&a.body_text)
            .bind(&a.source)
            .bind(&a.copyright)
            .bind(a.status.as_str())
            .bind(a.published_at)
            .bind(a.updated_at)
            .bind(a.featured)
            .bind(a.breaking)
            .bind(a.image_id)
            .bind(&a.image_caption)
            .bind(&a.image_credit)
            .bind(&a.image_alt)
            .bind(&a.origin)
            .bind(now)
            .fetch_one(&mut **tx)
            .await
            .map_err(map)?;

            link_labels(tx, id, a.site_id, &a.authors, &a.tags, existing.is_some()).await?;
            Ok(Upserted { id, created: existing.is_none() })
        }


        /// Gives article `id` its authors (in byline order) and tags, by
        /// name, made on the way; `replace` clears the ones it had first
        /// (a new article has none to clear).
        async fn link_labels(
            tx: &mut sqlx::Transaction<'_, $db>,
            id: i64,
            site_id: i64,
            authors: &[String],
            tags: &[String],
            replace: bool,
        ) -> StoreResult<()> {
            if replace {
                sqlx::query(crate::sql::CLEAR_ARTICLE_AUTHORS).bind(id).execute(&mut **tx).await.map_err(map)?;
                sqlx::query(crate::sql::CLEAR_ARTICLE_TAGS).bind(id).execute(&mut **tx).await.map_err(map)?;
            }
            for (position, name) in authors.iter().enumerate() {
                let (author_id,): (i64,) = sqlx::query_as(crate::sql::UPSERT_AUTHOR)
                .bind(slugify(name))
                .bind(name)
                .fetch_one(&mut **tx)
                .await
                .map_err(map)?;
                sqlx::query(crate::sql::LINK_AUTHOR)
                    .bind(id)
                    .bind(author_id)
                    .bind(position as i64)
                    .execute(&mut **tx)
                    .await
                    .map_err(map)?;
            }
            for (position, name) in tags.iter().enumerate() {
                let (tag_id,): (i64,) = sqlx::query_as(crate::sql::UPSERT_TAG)
                .bind(site_id)
                .bind(slugify(name))
                .bind(name)
                .fetch_one(&mut **tx)
                .await
                .map_err(map)?;
                sqlx::query(crate::sql::LINK_TAG)
                    .bind(id)
                    .bind(tag_id)
                    .bind(position as i64)
                    .execute(&mut **tx)
                    .await
                    .map_err(map)?;
            }
            Ok(())
        }

        #[async_trait]
        impl SiteStore for $store {
            async fn list_sites(&self) -> StoreResult<Vec<Site>> {
                let rows: Vec<SiteRow> = sqlx::query_as(
                    "SELECT id, key, name, url, time_zone, publisher, tagline, is_default FROM sites ORDER BY id",
                )
                .fetch_all(&self.pool)
                .await
                .map_err(map)?;
                Ok(rows.into_iter().map(Site::from).collect())
            }

            async fn update_section(&self, site_id: i64, slug: &str, name: &str, position: i64) -> StoreResult<bool> {
                let done = sqlx::query("UPDATE sections SET name = $3, position = $4 WHERE site_id = $1 AND slug = $2")
                    .bind(site_id)
                    .bind(slug)
                    .bind(name.trim())
                    .bind(position)
                    .execute(&self.pool)
                    .await
                    .map_err(map)?;
                Ok(done.rows_affected() > 0)
            }

            async fn upsert_site(&self, site: &NewSite) -> StoreResult<Site> {
                let (_turn, mut tx) = self.write().await.map_err(map)?;
                if site.is_default {
                    sqlx::query("UPDATE sites SET is_default = FALSE WHERE key <> $1")
                        .bind(&site.key)
                        .execute(&mut *tx)
                        .await
                        .map_err(map)?;
                }
                let row: SiteRow = sqlx::query_as(
                    "INSERT INTO sites (key, name, url, time_zone, publisher, tagline, is_default, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT (key) DO UPDATE SET name = excluded.name, url = excluded.url, \
                       time_zone = excluded.time_zone, publisher = excluded.publisher, \
                       tagline = excluded.tagline, is_default = excluded.is_default \
                     RETURNING id, key, name, url, time_zone, publisher, tagline, is_default",
                )
                .bind(&site.key)
                .bind(site.name.trim())
                .bind(site.normalized_url())
                .bind(&site.time_zone)
                .bind(site.publisher.trim())
                .bind(site.tagline.trim())
                .bind(site.is_default)
                .bind(Utc::now())
                .fetch_one(&mut *tx)
                .await
                .map_err(map)?;
                tx.commit().await.map_err(map)?;
                Ok(row.into())
            }

            async fn list_sections(&self) -> StoreResult<Vec<Section>> {
                let rows: Vec<SectionRow> = sqlx::query_as(
                    "SELECT id, site_id, slug, name, position FROM sections ORDER BY site_id, position, id",
                )
                .fetch_all(&self.pool)
                .await
                .map_err(map)?;
                Ok(rows.into_iter().map(Section::from).collect())
            }

            async fn ensure_section(&self, site_id: i64, slug: &str, name: &str) -> StoreResult<(Section, bool)> {
                let inserted: Option<SectionRow> = sqlx::query_as(
                    "INSERT INTO sections (site_id, slug, name, position) \
                     VALUES ($1, $2, $3, (SELECT COALESCE(MAX(position), 0) + 1 FROM sections WHERE site_id = $1)) \
                     ON CONFLICT (site_id, slug) DO NOTHING \
                     RETURNING id, site_id, slug, name, position",
                )
                .bind(site_id)
                .bind(slug)
                .bind(name)
                .fetch_optional(&self.pool)
                .await
                .map_err(map)?;
                if let Some(row) = inserted {
                    return Ok((row.into(), true));
                }
                let row: SectionRow = sqlx::query_as(
                    "SELECT id, site_id, slug, name, position FROM sections WHERE site_id = $1 AND slug = $2",
                )
                .bind(site_id)
                .bind(slug)
                .fetch_one(&self.pool)
                .await
                .map_err(map)?;
                Ok((row.into(), false))
            }
        }

        #[async_trait]
        impl ArticleStore for $store {
            async fn upsert_article(&self, a: &ArticleInput) -> StoreResult<Upserted> {
                let (_turn, mut tx) = self.write().await.map_err(map)?;
                let done = upsert_in(&mut tx, a, Utc::now()).await?;
                tx.commit().await.map_err(map)?;
                Ok(done)
            }

            async fn upsert_articles(&self, articles: &[ArticleInput]) -> StoreResult<u64> {
                let now = Utc::now();
                if let Some(n) = self.bulk_upsert(articles, now).await? {
                    return Ok(n);
                }
                let (_turn, mut tx) = self.write().await.map_err(map)?;
                for a in articles {
                    upsert_in(&mut tx, a, now).await?;
                }
                tx.commit().await.map_err(map)?;
                Ok(articles.len() as u64)
            }

            async fn article_by_slug(&self, site_id: i64, slug: &str, now: DateTime<Utc>) -> StoreResult<Option<Article>> {
                self.read_article_by_slug(site_id, slug, now).await
            }

            async fn list_articles(
                &self,
                site_id: i64,
                filter: ListFilter,
                page: PageRequest,
                now: DateTime<Utc>,
            ) -> StoreResult<Paged<ArticleSummary>> {
                self.read_list_articles(site_id, filter, page, now).await
            }

            async fn count_articles(&self, site_id: i64, filter: ListFilter, now: DateTime<Utc>) -> StoreResult<u64> {
                self.read_count_articles(site_id, filter, now).await
            }

            async fn articles_by_ids(&self, site_id: i64, ids: &[i64], now: DateTime<Utc>) -> StoreResult<Vec<Article>> {
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                let mut found = self.read_articles_by_ids(site_id, ids, now).await?;
                found.sort_by_key(|a| ids.iter().position(|id| *id == a.id));
                Ok(found)
            }

            async fn search(
                &self,
                site_id: i64,
                query: &str,
                page: PageRequest,
                now: DateTime<Utc>,
            ) -> StoreResult<Paged<ArticleSummary>> {
                Ok(Paged::from_overfetch(self.search_dialect(site_id, query, page, now).await?, page))
            }

            async fn tag_by_slug(&self, site_id: i64, slug: &str) -> StoreResult<Option<Tag>> {
                self.read_tag_by_slug(site_id, slug).await
            }

            async fn author_by_slug(&self, slug: &str) -> StoreResult<Option<Person>> {
                self.read_author_by_slug(slug).await
            }

            async fn site_tags(&self, site_id: i64, now: DateTime<Utc>) -> StoreResult<Vec<Tag>> {
                let rows: Vec<(i64, String, String)> = sqlx::query_as(concat!(
                    "SELECT DISTINCT t.id, t.slug, t.name FROM tags t \
                     JOIN article_tags x ON x.tag_id = t.id JOIN articles a ON a.id = x.article_id \
                     WHERE t.site_id = $1 AND a.site_id = $1 AND",
                    visible!(),
                    "ORDER BY t.name, t.id"
                ))
                .bind(site_id)
                .bind(now)
                .fetch_all(&self.pool)
                .await
                .map_err(map)?;
                Ok(rows.into_iter().map(|(id, slug, name)| Tag { id, slug, name }).collect())
            }

            async fn site_authors(&self, site_id: i64, now: DateTime<Utc>) -> StoreResult<Vec<Person>> {
                let rows: Vec<(i64, String, String)> = sqlx::query_as(concat!(
                    "SELECT DISTINCT p.id, p.slug, p.name FROM authors p \
                     JOIN article_authors x ON x.author_id = p.id JOIN articles a ON a.id = x.article_id \
                     WHERE a.site_id = $1 AND",
                    visible!(),
                    "ORDER BY p.name, p.id"
                ))
                .bind(site_id)
                .bind(now)
                .fetch_all(&self.pool)
                .await
                .map_err(map)?;
                Ok(rows.into_iter().map(|(id, slug, name)| Person { id, slug, name }).collect())
            }


            async fn count_published(&self, site_id: i64, now: DateTime<Utc>) -> StoreResult<u64> {
                let (n,): (i64,) = sqlx::query_as(concat!("SELECT COUNT(*) FROM articles a WHERE a.site_id = $1 AND", visible!()))
                    .bind(site_id)
                    .bind(now)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(map)?;
                Ok(n as u64)
            }

            async fn sitemap_entries(
                &self,
                site_id: i64,
                offset: u64,
                limit: u32,
                since: Option<DateTime<Utc>>,
                now: DateTime<Utc>,
            ) -> StoreResult<Vec<SitemapEntry>> {
                const COLS: &str = "SELECT s.slug AS section_slug, a.slug, a.title, a.published_at, \
                    COALESCE(a.updated_at, a.published_at) AS modified_at FROM articles a JOIN sections s ON s.id = a.section_id ";
                let rows: Vec<SitemapRow> = match since {
                    None => sqlx::query_as(&format!(
                        "{COLS} WHERE a.site_id = $1 AND {} ORDER BY a.id LIMIT $3 OFFSET $4",
                        visible!()
                    ))
                    .bind(site_id)
                    .bind(now)
                    .bind(i64::from(limit))
                    .bind(offset as i64)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map)?,
                    Some(since) => sqlx::query_as(&format!(
                        "{COLS} WHERE a.site_id = $1 AND {} AND a.published_at >= $3 \
                         ORDER BY a.published_at DESC, a.id DESC LIMIT $4",
                        visible!()
                    ))
                    .bind(site_id)
                    .bind(now)
                    .bind(since)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map)?,
                };
                Ok(rows.into_iter().map(SitemapEntry::from).collect())
            }
        }

        #[async_trait]
        impl MediaStore for $store {
            async fn put_image(&self, image: &NewImage) -> StoreResult<Image> {
                let widths = image.widths.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
                let row: ImageRow = sqlx::query_as(
                    "INSERT INTO images (hash, width, height, widths, ext, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (hash) DO UPDATE SET widths = excluded.widths, ext = excluded.ext \
                     RETURNING id, hash, width, height, widths, ext",
                )
                .bind(&image.hash)
                .bind(i64::from(image.width))
                .bind(i64::from(image.height))
                .bind(widths)
                .bind(&image.ext)
                .bind(Utc::now())
                .fetch_one(&self.pool)
                .await
                .map_err(map)?;
                Ok(row.into())
            }

            async fn image_by_hash(&self, hash: &str) -> StoreResult<Option<Image>> {
                let row: Option<ImageRow> =
                    sqlx::query_as("SELECT id, hash, width, height, widths, ext FROM images WHERE hash = $1")
                        .bind(hash)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(map)?;
                Ok(row.map(Image::from))
            }
        }

        #[async_trait]
        impl CacheEvents for $store {
            async fn publish_invalidations(&self, tags: &[String]) -> StoreResult<()> {
                let now = Utc::now();
                let (_turn, mut tx) = self.write().await.map_err(map)?;
                for tag in tags {
                    sqlx::query("INSERT INTO cache_invalidations (tag, created_at) VALUES ($1, $2)")
                        .bind(tag)
                        .bind(now)
                        .execute(&mut *tx)
                        .await
                        .map_err(map)?;
                }
                Self::announce(&mut tx).await?;
                tx.commit().await.map_err(map)
            }

            async fn wait_for_change(&self, seen: u64, timeout: std::time::Duration) -> u64 {
                self.changes.wait(seen, timeout).await
            }

            fn commit_mark(&self) -> Option<u64> {
                self.read_commit_mark()
            }

            async fn invalidations_since(&self, after_id: i64) -> StoreResult<Vec<(i64, String)>> {
                sqlx::query_as("SELECT id, tag FROM cache_invalidations WHERE id > $1 ORDER BY id LIMIT 10000")
                    .bind(after_id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map)
            }

            async fn latest_invalidation_id(&self) -> StoreResult<i64> {
                let (id,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM cache_invalidations")
                    .fetch_one(&self.pool)
                    .await
                    .map_err(map)?;
                Ok(id)
            }

            async fn prune_invalidations(&self, before: DateTime<Utc>) -> StoreResult<u64> {
                let done = sqlx::query("DELETE FROM cache_invalidations WHERE created_at < $1")
                    .bind(before)
                    .execute(&self.pool)
                    .await
                    .map_err(map)?;
                Ok(done.rows_affected())
            }
        }

        #[async_trait]
        impl Health for $store {
            async fn ping(&self) -> StoreResult<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await.map_err(map)?;
                Ok(())
            }

            fn backend(&self) -> &'static str {
                $backend
            }
        }
    };
}

/// The hot read paths written with sqlx, as inherent methods. PostgreSQL uses
/// them; SQLite has its own (`sqlite_read.rs`), because sqlx's SQLite driver
/// costs tens of microseconds per query in thread hand-offs.
macro_rules! impl_sqlx_reads {
    ($store:ty) => {
        impl $store {
            pub(crate) async fn read_lists(
                &self,
                site_id: i64,
            ) -> StoreResult<Vec<kawaraban_core::model::MailingList>> {
                let rows: Vec<crate::newsletters::ListRow> =
                    sqlx::query_as(crate::newsletters::SITE_LISTS)
                        .bind(site_id)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(map)?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            pub(crate) async fn read_top_comments(
                &self,
                article_id: i64,
                sort: kawaraban_core::model::CommentSort,
                after: Option<kawaraban_core::model::CommentCursor>,
                limit: u32,
            ) -> StoreResult<Vec<kawaraban_core::model::Comment>> {
                let (key, id) = crate::comments::top_start(sort, after);
                let rows: Vec<crate::comments::CommentRow> =
                    sqlx::query_as(&crate::comments::top_sql(sort))
                        .bind(article_id)
                        .bind(key)
                        .bind(id)
                        .bind(i64::from(limit))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(map)?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            pub(crate) async fn read_replies(
                &self,
                parent_ids: &[i64],
            ) -> StoreResult<Vec<kawaraban_core::model::Comment>> {
                let sql = crate::comments::replies_sql(parent_ids.len());
                let mut q = sqlx::query_as::<_, crate::comments::CommentRow>(&sql);
                for id in parent_ids {
                    q = q.bind(*id);
                }
                let rows = q.fetch_all(&self.pool).await.map_err(map)?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            pub(crate) async fn read_article_by_slug(
                &self,
                site_id: i64,
                slug: &str,
                now: DateTime<Utc>,
            ) -> StoreResult<Option<Article>> {
                let row: Option<ArticleRow> = sqlx::query_as(crate::sql::ARTICLE_BY_SLUG)
                    .bind(site_id)
                    .bind(now)
                    .bind(slug)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map)?;
                let Some(row) = row else { return Ok(None) };
                let labels: Vec<LabelRow> = sqlx::query_as(crate::sql::ARTICLE_LABELS)
                    .bind(row.id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map)?;
                let (authors, tags) = split_labels(labels);
                Ok(Some(row.into_article(authors, tags)))
            }

            pub(crate) async fn read_count_articles(
                &self,
                site_id: i64,
                filter: ListFilter,
                now: DateTime<Utc>,
            ) -> StoreResult<u64> {
                let (sql, filter_id) = crate::sql::count_sql(filter);
                let mut q = sqlx::query_as::<_, (i64,)>(sql.as_str())
                    .bind(site_id)
                    .bind(now);
                if let Some(id) = filter_id {
                    q = q.bind(id);
                }
                let (n,) = q.fetch_one(&self.pool).await.map_err(map)?;
                Ok(n as u64)
            }

            pub(crate) async fn read_articles_by_ids(
                &self,
                site_id: i64,
                ids: &[i64],
                now: DateTime<Utc>,
            ) -> StoreResult<Vec<Article>> {
                let sql = crate::sql::articles_by_ids_sql(ids.len());
                let mut q = sqlx::query_as::<_, ArticleRow>(&sql)
                    .bind(site_id)
                    .bind(now);
                for id in ids {
                    q = q.bind(*id);
                }
                let rows = q.fetch_all(&self.pool).await.map_err(map)?;
                let sql = crate::sql::labels_by_ids_sql(ids.len());
                let mut q = sqlx::query_as::<_, crate::rows::ArticleLabelRow>(&sql);
                for id in ids {
                    q = q.bind(*id);
                }
                let labels = q.fetch_all(&self.pool).await.map_err(map)?;
                Ok(crate::rows::with_labels(rows, labels))
            }

            pub(crate) async fn read_list_articles(
                &self,
                site_id: i64,
                filter: ListFilter,
                page: PageRequest,
                now: DateTime<Utc>,
            ) -> StoreResult<Paged<ArticleSummary>> {
                let (sql, filter_id) = crate::sql::list_sql(filter);
                let mut q = sqlx::query_as::<_, SummaryRow>(sql.as_str())
                    .bind(site_id)
                    .bind(now)
                    .bind(i64::from(page.fetch_limit()))
                    .bind(page.offset() as i64);
                if let Some(id) = filter_id {
                    q = q.bind(id);
                }
                let rows = q.fetch_all(&self.pool).await.map_err(map)?;
                Ok(Paged::from_overfetch(
                    rows.into_iter().map(|r| r.into_summary(None)).collect(),
                    page,
                ))
            }

            pub(crate) async fn read_tag_by_slug(
                &self,
                site_id: i64,
                slug: &str,
            ) -> StoreResult<Option<Tag>> {
                let row: Option<(i64, String, String)> = sqlx::query_as(
                    "SELECT id, slug, name FROM tags WHERE site_id = $1 AND slug = $2",
                )
                .bind(site_id)
                .bind(slug)
                .fetch_optional(&self.pool)
                .await
                .map_err(map)?;
                Ok(row.map(|(id, slug, name)| Tag { id, slug, name }))
            }

            pub(crate) async fn read_author_by_slug(
                &self,
                slug: &str,
            ) -> StoreResult<Option<Person>> {
                let row: Option<(i64, String, String)> =
                    sqlx::query_as("SELECT id, slug, name FROM authors WHERE slug = $1")
                        .bind(slug)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(map)?;
                Ok(row.map(|(id, slug, name)| Person { id, slug, name }))
            }
        }
    };
}
