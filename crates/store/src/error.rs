//! One mapping from driver errors to [`StoreError`].

use kawaraban_core::StoreError;

/// rusqlite's errors (SQLite's hot paths: reads and the group commit).
pub(crate) fn map_rusqlite(e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode::*;
    match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(
                f.code,
                DatabaseBusy | DatabaseLocked | CannotOpen | SystemIoFailure | NotADatabase
            ) =>
        {
            StoreError::Unavailable(e.to_string())
        }
        rusqlite::Error::SqliteFailure(f, _) if f.code == ConstraintViolation => {
            StoreError::Conflict(e.to_string())
        }
        _ => StoreError::Other(e.to_string()),
    }
}

pub(crate) fn map(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::Database(db) if db.is_unique_violation() || db.is_foreign_key_violation() => {
            StoreError::Conflict(db.message().to_string())
        }
        sqlx::Error::Database(db) if is_unavailable_code(db.code().as_deref()) => {
            StoreError::Unavailable(db.message().to_string())
        }
        sqlx::Error::Io(e) => StoreError::Unavailable(e.to_string()),
        sqlx::Error::PoolTimedOut => {
            StoreError::Unavailable("no database connection available".into())
        }
        sqlx::Error::PoolClosed => StoreError::Unavailable("the connection pool is closed".into()),
        sqlx::Error::Tls(e) => StoreError::Unavailable(e.to_string()),
        sqlx::Error::Protocol(e) => StoreError::Unavailable(e),
        sqlx::Error::WorkerCrashed => StoreError::Unavailable("the database worker stopped".into()),
        other => StoreError::Other(other.to_string()),
    }
}

/// PostgreSQL's "server going away" classes (57P: operator intervention,
/// 08: connection exception, 53: insufficient resources, 55000: database not
/// accepting connections, 3D000: database missing) and SQLite's
/// busy/locked/cannot-open codes.
fn is_unavailable_code(code: Option<&str>) -> bool {
    match code {
        Some(c) => {
            c.starts_with("57P")
                || c.starts_with("08")
                || c.starts_with("53")
                || matches!(c, "55000" | "3D000")
                || matches!(c, "5" | "6" | "14" | "517" | "261")
        }
        None => false,
    }
}
