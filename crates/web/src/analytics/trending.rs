//! The trending block: "A mix of what's trending on our other sites".
//!
//! Every app server keeps each article's decayed readers in memory, fed
//! from the store's counts (which every server adds to), and recomputes the
//! block of every site at most once a [`crate::WebConfig::trending_every`].
//! The block is the same for every reader of a site, so it is part of the
//! cached article page: when a site's block changes, this server's pages
//! tagged `trending:{site}` are rendered again.
//!
//! How scores stay cheap: counts older than a few minutes no longer change
//! (every server has flushed them), so they are folded into one decayed sum
//! per article, once; only the last few minutes are read on every
//! recompute. At start the sums are rebuilt from the hourly rows.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Duration, Utc};
use kawaraban_core::analytics::{mix, Candidate, Grain, MixRules, ReadersAt, Span};
use kawaraban_core::model::{ArticleSummary, ListFilter, Site};
use kawaraban_core::paging::PageRequest;
use kawaraban_core::store::Store;
use kawaraban_core::StoreResult;
use serde::Serialize;

use crate::cache::PageCache;
use crate::network::Network;

/// Minutes at the end that may still grow (other servers' flushes, clock
/// skew between servers): read afresh on every recompute.
const OPEN_MINUTES: i64 = 5;

/// Stories of one site considered for the block, at most (the best ones).
const PER_SITE_POOL: usize = 30;

/// A decayed sum this small no longer matters: dropped to keep memory flat.
const NEGLIGIBLE: f64 = 1e-3;

/// One item of the block, as the template shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub article_id: i64,
    pub url: String,
    pub title: String,
    pub site_name: String,
    pub section_name: String,
    pub image: Option<Thumb>,
    /// An offer rather than a story (giveaways): labelled "Sponsored".
    pub sponsored: bool,
    pub pinned: bool,
}

/// A thumbnail (the network's media, served by every site).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Thumb {
    pub src: String,
    pub srcset: String,
    pub width: u32,
    pub height: u32,
    pub alt: String,
}

/// A site's rules for its own stories in the other sites' blocks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SiteRules {
    pub half_life: Duration,
    pub max_age: Duration,
}

impl Default for SiteRules {
    fn default() -> Self {
        Self {
            half_life: Duration::hours(6),
            max_age: Duration::days(7),
        }
    }
}

/// One article's folded readers, decayed to `Scores::at`.
#[derive(Debug, Clone, Copy)]
struct Sum {
    site_id: i64,
    value: f64,
}

#[derive(Debug, Default)]
struct Scores {
    sums: HashMap<i64, Sum>,
    /// The minute the sums are decayed to.
    at: i64,
    /// Counts of minutes before this are in `sums`.
    folded_to: Option<i64>,
}

fn weight(age_minutes: i64, half_life: Duration) -> f64 {
    let hl = half_life.num_minutes().max(1) as f64;
    (-(age_minutes.max(0) as f64) / hl).exp2()
}

impl Scores {
    /// Decays every sum to minute `now`.
    fn decay_to(&mut self, now: i64, rules: &HashMap<i64, SiteRules>) {
        let dt = now - self.at;
        if dt <= 0 {
            return;
        }
        self.sums.retain(|_, s| {
            let hl = rules.get(&s.site_id).copied().unwrap_or_default().half_life;
            s.value *= weight(dt, hl);
            s.value >= NEGLIGIBLE
        });
        self.at = now;
    }

    /// Adds final counts (decayed to `self.at`).
    fn fold(&mut self, rows: &[ReadersAt], rules: &HashMap<i64, SiteRules>, grain: Grain) {
        for r in rows {
            let hl = rules.get(&r.site_id).copied().unwrap_or_default().half_life;
            // An hour's readers count from its middle.
            let at = r.minute + grain.minutes() / 2;
            let v = r.readers as f64 * weight(self.at - at, hl);
            let s = self.sums.entry(r.article_id).or_insert(Sum {
                site_id: r.site_id,
                value: 0.0,
            });
            s.value += v;
        }
    }
}

/// One site's block: its items, and their HTML (the theme's
/// `trending.html`), rendered once for every page that shows it.
#[derive(Debug, Default)]
pub struct Block {
    pub items: Vec<Item>,
    html: std::sync::OnceLock<String>,
}

impl Block {
    fn new(items: Vec<Item>) -> Self {
        Self {
            items,
            html: Default::default(),
        }
    }

    /// The block's HTML (empty when there are no items). In development
    /// (templates reloaded on every request) it is rendered every time.
    pub fn html(&self, theme: &crate::theme::Theme, dev: bool) -> std::borrow::Cow<'_, str> {
        let render = || {
            theme
                .render(
                    "trending.html",
                    minijinja::context! { trending => &self.items },
                )
                .unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "cannot render the trending block");
                    String::new()
                })
        };
        if dev {
            return render().into();
        }
        self.html.get_or_init(render).as_str().into()
    }
}

