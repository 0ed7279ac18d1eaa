//! SQLite and PostgreSQL storage for Kawaraban.
//!
//! Both backends implement the traits of `kawaraban_core::store`. Most SQL is
//! the same text for both (`$N` placeholders, `ON CONFLICT`, `RETURNING`), so
//! one macro-generated body serves both; only full-text search and
//! connection setup differ, in `sqlite.rs` and `postgres.rs`.

#[macro_use]
mod sql;
#[macro_use]
mod analytics;
#[macro_use]
mod shared;
#[macro_use]
mod campaigns;
pub mod changes;
#[macro_use]
mod external;
#[macro_use]
mod api_keys;
#[macro_use]
mod comments;
mod error;
#[macro_use]
mod giveaways;
#[macro_use]
mod surveys;
#[macro_use]
mod members;
#[macro_use]
mod moderation;
#[macro_use]
mod newsletters;
#[macro_use]
mod stories;
#[macro_use]
mod media_library;
#[macro_use]
mod staff;
#[macro_use]
mod webhooks;
#[macro_use]
mod authors;
mod postgres;
mod rows;
mod sqlite;
mod sqlite_batch;
mod sqlite_bulk;
mod sqlite_read;
pub mod testing;

use std::sync::Arc;

use kawaraban_core::store::Store;

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// How to open the database.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// `sqlite://path/to/file.db` or `postgres://user@host/db`.
    pub url: String,
    /// Largest number of pooled connections.
    pub max_connections: u32,
}

/// Opens the database named by the URL's scheme and brings its schema up to date.
pub async fn connect(opts: &ConnectOptions) -> Result<Arc<dyn Store>, ConnectError> {
    if opts.url.starts_with("postgres://") || opts.url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::connect(opts).await?))
    } else if opts.url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(opts).await?))
    } else {
        Err(ConnectError(format!(
            "unsupported database URL {:?}: use sqlite://FILE or postgres://USER@HOST/DB",
            redact(&opts.url)
        )))
    }
}

/// Why the database could not be opened, in one line for the operator.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConnectError(pub String);

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}
