//! Errors that storage implementations report to the layers above.

use thiserror::Error;

/// What can go wrong when talking to storage, in terms the web layer can map
/// to responses without knowing the driver.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The row asked for does not exist.
    #[error("not found")]
    NotFound,
    /// A uniqueness or integrity rule refused the write.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database cannot be reached right now (connection refused, pool
    /// exhausted, server shutting down). Callers answer 503 and retry later.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a bug or a corrupt database. Logged, shown as 500.
    #[error("database error: {0}")]
    Other(String),
}

pub type StoreResult<T> = Result<T, StoreError>;
