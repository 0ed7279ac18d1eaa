//! The worker that sends queued email, shared safely by any number of app
//! servers: each job is leased to one worker at a time through the database.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use kawaraban_core::store::Store;
use kawaraban_core::StoreResult;
use tokio::sync::{watch, Notify};

use crate::{Email, SendError, Transport};

/// The job kind of one transactional email.
pub const EMAIL_JOB: &str = "email";

/// Puts a rendered email on the queue. Checks it first, so a message that
/// could never be built is refused to the caller instead of failing later.
pub async fn enqueue(store: &dyn Store, email: &Email) -> StoreResult<i64> {
    let payload = serde_json::to_string(email).expect("an email serialises");
    store.enqueue_job(EMAIL_JOB, &payload, Utc::now()).await
}

/// Sends what is queued, until told to stop.
#[derive(Clone)]
pub struct Worker {
    store: Arc<dyn Store>,
    transport: Transport,
    from: String,
    /// Wakes the worker early when this process queues something.
    pub wake: Arc<Notify>,
    /// How long to sleep when the queue is empty.
    pub idle: Duration,
}

/// How long a job stays leased to the worker that claimed it.
const LEASE: Duration = Duration::from_secs(120);

/// Retry delays grow: 30 s, 1 min, 2 min ... capped at 2 hours.
pub fn backoff(attempts: i64) -> chrono::Duration {
    let secs = 30i64.saturating_mul(1 << attempts.clamp(1, 12).saturating_sub(1));
    chrono::Duration::seconds(secs.min(7200))
}

impl Worker {
    pub fn new(store: Arc<dyn Store>, transport: Transport, from: String) -> Self {
        Self {
            store,
            transport,
            from,
            wake: Arc::new(Notify::new()),
            idle: Duration::from_millis(500),
        }
    }

    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        tracing::info!(transport = %self.transport.describe(), "email worker started");
        loop {
            if *stop.borrow() {
                return;
            }
            let worked = match self.step().await {
                Ok(worked) => worked,
                Err(e) => {
                    tracing::warn!(error = %e, "email worker cannot read the job queue");
                    false
                }
            };
            if !worked {
                tokio::select! {
                    _ = tokio::time::sleep(self.idle) => {}
                    _ = self.wake.notified() => {}
                    _ = stop.changed() => return,
                }
            }
        }
    }

    /// Claims and handles one due job; false when there was none.
    pub async fn step(&self) -> StoreResult<bool> {
        let now = Utc::now();
        let lease = chrono::Duration::from_std(LEASE).unwrap_or_default();
        let Some(job) = self.store.claim_job(now, now + lease).await? else {
            return Ok(false);
        };
        if job.attempts > job.max_attempts {
            // Claimed again and again without an outcome (its workers died).
            self.store
                .fail_job(job.id, "gave up after too many attempts", None, now)
                .await?;
            return Ok(true);
        }
        if job.kind != EMAIL_JOB {
            self.store
                .fail_job(
                    job.id,
                    &format!("unknown job kind {:?}", job.kind),
                    None,
                    now,
                )
                .await?;
            return Ok(true);
        }
        let outcome = match serde_json::from_str::<Email>(&job.payload) {
            Err(e) => Err(SendError::Permanent(format!("unreadable job: {e}"))),
            Ok(email) => match email.to_message(&self.from) {
                Err(e) => Err(SendError::Permanent(e.to_string())),
                Ok(message) => self.transport.send(message).await,
            },
        };
        let now = Utc::now();
        match outcome {
            Ok(()) => self.store.finish_job(job.id, now).await?,
            Err(SendError::Transient(e)) if job.attempts < job.max_attempts => {
                tracing::warn!(job = job.id, attempt = job.attempts, error = %e, "email not sent; will retry");
                self.store
                    .fail_job(job.id, &e, Some(now + backoff(job.attempts)), now)
                    .await?
            }
            Err(e) => {
                tracing::error!(job = job.id, error = %e, "email given up");
                self.store
                    .fail_job(job.id, &e.to_string(), None, now)
                    .await?
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(super::backoff(1).num_seconds(), 30);
        assert_eq!(super::backoff(2).num_seconds(), 60);
        assert_eq!(super::backoff(4).num_seconds(), 240);
        assert_eq!(super::backoff(40).num_seconds(), 7200);
    }
}
