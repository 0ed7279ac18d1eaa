//! `kawaraban api-key` as an operator uses it: keys shaped as Ghost's,
//! shown once and found by what an integration sends, errors naming the
//! argument, revocation at once, each change in the audit log.

use std::path::Path;

mod common;

use common::*;
use kawaraban_core::api_key::{self, KeyKind};

fn run(data: &Path, args: &[&str]) -> (bool, String, String) {
    let out = kawaraban(data, args);
    (out.status.success(), text(&out.stdout), text(&out.stderr))
}

#[test]
fn keys_are_made_shown_once_listed_and_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();

    let (ok, content, err) = run(data, &["api-key", "add", "Front end"]);
    assert!(ok, "{err}");
    let content = content.trim().to_string();
    assert!(api_key::is_content_key(&content), "{content:?}");
    let (ok, admin, err) = run(
        data,
        &[
            "api-key", "add", "Wire bot", "--kind", "admin", "--role", "author",
        ],
    );
    assert!(ok, "{err}");
    assert!(err.contains("acting as author"), "{err}");
    let admin = admin.trim().to_string();
    let (admin_id, admin_secret) = api_key::parse_admin_key(&admin).expect("id:secret");

    // Refused, each naming what is wrong, and nothing added.
    for (args, says) in [
        (vec!["api-key", "add", "Front end"], "NAME"),
        (vec!["api-key", "add", "Other", "--kind", "root"], "--kind"),
        (
            vec!["api-key", "add", "Other", "--role", "editor"],
            "--role",
        ),
        (
            vec![
                "api-key",
                "add",
                "Other",
                "--kind",
                "admin",
                "--role",
                "moderator",
            ],
            "--role",
        ),
        (vec!["api-key", "add", " "], "NAME"),
    ] {
        let (ok, _, err) = run(data, &args);
        assert!(!ok, "{args:?} was taken");
        assert!(err.contains(says), "{args:?}: {err}");
    }

    let (ok, list, _) = run(data, &["api-key", "list"]);
    assert!(ok);
    assert_eq!(list.lines().count(), 2, "{list}");
    assert!(
        list.contains("Front end") && list.contains("content"),
        "{list}"
    );
    assert!(
        !list.contains(&content) && !list.contains(admin_secret),
        "no secret listed: {list}"
    );

    // What an integration sends finds the key, until it is revoked.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let store = rt
        .block_on(kawaraban_store::connect(&kawaraban_store::ConnectOptions {
            url: database_url(data),
            max_connections: 2,
        }))
        .unwrap();
    let live = |kind, lookup: &str| {
        rt.block_on(store.live_api_key(kind, lookup))
            .unwrap()
            .map(|(k, secret)| (k.id, k.role.as_str(), secret))
    };
    let (content_id, role, secret) =
        live(KeyKind::Content, &api_key::content_lookup(&content)).expect("content key");
    assert_eq!((role, secret), ("member", None));
    let (admin_key_id, role, secret) = live(KeyKind::Admin, admin_id).expect("admin key");
    assert_eq!((role, secret.as_deref()), ("author", Some(admin_secret)));

    let (ok, _, err) = run(data, &["api-key", "revoke", &admin_key_id.to_string()]);
    assert!(ok, "{err}");
    assert!(live(KeyKind::Admin, admin_id).is_none(), "revoked at once");
    assert!(live(KeyKind::Content, &api_key::content_lookup(&content)).is_some());
    let (ok, _, err) = run(data, &["api-key", "revoke", &admin_key_id.to_string()]);
    assert!(!ok);
    assert!(err.contains("no live key"), "{err}");
    let (_, list, _) = run(data, &["api-key", "list"]);
    assert!(list.contains("revoked"), "{list}");

    let log = rt.block_on(store.audit_log(None, 10)).unwrap();
    let actions: Vec<_> = log
        .iter()
        .map(|e| (e.action.as_str(), e.target.clone()))
        .collect();
    assert_eq!(
        actions,
        [
            ("api_key.revoke", format!("api_key:{admin_key_id}")),
            ("api_key.add", format!("api_key:{admin_key_id}")),
            ("api_key.add", format!("api_key:{content_id}")),
        ]
    );
}
