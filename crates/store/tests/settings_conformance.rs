//! Conformance suite for rate counters, network secrets, sign-in providers
//! and timestamp precision.
//! Run on the backend chosen by `KAWARABAN_TEST_DB`.

mod common;

use common::*;

#[tokio::test]
async fn rate_counters_count_per_key_and_window() {
    let db = db().await;
    let w1 = 1_793_696_400; // 2026-11-03T09:00:00Z
    let w2 = w1 + 60;
    let key = "login:ip:203.0.113.24";
    assert_eq!(db.store.hits(key, w1).await.unwrap(), 0);
    assert_eq!(db.store.hit(key, w1).await.unwrap(), 1);
    assert_eq!(db.store.hit(key, w1).await.unwrap(), 2);
    assert_eq!(db.store.hit(key, w1).await.unwrap(), 3);
    assert_eq!(db.store.hits(key, w1).await.unwrap(), 3);
    assert_eq!(
        db.store.hits(key, w1).await.unwrap(),
        3,
        "reading does not count"
    );

    assert_eq!(
        db.store.hit(key, w2).await.unwrap(),
        1,
        "a new window starts at one"
    );
    assert_eq!(
        db.store
            .hit("login:email:aiko@example.jp", w1)
            .await
            .unwrap(),
        1
    );
    assert_eq!(db.store.hits(key, w1).await.unwrap(), 3);
    assert_eq!(db.store.hits(key, w2).await.unwrap(), 1);

    assert_eq!(db.store.prune_counters(w2).await.unwrap(), 2);
    assert_eq!(db.store.hits(key, w1).await.unwrap(), 0);
    assert_eq!(
        db.store
            .hits("login:email:aiko@example.jp", w1)
            .await
            .unwrap(),
        0
    );
    assert_eq!(db.store.hits(key, w2).await.unwrap(), 1);
    assert_eq!(db.store.prune_counters(w2).await.unwrap(), 0);
    assert_eq!(
        db.store.hit(key, w1).await.unwrap(),
        1,
        "a pruned window restarts"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_hits_are_all_counted() {
    let db = db().await;
    let w = 1_793_696_400;
    let key = "register:ip:198.51.100.7";
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let store = db.store.clone();
            tokio::spawn(async move { store.hit(key, w).await.unwrap() })
        })
        .collect();
    let mut seen = Vec::new();
    for t in tasks {
        seen.push(t.await.unwrap());
    }
    seen.sort();
    assert_eq!(
        seen,
        (1..=10).collect::<Vec<i64>>(),
        "each hit sees its own count"
    );
    assert_eq!(db.store.hits(key, w).await.unwrap(), 10);
}

// -------------------------------------------------------- network settings

