//! The email worker against a real SMTP server on loopback (started by the
//! test script; `KAWARABAN_TEST_SMTP_URL` and `KAWARABAN_TEST_MAIL_DIR`) and
//! a real database: delivery, retry after a temporary refusal, giving up on
//! a permanent one, and jobs that outlive the process that queued them.

use std::path::PathBuf;
use std::time::Duration;

use chrono::Utc;
use kawaraban_mail::{enqueue, Email, Transport, Worker};
use kawaraban_store::{connect, testing, ConnectOptions};

fn smtp() -> (String, PathBuf) {
    let url = std::env::var("KAWARABAN_TEST_SMTP_URL").expect(
        "KAWARABAN_TEST_SMTP_URL: run through scripts/test.sh, which starts the SMTP server",
    );
    let dir = std::env::var("KAWARABAN_TEST_MAIL_DIR").expect("KAWARABAN_TEST_MAIL_DIR");
    (url, PathBuf::from(dir))
}

fn email(to: &str) -> Email {
    Email {
        to: to.into(),
        to_name: "Reader".into(),
        from_name: "The Test Post".into(),
        subject: "Hello".into(),
        text: "Text part".into(),
        html: "<p>HTML part</p>".into(),
        headers: Vec::new(),
        message_id: None,
    }
}

fn unique(tag: &str) -> String {
    format!(
        "{tag}-{}@example.test",
        Utc::now().timestamp_nanos_opt().unwrap()
    )
}

fn received(dir: &PathBuf, to: &str) -> usize {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .ends_with(&format!("-{to}.eml"))
                })
                .count()
        })
        .unwrap_or(0)
}

async fn store(dir: &std::path::Path) -> std::sync::Arc<dyn kawaraban_core::store::Store> {
    connect(&ConnectOptions {
        url: testing::fresh_database_url(dir).await,
        max_connections: 4,
    })
    .await
    .unwrap()
}

/// Runs the worker until `done` or ten seconds pass.
async fn drain(worker: &Worker, mut done: impl FnMut() -> bool) {
    for _ in 0..200 {
        while worker.step().await.unwrap() {}
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn queued_mail_is_delivered_even_when_queued_before_the_worker_started() {
    let (url, dir) = smtp();
    let tmp = tempfile::tempdir().unwrap();
    let store = store(tmp.path()).await;
    let to = unique("queued");
    // Queued by a process that then went away: nothing but the database row.
    enqueue(&*store, &email(&to)).await.unwrap();
    assert_eq!(store.count_jobs("queued").await.unwrap(), 1);
    let worker = Worker::new(
        store.clone(),
        Transport::new(Some(&url), tmp.path().join("outbox")).unwrap(),
        "news@example.test".into(),
    );
    drain(&worker, || received(&dir, &to) == 1).await;
    assert_eq!(received(&dir, &to), 1);
    assert_eq!(store.count_jobs("done").await.unwrap(), 1);
    assert_eq!(store.count_jobs("queued").await.unwrap(), 0);
}

#[tokio::test]
async fn a_temporary_refusal_is_retried_later_and_then_delivered() {
    let (url, dir) = smtp();
    let tmp = tempfile::tempdir().unwrap();
    let store = store(tmp.path()).await;
    let to = unique("flaky");
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(".fail-rules"))
        .and_then(|mut f| {
            std::io::Write::write_all(
                &mut f,
                format!("{to} 451 try again later once\n").as_bytes(),
            )
        })
        .unwrap();
    enqueue(&*store, &email(&to)).await.unwrap();
    let worker = Worker::new(
        store.clone(),
        Transport::new(Some(&url), tmp.path().join("outbox")).unwrap(),
        "news@example.test".into(),
    );
    assert!(worker.step().await.unwrap());
    assert_eq!(received(&dir, &to), 0);
    // Scheduled 30 s later, not lost: claim it as if that time had come.
    assert_eq!(store.count_jobs("queued").await.unwrap(), 1);
    assert!(!worker.step().await.unwrap(), "not due yet");
    let later = Utc::now() + chrono::Duration::seconds(31);
    let job = store
        .claim_job(later, later + chrono::Duration::seconds(60))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.attempts, 2);
    // Hand it back due now, and let the worker send it.
    store
        .fail_job(job.id, "test: due now", Some(Utc::now()), Utc::now())
        .await
        .unwrap();
    drain(&worker, || received(&dir, &to) == 1).await;
    assert_eq!(received(&dir, &to), 1);
    assert_eq!(store.count_jobs("done").await.unwrap(), 1);
}

#[tokio::test]
async fn a_permanent_refusal_fails_the_job_at_once() {
    let (url, dir) = smtp();
    let tmp = tempfile::tempdir().unwrap();
    let store = store(tmp.path()).await;
    let to = unique("gone");
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(".fail-rules"))
        .and_then(|mut f| {
            std::io::Write::write_all(&mut f, format!("{to} 550 no such user\n").as_bytes())
        })
        .unwrap();
    enqueue(&*store, &email(&to)).await.unwrap();
    let worker = Worker::new(
        store.clone(),
        Transport::new(Some(&url), tmp.path().join("outbox")).unwrap(),
        "news@example.test".into(),
    );
    assert!(worker.step().await.unwrap());
    assert_eq!(store.count_jobs("failed").await.unwrap(), 1);
    assert_eq!(received(&dir, &to), 0);
}

#[tokio::test]
async fn without_smtp_mail_becomes_eml_files_in_the_outbox() {
    let tmp = tempfile::tempdir().unwrap();
    let store = store(tmp.path()).await;
    let outbox = tmp.path().join("outbox");
    enqueue(&*store, &email("reader@example.test"))
        .await
        .unwrap();
    let worker = Worker::new(
        store.clone(),
        Transport::new(None, outbox.clone()).unwrap(),
        "news@example.test".into(),
    );
    assert!(worker.step().await.unwrap());
    let files: Vec<_> = std::fs::read_dir(&outbox)
        .unwrap()
        .filter_map(|e| e.ok())
        .collect();
    assert_eq!(files.len(), 1);
    let raw = std::fs::read_to_string(files[0].path()).unwrap();
    assert!(
        raw.contains("To: \"Reader\" <reader@example.test>")
            || raw.contains("To: Reader <reader@example.test>"),
        "{raw}"
    );
    assert!(raw.contains("Subject: Hello"));
    assert!(Transport::new(Some("ftp://nope"), outbox).is_err());
}
