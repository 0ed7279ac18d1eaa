//! Reader-facing pages. Each handler loads what it needs, renders a theme
//! template and returns a [`Page`] tagged for the page cache.

pub mod article;
pub mod feeds;
pub mod home;
pub mod lists;
pub mod search;
pub mod sitemaps;
mod xml;

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SubsecRound, Utc};
use kawaraban_core::paging::{parse_page_param, PageParamError, Paged};
use serde::Serialize;

use crate::error::{AppError, AppResult};
use crate::http::page_cache::{Cacheable, PUBLIC_PAGE};

/// Marks a response whose body is already a themed page (or an asset), so
/// the error layer leaves it alone.
#[derive(Debug, Clone, Copy)]
pub struct Themed;

/// A rendered page or feed, cacheable for every anonymous reader.
pub struct Page {
    pub body: String,
    pub content_type: &'static str,
    pub tags: Vec<String>,
    pub ttl: Duration,
    /// The article a view of this page counts for (its article page).
    pub counts: Option<i64>,
}

impl Page {
    /// A themed page; it carries the survey banner (and perhaps a
    /// giveaway block), so it is also tagged with what changes them.
    pub fn html(body: String, mut tags: Vec<String>, ttl: Duration) -> Self {
        tags.push(crate::engagement::TAG.to_string());
        Self {
            body,
            content_type: "text/html; charset=utf-8",
            tags,
            ttl,
            counts: None,
        }
    }

    /// A view of this page is a view of article `id`.
    pub fn counting(mut self, id: i64) -> Self {
        self.counts = Some(id);
        self
    }
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let mut resp = Response::new(Body::from(self.body));
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(PUBLIC_PAGE));
        resp.extensions_mut().insert(Themed);
        resp.extensions_mut().insert(Cacheable {
            tags: self.tags,
            ttl: self.ttl,
            cache_control: PUBLIC_PAGE,
            counts: self.counts,
        });
        resp
    }
}

/// A permanent redirect to a path on the same site.
pub fn redirect(path: &str) -> Response {
    let mut resp = StatusCode::MOVED_PERMANENTLY.into_response();
    if let Ok(v) = HeaderValue::from_str(path) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    resp
}

/// Query parameters, decoded leniently (`+` and `%20` are spaces).
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(raw: Option<&str>) -> Self {
        Self(
            raw.map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default(),
        )
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The `page` parameter: garbage is a 400, beyond any page a 404.
    pub fn page(&self) -> AppResult<u32> {
        parse_page_param(self.get("page")).map_err(|e| match e {
            PageParamError::Invalid => {
                AppError::bad_request("The page number must be a whole number of 1 or more.")
            }
            PageParamError::TooDeep => AppError::NotFound,
        })
    }
}

/// Links to the previous and next pages of a list.
#[derive(Serialize, Default)]
pub struct Pagination {
    pub number: u32,
    pub prev: Option<String>,
    pub next: Option<String>,
}

/// `base` is the list's path, `extra` extra query pairs already encoded (`q=x&`).
pub fn pagination<T>(base: &str, extra: &str, paged: &Paged<T>) -> Pagination {
    let n = paged.page.number;
    let link = |p: u32| {
        if p == 1 && extra.is_empty() {
            base.to_string()
        } else if p == 1 {
            format!("{base}?{}", extra.trim_end_matches('&'))
        } else {
            format!("{base}?{extra}page={p}")
        }
    };
    Pagination {
        number: n,
        prev: (n > 1).then(|| link(n - 1)),
        next: paged.has_next.then(|| link(n + 1)),
    }
}

/// "Now" for queries, to the second, so that scheduled articles appear on time.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(0)
}

/// How long list pages may be served from the cache without an invalidation.
pub const LIST_TTL: Duration = Duration::from_secs(60);
/// The same for article pages (their "more in this section" box ages slowly).
pub const ARTICLE_TTL: Duration = Duration::from_secs(300);
