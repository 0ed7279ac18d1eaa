//! Members over HTTP: signing in with a password: CSRF and origins, limits,
//! answers that tell nothing, stored hashes, new-browser notices, and
//! hashing off the serving threads.

use super::*;
use crate::browser::Browser;

#[tokio::test]
async fn forms_without_a_valid_csrf_token_or_from_another_origin_are_refused() {
    let app = TestApp::builder().start().await;
    let mut b = Browser::new(&app, NEWS);
    b.get("/login").await;
    let missing = b
        .post(
            "/login",
            &[("email", "a@example.test"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(missing.status, 403);
    assert!(missing.body.contains("Not allowed"));
    let forged = b
        .post(
            "/login",
            &[
                ("csrf", "forged"),
                ("email", "a@example.test"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    let form = b.get("/login").await;
    b.origin_header = Some("https://evil.example".into());
    let cross = b
        .post(
            "/login",
            &[
                ("csrf", &form.csrf()),
                ("email", "a@example.test"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(cross.status, 403);
    b.origin_header = None;

    // A member's forms carry a token bound to the session.
    let (mut m, _) = member(&app, "csrf").await;
    let forged = m.post("/logout", &[("csrf", "forged")]).await;
    assert_eq!(forged.status, 403);
    assert!(
        m.cookie("news.localhost", "kw_session").is_some(),
        "still signed in"
    );
    let other_session_token = b.get("/login").await.csrf();
    let wrong = m
        .post(
            "/account/name",
            &[("csrf", &other_session_token), ("display_name", "X")],
        )
        .await;
    assert_eq!(wrong.status, 403);
    app.stop().await;
}

#[tokio::test]
async fn sign_in_failures_are_limited_per_account_with_retry_after() {
    let app = TestApp::builder().start().await;
    let (_, email) = member(&app, "limits").await;
    let mut b = Browser::new(&app, NEWS);
    for i in 0..5 {
        let page = b.login(&email, "wrong password here").await;
        assert_eq!(page.status, 401, "attempt {i}");
        assert!(page.body.contains("do not match"));
    }
    let page = b.login(&email, PASSWORD).await;
    assert_eq!(page.status, 429, "locked even with the right password");
    let retry: u64 = page.header("retry-after").parse().unwrap();
    assert!(retry > 0 && retry <= 900, "{retry}");
    assert!(page.body.contains("Too many requests"));
    // Other accounts are not affected.
    let (_, other) = member(&app, "limits-other").await;
    assert_eq!(
        Browser::new(&app, NEWS)
            .login(&other, PASSWORD)
            .await
            .status,
        200
    );
    app.stop().await;
}

#[tokio::test]
async fn unknown_and_known_addresses_get_the_same_answers() {
    let app = TestApp::builder().start().await;
    let (_, email) = member(&app, "enum").await;
    let unknown = address("nobody");
    let mut b = Browser::new(&app, NEWS);
    let a = b.login(&email, "wrong password here").await;
    let u = b.login(&unknown, "wrong password here").await;
    assert_eq!((a.status, u.status), (401, 401));
    assert_eq!(a.body.replace(&email, "X"), u.body.replace(&unknown, "X"));
    for (path, action) in [
        ("/login", "/login/link"),
        ("/password/forgot", "/password/forgot"),
    ] {
        let known = b.submit(path, action, &[("email", &email)]).await;
        let not = b.submit(path, action, &[("email", &unknown)]).await;
        assert_eq!(known.status, not.status);
        assert_eq!(
            known.body.replace(&email, "X"),
            not.body.replace(&unknown, "X"),
            "{action}"
        );
    }
    // Timing: an unknown address still costs a password hash.
    let time = |e: String| {
        let app = &app;
        async move {
            let mut b = Browser::new(app, NEWS);
            let form = b.get("/login").await;
            let t = std::time::Instant::now();
            b.post(
                "/login",
                &[
                    ("csrf", &form.csrf()),
                    ("email", &e),
                    ("password", "wrong password here"),
                ],
            )
            .await;
            t.elapsed().as_secs_f64()
        }
    };
    let (mut k, mut n) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        k.push(time(email.clone()).await);
        n.push(time(unknown.clone()).await);
    }
    k.sort_by(f64::total_cmp);
    n.sort_by(f64::total_cmp);
    assert!(n[1] > k[1] * 0.5, "unknown {n:?} vs known {k:?}");
    app.stop().await;
}
#[tokio::test]
async fn weak_stored_hashes_are_upgraded_at_sign_in() {
    let app = TestApp::builder().start().await;
    let (_, email) = member(&app, "rehash").await;
    let norm = kawaraban_core::identity::parse_email(&email).unwrap().norm;
    let m = app.store.member_by_email(&norm).await.unwrap().unwrap();
    assert!(m
        .password_hash
        .as_deref()
        .unwrap()
        .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    use argon2::password_hash::{PasswordHasher, SaltString};
    let weak = argon2::Argon2::new(
        argon2::Algorithm::Argon2i,
        argon2::Version::V0x13,
        argon2::Params::new(8192, 1, 1, None).unwrap(),
    )
    .hash_password(
        PASSWORD.as_bytes(),
        &SaltString::encode_b64(b"0123456789abcdef").unwrap(),
    )
    .unwrap()
    .to_string();
    app.store
        .set_password_hash(m.id, &weak, now())
        .await
        .unwrap();
    assert_eq!(
        Browser::new(&app, NEWS)
            .login(&email, PASSWORD)
            .await
            .status,
        200
    );
    let m = app.store.member_by_email(&norm).await.unwrap().unwrap();
    assert!(m
        .password_hash
        .unwrap()
        .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    app.stop().await;
}
#[tokio::test]
async fn a_sign_in_from_a_new_browser_is_reported_by_email() {
    let app = TestApp::builder().start().await;
    let (_, email) = member(&app, "notice").await;
    // Same browser again: no notice.
    Browser::new(&app, NEWS).login(&email, PASSWORD).await;
    let mut other = Browser::new(&app, NEWS);
    other.user_agent = Some("Mozilla/5.0 (Test Tablet)".into());
    assert_eq!(other.login(&email, PASSWORD).await.status, 200);
    let mail = app.wait_mail(&email, 2).await;
    assert!(
        mail.subject
            .starts_with("New sign-in to your Test Post account"),
        "{}",
        mail.subject
    );
    assert!(mail.text.contains("Mozilla/5.0 (Test Tablet)") && mail.text.contains("127.0.0.1"));
    assert!(mail
        .text
        .contains("http://news.localhost:8080/password/forgot"));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.mail_for(&email).len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn password_hashing_never_stalls_page_serving() {
    let app = TestApp::builder().start().await;
    app.page("/national/rail-line-reopens").await;
    // Sixteen sign-ins at once, each an Argon2id check on the blocking pool.
    let attempts: Vec<_> = (0..16)
        .map(|i| {
            let app = &app;
            async move {
                let mut b = Browser::new(app, NEWS);
                b.login(&format!("load{i}@example.test"), "wrong password here")
                    .await
                    .status
            }
        })
        .collect();
    let pages = async {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let mut worst = std::time::Duration::ZERO;
        for _ in 0..20 {
            let t = std::time::Instant::now();
            assert_eq!(app.page("/national/rail-line-reopens").await.0, 200);
            worst = worst.max(t.elapsed());
        }
        worst
    };
    let (statuses, worst) = tokio::join!(futures::future::join_all(attempts), pages);
    assert!(statuses.iter().all(|s| *s == 401), "{statuses:?}");
    assert!(
        worst < std::time::Duration::from_millis(250),
        "a page took {worst:?} while passwords were hashed"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_site_named_the_something_reads_well_after_your() {
    let app = TestApp::builder().start().await;
    let mut b = Browser::new(&app, NEWS);
    let page = b.get("/login").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("with your Test Post account"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("your The "), "{}", page.body);
    // The emails too: a reset for a member of "The Test Post".
    let (_, email) = member(&app, "wording").await;
    let mut other = Browser::new(&app, NEWS);
    other
        .submit("/password/forgot", "/password/forgot", &[("email", &email)])
        .await;
    let mail = app.wait_mail(&email, 2).await;
    assert!(
        mail.text.contains("your Test Post account") && !mail.text.contains("your The "),
        "{}",
        mail.text
    );
    app.stop().await;
}
