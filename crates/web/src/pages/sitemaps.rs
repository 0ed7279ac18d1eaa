//! `robots.txt`, the sitemap index, article sitemaps of at most 50,000 URLs,
//! a sitemap of the site's own pages and a Google News sitemap (48 hours).

use axum::extract::{Path, State};
use chrono::Duration;

use super::xml::Xml;
use super::{now, Page, LIST_TTL};
use crate::error::{AppError, AppResult};
use crate::http::site::CurrentSite;
use crate::state::AppState;

/// Most URLs a sitemap file may hold (sitemaps.org).
pub const URLS_PER_SITEMAP: u32 = 50_000;
const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const NEWS_NS: &str = "http://www.google.com/schemas/sitemap-news/0.9";

fn xml_page(site_id: i64, body: String) -> Page {
    Page {
        body,
        content_type: "application/xml; charset=utf-8",
        tags: vec![format!("list:{site_id}")],
        ttl: LIST_TTL,
        counts: None,
    }
}

pub async fn robots(CurrentSite(site): CurrentSite) -> Page {
    let body = format!(
        "User-agent: *\nAllow: /\nDisallow: /search\n\nSitemap: {}\nSitemap: {}\n",
        site.absolute("/sitemap.xml"),
        site.absolute("/news-sitemap.xml")
    );
    Page {
        body,
        content_type: "text/plain; charset=utf-8",
        tags: vec!["network".into()],
        ttl: LIST_TTL,
        counts: None,
    }
}

pub async fn index(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
) -> AppResult<Page> {
    let count = state.store.count_published(site.id, now()).await?;
    let files = count.div_ceil(u64::from(URLS_PER_SITEMAP)).max(1);
    let mut x = Xml::new();
    x.open("sitemapindex", &[("xmlns", SITEMAP_NS)]);
    x.open("sitemap", &[])
        .text("loc", &site.absolute("/sitemaps/pages.xml"))
        .close("sitemap");
    for n in 1..=files {
        x.open("sitemap", &[])
            .text(
                "loc",
                &site.absolute(&format!("/sitemaps/articles-{n}.xml")),
            )
            .close("sitemap");
    }
    x.open("sitemap", &[])
        .text("loc", &site.absolute("/news-sitemap.xml"))
        .close("sitemap");
    x.close("sitemapindex");
    Ok(xml_page(site.id, x.finish()))
}

/// `/sitemaps/pages.xml` and `/sitemaps/articles-N.xml`.
pub async fn file(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    Path(name): Path<String>,
) -> AppResult<Page> {
    let mut x = Xml::new();
    x.open("urlset", &[("xmlns", SITEMAP_NS)]);
    if name == "pages.xml" {
        let network = state.network.get();
        let mut paths = vec!["/".to_string(), "/latest".to_string()];
        paths.extend(
            network
                .sections(site.id)
                .iter()
                .map(|s| format!("/{}/", s.slug)),
        );
        for p in paths {
            x.open("url", &[])
                .text("loc", &site.absolute(&p))
                .text("changefreq", "hourly")
                .close("url");
        }
    } else {
        let n: u64 = name
            .strip_prefix("articles-")
            .and_then(|r| r.strip_suffix(".xml"))
            .filter(|d| !d.is_empty() && d.len() < 10 && d.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|d| d.parse().ok())
            .filter(|&n| n >= 1)
            .ok_or(AppError::NotFound)?;
        let offset = (n - 1) * u64::from(URLS_PER_SITEMAP);
        let entries = state
            .store
            .sitemap_entries(site.id, offset, URLS_PER_SITEMAP, None, now())
            .await?;
        if entries.is_empty() && n > 1 {
            return Err(AppError::NotFound);
        }
        for e in entries {
            x.open("url", &[])
                .text("loc", &site.absolute(&e.path))
                .text("lastmod", &e.modified_at.to_rfc3339())
                .close("url");
        }
    }
    x.close("urlset");
    Ok(xml_page(site.id, x.finish()))
}

pub async fn news(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
) -> AppResult<Page> {
    let now = now();
    let entries = state
        .store
        .sitemap_entries(site.id, 0, 1000, Some(now - Duration::hours(48)), now)
        .await?;
    let mut x = Xml::new();
    x.open("urlset", &[("xmlns", SITEMAP_NS), ("xmlns:news", NEWS_NS)]);
    for e in entries {
        x.open("url", &[]).text("loc", &site.absolute(&e.path));
        x.open("news:news", &[]);
        x.open("news:publication", &[])
            .text("news:name", &site.name)
            .text("news:language", "en")
            .close("news:publication");
        x.text("news:publication_date", &e.published_at.to_rfc3339())
            .text("news:title", &e.title);
        x.close("news:news").close("url");
    }
    x.close("urlset");
    Ok(xml_page(site.id, x.finish()))
}
