//! The page cache: rendered pages kept in memory with their compressed
//! forms (each made once, on the first request that asks for it, never per
//! request) and an ETag. Concurrent misses of one page wait for a single
//! render ([`PageCache::begin`]) instead of each rendering it.
//!
//! Invalidation is by tag (`article:42`, `list:1`, `nav:1`). Every tag has
//! the value of a global counter at its last invalidation; an entry records
//! the counter as it was *before* its page was rendered, and is stale when
//! any of its tags was invalidated after that. This makes a render that
//! races with an invalidation harmless. Entries also expire after their TTL,
//! which is how "latest" lists pick up scheduled articles.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, Uri};

/// The cache key of a request: its site and its path with the query.
pub fn key(site_id: i64, uri: &Uri) -> String {
    let pq = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let mut key = String::with_capacity(pq.len() + 8);
    let _ = write!(key, "{site_id}|{pq}");
    key
}

/// The forms a stored page is sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Identity = 0,
    Gzip = 1,
    Brotli = 2,
}

/// One stored page.
#[derive(Debug)]
pub struct Entry {
    pub status: u16,
    pub content_type: &'static str,
    pub etag: String,
    pub identity: Bytes,
    gzip: OnceLock<Bytes>,
    brotli: OnceLock<Bytes>,
    pub cache_control: &'static str,
    /// The Content-Security-Policy it is sent with.
    pub csp: HeaderValue,
    /// Every response header, per encoding, made on first use.
    headers: [OnceLock<HeaderMap>; 3],
    /// Where its per-reader parts are, cut on a member's first visit.
    slots: OnceLock<crate::members::slot_layout::Layout>,
    /// The article a view of this page counts for (readership analytics).
    pub counts: Option<i64>,
    tags: Vec<String>,
    epoch: u64,
    expires: Instant,
}

impl Entry {
    /// Builds an entry; compressed forms are made when first asked for.
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        status: u16,
        content_type: &'static str,
        cache_control: &'static str,
        csp: HeaderValue,
        body: Bytes,
        tags: Vec<String>,
        ttl: Duration,
        epoch: u64,
    ) -> Self {
        Entry {
            status,
            content_type,
            etag: etag_for(&body),
            gzip: OnceLock::new(),
            brotli: OnceLock::new(),
            identity: body,
            cache_control,
            csp,
            headers: Default::default(),
            slots: OnceLock::new(),
            counts: None,
            tags,
            epoch,
            expires: Instant::now() + ttl,
        }
    }

    /// The body compressed with gzip (made on first use).
    pub fn gzip(&self) -> Bytes {
        self.gzip.get_or_init(|| gzip(&self.identity)).clone()
    }

    /// The body compressed with brotli (made on first use).
    pub fn brotli(&self) -> Bytes {
        self.brotli.get_or_init(|| brotli(&self.identity)).clone()
    }

    /// The body in this encoding.
    pub fn body(&self, encoding: Encoding) -> Bytes {
        match encoding {
            Encoding::Identity => self.identity.clone(),
            Encoding::Gzip => self.gzip(),
            Encoding::Brotli => self.brotli(),
        }
    }

    /// The response headers for this encoding, made once by `make`.
    pub fn headers(&self, encoding: Encoding, make: impl FnOnce() -> HeaderMap) -> &HeaderMap {
        self.headers[encoding as usize].get_or_init(make)
    }

    /// Where the page's per-reader parts are (none when it is not text).
    pub fn slot_layout(&self) -> &crate::members::slot_layout::Layout {
        self.slots.get_or_init(|| {
            std::str::from_utf8(&self.identity)
                .map(crate::members::slot_layout::Layout::of)
                .unwrap_or_default()
        })
    }

    /// Counted as if both compressed forms were made (about a third of the
    /// body each), so that the cache's size bound holds either way.
    fn weight(&self) -> u32 {
        (self.identity.len() * 5 / 3 + 256).min(u32::MAX as usize) as u32
    }
}

/// A strong ETag for a body: 96 bits of its XXH3-128 hash. Not a secret
/// and not a defence against a forger (nobody gains by matching another
/// page's tag), just a fingerprint that changes with the bytes.
pub fn etag_for(body: &[u8]) -> String {
    let h = xxhash_rust::xxh3::xxh3_128(body).to_be_bytes();
    format!("\"{}\"", hex::encode(&h[..12]))
}

pub fn gzip(body: &[u8]) -> Bytes {
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 3),
        flate2::Compression::new(6),
    );
    enc.write_all(body).expect("writing to memory");
    Bytes::from(enc.finish().expect("writing to memory"))
}

pub fn brotli(body: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(body.len() / 3);
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 7, 22);
        w.write_all(body).expect("writing to memory");
    }
    Bytes::from(out)
}

/// The cache shared by every request of one process.
pub struct PageCache {
    enabled: bool,
    entries: moka::sync::Cache<String, Arc<Entry>>,
    epoch: AtomicU64,
    tags: RwLock<HashMap<String, u64>>,
    /// Pages being rendered now; a receiver wakes when that render ends.
    inflight: Mutex<HashMap<String, tokio::sync::watch::Receiver<()>>>,
}

/// The one render of a page in progress; others wait for it (see
/// [`PageCache::begin`]). Dropping it, stored or not, wakes them.
pub struct Render<'a> {
    cache: &'a PageCache,
    key: String,
    _done: tokio::sync::watch::Sender<()>,
}

