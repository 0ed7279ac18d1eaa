//! Parts of pages that many pages share, rendered once and kept for a
//! short while: the page chrome (navigation, date bar, sister sites), the
//! cards of a section's latest stories (under every article of the
//! section) and each site's newsletter signup box.
//!
//! They age like the pages around them: a part is dropped when the tags
//! that would purge those pages are invalidated (`list:{site}`,
//! `nav:{site}`, `network`, from this server or, through the database,
//! from any other), and in any case after [`TTL`], so a story scheduled to
//! go live shows up in "More in …" within a minute even if nothing announced
//! it. In development (`--dev`), when templates reload on every request,
//! nothing is kept.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use kawaraban_core::model::{ListFilter, Site};
use kawaraban_core::paging::PageRequest;
use minijinja::{context, Value};

use crate::error::AppResult;
use crate::state::AppState;
use crate::view;

/// The longest a shared part is kept.
pub const TTL: Duration = Duration::from_secs(60);

/// How many of a section's latest stories are kept: an article shows
/// four others, so five cover every article of the section.
const SECTION_CARDS: u32 = 5;

/// A card's article id and its HTML (a safe string: written as it is).
pub type Card = (i64, Value);

/// The shared parts, per site.
pub struct Fragments {
    enabled: bool,
    /// Moves on every invalidation: a part read before one is not kept.
    generation: AtomicU64,
    cards: moka::sync::Cache<(i64, i64), Arc<Vec<Card>>>,
    newsletter_box: moka::sync::Cache<i64, Value>,
    /// The page chrome by site, active section and local date.
    chrome: moka::sync::Cache<(i64, Option<String>, chrono::NaiveDate), Value>,
}

impl Fragments {
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            generation: AtomicU64::new(0),
            cards: moka::sync::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(TTL)
                .support_invalidation_closures()
                .build(),
            newsletter_box: moka::sync::Cache::builder()
                .max_capacity(1_000)
                .time_to_live(TTL)
                .build(),
            chrome: moka::sync::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(TTL)
                .support_invalidation_closures()
                .build(),
        }
    }

    /// Forgets what the tags cover: a site's parts for `list:{id}` and
    /// `nav:{id}`, everything for `network`.
    pub fn invalidate<'a>(&self, tags: impl IntoIterator<Item = &'a str>) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        for tag in tags {
            if tag == crate::engagement::TAG {
                // The survey banner lives in the chrome.
                self.chrome.invalidate_all();
                continue;
            }
            if tag == "network" {
                self.cards.invalidate_all();
                self.newsletter_box.invalidate_all();
                self.chrome.invalidate_all();
                continue;
            }
            let Some(site) = tag
                .strip_prefix("list:")
                .or_else(|| tag.strip_prefix("nav:"))
                .and_then(|id| id.parse::<i64>().ok())
            else {
                continue;
            };
            self.newsletter_box.invalidate(&site);
            self.chrome
                .invalidate_entries_if(move |k, _| k.0 == site)
                .expect("built to support invalidation closures");
            // Sections of one site: few, so a scan is fine.
            self.cards
                .invalidate_entries_if(move |k, _| k.0 == site)
                .expect("built to support invalidation closures");
        }
    }

    /// The kept part of `cache` under `key`, or `build`'s, kept unless
    /// something was invalidated while it was built.
    async fn get_or_build<K, V, F>(
        &self,
        cache: &moka::sync::Cache<K, V>,
        key: K,
        build: F,
    ) -> AppResult<V>
    where
        K: std::hash::Hash + Eq + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
        F: std::future::Future<Output = AppResult<V>>,
    {
        if let Some(v) = cache.get(&key).filter(|_| self.enabled) {
            return Ok(v);
        }
        let generation = self.generation.load(Ordering::Acquire);
        let v = build.await?;
        if self.keeps(generation) {
            cache.insert(key, v.clone());
        }
        Ok(v)
    }

    /// Whether a part read at `generation` may be kept: nothing was
    /// invalidated since.
    fn keeps(&self, generation: u64) -> bool {
        self.enabled && self.generation.load(Ordering::Acquire) == generation
    }
}

/// The cards of up to `n` of the section's latest stories other than
/// `except`, as HTML, newest first.
pub async fn section_cards(
    state: &AppState,
    site: &Site,
    section_id: i64,
    except: i64,
    n: usize,
    now: DateTime<Utc>,
) -> AppResult<Vec<Value>> {
    let f = &state.fragments;
    let cards = f
        .get_or_build(&f.cards, (site.id, section_id), async {
            let latest = state
                .store
                .list_articles(
                    site.id,
                    ListFilter::Section(section_id),
                    PageRequest::new(1, SECTION_CARDS),
                    now,
                )
                .await?;
            let tz = site.tz();
            let mut cards = Vec::with_capacity(latest.items.len());
            for a in &latest.items {
                let html = state.theme.render(
                    "fragments/card.html",
                    context! { c => view::card(a, tz), level => 3 },
                )?;
                cards.push((a.id, Value::from_safe_string(html)));
            }
            Ok(Arc::new(cards))
        })
        .await?;
    Ok(cards
        .iter()
        .filter(|(id, _)| *id != except)
        .take(n)
        .map(|(_, html)| html.clone())
        .collect())
}

/// The site's newsletter signup box (empty when it has no lists).
pub async fn newsletter_box(state: &AppState, site_id: i64) -> AppResult<Value> {
    let f = &state.fragments;
    f.get_or_build(&f.newsletter_box, site_id, async {
        let lists = crate::newsletters::form_lists(state, site_id).await?;
        Ok(Value::from_safe_string(state.theme.render(
            "newsletters/_box.html",
            context! { newsletter_lists => lists },
        )?))
    })
    .await
}

/// The chrome of a page of `site` (`view::chrome`), with the section of
/// slug `section` the active one and the survey banner that targets it,
/// as a template value.
pub fn chrome(state: &AppState, site: &Site, section: Option<&str>, now: DateTime<Utc>) -> Value {
    let f = &state.fragments;
    let key = (
        site.id,
        section.map(str::to_owned),
        now.with_timezone(&site.tz()).date_naive(),
    );
    if let Some(v) = f.chrome.get(&key).filter(|_| f.enabled) {
        return v;
    }
    let generation = f.generation.load(Ordering::Acquire);
    let network = state.network.get();
    let banner = state.engagement.banner(state, site, section);
    let v = minijinja::context! {
        survey_banner => Value::from_safe_string(banner.to_string()),
        ..Value::from_serialize(view::chrome(&network, site, section, now))
    };
    if f.keeps(generation) {
        f.chrome.insert(key, v.clone());
    }
    v
}
