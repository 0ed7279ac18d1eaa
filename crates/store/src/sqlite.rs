//! The embedded SQLite backend (WAL mode), the default.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::{sqlite_bulk, sqlite_read, ConnectError, ConnectOptions};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// Storage in one SQLite file.
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    reads: std::sync::Arc<sqlite_read::ReadPool>,
    /// The bulk writer's connection, opened on first use.
    bulk: std::sync::Arc<std::sync::Mutex<Option<rusqlite::Connection>>>,
    path: std::path::PathBuf,
    changes: std::sync::Arc<crate::changes::ChangeWatch>,
    /// Whose turn it is to write (see [`Self::write`]).
    writers: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// Small writes that come in crowds, committed in groups.
    batch: std::sync::Arc<crate::sqlite_batch::Batcher>,
}

/// A writer's turn (see `SqliteStore::write`); PostgreSQL needs none.
pub(crate) type WriteTurn = tokio::sync::OwnedMutexGuard<()>;

impl SqliteStore {
    /// How a write transaction starts: see [`Self::write`].
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";

    pub async fn connect(opts: &ConnectOptions) -> Result<Self, ConnectError> {
        let options = SqliteConnectOptions::from_str(&opts.url)
            .map_err(|e| ConnectError(format!("bad SQLite URL {:?}: {e}", opts.url)))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("cache_size", "-2000")
            .pragma("temp_store", "memory");
        let path = options.get_filename().to_path_buf();
        let changes = crate::changes::ChangeWatch::sqlite(path.clone());
        let watch = std::sync::Arc::downgrade(&changes);
        let pool = SqlitePoolOptions::new()
            // Every commit of ours moves the commit mark before it happens
            // (see `CacheEvents::commit_mark`).
            .after_connect(move |conn, _| {
                let watch = watch.clone();
                Box::pin(async move {
                    conn.lock_handle().await?.set_commit_hook(move || {
                        if let Some(w) = watch.upgrade() {
                            w.committing();
                        }
                        true
                    });
                    Ok(())
                })
            })
            .max_connections(opts.max_connections.max(1))
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| ConnectError(format!("cannot open SQLite database {}: {e}", opts.url)))?;
        MIGRATOR.run(&pool).await.map_err(|e| {
            ConnectError(format!("cannot migrate SQLite database {}: {e}", opts.url))
        })?;
        let writers: std::sync::Arc<tokio::sync::Mutex<()>> = Default::default();
        let reads = std::sync::Arc::new(sqlite_read::ReadPool::new(path.clone()));
        Ok(Self {
            pool,
            reads,
            bulk: Default::default(),
            batch: std::sync::Arc::new(crate::sqlite_batch::Batcher::start(
                path.clone(),
                writers.clone(),
                changes.clone(),
            )),
            writers,
            changes,
            path,
        })
    }

    /// See `CacheEvents::commit_mark`.
    pub(crate) fn read_commit_mark(&self) -> Option<u64> {
        Some(self.changes.commits())
    }

    /// Other connections see a commit through `PRAGMA data_version`: nothing to send.
    async fn announce(
        _tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    ) -> kawaraban_core::StoreResult<()> {
        Ok(())
    }

    /// A write transaction. `BEGIN IMMEDIATE` takes the write lock first,
    /// waiting out the busy timeout for it: a deferred transaction that read
    /// before it wrote fails at once with "database is locked" when another
    /// process (`kawaraban import` beside a running server) committed in
    /// between.
    ///
    /// Writers of this process take turns first ([`Self::write_turn`]):
    /// SQLite has one writer at a time, and a connection that finds the
    /// lock taken sleeps in growing steps (1, 2, 5, 10 … 100 ms) before it
    /// tries again, so 200 forms sent at once would wait mostly asleep. In
    /// turn, each starts the moment the one before commits.
    async fn write(
        &self,
    ) -> Result<(Option<WriteTurn>, sqlx::Transaction<'static, sqlx::Sqlite>), sqlx::Error> {
        let turn = self.write_turn().await;
        Ok((turn, self.pool.begin_with(Self::BEGIN_WRITE).await?))
    }

    /// A survey's row by address, read on the calling thread.
    async fn fast_survey(
        &self,
        sql: &str,
        slug: &str,
    ) -> Option<StoreResult<Option<crate::surveys::SurveyRow>>> {
        Some(sqlite_read::survey_row(&self.reads, sql, slug))
    }

    /// Rows of (id, text) for one id (`$1`), read on the calling thread.
    async fn fast_pairs(&self, sql: &str, id: i64) -> Option<StoreResult<Vec<(i64, String)>>> {
        Some(sqlite_read::pairs(&self.reads, sql, id))
    }

    /// Rows of (id, time) for one id (`$1`), read on the calling thread.
    async fn fast_id_times(
        &self,
        sql: &str,
        id: i64,
    ) -> Option<StoreResult<Vec<(i64, DateTime<Utc>)>>> {
        Some(sqlite_read::id_times(&self.reads, sql, id))
    }

    /// A rate counter's hit, committed with the others waiting.
    async fn fast_hits(&self, key: &str, window_start: i64, n: i64) -> Option<StoreResult<i64>> {
        let key = key.to_string();
        Some(
            self.batch
                .run(move |c| {
                    c.prepare_cached(crate::sql::ADD_HITS)?
                        .query_row(rusqlite::params![key, window_start, n], |r| r.get(0))
                })
                .await,
        )
    }

    /// A survey response, committed with the others waiting, together with
    /// the hit on the rate counter it is charged to (one trip to the
    /// writer): stored, refused by the counter, or left to the caller when
    /// the reader had answered or the survey has a limit (then the caller
    /// counts it under the survey's lock).
    async fn fast_response(
        &self,
        r: crate::surveys::ResponseInsert,
        charge: Option<kawaraban_core::store::RateCharge>,
    ) -> Option<StoreResult<crate::surveys::FastResponse>> {
        use crate::surveys::FastResponse;
        let (at, since) = (sqlite_bulk::text(r.at), sqlite_bulk::text(r.since));
        Some(
            self.batch
                .run(move |c| {
                    use rusqlite::OptionalExtension;
                    if let Some(ch) = charge {
                        let hits: i64 = c
                            .prepare_cached(crate::sql::ADD_HITS)?
                            .query_row(rusqlite::params![ch.key, ch.window_start, 1], |r| r.get(0))?;
                        if hits > ch.max {
                            return Ok(FastResponse::Limited);
                        }
                    }
                    let stored: Option<(i64, String)> = c
                        .prepare_cached(crate::sql::INSERT_RESPONSE_UNLIMITED)?
                        .query_row(
                            rusqlite::named_params! {
                                "$1": r.survey, "$2": r.site, "$3": r.member, "$4": r.browser, "$5": r.address,
                                "$6": r.agent, "$7": r.answers, "$8": at, "$9": since, "$10": r.burst, "$11": r.flag,
                            },
                            |row| Ok((row.get(0)?, row.get(1)?)),
                        )
                        .optional()?;
                    Ok(match stored {
                        Some((id, flag)) => FastResponse::Stored(id, flag),
                        None => FastResponse::Undecided,
                    })
                })
                .await,
        )
    }

    /// This process's turn to write (held until dropped).
    async fn write_turn(&self) -> Option<WriteTurn> {
        Some(self.writers.clone().lock_owned().await)
    }

    /// The pool, for the benchmark's bulk loader and for tests.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Batches go through rusqlite with prepared statements (`sqlite_bulk.rs`).
    async fn bulk_upsert(
        &self,
        articles: &[ArticleInput],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<u64>> {
        let bulk = self.bulk.clone();
        let path = self.path.clone();
        let articles = articles.to_vec();
        tokio::task::spawn_blocking(move || {
            let mut guard = bulk.lock().expect("bulk writer lock");
            if guard.is_none() {
                *guard = Some(sqlite_bulk::open(&path)?);
            }
            let conn = guard.as_mut().expect("opened above");
            sqlite_bulk::upsert_articles(conn, &articles, now)
        })
        .await
        .map_err(|e| kawaraban_core::StoreError::Other(e.to_string()))?
        .map(Some)
        .map_err(|e| kawaraban_core::StoreError::Other(format!("bulk write: {e}")))
    }

    async fn search_dialect(
        &self,
        site_id: i64,
        query: &str,
        page: PageRequest,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<ArticleSummary>> {
        match fts_query(query) {
            Some(fts) => sqlite_read::search(&self.reads, site_id, &fts, page, now),
            None => Ok(Vec::new()),
        }
    }

    pub(crate) async fn read_article_by_slug(
        &self,
        site_id: i64,
        slug: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Article>> {
        sqlite_read::article_by_slug(&self.reads, site_id, slug, now)
    }

    pub(crate) async fn read_list_articles(
        &self,
        site_id: i64,
        filter: ListFilter,
        page: PageRequest,
        now: DateTime<Utc>,
    ) -> StoreResult<Paged<ArticleSummary>> {
        sqlite_read::list_articles(&self.reads, site_id, filter, page, now)
    }

    pub(crate) async fn read_count_articles(
        &self,
        site_id: i64,
        filter: ListFilter,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        sqlite_read::count_articles(&self.reads, site_id, filter, now)
    }

    pub(crate) async fn read_articles_by_ids(
        &self,
        site_id: i64,
        ids: &[i64],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Article>> {
        sqlite_read::articles_by_ids(&self.reads, site_id, ids, now)
    }

    pub(crate) async fn read_tag_by_slug(
        &self,
        site_id: i64,
        slug: &str,
    ) -> StoreResult<Option<Tag>> {
        sqlite_read::tag_by_slug(&self.reads, site_id, slug)
    }

    pub(crate) async fn read_author_by_slug(&self, slug: &str) -> StoreResult<Option<Person>> {
        sqlite_read::author_by_slug(&self.reads, slug)
    }

    pub(crate) async fn read_lists(
        &self,
        site_id: i64,
    ) -> StoreResult<Vec<kawaraban_core::model::MailingList>> {
        sqlite_read::lists(&self.reads, site_id)
    }

    pub(crate) async fn read_top_comments(
        &self,
        article_id: i64,
        sort: kawaraban_core::model::CommentSort,
        after: Option<kawaraban_core::model::CommentCursor>,
        limit: u32,
    ) -> StoreResult<Vec<kawaraban_core::model::Comment>> {
        sqlite_read::top_comments(&self.reads, article_id, sort, after, limit)
    }

    pub(crate) async fn read_replies(
        &self,
        parent_ids: &[i64],
    ) -> StoreResult<Vec<kawaraban_core::model::Comment>> {
        sqlite_read::replies(&self.reads, parent_ids)
    }

    pub(crate) async fn read_signed_in(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<kawaraban_core::store::SignedIn>> {
        sqlite_read::signed_in(&self.reads, id_hash, now)
    }
}

/// Turns what a reader typed into an FTS5 query that cannot be a syntax
/// error: every word quoted, all required, the last one also as a prefix.
fn fts_query(input: &str) -> Option<String> {
    let words: Vec<String> = input
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(12)
        .map(|w| format!("\"{w}\""))
        .collect();
    if words.is_empty() {
        return None;
    }
    Some(words.join(" "))
}

impl_common_store!(SqliteStore, sqlx::Sqlite, "sqlite");
impl_member_store!(crate::sqlite::SqliteStore, sqlx::Sqlite, "");
impl_moderation_store!(crate::sqlite::SqliteStore);
impl_campaign_store!(crate::sqlite::SqliteStore, "");
impl_newsletter_store!(crate::sqlite::SqliteStore, sqlx::Sqlite);
impl_comment_store!(crate::sqlite::SqliteStore, sqlx::Sqlite);
impl_external_store!(crate::sqlite::SqliteStore);
impl_api_key_store!(crate::sqlite::SqliteStore);
impl_survey_store!(crate::sqlite::SqliteStore, "");
impl_giveaway_store!(crate::sqlite::SqliteStore);
impl_story_store!(crate::sqlite::SqliteStore, sqlx::Sqlite, true);
impl_media_library!(crate::sqlite::SqliteStore, sqlx::Sqlite);
impl_staff_store!(crate::sqlite::SqliteStore);
impl_author_store!(crate::sqlite::SqliteStore, sqlx::Sqlite);
impl_webhook_store!(crate::sqlite::SqliteStore, "");
impl_analytics_store!(
    crate::sqlite::SqliteStore,
    sqlx::Sqlite,
    "SELECT value FROM json_each($1)",
    "PRAGMA shrink_memory"
);

#[cfg(test)]
mod tests {
    #[test]
    fn fts_query_quotes_words() {
        assert_eq!(
            super::fts_query("rail \"line\" OR-*"),
            Some("\"rail\" \"line\" \"OR\"".into())
        );
        assert_eq!(super::fts_query("  *** "), None);
    }
}
