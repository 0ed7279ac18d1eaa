//! The newsletter sender: every `serve` process runs one. It leases due
//! messages from the outbox (shared through the database, so several app
//! servers share the work), sends them over the SMTP pool with each
//! recipient's own links and a stable `Message-ID`, and records the outcome:
//! sent; a temporary failure retried with growing delays; a permanent one
//! bounced and the address suppressed. The rate limits (per second and per
//! hour) are counted in the database, so they hold across app servers.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use kawaraban_core::model::{Campaign, OutboxItem, RECIPIENT_MARKERS};
use kawaraban_core::StoreResult;
use kawaraban_mail::{Email, SendError, Transport};
use tokio::sync::Semaphore;

use super::link_key;
use crate::members::limits::{self, Limit};
use crate::state::AppState;

/// How long a leased message is someone's before another sender may take it.
const LEASE: Duration = Duration::from_secs(120);
/// Attempts before a temporarily failing message is given up.
const MAX_ATTEMPTS: i64 = 6;
/// Messages leased at a time.
const BATCH: u32 = 200;

pub struct Sender {
    state: AppState,
    transport: Transport,
    from: String,
    /// Campaigns read once per process.
    campaigns: tokio::sync::Mutex<HashMap<i64, Arc<Campaign>>>,
    pub idle: Duration,
    /// How often alerts and digests that are due are looked for.
    pub schedule_every: Duration,
}

impl Sender {
    /// A sender over its own pool of SMTP connections (`send_concurrency`).
    pub fn from_config(state: AppState) -> Result<Self, String> {
        let transport = state
            .config
            .transport(Some(state.config.send_concurrency as u32))?;
        Ok(Self::new(state, transport))
    }

    pub fn new(state: AppState, transport: Transport) -> Self {
        let from = state.config.mail_from.clone();
        Self {
            state,
            transport,
            from,
            campaigns: Default::default(),
            idle: Duration::from_millis(500),
            schedule_every: Duration::from_secs(60),
        }
    }

