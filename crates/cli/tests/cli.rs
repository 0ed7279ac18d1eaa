//! The binary as operators use it: exit codes, one-line errors, summaries.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

mod common;

use common::*;

#[test]
fn an_unreachable_database_is_one_clear_line_and_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let out = kawaraban(
        dir.path(),
        &[
            "--database-url",
            "postgres://kw:secret@127.0.0.1:1/none",
            "serve",
            "--listen",
            "127.0.0.1:0",
        ],
    );
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.starts_with(
            "error: cannot connect to PostgreSQL at postgres://kw:***@127.0.0.1:1/none"
        ),
        "{err}"
    );
    assert!(!err.contains("secret"));
    let out = kawaraban(dir.path(), &["--database-url", "mysql://x", "site", "list"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("unsupported database URL"));
}

#[test]
fn sites_are_added_validated_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let out = kawaraban(dir.path(), &["site", "list"]);
    assert!(text(&out.stdout).contains("no sites yet"));
    let out = kawaraban(
        dir.path(),
        &[
            "site",
            "add",
            "news",
            "--name",
            "Daily",
            "--url",
            "https://news.example.com",
            "--time-zone",
            "Asia/Tokyo",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("site news (Daily) at https://news.example.com, default"));
    let out = kawaraban(
        dir.path(),
        &[
            "site",
            "add",
            "bad",
            "--name",
            "X",
            "--url",
            "https://x.example.com",
            "--time-zone",
            "Mars/Base",
        ],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("time zone: \"Mars/Base\" is not an IANA time zone"),
        "{}",
        text(&out.stderr)
    );
    let out = kawaraban(dir.path(), &["site", "list"]);
    let listed = text(&out.stdout);
    assert!(
        listed.contains("news") && listed.contains("default") && !listed.contains("bad"),
        "{listed}"
    );
}

#[test]
fn import_reports_each_failure_and_a_summary_and_exits_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    add_news_site(dir.path());
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(
        input.join("good.md"),
        "---\ntitle: Good\nsite: news\nsection: national\npublished_at: 2026-11-20T09:30:00+09:00\n---\nBody.\n",
    )
    .unwrap();
    std::fs::write(
        input.join("bad.md"),
        "---\ntitle: Bad\nsite: news\nsection: national\npublished_at: soon\n---\nBody.\n",
    )
    .unwrap();
    let out = kawaraban(dir.path(), &["import", input.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("imported 1, updated 0, failed 1"));
    let err = text(&out.stderr);
    assert!(
        err.contains("bad.md:5: published_at: not an RFC 3339 date-time"),
        "{err}"
    );
    assert!(err.contains("note: created section news/national"));
    std::fs::remove_file(input.join("bad.md")).unwrap();
    let out = kawaraban(dir.path(), &["import", input.to_str().unwrap()]);
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("imported 0, updated 1, failed 0"));
    let out = kawaraban(dir.path(), &["import", "/no/such/dir"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).starts_with("error: /no/such/dir:"));
}

#[test]
fn a_broken_theme_stops_the_server_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let theme = dir.path().join("theme/templates");
    std::fs::create_dir_all(&theme).unwrap();
    std::fs::write(
        theme.join("home.html"),
        "{% extends \"base.html\" %}\n{% block main %}{% for %}{% endblock %}\n",
    )
    .unwrap();
    let out = kawaraban(
        dir.path(),
        &[
            "--theme",
            dir.path().join("theme").to_str().unwrap(),
            "serve",
            "--listen",
            "127.0.0.1:0",
        ],
    );
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("templates/home.html:2:"), "{err}");
}

#[test]
fn serve_is_ready_quickly_and_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    add_news_site(dir.path());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = Instant::now();
    let mut child = command(dir.path())
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .spawn()
        .unwrap();
    let mut ready = false;
    while started.elapsed() < Duration::from_secs(20) {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            s.write_all(
                b"GET /readyz HTTP/1.1\r\nHost: news.localhost\r\nConnection: close\r\n\r\n",
            )
            .unwrap();
            let mut buf = String::new();
            let _ = s.read_to_string(&mut buf);
            if buf.starts_with("HTTP/1.1 200") {
                ready = true;
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(ready, "server never became ready");
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = child.wait().unwrap();
    assert!(
        status.success(),
        "graceful shutdown exits 0, got {status:?}"
    );
}

/// Adds the one site these tests need.
fn add_news_site(data: &Path) {
    let out = kawaraban(
        data,
        &[
            "site",
            "add",
            "news",
            "--name",
            "Daily",
            "--url",
            "http://news.localhost:8080",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn a_trusted_proxy_that_is_no_address_is_refused_before_serving() {
    let dir = tempfile::tempdir().unwrap();
    let out = kawaraban(
        dir.path(),
        &[
            "--trusted-proxy",
            "10.0.0.0/8,proxy.example",
            "serve",
            "--listen",
            "127.0.0.1:0",
        ],
    );
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("--trusted-proxy") && err.contains("\"proxy.example\" is not an IP address"),
        "{err}"
    );
    let out = command(dir.path())
        .args(["site", "list"])
        .env("KAWARABAN_TRUSTED_PROXIES", "127.0.0.1,fd00::/8")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
}
