//! Conformance suite for the durable job queue.
//! Run on the backend chosen by `KAWARABAN_TEST_DB`.

mod common;

use common::*;

#[tokio::test]
async fn a_claimed_job_is_leased_until_its_lease_passes() {
    let db = db().await;
    let now = at(10, 0);
    let payload = r#"{"to":"aiko@example.jp","template":"verify"}"#;
    let id = db.store.enqueue_job("email", payload, now).await.unwrap();
    assert_eq!(db.store.count_jobs("queued").await.unwrap(), 1);

    let lease = now + Duration::minutes(5);
    let job = db
        .store
        .claim_job(now, lease)
        .await
        .unwrap()
        .expect("due job");
    assert_eq!(job.id, id);
    assert_eq!(job.kind, "email");
    assert_eq!(job.payload, payload);
    assert_eq!(job.attempts, 1);
    assert!(job.max_attempts >= 1);

    // Leased: nobody else takes it, even just before the lease ends.
    assert!(db.store.claim_job(now, lease).await.unwrap().is_none());
    assert!(db
        .store
        .claim_job(lease - Duration::seconds(1), lease + Duration::minutes(5))
        .await
        .unwrap()
        .is_none());

    // The worker died: after the lease the job is claimed again.
    let later = lease + Duration::seconds(1);
    let again = db
        .store
        .claim_job(later, later + Duration::minutes(5))
        .await
        .unwrap()
        .expect("lease passed");
    assert_eq!(again.id, id);
    assert_eq!(again.attempts, 2);
    assert_eq!(db.store.count_jobs("queued").await.unwrap(), 1);
}

#[tokio::test]
async fn a_job_is_not_claimed_before_it_is_due() {
    let db = db().await;
    let run_at = at(12, 0);
    let id = db
        .store
        .enqueue_job("digest", r#"{"site":1}"#, run_at)
        .await
        .unwrap();
    assert!(db
        .store
        .claim_job(at(11, 59), at(12, 4))
        .await
        .unwrap()
        .is_none());
    let job = db
        .store
        .claim_job(run_at, run_at + Duration::minutes(5))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.id, id);
    assert_eq!(job.attempts, 1);
}

#[tokio::test]
async fn a_failed_job_is_retried_later_or_given_up() {
    let db = db().await;
    let now = at(10, 0);
    let retried = db
        .store
        .enqueue_job("email", r#"{"n":1}"#, now)
        .await
        .unwrap();
    let job = db
        .store
        .claim_job(now, now + Duration::minutes(5))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.id, retried);
    let retry_at = now + Duration::minutes(10);
    db.store
        .fail_job(
            job.id,
            "smtp: 451 4.7.1 try again later",
            Some(retry_at),
            now + Duration::seconds(3),
        )
        .await
        .unwrap();
    assert_eq!(db.store.count_jobs("queued").await.unwrap(), 1);
    assert_eq!(db.store.count_jobs("failed").await.unwrap(), 0);
    // Not before the retry time, although the lease was released.
    assert!(db
        .store
        .claim_job(now + Duration::minutes(6), now + Duration::minutes(11))
        .await
        .unwrap()
        .is_none());
    let job = db
        .store
        .claim_job(retry_at, retry_at + Duration::minutes(5))
        .await
        .unwrap()
        .expect("retried at retry_at");
    assert_eq!(job.id, retried);
    assert_eq!(job.attempts, 2);

    // Giving up marks it failed for good.
    db.store
        .fail_job(
            job.id,
            "smtp: 550 5.1.1 no such user",
            None,
            retry_at + Duration::seconds(2),
        )
        .await
        .unwrap();
    assert_eq!(db.store.count_jobs("failed").await.unwrap(), 1);
    assert_eq!(db.store.count_jobs("queued").await.unwrap(), 0);
    assert!(db
        .store
        .claim_job(at(23, 0), at(23, 5))
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn a_finished_job_is_done() {
    let db = db().await;
    let now = at(10, 0);
    let id = db
        .store
        .enqueue_job("email", r#"{"n":1}"#, now)
        .await
        .unwrap();
    let other = db
        .store
        .enqueue_job("email", r#"{"n":2}"#, now)
        .await
        .unwrap();
    let job = db
        .store
        .claim_job(now, now + Duration::minutes(5))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.id, id);
    db.store
        .finish_job(id, now + Duration::seconds(2))
        .await
        .unwrap();
    assert_eq!(db.store.count_jobs("done").await.unwrap(), 1);
    assert_eq!(db.store.count_jobs("queued").await.unwrap(), 1);
    assert_eq!(db.store.count_jobs("failed").await.unwrap(), 0);
    // A done job is never claimed again, even after its lease would have passed.
    let job = db
        .store
        .claim_job(at(11, 0), at(11, 5))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.id, other);
    db.store.finish_job(other, at(11, 1)).await.unwrap();
    assert_eq!(db.store.count_jobs("done").await.unwrap(), 2);
    assert_eq!(db.store.count_jobs("queued").await.unwrap(), 0);
    assert!(db
        .store
        .claim_job(at(12, 0), at(12, 5))
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn jobs_are_claimed_by_run_at_then_id() {
    let db = db().await;
    let j_late = db
        .store
        .enqueue_job("email", "late", at(10, 2))
        .await
        .unwrap();
    let j_early_a = db
        .store
        .enqueue_job("email", "early-a", at(10, 1))
        .await
        .unwrap();
    let j_early_b = db
        .store
        .enqueue_job("email", "early-b", at(10, 1))
        .await
        .unwrap();
    let j_first = db
        .store
        .enqueue_job("email", "first", at(10, 0))
        .await
        .unwrap();
    let now = at(10, 5);
    let mut order = Vec::new();
    while let Some(job) = db
        .store
        .claim_job(now, now + Duration::minutes(5))
        .await
        .unwrap()
    {
        order.push((job.id, job.payload));
    }
    assert_eq!(
        order,
        [
            (j_first, "first".to_string()),
            (j_early_a, "early-a".to_string()),
            (j_early_b, "early-b".to_string()),
            (j_late, "late".to_string()),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_workers_claim_each_job_once() {
    let db = db().await;
    let now = at(10, 0);
    let mut enqueued = HashSet::new();
    for n in 0..20 {
        let id = db
            .store
            .enqueue_job(
                "email",
                &format!(r#"{{"n":{n}}}"#),
                now - Duration::seconds(20 - n),
            )
            .await
            .unwrap();
        enqueued.insert(id);
    }
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let store = db.store.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                while let Some(job) = store
                    .claim_job(now, now + Duration::minutes(5))
                    .await
                    .unwrap()
                {
                    assert_eq!(job.attempts, 1);
                    mine.push(job.id);
                }
                mine
            })
        })
        .collect();
    let mut claimed = Vec::new();
    for w in workers {
        claimed.extend(w.await.unwrap());
    }
    assert_eq!(
        claimed.len(),
        20,
        "every job claimed exactly once: {claimed:?}"
    );
    let unique: HashSet<i64> = claimed.iter().copied().collect();
    assert_eq!(unique.len(), 20, "no job claimed twice: {claimed:?}");
    assert_eq!(unique, enqueued);
}

// ---------------------------------------------------------- rate counters
