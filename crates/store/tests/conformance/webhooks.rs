//! Webhooks: registration, one delivery per event and webhook, leases that
//! two senders never share, retries, and replay.

use super::*;

fn hook(site_id: Option<i64>, events: &[&str]) -> NewWebhook {
    NewWebhook {
        site_id,
        url: "https://hooks.example.com/in".into(),
        events: events.iter().map(|e| e.to_string()).collect(),
        secret: "whsec_c2VjcmV0".into(),
    }
}

#[tokio::test]
async fn events_are_queued_once_per_webhook_and_leased_to_one_sender() {
    let db = db().await;
    let (news, _) = site_and_section(&*db.store).await;
    let travel = db
        .store
        .upsert_site(&new_site("travel", false))
        .await
        .unwrap();
    let network = db
        .store
        .add_webhook(&hook(None, &["story.published", "comment.posted"]), t(1, 0))
        .await
        .unwrap();
    let news_only = db
        .store
        .add_webhook(&hook(Some(news.id), &["story.published"]), t(1, 0))
        .await
        .unwrap();
    let off = db
        .store
        .add_webhook(&hook(None, &["story.published"]), t(1, 0))
        .await
        .unwrap();
    db.store.set_webhook_enabled(off.id, false).await.unwrap();
    assert_eq!(network.events, ["story.published", "comment.posted"]);

    assert_eq!(
        db.store
            .queue_event(news.id, "story.published", "msg_1", "{}", t(2, 0))
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        db.store
            .queue_event(news.id, "story.published", "msg_1", "{}", t(2, 0))
            .await
            .unwrap(),
        0,
        "never twice"
    );
    assert_eq!(
        db.store
            .queue_event(travel.id, "story.published", "msg_2", "{}", t(2, 0))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        db.store
            .queue_event(news.id, "member.registered", "msg_3", "{}", t(2, 0))
            .await
            .unwrap(),
        0
    );

    // Two senders: each delivery goes to one of them.
    let a = db
        .store
        .lease_deliveries(t(2, 0), t(2, 1), 2, 11)
        .await
        .unwrap();
    let b = db
        .store
        .lease_deliveries(t(2, 0), t(2, 1), 10, 22)
        .await
        .unwrap();
    assert_eq!((a.len(), b.len()), (2, 1));
    assert!(
        db.store
            .lease_deliveries(t(2, 0), t(2, 1), 10, 33)
            .await
            .unwrap()
            .is_empty(),
        "all leased"
    );
    let first = &a[0];
    assert_eq!(first.attempts, 1);
    assert!(
        !db.store
            .finish_delivery(first.id, 22, &Attempt::Delivered { status: 200 }, t(2, 0))
            .await
            .unwrap(),
        "not b's lease"
    );
    assert!(db
        .store
        .finish_delivery(first.id, 11, &Attempt::Delivered { status: 204 }, t(2, 0))
        .await
        .unwrap());
    assert!(
        !db.store
            .finish_delivery(first.id, 11, &Attempt::Delivered { status: 204 }, t(2, 0))
            .await
            .unwrap(),
        "once"
    );
    let retry = Attempt::Retry {
        status: Some(500),
        error: "HTTP 500".into(),
        next_at: t(3, 0),
    };
    assert!(db
        .store
        .finish_delivery(a[1].id, 11, &retry, t(2, 0))
        .await
        .unwrap());
    let failed = Attempt::Failed {
        status: None,
        error: "timed out".into(),
    };
    assert!(db
        .store
        .finish_delivery(b[0].id, 22, &failed, t(2, 0))
        .await
        .unwrap());

    // The retry is due again at its time, and only then.
    assert!(db
        .store
        .lease_deliveries(t(2, 12), t(2, 13), 10, 44)
        .await
        .unwrap()
        .is_empty());
    let again = db
        .store
        .lease_deliveries(t(3, 0), t(3, 1), 10, 44)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!((again[0].attempts, again[0].last_status), (2, Some(500)));
    assert!(db
        .store
        .finish_delivery(
            again[0].id,
            44,
            &Attempt::Delivered { status: 200 },
            t(3, 0)
        )
        .await
        .unwrap());

    let log = db.store.deliveries(news_only.id, 10).await.unwrap();
    assert_eq!(log.len(), 1);
    // Replay puts a failed one back in the queue, at once.
    assert!(db.store.replay_delivery(b[0].id, t(4, 0)).await.unwrap());
    let replayed = db
        .store
        .lease_deliveries(t(4, 0), t(4, 1), 10, 55)
        .await
        .unwrap();
    assert_eq!(replayed.len(), 1);
    assert_eq!(replayed[0].id, b[0].id);

    db.store
        .rotate_webhook_secret(network.id, "whsec_bmV3", t(5, 0))
        .await
        .unwrap();
    let w = db.store.webhook(network.id).await.unwrap().unwrap();
    assert_eq!(
        (w.secret.as_str(), w.previous_secret.as_str(), w.rotated_at),
        ("whsec_bmV3", "whsec_c2VjcmV0", Some(t(5, 0)))
    );
    db.store.delete_webhook(news_only.id).await.unwrap();
    assert!(db.store.webhook(news_only.id).await.unwrap().is_none());
    assert_eq!(db.store.webhooks().await.unwrap().len(), 2);
}
