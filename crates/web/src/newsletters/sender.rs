//! The newsletter sender: every `serve` process runs one. It leases due
//! messages from the outbox (shared through the database, so several app
//! servers share the work), sends them over the SMTP pool with each
//! recipient's own links and a stable `Message-ID`, and records the outcome:
//! sent; a temporary failure retried with growing delays; a permanent one
//! bounced and the address suppressed. The rate limits (per second and per
//! hour) are counted in the database, so they hold across app servers.
//!
//! Exactly once: each message is recorded as sent (claimed, under the
//! lease's token) after its content has gone to the SMTP server and before
//! the five bytes that end it do (`kawaraban_mail::Claim`). Killed before
//! the claim commits, the server drops the unfinished message and the row
//! is still queued; killed after, the row says sent and the end is on its
//! way. Claims are committed in groups by one task ([`claimer`]), so the
//! database sees one write for many messages in flight.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use kawaraban_core::model::{Campaign, OutboxItem, RECIPIENT_MARKERS};
use kawaraban_core::StoreResult;
use kawaraban_mail::{Claim, Delivery, Email, End, SendError, Transport};
use tokio::sync::{mpsc, oneshot, OnceCell, Semaphore};

use super::link_key;
use crate::members::limits::{self, Limit};
use crate::state::AppState;

/// Attempts before a temporarily failing message is given up.
const MAX_ATTEMPTS: i64 = 6;
/// Messages leased at a time.
const BATCH: u32 = 200;
/// Under a per-second limit, a tenth of it goes out every tenth of a
/// second: an even pace, not a burst at the start of each second.
const TICK: Duration = Duration::from_millis(100);

