//! `kawaraban newsletter` and `kawaraban subscribers`, as a newsroom uses
//! them: lists, then a CSV import with good and bad rows, and an export.

mod common;

use std::path::Path;
use std::process::Output;

use common::kawaraban;

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs a command that must succeed; its standard output.
fn ok(d: &Path, args: &[&str]) -> String {
    let out = kawaraban(d, args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

/// The site `news` ("Daily", https://news.example.com, then `extra`
/// flags) and its lists, each (key, name, kind).
fn news_site(d: &Path, extra: &[&str], lists: &[(&str, &str, &str)]) {
    let mut site = vec![
        "site",
        "add",
        "news",
        "--name",
        "Daily",
        "--url",
        "https://news.example.com",
    ];
    site.extend_from_slice(extra);
    ok(d, &site);
    for (key, name, kind) in lists {
        ok(
            d,
            &[
                "newsletter",
                "add-list",
                "news",
                key,
                "--name",
                name,
                "--kind",
                kind,
            ],
        );
    }
}

#[test]
fn csv_imports_keep_good_rows_name_bad_lines_and_export_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    news_site(
        d,
        &[],
        &[
            ("daily", "The Daily", "digest"),
            ("breaking", "Breaking", "breaking"),
        ],
    );
    let out = kawaraban(
        d,
        &[
            "newsletter",
            "add-list",
            "news",
            "Bad Key",
            "--name",
            "X",
            "--kind",
            "digest",
        ],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("list key"), "{}", stderr(&out));
    let out = kawaraban(d, &["newsletter", "lists", "news"]);
    assert!(stdout(&out).contains("daily") && stdout(&out).contains("breaking"));

    let csv = d.join("people.csv");
    std::fs::write(
        &csv,
        "email,lists,status\n\
         ann@example.test,daily;breaking,active\n\
         not-an-address,daily,active\n\
         ben@example.test,weekly,active\n\
         cy@example.test,daily,pending\n\
         \"Dee@Example.test\",breaking,\n\
         eve@example.test,,paused\n",
    )
    .unwrap();
    let out = kawaraban(d, &["subscribers", "import", "news", csv.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "bad rows make the exit code 1");
    let err = stderr(&out);
    for line in [
        "people.csv:3: email",
        "people.csv:4: no list \"weekly\"",
        "people.csv:5: status \"pending\"",
    ] {
        assert!(err.contains(line), "{line} in {err}");
    }
    assert!(
        stdout(&out).contains("imported 3, updated 0, failed 3"),
        "{}",
        stdout(&out)
    );

    let export = d.join("out.csv");
    let out = kawaraban(
        d,
        &[
            "subscribers",
            "export",
            "news",
            "--out",
            export.to_str().unwrap(),
        ],
    );
    assert!(
        stdout(&out).contains("exported 3 subscribers"),
        "{}",
        stdout(&out)
    );
    let text = std::fs::read_to_string(&export).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "email,lists,status,confirmed_at");
    assert!(
        lines[1].starts_with("ann@example.test,daily;breaking,active,20"),
        "{text}"
    );
    assert!(
        lines[2].starts_with("Dee@Example.test,breaking,active,"),
        "{text}"
    );
    assert!(lines[3].starts_with("eve@example.test,,paused,"), "{text}");
    // The export imports again as updates; a missing file is named.
    let out = kawaraban(
        d,
        &["subscribers", "import", "news", export.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("imported 0, updated 3, failed 0"));
    let out = kawaraban(d, &["subscribers", "import", "news", "/nonexistent.csv"]);
    assert!(
        stderr(&out).contains("cannot read /nonexistent.csv"),
        "{}",
        stderr(&out)
    );
    let bad = d.join("bad.csv");
    std::fs::write(&bad, "name,address\nx,y\n").unwrap();
    let out = kawaraban(d, &["subscribers", "import", "news", bad.to_str().unwrap()]);
    assert!(
        stderr(&out).contains("bad.csv:1: the header needs an `email` column"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn exported_addresses_never_start_a_spreadsheet_formula_and_import_back_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    news_site(d, &[], &[("daily", "The Daily", "digest")]);
    let csv = d.join("people.csv");
    let risky = ["=1+2@example.test", "+81-3@example.test", "-x@example.test"];
    let mut text = String::from("email,lists\n");
    for e in risky {
        text.push_str(&format!("\"{e}\",daily\n"));
    }
    std::fs::write(&csv, text).unwrap();
    let out = kawaraban(d, &["subscribers", "import", "news", csv.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let export = d.join("out.csv");
    ok(
        d,
        &[
            "subscribers",
            "export",
            "news",
            "--out",
            export.to_str().unwrap(),
        ],
    );
    let text = std::fs::read_to_string(&export).unwrap();
    let mut emails: Vec<String> = csv::Reader::from_path(&export)
        .unwrap()
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    for cell in &emails {
        assert!(cell.starts_with('\''), "{cell:?} in {text}");
    }
    // Imported again, every address is the one first imported.
    let out = kawaraban(
        d,
        &["subscribers", "import", "news", export.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("imported 0, updated 3, failed 0"),
        "{}",
        stdout(&out)
    );
    emails.sort();
    let mut want: Vec<String> = risky.iter().map(|e| format!("'{e}")).collect();
    want.sort();
    assert_eq!(emails, want);
}

#[test]
fn campaigns_and_alerts_are_sent_from_the_command_line_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = |args: &[&str]| ok(d, args);
    news_site(
        d,
        &["--time-zone", "Asia/Tokyo"],
        &[
            ("weekly", "Weekly", "newsletter"),
            ("breaking", "Breaking", "breaking"),
        ],
    );
    let out = kawaraban(
        d,
        &[
            "newsletter",
            "add-list",
            "news",
            "daily",
            "--name",
            "D",
            "--kind",
            "digest",
            "--send-time",
            "7pm",
        ],
    );
    assert!(
        stderr(&out).contains("send time \"7pm\": use HH:MM"),
        "{}",
        stderr(&out)
    );
    let csv = d.join("people.csv");
    std::fs::write(
        &csv,
        "email,lists\nann@example.test,weekly;breaking\nben@example.test,weekly\n",
    )
    .unwrap();
    ok(&["subscribers", "import", "news", csv.to_str().unwrap()]);
    let articles = d.join("articles");
    std::fs::create_dir_all(&articles).unwrap();
    let published = (chrono::Utc::now() - chrono::Duration::minutes(10)).to_rfc3339();
    std::fs::write(
        articles.join("flood.md"),
        format!("---\ntitle: River floods the old town\nslug: river-floods\nsite: news\nsection: national\nsummary: Water reached the station.\npublished_at: {published}\n---\nBody.\n"),
    )
    .unwrap();
    ok(&["import", articles.to_str().unwrap()]);

    let out = ok(&[
        "newsletter",
        "send",
        "news",
        "weekly",
        "--subject",
        "This week",
        "--dry-run",
    ]);
    assert!(
        out.contains("would send to 2 subscribers of Weekly"),
        "{out}"
    );
    assert!(
        out.contains("Subject: This week") && out.contains("River floods the old town"),
        "{out}"
    );
    let outbox = d.join("outbox");
    assert!(
        !outbox.exists() || std::fs::read_dir(&outbox).unwrap().count() == 0,
        "a dry run sends nothing"
    );
    let out = ok(&[
        "newsletter",
        "send",
        "news",
        "weekly",
        "--subject",
        "This week",
        "--wait",
    ]);
    assert!(
        out.contains("queued for 2 subscribers") && out.contains("sent 2, failed 0, bounced 0"),
        "{out}"
    );
    let out = ok(&["alert", "send", "news", "river-floods", "--wait"]);
    assert!(
        out.contains("queued for 1 subscribers of breaking") && out.contains("sent 1"),
        "{out}"
    );
    let out = ok(&["alert", "send", "news", "river-floods"]);
    assert!(out.contains("already sent"), "{out}");
    let files: Vec<String> = std::fs::read_dir(&outbox)
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.unwrap().path()).ok())
        .collect();
    assert_eq!(files.len(), 3, "two letters and one alert");
    assert_eq!(
        files
            .iter()
            .filter(|m| m.contains("Subject: Breaking: River floods the old town"))
            .count(),
        1
    );
    assert!(files
        .iter()
        .all(|m| m.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click")));
    let out = kawaraban(d, &["alert", "send", "news", "no-such-story"]);
    assert!(
        stderr(&out).contains("no published article \"no-such-story\""),
        "{}",
        stderr(&out)
    );
}

#[test]
fn dkim_signs_every_message_and_a_bad_key_stops_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let key = d.join("dkim.pem");
    let gen = std::process::Command::new("openssl")
        .args(["genrsa", "-traditional", "-out"])
        .arg(&key)
        .arg("2048")
        .output()
        .expect("openssl");
    assert!(gen.status.success(), "{}", stderr(&gen));
    let ok = |args: &[&str]| ok(d, args);
    news_site(d, &[], &[("weekly", "Weekly", "newsletter")]);
    let csv = d.join("people.csv");
    std::fs::write(&csv, "email,lists\nann@example.test,weekly\n").unwrap();
    ok(&["subscribers", "import", "news", csv.to_str().unwrap()]);
    let key_arg = key.to_str().unwrap();
    ok(&[
        "--mail-from",
        "The Daily <news@daily.example>",
        "--dkim-key",
        key_arg,
        "newsletter",
        "send",
        "news",
        "weekly",
        "--subject",
        "Signed",
        "--wait",
    ]);
    let mail: Vec<String> = std::fs::read_dir(d.join("outbox"))
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.unwrap().path()).ok())
        .collect();
    assert_eq!(mail.len(), 1);
    let unfolded = mail[0].replace("\r\n ", " ").replace("\r\n\t", " ");
    let sig = unfolded
        .lines()
        .find(|l| l.starts_with("DKIM-Signature:"))
        .unwrap_or_else(|| panic!("no DKIM-Signature in {unfolded}"));
    for part in [
        "v=1",
        "a=rsa-sha256",
        "d=daily.example",
        "s=kawaraban",
        "bh=",
        "b=",
    ] {
        assert!(sig.contains(part), "{part} in {sig}");
    }
    // And it verifies, by dkimpy, against the key's public half.
    let public = std::process::Command::new("openssl")
        .args(["rsa", "-pubout", "-in"])
        .arg(&key)
        .output()
        .expect("openssl");
    assert!(public.status.success(), "{}", stderr(&public));
    // The PEM's base64 body is what a DKIM record's p= holds.
    let public: String = stdout(&public)
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let signed = d.join("signed.eml");
    std::fs::write(&signed, &mail[0]).unwrap();
    let verify = |file: &std::path::Path| {
        std::process::Command::new("/usr/bin/python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../scripts/testsvc/dkim_verify.py"
            ))
            .arg(file)
            .args([public.as_str(), "kawaraban", "daily.example"])
            .output()
            .expect("python3 with dkimpy (python3-dkim; scripts/test.sh installs it)")
    };
    let out = verify(&signed);
    assert_eq!(stdout(&out).trim(), "pass", "{}", stderr(&out));
    // A changed subject breaks it: the check can fail.
    let tampered = d.join("tampered.eml");
    std::fs::write(
        &tampered,
        mail[0].replace("Subject: Signed", "Subject: Changed"),
    )
    .unwrap();
    assert_eq!(stdout(&verify(&tampered)).trim(), "fail");
    // A key that is not one stops the command with one line naming the file.
    let bad = d.join("bad.pem");
    std::fs::write(&bad, "not a key").unwrap();
    let out = kawaraban(
        d,
        &[
            "--dkim-key",
            bad.to_str().unwrap(),
            "newsletter",
            "send",
            "news",
            "weekly",
            "--subject",
            "x",
        ],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("--dkim-key") && stderr(&out).contains("bad.pem"),
        "{}",
        stderr(&out)
    );
}
