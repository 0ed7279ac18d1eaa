//! The embedded SQLite backend (WAL mode), the default.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::{ConnectError, ConnectOptions};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// Storage in one SQLite file.
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    pub async fn connect(opts: &ConnectOptions) -> Result<Self, ConnectError> {
        let options = SqliteConnectOptions::from_str(&opts.url)
            .map_err(|e| ConnectError(format!("bad SQLite URL {:?}: {e}", opts.url)))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("cache_size", "-32000")
            .pragma("temp_store", "memory");
        let pool = SqlitePoolOptions::new()
            .max_connections(opts.max_connections.max(1))
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| ConnectError(format!("cannot open SQLite database {}: {e}", opts.url)))?;
        MIGRATOR.run(&pool).await.map_err(|e| {
            ConnectError(format!("cannot migrate SQLite database {}: {e}", opts.url))
        })?;
        Ok(Self { pool })
    }

    /// The pool, for the benchmark's bulk loader and for tests.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    async fn search_dialect(
        &self,
        site_id: i64,
        query: &str,
        page: PageRequest,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<SearchRow>> {
        let Some(fts) = fts_query(query) else {
            return Ok(Vec::new());
        };
        sqlx::query_as(concat!(
            "SELECT ",
            summary_columns!(),
            ", snippet(articles_fts, 2, char(1), char(2), '…', 28) AS snippet \
             FROM articles_fts f JOIN articles a ON a.id = f.rowid",
            article_joins!(),
            "WHERE articles_fts MATCH $3 AND a.site_id = $1 AND",
            visible!(),
            "ORDER BY bm25(articles_fts, 10.0, 4.0, 1.0), a.published_at DESC LIMIT $4 OFFSET $5"
        ))
        .bind(site_id)
        .bind(now)
        .bind(fts)
        .bind(i64::from(page.fetch_limit()))
        .bind(page.offset() as i64)
        .fetch_all(&self.pool)
        .await
        .map_err(map)
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
