//! Counting views: in memory per article and minute, flushed to the store
//! every few seconds as additive counts.
//!
//! What a view keeps: the article, the minute, the referrer kind (and the
//! host for "other"), and the reader's hash under the day's salt (see
//! `kawaraban_core::analytics::reader`). No address, no user agent, no
//! cookie. Not counted: crawlers, tools and headless browsers, prefetches
//! and prerenders, HEAD, anything but a 200, and staff (the front drops the
//! mark for them).

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};

use axum::http::{header, HeaderMap, HeaderValue, Method, Uri};
use chrono::{DateTime, Utc};
use kawaraban_core::analytics::{
    classify, is_bot, is_prefetch, reader_hash, DailySalt, MinuteCounts, RefContext, RefKind,
    MINUTES_PER_DAY,
};
use kawaraban_core::model::Site;
use kawaraban_core::store::Store;
use tokio::sync::Notify;

use crate::network::Network;

/// The buffers' hasher: foldhash, seeded per process. Reader hashes are
/// keyed by the secret salt and bucket keys are ours, so a fast hash costs
/// nothing in resistance and saves three SipHash rounds per view.
type Fast = foldhash::fast::RandomState;

/// Salt generations, unique in the process (0: none yet).
static SALT_GENERATIONS: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// Each worker thread's copy of a counter's salt, with its generation.
    static SALT_COPY: std::cell::RefCell<(u64, Option<DailySalt>)> =
        const { std::cell::RefCell::new((0, None)) };
}

/// Most reader hashes held between two flushes (8 bytes and a set slot
/// each: a few MB). Past it views still count, new readers wait for the
/// flush that the counter asks for at once.
const MOST_READERS: usize = 200_000;

/// Most article-minute buckets held between two flushes.
const MOST_BUCKETS: usize = 50_000;

/// What a request says about its reader, taken before it moves on.
pub struct Visit {
    /// A crawler, a tool, a prefetch or a HEAD: nothing to count.
    skip: bool,
    ip: Option<IpAddr>,
    /// Header values are shared with the request, not copied.
    user_agent: Option<HeaderValue>,
    referer: Option<HeaderValue>,
    query: Option<String>,
}

impl Visit {
    pub fn of(method: &Method, uri: &Uri, headers: &HeaderMap, ip: Option<IpAddr>) -> Self {
        if *method != Method::GET {
            return Self::none();
        }
        let referer = headers.get(header::REFERER).cloned();
        Self::screened(headers, ip, referer, uri.query().map(str::to_string))
    }

    /// A view reported by the page's beacon (behind a CDN): the request's
    /// user agent and purpose, the page's referrer and query string.
    pub fn beacon(
        headers: &HeaderMap,
        ip: IpAddr,
        referrer: Option<&str>,
        query: Option<String>,
    ) -> Self {
        let referer = referrer.and_then(|r| HeaderValue::from_str(r).ok());
        Self::screened(headers, Some(ip), referer, query)
    }

    /// Nothing for a crawler, a tool or a prefetch; the rest as given.
    fn screened(
        headers: &HeaderMap,
        ip: Option<IpAddr>,
        referer: Option<HeaderValue>,
        query: Option<String>,
    ) -> Self {
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
        };
        let purposes = [
            text("sec-purpose"),
            text("purpose"),
            text("x-purpose"),
            text("x-moz"),
        ];
        if is_bot(text("user-agent")) || is_prefetch(&purposes) {
            return Self::none();
        }
        Self {
            skip: false,
            ip,
            user_agent: headers.get(header::USER_AGENT).cloned(),
            referer,
            query,
        }
    }

    /// Nothing to count.
    pub fn none() -> Self {
        Self {
            skip: true,
            ip: None,
            user_agent: None,
            referer: None,
            query: None,
        }
    }

    /// Whether there is anything to count.
    pub fn counts(&self) -> bool {
        !self.skip
    }
}

#[derive(Default)]
struct Bucket {
    site_id: i64,
    views: i64,
    readers: HashSet<i64, Fast>,
    referrers: HashMap<(RefKind, String), i64, Fast>,
}

#[derive(Default)]
struct Pending {
    buckets: HashMap<(i64, i64), Bucket, Fast>,
    readers: usize,
}