pub struct Sender {
    state: AppState,
    transport: Transport,
    from: String,
    /// Campaigns read once per process.
    campaigns: tokio::sync::Mutex<HashMap<i64, Arc<Campaign>>>,
    /// The way to the claimer task, started on first use.
    claims: OnceCell<mpsc::UnboundedSender<ClaimRequest>>,
    /// Where the claimer runs: the server's own runtime, at normal
    /// priority, when the sender has a thread of its own.
    claims_on: Option<tokio::runtime::Handle>,
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
        let schedule_every = state.config.schedule_every;
        Self {
            state,
            transport,
            from,
            campaigns: Default::default(),
            claims: OnceCell::new(),
            claims_on: None,
            idle: Duration::from_millis(500),
            schedule_every,
        }
    }

    /// Runs the sender on a thread of its own, at a lower CPU priority
    /// (niceness 10) than the threads that serve pages: on a busy machine
    /// readers come first and the campaign takes what CPU they leave.
    /// The claimer stays on the calling runtime at normal priority: the
    /// moments between a claim's commit and the ends it releases are the
    /// ones a crash must not fall into, so they are not left waiting for a
    /// low-priority thread.
    pub fn run_beside_pages(
        mut self,
        stop: tokio::sync::watch::Receiver<bool>,
    ) -> std::io::Result<std::thread::JoinHandle<()>> {
        self.claims_on = tokio::runtime::Handle::try_current().ok();
        std::thread::Builder::new()
            .name("newsletter-sender".into())
            .spawn(move || {
                lower_this_threads_priority();
                match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt.block_on(self.run(stop)),
                    Err(e) => tracing::error!(error = %e, "cannot start the newsletter sender"),
                }
            })
    }

    /// Sends until `stop` turns true.
    pub async fn run(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let me = Arc::new(self);
        let mut next_check = tokio::time::Instant::now();
        loop {
            if *stop.borrow() {
                return;
            }
            // Announcements (something published here, by an import or on
            // another app server), the next scheduled breaking article's
            // time, or the minute's check: whichever comes first.
            let woken = me.state.publish_seen.take();
            if woken || tokio::time::Instant::now() >= next_check {
                let now = Utc::now();
                next_check = tokio::time::Instant::now() + me.schedule_every;
                match super::schedule::tick(&me.state, now).await {
                    Ok(Some(at)) => {
                        let wait = (at - now).to_std().unwrap_or_default();
                        next_check = next_check.min(tokio::time::Instant::now() + wait);
                    }
                    Ok(None) => {}
                    Err(e) => tracing::warn!(error = %e, "cannot check the alerts and digests due"),
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
                let until = next_check.min(tokio::time::Instant::now() + me.idle);
                tokio::select! {
                    _ = tokio::time::sleep_until(until) => {}
                    _ = me.state.publish_seen.raised() => {}
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
        let started = tokio::time::Instant::now();
        let per_second = self.state.config.send_per_second;
        let want = match per_second {
            0 => BATCH,
            n => BATCH.min(n.div_ceil(10)),
        };
        let n = self.allowance(want).await?;
        if n == 0 {
            let now = Utc::now();
            let into = now.timestamp_subsec_millis() as u64;
            tokio::time::sleep(Duration::from_millis(1000u64.saturating_sub(into).max(1))).await;
            return Ok(None);
        }
        let now = Utc::now();
        let until = now
            + chrono::Duration::from_std(self.state.config.send_lease)
                .unwrap_or_else(|_| chrono::Duration::minutes(2));
        // The lease's token: only its holder may claim what it leased.
        let lease = rand::random::<i64>() | 1;
        let items = self.state.store.lease_outbox(now, until, n, lease).await?;
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
                if let Err(e) = me.deliver(&item, lease).await {
                    tracing::warn!(error = %e, outbox = item.id, "cannot record a newsletter message");
                }
            }));
        }
        let leased = tasks.len();
        for t in tasks {
            let _ = t.await;
        }
        if per_second > 0 {
            tokio::time::sleep_until(started + TICK).await;
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

    /// A claim for one leased message, answered by the claimer task.
    async fn claim(&self, lease: i64, id: i64) -> impl FnOnce(End) -> Claim {
        let claims = self
            .claims
            .get_or_init(|| async {
                let (tx, rx) = mpsc::unbounded_channel();
                let runtime = self
                    .claims_on
                    .clone()
                    .unwrap_or_else(tokio::runtime::Handle::current);
                runtime.spawn(claimer(self.state.clone(), rx));
                tx
            })
            .await
            .clone();
        move |end| -> Claim {
            Box::pin(async move {
                let (answer, answered) = oneshot::channel();
                claims.send((lease, id, end, answer)).is_ok() && answered.await.unwrap_or(false)
            })
        }
    }

    async fn deliver(&self, item: &OutboxItem, lease: i64) -> StoreResult<()> {
        let store = &self.state.store;
        let Some(c) = self.campaign(item.campaign_id).await? else {
            return store
                .outbox_failed(item.id, "the campaign is gone", None, Utc::now())
                .await;
        };
        let outcome = match self.email_for(&c, item) {
            None => Delivery::Refused(SendError::Permanent("the campaign's site is gone".into())),
            Some(email) => match email.to_message(&self.from) {
                Err(e) => Delivery::Refused(SendError::Permanent(e.to_string())),
                Ok(m) => {
                    let claim = self.claim(lease, item.id).await;
                    self.transport.send_claimed(m, claim).await
                }
            },
        };
        let now = Utc::now();
        match outcome {
            // Recorded as sent by its claim.
            Delivery::Accepted => Ok(()),
            // Another sender holds it now (this lease expired), or the
            // claim could not be recorded: nothing went out; the lease
            // runs out and the message is sent then.
            Delivery::NotClaimed => {
                tracing::warn!(
                    outbox = item.id,
                    "newsletter message not claimed; left for its next lease"
                );
                Ok(())
            }
            Delivery::Unconfirmed(e) => {
                tracing::warn!(outbox = item.id, error = %e, "newsletter message ended without an answer; counted as sent, not sent again");
                Ok(())
            }
            Delivery::Refused(SendError::Transient(e)) if item.attempts < MAX_ATTEMPTS => {
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
            Delivery::Refused(SendError::Transient(e)) => {
                store.outbox_failed(item.id, &e, None, now).await
            }
            Delivery::Refused(SendError::Permanent(e)) => {
                tracing::info!(outbox = item.id, error = %e, "newsletter address bounced; suppressed");
                store.outbox_bounced(item.id, &e, now).await
            }
        }
    }
}

/// Niceness of the sender's thread (0 is normal, 19 the lowest).
const SENDER_NICENESS: i32 = 10;

#[cfg(target_os = "linux")]
fn lower_this_threads_priority() {
    // On Linux, PRIO_PROCESS with a thread id sets that thread alone.
    let tid = rustix::thread::gettid();
    if let Err(e) = rustix::process::setpriority_process(Some(tid), SENDER_NICENESS) {
        tracing::warn!(error = %e, "cannot lower the newsletter sender's priority");
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_this_threads_priority() {}

/// (lease, outbox id, the message's end, where the answer goes)
type ClaimRequest = (i64, i64, End, oneshot::Sender<bool>);

/// How long the claimer gathers claims before committing them: fewer
/// commits, and so fewer moments at which a crash could fall between a
/// commit and the ends it releases.
const GATHER: Duration = Duration::from_millis(5);

/// Commits claims in groups and, the moment a commit returns, writes the
/// ends of the messages it claimed. A claim the database could not record
/// is asked again (the answer may have been lost after the commit), then
/// refused.
async fn claimer(state: AppState, mut requests: mpsc::UnboundedReceiver<ClaimRequest>) {
    let mut batch = Vec::new();
    while requests.recv_many(&mut batch, 1024).await > 0 {
        tokio::time::sleep(GATHER).await;
        while let Ok(more) = requests.try_recv() {
            batch.push(more);
        }
        let mut by_lease: HashMap<i64, Vec<(i64, End, oneshot::Sender<bool>)>> = HashMap::new();
        for (lease, id, end, answer) in batch.drain(..) {
            by_lease.entry(lease).or_default().push((id, end, answer));
        }
        for (lease, waiting) in by_lease {
            let ids: Vec<i64> = waiting.iter().map(|(id, _, _)| *id).collect();
            let mut claimed = state.store.outbox_claim(lease, &ids, Utc::now()).await;
            for attempt in 1..=3u64 {
                let Err(e) = &claimed else { break };
                tracing::warn!(error = %e, attempt, "cannot record newsletter messages as sent");
                tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
                claimed = state.store.outbox_claimed(lease, &ids).await;
            }
            let claimed: std::collections::HashSet<i64> =
                claimed.unwrap_or_default().into_iter().collect();
            // Ends first, all of them, before any task is woken.
            for (id, end, _) in &waiting {
                if claimed.contains(id) {
                    end.write_now();
                }
            }
            for (id, _, answer) in waiting {
                let _ = answer.send(claimed.contains(&id));
            }
        }
    }
}
