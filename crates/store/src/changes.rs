//! Wake-ups for what other connections and processes write, so that
//! followers (cache invalidations, breaking-news alerts) act within
//! moments instead of at their next poll.
//!
//! - PostgreSQL: `LISTEN kawaraban_changes`; every published invalidation
//!   sends a `NOTIFY` in its own transaction. After a lost connection the
//!   listener reconnects and wakes everyone once, since notifications sent
//!   meanwhile are gone: the tables stay the truth, the wake-up only says
//!   when to look.
//! - SQLite: a connection of its own reads `PRAGMA data_version` every
//!   [`SQLITE_EVERY`]; the number moves whenever another connection (of
//!   this process or any other) commits.
//!
//! Wake-ups may be spurious; none is missed for longer than the caller's
//! own timeout.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use tokio::sync::watch;

/// The PostgreSQL channel.
pub const CHANNEL: &str = "kawaraban_changes";

/// How often SQLite's data version is read: also how long a commit in
/// flight may go unseen by [`ChangeWatch::commits`]'s readers.
pub const SQLITE_EVERY: Duration = Duration::from_millis(10);

/// A counter that moves on every change seen, with wake-ups; and a second
/// one that also moves before each of this process's commits, without.
pub struct ChangeWatch {
    tx: watch::Sender<u64>,
    commits: AtomicU64,
}

impl ChangeWatch {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self {
            tx: watch::Sender::new(0),
            commits: AtomicU64::new(0),
        })
    }

    fn bump(&self) {
        self.commits.fetch_add(1, Ordering::SeqCst);
        self.tx.send_modify(|v| *v = v.wrapping_add(1));
    }

    /// A commit of this process is about to happen (SQLite's commit hook):
    /// moves [`ChangeWatch::commits`], wakes nobody (the data version wakes
    /// the followers once the commit is visible).
    pub(crate) fn committing(&self) {
        self.commits.fetch_add(1, Ordering::SeqCst);
    }

    /// Moves before each commit of this process and after any commit seen.
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::SeqCst)
    }

    /// Waits until the counter is past `seen`, or `timeout`; returns it.
    pub async fn wait(&self, seen: u64, timeout: Duration) -> u64 {
        let mut rx = self.tx.subscribe();
        if *rx.borrow_and_update() != seen {
            return *rx.borrow();
        }
        let _ = tokio::time::timeout(timeout, rx.changed()).await;
        let now = *rx.borrow();
        now
    }

    /// Reads SQLite's data version on a thread of its own until the store
    /// is dropped.
    pub fn sqlite(path: PathBuf) -> Arc<Self> {
        let watch = Self::new();
        let weak = Arc::downgrade(&watch);
        let spawned = std::thread::Builder::new()
            .name("sqlite-changes".into())
            .spawn(move || sqlite_loop(&path, &weak));
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "cannot watch the SQLite file for changes: followers poll");
        }
        watch
    }

    /// Listens on PostgreSQL until the store is dropped.
    pub fn postgres(pool: sqlx::PgPool) -> Arc<Self> {
        let watch = Self::new();
        let weak = Arc::downgrade(&watch);
        tokio::spawn(pg_loop(pool, weak));
        watch
    }
}

fn sqlite_loop(path: &std::path::Path, weak: &Weak<ChangeWatch>) {
    let open = || {
        let conn = rusqlite::Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(1))?;
        Ok::<_, rusqlite::Error>(conn)
    };
    let mut conn = None;
    let mut last: Option<i64> = None;
    loop {
        std::thread::sleep(SQLITE_EVERY);
        let Some(watch) = weak.upgrade() else { return };
        if conn.is_none() {
            conn = open().ok();
        }
        let version = conn.as_ref().and_then(|c| {
            c.query_row("PRAGMA data_version", [], |r| r.get::<_, i64>(0))
                .ok()
        });
        match version {
            Some(v) if last != Some(v) => {
                if last.is_some() {
                    watch.bump();
                }
                last = Some(v);
            }
            Some(_) => {}
            // Reopened next time; a change may have been missed meanwhile.
            None => {
                conn = None;
                last = None;
                watch.bump();
            }
        }
    }
}

async fn pg_loop(pool: sqlx::PgPool, weak: Weak<ChangeWatch>) {
    use sqlx::postgres::PgListener;
    loop {
        if weak.strong_count() == 0 {
            return;
        }
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(l) => l,
            Err(e) => {
                tracing::debug!(error = %e, "cannot listen for changes yet");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(e) = listener.listen(CHANNEL).await {
            tracing::debug!(error = %e, "cannot LISTEN for changes yet");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        // Whatever was announced before this LISTEN: look once.
        if let Some(w) = weak.upgrade() {
            w.bump();
        }
        loop {
            // A bounded wait, to notice a dropped store.
            match tokio::time::timeout(Duration::from_secs(1), listener.try_recv()).await {
                Err(_) => {
                    if weak.strong_count() == 0 {
                        return;
                    }
                }
                // A notification; or None: the connection was lost and the
                // next try_recv reconnects, so what was sent meanwhile is
                // gone. Either way, wake everyone to look.
                Ok(Ok(_)) => match weak.upgrade() {
                    Some(w) => w.bump(),
                    None => return,
                },
                Ok(Err(e)) => {
                    tracing::debug!(error = %e, "lost the change listener");
                    if let Some(w) = weak.upgrade() {
                        w.bump();
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    break;
                }
            }
        }
    }
}
