//! The caching layer: answers from the page cache when it can, stores
//! cacheable responses, negotiates gzip/brotli and answers 304s.
//!
//! A handler marks a response cacheable by attaching [`Cacheable`]. Pages are
//! the same for every anonymous reader, so CDNs may keep them too
//! (`s-maxage`, `stale-while-revalidate`). Signed-in members get the same
//! cached page; the `personalize` layer outside this one swaps in their
//! parts and marks the answer `private` (see `members::slots`).

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::cache::{self, Encoding, Entry};
use crate::http::site::CurrentSite;
use crate::state::AppState;

/// Attached by handlers to responses that every anonymous reader may share.
#[derive(Debug, Clone)]
pub struct Cacheable {
    pub tags: Vec<String>,
    pub ttl: Duration,
    pub cache_control: &'static str,
    /// The article a view of this page counts for, if any.
    pub counts: Option<i64>,
}

/// On a response that is a view of this article (an article page, from the
/// cache or just rendered): the front counts it (`analytics::counter`).
#[derive(Debug, Clone, Copy)]
pub struct CountedView(pub i64);

/// For HTML pages and feeds. Browsers revalidate every time (a cheap 304),
/// so that a reader who signs in never sees a page kept from before; shared
/// caches keep it five minutes and may serve it stale while they refresh.
pub const PUBLIC_PAGE: &str =
    "public, max-age=0, must-revalidate, s-maxage=300, stale-while-revalidate=600";

/// How long a request waits for another request's render of the same page.
const RENDER_WAIT: Duration = Duration::from_secs(2);

/// The same for CDNs that read the targeted header (RFC 9213), whose
/// `must-revalidate` would otherwise also apply to them.
pub const CDN_PAGE: &str = "max-age=300, stale-while-revalidate=600";

fn accepted(headers: &HeaderMap) -> Encoding {
    let Some(v) = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
    else {
        return Encoding::Identity;
    };
    let mut br = false;
    let mut gz = false;
    for part in v.split(',') {
        let mut it = part.split(';');
        let name = it.next().unwrap_or("").trim();
        let refused = it.any(|p| {
            let p = p.trim();
            p.strip_prefix("q=")
                .is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0))
        });
        if refused {
            continue;
        }
        match name {
            "br" => br = true,
            "gzip" | "x-gzip" => gz = true,
            "*" => {
                br = true;
                gz = true;
            }
            _ => {}
        }
    }
    if br {
        Encoding::Brotli
    } else if gz {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

fn etag_matches(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',').any(|t| {
                let t = t.trim();
                t == "*" || t.trim_start_matches("W/") == etag
            })
        })
}

pub async fn page_cache(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // Members are served from the cache too: the `personalize` layer outside
    // this one fills in their parts of the shared page.
    let cacheable_request = matches!(*req.method(), Method::GET | Method::HEAD);
    if !cacheable_request {
        return next.run(req).await;
    }
    let site_id = req
        .extensions()
        .get::<CurrentSite>()
        .map(|s| s.0.id)
        .unwrap_or(0);
    let key = cache::key(site_id, req.uri());
    // Only what the answer depends on, not a copy of every header.
    let mut request_headers = HeaderMap::new();
    for name in [header::IF_NONE_MATCH, header::ACCEPT_ENCODING] {
        if let Some(v) = req.headers().get(&name) {
            request_headers.insert(name, v.clone());
        }
    }

    if let Some(entry) = state.cache.get(&key) {
        return respond(&entry, &request_headers, "HIT");
    }
    // One render per page at a time: a request that misses while another
    // renders the page waits for that render (at most RENDER_WAIT) and
    // answers from the cache, so an invalidation costs one render, not one
    // per reader in flight.
    let mut claim = None;
    if state.cache.enabled() {
        match state.cache.begin(&key) {
            Ok(render) => claim = Some(render),
            Err(mut done) => {
                let _ = tokio::time::timeout(RENDER_WAIT, done.changed()).await;
                if let Some(entry) = state.cache.get(&key) {
                    return respond(&entry, &request_headers, "HIT");
                }
            }
        }
    }
    let epoch = state.cache.epoch();
    let resp = next.run(req).await;
    let Some(meta) = resp.extensions().get::<Cacheable>().cloned() else {
        return resp;
    };
    if resp.status() != StatusCode::OK {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let content_type = content_type_of(&parts.headers);
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => return crate::error::AppError::internal(e).into_response(),
    };
    if !state.cache.enabled() {
        let mut resp = respond_uncached(bytes, content_type, meta.cache_control, &request_headers);
        if let Some(id) = meta.counts {
            resp.extensions_mut().insert(CountedView(id));
        }
        return resp;
    }
    let mut entry = Entry::build(
        200,
        content_type,
        meta.cache_control,
        state.network.get().csp.clone(),
        bytes,
        meta.tags,
        meta.ttl,
        epoch,
    );
    entry.counts = meta.counts;
    let entry = state.cache.insert(key, entry);
    drop(claim);
    respond(&entry, &request_headers, "MISS")
}

