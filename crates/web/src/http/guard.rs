//! Layers that guard every request: malformed URLs are refused before
//! routing, every response gets the security headers, and each request is
//! logged with its outcome.

use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{AppError, ErrorInfo};
use crate::state::AppState;

/// Longest request target accepted; longer gets 414.
pub const MAX_URI_LEN: usize = 2048;

pub async fn check_uri(req: Request, next: Next) -> Response {
    let uri = req.uri();
    let len = uri.path_and_query().map(|p| p.as_str().len()).unwrap_or(0);
    if len > MAX_URI_LEN {
        let mut resp = StatusCode::URI_TOO_LONG.into_response();
        resp.extensions_mut().insert(ErrorInfo {
            message: "That address is too long.".into(),
        });
        return resp;
    }
    let path = uri.path();
    if !valid_percent_encoding(path) || !uri.query().is_none_or(valid_percent_encoding) {
        return AppError::bad_request("That address has an invalid %-escape.").into_response();
    }
    if percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .is_err()
    {
        return AppError::bad_request("That address is not valid UTF-8.").into_response();
    }
    next.run(req).await
}

fn valid_percent_encoding(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if !(b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
            {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    true
}

/// The Content-Security-Policy. Forms may post to the network's own sites
/// (`origins`, space-separated) as well as this one: a sign-in answers with
/// a redirect through the sister sites, and browsers apply `form-action` to
/// the whole redirect chain of a form post.
pub fn csp(origins: &str) -> HeaderValue {
    let value = format!(
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
         font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self' {origins}; \
         frame-ancestors 'none'"
    );
    HeaderValue::from_str(value.trim_end())
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'; form-action 'self'"))
}

pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name: HeaderName, value: &'static str| {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    };
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert_with(|| state.network.get().csp.clone());
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(
        h,
        header::REFERRER_POLICY,
        "strict-origin-when-cross-origin",
    );
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(
        h,
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    );
    set(
        h,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    resp
}

/// One structured log line per request.
pub async fn log_request(req: Request, next: Next) -> Response {
    let start = Instant::now();
    // Cheap handles (reference-counted), formatted only if a line is written.
    let method = req.method().clone();
    let uri = req.uri().clone();
    let host = req.headers().get(header::HOST).cloned();
    let resp = next.run(req).await;
    let status = resp.status().as_u16();
    let level_on = if status >= 500 {
        tracing::enabled!(target: "kawaraban::request", tracing::Level::WARN)
    } else {
        tracing::enabled!(target: "kawaraban::request", tracing::Level::INFO)
    };
    if !level_on {
        return resp;
    }
    let host = host.as_ref().and_then(|h| h.to_str().ok()).unwrap_or("");
    let path = uri.path();
    let cache = resp
        .headers()
        .get("x-cache")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let micros = start.elapsed().as_micros() as u64;
    if status >= 500 {
        tracing::warn!(target: "kawaraban::request", %method, host, path, status, micros, cache, "request");
    } else {
        tracing::info!(target: "kawaraban::request", %method, host, path, status, micros, cache, "request");
    }
    resp
}

#[cfg(test)]
mod tests {
    #[test]
    fn percent_escapes_are_checked() {
        assert!(super::valid_percent_encoding("/a%20b"));
        assert!(!super::valid_percent_encoding("/a%2"));
        assert!(!super::valid_percent_encoding("/a%zz"));
        assert!(!super::valid_percent_encoding("%"));
    }
}
