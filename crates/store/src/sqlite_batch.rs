//! SQLite's group commit for small writes that arrive in crowds (a survey's
//! responses and the rate counters every form hits): one thread with its
//! own connection takes every write waiting, runs them in one transaction
//! and answers each after the commit. SQLite has one writer at a time;
//! 200 answers sent at once then cost a few commits instead of 200 turns,
//! each with its hops between threads.

use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::Arc;

use kawaraban_core::{StoreError, StoreResult};

/// What a job does once the batch is committed (or failed to commit).
type Finish = Box<dyn FnOnce(Option<&str>) + Send>;
/// A write: run on the batch's transaction, it says how to answer.
type Job = Box<dyn FnOnce(&rusqlite::Connection) -> Finish + Send>;

/// The most writes one transaction takes.
const MOST: usize = 512;

pub(crate) struct Batcher {
    jobs: mpsc::Sender<Job>,
}

impl Batcher {
    /// Starts the writer thread on the database at `path`; it takes the
    /// process's write turn (`SqliteStore::write_turn`) for each batch.
    pub(crate) fn start(
        path: PathBuf,
        turn: Arc<tokio::sync::Mutex<()>>,
        changes: Arc<crate::changes::ChangeWatch>,
    ) -> Self {
        let (jobs, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("sqlite-batch".into())
            .spawn(move || {
                // Opened now, not at the first write: the first crowd of
                // writes should not wait for the schema to be read.
                let mut conn: Option<rusqlite::Connection> = crate::sqlite_bulk::open(&path).ok();
                while let Ok(first) = rx.recv() {
                    let mut batch = vec![first];
                    while batch.len() < MOST {
                        match rx.try_recv() {
                            Ok(j) => batch.push(j),
                            Err(_) => break,
                        }
                    }
                    let _turn = turn.blocking_lock();
                    if conn.is_none() {
                        match crate::sqlite_bulk::open(&path) {
                            Ok(c) => conn = Some(c),
                            Err(e) => {
                                let e = e.to_string();
                                for j in batch {
                                    fail(j, &e);
                                }
                                continue;
                            }
                        }
                    }
                    let c = conn.as_mut().expect("opened above");
                    let tx = match c
                        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                    {
                        Ok(tx) => tx,
                        Err(e) => {
                            let e = e.to_string();
                            for j in batch {
                                fail(j, &e);
                            }
                            continue;
                        }
                    };
                    let finish: Vec<Finish> = batch.into_iter().map(|j| j(&tx)).collect();
                    changes.committing();
                    let outcome = tx.commit().err().map(|e| e.to_string());
                    for f in finish {
                        f(outcome.as_deref());
                    }
                }
            })
            .expect("spawn the SQLite batch writer");
        Self { jobs }
    }

    /// Runs `f` in the next batch; its result once the batch is committed.
    pub(crate) async fn run<T, F>(&self, f: F) -> StoreResult<T>
    where
        F: FnOnce(&rusqlite::Connection) -> rusqlite::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let (done, answer) = tokio::sync::oneshot::channel::<StoreResult<T>>();
        let job: Job = Box::new(move |c| {
            let r = f(c);
            Box::new(move |commit: Option<&str>| {
                let out = match (r, commit) {
                    (_, Some(e)) => Err(StoreError::Unavailable(format!("commit: {e}"))),
                    (Ok(v), None) => Ok(v),
                    (Err(e), None) => Err(map(e)),
                };
                let _ = done.send(out);
            })
        });
        self.jobs
            .send(job)
            .map_err(|_| StoreError::Unavailable("the SQLite batch writer stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Unavailable("the SQLite batch writer stopped".into()))?
    }
}

/// A job that never ran: its answer is the batch's error.
fn fail(job: Job, e: &str) {
    // The job must answer; it cannot run without a connection, so it is
    // given one that refuses everything (an in-memory database without the
    // tables) and then the batch's error.
    if let Ok(c) = rusqlite::Connection::open_in_memory() {
        job(&c)(Some(e));
    }
}

fn map(e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ) =>
        {
            StoreError::Unavailable(e.to_string())
        }
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            StoreError::Conflict(e.to_string())
        }
        _ => StoreError::Other(e.to_string()),
    }
}