/// Every site's block, and the sums behind them.
#[derive(Default)]
pub struct Trending {
    blocks: RwLock<HashMap<i64, Arc<Block>>>,
    scores: tokio::sync::Mutex<Scores>,
    /// Sponsored offers (open giveaways) and the site each belongs to:
    /// they join the other sites' blocks, labelled.
    offers: RwLock<Vec<(i64, Item)>>,
}

impl Trending {
    /// The block for pages of site `site_id` (empty before the first
    /// recompute, or in a network of one site).
    pub fn block(&self, site_id: i64) -> Arc<Block> {
        self.blocks
            .read()
            .expect("trending lock poisoned")
            .get(&site_id)
            .cloned()
            .unwrap_or_default()
    }

    /// Replaces the sponsored offers; true when they changed (the blocks
    /// then want a recompute).
    pub fn set_offers(&self, offers: Vec<(i64, Item)>) -> bool {
        let mut held = self.offers.write().expect("trending lock poisoned");
        if *held == offers {
            return false;
        }
        *held = offers;
        true
    }

    /// Recomputes every site's block from the store's counts as of `now`;
    /// pages of the sites whose block changed are invalidated here. Returns
    /// the ids of those sites.
    pub async fn recompute(
        &self,
        store: &dyn Store,
        network: &Network,
        cache: &PageCache,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<i64>> {
        let rules = site_rules(store).await?;
        let picks = store.trending_picks().await?;
        let scores = self.update_scores(store, &rules, now).await?;
        let mut blocks = build_blocks(store, network, &rules, &picks, &scores, now).await?;
        let offers = self.offers.read().expect("trending lock poisoned").clone();
        for (site, block) in &mut blocks {
            add_offers(block, *site, &offers);
        }
        let mut changed = Vec::new();
        {
            let mut held = self.blocks.write().expect("trending lock poisoned");
            for (site, block) in blocks {
                if held
                    .get(&site)
                    .map(|b| b.items != block)
                    .unwrap_or(!block.is_empty())
                {
                    held.insert(site, Arc::new(Block::new(block)));
                    changed.push(site);
                }
            }
        }
        let tags: Vec<String> = changed.iter().map(|s| format!("trending:{s}")).collect();
        cache.invalidate(tags.iter().map(String::as_str));
        Ok(changed)
    }

    /// Every article's score at `now`: the folded sums plus the open minutes.
    async fn update_scores(
        &self,
        store: &dyn Store,
        rules: &HashMap<i64, SiteRules>,
        now: DateTime<Utc>,
    ) -> StoreResult<HashMap<i64, Sum>> {
        let now_min = now.timestamp().div_euclid(60);
        let open_from = now_min - OPEN_MINUTES;
        let mut s = self.scores.lock().await;
        match s.folded_to {
            None => {
                // Rebuild: whole hours from the hourly rows, the rest of the
                // hour before the open minutes from the minute rows.
                let oldest = rules
                    .values()
                    .map(|r| r.max_age)
                    .chain([SiteRules::default().max_age])
                    .max()
                    .unwrap_or_default();
                let hour_start = Grain::Hour.bucket(open_from) * 60;
                s.sums.clear();
                s.at = now_min;
                let hours = store
                    .counts_in(&Span::all(
                        Grain::Hour,
                        now_min - oldest.num_minutes(),
                        hour_start,
                    ))
                    .await?;
                s.fold(&hours, rules, Grain::Hour);
                let minutes = store
                    .counts_in(&Span::all(Grain::Minute, hour_start, open_from))
                    .await?;
                s.fold(&minutes, rules, Grain::Minute);
            }
            Some(folded) => {
                s.decay_to(now_min, rules);
                if open_from > folded {
                    let minutes = store
                        .counts_in(&Span::all(Grain::Minute, folded, open_from))
                        .await?;
                    s.fold(&minutes, rules, Grain::Minute);
                }
            }
        }
        s.folded_to = Some(open_from.max(s.folded_to.unwrap_or(i64::MIN)));
        let mut out = s.sums.clone();
        drop(s);
        // Minutes from a server whose clock runs ahead count as now.
        let open = store
            .counts_in(&Span::all(
                Grain::Minute,
                open_from,
                now_min + OPEN_MINUTES + 1,
            ))
            .await?;
        for r in open {
            let hl = rules.get(&r.site_id).copied().unwrap_or_default().half_life;
            let e = out.entry(r.article_id).or_insert(Sum {
                site_id: r.site_id,
                value: 0.0,
            });
            e.value += r.readers as f64 * weight(now_min - r.minute, hl);
        }
        Ok(out)
    }
}

async fn site_rules(store: &dyn Store) -> StoreResult<HashMap<i64, SiteRules>> {
    Ok(store
        .trending_settings()
        .await?
        .into_iter()
        .map(|(site, hl, age)| {
            (
                site,
                SiteRules {
                    half_life: Duration::minutes(hl),
                    max_age: Duration::days(age),
                },
            )
        })
        .collect())
}

/// The candidates (each site's best and newest stories, pinned ones) and
/// each site's block mixed from them.
async fn build_blocks(
    store: &dyn Store,
    network: &Network,
    rules: &HashMap<i64, SiteRules>,
    picks: &[(i64, bool)],
    scores: &HashMap<i64, Sum>,
    now: DateTime<Utc>,
) -> StoreResult<Vec<(i64, Vec<Item>)>> {
    let excluded: HashSet<i64> = picks.iter().filter(|p| !p.1).map(|p| p.0).collect();
    let pinned: HashSet<i64> = picks.iter().filter(|p| p.1).map(|p| p.0).collect();
    // Each site's best scores.
    let mut by_site: HashMap<i64, Vec<(i64, f64)>> = HashMap::new();
    for (id, s) in scores {
        if !excluded.contains(id) {
            by_site.entry(s.site_id).or_default().push((*id, s.value));
        }
    }
    let mut ids: Vec<i64> = pinned.iter().copied().collect();
    for list in by_site.values_mut() {
        list.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.cmp(&a.0)));
        ids.extend(list.iter().take(PER_SITE_POOL).map(|x| x.0));
    }
    let mut summaries: HashMap<i64, (i64, ArticleSummary)> = store
        .summaries_by_id(&ids, now)
        .await?
        .into_iter()
        .map(|(site, a)| (a.id, (site, a)))
        .collect();
    // The newest of every site, so that a network without readers still
    // has a block.
    for site in &network.sites {
        let latest = store
            .list_articles(site.id, ListFilter::All, PageRequest::new(1, 12), now)
            .await?;
        for a in latest.items {
            summaries.entry(a.id).or_insert((site.id, a));
        }
    }
    let sites: HashMap<i64, &Arc<Site>> = network.sites.iter().map(|s| (s.id, s)).collect();
    // Every possible item, with what ranks it; `fresh` is within its
    // site's age limit.
    let mut pool: Vec<(Candidate<Key>, bool, Item)> = summaries
        .values()
        .filter(|(site, a)| sites.contains_key(site) && !excluded.contains(&a.id))
        .filter_map(|(site, a)| {
            let age = rules.get(site).copied().unwrap_or_default().max_age;
            let pinned = pinned.contains(&a.id);
            let c = Candidate {
                site_id: *site,
                score: scores.get(&a.id).map(|s| s.value).unwrap_or(0.0),
                published_at: a.published_at,
                pinned,
                item: Key::Article(a.id),
            };
            // A pin holds whatever the story's age, until it is released.
            Some((
                c,
                pinned || a.published_at >= now - age,
                item_of(sites.get(site)?, a, pinned),
            ))
        })
        .collect();
    pool.extend(external_pool(store, now).await?);
    let items: HashMap<Key, Item> = pool.iter().map(|(c, _, i)| (c.item, i.clone())).collect();
    let fresh: Vec<Candidate<Key>> = pool.iter().filter(|p| p.1).map(|p| p.0.clone()).collect();
    // Stories past their age only fill a block that would be short (a
    // quiet network's sites still show each other's latest).
    let all: Vec<Candidate<Key>> = pool.into_iter().map(|p| p.0).collect();
    let rules = MixRules {
        // Each site's own age limit was applied above.
        max_age: Duration::days(36_500),
        ..MixRules::default()
    };
    let mut out = Vec::new();
    for site in &network.sites {
        let mut picked = mix(&fresh, site.id, &rules, now);
        if picked.len() < rules.items {
            let taken: HashSet<Key> = picked.iter().map(|c| c.item).collect();
            for c in mix(&all, site.id, &rules, now) {
                let from_site = picked.iter().filter(|p| p.site_id == c.site_id).count();
                if picked.len() < rules.items
                    && !taken.contains(&c.item)
                    && from_site < rules.per_site()
                {
                    picked.push(c);
                }
            }
        }
        let block = picked
            .into_iter()
            .filter_map(|c| items.get(&c.item).cloned())
            .collect();
        out.push((site.id, block));
    }
    Ok(out)
}

