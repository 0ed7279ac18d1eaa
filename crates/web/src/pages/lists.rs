//! Paginated lists: a section, a tag, an author, and everything latest.

use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use kawaraban_core::model::{ListFilter, Site};
use kawaraban_core::paging::PageRequest;
use minijinja::context;

use super::{now, pagination, redirect, Page, Params, LIST_TTL};
use crate::error::{AppError, AppResult};
use crate::http::site::CurrentSite;
use crate::state::AppState;
use crate::view::{self, Meta};

/// What distinguishes one list from another.
struct ListSpec<'a> {
    kind: &'static str,
    title: String,
    description: String,
    path: String,
    filter: ListFilter,
    active_section: Option<&'a str>,
    feeds: Option<(String, String)>,
    /// An author's profile (biography, photo, links), on their page.
    profile: Option<minijinja::Value>,
}

async fn render_list(
    state: &AppState,
    site: &Site,
    spec: ListSpec<'_>,
    params: &Params,
) -> AppResult<Page> {
    let number = params.page()?;
    let now = now();
    let page = PageRequest::new(number, state.config.per_page);
    let paged = state
        .store
        .list_articles(site.id, spec.filter, page, now)
        .await?;
    if paged.items.is_empty() && number > 1 {
        return Err(AppError::NotFound);
    }
    let pages = pagination(&spec.path, "", &paged);
    let canonical_path = if number > 1 {
        format!("{}?page={number}", spec.path)
    } else {
        spec.path.clone()
    };
    let meta = Meta {
        title: if number > 1 {
            format!("{} (page {number})", spec.title)
        } else {
            spec.title.clone()
        },
        description: spec.description.clone(),
        canonical: site.absolute(&canonical_path),
        og_type: "website".into(),
        prev: pages.prev.clone(),
        next: pages.next.clone(),
        feed: spec.feeds.as_ref().map(|f| f.0.clone()),
        atom: spec.feeds.as_ref().map(|f| f.1.clone()),
        feed_title: spec
            .feeds
            .as_ref()
            .map(|_| format!("{}: {}", site.name, spec.title)),
        ..Default::default()
    };
    let chrome = crate::fragments::chrome(state, site, spec.active_section, now);
    let html = state.theme.render(
        "list.html",
        context! {
            chrome, meta, pages,
            kind => spec.kind,
            heading => spec.title,
            description => spec.description,
            cards => view::cards(&paged.items, site.tz()),
            profile => spec.profile,
        },
    )?;
    Ok(Page::html(
        html,
        vec![format!("list:{}", site.id), format!("nav:{}", site.id)],
        LIST_TTL,
    ))
}

pub async fn section(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    Path(slug): Path<String>,
    RawQuery(q): RawQuery,
) -> AppResult<Page> {
    let network = state.network.get();
    let section = network.section(site.id, &slug).ok_or(AppError::NotFound)?;
    let spec = ListSpec {
        kind: "section",
        title: section.name.clone(),
        description: format!("The latest {} news from {}.", section.name, site.name),
        path: format!("/{}/", section.slug),
        filter: ListFilter::Section(section.id),
        active_section: Some(&slug),
        profile: None,
        feeds: Some((
            format!("/{}/feed.xml", section.slug),
            format!("/{}/atom.xml", section.slug),
        )),
    };
    render_list(&state, &site, spec, &Params::parse(q.as_deref())).await
}

/// `/{section}` without the slash: one canonical form for every section URL.
pub async fn section_redirect(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    Path(slug): Path<String>,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    if state.network.get().section(site.id, &slug).is_none() {
        return Err(AppError::NotFound);
    }
    let target = match q {
        Some(q) => format!("/{slug}/?{q}"),
        None => format!("/{slug}/"),
    };
    Ok(redirect(&target).into_response())
}

pub async fn tag(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    Path(slug): Path<String>,
    RawQuery(q): RawQuery,
) -> AppResult<Page> {
    let tag = state
        .store
        .tag_by_slug(site.id, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let spec = ListSpec {
        kind: "tag",
        title: tag.name.clone(),
        description: format!("Articles tagged “{}” on {}.", tag.name, site.name),
        path: format!("/tag/{}", tag.slug),
        filter: ListFilter::Tag(tag.id),
        active_section: None,
        feeds: None,
        profile: None,
    };
    render_list(&state, &site, spec, &Params::parse(q.as_deref())).await
}

pub async fn author(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    Path(slug): Path<String>,
    RawQuery(q): RawQuery,
) -> AppResult<Page> {
    let person = state
        .store
        .author_by_slug(&slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let profile = match state.store.author_profile(&person.slug).await? {
        Some(p) if !(p.bio.is_empty() && p.photo.is_empty() && p.links.is_empty()) => {
            let photo = match p.photo.as_str() {
                "" => None,
                hash => state
                    .store
                    .image_by_hash(hash)
                    .await?
                    .map(|i| i.path(i.widths.first().copied().unwrap_or(i.width))),
            };
            Some(context! { bio => p.bio, photo, links => p.links })
        }
        _ => None,
    };
    let spec = ListSpec {
        kind: "author",
        title: person.name.clone(),
        description: format!("Articles by {} on {}.", person.name, site.name),
        path: format!("/author/{}", person.slug),
        filter: ListFilter::Author(person.id),
        active_section: None,
        feeds: None,
        profile,
    };
    render_list(&state, &site, spec, &Params::parse(q.as_deref())).await
}

pub async fn latest(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    RawQuery(q): RawQuery,
) -> AppResult<Page> {
    let spec = ListSpec {
        kind: "latest",
        title: "Latest news".into(),
        description: format!("Everything new on {}, newest first.", site.name),
        path: "/latest".into(),
        filter: ListFilter::All,
        active_section: None,
        profile: None,
        feeds: Some(("/feed.xml".into(), "/atom.xml".into())),
    };
    render_list(&state, &site, spec, &Params::parse(q.as_deref())).await
}
