//! Members over HTTP: registering, confirming the address, and what the
//! forms refuse.

use super::*;
use crate::browser::Browser;

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
async fn the_check_your_email_page_leads_back_to_the_story() {
    let app = TestApp::builder().start().await;
    let email = address("back");
    let mut b = Browser::new(&app, NEWS);
    let next = "/national/rail-line-reopens";
    let page = b.register_from(&email, "Ann Reader", PASSWORD, next).await;
    assert!(page.body.contains("Check your email"), "{}", page.body);
    assert!(
        page.body
            .contains("<a href=\"/national/rail-line-reopens\">Back to where you were</a>"),
        "{}",
        page.body
    );
    // Somewhere off the network is never offered.
    let page = b
        .register_from(
            &address("elsewhere"),
            "Ben Reader",
            PASSWORD,
            "https://evil.example/",
        )
        .await;
    assert!(page.body.contains("Check your email"), "{}", page.body);
    assert!(!page.body.contains("evil.example") && !page.body.contains("Back to where"));
    app.stop().await;
}
