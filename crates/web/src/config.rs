//! What the web layer needs to know from the configuration.

use std::path::PathBuf;
use std::time::Duration;

/// Settings for serving, passed in [`crate::AppState`] (never a global).
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Where image renditions live (`<data-dir>/media`).
    pub media_dir: PathBuf,
    /// A theme directory whose files override the built-in theme by path.
    pub theme_dir: Option<PathBuf>,
    /// Reload templates and assets on every request (development).
    pub dev: bool,
    /// Keep rendered pages in memory.
    pub page_cache: bool,
    /// Upper bound of the page cache, in bytes of stored bodies.
    pub page_cache_bytes: u64,
    /// How often to read cache invalidations written by other processes.
    pub invalidation_poll: Duration,
    /// Articles per list page.
    pub per_page: u32,
}

impl WebConfig {
    pub fn new(media_dir: PathBuf) -> Self {
        Self {
            media_dir,
            theme_dir: None,
            dev: false,
            page_cache: true,
            page_cache_bytes: 256 * 1024 * 1024,
            invalidation_poll: Duration::from_millis(1000),
            per_page: 20,
        }
    }
}