/// Each offer of another site takes the block's third place (the last
/// story gives way, so the block keeps its length).
fn add_offers(block: &mut Vec<Item>, site: i64, offers: &[(i64, Item)]) {
    let len = block.len().max(MixRules::default().items);
    for (_, item) in offers.iter().filter(|(home, _)| *home != site) {
        block.insert(block.len().min(2), item.clone());
    }
    block.truncate(len);
}

/// What an item of the block is: a story of the network, or an item of an
/// external site's feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Article(i64),
    External(i64),
}

/// The external sites' items, ranked by the clicks the block sent them
/// (with the default half-life). Their site ids are the negated ids of
/// the external sites, so they never meet the network's.
async fn external_pool(
    store: &dyn Store,
    now: DateTime<Utc>,
) -> StoreResult<Vec<(Candidate<Key>, bool, Item)>> {
    let sites: HashMap<i64, String> = store
        .external_sites()
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    if sites.is_empty() {
        return Ok(Vec::new());
    }
    let rules = SiteRules::default();
    let now_min = now.timestamp().div_euclid(60);
    let mut clicks: HashMap<i64, f64> = HashMap::new();
    for (item, hour, n) in store
        .external_clicks((now - rules.max_age).timestamp().div_euclid(3600))
        .await?
    {
        *clicks.entry(item).or_default() +=
            n as f64 * weight(now_min - (hour * 60 + 30), rules.half_life);
    }
    Ok(store
        .external_items(now - rules.max_age * 4)
        .await?
        .into_iter()
        .filter_map(|i| {
            let name = sites.get(&i.external_site_id)?;
            let c = Candidate {
                site_id: -i.external_site_id,
                score: clicks.get(&i.id).copied().unwrap_or(0.0),
                published_at: i.published_at,
                pinned: false,
                item: Key::External(i.id),
            };
            let item = Item {
                article_id: 0,
                url: format!("/go/{}", i.id),
                title: i.title,
                site_name: name.clone(),
                section_name: String::new(),
                image: None,
                sponsored: false,
                pinned: false,
            };
            Some((c, i.published_at >= now - rules.max_age, item))
        })
        .collect())
}

