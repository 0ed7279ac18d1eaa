//! What the member-side conformance suites share: a fresh database on the
//! backend chosen by `KAWARABAN_TEST_DB` (SQLite by default, PostgreSQL in the
//! second pass of `scripts/test.sh`) and small fixtures.

#![allow(dead_code, unused_imports)]

pub use std::collections::HashSet;
pub use std::hash::{DefaultHasher, Hash, Hasher};
pub use std::sync::Arc;

pub use chrono::{DateTime, Duration, DurationRound, TimeZone, Utc};
pub use kawaraban_core::model::*;
pub use kawaraban_core::store::*;
pub use kawaraban_core::StoreError;
pub use kawaraban_store::{connect, testing, ConnectOptions};

pub struct Db {
    pub store: Arc<dyn Store>,
    _dir: tempfile::TempDir,
}

pub async fn db() -> Db {
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

/// A site with this key (`news` is the default); its id.
pub async fn site(store: &dyn Store, key: &str) -> i64 {
    store
        .upsert_site(&NewSite {
            key: key.into(),
            name: key.into(),
            url: format!("http://{key}.localhost:8080"),
            time_zone: "Asia/Tokyo".into(),
            publisher: "Lanternfield Media".into(),
            tagline: String::new(),
            is_default: key == "news",
        })
        .await
        .unwrap()
        .id
}

/// 3 November 2026 at `hour`:`minute` UTC, whole seconds so that both
/// backends give back exactly what they were given.
pub fn at(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 3, hour, minute, 0).unwrap()
}

/// A 64-hex-digit stand-in for the SHA-256 of a random cookie or token.
pub fn hash(label: &str) -> String {
    (0..4u8)
        .map(|seed| {
            let mut h = DefaultHasher::new();
            (seed, label).hash(&mut h);
            format!("{:016x}", h.finish())
        })
        .collect()
}

pub fn new_member(email: &str, name: &str, role: Role, verified: bool) -> NewMember {
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

pub async fn member(store: &dyn Store, email: &str, name: &str) -> Member {
    store
        .create_member(&new_member(email, name, Role::Member, true), at(8, 0))
        .await
        .unwrap()
}

pub fn session(
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

pub fn provider(key: &str, kind: &str, name: &str, issuer: &str) -> AuthProvider {
    AuthProvider {
        key: key.into(),
        kind: kind.into(),
        name: name.into(),
        issuer: issuer.into(),
        client_id: format!("{key}-client-4711.apps.example"),
        client_secret: format!("{key}-secret-0b1c2d3e"),
    }
}

pub fn ids(sessions: &[Session]) -> Vec<String> {
    sessions.iter().map(|s| s.id_hash.clone()).collect()
}

// ---------------------------------------------------------------- members
