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

use crate::error::map_rusqlite as map;

/// What a job does once the batch is committed (or failed to commit).
type Finish = Box<dyn FnOnce(Option<&str>) + Send>;
/// A write: run on the batch's transaction (or given why there is none),
/// it says how to answer.
type Job = Box<dyn FnOnce(Result<&rusqlite::Connection, &str>) -> Finish + Send>;

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
                    batch.extend(rx.try_iter().take(MOST - 1));
                    let _turn = turn.blocking_lock();
                    let tx = match begin(&mut conn, &path) {
                        Ok(tx) => tx,
                        Err(e) => {
                            for j in batch {
                                fail(j, &e);
                            }
                            continue;
                        }
                    };
                    let finish: Vec<Finish> = batch.into_iter().map(|j| j(Ok(&tx))).collect();
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
            // Without a connection the batch's error comes as `commit`.
            // Each write in a savepoint: one that fails leaves nothing
            // behind, and the others in the batch still commit.
            let r = c.ok().map(|c| {
                c.prepare_cached("SAVEPOINT job")?.execute([])?;
                let r = f(c);
                if r.is_err() {
                    c.prepare_cached("ROLLBACK TO job")?.execute([])?;
                }
                c.prepare_cached("RELEASE job")?.execute([])?;
                r
            });
            Box::new(move |commit: Option<&str>| {
                let out = match (r, commit) {
                    (_, Some(e)) => Err(StoreError::Unavailable(format!("commit: {e}"))),
                    (Some(Ok(v)), None) => Ok(v),
                    (Some(Err(e)), None) => Err(map(e)),
                    (None, None) => Err(StoreError::Unavailable("no connection".into())),
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

/// The batch's transaction, on the writer's connection (opened again if the
/// first open failed).
fn begin<'c>(
    conn: &'c mut Option<rusqlite::Connection>,
    path: &std::path::Path,
) -> Result<rusqlite::Transaction<'c>, String> {
    if conn.is_none() {
        *conn = Some(crate::sqlite_bulk::open(path).map_err(|e| e.to_string())?);
    }
    let c = conn.as_mut().expect("opened above");
    c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(|e| e.to_string())
}

/// A job that never ran: its answer is the batch's error.
fn fail(job: Job, e: &str) {
    job(Err(e))(Some(e));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_failed_write_leaves_nothing_and_the_rest_of_its_batch_commits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("batch.db");
        let b = Batcher::start(
            path.clone(),
            Arc::new(tokio::sync::Mutex::new(())),
            crate::changes::ChangeWatch::new(),
        );
        b.run(|c| c.execute("CREATE TABLE t (v INTEGER NOT NULL UNIQUE)", []))
            .await
            .unwrap();
        let (good, bad) = tokio::join!(
            b.run(|c| c.execute("INSERT INTO t (v) VALUES (1)", [])),
            b.run(|c| {
                c.execute("INSERT INTO t (v) VALUES (2)", [])?;
                // The second statement fails: the first must not stay.
                c.execute("INSERT INTO t (v) VALUES (1)", [])
            }),
        );
        good.unwrap();
        assert!(bad.is_err());
        let rows: Vec<i64> = b
            .run(|c| {
                c.prepare("SELECT v FROM t ORDER BY v")?
                    .query_map([], |r| r.get(0))?
                    .collect()
            })
            .await
            .unwrap();
        assert_eq!(rows, [1]);
    }
}