#[tokio::test]
async fn the_first_secret_written_wins() {
    let db = db().await;
    let first = "k9Yb2QwE7rT1uZ4xN6mP0sL3vH8cJ5dF";
    let got = db
        .store
        .secret("session_key", first, at(9, 0))
        .await
        .unwrap();
    assert_eq!(got, first);
    let again = db
        .store
        .secret("session_key", "a-different-fresh-value-0000000", at(9, 5))
        .await
        .unwrap();
    assert_eq!(again, first);
    let other = db
        .store
        .secret("csrf_key", "Zx8Wv7Ut6Sr5Qp4On3Ml2Kj1Ih0Gf9E", at(9, 5))
        .await
        .unwrap();
    assert_eq!(other, "Zx8Wv7Ut6Sr5Qp4On3Ml2Kj1Ih0Gf9E");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn app_servers_starting_together_agree_on_a_secret() {
    let db = db().await;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = db.store.clone();
            tokio::spawn(async move {
                store
                    .secret(
                        "network_key",
                        &format!("fresh-value-from-server-{i}"),
                        at(9, 0),
                    )
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut values = HashSet::new();
    for t in tasks {
        values.insert(t.await.unwrap());
    }
    assert_eq!(values.len(), 1, "{values:?}");
}

#[tokio::test]
async fn auth_providers_are_added_changed_and_removed() {
    let db = db().await;
    assert!(db.store.auth_providers().await.unwrap().is_empty());
    let google = provider("google", "google", "Google", "https://accounts.google.com");
    let facebook = provider("facebook", "facebook", "Facebook", "");
    let keycloak = provider(
        "staff",
        "oidc",
        "Lanternfield staff",
        "https://sso.lanternfield.example/realms/newsroom",
    );
    db.store
        .upsert_auth_provider(&google, at(9, 0))
        .await
        .unwrap();
    db.store
        .upsert_auth_provider(&facebook, at(9, 1))
        .await
        .unwrap();
    db.store
        .upsert_auth_provider(&keycloak, at(9, 2))
        .await
        .unwrap();

    let list = db.store.auth_providers().await.unwrap();
    let keys: Vec<&str> = list.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(
        keys,
        ["google", "facebook", "staff"],
        "in the order they were added"
    );
    let got = &list[2];
    assert_eq!(got.kind, "oidc");
    assert_eq!(got.name, "Lanternfield staff");
    assert_eq!(
        got.issuer,
        "https://sso.lanternfield.example/realms/newsroom"
    );
    assert_eq!(got.client_id, "staff-client-4711.apps.example");
    assert_eq!(got.client_secret, "staff-secret-0b1c2d3e");
    assert_eq!(list[1].issuer, "");

    // Updating keeps the key (and its place) and replaces the rest.
    let mut rotated = google.clone();
    rotated.name = "Google account".into();
    rotated.client_id = "new-client.apps.googleusercontent.example".into();
    rotated.client_secret = "GOCSPX-rotated-secret".into();
    db.store
        .upsert_auth_provider(&rotated, at(12, 0))
        .await
        .unwrap();
    let list = db.store.auth_providers().await.unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(list[0].key, "google");
    assert_eq!(list[0].name, "Google account");
    assert_eq!(list[0].kind, "google");
    assert_eq!(list[0].issuer, "https://accounts.google.com");
    assert_eq!(
        list[0].client_id,
        "new-client.apps.googleusercontent.example"
    );
    assert_eq!(list[0].client_secret, "GOCSPX-rotated-secret");

    assert!(db.store.delete_auth_provider("facebook").await.unwrap());
    assert!(!db.store.delete_auth_provider("facebook").await.unwrap());
    assert!(!db.store.delete_auth_provider("github").await.unwrap());
    let keys: Vec<String> = db
        .store
        .auth_providers()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.key)
        .collect();
    assert_eq!(keys, ["google", "staff"]);
}

// ------------------------------------------------------------- timestamps

#[tokio::test]
async fn sub_second_timestamps_round_trip_to_the_microsecond() {
    let db = db().await;
    // PostgreSQL keeps microseconds; the contract is no finer than that.
    let now = (at(10, 0) + Duration::nanoseconds(123_456_789))
        .duration_trunc(Duration::microseconds(1))
        .unwrap();
    let m = db
        .store
        .create_member(
            &new_member("micro@example.jp", "Micro Second", Role::Member, true),
            now,
        )
        .await
        .unwrap();
    let got = db.store.member_by_id(m.id).await.unwrap().unwrap();
    assert_eq!(got.created_at, now);
    assert_eq!(got.email_verified_at, Some(now));

    let s = session(
        "precise",
        m.id,
        "login-a",
        1,
        now,
        now + Duration::milliseconds(1500),
    );
    db.store.create_session(&s).await.unwrap();
    let got = db.store.session(&s.id_hash, now).await.unwrap().unwrap();
    assert_eq!(got.last_seen_at, now);
    assert_eq!(got.expires_at, now + Duration::milliseconds(1500));
    assert!(db
        .store
        .session(&s.id_hash, now + Duration::milliseconds(1499))
        .await
        .unwrap()
        .is_some());
    assert!(db
        .store
        .session(&s.id_hash, now + Duration::milliseconds(1500))
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn network_settings_are_kept_and_replaced() {
    let db = db().await;
    assert_eq!(db.store.setting("disposable_domains").await.unwrap(), None);
    db.store
        .set_setting("disposable_domains", "a.example\n")
        .await
        .unwrap();
    db.store
        .set_setting("disposable_domains", "b.example\n")
        .await
        .unwrap();
    assert_eq!(
        db.store
            .setting("disposable_domains")
            .await
            .unwrap()
            .as_deref(),
        Some("b.example\n")
    );
}
