//! Shared application state, passed to every handler (no globals).

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use kawaraban_core::model::AuthProvider;
use kawaraban_core::store::Store;
use serde::Serialize;
use tokio::sync::Notify;

use crate::cache::PageCache;
use crate::config::WebConfig;
use crate::members::password::Passwords;
use crate::members::secrets::{new_token, Signer};
use crate::members::social::Discovery;
use crate::network::{Network, NetworkHandle};
use crate::theme::Theme;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Arc<dyn Store>,
    pub network: NetworkHandle,
    pub theme: Theme,
    pub cache: PageCache,
    pub config: WebConfig,
    /// Signs CSRF tokens and form stamps with the network's secret.
    pub signer: Signer,
    pub passwords: Passwords,
    /// Wakes this process's email worker when a request queues a message.
    pub mail_wake: Arc<Notify>,
    /// Set (and the sender woken) when announcements arrive: something
    /// may have been published, so breaking-news alerts are looked for now
    /// rather than at the next minute's check.
    pub publish_seen: Arc<Wake>,

    pub discovery: Discovery,
    providers: std::sync::RwLock<Vec<ProviderView>>,
    /// Signed-in readers read lately (see `members::session::Viewers`).
    pub viewers: crate::members::session::Viewers,
    /// Members' survey histories and giveaway tickets read lately, for
    /// the slots (`engagement::for_member`; kept as `members::kept` says).
    pub kept_surveys: crate::members::kept::KeptOnMark<i64, kawaraban_core::model::SurveyHistory>,
    pub kept_tickets: crate::members::kept::KeptOnMark<i64, Arc<Vec<(i64, String)>>>,
    /// Whether a content key is live, by its lookup, read lately (kept as
    /// `members::kept` says: a revocation is a commit).
    pub kept_api_keys: crate::members::kept::KeptOnMark<String, bool>,
    /// Members' parts rendered lately (`members::slots::KeptSlots`).
    pub kept_slots: crate::members::slots::KeptSlots,
    /// Page views counted since the last flush (`analytics::counter`).
    pub counter: crate::analytics::Counter,
    /// Every site's trending block (`analytics::trending`).
    pub trending: crate::analytics::trending::Trending,
    /// What the view beacon remembers (`analytics::beacon`).
    pub beacons: crate::analytics::beacon::Beacons,
    /// The last month's daily counts, for the desk (`analytics::days`).
    pub days: crate::analytics::days::DayCache,
    /// Parts many pages share (`fragments`).
    pub fragments: crate::fragments::Fragments,
    /// The live surveys and giveaways (`engagement`).
    pub engagement: crate::engagement::Engagement,
}

/// A flag with a wake-up: raised by one task, taken by another, which
/// sleeps on it while it has nothing to do.
#[derive(Default)]
pub struct Wake {
    raised: std::sync::atomic::AtomicBool,
    notify: Notify,
}

impl Wake {
    pub fn raise(&self) {
        self.raised
            .store(true, std::sync::atomic::Ordering::Release);
        self.notify.notify_one();
    }

    /// Whether it was raised since the last take (and lowers it).
    pub fn take(&self) -> bool {
        self.raised.swap(false, std::sync::atomic::Ordering::AcqRel)
    }

    /// Resolves once it is raised (at once if it was raised already).
    pub async fn raised(&self) {
        if self.raised.load(std::sync::atomic::Ordering::Acquire) {
            return;
        }
        self.notify.notified().await;
    }
}

/// A sign-in button: "Continue with {name}" to `/auth/{key}/start`.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderView {
    pub key: String,
    pub name: String,
    pub kind: String,
}

