//! Conformance suite for members and their sign-in identities.
//! Run on the backend chosen by `KAWARABAN_TEST_DB`.

mod common;

use common::*;

#[tokio::test]
async fn members_are_created_and_found_by_id_and_email() {
    let db = db().await;
    let now = at(8, 15);
    let m = db
        .store
        .create_member(
            &new_member("Hanako.Sato@Example.JP", "Hanako Sato", Role::Member, false),
            now,
        )
        .await
        .unwrap();
    assert!(m.id > 0);
    assert_eq!(m.email, "Hanako.Sato@Example.JP");
    assert_eq!(m.email_norm, "hanako.sato@example.jp");
    assert_eq!(m.display_name, "Hanako Sato");
    assert_eq!(m.role, Role::Member);
    assert_eq!(m.email_verified_at, None);
    assert!(!m.is_verified());
    assert!(m
        .password_hash
        .as_deref()
        .unwrap()
        .starts_with("$argon2id$"));
    assert_eq!(m.created_at, now);
    assert_eq!(m.updated_at, now);

    let by_email = db
        .store
        .member_by_email("hanako.sato@example.jp")
        .await
        .unwrap()
        .expect("found by normalised email");
    assert_eq!(by_email.id, m.id);
    assert_eq!(by_email.email, m.email);
    assert_eq!(by_email.password_hash, m.password_hash);
    assert_eq!(by_email.created_at, now);
    let by_id = db
        .store
        .member_by_id(m.id)
        .await
        .unwrap()
        .expect("found by id");
    assert_eq!(by_id.email_norm, "hanako.sato@example.jp");
    assert_eq!(by_id.role, Role::Member);

    // Look-ups compare the normalised form only.
    assert!(db
        .store
        .member_by_email("Hanako.Sato@Example.JP")
        .await
        .unwrap()
        .is_none());
    assert!(db
        .store
        .member_by_email("taro@example.jp")
        .await
        .unwrap()
        .is_none());
    assert!(db.store.member_by_id(m.id + 1000).await.unwrap().is_none());

    // A verified, password-less member (first social sign-in, `user add`).
    let mut social = new_member("kenji@example.com", "Kenji Mori", Role::Editor, true);
    social.password_hash = None;
    let k = db.store.create_member(&social, now).await.unwrap();
    assert_ne!(k.id, m.id);
    assert_eq!(k.email_verified_at, Some(now));
    assert!(k.is_verified());
    assert_eq!(k.password_hash, None);
    assert_eq!(k.role, Role::Editor);
    let k2 = db.store.member_by_id(k.id).await.unwrap().unwrap();
    assert_eq!(k2.email_verified_at, Some(now));
    assert_eq!(k2.password_hash, None);
    assert_eq!(k2.role, Role::Editor);
}

#[tokio::test]
async fn a_taken_normalised_email_is_a_conflict() {
    let db = db().await;
    let first = member(&*db.store, "yuki@example.jp", "Yuki Ito").await;
    let mut again = new_member("YUKI@example.jp", "Another Yuki", Role::Member, false);
    again.email_norm = "yuki@example.jp".into();
    let err = db.store.create_member(&again, at(8, 30)).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(_)),
        "expected Conflict, got {err:?}"
    );
    let kept = db
        .store
        .member_by_email("yuki@example.jp")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.id, first.id);
    assert_eq!(kept.display_name, "Yuki Ito");
}

