//! The home page: lead story, top stories, a block per section, latest.

use axum::extract::State;
use futures::future::try_join_all;
use kawaraban_core::model::ListFilter;
use kawaraban_core::paging::{page_holding, PageRequest};
use minijinja::context;
use serde::Serialize;

use super::{now, Page, LIST_TTL};
use crate::error::AppResult;
use crate::http::site::CurrentSite;
use crate::state::AppState;
use crate::view::{self, CardView, Meta};

/// Stories under "Latest" on the home page, the lead's included.
const HOME_LATEST: u32 = 12;

#[derive(Serialize)]
struct SectionBlock {
    name: String,
    url: String,
    cards: Vec<CardView>,
}

pub async fn home(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
) -> AppResult<Page> {
    let now = now();
    let network = state.network.get();
    let store = &state.store;
    let sections = network.sections(site.id);
    let (featured, latest, blocks) = tokio::try_join!(
        store.list_articles(site.id, ListFilter::Featured, PageRequest::new(1, 1), now),
        store.list_articles(
            site.id,
            ListFilter::All,
            PageRequest::new(1, HOME_LATEST),
            now
        ),
        try_join_all(sections.iter().map(|s| store.list_articles(
            site.id,
            ListFilter::Section(s.id),
            PageRequest::new(1, 4),
            now
        ))),
    )?;
    let tz = site.tz();
    let lead = featured.items.first().or(latest.items.first()).cloned();
    let rest: Vec<_> = latest
        .items
        .iter()
        .filter(|a| Some(a.id) != lead.as_ref().map(|l| l.id))
        .cloned()
        .collect();
    let top = view::cards(&rest[..rest.len().min(4)], tz);
    let more = view::cards(&rest[rest.len().min(4)..], tz);
    let blocks: Vec<SectionBlock> = sections
        .iter()
        .zip(blocks)
        .filter(|(_, p)| !p.items.is_empty())
        .map(|(s, p)| SectionBlock {
            name: s.name.clone(),
            url: format!("/{}/", s.slug),
            cards: view::cards(&p.items, tz),
        })
        .collect();
    let lead_view = lead.as_ref().map(|a| {
        let mut c = view::card(a, tz);
        c.image = a
            .image
            .as_ref()
            .map(|i| view::ImageView::new(i, &a.image_alt, 1200));
        c
    });
    let meta = Meta {
        title: site.name.clone(),
        description: site.tagline.clone(),
        canonical: site.absolute("/"),
        og_type: "website".into(),
        image: lead
            .as_ref()
            .and_then(|a| a.image.as_ref())
            .map(|i| site.absolute(&view::ImageView::new(i, "", 1200).large)),
        feed: Some("/feed.xml".into()),
        atom: Some("/atom.xml".into()),
        jsonld: Some(view::jsonld(&serde_json::json!({
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": site.name,
            "url": site.absolute("/"),
            "publisher": {"@type": "Organization", "name": site.publisher},
            "potentialAction": {
                "@type": "SearchAction",
                "target": site.absolute("/search?q={query}"),
                "query-input": "required name=query"
            }
        }))),
        ..Default::default()
    };
    // "More news" goes to the page of `/latest` that holds the first story
    // the home page does not show.
    let more_url = match page_holding(u64::from(HOME_LATEST) + 1, state.config.per_page) {
        1 => "/latest".to_string(),
        n => format!("/latest?page={n}"),
    };
    let chrome = crate::fragments::chrome(&state, &site, None, now);
    let html = state.theme.render(
        "home.html",
        context! {
            chrome, meta, lead => lead_view, top, more, blocks, has_more => latest.has_next, more_url,
            newsletter_box => crate::fragments::newsletter_box(&state, site.id).await?,
        },
    )?;
    Ok(Page::html(
        html,
        vec![format!("list:{}", site.id), format!("nav:{}", site.id)],
        LIST_TTL,
    ))
}
