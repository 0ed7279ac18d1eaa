//! Members over HTTP: registration, verification, sign-in by password and
//! by emailed link, password reset, sign-out, and one sign-in across the
//! network. Emails go through the real SMTP server the test script starts.

use reqwest::Method;

use crate::browser::Browser;
use crate::support::*;

pub const NEWS: &str = "news.localhost:8080";
pub const TRAVEL: &str = "travel.localhost:8080";
pub const PASSWORD: &str = "lantern harbour pickle 42";

/// A unique address per test, so parallel tests never read each other's mail.
pub fn address(tag: &str) -> String {
    format!(
        "{tag}-{}@example.test",
        kawaraban_web::members::secrets::new_token()[..10]
            .to_lowercase()
            .replace(['-', '_'], "x")
    )
}

/// Registers and confirms an account; the browser ends signed in.
pub async fn member<'a>(app: &'a TestApp, tag: &str) -> (Browser<'a>, String) {
    let email = address(tag);
    let mut b = Browser::new(app, NEWS);
    let page = b.register(&email, "Ann Reader", PASSWORD).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let mail = app.wait_mail(&email, 1).await;
    let page = b.follow_email_link(&mail.link("/verify/")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    (b, email)
}

#[tokio::test]
async fn registration_sends_a_verification_email_whose_link_confirms_and_signs_in() {
    let app = TestApp::builder().start().await;
    let email = address("reg");
    let mut b = Browser::new(&app, NEWS);
    let page = b
        .register(&email, "Ann \u{202E}Reader\u{200B}", PASSWORD)
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Check your email"), "{}", page.body);
    assert!(
        b.cookie("news.localhost", "kw_session").is_none(),
        "not signed in before confirming"
    );

    let mail = app.wait_mail(&email, 1).await;
    assert_eq!(mail.content_type, "multipart/alternative");
    assert!(
        mail.subject
            .contains("Confirm your email address for The Test Post"),
        "{}",
        mail.subject
    );
    assert!(
        mail.from.contains("The Test Post") && mail.from.contains("news@example.test"),
        "{}",
        mail.from
    );
    assert!(mail.html.contains("Confirm my email"));
    let link = mail.link("/verify/");
    assert!(
        link.starts_with("http://news.localhost:8080/verify/"),
        "{link}"
    );

    // Opening the link (as a mail scanner would) changes nothing.
    let opened = b.get(&link).await;
    assert_eq!(opened.status, 200);
    assert!(opened.body.contains("Confirm my email"));
    let again = b.get(&link).await;
    assert_eq!(again.status, 200, "a GET must not spend the link");

    let page = b.follow_email_link(&link).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.url.ends_with("/"),
        "lands on the front page: {}",
        page.url
    );
    assert!(
        page.body.contains("Ann Reader") && page.body.contains("Sign out"),
        "header shows the member"
    );
    assert!(!page.body.contains('\u{202E}'), "bidi override stripped");

    let account = b.get("/account").await;
    assert_eq!(account.status, 200);
    assert!(account.body.contains("(confirmed)"), "{}", account.body);
    // The link is spent.
    assert_eq!(b.get(&link).await.status, 410);
    app.stop().await;
}

#[tokio::test]
async fn unverified_members_can_sign_in_and_are_asked_to_confirm() {
    let app = TestApp::builder().start().await;
    let email = address("unverified");
    let mut b = Browser::new(&app, NEWS);
    b.register(&email, "Ben", PASSWORD).await;
    app.wait_mail(&email, 1).await;
    let page = b.login(&email.to_uppercase(), PASSWORD).await;
    assert_eq!(
        page.status, 200,
        "emails compare case-insensitively: {}",
        page.body
    );
    let account = b.get("/account").await;
    assert!(
        account.body.contains("Please confirm your email address"),
        "{}",
        account.body
    );
    // Ask again: a second verification email arrives.
    let resent = b.submit("/account", "/verify/resend", &[]).await;
    assert_eq!(resent.status, 200);
    app.wait_mail(&email, 2).await;
    app.stop().await;
}

#[tokio::test]
async fn registration_answers_the_same_for_a_taken_address_and_tells_its_owner() {
    let app = TestApp::builder().start().await;
    let (_, email) = member(&app, "taken").await;
    let mut other = Browser::new(&app, NEWS);
    let page = other
        .register(&email, "Impostor", "another long passphrase 9")
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Check your email"));
    let mail = app.wait_mail(&email, 2).await;
    assert!(mail.subject.contains("already have"), "{}", mail.subject);
    // The original password still works; the impostor's does not.
    assert_eq!(
        Browser::new(&app, NEWS)
            .login(&email, PASSWORD)
            .await
            .status,
        200
    );
    assert_eq!(
        Browser::new(&app, NEWS)
            .login(&email, "another long passphrase 9")
            .await
            .status,
        401
    );
    app.stop().await;
}

