//! The one error type of the web layer, mapped to responses in one place.
//!
//! Handlers return `Result<_, AppError>`. `IntoResponse` only sets the status
//! and attaches an [`ErrorInfo`]; the `themed_errors` layer (which knows the
//! site and the theme) turns every error response — ours, and axum's own
//! such as 405 — into the theme's error page. 5xx details are logged, never
//! shown.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kawaraban_core::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// A story that was published and taken down: 410, so that search
    /// engines and caches drop it.
    #[error("gone")]
    Gone,
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The request clashes with what is stored (an address taken): 409.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A missing or forged CSRF token, or a page for staff only.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// A rate limit: try again after this many seconds.
    #[error("too many requests; retry after {0} s")]
    TooManyRequests(u64),
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn bad_request(msg: impl Into<String>) -> Self {
        AppError::BadRequest(msg.into())
    }

    pub fn internal(e: impl std::fmt::Display) -> Self {
        AppError::Internal(e.to_string())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Gone => StatusCode::GONE,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Unavailable(m) => AppError::Unavailable(m),
            StoreError::Conflict(m) => AppError::BadRequest(m),
            StoreError::Other(m) => AppError::Internal(m),
        }
    }
}

impl From<minijinja::Error> for AppError {
    fn from(e: minijinja::Error) -> Self {
        AppError::Internal(format!("template: {e:#}"))
    }
}

/// What the error page shows: the status and a message safe for readers.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub message: String,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            AppError::BadRequest(m) | AppError::Conflict(m) | AppError::Forbidden(m) => m.clone(),
            AppError::TooManyRequests(secs) => format!(
                "You have tried this too often. Please wait {} and try again.",
                wait_words(*secs)
            ),
            AppError::Unavailable(m) => {
                tracing::warn!(error = %m, "database unavailable");
                String::new()
            }
            AppError::Internal(m) => {
                tracing::error!(error = %m, "internal error");
                String::new()
            }
            AppError::NotFound => String::new(),
            AppError::Gone => "This story has been taken down by the newsroom.".into(),
        };
        let mut resp = status.into_response();
        resp.extensions_mut().insert(ErrorInfo { message });
        let retry_after = match &self {
            AppError::Unavailable(_) => Some(5),
            AppError::TooManyRequests(secs) => Some((*secs).max(1)),
            _ => None,
        };
        if let Some(secs) = retry_after {
            resp.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        resp
    }
}

/// "a minute", "14 minutes", "2 hours".
fn wait_words(secs: u64) -> String {
    let minutes = secs.div_ceil(60);
    match minutes {
        0 | 1 => "a minute".into(),
        m if m < 90 => format!("{m} minutes"),
        m => format!("{} hours", m.div_ceil(60)),
    }
}