#[tokio::test]
async fn profile_changes_are_stored() {
    let db = db().await;
    let m = db
        .store
        .create_member(
            &new_member("aiko@example.jp", "Aiko T", Role::Member, false),
            at(8, 0),
        )
        .await
        .unwrap();

    db.store
        .set_display_name(m.id, "Aiko Tanabe", at(9, 0))
        .await
        .unwrap();
    let got = db.store.member_by_id(m.id).await.unwrap().unwrap();
    assert_eq!(got.display_name, "Aiko Tanabe");
    assert_eq!(got.updated_at, at(9, 0));
    assert_eq!(got.created_at, at(8, 0));

    // Verification keeps the first time it happened.
    db.store.mark_email_verified(m.id, at(9, 30)).await.unwrap();
    db.store.mark_email_verified(m.id, at(10, 0)).await.unwrap();
    let got = db.store.member_by_id(m.id).await.unwrap().unwrap();
    assert_eq!(got.email_verified_at, Some(at(9, 30)));
    assert_eq!(got.updated_at, at(10, 0));

    // A new, unconfirmed address clears verification.
    db.store
        .set_email(
            m.id,
            "Aiko.Tanabe@Mail.example",
            "aiko.tanabe@mail.example",
            false,
            at(11, 0),
        )
        .await
        .unwrap();
    let got = db.store.member_by_id(m.id).await.unwrap().unwrap();
    assert_eq!(got.email, "Aiko.Tanabe@Mail.example");
    assert_eq!(got.email_norm, "aiko.tanabe@mail.example");
    assert_eq!(got.email_verified_at, None);
    assert_eq!(got.updated_at, at(11, 0));
    assert!(db
        .store
        .member_by_email("aiko@example.jp")
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        db.store
            .member_by_email("aiko.tanabe@mail.example")
            .await
            .unwrap()
            .unwrap()
            .id,
        m.id
    );
    db.store.mark_email_verified(m.id, at(11, 5)).await.unwrap();
    assert_eq!(
        db.store
            .member_by_id(m.id)
            .await
            .unwrap()
            .unwrap()
            .email_verified_at,
        Some(at(11, 5))
    );

    // A confirmed change (an administrator, or a verify link) is verified now.
    db.store
        .set_email(
            m.id,
            "aiko@tanabe.example",
            "aiko@tanabe.example",
            true,
            at(12, 0),
        )
        .await
        .unwrap();
    let got = db.store.member_by_id(m.id).await.unwrap().unwrap();
    assert_eq!(got.email_norm, "aiko@tanabe.example");
    assert_eq!(got.email_verified_at, Some(at(12, 0)));

    // Someone else's address cannot be taken over.
    let other = member(&*db.store, "ren@example.jp", "Ren Kato").await;
    let err = db
        .store
        .set_email(
            other.id,
            "aiko@tanabe.example",
            "aiko@tanabe.example",
            true,
            at(12, 30),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(_)),
        "expected Conflict, got {err:?}"
    );
    assert_eq!(
        db.store
            .member_by_id(other.id)
            .await
            .unwrap()
            .unwrap()
            .email_norm,
        "ren@example.jp"
    );
}

#[tokio::test]
async fn roles_change_and_staff_are_listed() {
    let db = db().await;
    let now = at(8, 0);
    let reader = db
        .store
        .create_member(
            &new_member("reader@example.jp", "Reader", Role::Member, true),
            now,
        )
        .await
        .unwrap();
    let editor = db
        .store
        .create_member(
            &new_member("sakura@example.jp", "Sakura Ono", Role::Editor, true),
            now,
        )
        .await
        .unwrap();
    let admin = db
        .store
        .create_member(
            &new_member("admin@example.jp", "Desk Admin", Role::Admin, true),
            now,
        )
        .await
        .unwrap();
    let moderator = db
        .store
        .create_member(
            &new_member("mod@example.jp", "Mio Moderator", Role::Moderator, true),
            now,
        )
        .await
        .unwrap();
    assert!(db
        .store
        .list_staff()
        .await
        .unwrap()
        .iter()
        .all(|m| m.id != reader.id));

    let staff = db.store.list_staff().await.unwrap();
    let emails: Vec<&str> = staff.iter().map(|m| m.email_norm.as_str()).collect();
    assert_eq!(
        emails,
        ["admin@example.jp", "mod@example.jp", "sakura@example.jp"],
        "only staff, ordered by email"
    );
    assert!(staff.iter().all(|m| m.role.is_staff()));

    db.store
        .set_role(reader.id, Role::Author, at(9, 0))
        .await
        .unwrap();
    db.store
        .set_role(editor.id, Role::Member, at(9, 0))
        .await
        .unwrap();
    let got = db.store.member_by_id(reader.id).await.unwrap().unwrap();
    assert_eq!(got.role, Role::Author);
    assert_eq!(got.updated_at, at(9, 0));
    let staff: Vec<i64> = db
        .store
        .list_staff()
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(staff, [admin.id, moderator.id, reader.id]);

    let err = db
        .store
        .set_role(admin.id + 1000, Role::Admin, at(9, 0))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound),
        "expected NotFound, got {err:?}"
    );
}

