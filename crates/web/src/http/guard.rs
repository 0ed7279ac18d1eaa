//! What guards every request (called from `front.rs`): malformed URLs are
//! refused before routing, and every response gets the security headers.

use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::error::{AppError, ErrorInfo};
use crate::state::AppState;

/// Longest request target accepted; longer gets 414.
pub const MAX_URI_LEN: usize = 2048;

/// The answer for a request target that is too long or malformed, if it is.
pub fn refuse_uri(uri: &Uri) -> Option<Response> {
    let len = uri.path_and_query().map(|p| p.as_str().len()).unwrap_or(0);
    if len > MAX_URI_LEN {
        let mut resp = StatusCode::URI_TOO_LONG.into_response();
        resp.extensions_mut().insert(ErrorInfo {
            message: "That address is too long.".into(),
        });
        return Some(resp);
    }
    let path = uri.path();
    if !valid_percent_encoding(path) || !uri.query().is_none_or(valid_percent_encoding) {
        return Some(
            AppError::bad_request("That address has an invalid %-escape.").into_response(),
        );
    }
    if percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .is_err()
    {
        return Some(AppError::bad_request("That address is not valid UTF-8.").into_response());
    }
    None
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

/// Sets the security headers a response does not set itself.
pub fn security_headers(h: &mut HeaderMap, csp: &HeaderValue) {
    let set = |h: &mut HeaderMap, name: HeaderName, value: &'static str| {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    };
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert_with(|| csp.clone());
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
}

/// The response with the security headers (the network's CSP).
pub fn with_security_headers(mut resp: Response, state: &AppState) -> Response {
    security_headers(resp.headers_mut(), &state.network.get().csp);
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
