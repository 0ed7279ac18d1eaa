//! Full-text search.

use axum::extract::{RawQuery, State};
use kawaraban_core::paging::PageRequest;
use minijinja::context;

use super::{now, pagination, Page, Params, LIST_TTL};
use crate::error::{AppError, AppResult};
use crate::http::site::CurrentSite;
use crate::state::AppState;
use crate::view::{self, Meta};

/// Longest query accepted, in characters.
const MAX_QUERY: usize = 200;

pub async fn search(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    RawQuery(raw): RawQuery,
) -> AppResult<Page> {
    let params = Params::parse(raw.as_deref());
    let q: String = params
        .get("q")
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    let q = q.trim();
    if q.chars().count() > MAX_QUERY {
        return Err(AppError::bad_request(format!(
            "Search for {MAX_QUERY} characters at most."
        )));
    }
    let number = params.page()?;
    let now = now();
    let (cards, pages) = if q.is_empty() {
        (Vec::new(), Default::default())
    } else {
        let paged = state
            .store
            .search(
                site.id,
                q,
                PageRequest::new(number, state.config.per_page),
                now,
            )
            .await?;
        if paged.items.is_empty() && number > 1 {
            return Err(AppError::NotFound);
        }
        let extra: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("q", q)
            .finish()
            + "&";
        let pages = pagination("/search", &extra, &paged);
        (view::cards(&paged.items, site.tz()), pages)
    };
    let meta = Meta {
        title: if q.is_empty() {
            "Search".into()
        } else {
            format!("Search: {q}")
        },
        description: format!("Search {}", site.name),
        canonical: site.absolute("/search"),
        og_type: "website".into(),
        noindex: true,
        prev: pages.prev.clone(),
        next: pages.next.clone(),
        ..Default::default()
    };
    let chrome = crate::fragments::chrome(&state, &site, None, now);
    let html = state.theme.render(
        "search.html",
        context! { chrome, meta, query => q, cards, pages, searched => !q.is_empty() },
    )?;
    Ok(Page::html(
        html,
        vec![format!("list:{}", site.id), format!("nav:{}", site.id)],
        LIST_TTL,
    ))
}