impl Drop for Render<'_> {
    fn drop(&mut self) {
        // Removed before the sender goes, so that no new waiter can find a
        // render that has already finished.
        self.cache
            .inflight
            .lock()
            .expect("inflight lock poisoned")
            .remove(&self.key);
    }
}

impl PageCache {
    pub fn new(enabled: bool, max_bytes: u64) -> Self {
        Self {
            enabled,
            entries: moka::sync::Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|_k: &String, v: &Arc<Entry>| v.weight())
                .build(),
            epoch: AtomicU64::new(1),
            tags: RwLock::new(HashMap::new()),
            inflight: Mutex::new(HashMap::new()),
        }
    }

    /// Claims the render of `key`: `Ok` for the first request to miss it,
    /// `Err` with a receiver to wait on while another request renders it.
    pub fn begin(&self, key: &str) -> Result<Render<'_>, tokio::sync::watch::Receiver<()>> {
        let mut map = self.inflight.lock().expect("inflight lock poisoned");
        if let Some(rx) = map.get(key) {
            return Err(rx.clone());
        }
        let (tx, rx) = tokio::sync::watch::channel(());
        map.insert(key.to_string(), rx);
        Ok(Render {
            cache: self,
            key: key.to_string(),
            _done: tx,
        })
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The counter to record in an entry rendered from now on.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// A fresh entry for the key, if there is one.
    pub fn get(&self, key: &str) -> Option<Arc<Entry>> {
        if !self.enabled {
            return None;
        }
        let entry = self.entries.get(key)?;
        if entry.expires <= Instant::now() || self.is_stale(&entry) {
            self.entries.invalidate(key);
            return None;
        }
        Some(entry)
    }

    fn is_stale(&self, entry: &Entry) -> bool {
        let tags = self.tags.read().expect("tag lock poisoned");
        entry
            .tags
            .iter()
            .any(|t| tags.get(t).is_some_and(|&v| v > entry.epoch))
    }

    pub fn insert(&self, key: String, entry: Entry) -> Arc<Entry> {
        let entry = Arc::new(entry);
        if self.enabled && !self.is_stale(&entry) {
            self.entries.insert(key, entry.clone());
        }
        entry
    }

    /// Marks every page carrying one of these tags as stale.
    pub fn invalidate<'a>(&self, tags: impl IntoIterator<Item = &'a str>) {
        let now = self.epoch.fetch_add(1, Ordering::AcqRel) + 1;
        let mut map = self.tags.write().expect("tag lock poisoned");
        for t in tags {
            map.insert(t.to_string(), now);
        }
    }

    /// Drops everything (the network itself changed).
    pub fn clear(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.entries.invalidate_all();
    }

    pub fn len(&self) -> u64 {
        self.entries.run_pending_tasks();
        self.entries.entry_count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(cache: &PageCache, tags: &[&str], epoch: u64) -> Entry {
        let _ = cache;
        Entry::build(
            200,
            "text/html",
            "public",
            HeaderValue::from_static("default-src 'self'"),
            Bytes::from_static(b"<p>hello hello hello</p>"),
            tags.iter().map(|t| t.to_string()).collect(),
            Duration::from_secs(60),
            epoch,
        )
    }

    #[test]
    fn invalidated_tags_make_entries_stale() {
        let c = PageCache::new(true, 1 << 20);
        let e = c.epoch();
        c.insert("a".into(), entry(&c, &["article:1", "list:1"], e));
        c.insert("b".into(), entry(&c, &["article:2"], e));
        assert!(c.get("a").is_some());
        c.invalidate(["article:1"]);
        assert!(c.get("a").is_none());
        assert!(c.get("b").is_some());
    }

    #[test]
    fn a_render_that_raced_an_invalidation_is_not_kept() {
        let c = PageCache::new(true, 1 << 20);
        let before = c.epoch();
        c.invalidate(["list:1"]);
        c.insert("a".into(), entry(&c, &["list:1"], before));
        assert!(c.get("a").is_none());
    }

    #[test]
    fn compressed_forms_decompress_to_the_body() {
        use std::io::Read;
        let c = PageCache::new(true, 1 << 20);
        let e = entry(&c, &[], c.epoch());
        let mut out = String::new();
        flate2::read::GzDecoder::new(&e.gzip()[..])
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out.as_bytes(), &e.identity[..]);
        let mut out = Vec::new();
        brotli::Decompressor::new(&e.brotli()[..], 4096)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, &e.identity[..]);
        assert!(e.etag.starts_with('"') && e.etag.len() == 26);
    }

    #[tokio::test]
    async fn one_render_at_a_time_per_page_and_waiters_wake_when_it_ends() {
        let c = PageCache::new(true, 1 << 20);
        let Ok(first) = c.begin("a") else {
            panic!("the first claims the render")
        };
        let Err(mut waiter) = c.begin("a") else {
            panic!("the second waits")
        };
        assert!(c.begin("b").is_ok(), "other pages are not held up");
        drop(first);
        assert!(waiter.changed().await.is_err(), "woken: the render ended");
        assert!(c.begin("a").is_ok(), "and the next miss may render again");
    }

    #[test]
    fn disabled_cache_keeps_nothing() {
        let c = PageCache::new(false, 1 << 20);
        c.insert("a".into(), entry(&c, &[], c.epoch()));
        assert!(c.get("a").is_none());
    }
}