/// The views counted since the last flush, and the day's salt.
#[derive(Default)]
pub struct Counter {
    pending: Mutex<Pending>,
    salt: RwLock<Option<DailySalt>>,
    /// Which salt `salt` holds: a number unique in the process, so that a
    /// worker thread's copy (see [`SALT_COPY`]) is known to be current
    /// with one plain load instead of a lock shared by every thread.
    salt_generation: AtomicU64,
    /// Asks the flusher for a flush before its time (the buffers are full).
    full: Notify,
}

impl Counter {
    /// Counts one view of `article_id` on `site`.
    pub fn view(
        &self,
        network: &Network,
        site: &Site,
        article_id: i64,
        visit: &Visit,
        now: DateTime<Utc>,
    ) {
        if visit.skip {
            return;
        }
        let minute = now.timestamp().div_euclid(60);
        let day = minute.div_euclid(MINUTES_PER_DAY);
        let mut stale_salt = false;
        let reader = match visit.ip {
            Some(ip) => self.with_salt(|held| match held {
                Some(salt) if salt.day_number() == day => {
                    let ua = visit.user_agent.as_ref().and_then(|v| v.to_str().ok());
                    Some(reader_hash(salt, site.id, ip, ua.unwrap_or("")))
                }
                // Only today's salt: just past midnight (or on a server
                // whose clock runs ahead) the view counts without its
                // reader while the flusher, woken now, fetches the day's salt.
                _ => {
                    stale_salt = true;
                    None
                }
            }),
            None => None,
        };
        if stale_salt {
            self.full.notify_one();
        }
        // The site's own host is checked first, so the list may hold it.
        let (kind, host) = classify(
            visit.referer.as_ref().and_then(|v| v.to_str().ok()),
            visit.query.as_deref(),
            &RefContext {
                own_host: network.host_of(site.id),
                network_hosts: &network.hosts,
            },
        );
        let Ok(mut p) = self.pending.lock() else {
            return;
        };
        let full_buckets = p.buckets.len() >= MOST_BUCKETS;
        let full_readers = p.readers >= MOST_READERS;
        if full_buckets && !p.buckets.contains_key(&(article_id, minute)) {
            drop(p);
            self.full.notify_one();
            return;
        }
        let mut added = false;
        {
            let b = p.buckets.entry((article_id, minute)).or_default();
            b.site_id = site.id;
            b.views += 1;
            if let (Some(r), false) = (reader, full_readers) {
                added = b.readers.insert(r);
            }
            *b.referrers
                .entry((kind, host.unwrap_or_default()))
                .or_default() += 1;
        }
        if added {
            p.readers += 1;
        }
        if full_readers || full_buckets {
            drop(p);
            self.full.notify_one();
        }
    }

    /// Runs `f` with this thread's copy of the salt, refreshed from the
    /// shared one when it changed.
    fn with_salt<R>(&self, f: impl FnOnce(Option<&DailySalt>) -> R) -> R {
        let generation = self.salt_generation.load(Ordering::Acquire);
        SALT_COPY.with(|copy| {
            let mut copy = copy.borrow_mut();
            if copy.0 != generation || generation == 0 {
                *copy = (generation, self.salt.read().ok().and_then(|s| s.clone()));
            }
            f(copy.1.as_ref())
        })
    }

    /// Takes what was counted, as the store's additive counts.
    fn take(&self) -> Vec<MinuteCounts> {
        let taken = match self.pending.lock() {
            Ok(mut p) => std::mem::take(&mut *p),
            Err(_) => return Vec::new(),
        };
        taken
            .buckets
            .into_iter()
            .map(|((article_id, minute), b)| MinuteCounts {
                site_id: b.site_id,
                article_id,
                minute,
                views: b.views,
                readers: b.readers.into_iter().collect(),
                referrers: b
                    .referrers
                    .into_iter()
                    .map(|((k, h), n)| (k, h, n))
                    .collect(),
            })
            .collect()
    }

