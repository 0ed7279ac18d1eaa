//! Exactly once, the hard way: a campaign to 10,000 readers, its server
//! killed with SIGKILL twice in the middle of sending and started again,
//! against a real SMTP server (the test sink, `scripts/testsvc/smtp_sink.py`,
//! which keeps every message whose end arrived, as MTAs do). No reader
//! may have two messages, and every reader has one except, at worst, the
//! group a kill cut between its claim and its ends (the one window SMTP
//! leaves, docs/newsletters.md): the sink must have seen each of those
//! close before its end, and there are at most as many as were in flight.

mod common;

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{command, kawaraban, text};

const READERS: usize = 10_000;

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The test SMTP sink on its own port and directory.
fn sink(dir: &Path) -> (Killed, u16) {
    let port = free_port();
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/testsvc/smtp_sink.py");
    let mut child = Command::new("/usr/bin/python3")
        .arg(script)
        .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--dir"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.join(".sink.log")).unwrap())
        .spawn()
        .expect("start the SMTP sink (python3-aiosmtpd; scripts/test.sh installs it)");
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    assert_eq!(line.trim(), "ready", "the sink did not start");
    (Killed(child), port)
}

fn serve(data: &Path, smtp_port: u16) -> Killed {
    let child = command(data)
        .args([
            "--smtp-url",
            &format!("smtp://127.0.0.1:{smtp_port}"),
            "--send-lease",
            "2",
            "--send-connections",
            "16",
            "serve",
            "--listen",
            &format!("127.0.0.1:{}", free_port()),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start kawaraban serve");
    Killed(child)
}

/// Messages the sink has kept.
fn received(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".eml") && !n.starts_with('.'))
        .collect()
}

fn wait_for(dir: &Path, at_least: usize, within: Duration) -> usize {
    let start = Instant::now();
    loop {
        let n = received(dir).len();
        if n >= at_least || start.elapsed() > within {
            return n;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_send_killed_twice_and_restarted_reaches_everyone_once_and_never_twice() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mail = d.join("mail");
    std::fs::create_dir_all(&mail).unwrap();
    let out = kawaraban(
        d,
        &[
            "generate",
            "--subscribers",
            &READERS.to_string(),
            "--list",
            "weekly",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = kawaraban(
        d,
        &[
            "newsletter",
            "send",
            "news",
            "weekly",
            "--subject",
            "Exactly once",
            "--from-template",
            "letter",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(&format!("queued for {READERS}")),
        "{}",
        text(&out.stdout)
    );

    let (_sink, port) = sink(&mail);
    let mut at_kill = Vec::new();
    for share in [0.2, 0.55] {
        let server = serve(d, port);
        let want = (READERS as f64 * share) as usize;
        let n = wait_for(&mail, want, Duration::from_secs(120));
        assert!(n >= want, "only {n} messages arrived before the kill");
        drop(server); // SIGKILL, then reaped
        at_kill.push(received(&mail).len());
    }
    assert!(
        at_kill[0] < READERS && at_kill[1] < READERS,
        "killed mid-send: {at_kill:?}"
    );

    let server = serve(d, port);
    let n = wait_for(&mail, READERS, Duration::from_secs(180));
    // Anything sent twice would come after the leases of the killed
    // servers ran out (2 s): wait past that.
    std::thread::sleep(Duration::from_secs(4));
    drop(server);
    let names = received(&mail);
    let mut per_reader: HashMap<String, usize> = HashMap::new();
    for name in &names {
        let (_, rcpt) = name.split_once('-').unwrap();
        *per_reader
            .entry(rcpt.trim_end_matches(".eml").to_string())
            .or_default() += 1;
    }
    let twice: Vec<_> = per_reader.iter().filter(|(_, n)| **n > 1).take(5).collect();
    let missing: Vec<String> = (0..READERS)
        .map(|i| format!("subscriber-{i}@generated.invalid"))
        .filter(|a| !per_reader.contains_key(a))
        .collect();
    // The one loss the design admits (docs/newsletters.md, "Exactly once"):
    // a kill between a group's claim and the write of its ends loses that
    // group, never more than the messages in flight at the kill (at most
    // `--send-concurrency`, 32, per kill), and each of them is one whose
    // connection the SMTP server saw close before the end.
    let sink_log = std::fs::read_to_string(mail.join(".sink.log")).unwrap_or_default();
    let unexplained: Vec<_> = missing
        .iter()
        .filter(|a| !sink_log.contains(&format!("left before the end of a message to {a}")))
        .take(5)
        .collect();
    let ok = twice.is_empty()
        && unexplained.is_empty()
        && missing.len() <= 2 * 32
        && names.len() + missing.len() == READERS;
    let count = names.len();
    // On failure the data directory stays, with the sink's log of
    // messages whose sender left before their end (mail/.sink.log).
    let kept = if ok { None } else { Some(dir.keep()) };
    assert!(
        ok,
        "{count} messages (reached {n} before the last wait; at the kills {at_kill:?}); twice: {twice:?}; \
         missing {} (first {:?}), of which not cut at their end: {unexplained:?}; kept {kept:?}",
        missing.len(),
        missing.iter().take(5).collect::<Vec<_>>()
    );
    if !missing.is_empty() {
        eprintln!(
            "note: a kill fell between a claim and its ends: {} messages lost, as documented",
            missing.len()
        );
    }
}