fn content_type_of(headers: &HeaderMap) -> &'static str {
    match headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        Some(t) if t.starts_with("application/rss+xml") => "application/rss+xml; charset=utf-8",
        Some(t) if t.starts_with("application/atom+xml") => "application/atom+xml; charset=utf-8",
        Some(t) if t.starts_with("application/xml") => "application/xml; charset=utf-8",
        Some(t) if t.starts_with("text/plain") => "text/plain; charset=utf-8",
        _ => "text/html; charset=utf-8",
    }
}

/// A stored page for a request with these headers (`Accept-Encoding`,
/// `If-None-Match`): its body in the best encoding the client takes, or a
/// 304, with headers made once per entry and encoding (security headers
/// included). `cache` is the `x-cache` value: HIT, or MISS for the request
/// that rendered it.
pub fn respond(entry: &Entry, req: &HeaderMap, cache: &'static str) -> Response {
    let encoding = accepted(req);
    let headers = entry.headers(encoding, || {
        let mut h = headers_for(
            &entry.etag,
            entry.content_type,
            entry.cache_control,
            encoding,
        );
        crate::http::guard::security_headers(&mut h, &entry.csp);
        h
    });
    let mut h = headers.clone();
    if cache != "HIT" {
        h.insert("x-cache", HeaderValue::from_static(cache));
    }
    let mut resp = answer(etag_matches(req, &entry.etag), || entry.body(encoding), h);
    if let Some(id) = entry.counts {
        resp.extensions_mut().insert(CountedView(id));
    }
    resp
}

/// A 304 without the body, or a 200 with it.
fn answer(not_modified: bool, body: impl FnOnce() -> Bytes, mut h: HeaderMap) -> Response {
    let mut resp = if not_modified {
        h.remove(header::CONTENT_ENCODING);
        let mut resp = Response::new(Body::empty());
        *resp.status_mut() = StatusCode::NOT_MODIFIED;
        resp
    } else {
        Response::new(Body::from(body()))
    };
    *resp.headers_mut() = h;
    resp
}

/// With the cache off: compress for this one response only, if asked to.
fn respond_uncached(bytes: Bytes, ct: &'static str, cc: &'static str, req: &HeaderMap) -> Response {
    let encoding = accepted(req);
    let etag = cache::etag_for(&bytes);
    let body = match encoding {
        Encoding::Brotli => cache::brotli(&bytes),
        Encoding::Gzip => cache::gzip(&bytes),
        Encoding::Identity => bytes,
    };
    let mut h = headers_for(&etag, ct, cc, encoding);
    h.insert("x-cache", HeaderValue::from_static("OFF"));
    answer(etag_matches(req, &etag), || body, h)
}

/// The headers of a page from the cache (`x-cache: HIT`).
fn headers_for(etag: &str, ct: &'static str, cc: &'static str, encoding: Encoding) -> HeaderMap {
    let mut h = HeaderMap::with_capacity(16);
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cc));
    if cc == PUBLIC_PAGE {
        h.insert(
            HeaderName::from_static("cdn-cache-control"),
            HeaderValue::from_static(CDN_PAGE),
        );
    }
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    match encoding {
        Encoding::Brotli => {
            h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
        }
        Encoding::Gzip => {
            h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        Encoding::Identity => {}
    }
    h.insert("x-cache", HeaderValue::from_static("HIT"));
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(k: header::HeaderName, v: &str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert(k, HeaderValue::from_str(v).unwrap());
        m
    }

    #[test]
    fn encodings_are_negotiated() {
        assert!(accepted(&h(header::ACCEPT_ENCODING, "gzip, deflate, br")) == Encoding::Brotli);
        assert!(accepted(&h(header::ACCEPT_ENCODING, "gzip")) == Encoding::Gzip);
        assert!(accepted(&h(header::ACCEPT_ENCODING, "br;q=0, gzip")) == Encoding::Gzip);
        assert!(accepted(&HeaderMap::new()) == Encoding::Identity);
    }

    #[test]
    fn etags_match_strong_weak_and_star() {
        assert!(etag_matches(
            &h(header::IF_NONE_MATCH, "\"a\", \"b\""),
            "\"b\""
        ));
        assert!(etag_matches(&h(header::IF_NONE_MATCH, "W/\"b\""), "\"b\""));
        assert!(etag_matches(&h(header::IF_NONE_MATCH, "*"), "\"b\""));
        assert!(!etag_matches(&h(header::IF_NONE_MATCH, "\"c\""), "\"b\""));
    }
}
