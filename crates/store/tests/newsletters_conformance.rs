//! Conformance suite for mailing lists, subscribers and suppressions, on
//! the backend chosen by `KAWARABAN_TEST_DB`.

mod common;

use common::*;

fn list(site_id: i64, key: &str, kind: ListKind, position: i64) -> NewList {
    NewList {
        site_id,
        key: key.into(),
        name: format!("List {key}"),
        description: String::new(),
        kind,
        section_id: None,
        position,
        send_time: None,
    }
}

#[tokio::test]
async fn lists_are_per_site_in_order_and_updated_by_key() {
    let db = db().await;
    let news = site(&*db.store, "news").await;
    let travel = site(&*db.store, "travel").await;
    let b = db
        .store
        .upsert_list(&list(news, "breaking", ListKind::Breaking, 2), at(9, 0))
        .await
        .unwrap();
    let d = db
        .store
        .upsert_list(&list(news, "daily", ListKind::Digest, 1), at(9, 0))
        .await
        .unwrap();
    db.store
        .upsert_list(&list(travel, "weekly", ListKind::Newsletter, 0), at(9, 0))
        .await
        .unwrap();
    let keys: Vec<String> = db
        .store
        .lists(news)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.key)
        .collect();
    assert_eq!(keys, vec!["daily", "breaking"]);
    let mut renamed = list(news, "breaking", ListKind::Breaking, 0);
    renamed.name = "Alerts".into();
    let again = db.store.upsert_list(&renamed, at(9, 5)).await.unwrap();
    assert_eq!((again.id, again.name.as_str()), (b.id, "Alerts"));
    assert_eq!(
        db.store.lists(news).await.unwrap()[0].id,
        b.id,
        "moved first"
    );
    assert_ne!(d.id, b.id);
    let mut bad = list(news, "Bad Key", ListKind::Digest, 0);
    assert!(db.store.upsert_list(&bad, at(9, 0)).await.is_err());
    bad.key = "section".into();
    bad.kind = ListKind::Section;
    assert!(
        db.store.upsert_list(&bad, at(9, 0)).await.is_err(),
        "a section list names its section"
    );
}

#[tokio::test]
async fn signups_stay_pending_until_confirmed_and_lists_stay_on_their_site() {
    let db = db().await;
    let news = site(&*db.store, "news").await;
    let travel = site(&*db.store, "travel").await;
    let daily = db
        .store
        .upsert_list(&list(news, "daily", ListKind::Digest, 0), at(9, 0))
        .await
        .unwrap()
        .id;
    let alerts = db
        .store
        .upsert_list(&list(news, "breaking", ListKind::Breaking, 1), at(9, 0))
        .await
        .unwrap()
        .id;
    let weekly = db
        .store
        .upsert_list(&list(travel, "weekly", ListKind::Newsletter, 0), at(9, 0))
        .await
        .unwrap()
        .id;
    let s = db
        .store
        .sign_up(news, "Ann@Example.test", "ann@example.test", None, at(9, 1))
        .await
        .unwrap();
    assert_eq!(
        (s.status, s.lists.len(), s.confirmed_at),
        (SubscriberStatus::Pending, 0, None)
    );
    // Signing up again keeps the one row.
    let again = db
        .store
        .sign_up(news, "ann@example.test", "ann@example.test", None, at(9, 2))
        .await
        .unwrap();
    assert_eq!(again.id, s.id);
    assert_eq!(again.email, "Ann@Example.test");
    let c = db
        .store
        .confirm_subscriber(s.id, &[daily, weekly], at(9, 3))
        .await
        .unwrap();
    assert_eq!(c.status, SubscriberStatus::Active);
    assert_eq!(c.lists, vec![daily], "another site's list is ignored");
    assert_eq!(c.confirmed_at, Some(at(9, 3)));
    let c = db
        .store
        .confirm_subscriber(s.id, &[alerts], at(9, 4))
        .await
        .unwrap();
    assert_eq!(c.lists, vec![daily, alerts], "added to, not replaced");
    assert_eq!(c.confirmed_at, Some(at(9, 3)), "first confirmation kept");
    db.store.set_lists(s.id, &[alerts], at(9, 5)).await.unwrap();
    assert_eq!(
        db.store.subscriber(s.id).await.unwrap().unwrap().lists,
        vec![alerts]
    );
    db.store
        .set_subscriber_status(s.id, SubscriberStatus::Paused, at(9, 6))
        .await
        .unwrap();
    let found = db
        .store
        .subscriber_by_email(news, "ann@example.test")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.status, SubscriberStatus::Paused);
    assert!(db
        .store
        .subscriber_by_email(travel, "ann@example.test")
        .await
        .unwrap()
        .is_none());
    assert!(matches!(
        db.store
            .set_subscriber_status(s.id + 100, SubscriberStatus::Active, at(9, 7))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        db.store.confirm_subscriber(s.id + 100, &[], at(9, 7)).await,
        Err(StoreError::NotFound)
    ));
}