fn item_of(site: &Site, a: &ArticleSummary, pinned: bool) -> Item {
    // Every site serves the network's media, so thumbnails stay on the
    // page's own origin (and within its Content-Security-Policy).
    let image = a.image.as_ref().map(|img| {
        let v = crate::view::ImageView::new(img, &a.image_alt, 320);
        // Thumbnails: the renditions up to 800 pixels wide are plenty.
        let srcset = v
            .srcset
            .split(", ")
            .filter(|part| {
                part.rsplit(' ')
                    .next()
                    .and_then(|w| w.trim_end_matches('w').parse::<u32>().ok())
                    .is_some_and(|w| w <= 800)
            })
            .collect::<Vec<_>>()
            .join(", ");
        Thumb {
            src: v.src,
            srcset,
            width: v.width,
            height: v.height,
            alt: v.alt,
        }
    });
    Item {
        article_id: a.id,
        url: site.absolute(&a.path()),
        title: a.title.clone(),
        site_name: site.name.clone(),
        section_name: a.section_name.clone(),
        image,
        sponsored: false,
        pinned,
    }
}

/// Recomputes every site's block now, logging a failure (the blocks
/// stay as they were).
pub async fn refresh(state: &crate::state::AppState) {
    let network = state.network.get();
    let started = std::time::Instant::now();
    match state
        .trending
        .recompute(&*state.store, &network, &state.cache, Utc::now())
        .await
    {
        Ok(changed) => tracing::debug!(
            us = started.elapsed().as_micros() as u64,
            sites = network.sites.len(),
            changed = changed.len(),
            "trending blocks recomputed"
        ),
        Err(e) => tracing::warn!(error = %e, "cannot recompute the trending block"),
    }
}

/// Recomputes every `every` until `stop` (the server computes the first
/// blocks before it takes requests: see `http::router::serve`).
pub async fn run(
    state: crate::state::AppState,
    every: std::time::Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
        refresh(&state).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(article: i64, minute: i64, readers: i64) -> ReadersAt {
        ReadersAt {
            site_id: 1,
            article_id: article,
            minute,
            views: readers,
            readers,
        }
    }

    #[test]
    fn folded_sums_decay_like_the_formula() {
        let rules = HashMap::new();
        let mut s = Scores {
            at: 1_000,
            ..Default::default()
        };
        s.fold(&[rows(7, 1_000, 100)], &rules, Grain::Minute);
        s.decay_to(1_360, &rules);
        assert!((s.sums[&7].value - 50.0).abs() < 1e-9, "six hours halve");
        s.fold(&[rows(7, 1_360, 10)], &rules, Grain::Minute);
        assert!((s.sums[&7].value - 60.0).abs() < 1e-9);
        // A long-forgotten story leaves memory.
        s.decay_to(1_360 + 360 * 40, &rules);
        assert!(s.sums.is_empty());
    }
}
