//! Changing the email address: the current password (or a fresh sign-in)
//! first, and the old address told, with a link that puts it back.

use chrono::Duration;
use kawaraban_core::model::Role;

use crate::browser::Browser;
use crate::comments::{person, signed_in_browser};
use crate::members::{address, member, NEWS, PASSWORD};
use crate::support::*;

/// Asks for `new` as the account's address, giving `password`.
async fn change_email(b: &mut Browser<'_>, new: &str, password: &str) -> crate::browser::Page {
    b.submit(
        "/account",
        "/account/email",
        &[("email", new), ("current_password", password)],
    )
    .await
}

#[tokio::test]
async fn an_email_change_needs_the_password_and_the_old_address_can_undo_it() {
    let app = TestApp::builder().start().await;
    let (mut b, old) = member(&app, "undo").await;
    let new = address("taken-over");
    // Without the password (someone at an unattended browser): refused.
    for given in ["", "not the password at all"] {
        let page = change_email(&mut b, &new, given).await;
        assert_eq!(page.status, 422, "{}", page.body);
        assert!(
            page.body.contains("current password is not right"),
            "{}",
            page.body
        );
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        app.mail_for(&new).is_empty(),
        "no link went to the new address"
    );

    let page = change_email(&mut b, &new, PASSWORD).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let link = app.wait_mail(&new, 1).await.link("/verify/");
    b.follow_email_link(&link).await;
    assert!(b.get("/account").await.body.contains(&new));

    // The old address hears of it (after its verification email), with an undo link.
    let told = app.wait_mail(&old, 2).await;
    assert!(
        told.subject.contains("email address was changed"),
        "{}",
        told.subject
    );
    assert!(told.text.contains(&new), "{}", told.text);
    let undo = told.link("/account/email/undo/");
    // Opening it changes nothing; its button does, from any browser.
    let mut elsewhere = Browser::new(&app, NEWS);
    assert_eq!(elsewhere.get(&undo).await.status, 200);
    assert!(b.get("/account").await.body.contains(&new));
    let page = elsewhere.follow_email_link(&undo).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Your address is back"), "{}", page.body);
    let norm = kawaraban_core::identity::parse_email(&old).unwrap().norm;
    let m = app.store.member_by_email(&norm).await.unwrap().unwrap();
    assert!(m.is_verified());
    // Every session is signed out, the one that made the change too.
    let account = b.get("/account").await;
    assert!(account.url.contains("/login"), "{}", account.url);
    assert!(app.store.sessions_of(m.id, now()).await.unwrap().is_empty());
    // The link works once.
    assert_eq!(Browser::new(&app, NEWS).get(&undo).await.status, 410);
    app.stop().await;
}

#[tokio::test]
async fn without_a_password_an_email_change_needs_a_fresh_sign_in() {
    let app = TestApp::builder().start().await;
    // A member without a password (`person` makes one).
    let (_, m) = person(&app, "Social Reader", Role::Member).await;
    let new = address("nopass-new");
    let mut stale = signed_in_browser(&app, &m, now() - Duration::minutes(60)).await;
    let page = change_email(&mut stale, &new, "").await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.body.contains("sign in again"), "{}", page.body);
    let mut fresh = signed_in_browser(&app, &m, now() - Duration::minutes(2)).await;
    let page = change_email(&mut fresh, &new, "").await;
    assert_eq!(page.status, 200, "{}", page.body);
    app.wait_mail(&new, 1).await;
    app.stop().await;
}
