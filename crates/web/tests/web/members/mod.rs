//! Members over HTTP: registration, verification, sign-in by password and
//! by emailed link, password reset, sign-out, and one sign-in across the
//! network. Emails go through the real SMTP server the test script starts.

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

mod links;
mod registration;
mod sessions;
mod sign_in;
