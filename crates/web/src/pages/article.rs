//! The article page.

use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use kawaraban_core::model::{Article, Site};
use minijinja::context;

use super::{feeds, now, redirect, Page, ARTICLE_TTL};
use crate::error::{AppError, AppResult};
use crate::http::site::CurrentSite;
use crate::state::AppState;
use crate::view::{self, Meta};

/// `/{section}/{slug}`; also the section feeds `/{section}/feed.xml` and
/// `/{section}/atom.xml` (slugs never contain dots, so the two cannot meet).
pub async fn article(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    Path((section, slug)): Path<(String, String)>,
    RawQuery(_query): RawQuery,
) -> AppResult<Response> {
    match slug.as_str() {
        "feed.xml" => {
            return feeds::section_feed(&state, &site, &section, feeds::Kind::Rss)
                .await
                .map(IntoResponse::into_response)
        }
        "atom.xml" => {
            return feeds::section_feed(&state, &site, &section, feeds::Kind::Atom)
                .await
                .map(IntoResponse::into_response)
        }
        _ => {}
    }
    let now = now();
    let Some(article) = state.store.article_by_slug(site.id, &slug, now).await? else {
        return Err(if state.store.story_gone(site.id, &slug).await? {
            AppError::Gone
        } else {
            AppError::NotFound
        });
    };
    if article.section_slug != section {
        // The article moved section: keep old links working.
        return Ok(redirect(&article.path()));
    }
    let html = render_page(&state, &site, &article, now, false).await?;
    let tags = vec![
        format!("article:{}", article.id),
        format!("nav:{}", site.id),
        format!("trending:{}", site.id),
    ];
    Ok(Page::html(html, tags, ARTICLE_TTL)
        .counting(article.id)
        .into_response())
}

/// The article page's HTML. A preview (the desk's, or a preview link's)
/// has no comments, no "more" cards, no beacon and is never indexed.
pub async fn render_page(
    state: &AppState,
    site: &Site,
    article: &Article,
    now: chrono::DateTime<chrono::Utc>,
    preview: bool,
) -> AppResult<String> {
    let tz = site.tz();
    let (more, comments) = if preview {
        (
            Vec::new(),
            minijinja::Value::from_serialize(serde_json::json!({"mode": "disabled", "count": 0})),
        )
    } else {
        let more =
            crate::fragments::section_cards(state, site, article.section_id, article.id, 4, now)
                .await?;
        let comments = crate::comments::listing::section(
            state,
            article,
            kawaraban_core::model::CommentSort::Newest,
            None,
            tz,
        )
        .await?;
        (more, minijinja::Value::from_serialize(&comments))
    };
    let chrome = crate::fragments::chrome(state, site, Some(&article.section_slug), now);
    let mut meta = meta_for(site, article);
    meta.noindex = preview;
    // The canonical address: a sister site's copy shares the original.
    let share = kawaraban_core::share::links(&meta.canonical, &article.title);
    Ok(state.theme.render(
        "article.html",
        context! {
            chrome,
            meta,
            article => view::article_view(article, tz),
            more,
            comments,
            providers => state.providers_view(),
            newsletter_box => crate::fragments::newsletter_box(state, site.id).await?,
            trending_html => if preview { String::new() } else { state.trending.block(site.id).html(&state.theme, state.config.dev).to_string() },
            giveaway_html => minijinja::Value::from_safe_string(state.engagement.block(state, site, Some(&article.section_slug)).to_string()),
            beacon => state.config.behind_cdn && !preview,
            article_id => article.id,
            first_on => first_on(state, site, article),
            share,
            preview,
        },
    )?)
}

/// The sister site a story was first published on, when its canonical
/// link is another site of the network (a circulated story).
fn first_on(state: &AppState, site: &Site, a: &Article) -> Option<minijinja::Value> {
    if a.canonical_url.is_empty() {
        return None;
    }
    let network = state.network.get();
    let home = network.site_of_url(&a.canonical_url)?;
    (home.id != site.id)
        .then(|| context! { name => home.name.clone(), url => a.canonical_url.clone() })
}

fn meta_for(site: &Site, a: &Article) -> Meta {
    let url = site.absolute(&a.path());
    let image = a
        .image
        .as_ref()
        .map(|i| site.absolute(&view::ImageView::new(i, "", 1200).large));
    let last_note = a.notes.iter().map(|n| n.at).max();
    let modified = a
        .updated_at
        .unwrap_or(a.published_at)
        .max(last_note.unwrap_or(a.published_at));
    let authors: Vec<_> = a
        .authors
        .iter()
        .map(|p| serde_json::json!({"@type": "Person", "name": p.name, "url": site.absolute(&format!("/author/{}", p.slug))}))
        .collect();
    let mut ld = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "headline": a.title,
        "description": a.summary,
        "image": image.iter().collect::<Vec<_>>(),
        "datePublished": a.published_at.to_rfc3339(),
        "dateModified": modified.to_rfc3339(),
        "author": authors,
        "articleSection": a.section_name,
        "keywords": a.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        "publisher": {"@type": "Organization", "name": site.publisher, "url": site.absolute("/")},
        "isAccessibleForFree": true,
    });
    if !a.dateline.is_empty() {
        ld["dateline"] = serde_json::Value::String(a.dateline.clone());
    }
    if !a.source.is_empty() {
        ld["sourceOrganization"] = serde_json::json!({"@type": "Organization", "name": a.source});
    }
    if !a.copyright.is_empty() {
        ld["copyrightNotice"] = serde_json::Value::String(a.copyright.clone());
    }
    let corrections: Vec<_> = a
        .notes
        .iter()
        .filter(|n| n.kind == kawaraban_core::model::NoteKind::Correction)
        .map(|n| serde_json::json!({"@type": "CorrectionComment", "text": n.text, "datePublished": n.at.to_rfc3339()}))
        .collect();
    if !corrections.is_empty() {
        ld["correction"] = serde_json::Value::Array(corrections);
    }
    let canonical = if a.canonical_url.is_empty() {
        url
    } else {
        a.canonical_url.clone()
    };
    let or = |own: &str, fallback: &str| {
        if own.is_empty() {
            fallback.to_string()
        } else {
            own.to_string()
        }
    };
    Meta {
        title: or(&a.seo_title, &a.title),
        description: or(&a.seo_description, &a.summary),
        canonical,
        og_type: "article".into(),
        image,
        jsonld: Some(view::jsonld(&ld)),
        feed: Some(format!("/{}/feed.xml", a.section_slug)),
        atom: Some(format!("/{}/atom.xml", a.section_slug)),
        feed_title: Some(format!("{}: {}", site.name, a.section_name)),
        ..Default::default()
    }
}
