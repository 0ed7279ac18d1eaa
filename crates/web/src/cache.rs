//! The page cache: rendered pages kept in memory with their compressed
//! forms (compressed once, when stored, never per request) and an ETag.
//!
//! Invalidation is by tag (`article:42`, `list:1`, `nav:1`). Every tag has
//! the value of a global counter at its last invalidation; an entry records
//! the counter as it was *before* its page was rendered, and is stale when
//! any of its tags was invalidated after that. This makes a render that
//! races with an invalidation harmless. Entries also expire after their TTL,
//! which is how "latest" lists pick up scheduled articles.

use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use sha2::{Digest, Sha256};

/// One stored page.
#[derive(Debug)]
pub struct Entry {
    pub status: u16,
    pub content_type: &'static str,
    pub etag: String,
    pub identity: Bytes,
    pub gzip: Bytes,
    pub brotli: Bytes,
    pub cache_control: &'static str,
    tags: Vec<String>,
    epoch: u64,
    expires: Instant,
}

impl Entry {
    /// Builds an entry, compressing the body with gzip and brotli.
    pub fn build(
        status: u16,
        content_type: &'static str,
        cache_control: &'static str,
        body: Bytes,
        tags: Vec<String>,
        ttl: Duration,
        epoch: u64,
    ) -> Self {
        Entry {
            status,
            content_type,
            etag: etag_for(&body),
            gzip: gzip(&body),
            brotli: brotli(&body),
            identity: body,
            cache_control,
            tags,
            epoch,
            expires: Instant::now() + ttl,
        }
    }

    fn weight(&self) -> u32 {
        (self.identity.len() + self.gzip.len() + self.brotli.len() + 256).min(u32::MAX as usize)
            as u32
    }
}

/// A strong ETag from the body's SHA-256.
pub fn etag_for(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!("\"{}\"", hex::encode(&digest[..12]))
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
        }
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
        flate2::read::GzDecoder::new(&e.gzip[..])
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out.as_bytes(), &e.identity[..]);
        let mut out = Vec::new();
        brotli::Decompressor::new(&e.brotli[..], 4096)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, &e.identity[..]);
        assert!(e.etag.starts_with('"') && e.etag.len() == 26);
    }

    #[test]
    fn disabled_cache_keeps_nothing() {
        let c = PageCache::new(false, 1 << 20);
        c.insert("a".into(), entry(&c, &[], c.epoch()));
        assert!(c.get("a").is_none());
    }
}
