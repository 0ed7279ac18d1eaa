//! Counting behind a CDN: the CDN answers most page requests itself, so
//! the page asks for a count instead. `serve --behind-cdn` puts a tiny
//! first-party script on article pages (the same page for every reader:
//! no cookie, no identifier) that sends one `POST /_kw/view` per view,
//! with `navigator.sendBeacon` and a `fetch` fallback, and never during a
//! prerender. Server-side counting of pages stops, so nothing counts twice.
//!
//! A beacon is counted like a page view (the same bot, prefetch and staff
//! rules, the same reader hash), for a published article of the site it
//! is sent to, from one of the network's own pages. Anything else is
//! answered with a 4xx and not counted: a malformed or oversized body, an
//! unknown or unpublished article, another site's article, a foreign
//! origin, a flood from one address.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use kawaraban_core::model::Site;

use super::counter::Visit;
use crate::error::{AppError, AppResult};
use crate::http::site::CurrentSite;
use crate::members::session;
use crate::state::AppState;

/// The largest body a beacon may have.
pub const MOST_BYTES: usize = 2048;

/// Beacons one address may send in a minute; past that they are refused
/// (429) and not counted. An office behind one address is many readers,
/// so the bound is generous: it stops floods, not readers.
const PER_ADDRESS_PER_MINUTE: u32 = 600;

/// What the beacon endpoint remembers: which articles are published on
/// which site (for half a minute), and each address's beacons this minute.
pub struct Beacons {
    articles: moka::sync::Cache<i64, Option<i64>>,
    recent: moka::sync::Cache<(IpAddr, i64), Arc<AtomicU32>>,
}

impl Default for Beacons {
    fn default() -> Self {
        Self {
            articles: moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(30))
                .build(),
            recent: moka::sync::Cache::builder()
                .max_capacity(200_000)
                .time_to_live(Duration::from_secs(120))
                .build(),
        }
    }
}

/// A beacon's fields: `a` the article id; `r` the page's referrer; `q`
/// the page's query string (a newsletter's links mark it).
#[derive(Debug, PartialEq, Eq)]
pub struct Fields {
    pub article: i64,
    pub referrer: Option<String>,
    pub query: Option<String>,
}

/// Reads a beacon body (`a=42&r=…&q=…`, URL-encoded).
pub fn parse(body: &[u8]) -> Result<Fields, &'static str> {
    if body.len() > MOST_BYTES {
        return Err("A view beacon is at most 2 KB.");
    }
    let mut article = None;
    let mut referrer = None;
    let mut query = None;
    for (k, v) in url::form_urlencoded::parse(body) {
        match &*k {
            "a" => {
                article = Some(
                    v.parse::<i64>()
                        .ok()
                        .filter(|id| *id > 0)
                        .ok_or("a: the article is a positive number.")?,
                )
            }
            "r" if !v.is_empty() => referrer = Some(v.into_owned()),
            "q" if !v.is_empty() => query = Some(v.into_owned()),
            _ => {}
        }
    }
    Ok(Fields {
        article: article.ok_or("a: the beacon names no article.")?,
        referrer,
        query,
    })
}

fn no_content() -> Response {
    let mut r = StatusCode::NO_CONTENT.into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// `POST /_kw/view`.
pub async fn view(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    // Without a CDN pages are counted as they are served: a beacon would
    // count them twice.
    if !state.config.behind_cdn {
        return Err(AppError::NotFound);
    }
    let fields = parse(&body).map_err(AppError::bad_request)?;
    let network = state.network.get();
    // Only the network's own pages send beacons.
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        let own = url::Url::parse(origin)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
            .is_some_and(|h| network.hosts.contains(&h));
        if !own {
            return Err(AppError::Forbidden(
                "View beacons come from the network's own pages.".into(),
            ));
        }
    }
    let ip = crate::members::client_ip_of(&headers, peer.ip(), &state);
    let minute = Utc::now().timestamp().div_euclid(60);
    let sent = state
        .beacons
        .recent
        .get_with((ip, minute), || Arc::new(AtomicU32::new(0)))
        .fetch_add(1, Ordering::Relaxed);
    if sent >= PER_ADDRESS_PER_MINUTE {
        return Err(AppError::TooManyRequests(60));
    }
    let site_of = match state.beacons.articles.get(&fields.article) {
        Some(s) => s,
        None => {
            let s = state
                .store
                .article_ref(fields.article, Utc::now())
                .await?
                .map(|a| a.site_id);
            state.beacons.articles.insert(fields.article, s);
            s
        }
    };
    if site_of != Some(site.id) {
        return Err(AppError::NotFound);
    }
    if !state.config.count_views || is_staff(&state, &site, &headers).await {
        return Ok(no_content());
    }
    let visit = Visit::beacon(&headers, ip, fields.referrer.as_deref(), fields.query);
    if visit.counts() {
        state
            .counter
            .view(&network, &site, fields.article, &visit, Utc::now());
    }
    Ok(no_content())
}

/// Whether the beacon comes with a staff member's session (staff reading
/// the site are not readers).
async fn is_staff(state: &AppState, site: &Site, headers: &HeaderMap) -> bool {
    match session::cookie(headers, session::SESSION_COOKIE) {
        Some(raw) => session::lookup(state, site, raw)
            .await
            .is_some_and(|v| v.member.role.is_staff()),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beacons_are_parsed_strictly() {
        assert_eq!(
            parse(b"a=42&r=https%3A%2F%2Fwww.google.com%2F&q=utm_medium%3Demail"),
            Ok(Fields {
                article: 42,
                referrer: Some("https://www.google.com/".into()),
                query: Some("utm_medium=email".into()),
            })
        );
        assert_eq!(parse(b"a=7&r=&q=").unwrap().referrer, None);
        for bad in [
            &b""[..],
            b"r=x",
            b"a=-1",
            b"a=abc",
            b"a=99999999999999999999",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        assert!(parse(&vec![b'a'; MOST_BYTES + 1]).is_err());
    }
}
