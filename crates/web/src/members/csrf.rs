//! CSRF protection for every state-changing form and call.
//!
//! Signed-in members: the token is an HMAC of their session (nothing stored).
//! Anonymous forms (sign-in, registration ...): a cookie holding a random id
//! and when it was issued, signed with the network's secret, and a form
//! token that is an HMAC of that id (a signed double submit). A cookie the
//! server did not issue, or issued more than a day ago, counts for nothing,
//! so a well-formed cookie planted by someone who can set cookies for the
//! site (a sibling subdomain, an injection on plain HTTP) is useless; on
//! HTTPS sites the cookie is `__Host-kw_csrf`, which browsers let only this
//! very origin set, over HTTPS. Either way a request from another origin
//! (`Origin` header naming another host) is refused.

use axum::http::{header, HeaderMap, HeaderValue};
use chrono::Utc;
use kawaraban_core::model::Site;

use super::secrets::{new_token, Signer};
use super::session::{cookie, set_cookie, Viewer};
use crate::error::{AppError, AppResult};

/// The cookie on plain-HTTP sites ...
pub const COOKIE: &str = "kw_csrf";
/// ... and on HTTPS sites.
pub const HOST_COOKIE: &str = "__Host-kw_csrf";
pub const FIELD: &str = "csrf";

/// How long an anonymous form's cookie is honoured ...
const LIFETIME_SECS: i64 = 24 * 3600;
/// ... and after how long a form gets a fresh one, so that a form rendered
/// with it still has at least this long to be sent.
const RENEW_SECS: i64 = 12 * 3600;

/// The name of the anonymous forms' cookie on this site.
pub fn cookie_name(site: &Site) -> &'static str {
    if site.is_https() {
        HOST_COOKIE
    } else {
        COOKIE
    }
}

/// The id inside a cookie this server issued (`ID.ISSUED.SIGNATURE`), and
/// its age in seconds, if it is genuine and not too old.
fn issued_id<'a>(signer: &Signer, value: &'a str) -> Option<(&'a str, i64)> {
    let mut parts = value.splitn(3, '.');
    let (id, issued, sig) = (parts.next()?, parts.next()?, parts.next()?);
    let age = Utc::now().timestamp() - issued.parse::<i64>().ok()?;
    let genuine = id.len() == 43 && signer.verify("csrf-cookie", &format!("{id}.{issued}"), sig);
    (genuine && (0..LIFETIME_SECS).contains(&age)).then_some((id, age))
}

fn form_token(signer: &Signer, id: &str) -> String {
    signer.sign("csrf-anonymous", id)
}

/// The token an anonymous form must carry, and the cookie to set when the
/// browser has no genuine one young enough.
pub fn anonymous_token(
    signer: &Signer,
    headers: &HeaderMap,
    site: &Site,
) -> (String, Option<HeaderValue>) {
    let held = cookie(headers, cookie_name(site)).and_then(|v| issued_id(signer, v));
    match held {
        Some((id, age)) if age < RENEW_SECS => (form_token(signer, id), None),
        _ => {
            let id = new_token();
            let issued = Utc::now().timestamp();
            let sig = signer.sign("csrf-cookie", &format!("{id}.{issued}"));
            let c = set_cookie(
                site,
                cookie_name(site),
                &format!("{id}.{issued}.{sig}"),
                Some(LIFETIME_SECS),
            );
            (form_token(signer, &id), Some(c))
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
    signer: &Signer,
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
    // the anonymous forms' one (forms rendered for anyone, such as the page
    // behind an emailed link, which a signed-in member may open too).
    let by_session =
        viewer.is_some_and(|v| constant_time_eq(v.csrf.as_bytes(), submitted.as_bytes()));
    let by_cookie = cookie(headers, cookie_name(site))
        .and_then(|v| issued_id(signer, v))
        .is_some_and(|(id, _)| {
            constant_time_eq(form_token(signer, id).as_bytes(), submitted.as_bytes())
        });
    if submitted.is_empty() || !(by_session || by_cookie) {
        return Err(forbidden());
    }
    Ok(())
}

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(url: &str) -> Site {
        Site {
            id: 1,
            key: "news".into(),
            name: "News".into(),
            url: url.into(),
            time_zone: "UTC".into(),
            publisher: "P".into(),
            tagline: String::new(),
            is_default: true,
        }
    }

    fn with_cookie(set: &HeaderValue) -> HeaderMap {
        let pair = set.to_str().unwrap().split(';').next().unwrap().to_string();
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_str(&pair).unwrap());
        h
    }

    #[test]
    fn only_cookies_the_server_issued_make_anonymous_tokens() {
        let signer = Signer::new("secret");
        let s = site("http://news.localhost:8080");
        let (token, set) = anonymous_token(&signer, &HeaderMap::new(), &s);
        let headers = with_cookie(set.as_ref().unwrap());
        assert!(verify(&signer, &headers, &s, None, Some(&token)).is_ok());
        // The same browser keeps its cookie and token.
        assert_eq!(
            anonymous_token(&signer, &headers, &s),
            (token.clone(), None)
        );
        // Another network's secret, a planted cookie and its own value fail.
        assert!(verify(&Signer::new("other"), &headers, &s, None, Some(&token)).is_err());
        let planted = "x".repeat(43);
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("kw_csrf={planted}")).unwrap(),
        );
        assert!(verify(&signer, &h, &s, None, Some(&planted)).is_err());
        let value = cookie(&headers, COOKIE).unwrap().to_string();
        assert!(verify(&signer, &headers, &s, None, Some(&value)).is_err());
    }

    #[test]
    fn https_sites_use_a_host_only_secure_cookie() {
        let signer = Signer::new("secret");
        let s = site("https://news.example.com");
        let (_, set) = anonymous_token(&signer, &HeaderMap::new(), &s);
        let set = set.unwrap().to_str().unwrap().to_string();
        assert!(set.starts_with("__Host-kw_csrf="), "{set}");
        assert!(
            set.contains("; Secure") && set.contains("Path=/") && !set.contains("Domain"),
            "{set}"
        );
    }

    #[test]
    fn equality_is_exact() {
        assert!(super::constant_time_eq(b"abc", b"abc"));
        assert!(!super::constant_time_eq(b"abc", b"abd"));
        assert!(!super::constant_time_eq(b"abc", b"ab"));
    }
}
