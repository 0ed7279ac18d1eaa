//! CSRF protection for every state-changing form and call.
//!
//! Signed-in members: the token is an HMAC of their session (nothing stored).
//! Anonymous forms (sign-in, registration ...): a random `kw_csrf` cookie
//! whose value the form repeats (double submit). Either way a request from
//! another origin (`Origin` header naming another host) is refused.

use axum::http::{header, HeaderMap, HeaderValue};
use kawaraban_core::model::Site;

use super::secrets::new_token;
use super::session::{cookie, set_cookie, Viewer};
use crate::error::{AppError, AppResult};

pub const COOKIE: &str = "kw_csrf";
pub const FIELD: &str = "csrf";

/// The token an anonymous form must carry, and the cookie to set when the
/// browser has none yet.
pub fn anonymous_token(headers: &HeaderMap, site: &Site) -> (String, Option<HeaderValue>) {
    match cookie(headers, COOKIE).filter(|v| v.len() == 43) {
        Some(v) => (v.to_string(), None),
        None => {
            let t = new_token();
            let c = set_cookie(site, COOKIE, &t, None);
            (t, Some(c))
        }
    }
}

fn forbidden() -> AppError {
    AppError::Forbidden(
        "This form has expired or did not come from this site. Go back, reload the page and try again."
            .into(),
    )
}

/// Checks a submitted token; 403 when it is missing or wrong.
pub fn verify(
    headers: &HeaderMap,
    site: &Site,
    viewer: Option<&Viewer>,
    submitted: Option<&str>,
) -> AppResult<()> {
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = url::Url::parse(origin)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase));
        if origin != "null" && host.as_deref() != Some(site.host().as_str()) {
            return Err(forbidden());
        }
    }
    let submitted = submitted.unwrap_or("");
    // Either token will do: a member's session token (their own forms), or
    // the double-submit cookie (forms rendered for anyone, such as the page
    // behind an emailed link, which a signed-in member may open too).
    let by_session =
        viewer.is_some_and(|v| constant_time_eq(v.csrf.as_bytes(), submitted.as_bytes()));
    let cookie = cookie(headers, COOKIE).unwrap_or("");
    let by_cookie = !cookie.is_empty() && constant_time_eq(cookie.as_bytes(), submitted.as_bytes());
    if submitted.is_empty() || !(by_session || by_cookie) {
        return Err(forbidden());
    }
    Ok(())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn equality_is_exact() {
        assert!(super::constant_time_eq(b"abc", b"abc"));
        assert!(!super::constant_time_eq(b"abc", b"abd"));
        assert!(!super::constant_time_eq(b"abc", b"ab"));
    }
}
