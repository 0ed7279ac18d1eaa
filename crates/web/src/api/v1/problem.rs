//! Errors of API v1 as RFC 9457 problem details
//! (`application/problem+json`): `type` (always `about:blank`, so the
//! `title` is the status's own phrase), `status`, a `detail` for people,
//! and for a refused field `errors: [{field, message}]`. Every error of
//! the API becomes one here: the web layer's own (`AppError`, its status
//! as `error.rs` maps it) and the API's (a key, a precondition, a body).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::AppError;

/// A field refused, by its name in the request.
#[derive(Debug, Clone, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug)]
pub struct Problem {
    status: StatusCode,
    detail: String,
    errors: Vec<FieldError>,
}

impl Problem {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    /// A request we cannot read at all (400): malformed JSON, a bad
    /// parameter. `field` names what, when it is one thing.
    pub fn bad_request(field: Option<&str>, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail).naming(field)
    }

    /// A field read but refused (422).
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "A field was refused.")
            .naming_with(field, message)
    }

    /// No live key behind the request (401).
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, detail)
    }

    /// The key's role may not do this (403).
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, detail)
    }

    /// Saved by someone else since the version in `If-Match` (412).
    pub fn stale(version: i64) -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            format!("The story has moved on to version {version} since: read it again (its ETag) and send your change from there."),
        )
    }

    /// Changed by someone else since the ETag in `If-Match` (412):
    /// `what` says what, as "The image's words".
    pub fn changed_since(what: &str) -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            format!(
                "{what} changed since: read it again (its ETag) and send your change from there."
            ),
        )
    }

    /// A write without `If-Match` (428).
    pub fn if_match_needed() -> Self {
        Self::new(
            StatusCode::PRECONDITION_REQUIRED,
            "If-Match is required: send the ETag as you read it (a story's is \"v<version>\"), so that a save made since is not overwritten.",
        )
    }

    /// A body too large (413).
    pub fn too_large(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, detail)
    }

    /// A body of a type not taken here (415).
    pub fn unsupported(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, detail)
    }

    pub fn is_unauthorized(&self) -> bool {
        self.status == StatusCode::UNAUTHORIZED
    }

    fn naming(self, field: Option<&str>) -> Self {
        match field {
            Some(f) => {
                let message = self.detail.clone();
                self.naming_with(f, message)
            }
            None => self,
        }
    }

    fn naming_with(mut self, field: &str, message: impl Into<String>) -> Self {
        self.errors.push(FieldError {
            field: field.to_string(),
            message: message.into(),
        });
        self
    }
}

impl From<AppError> for Problem {
    fn from(e: AppError) -> Self {
        let detail = match &e {
            AppError::NotFound => "Nothing here by that id.".to_string(),
            AppError::Gone => "The story was taken down.".to_string(),
            AppError::BadRequest(m) | AppError::Conflict(m) | AppError::Forbidden(m) => m.clone(),
            AppError::TooManyRequests(s) => format!("Too many requests; retry after {s} s."),
            AppError::Unavailable(_) => "Temporarily unavailable; try again shortly.".to_string(),
            AppError::Internal(m) => {
                tracing::error!(error = %m, "API request failed");
                "Something went wrong.".to_string()
            }
        };
        Self::new(e.status(), detail)
    }
}

impl From<kawaraban_core::StoreError> for Problem {
    fn from(e: kawaraban_core::StoreError) -> Self {
        AppError::from(e).into()
    }
}

#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'static str,
    status: u16,
    detail: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [FieldError],
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = Body {
            kind: "about:blank",
            title: self.status.canonical_reason().unwrap_or("Error"),
            status: self.status.as_u16(),
            detail: &self.detail,
            errors: &self.errors,
        };
        let mut resp = (self.status, axum::Json(body)).into_response();
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        super::for_everyone(h, "no-store");
        resp
    }
}