#[tokio::test]
async fn registration_checks_its_fields_and_keeps_bots_out() {
    let app = TestApp::builder().start().await;
    let mut b = Browser::new(&app, NEWS);
    let email = address("fields");
    let page = b.register(&email, "Cy", "password1234").await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("too common"), "{}", page.body);
    assert!(page.body.contains(&email), "the form keeps what was typed");
    let page = b.register("not-an-address", "Cy", PASSWORD).await;
    assert_eq!(page.status, 422);
    let page = b.register(&email, "\u{200B}\u{202E}", PASSWORD).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Enter the name"));

    // Sent at once after the form was shown: offered again, never refused for good.
    let form = b.get("/register").await;
    let fast = b
        .post(
            "/register",
            &[
                ("csrf", &form.csrf()),
                ("stamp", &form.input("stamp")),
                ("email", &email),
                ("display_name", "Cy"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(fast.status, 422);
    assert!(fast.body.contains("send it again"));

    // The honeypot: answered like success, but nothing is created.
    let bot = address("bot");
    let form = b.get("/register").await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let page = b
        .post(
            "/register",
            &[
                ("csrf", &form.csrf()),
                ("stamp", &form.input("stamp")),
                ("email", &bot),
                ("display_name", "Bot"),
                ("password", PASSWORD),
                ("website", "http://spam.example"),
            ],
        )
        .await;
    assert!(page.body.contains("Check your email"));
    let norm = kawaraban_core::identity::parse_email(&bot).unwrap().norm;
    assert!(app.store.member_by_email(&norm).await.unwrap().is_none());
    app.stop().await;
}

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
async fn a_magic_link_signs_in_once_through_a_button() {
    let app = TestApp::builder().start().await;
    let (_, email) = member(&app, "magic").await;
    let mut b = Browser::new(&app, NEWS);
    let page = b
        .submit(
            "/login?next=/national/rail-line-reopens",
            "/login/link",
            &[("email", &email), ("next", "/national/rail-line-reopens")],
        )
        .await;
    assert!(page.body.contains("Check your email"));
    let mail = app.wait_mail(&email, 2).await;
    let link = mail.link("/login/link/");
    assert_eq!(b.get(&link).await.status, 200);
    assert!(
        b.cookie("news.localhost", "kw_session").is_none(),
        "GET does not sign in"
    );
    let landed = b.follow_email_link(&link).await;
    assert!(
        landed.url.ends_with("/national/rail-line-reopens"),
        "{}",
        landed.url
    );
    assert!(landed.body.contains("Sign out"));
    let mut again = Browser::new(&app, NEWS);
    assert_eq!(again.get(&link).await.status, 410, "spent");
    app.stop().await;
}

#[tokio::test]
async fn password_reset_is_single_use_and_ends_every_other_session() {
    let app = TestApp::builder().start().await;
    let (mut old_browser, email) = member(&app, "reset").await;
    let mut b = Browser::new(&app, NEWS);
    b.submit("/password/forgot", "/password/forgot", &[("email", &email)])
        .await;
    let mail = app.wait_mail(&email, 2).await;
    let link = mail.link("/password/reset/");
    let form = b.get(&link).await;
    assert_eq!(form.status, 200);
    let weak = b
        .post(&link, &[("csrf", &form.csrf()), ("password", "short")])
        .await;
    assert_eq!(weak.status, 422, "a weak password keeps the link alive");
    let new_password = "a brand new sturdy passphrase";
    let done = b
        .post(&link, &[("csrf", &form.csrf()), ("password", new_password)])
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(
        done.body.contains("Your password is changed"),
        "{}",
        done.body
    );
    assert_eq!(b.get(&link).await.status, 410, "single use");
    // The other browser's session ended.
    let other = old_browser.get("/account").await;
    assert!(other.url.contains("/login"), "{}", other.url);
    assert_eq!(
        Browser::new(&app, NEWS)
            .login(&email, PASSWORD)
            .await
            .status,
        401
    );
    assert_eq!(
        Browser::new(&app, NEWS)
            .login(&email, new_password)
            .await
            .status,
        200
    );
    app.stop().await;
}

#[tokio::test]
async fn expired_links_are_refused() {
    let app = TestApp::builder().start().await;
    let (_, email) = member(&app, "expired").await;
    let norm = kawaraban_core::identity::parse_email(&email).unwrap().norm;
    let m = app.store.member_by_email(&norm).await.unwrap().unwrap();
    let token = kawaraban_web::members::secrets::new_token();
    let past = now() - chrono::Duration::hours(2);
    app.store
        .create_token(
            &kawaraban_web::members::secrets::token_hash(&token),
            kawaraban_core::model::TokenKind::Reset,
            Some(m.id),
            "{}",
            past,
            past + chrono::Duration::hours(1),
        )
        .await
        .unwrap();
    let mut b = Browser::new(&app, NEWS);
    let page = b.get(&format!("/password/reset/{token}")).await;
    assert_eq!(page.status, 410);
    assert!(page.body.contains("expired"));
    app.stop().await;
}

#[tokio::test]
async fn sessions_are_http_only_rotated_and_shared_across_the_network() {
    let app = TestApp::builder().start().await;
    let (mut b, email) = member(&app, "network").await;
    let first = b.cookie("news.localhost", "kw_session").unwrap();
    let set = b
        .set_cookies
        .iter()
        .find(|c| c.starts_with("kw_session=") && !c.contains("Max-Age=0"))
        .unwrap()
        .clone();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/"),
        "{set}"
    );
    assert!(!set.contains("Secure"), "plain http site: {set}");
    // The sign-in carried over to the sister site.
    assert!(
        b.cookie("travel.localhost", "kw_session").is_some(),
        "{:?}",
        b.jar
    );
    b.host = TRAVEL.into();
    let travel = b.get("/account").await;
    assert_eq!(travel.status, 200, "{}", travel.url);
    assert!(travel.body.contains(&email));

    // A new sign-in gets a new id.
    b.host = NEWS.into();
    let token = b.get("/account").await.csrf();
    b.post("/logout", &[("csrf", &token)]).await;
    assert!(b.cookie("news.localhost", "kw_session").is_none());
    // Signing out on one site signed out the sister site too.
    b.host = TRAVEL.into();
    let after = b.get("/account").await;
    assert!(
        after.url.contains("/login"),
        "signed out everywhere: {}",
        after.url
    );
    b.host = NEWS.into();
    b.login(&email, PASSWORD).await;
    assert_ne!(b.cookie("news.localhost", "kw_session").unwrap(), first);
    app.stop().await;
}

#[tokio::test]
async fn members_get_cached_pages_with_their_own_header() {
    let app = TestApp::builder().start().await;
    let mut anon = Browser::new(&app, NEWS);
    let page = anon.get("/national/rail-line-reopens").await;
    assert!(page.body.contains("Register / Login"));
    assert!(
        page.body
            .contains("href=\"/login?next=/national/rail-line-reopens\""),
        "returns to the article: {}",
        page.body
    );
    let (mut b, _) = member(&app, "cache").await;
    let page = b.get("/national/rail-line-reopens").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Ann Reader") && page.body.contains("Sign out"));
    assert!(!page.body.contains("Register / Login"));
    assert_eq!(page.header("cache-control"), "private, no-store");
    // A CDN that reads its own header (RFC 9213) must not keep it either.
    assert!(page.header("cdn-cache-control").is_empty());
    assert!(page.header("etag").is_empty());
    assert_eq!(
        page.header("x-cache"),
        "HIT",
        "the shared page came from the cache"
    );
    // The second visit is the same (the session read is kept in memory).
    let again = b.get("/national/rail-line-reopens").await;
    assert!(again.body.contains("Ann Reader") && again.body.contains("Sign out"));
    assert_eq!(again.header("cache-control"), "private, no-store");
    // Anonymous readers still get the shared page.
    let page = anon.get("/national/rail-line-reopens").await;
    assert!(page.body.contains("Register / Login") && !page.body.contains("Ann Reader"));
    assert!(page.header("cache-control").starts_with("public"));
    // A cookie for no session is cleared and the page is the shared one.
    let mut stale = Browser::new(&app, NEWS);
    stale
        .jar
        .entry("news.localhost".into())
        .or_default()
        .insert("kw_session".into(), "x".repeat(43));
    let page = stale.get("/").await;
    assert!(page.body.contains("Register / Login"));
    assert!(stale.cookie("news.localhost", "kw_session").is_none());
    app.stop().await;
}

#[tokio::test]
async fn return_addresses_stay_on_the_network() {
    let app = TestApp::builder().start().await;
    let (_, email) = member(&app, "next").await;
    for (next, lands) in [
        ("https://evil.example/phish", "http://news.localhost:8080/"),
        ("//evil.example/x", "http://news.localhost:8080/"),
        ("javascript:alert(1)", "http://news.localhost:8080/"),
        (
            "http://travel.localhost:8080/",
            "http://travel.localhost:8080/",
        ),
        ("/tag/transport", "http://news.localhost:8080/tag/transport"),
    ] {
        let (_, page) = sign_in_with_next(&app, &email, next).await;
        assert_eq!(page.url, lands, "next={next}");
    }
    app.stop().await;
}

/// A password sign-in in a new browser from `/login?next=NEXT`; the
/// browser and the page it lands on.
pub async fn sign_in_with_next<'a>(
    app: &'a TestApp,
    email: &str,
    next: &str,
) -> (Browser<'a>, crate::browser::Page) {
    let mut b = Browser::new(app, NEWS);
    let page = b
        .submit(
            &format!("/login?next={}", urlencode(next)),
            "/login",
            &[("email", email), ("password", PASSWORD), ("next", next)],
        )
        .await;
    (b, page)
}

pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
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
async fn pages_for_members_send_anonymous_readers_to_sign_in() {
    let app = TestApp::builder().start().await;
    let r = app
        .request(Method::GET, NEWS, "/account")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login?next=%2Faccount");
    let r = app
        .request(Method::GET, NEWS, "/account/export.json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
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
            .starts_with("New sign-in to your The Test Post account"),
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