    /// Sends until `stop` turns true.
    pub async fn run(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let me = Arc::new(self);
        let mut next_check = tokio::time::Instant::now();
        loop {
            if *stop.borrow() {
                return;
            }
            if tokio::time::Instant::now() >= next_check {
                next_check = tokio::time::Instant::now() + me.schedule_every;
                if let Err(e) = super::schedule::tick(&me.state, Utc::now()).await {
                    tracing::warn!(error = %e, "cannot check the alerts and digests due");
                }
            }
            let sent = match me.clone().step().await {
                // At the rate limit: the next window is waited for in step.
                Ok(None) => continue,
                Ok(Some(n)) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "newsletter sender cannot read the outbox");
                    0
                }
            };
            if sent == 0 {
                if let Err(e) = me.state.store.finish_campaigns(Utc::now()).await {
                    tracing::warn!(error = %e, "cannot close finished campaigns");
                }
                tokio::select! {
                    _ = tokio::time::sleep(me.idle) => {}
                    _ = stop.changed() => return,
                }
            }
        }
    }

    /// The configured sending limits (counted in the database, like every
    /// rate limit, so that they hold across app servers).
    fn limits(&self) -> impl Iterator<Item = Limit> {
        let cfg = &self.state.config;
        [
            ("send-sec", cfg.send_per_second, 1),
            ("send-hour", cfg.send_per_hour, 3600),
        ]
        .into_iter()
        .filter(|(_, max, _)| *max > 0)
        .map(|(name, max, window)| Limit {
            name,
            max: i64::from(max),
            window,
        })
    }

    /// How many of `want` messages the limits allow now.
    async fn allowance(&self, want: u32) -> StoreResult<u32> {
        let mut n = want;
        for limit in self.limits() {
            let used = limits::used(&self.state, limit).await?;
            n = n.min((limit.max - used).max(0) as u32);
        }
        Ok(n)
    }

    /// Counts `n` messages against every limit.
    async fn count(&self, n: u32) -> StoreResult<()> {
        for limit in self.limits() {
            limits::add(&self.state, limit, i64::from(n)).await?;
        }
        Ok(())
    }

    /// Leases a batch and sends it; returns how many were leased, or
    /// `None` when the rate limit had no room (after waiting for the next
    /// second to begin).
    pub async fn step(self: Arc<Self>) -> StoreResult<Option<usize>> {
        let n = self.allowance(BATCH).await?;
        if n == 0 {
            let now = Utc::now();
            let into = now.timestamp_subsec_millis() as u64;
            tokio::time::sleep(Duration::from_millis(1000u64.saturating_sub(into).max(1))).await;
            return Ok(None);
        }
        let now = Utc::now();
        let lease = chrono::Duration::from_std(LEASE).unwrap_or_default();
        let items = self.state.store.lease_outbox(now, now + lease, n).await?;
        if items.is_empty() {
            return Ok(Some(0));
        }
        self.count(items.len() as u32).await?;
        let gate = Arc::new(Semaphore::new(self.state.config.send_concurrency.max(1)));
        let mut tasks = Vec::with_capacity(items.len());
        for item in items {
            let permit = gate
                .clone()
                .acquire_owned()
                .await
                .expect("the gate stays open");
            let me = self.clone();
            tasks.push(tokio::spawn(async move {
                let _permit = permit;
                if let Err(e) = me.deliver(&item).await {
                    tracing::warn!(error = %e, outbox = item.id, "cannot record a newsletter message");
                }
            }));
        }
        let leased = tasks.len();
        for t in tasks {
            let _ = t.await;
        }
        Ok(Some(leased))
    }

    async fn campaign(&self, id: i64) -> StoreResult<Option<Arc<Campaign>>> {
        let mut cache = self.campaigns.lock().await;
        if let Some(c) = cache.get(&id) {
            return Ok(Some(c.clone()));
        }
        let Some(c) = self.state.store.campaign(id).await? else {
            return Ok(None);
        };
        let c = Arc::new(c);
        cache.insert(id, c.clone());
        Ok(Some(c))
    }

    /// The message for one recipient.
    fn email_for(&self, c: &Campaign, item: &OutboxItem) -> Option<Email> {
        let network = self.state.network.get();
        let site = network.sites.iter().find(|s| s.id == c.site_id)?;
        let key = link_key(&self.state, item.subscriber_id);
        let manage = site.absolute(&format!("/newsletters/manage/{key}"));
        let unsubscribe = site.absolute(&format!("/newsletters/unsubscribe/{key}"));
        let fill = |body: &str| {
            body.replace(RECIPIENT_MARKERS[0], &manage)
                .replace(RECIPIENT_MARKERS[1], &unsubscribe)
        };
        let host = site.host();
        let mailto = self
            .from
            .rsplit_once('@')
            .map(|(_, domain)| domain.trim_end_matches('>').to_string())
            .unwrap_or_else(|| host.clone());
        Some(Email {
            to: item.email.clone(),
            to_name: String::new(),
            from_name: site.name.clone(),
            subject: c.subject.clone(),
            text: fill(&c.text_body),
            html: fill(&c.html_body),
            headers: vec![
                (
                    "List-Unsubscribe".into(),
                    format!("<{unsubscribe}>, <mailto:unsubscribe@{mailto}?subject=unsubscribe%20{key}>"),
                ),
                ("List-Unsubscribe-Post".into(), "List-Unsubscribe=One-Click".into()),
                ("List-Id".into(), format!("<list-{}.{host}>", c.list_id)),
                ("Precedence".into(), "bulk".into()),
            ],
            message_id: Some(format!("c{}.s{}.{}@{host}", c.id, item.subscriber_id, c.site_id)),
        })
    }

    /// The wait before the next attempt, doubling from `send_retry`.
    fn retry_after(&self, attempts: i64) -> chrono::Duration {
        let base = chrono::Duration::from_std(self.state.config.send_retry)
            .unwrap_or_else(|_| chrono::Duration::seconds(30));
        let factor = 1i32 << attempts.clamp(1, 12).saturating_sub(1);
        (base * factor).min(chrono::Duration::hours(2))
    }

    async fn deliver(&self, item: &OutboxItem) -> StoreResult<()> {
        let store = &self.state.store;
        let Some(c) = self.campaign(item.campaign_id).await? else {
            return store
                .outbox_failed(item.id, "the campaign is gone", None, Utc::now())
                .await;
        };
        let outcome = match self.email_for(&c, item) {
            None => Err(SendError::Permanent("the campaign's site is gone".into())),
            Some(email) => match email.to_message(&self.from) {
                Err(e) => Err(SendError::Permanent(e.to_string())),
                Ok(m) => self.transport.send(m).await,
            },
        };
        let now = Utc::now();
        match outcome {
            Ok(()) => store.outbox_sent(item.id, now).await,
            Err(SendError::Transient(e)) if item.attempts < MAX_ATTEMPTS => {
                tracing::info!(outbox = item.id, attempt = item.attempts, error = %e, "newsletter message will be retried");
                store
                    .outbox_failed(
                        item.id,
                        &e,
                        Some(now + self.retry_after(item.attempts)),
                        now,
                    )
                    .await
            }
            Err(SendError::Transient(e)) => store.outbox_failed(item.id, &e, None, now).await,
            Err(SendError::Permanent(e)) => {
                tracing::info!(outbox = item.id, error = %e, "newsletter address bounced; suppressed");
                store.outbox_bounced(item.id, &e, now).await
            }
        }
    }
}