fn provider_views(list: Vec<AuthProvider>) -> Vec<ProviderView> {
    list.into_iter()
        .map(|p| ProviderView {
            key: p.key,
            name: p.name,
            kind: p.kind,
        })
        .collect()
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Loads the theme and the network; errors are one line for the operator.
    pub async fn new(store: Arc<dyn Store>, config: WebConfig) -> Result<Self, String> {
        let theme = Theme::load(config.theme_dir.clone(), config.dev)?;
        let network = NetworkHandle::default();
        network.set(
            Network::load(&*store)
                .await
                .map_err(|e| format!("cannot read the sites: {e}"))?,
        );
        let cache = PageCache::new(config.page_cache && !config.dev, config.page_cache_bytes);
        let fragments = crate::fragments::Fragments::new(!config.dev);
        let secret = store
            .secret("network", &new_token(), chrono::Utc::now())
            .await
            .map_err(|e| format!("cannot read the network secret: {e}"))?;
        let providers = store
            .auth_providers()
            .await
            .map_err(|e| format!("cannot read the sign-in providers: {e}"))?;
        let state = Self(Arc::new(Inner {
            store,
            network,
            theme,
            cache,
            config,
            signer: Signer::new(&secret),
            passwords: Passwords::new(),
            mail_wake: Arc::new(Notify::new()),
            publish_seen: Arc::default(),

            discovery: Discovery::default(),
            providers: std::sync::RwLock::new(provider_views(providers)),
            viewers: Default::default(),
            kept_surveys: Default::default(),
            kept_tickets: Default::default(),
            kept_slots: Default::default(),
            kept_api_keys: Default::default(),
            counter: Default::default(),
            trending: Default::default(),
            beacons: Default::default(),
            days: Default::default(),
            fragments,
            engagement: Default::default(),
        }));
        // The first pages show what is live.
        crate::engagement::refresh(&state).await;
        // Readers are told apart from the first view on.
        state
            .counter
            .keep_salt(&*state.store, chrono::Utc::now())
            .await;
        Ok(state)
    }

    /// The configured sign-in providers, for the sign-in choices.
    pub fn providers_view(&self) -> Vec<ProviderView> {
        self.providers.read().expect("providers lock").clone()
    }

    /// Applies invalidations announced through the database (by imports, by
    /// other app servers) until `stop` resolves. Runs in the background.
    pub async fn follow_invalidations(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let mut last = loop {
            match self.store.latest_invalidation_id().await {
                Ok(id) => break id,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read cache invalidations yet");
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                        _ = stop.changed() => return,
                    }
                }
            }
        };
        let mut seen = 0;
        let mut pruned = tokio::time::Instant::now();
        loop {
            // Woken by the database (NOTIFY, or SQLite's data version), with
            // the poll as a floor in case a wake-up is lost.
            tokio::select! {
                mark = self.store.wait_for_change(seen, self.config.invalidation_poll) => seen = mark,
                _ = stop.changed() => return,
            }
            match self.store.invalidations_since(last).await {
                Ok(events) if !events.is_empty() => {
                    last = events.last().map(|(id, _)| *id).unwrap_or(last);
                    self.apply_invalidations(events.iter().map(|(_, t)| t.as_str()))
                        .await;
                    self.publish_seen.raise();
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read cache invalidations");
                    // Not in a loop as fast as the wake-ups come.
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                        _ = stop.changed() => return,
                    }
                }
            }
            // Once an hour, forget announcements every server has long seen.
            if pruned.elapsed() >= Duration::from_secs(3600) {
                pruned = tokio::time::Instant::now();
                let before = chrono::Utc::now() - chrono::Duration::hours(1);
                if let Err(e) = self.store.prune_invalidations(before).await {
                    tracing::warn!(error = %e, "cannot prune cache invalidations");
                }
            }
        }
    }

    /// Invalidates cached pages by tag; `network` and `nav:*` also reload the sites.
    pub async fn apply_invalidations<'a>(&self, tags: impl Iterator<Item = &'a str>) {
        let tags: Vec<&str> = tags.collect();
        if tags
            .iter()
            .any(|t| *t == "network" || t.starts_with("nav:"))
        {
            if let Err(e) = self.network.reload(&*self.store).await {
                tracing::warn!(error = %e, "cannot reload the sites");
            }
            match self.store.auth_providers().await {
                Ok(list) => *self.providers.write().expect("providers lock") = provider_views(list),
                Err(e) => tracing::warn!(error = %e, "cannot reload the sign-in providers"),
            }
            if tags.contains(&"network") {
                self.cache.clear();
            }
        }
        if tags.contains(&crate::engagement::TAG) {
            crate::engagement::refresh(self).await;
        }
        self.fragments.invalidate(tags.iter().copied());
        self.cache.invalidate(tags.iter().copied());
    }
}
