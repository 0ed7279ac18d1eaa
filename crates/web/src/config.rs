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
    /// Where email goes: an SMTP URL (lettre's form), or `None` for `.eml`
    /// files in `outbox_dir`.
    pub smtp_url: Option<String>,
    pub outbox_dir: PathBuf,
    /// The sender of every email (`Name <address>` or an address).
    pub mail_from: String,
    /// Newsletter messages per second across every app server (0: no limit).
    pub send_per_second: u32,
    /// Newsletter messages per hour across every app server (0: no limit).
    pub send_per_hour: u32,
    /// Messages a sender has in flight at once (SMTP connections in use).
    pub send_concurrency: usize,
    /// DKIM signing of every email: the private key (as read from its
    /// file), the selector and the domain.
    pub dkim: Option<Dkim>,
    /// The first retry of a temporarily refused newsletter message comes
    /// this long after; each next one waits twice as long (up to 2 hours).
    pub send_retry: Duration,
    /// How long leased newsletter messages are a sender's before another
    /// may take them over (after a crash, the wait before they go out).
    pub send_lease: Duration,
    /// How often every sender checks for alerts and digests due without
    /// being woken (announcements and scheduled times wake it sooner).
    pub schedule_every: Duration,
    /// A request's headers must arrive within this; also how long an idle
    /// connection stays open.
    pub header_timeout: Duration,
    /// A request's body must arrive within this of its headers.
    pub body_timeout: Duration,
    /// Connections one address may hold at once (0: no cap).
    pub max_connections_per_ip: u32,
    /// Reverse proxies whose `X-Forwarded-For` / `Forwarded` is believed
    /// (see `kawaraban_core::client_ip`); none by default.
    pub trusted_proxies: kawaraban_core::client_ip::TrustedProxies,
    /// Whether article page views are counted here (readership analytics).
    pub count_views: bool,
    /// Pages are served through a CDN: article pages carry the view beacon
    /// and page views are no longer counted where they are served.
    pub behind_cdn: bool,
    /// How often the webhook sender looks for deliveries due.
    pub webhook_poll: Duration,
    /// How long a webhook receiver has to answer.
    pub webhook_timeout: Duration,
    /// Whether webhooks may go to this machine or the private network
    /// (off by default: an admin's URL must not reach internal services).
    pub webhooks_allow_internal: bool,
    /// How often counted views are written to the database; a crash loses
    /// at most this much of the count.
    pub analytics_flush: Duration,
    /// How often every site's trending block is recomputed (at most).
    pub trending_every: Duration,
    /// How long minute and hourly counts are kept (daily ones stay).
    pub retention: kawaraban_core::analytics::Retention,
    /// How often live surveys and giveaways are read again (they open and
    /// close on their own times) and due draws and prizes handled.
    pub engagement_every: Duration,
}

impl WebConfig {
    /// Whether page views are counted as pages are served (not behind a
    /// CDN, where the beacon counts them).
    pub fn counts_pages(&self) -> bool {
        self.count_views && !self.behind_cdn
    }

    pub fn new(media_dir: PathBuf) -> Self {
        let outbox_dir = media_dir
            .parent()
            .map(|p| p.join("outbox"))
            .unwrap_or_else(|| PathBuf::from("outbox"));
        Self {
            smtp_url: None,
            outbox_dir,
            mail_from: "Kawaraban <noreply@localhost>".into(),
            send_per_second: 0,
            send_per_hour: 0,
            send_concurrency: 32,
            send_retry: Duration::from_secs(30),
            send_lease: Duration::from_secs(120),
            trusted_proxies: Default::default(),
            dkim: None,
            media_dir,
            theme_dir: None,
            dev: false,
            page_cache: true,
            page_cache_bytes: 64 * 1024 * 1024,
            invalidation_poll: Duration::from_millis(1000),
            per_page: 20,
            schedule_every: Duration::from_secs(60),
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_connections_per_ip: 256,
            count_views: true,
            behind_cdn: false,
            analytics_flush: Duration::from_secs(10),
            trending_every: Duration::from_secs(60),
            retention: Default::default(),
            engagement_every: Duration::from_secs(5),
            webhook_poll: Duration::from_secs(1),
            webhook_timeout: Duration::from_secs(10),
            webhooks_allow_internal: false,
        }
    }
}

/// A DKIM key and where its public half is published.
#[derive(Debug, Clone)]
pub struct Dkim {
    pub key_pem: String,
    pub selector: String,
    pub domain: String,
}

impl WebConfig {
    /// How email leaves: the SMTP server (or the outbox), with `connections`
    /// pooled when given, signed with DKIM when configured.
    pub fn transport(&self, connections: Option<u32>) -> Result<kawaraban_mail::Transport, String> {
        let t = match connections {
            Some(n) => kawaraban_mail::Transport::pooled(
                self.smtp_url.as_deref(),
                self.outbox_dir.clone(),
                n,
            )?,
            None => {
                kawaraban_mail::Transport::new(self.smtp_url.as_deref(), self.outbox_dir.clone())?
            }
        };
        match &self.dkim {
            Some(d) => t.with_dkim(&d.key_pem, &d.selector, &d.domain),
            None => Ok(t),
        }
    }
}