#[tokio::test]
async fn a_new_password_spends_that_members_reset_tokens_only() {
    let db = db().await;
    let m = member(&*db.store, "haruto@example.jp", "Haruto Abe").await;
    let other = member(&*db.store, "mei@example.jp", "Mei Fujita").await;
    let now = at(10, 0);
    let later = now + Duration::hours(1);
    for (label, kind, who) in [
        ("reset-1", TokenKind::Reset, m.id),
        ("reset-2", TokenKind::Reset, m.id),
        ("verify", TokenKind::Verify, m.id),
        ("magic", TokenKind::MagicLink, m.id),
        ("reset-other", TokenKind::Reset, other.id),
    ] {
        db.store
            .create_token(&hash(label), kind, Some(who), "", now, later)
            .await
            .unwrap();
    }

    let new_hash = "$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdA$new-hash";
    db.store
        .set_password_hash(m.id, new_hash, now + Duration::minutes(5))
        .await
        .unwrap();
    let got = db.store.member_by_id(m.id).await.unwrap().unwrap();
    assert_eq!(got.password_hash.as_deref(), Some(new_hash));
    assert_eq!(got.updated_at, now + Duration::minutes(5));

    let t = now + Duration::minutes(10);
    assert!(db
        .store
        .spend_token(&hash("reset-1"), TokenKind::Reset, t)
        .await
        .unwrap()
        .is_none());
    assert!(!db
        .store
        .token_is_live(&hash("reset-2"), TokenKind::Reset, t)
        .await
        .unwrap());
    assert!(db
        .store
        .spend_token(&hash("reset-2"), TokenKind::Reset, t)
        .await
        .unwrap()
        .is_none());
    // Other kinds, and other members' reset tokens, stay usable.
    assert!(db
        .store
        .token_is_live(&hash("verify"), TokenKind::Verify, t)
        .await
        .unwrap());
    assert!(db
        .store
        .spend_token(&hash("magic"), TokenKind::MagicLink, t)
        .await
        .unwrap()
        .is_some());
    let spent = db
        .store
        .spend_token(&hash("reset-other"), TokenKind::Reset, t)
        .await
        .unwrap()
        .expect("another member's reset token is untouched");
    assert_eq!(spent.member_id, Some(other.id));
    assert_eq!(
        db.store
            .member_by_id(other.id)
            .await
            .unwrap()
            .unwrap()
            .password_hash,
        other.password_hash
    );
}

