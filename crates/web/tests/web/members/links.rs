//! Members over HTTP: emailed links: the magic sign-in link, password
//! reset, expiry.

use super::*;
use crate::browser::Browser;

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
