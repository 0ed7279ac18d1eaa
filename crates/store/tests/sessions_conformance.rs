//! Conformance suite for sessions and one-time tokens.
//! Run on the backend chosen by `KAWARABAN_TEST_DB`.

mod common;

use common::*;

#[tokio::test]
async fn sessions_are_found_until_they_expire() {
    let db = db().await;
    let m = member(&*db.store, "daiki@example.jp", "Daiki Nakamura").await;
    let s = session("browser-1", m.id, "login-a", 3, at(9, 0), at(10, 0));
    db.store.create_session(&s).await.unwrap();

    let got = db
        .store
        .session(&s.id_hash, at(9, 30))
        .await
        .unwrap()
        .expect("live session");
    assert_eq!(got.id_hash, s.id_hash);
    assert_eq!(got.member_id, m.id);
    assert_eq!(got.login_id, "login-a");
    assert_eq!(got.site_id, 3);
    assert_eq!(got.user_agent, s.user_agent);
    assert_eq!(got.ip, "203.0.113.24");
    assert_eq!(got.created_at, at(9, 0));
    assert_eq!(got.last_seen_at, at(9, 0));
    assert_eq!(got.expires_at, at(10, 0));

    assert!(
        db.store
            .session(&s.id_hash, at(10, 0))
            .await
            .unwrap()
            .is_none(),
        "expired at expires_at"
    );
    assert!(db
        .store
        .session(&s.id_hash, at(11, 0))
        .await
        .unwrap()
        .is_none());
    assert!(db
        .store
        .session(&hash("unknown"), at(9, 30))
        .await
        .unwrap()
        .is_none());

    // A second session with the same id is refused.
    assert!(db.store.create_session(&s).await.is_err());
}

