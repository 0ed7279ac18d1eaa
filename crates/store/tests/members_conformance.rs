//! Conformance suite for the member-side storage traits (members and their
//! identities, sessions, one-time tokens, the job queue, rate counters and
//! network settings), run against the backend chosen by `KAWARABAN_TEST_DB`
//! (SQLite by default, PostgreSQL in the second pass of `scripts/test.sh`).

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use chrono::{DateTime, Duration, DurationRound, TimeZone, Utc};
use kawaraban_core::model::*;
use kawaraban_core::store::*;
use kawaraban_core::StoreError;
use kawaraban_store::{connect, testing, ConnectOptions};

struct Db {
    store: Arc<dyn Store>,
    _dir: tempfile::TempDir,
}

async fn db() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let url = testing::fresh_database_url(dir.path()).await;
    let store = connect(&ConnectOptions {
        url,
        max_connections: 4,
    })
    .await
    .expect("connect");
    Db { store, _dir: dir }
}

/// 3 November 2026 at `hour`:`minute` UTC, whole seconds so that both
/// backends give back exactly what they were given.
fn at(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 3, hour, minute, 0).unwrap()
}

/// A 64-hex-digit stand-in for the SHA-256 of a random cookie or token.
fn hash(label: &str) -> String {
    (0..4u8)
        .map(|seed| {
            let mut h = DefaultHasher::new();
            (seed, label).hash(&mut h);
            format!("{:016x}", h.finish())
        })
        .collect()
}

fn new_member(email: &str, name: &str, role: Role, verified: bool) -> NewMember {
    NewMember {
        email: email.into(),
        email_norm: email.to_lowercase(),
        display_name: name.into(),
        password_hash: Some(format!(
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$hash-of-{}",
            name.replace(' ', "-")
        )),
        role,
        verified,
    }
}

async fn member(store: &dyn Store, email: &str, name: &str) -> Member {
    store
        .create_member(&new_member(email, name, Role::Member, true), at(8, 0))
        .await
        .unwrap()
}

fn session(
    id: &str,
    member_id: i64,
    login_id: &str,
    site_id: i64,
    last_seen_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Session {
    Session {
        id_hash: hash(id),
        member_id,
        login_id: login_id.into(),
        site_id,
        user_agent: "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0".into(),
        ip: "203.0.113.24".into(),
        created_at: at(9, 0),
        last_seen_at,
        expires_at,
    }
}

fn provider(key: &str, kind: &str, name: &str, issuer: &str) -> AuthProvider {
    AuthProvider {
        key: key.into(),
        kind: kind.into(),
        name: name.into(),
        issuer: issuer.into(),
        client_id: format!("{key}-client-4711.apps.example"),
        client_secret: format!("{key}-secret-0b1c2d3e"),
    }
}

fn ids(sessions: &[Session]) -> Vec<String> {
    sessions.iter().map(|s| s.id_hash.clone()).collect()
}

// ---------------------------------------------------------------- members

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
