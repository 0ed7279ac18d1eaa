//! Integrations' keys (`ApiKeyStore`).

use super::*;
use kawaraban_core::api_key::{self, KeyKind, RANDOM_BYTES};
use kawaraban_core::StoreError;

fn new_key(name: &str, kind: KeyKind, seed: u8) -> (NewApiKey, api_key::Issued) {
    let issued = api_key::issue(kind, &[seed; RANDOM_BYTES]);
    let role = api_key::key_role(kind, None).unwrap();
    (
        NewApiKey {
            name: name.into(),
            kind,
            lookup: issued.lookup.clone(),
            secret: issued.secret.clone(),
            role,
        },
        issued,
    )
}

#[tokio::test]
async fn keys_are_found_by_kind_and_lookup_until_revoked() {
    let db = db().await;
    let (content, c) = new_key("Front end", KeyKind::Content, 1);
    let (admin, a) = new_key("Wire bot", KeyKind::Admin, 2);
    let ck = db.store.add_api_key(&content, t(3, 9)).await.unwrap();
    let ak = db.store.add_api_key(&admin, t(3, 10)).await.unwrap();
    assert_eq!(ck.kind, KeyKind::Content);
    assert_eq!(ck.role, Role::Member);
    assert_eq!(ak.role, Role::Editor);
    assert_eq!(ak.created_at, t(3, 10));
    assert_eq!(ak.revoked_at, None);

    let (found, secret) = db
        .store
        .live_api_key(KeyKind::Content, &api_key::content_lookup(&c.shown))
        .await
        .unwrap()
        .expect("the content key");
    assert_eq!((found.id, secret), (ck.id, None));
    let (found, secret) = db
        .store
        .live_api_key(KeyKind::Admin, &a.lookup)
        .await
        .unwrap()
        .expect("the admin key");
    assert_eq!(found.id, ak.id);
    assert_eq!(secret, a.secret, "the admin secret checks tokens");
    assert!(
        db.store
            .live_api_key(KeyKind::Content, &a.lookup)
            .await
            .unwrap()
            .is_none(),
        "an admin key's id is no content key"
    );

    assert!(db.store.revoke_api_key(ak.id, t(4, 9)).await.unwrap());
    assert!(
        !db.store.revoke_api_key(ak.id, t(5, 9)).await.unwrap(),
        "revoked once"
    );
    assert!(!db.store.revoke_api_key(9_999, t(5, 9)).await.unwrap());
    assert!(db
        .store
        .live_api_key(KeyKind::Admin, &a.lookup)
        .await
        .unwrap()
        .is_none());
    let all = db.store.api_keys().await.unwrap();
    assert_eq!(
        all.iter().map(|k| k.name.as_str()).collect::<Vec<_>>(),
        ["Front end", "Wire bot"],
        "revoked keys stay listed"
    );
    assert_eq!(
        all[1].revoked_at,
        Some(t(4, 9)),
        "the first revocation's time"
    );
}

#[tokio::test]
async fn a_taken_name_or_key_is_a_conflict_and_nothing_is_added() {
    let db = db().await;
    let (first, _) = new_key("Front end", KeyKind::Content, 1);
    db.store.add_api_key(&first, t(3, 9)).await.unwrap();
    let (same_name, _) = new_key("Front end", KeyKind::Admin, 2);
    let e = db.store.add_api_key(&same_name, t(3, 9)).await.unwrap_err();
    assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
    let (same_key, _) = new_key("Another", KeyKind::Content, 1);
    let e = db.store.add_api_key(&same_key, t(3, 9)).await.unwrap_err();
    assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
    assert_eq!(db.store.api_keys().await.unwrap().len(), 1);
}
