//! Errors as Ghost's APIs answer them, `{"errors": [{"message", "type", …}]}`
//! (Ghost's clients read `errors[0].message` and `type`), with the status
//! of the web layer's own error (`AppError`), whose mapping stays the one
//! in `error.rs`. API routes sit outside the themed error pages
//! (`http::router`), so this body is what the client reads.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::AppError;

#[derive(Debug)]
pub struct GhostError {
    status: StatusCode,
    kind: &'static str,
    message: String,
}

impl GhostError {
    /// A request without a live key (401).
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            kind: "UnauthorizedError",
            message: message.into(),
        }
    }

    /// A parameter we cannot answer; the message names it (400).
    pub fn validation(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            kind: "ValidationError",
            message: message.into(),
        }
    }

    /// Nothing by that name (404).
    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            kind: "NotFoundError",
            message: message.into(),
        }
    }
}

impl From<AppError> for GhostError {
    fn from(e: AppError) -> Self {
        let status = e.status();
        let (kind, message) = match &e {
            AppError::NotFound => ("NotFoundError", "Resource not found.".to_string()),
            AppError::Gone => ("NotFoundError", "The resource was taken down.".to_string()),
            AppError::BadRequest(m) => ("ValidationError", m.clone()),
            AppError::Conflict(m) => ("UpdateCollisionError", m.clone()),
            AppError::Forbidden(m) => ("NoPermissionError", m.clone()),
            AppError::TooManyRequests(s) => (
                "TooManyRequestsError",
                format!("Too many requests; retry after {s} s."),
            ),
            AppError::Unavailable(_) => (
                "InternalServerError",
                "Temporarily unavailable; try again shortly.".to_string(),
            ),
            AppError::Internal(m) => {
                tracing::error!(error = %m, "API request failed");
                ("InternalServerError", "Something went wrong.".to_string())
            }
        };
        Self {
            status,
            kind,
            message,
        }
    }
}

impl From<kawaraban_core::StoreError> for GhostError {
    fn from(e: kawaraban_core::StoreError) -> Self {
        AppError::from(e).into()
    }
}

impl IntoResponse for GhostError {
    fn into_response(self) -> Response {
        let body = json!({ "errors": [{
            "message": self.message,
            "context": null,
            "type": self.kind,
            "details": null,
            "property": null,
            "help": null,
            "code": null,
        }]});
        let mut resp = (self.status, axum::Json(body)).into_response();
        super::ghost_content::api_headers(resp.headers_mut());
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        resp
    }
}
