//! The claim at the end of a message, against the real SMTP server the test
//! script starts: a refused claim leaves nothing delivered (the server
//! throws the unfinished message away), a granted one delivers once, and a
//! refusal before the end reports what the server said.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use kawaraban_mail::{Claim, Delivery, Email, End, SendError, Transport};

fn smtp() -> (String, PathBuf) {
    let url = std::env::var("KAWARABAN_TEST_SMTP_URL").expect(
        "KAWARABAN_TEST_SMTP_URL: run through scripts/test.sh, which starts the SMTP server",
    );
    let dir = std::env::var("KAWARABAN_TEST_MAIL_DIR").expect("KAWARABAN_TEST_MAIL_DIR");
    (url, PathBuf::from(dir))
}

fn message(to: &str) -> lettre::Message {
    Email {
        to: to.into(),
        to_name: String::new(),
        from_name: "The Test Post".into(),
        subject: "Claimed".into(),
        text: "Text".into(),
        html: "<p>HTML</p>".into(),
        headers: Vec::new(),
        message_id: Some(format!("{to}.claim")),
    }
    .to_message("news@example.test")
    .unwrap()
}

fn received(dir: &PathBuf, to: &str) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .ends_with(&format!("-{to}.eml"))
        })
        .count()
}

/// A claim answering `ok`, counting how often it was asked.
fn claim(ok: bool, asked: Arc<AtomicUsize>, write_end: bool) -> impl FnOnce(End) -> Claim {
    move |end| {
        Box::pin(async move {
            asked.fetch_add(1, Ordering::SeqCst);
            if ok && write_end {
                assert!(
                    end.write_now(),
                    "a plain connection's end is written at once"
                );
            }
            ok
        })
    }
}

#[tokio::test]
async fn only_a_claimed_message_is_delivered() {
    let (url, dir) = smtp();
    let transport = Transport::pooled(Some(&url), PathBuf::from("unused"), 2).unwrap();
    let stamp = chrono::Utc::now().timestamp_nanos_opt().unwrap();
    let asked = Arc::new(AtomicUsize::new(0));

    let refused = format!("refused-{stamp}@example.test");
    let d = transport
        .send_claimed(message(&refused), claim(false, asked.clone(), false))
        .await;
    assert!(matches!(d, Delivery::NotClaimed), "{d:?}");

    for (i, write_end) in [false, true].into_iter().enumerate() {
        let to = format!("claimed{i}-{stamp}@example.test");
        let d = transport
            .send_claimed(message(&to), claim(true, asked.clone(), write_end))
            .await;
        assert!(matches!(d, Delivery::Accepted), "{d:?}");
        assert_eq!(received(&dir, &to), 1);
    }
    assert_eq!(asked.load(Ordering::SeqCst), 3, "one claim per message");
    // The refused message never arrives, not even late.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(received(&dir, &refused), 0);
}

#[tokio::test]
async fn a_refusal_before_the_end_asks_no_claim() {
    let (url, dir) = smtp();
    let stamp = chrono::Utc::now().timestamp_nanos_opt().unwrap();
    let to = format!("nobody-{stamp}@example.test");
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(dir.join(".fail-rules"))
        .and_then(|mut f| {
            std::io::Write::write_all(&mut f, format!("{to} 550 no such user\n").as_bytes())
        })
        .unwrap();
    let transport = Transport::pooled(Some(&url), PathBuf::from("unused"), 1).unwrap();
    let asked = Arc::new(AtomicUsize::new(0));
    let d = transport
        .send_claimed(message(&to), claim(true, asked.clone(), false))
        .await;
    match d {
        Delivery::Refused(SendError::Permanent(e)) => assert!(e.contains("no such user"), "{e}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(asked.load(Ordering::SeqCst), 0);
    // The connection is still good for the next message (after RSET).
    let ok = format!("next-{stamp}@example.test");
    let d = transport
        .send_claimed(message(&ok), claim(true, asked.clone(), false))
        .await;
    assert!(matches!(d, Delivery::Accepted), "{d:?}");
    assert_eq!(received(&dir, &ok), 1);
}

#[tokio::test]
async fn an_internationalised_address_goes_out_with_smtputf8() {
    // The test server announces SMTPUTF8 (RFC 6531), as aiosmtpd does.
    let (url, dir) = smtp();
    let stamp = chrono::Utc::now().timestamp_nanos_opt().unwrap();
    let transport = Transport::pooled(Some(&url), PathBuf::from("unused"), 1).unwrap();
    let asked = Arc::new(AtomicUsize::new(0));
    let d = transport
        .send_claimed(
            message(&format!("δοκιμή-{stamp}@example.test")),
            claim(true, asked.clone(), false),
        )
        .await;
    assert!(matches!(d, Delivery::Accepted), "{d:?}");
    // The sink writes non-ASCII characters of the address as "_".
    assert_eq!(received(&dir, &format!("______-{stamp}@example.test")), 1);
    assert_eq!(asked.load(Ordering::SeqCst), 1);
}
