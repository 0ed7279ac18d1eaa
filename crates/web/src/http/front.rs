//! The front of every request, in one step rather than a stack of layers:
//! malformed URLs are refused, the site is found from `Host`, the
//! security headers are set and the request is logged.
//!
//! Its fast path is the page cache's hit for a reader without a session:
//! the stored page goes out with headers built once when it was stored,
//! without entering the router. Everything else (misses, members, forms)
//! goes through the router and its layers (`themed_errors`, `personalize`,
//! `page_cache`), with the same answer the fast path would give.

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request};
use axum::http::{header, Method};
use axum::response::Response;
use axum::Router;
use kawaraban_core::model::Site;
use tower::ServiceExt;

use crate::analytics::Visit;
use crate::cache;
use crate::http::guard;
use crate::http::page_cache::{self, CountedView};
use crate::http::site::CurrentSite;
use crate::members::session::{self, SESSION_COOKIE};
use crate::members::slots;
use crate::network::Network;
use crate::state::AppState;

/// The whole application as one service: cheap to clone (two handles).
#[derive(Clone)]
pub struct Front {
    state: AppState,
    router: Router,
}

impl Front {
    pub fn new(state: AppState) -> Self {
        let router = crate::http::router::router(state.clone());
        Self { state, router }
    }

    /// Answers one request; `peer` is the client's socket address.
    pub async fn handle(self, mut req: Request, peer: Option<SocketAddr>) -> Response {
        let started = Instant::now();
        if let Some(refused) = guard::refuse_uri(req.uri()) {
            let resp = guard::with_security_headers(refused, &self.state);
            log(&req, resp.status().as_u16(), started, &resp);
            return resp;
        }
        let network = self.state.network.get();
        let site = network.site_for_host(host(&req));
        if let Some(site) = &site {
            if let Some(resp) = self
                .fast(req.method(), req.uri(), req.headers(), site)
                .await
            {
                self.count(&resp, &network, site, || {
                    Visit::of(
                        req.method(),
                        req.uri(),
                        req.headers(),
                        self.reader_ip(&req, peer),
                    )
                });
                log(&req, resp.status().as_u16(), started, &resp);
                return resp;
            }
        }
        // What the log line and the view count need, kept before the
        // request moves on (a 5xx is logged even when request lines are not).
        let logged = Logged::of(&req);
        let visit = match &site {
            Some(_) if self.state.config.counts_pages() => Visit::of(
                req.method(),
                req.uri(),
                req.headers(),
                self.reader_ip(&req, peer),
            ),
            _ => Visit::none(),
        };
        let counted_site = site.clone();
        if let Some(site) = site {
            req.extensions_mut().insert(CurrentSite(site));
        }
        if let Some(peer) = peer {
            req.extensions_mut().insert(ConnectInfo(peer));
        }
        let resp = match self.router.clone().oneshot(req).await {
            Ok(resp) => resp,
            Err(never) => match never {},
        };
        let resp = guard::with_security_headers(resp, &self.state);
        if let Some(site) = &counted_site {
            self.count(&resp, &network, site, || visit);
        }
        logged.write(resp.status().as_u16(), started, &resp);
        resp
    }

    /// Counts the view if the answer is an article page (a 200 marked
    /// [`CountedView`]; staff answers lose the mark) and counting is on.
    fn count(
        &self,
        resp: &Response,
        network: &Network,
        site: &Site,
        visit: impl FnOnce() -> Visit,
    ) {
        if !self.state.config.counts_pages() || resp.status() != axum::http::StatusCode::OK {
            return;
        }
        if let Some(CountedView(article)) = resp.extensions().get::<CountedView>() {
            let visit = visit();
            if visit.counts() {
                self.state
                    .counter
                    .view(network, site, *article, &visit, chrono::Utc::now());
            }
        }
    }

    /// The reader's address: the peer, or behind a trusted proxy the one it names.
    fn reader_ip(&self, req: &Request, peer: Option<SocketAddr>) -> Option<std::net::IpAddr> {
        Some(crate::members::client_ip_of(
            req.headers(),
            peer?.ip(),
            &self.state,
        ))
    }

    /// A cache hit answered here: the shared page for a reader without a
    /// session, or with a live one, that member's (slots filled in).
    async fn fast(
        &self,
        method: &Method,
        uri: &axum::http::Uri,
        headers: &axum::http::HeaderMap,
        site: &Site,
    ) -> Option<Response> {
        if !matches!(*method, Method::GET | Method::HEAD) || !self.state.cache.enabled() {
            return None;
        }
        let key = cache::key(site.id, uri);
        let entry = self.state.cache.get(&key)?;
        match session::cookie(headers, SESSION_COOKIE) {
            None => Some(page_cache::respond(&entry, headers, "HIT")),
            Some(raw) => slots::cached_for(&self.state, site, raw, &entry).await,
        }
    }
}

fn host(req: &Request) -> Option<&str> {
    req.headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()))
}

/// Whether request lines are written (checked once per request; the
/// answer is cached by `tracing` per call site).
fn log_on() -> bool {
    tracing::enabled!(target: "kawaraban::request", tracing::Level::INFO)
}

/// The request's side of a log line, for requests that move on.
struct Logged {
    method: Method,
    uri: axum::http::Uri,
    host: Option<axum::http::HeaderValue>,
}

impl Logged {
    fn of(req: &Request) -> Self {
        Self {
            method: req.method().clone(),
            uri: req.uri().clone(),
            host: req.headers().get(header::HOST).cloned(),
        }
    }

    fn write(&self, status: u16, started: Instant, resp: &Response) {
        let host = self.host.as_ref().and_then(|h| h.to_str().ok());
        line(&self.method, host, self.uri.path(), status, started, resp);
    }
}

fn log(req: &Request, status: u16, started: Instant, resp: &Response) {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    line(req.method(), host, req.uri().path(), status, started, resp);
}

/// Paths whose last part is a live secret (emailed links, signed keys):
/// logged up to the secret only.
const SECRET_PATHS: [&str; 8] = [
    "/login/link/",
    "/verify/",
    "/password/reset/",
    "/account/email/undo/",
    "/newsletters/confirm/",
    "/newsletters/manage/",
    "/newsletters/unsubscribe/",
    "/newsletters/reports/",
];

/// The path as it may be written to the log.
fn loggable(path: &str) -> std::borrow::Cow<'_, str> {
    match SECRET_PATHS.iter().find(|p| path.starts_with(*p)) {
        Some(prefix) if path.len() > prefix.len() => format!("{prefix}[redacted]").into(),
        _ => path.into(),
    }
}

/// One structured line per request: info, or warn for a 5xx.
fn line(
    method: &Method,
    host: Option<&str>,
    path: &str,
    status: u16,
    started: Instant,
    resp: &Response,
) {
    if status < 500 && !log_on() {
        return;
    }
    let host = host.unwrap_or("");
    let path = &*loggable(path);
    let cache = resp
        .headers()
        .get("x-cache")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let micros = started.elapsed().as_micros() as u64;
    if status >= 500 {
        tracing::warn!(target: "kawaraban::request", %method, host, path, status, micros, cache, "request");
    } else {
        tracing::info!(target: "kawaraban::request", %method, host, path, status, micros, cache, "request");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_in_paths_are_not_logged() {
        assert_eq!(super::loggable("/verify/abc123"), "/verify/[redacted]");
        assert_eq!(
            super::loggable("/newsletters/manage/k.sig"),
            "/newsletters/manage/[redacted]"
        );
        assert_eq!(super::loggable("/news/a-story"), "/news/a-story");
        assert_eq!(super::loggable("/verify/"), "/verify/");
    }
}