#[tokio::test]
async fn a_signed_in_read_gives_the_live_session_and_its_member_together() {
    let db = db().await;
    let m = member(&*db.store, "haruka@example.jp", "Haruka Mori").await;
    let s = session("browser-9", m.id, "login-z", 2, at(9, 0), at(10, 0));
    db.store.create_session(&s).await.unwrap();
    let (got, who, standing) = db
        .store
        .signed_in(&s.id_hash, at(9, 30))
        .await
        .unwrap()
        .expect("a live session");
    let alone = db
        .store
        .session(&s.id_hash, at(9, 30))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            got.member_id,
            got.login_id.as_str(),
            got.site_id,
            got.ip.as_str()
        ),
        (
            alone.member_id,
            alone.login_id.as_str(),
            alone.site_id,
            alone.ip.as_str()
        )
    );
    assert_eq!(
        (got.created_at, got.last_seen_at, got.expires_at),
        (alone.created_at, alone.last_seen_at, alone.expires_at)
    );
    let by_id = db.store.member_by_id(m.id).await.unwrap().unwrap();
    assert_eq!(
        (
            who.id,
            who.email.as_str(),
            who.display_name.as_str(),
            who.role
        ),
        (
            by_id.id,
            by_id.email.as_str(),
            by_id.display_name.as_str(),
            by_id.role
        )
    );
    assert_eq!(
        (who.email_verified_at, who.created_at, who.updated_at),
        (by_id.email_verified_at, by_id.created_at, by_id.updated_at)
    );
    assert_eq!(
        standing,
        Standing::default(),
        "no standing recorded: in good standing"
    );
    let banned = Standing {
        status: StandingStatus::Banned,
        until: None,
        premoderate: true,
        reason: "spam".into(),
    };
    db.store
        .set_standing(m.id, &banned, at(9, 10))
        .await
        .unwrap();
    let (_, _, standing) = db
        .store
        .signed_in(&s.id_hash, at(9, 30))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(standing, db.store.standing(m.id).await.unwrap());
    assert_eq!(standing.status, StandingStatus::Banned);
    assert!(
        db.store
            .signed_in(&s.id_hash, at(10, 0))
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    assert!(db
        .store
        .signed_in(&hash("nobody"), at(9, 30))
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn touching_a_session_records_activity_and_extends_it() {
    let db = db().await;
    let m = member(&*db.store, "emi@example.jp", "Emi Kobayashi").await;
    let s = session("browser-1", m.id, "login-a", 1, at(9, 0), at(10, 0));
    db.store.create_session(&s).await.unwrap();
    db.store
        .touch_session(&s.id_hash, at(9, 50), at(10, 50))
        .await
        .unwrap();
    let got = db
        .store
        .session(&s.id_hash, at(10, 30))
        .await
        .unwrap()
        .expect("extended");
    assert_eq!(got.last_seen_at, at(9, 50));
    assert_eq!(got.expires_at, at(10, 50));
    assert_eq!(got.created_at, at(9, 0));
    assert!(db
        .store
        .session(&s.id_hash, at(10, 50))
        .await
        .unwrap()
        .is_none());
    // Touching a session that does not exist is harmless.
    db.store
        .touch_session(&hash("gone"), at(9, 50), at(10, 50))
        .await
        .unwrap();
}

#[tokio::test]
async fn sessions_of_a_member_are_live_and_most_recent_first() {
    let db = db().await;
    let m = member(&*db.store, "kaito@example.jp", "Kaito Yoshida").await;
    let other = member(&*db.store, "rin@example.jp", "Rin Saito").await;
    let end = at(23, 0);
    for s in [
        session("laptop", m.id, "login-a", 1, at(9, 10), end),
        session("phone", m.id, "login-b", 1, at(9, 40), end),
        session("tablet", m.id, "login-a", 2, at(9, 25), end),
        session("old", m.id, "login-c", 1, at(8, 0), at(9, 0)),
        session("theirs", other.id, "login-z", 1, at(9, 59), end),
    ] {
        db.store.create_session(&s).await.unwrap();
    }
    let live = db.store.sessions_of(m.id, at(10, 0)).await.unwrap();
    assert_eq!(ids(&live), [hash("phone"), hash("tablet"), hash("laptop")]);
    assert!(live.iter().all(|s| s.member_id == m.id));

    db.store
        .touch_session(&hash("laptop"), at(10, 5), end)
        .await
        .unwrap();
    let live = db.store.sessions_of(m.id, at(10, 10)).await.unwrap();
    assert_eq!(ids(&live), [hash("laptop"), hash("phone"), hash("tablet")]);

    let nobody = member(&*db.store, "sho@example.jp", "Sho Kimura").await;
    assert!(db
        .store
        .sessions_of(nobody.id, at(10, 0))
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn sessions_are_ended_one_by_login_or_all_but_one_login() {
    let db = db().await;
    let m = member(&*db.store, "hina@example.jp", "Hina Matsumoto").await;
    let other = member(&*db.store, "yui@example.jp", "Yui Inoue").await;
    let now = at(10, 0);
    let end = at(23, 0);
    for s in [
        session("a-news", m.id, "login-a", 1, at(9, 1), end),
        session("a-travel", m.id, "login-a", 2, at(9, 2), end),
        session("a-sport", m.id, "login-a", 3, at(9, 3), end),
        session("b-news", m.id, "login-b", 1, at(9, 4), end),
        session("c-news", m.id, "login-c", 1, at(9, 5), end),
        // Another member's session that (implausibly) shares a login id.
        session("other-a", other.id, "login-a", 1, at(9, 6), end),
        session("other-b", other.id, "login-y", 1, at(9, 7), end),
    ] {
        db.store.create_session(&s).await.unwrap();
    }

    db.store.delete_session(&hash("c-news")).await.unwrap();
    assert!(db
        .store
        .session(&hash("c-news"), now)
        .await
        .unwrap()
        .is_none());
    db.store.delete_session(&hash("c-news")).await.unwrap();

    // Signing out of one network login ends it on every site.
    assert_eq!(db.store.delete_login(m.id, "login-a").await.unwrap(), 3);
    assert_eq!(
        ids(&db.store.sessions_of(m.id, now).await.unwrap()),
        [hash("b-news")]
    );
    assert!(db
        .store
        .session(&hash("other-a"), now)
        .await
        .unwrap()
        .is_some());
    assert_eq!(db.store.delete_login(m.id, "login-a").await.unwrap(), 0);

    // "Sign out everywhere else" keeps the current login.
    for s in [
        session("d-news", m.id, "login-d", 1, at(9, 8), end),
        session("d-travel", m.id, "login-d", 2, at(9, 9), end),
        session("e-news", m.id, "login-e", 1, at(9, 10), end),
    ] {
        db.store.create_session(&s).await.unwrap();
    }
    assert_eq!(
        db.store
            .delete_sessions_of(m.id, Some("login-d"))
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        ids(&db.store.sessions_of(m.id, now).await.unwrap()),
        [hash("d-travel"), hash("d-news")]
    );
    // And without one to keep, every session of the member ends.
    assert_eq!(db.store.delete_sessions_of(m.id, None).await.unwrap(), 2);
    assert!(db.store.sessions_of(m.id, now).await.unwrap().is_empty());
    assert_eq!(db.store.sessions_of(other.id, now).await.unwrap().len(), 2);
}

// ----------------------------------------------------------------- tokens

#[tokio::test]
async fn a_token_is_spent_once() {
    let db = db().await;
    let m = member(&*db.store, "kana@example.jp", "Kana Yamada").await;
    let now = at(10, 0);
    let h = hash("verify-kana");
    db.store
        .create_token(
            &h,
            TokenKind::Verify,
            Some(m.id),
            "kana.new@example.jp",
            now,
            now + Duration::hours(24),
        )
        .await
        .unwrap();
    assert!(db
        .store
        .token_is_live(&h, TokenKind::Verify, now + Duration::minutes(1))
        .await
        .unwrap());
    let spent = db
        .store
        .spend_token(&h, TokenKind::Verify, now + Duration::minutes(2))
        .await
        .unwrap()
        .expect("first spend");
    assert_eq!(spent.member_id, Some(m.id));
    assert_eq!(spent.data, "kana.new@example.jp");
    assert!(db
        .store
        .spend_token(&h, TokenKind::Verify, now + Duration::minutes(3))
        .await
        .unwrap()
        .is_none());
    assert!(!db
        .store
        .token_is_live(&h, TokenKind::Verify, now + Duration::minutes(3))
        .await
        .unwrap());
    assert!(db
        .store
        .spend_token(&hash("never-issued"), TokenKind::Verify, now)
        .await
        .unwrap()
        .is_none());
    assert!(!db
        .store
        .token_is_live(&hash("never-issued"), TokenKind::Verify, now)
        .await
        .unwrap());

    // Tokens need not belong to a member (OAuth state).
    let state = hash("oauth-state");
    let data = r#"{"provider":"google","return_to":"/account","verifier":"dBjftJeZ4CVP"}"#;
    db.store
        .create_token(
            &state,
            TokenKind::OAuthState,
            None,
            data,
            now,
            now + Duration::minutes(10),
        )
        .await
        .unwrap();
    let spent = db
        .store
        .spend_token(&state, TokenKind::OAuthState, now + Duration::minutes(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(spent.member_id, None);
    assert_eq!(spent.data, data);
}

#[tokio::test]
async fn a_token_of_another_kind_is_not_spent() {
    let db = db().await;
    let m = member(&*db.store, "koji@example.jp", "Koji Hara").await;
    let now = at(10, 0);
    let h = hash("magic-koji");
    db.store
        .create_token(
            &h,
            TokenKind::MagicLink,
            Some(m.id),
            "/politics",
            now,
            now + Duration::minutes(15),
        )
        .await
        .unwrap();
    for kind in [
        TokenKind::Verify,
        TokenKind::Reset,
        TokenKind::NetworkSignIn,
        TokenKind::OAuthState,
    ] {
        assert!(
            !db.store.token_is_live(&h, kind, now).await.unwrap(),
            "{kind:?}"
        );
        assert!(
            db.store.spend_token(&h, kind, now).await.unwrap().is_none(),
            "{kind:?}"
        );
    }
    assert!(db
        .store
        .token_is_live(&h, TokenKind::MagicLink, now)
        .await
        .unwrap());
    let spent = db
        .store
        .spend_token(&h, TokenKind::MagicLink, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(spent.data, "/politics");
}

#[tokio::test]
async fn an_expired_token_is_not_spent() {
    let db = db().await;
    let m = member(&*db.store, "asuka@example.jp", "Asuka Mori").await;
    let now = at(10, 0);
    let expires = now + Duration::minutes(2);
    let h = hash("network-asuka");
    db.store
        .create_token(
            &h,
            TokenKind::NetworkSignIn,
            Some(m.id),
            "login-a",
            now,
            expires,
        )
        .await
        .unwrap();
    assert!(db
        .store
        .token_is_live(&h, TokenKind::NetworkSignIn, expires - Duration::seconds(1))
        .await
        .unwrap());
    assert!(!db
        .store
        .token_is_live(&h, TokenKind::NetworkSignIn, expires)
        .await
        .unwrap());
    assert!(!db
        .store
        .token_is_live(&h, TokenKind::NetworkSignIn, expires + Duration::minutes(1))
        .await
        .unwrap());
    assert!(db
        .store
        .spend_token(&h, TokenKind::NetworkSignIn, expires)
        .await
        .unwrap()
        .is_none());
    assert!(db
        .store
        .spend_token(&h, TokenKind::NetworkSignIn, expires + Duration::minutes(1))
        .await
        .unwrap()
        .is_none());
    // Still spendable by a request that arrives (by its clock) in time.
    assert!(db
        .store
        .spend_token(&h, TokenKind::NetworkSignIn, expires - Duration::seconds(1))
        .await
        .unwrap()
        .is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_token_spent_concurrently_goes_to_one_caller() {
    let db = db().await;
    let m = member(&*db.store, "ryo@example.jp", "Ryo Ogawa").await;
    let now = at(10, 0);
    let h = hash("reset-ryo");
    db.store
        .create_token(
            &h,
            TokenKind::Reset,
            Some(m.id),
            "",
            now,
            now + Duration::hours(1),
        )
        .await
        .unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = db.store.clone();
            let h = h.clone();
            tokio::spawn(async move {
                store
                    .spend_token(&h, TokenKind::Reset, now + Duration::seconds(i))
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut winners = 0;
    for t in tasks {
        if let Some(spent) = t.await.unwrap() {
            assert_eq!(spent.member_id, Some(m.id));
            winners += 1;
        }
    }
    assert_eq!(winners, 1);
}

// ------------------------------------------------------------------- jobs
