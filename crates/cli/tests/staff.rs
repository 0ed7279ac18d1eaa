//! `kawaraban user` and `kawaraban auth provider`, as operators use them.

mod common;

use std::process::Output;

use common::kawaraban;

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn err(out: &Output) -> String {
    assert!(!out.status.success());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn staff_are_added_with_a_one_time_link_and_roles_change() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(err(&kawaraban(
        d,
        &["user", "add", "ed@example.test", "--role", "editor"]
    ))
    .contains("no such site"));
    ok(&kawaraban(
        d,
        &[
            "site",
            "add",
            "news",
            "--name",
            "Daily",
            "--url",
            "https://news.example.com",
        ],
    ));
    let out = ok(&kawaraban(
        d,
        &[
            "user",
            "add",
            "Ed@Example.test",
            "--role",
            "editor",
            "--name",
            "Ed Itor",
        ],
    ));
    assert!(out.contains("created Ed@Example.test (editor)"), "{out}");
    let link = out
        .lines()
        .find_map(|l| l.split_whitespace().find(|w| w.starts_with("https://")))
        .unwrap();
    assert!(
        link.starts_with("https://news.example.com/login/link/"),
        "{link}"
    );
    assert!(
        !out.to_lowercase().contains("password"),
        "no password on the command line"
    );

    assert!(err(&kawaraban(
        d,
        &["user", "add", "x@example.test", "--role", "boss"]
    ))
    .contains("unknown role \"boss\""));
    assert!(err(&kawaraban(
        d,
        &["user", "add", "not-an-email", "--role", "admin"]
    ))
    .contains("EMAIL:"));
    assert!(err(&kawaraban(
        d,
        &["user", "role", "nobody@example.test", "admin"]
    ))
    .contains("no account with the email"));

    let out = ok(&kawaraban(d, &["user", "role", "ed@example.test", "admin"]));
    assert!(out.contains("editor → admin"), "{out}");
    let list = ok(&kawaraban(d, &["user", "list"]));
    assert!(
        list.contains("Ed@Example.test") && list.contains("admin") && list.contains("Ed Itor"),
        "{list}"
    );
    // Adding again changes the role of the existing account.
    let out = ok(&kawaraban(
        d,
        &["user", "add", "ed@example.test", "--role", "moderator"],
    ));
    assert!(out.contains("exists; role set to moderator"), "{out}");
}

#[test]
fn sign_in_providers_are_checked_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let e = err(&kawaraban(
        d,
        &[
            "auth",
            "provider",
            "add",
            "sso",
            "--kind",
            "oidc",
            "--client-id",
            "c",
            "--client-secret",
            "s",
        ],
    ));
    assert!(e.contains("--issuer"), "{e}");
    let e = err(&kawaraban(
        d,
        &[
            "auth",
            "provider",
            "add",
            "Bad Key",
            "--kind",
            "google",
            "--client-id",
            "c",
            "--client-secret",
            "s",
        ],
    ));
    assert!(e.contains("KEY:"), "{e}");
    let e = err(&kawaraban(
        d,
        &[
            "auth",
            "provider",
            "add",
            "x",
            "--kind",
            "myspace",
            "--client-id",
            "c",
            "--client-secret",
            "s",
        ],
    ));
    assert!(e.contains("not one of oidc, google, facebook"), "{e}");
    let out = ok(&kawaraban(
        d,
        &[
            "auth",
            "provider",
            "add",
            "sso",
            "--issuer",
            "https://id.example.com",
            "--name",
            "Example ID",
            "--client-id",
            "c",
            "--client-secret",
            "s",
        ],
    ));
    assert!(out.contains("/auth/sso/callback"), "{out}");
    ok(&kawaraban(
        d,
        &[
            "auth",
            "provider",
            "add",
            "facebook",
            "--kind",
            "facebook",
            "--client-id",
            "c",
            "--client-secret",
            "s",
        ],
    ));
    let list = ok(&kawaraban(d, &["auth", "provider", "list"]));
    assert!(
        list.contains("Example ID") && list.contains("Facebook"),
        "{list}"
    );
    assert!(
        !list.contains(" s\n") && !list.contains(" s "),
        "secrets are not listed: {list}"
    );
    ok(&kawaraban(d, &["auth", "provider", "remove", "sso"]));
    assert!(err(&kawaraban(d, &["auth", "provider", "remove", "sso"])).contains("no provider"));
}

#[test]
fn a_bad_sender_or_smtp_url_stops_serve_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let e = err(&kawaraban(
        d,
        &["--mail-from", "nobody", "serve", "--listen", "127.0.0.1:0"],
    ));
    assert!(
        e.starts_with("error: --mail-from: \"nobody\" is not an address"),
        "{e}"
    );
    assert_eq!(e.trim().lines().count(), 1);
    let e = err(&kawaraban(
        d,
        &[
            "--smtp-url",
            "ftp://mail.example",
            "serve",
            "--listen",
            "127.0.0.1:0",
        ],
    ));
    assert!(e.starts_with("error: --smtp-url:"), "{e}");
}

#[test]
fn a_role_is_granted_on_one_site_and_taken_away() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for key in ["news", "travel"] {
        ok(&kawaraban(
            d,
            &[
                "site",
                "add",
                key,
                "--name",
                key,
                "--url",
                &format!("https://{key}.example.com"),
            ],
        ));
    }
    ok(&kawaraban(
        d,
        &["user", "add", "tomo@example.test", "--role", "member"],
    ));
    let out = ok(&kawaraban(
        d,
        &[
            "user",
            "grant",
            "tomo@example.test",
            "--site",
            "travel",
            "--role",
            "editor",
        ],
    ));
    assert!(out.contains("tomo@example.test: editor on travel"), "{out}");
    let out = ok(&kawaraban(
        d,
        &[
            "user",
            "grant",
            "tomo@example.test",
            "--site",
            "travel",
            "--role",
            "none",
        ],
    ));
    assert!(out.contains("no role of its own on travel"), "{out}");
    assert!(err(&kawaraban(
        d,
        &[
            "user",
            "grant",
            "tomo@example.test",
            "--site",
            "moon",
            "--role",
            "editor"
        ]
    ))
    .contains("no such site"));
    assert!(err(&kawaraban(
        d,
        &[
            "user",
            "grant",
            "nobody@example.test",
            "--site",
            "news",
            "--role",
            "editor"
        ]
    ))
    .contains("no account"));
    assert!(err(&kawaraban(
        d,
        &[
            "user",
            "grant",
            "tomo@example.test",
            "--site",
            "news",
            "--role",
            "king"
        ]
    ))
    .contains("--role"));
}