#[tokio::test]
async fn deleting_a_member_erases_sessions_identities_and_tokens() {
    let db = db().await;
    let gone = member(&*db.store, "sora@example.jp", "Sora Hayashi").await;
    let kept = member(&*db.store, "nao@example.jp", "Nao Ishii").await;
    let now = at(10, 0);
    let exp = at(22, 0);
    for (who, tag) in [(gone.id, "gone"), (kept.id, "kept")] {
        db.store
            .create_session(&session(
                &format!("{tag}-s1"),
                who,
                &format!("{tag}-login"),
                1,
                now,
                exp,
            ))
            .await
            .unwrap();
        db.store
            .create_session(&session(
                &format!("{tag}-s2"),
                who,
                &format!("{tag}-login"),
                2,
                now,
                exp,
            ))
            .await
            .unwrap();
        db.store
            .link_identity(
                who,
                "google",
                &format!("1093{who}77"),
                &format!("{tag}@gmail.example"),
                now,
            )
            .await
            .unwrap();
        db.store
            .create_token(
                &hash(&format!("{tag}-verify")),
                TokenKind::Verify,
                Some(who),
                "",
                now,
                exp,
            )
            .await
            .unwrap();
    }

    db.store.delete_member(gone.id).await.unwrap();

    assert!(db.store.member_by_id(gone.id).await.unwrap().is_none());
    assert!(db
        .store
        .member_by_email("sora@example.jp")
        .await
        .unwrap()
        .is_none());
    assert!(db
        .store
        .session(&hash("gone-s1"), now)
        .await
        .unwrap()
        .is_none());
    assert!(db
        .store
        .session(&hash("gone-s2"), now)
        .await
        .unwrap()
        .is_none());
    assert!(db.store.sessions_of(gone.id, now).await.unwrap().is_empty());
    let gone_subject = format!("1093{}77", gone.id);
    assert_eq!(
        db.store
            .identity_member("google", &gone_subject)
            .await
            .unwrap(),
        None
    );
    assert!(db.store.identities(gone.id).await.unwrap().is_empty());
    assert!(!db
        .store
        .token_is_live(&hash("gone-verify"), TokenKind::Verify, now)
        .await
        .unwrap());

    // The other member keeps everything.
    assert_eq!(db.store.sessions_of(kept.id, now).await.unwrap().len(), 2);
    let kept_subject = format!("1093{}77", kept.id);
    assert_eq!(
        db.store
            .identity_member("google", &kept_subject)
            .await
            .unwrap(),
        Some(kept.id)
    );
    assert!(db
        .store
        .token_is_live(&hash("kept-verify"), TokenKind::Verify, now)
        .await
        .unwrap());

    // The address is free again, and the old identity can be linked anew.
    let back = member(&*db.store, "sora@example.jp", "Sora Hayashi").await;
    assert_ne!(back.id, gone.id);
    db.store
        .link_identity(back.id, "google", &gone_subject, "gone@gmail.example", now)
        .await
        .unwrap();
    assert_eq!(
        db.store
            .identity_member("google", &gone_subject)
            .await
            .unwrap(),
        Some(back.id)
    );
    // Deleting a member that does not exist is not an error.
    db.store.delete_member(gone.id).await.unwrap();
}

// ------------------------------------------------------------- identities

#[tokio::test]
async fn identities_link_once_per_provider_subject() {
    let db = db().await;
    let m = member(&*db.store, "takumi@example.jp", "Takumi Shimizu").await;
    assert_eq!(
        db.store
            .identity_member("google", "109876543210")
            .await
            .unwrap(),
        None
    );
    assert!(db.store.identities(m.id).await.unwrap().is_empty());

    db.store
        .link_identity(
            m.id,
            "google",
            "109876543210",
            "takumi@gmail.example",
            at(9, 0),
        )
        .await
        .unwrap();
    db.store
        .link_identity(
            m.id,
            "facebook",
            "10229384756",
            "takumi@fb.example",
            at(9, 30),
        )
        .await
        .unwrap();
    assert_eq!(
        db.store
            .identity_member("google", "109876543210")
            .await
            .unwrap(),
        Some(m.id)
    );
    assert_eq!(
        db.store
            .identity_member("facebook", "10229384756")
            .await
            .unwrap(),
        Some(m.id)
    );
    // Provider and subject are matched together.
    assert_eq!(
        db.store
            .identity_member("facebook", "109876543210")
            .await
            .unwrap(),
        None
    );

    // Signing in again with a changed provider email updates it in place.
    db.store
        .link_identity(
            m.id,
            "google",
            "109876543210",
            "t.shimizu@gmail.example",
            at(10, 0),
        )
        .await
        .unwrap();
    let ids = db.store.identities(m.id).await.unwrap();
    assert_eq!(ids.len(), 2, "re-linking does not duplicate: {ids:?}");
    assert_eq!(ids[0].provider, "google");
    assert_eq!(ids[0].subject, "109876543210");
    assert_eq!(ids[0].email, "t.shimizu@gmail.example");
    assert_eq!(ids[0].created_at, at(9, 0), "first link time kept");
    assert_eq!(ids[1].provider, "facebook");
    assert_eq!(ids[1].subject, "10229384756");
    assert_eq!(ids[1].email, "takumi@fb.example");
    assert_eq!(ids[1].created_at, at(9, 30));

    let other = member(&*db.store, "riko@example.jp", "Riko Ueda").await;
    assert!(db.store.identities(other.id).await.unwrap().is_empty());
}

// --------------------------------------------------------------- sessions