    /// Makes sure today's salt is known (the first app server of the day
    /// draws it) and yesterday's readers are forgotten.
    pub async fn keep_salt(&self, store: &dyn Store, now: DateTime<Utc>) {
        let day = now.timestamp().div_euclid(60 * 60 * 24);
        if self
            .salt
            .read()
            .ok()
            .and_then(|s| s.as_ref().map(DailySalt::day_number))
            == Some(day)
        {
            return;
        }
        let fresh: [u8; 32] = rand::random();
        match store.daily_salt(day, fresh).await {
            Ok(secret) => {
                if let Some(date) = DateTime::from_timestamp(day * 86_400, 0) {
                    if let Ok(mut s) = self.salt.write() {
                        *s = Some(DailySalt {
                            day: date.date_naive(),
                            secret,
                        });
                        self.salt_generation.store(
                            SALT_GENERATIONS.fetch_add(1, Ordering::Relaxed),
                            Ordering::Release,
                        );
                    }
                }
                if let Err(e) = store.prune_readers(day).await {
                    tracing::warn!(error = %e, "cannot forget yesterday's readers");
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot read today's analytics salt"),
        }
    }

    /// Writes what was counted. On failure the counts go back into the
    /// buffers for the next flush (within their limits).
    pub async fn flush(&self, store: &dyn Store) {
        let counts = self.take();
        if counts.is_empty() {
            return;
        }
        if let Err(e) = store.add_counts(&counts).await {
            tracing::warn!(error = %e, buckets = counts.len(), "cannot write page views; kept for the next flush");
            self.put_back(counts);
        }
    }

    fn put_back(&self, counts: Vec<MinuteCounts>) {
        let Ok(mut p) = self.pending.lock() else {
            return;
        };
        for c in counts {
            if p.buckets.len() >= MOST_BUCKETS {
                break;
            }
            let room = MOST_READERS.saturating_sub(p.readers);
            let b = p.buckets.entry((c.article_id, c.minute)).or_default();
            b.site_id = c.site_id;
            b.views += c.views;
            let before = b.readers.len();
            b.readers.extend(c.readers.into_iter().take(room));
            let added = b.readers.len() - before;
            for (k, h, n) in c.referrers {
                *b.referrers.entry((k, h)).or_default() += n;
            }
            p.readers += added;
        }
    }

    /// Flushes every `every` (sooner when the buffers fill) until `stop`,
    /// then once more: a graceful stop loses nothing, a crash at most one
    /// interval.
    pub async fn run(
        &self,
        store: std::sync::Arc<dyn Store>,
        every: std::time::Duration,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) {
        self.keep_salt(&*store, Utc::now()).await;
        loop {
            let early = tokio::select! {
                _ = tokio::time::sleep(every) => false,
                _ = self.full.notified() => true,
                _ = stop.changed() => break,
            };
            self.keep_salt(&*store, Utc::now()).await;
            self.flush(&*store).await;
            if early {
                // Woken by full buffers or a stale salt: at most twenty
                // extra rounds a second, even if the database is down.
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
        self.flush(&*store).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn site() -> Site {
        Site {
            id: 1,
            key: "news".into(),
            name: "News".into(),
            url: "http://news.localhost".into(),
            time_zone: "UTC".into(),
            publisher: "P".into(),
            tagline: String::new(),
            is_default: true,
        }
    }

    fn visit() -> Visit {
        let mut h = HeaderMap::new();
        h.insert(
            header::USER_AGENT,
            HeaderValue::from_static(
                "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            ),
        );
        Visit::beacon(&h, "192.0.2.7".parse().unwrap(), None, None)
    }

    #[test]
    fn a_clock_past_the_salts_day_still_counts_the_view_and_asks_for_the_salt() {
        let c = Counter::default();
        let network = Network::new(vec![site()], Vec::new());
        let day = Utc.with_ymd_and_hms(2026, 12, 4, 0, 0, 0).unwrap();
        *c.salt.write().unwrap() = Some(DailySalt {
            day: day.date_naive(),
            secret: [7; 32],
        });
        c.salt_generation.store(
            SALT_GENERATIONS.fetch_add(1, Ordering::Relaxed),
            Ordering::Release,
        );
        // The salt's own day: a view with its reader.
        c.view(
            &network,
            &site(),
            42,
            &visit(),
            day + chrono::Duration::hours(23),
        );
        // A server whose clock is past midnight already: the view counts,
        // without a reader, and the flusher is asked for the new salt.
        c.view(
            &network,
            &site(),
            42,
            &visit(),
            day + chrono::Duration::hours(24) + chrono::Duration::seconds(5),
        );
        let woken = futures::FutureExt::now_or_never(c.full.notified());
        assert!(woken.is_some(), "the flusher was woken");
        let mut taken = c.take();
        taken.sort_by_key(|m| m.minute);
        assert_eq!(taken.len(), 2);
        assert_eq!((taken[0].views, taken[0].readers.len()), (1, 1));
        assert_eq!((taken[1].views, taken[1].readers.len()), (1, 0));
    }
}
