//! RSS 2.0 and Atom feeds for each site and each section.

use axum::extract::State;
use kawaraban_core::model::{ArticleSummary, ListFilter, Site};
use kawaraban_core::paging::PageRequest;

use super::xml::Xml;
use super::{now, Page, LIST_TTL};
use crate::error::{AppError, AppResult};
use crate::http::site::CurrentSite;
use crate::state::AppState;

const ITEMS: u32 = 30;

#[derive(Clone, Copy)]
pub enum Kind {
    Rss,
    Atom,
}

pub async fn site_rss(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
) -> AppResult<Page> {
    site_feed(&state, &site, Kind::Rss).await
}

pub async fn site_atom(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
) -> AppResult<Page> {
    site_feed(&state, &site, Kind::Atom).await
}

async fn site_feed(state: &AppState, site: &Site, kind: Kind) -> AppResult<Page> {
    let items = state
        .store
        .list_articles(site.id, ListFilter::All, PageRequest::new(1, ITEMS), now())
        .await?
        .items;
    let file = match kind {
        Kind::Rss => "/feed.xml",
        Kind::Atom => "/atom.xml",
    };
    Ok(feed_page(
        site,
        kind,
        &site.name,
        &site.tagline,
        "/",
        file,
        &items,
    ))
}

pub async fn section_feed(
    state: &AppState,
    site: &Site,
    slug: &str,
    kind: Kind,
) -> AppResult<Page> {
    let network = state.network.get();
    let section = network.section(site.id, slug).ok_or(AppError::NotFound)?;
    let items = state
        .store
        .list_articles(
            site.id,
            ListFilter::Section(section.id),
            PageRequest::new(1, ITEMS),
            now(),
        )
        .await?
        .items;
    let title = format!("{}: {}", site.name, section.name);
    let home = format!("/{}/", section.slug);
    let file = match kind {
        Kind::Rss => format!("/{}/feed.xml", section.slug),
        Kind::Atom => format!("/{}/atom.xml", section.slug),
    };
    let description = format!("{} news from {}", section.name, site.name);
    Ok(feed_page(
        site,
        kind,
        &title,
        &description,
        &home,
        &file,
        &items,
    ))
}

fn feed_page(
    site: &Site,
    kind: Kind,
    title: &str,
    description: &str,
    home: &str,
    file: &str,
    items: &[ArticleSummary],
) -> Page {
    let (body, content_type) = match kind {
        Kind::Rss => (
            rss(site, title, description, home, file, items),
            "application/rss+xml; charset=utf-8",
        ),
        Kind::Atom => (
            atom(site, title, description, home, file, items),
            "application/atom+xml; charset=utf-8",
        ),
    };
    Page {
        body,
        content_type,
        tags: vec![format!("list:{}", site.id), format!("nav:{}", site.id)],
        ttl: LIST_TTL,
        counts: None,
    }
}

fn rss(
    site: &Site,
    title: &str,
    description: &str,
    home: &str,
    file: &str,
    items: &[ArticleSummary],
) -> String {
    let mut x = Xml::new();
    x.open(
        "rss",
        &[
            ("version", "2.0"),
            ("xmlns:atom", "http://www.w3.org/2005/Atom"),
        ],
    );
    x.open("channel", &[]);
    x.text("title", title)
        .text("link", &site.absolute(home))
        .text("description", description);
    x.empty(
        "atom:link",
        &[
            ("href", &site.absolute(file)),
            ("rel", "self"),
            ("type", "application/rss+xml"),
        ],
    );
    x.text("language", "en");
    x.text("copyright", &format!("© {}", site.publisher));
    if let Some(first) = items.first() {
        x.text(
            "lastBuildDate",
            &first.updated_at.unwrap_or(first.published_at).to_rfc2822(),
        );
    }
    for a in items {
        let url = site.absolute(&a.path());
        x.open("item", &[]);
        x.text("title", &a.title).text("link", &url);
        x.open("guid", &[("isPermaLink", "true")]);
        x.inner_text(&url).close("guid");
        x.text("description", &a.summary)
            .text("category", &a.section_name)
            .text("pubDate", &a.published_at.to_rfc2822());
        if let Some(img) = &a.image {
            let w = img
                .widths
                .iter()
                .copied()
                .filter(|&w| w <= 800)
                .max()
                .unwrap_or(img.widths[0]);
            x.empty(
                "enclosure",
                &[
                    ("url", &site.absolute(&img.path(w))),
                    ("type", "image/jpeg"),
                    ("length", "0"),
                ],
            );
        }
        x.close("item");
    }
    x.close("channel").close("rss");
    x.finish()
}

fn atom(
    site: &Site,
    title: &str,
    description: &str,
    home: &str,
    file: &str,
    items: &[ArticleSummary],
) -> String {
    let mut x = Xml::new();
    x.open("feed", &[("xmlns", "http://www.w3.org/2005/Atom")]);
    x.text("title", title).text("subtitle", description);
    x.empty(
        "link",
        &[
            ("href", &site.absolute(home)),
            ("rel", "alternate"),
            ("type", "text/html"),
        ],
    );
    x.empty(
        "link",
        &[
            ("href", &site.absolute(file)),
            ("rel", "self"),
            ("type", "application/atom+xml"),
        ],
    );
    x.text("id", &site.absolute(file));
    let updated = items
        .iter()
        .map(|a| a.updated_at.unwrap_or(a.published_at))
        .max()
        .unwrap_or_else(chrono::Utc::now);
    x.text("updated", &updated.to_rfc3339());
    x.open("author", &[])
        .text("name", &site.publisher)
        .close("author");
    x.text("rights", &format!("© {}", site.publisher));
    for a in items {
        let url = site.absolute(&a.path());
        x.open("entry", &[]);
        x.text("title", &a.title);
        x.empty(
            "link",
            &[("href", &url), ("rel", "alternate"), ("type", "text/html")],
        );
        x.text("id", &url);
        x.text("published", &a.published_at.to_rfc3339());
        x.text(
            "updated",
            &a.updated_at.unwrap_or(a.published_at).to_rfc3339(),
        );
        x.empty("category", &[("term", &a.section_name)]);
        x.open("summary", &[("type", "text")]);
        x.inner_text(&a.summary).close("summary");
        x.close("entry");
    }
    x.close("feed");
    x.finish()
}