#[tokio::test]
async fn members_are_linked_and_suppressions_are_kept_once() {
    let db = db().await;
    let news = site(&*db.store, "news").await;
    let m = member(&*db.store, "ben@example.test", "Ben").await;
    let s = db
        .store
        .sign_up(news, "ben@example.test", "ben@example.test", None, at(9, 0))
        .await
        .unwrap();
    assert_eq!(s.member_id, None);
    let s = db
        .store
        .sign_up(
            news,
            "ben@example.test",
            "ben@example.test",
            Some(m.id),
            at(9, 1),
        )
        .await
        .unwrap();
    assert_eq!(s.member_id, Some(m.id));
    assert!(!db.store.is_suppressed("ben@example.test").await.unwrap());
    db.store
        .suppress("ben@example.test", "hard bounce", at(9, 2))
        .await
        .unwrap();
    db.store
        .suppress("ben@example.test", "complaint", at(9, 3))
        .await
        .unwrap();
    assert!(db.store.is_suppressed("ben@example.test").await.unwrap());
    assert!(!db.store.is_suppressed("ann@example.test").await.unwrap());
}

#[tokio::test]
async fn imports_set_status_and_lists_and_pages_read_in_id_order() {
    let db = db().await;
    let news = site(&*db.store, "news").await;
    let travel = site(&*db.store, "travel").await;
    let daily = db
        .store
        .upsert_list(&list(news, "daily", ListKind::Digest, 0), at(9, 0))
        .await
        .unwrap()
        .id;
    let alerts = db
        .store
        .upsert_list(&list(news, "breaking", ListKind::Breaking, 1), at(9, 0))
        .await
        .unwrap()
        .id;
    let created = db
        .store
        .import_subscriber(
            news,
            "a@example.test",
            "a@example.test",
            SubscriberStatus::Active,
            &[daily, alerts],
            at(9, 1),
        )
        .await
        .unwrap();
    assert!(created);
    let s = db
        .store
        .subscriber_by_email(news, "a@example.test")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (s.status, s.lists.clone(), s.confirmed_at),
        (
            SubscriberStatus::Active,
            vec![daily, alerts],
            Some(at(9, 1))
        )
    );
    // Again: updated, lists replaced, first confirmation kept.
    let created = db
        .store
        .import_subscriber(
            news,
            "a@example.test",
            "a@example.test",
            SubscriberStatus::Paused,
            &[alerts],
            at(9, 2),
        )
        .await
        .unwrap();
    assert!(!created);
    let s = db.store.subscriber(s.id).await.unwrap().unwrap();
    assert_eq!(
        (s.status, s.lists, s.confirmed_at),
        (SubscriberStatus::Paused, vec![alerts], Some(at(9, 1)))
    );
    for i in 0..5 {
        let e = format!("r{i}@example.test");
        db.store
            .import_subscriber(news, &e, &e, SubscriberStatus::Active, &[daily], at(9, 3))
            .await
            .unwrap();
        db.store
            .import_subscriber(travel, &e, &e, SubscriberStatus::Active, &[], at(9, 3))
            .await
            .unwrap();
    }
    let first = db.store.subscribers_page(news, 0, 4).await.unwrap();
    assert_eq!(first.len(), 4);
    assert!(first.iter().all(|s| s.site_id == news));
    assert_eq!(first[1].lists, vec![daily]);
    let rest = db
        .store
        .subscribers_page(news, first[3].id, 4)
        .await
        .unwrap();
    assert_eq!(rest.len(), 2);
    assert!(first.windows(2).all(|w| w[0].id < w[1].id) && rest[0].id > first[3].id);
    assert!(db
        .store
        .subscribers_page(news, rest[1].id, 4)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn digests_keep_their_sending_time_and_only_digests_have_one() {
    let db = db().await;
    let news = site(&*db.store, "news").await;
    let mut l = list(news, "daily", ListKind::Digest, 0);
    l.send_time = Some("18:00".into());
    assert_eq!(
        db.store
            .upsert_list(&l, at(9, 0))
            .await
            .unwrap()
            .send_time
            .as_deref(),
        Some("18:00")
    );
    l.send_time = Some("25:00".into());
    assert!(db.store.upsert_list(&l, at(9, 0)).await.is_err());
    let mut b = list(news, "breaking", ListKind::Breaking, 1);
    b.send_time = Some("08:00".into());
    assert!(db.store.upsert_list(&b, at(9, 0)).await.is_err());
}

#[tokio::test]
async fn bulk_subscriptions_add_new_addresses_once() {
    let db = db().await;
    let news = site(&*db.store, "news").await;
    let l = db
        .store
        .upsert_list(&list(news, "weekly", ListKind::Newsletter, 0), at(9, 0))
        .await
        .unwrap()
        .id;
    let emails: Vec<String> = (0..1200).map(|i| format!("r{i}@example.test")).collect();
    assert_eq!(
        db.store
            .bulk_subscribe(news, l, &emails, at(9, 1))
            .await
            .unwrap(),
        1200
    );
    assert_eq!(
        db.store
            .bulk_subscribe(news, l, &emails[..10], at(9, 2))
            .await
            .unwrap(),
        0
    );
    assert_eq!(db.store.list_audience(l).await.unwrap(), 1200);
    let s = db
        .store
        .subscriber_by_email(news, "r7@example.test")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((s.status, s.lists), (SubscriberStatus::Active, vec![l]));
}

#[tokio::test]
async fn campaigns_queue_each_active_subscriber_once_and_lease_without_overlap() {
    let db = db().await;
    let news = site(&*db.store, "news").await;
    let l = db
        .store
        .upsert_list(&list(news, "weekly", ListKind::Newsletter, 0), at(9, 0))
        .await
        .unwrap()
        .id;
    let emails: Vec<String> = (0..10).map(|i| format!("q{i}@example.test")).collect();
    db.store
        .bulk_subscribe(news, l, &emails, at(9, 0))
        .await
        .unwrap();
    let paused = db
        .store
        .subscriber_by_email(news, "q0@example.test")
        .await
        .unwrap()
        .unwrap();
    db.store
        .set_subscriber_status(paused.id, SubscriberStatus::Paused, at(9, 0))
        .await
        .unwrap();
    db.store
        .suppress("q1@example.test", "bounce", at(9, 0))
        .await
        .unwrap();
    let new = |key: Option<&str>| NewCampaign {
        site_id: news,
        list_id: l,
        kind: "campaign".into(),
        dedupe_key: key.map(str::to_string),
        subject: "Hi".into(),
        preheader: String::new(),
        text_body: "t".into(),
        html_body: "h".into(),
    };
    let c = db
        .store
        .create_campaign(&new(Some("k1")), at(9, 1))
        .await
        .unwrap()
        .unwrap();
    assert!(
        db.store
            .create_campaign(&new(Some("k1")), at(9, 2))
            .await
            .unwrap()
            .is_none(),
        "once per key"
    );
    assert!(db.store.campaign_exists("k1").await.unwrap());
    assert_eq!(db.store.queue_campaign(c.id, at(9, 1)).await.unwrap(), 8);
    assert_eq!(
        db.store.queue_campaign(c.id, at(9, 1)).await.unwrap(),
        0,
        "queued once"
    );
    let a = db
        .store
        .lease_outbox(at(9, 2), at(9, 4), 5, 11)
        .await
        .unwrap();
    let b = db
        .store
        .lease_outbox(at(9, 2), at(9, 4), 5, 22)
        .await
        .unwrap();
    assert_eq!((a.len(), b.len()), (5, 3));
    assert!(
        a.iter().all(|x| b.iter().all(|y| x.id != y.id)),
        "no message leased twice"
    );
    assert!(db
        .store
        .lease_outbox(at(9, 3), at(9, 5), 5, 33)
        .await
        .unwrap()
        .is_empty());
    // Only the lease holder's claim counts, and only once.
    let claimed = db
        .store
        .outbox_claim(11, &[a[0].id, b[0].id], at(9, 3))
        .await
        .unwrap();
    assert_eq!(claimed, vec![a[0].id], "b's message is not a's to send");
    assert!(
        db.store
            .outbox_claim(11, &[a[0].id], at(9, 3))
            .await
            .unwrap()
            .is_empty(),
        "claimed once"
    );
    assert_eq!(
        db.store
            .outbox_claimed(11, &[a[0].id, b[0].id])
            .await
            .unwrap(),
        vec![a[0].id],
        "a lost answer can be read again"
    );
    assert!(db
        .store
        .outbox_claim(11, &[], at(9, 3))
        .await
        .unwrap()
        .is_empty());
    db.store
        .outbox_failed(a[1].id, "451", Some(at(9, 10)), at(9, 3))
        .await
        .unwrap();
    db.store
        .outbox_failed(a[2].id, "451", None, at(9, 3))
        .await
        .unwrap();
    db.store
        .outbox_bounced(a[3].id, "550", at(9, 3))
        .await
        .unwrap();
    assert!(db.store.is_suppressed(&a[3].email).await.unwrap());
    let n = db.store.campaign_counts(c.id).await.unwrap();
    assert_eq!((n.queued, n.sent, n.failed, n.bounced), (5, 1, 1, 1));
    // An expired lease makes the message due again, with its attempt counted.
    let again = db
        .store
        .lease_outbox(at(9, 5), at(9, 7), 10, 44)
        .await
        .unwrap();
    assert_eq!(again.len(), 4);
    assert!(again.iter().all(|x| x.attempts == 2));
    // The first sender, late, can no longer claim what is now another's.
    let late = b.iter().map(|x| x.id).collect::<Vec<_>>();
    assert!(db
        .store
        .outbox_claim(22, &late, at(9, 6))
        .await
        .unwrap()
        .is_empty());
    let mine = db.store.outbox_claim(44, &late, at(9, 6)).await.unwrap();
    assert_eq!(mine.len(), late.len());
    assert_eq!(
        db.store.finish_campaigns(at(9, 6)).await.unwrap(),
        0,
        "still queued"
    );
}
