//! The findings of the security review (issue 17), each a test that failed
//! before its fix: the network sign-in hop bound to its browser, return
//! addresses on the network's exact origins, staff who lose their powers
//! with their standing, the rank rule, votes that need a confirmed address
//! and an unbanned account.

mod csrf;
mod email;
mod names;
mod network;
mod proxy;
mod slots;
mod staff;

use reqwest::Method;

use crate::browser::Browser;

/// The `Location` of a response.
pub fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_string()
}

/// Signs in with a password in `b` and stops at the first redirect (the
/// first hop of the network sign-in); returns where it points.
pub async fn first_hop(b: &mut Browser<'_>, email: &str, password: &str) -> String {
    let csrf = b.get("/login").await.csrf();
    let r = b
        .once(
            Method::POST,
            "/login",
            Some(&[("csrf", &csrf), ("email", email), ("password", password)]),
        )
        .await;
    assert_eq!(r.status(), 303);
    location(&r)
}
