//! Members over HTTP: sessions across the network, cached pages with a
//! member's own header, return addresses, members-only pages.

use reqwest::Method;

use super::*;
use crate::browser::Browser;

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
    assert!(page.body.contains("Register / Sign in"));
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
    assert!(!page.body.contains("Register / Sign in"));
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
    assert!(page.body.contains("Register / Sign in") && !page.body.contains("Ann Reader"));
    assert!(page.header("cache-control").starts_with("public"));
    // Error pages know the member too, and are theirs alone.
    for (path, status) in [("/no-such-page", 404), ("/latest?page=abc", 400)] {
        let page = b.get(path).await;
        assert_eq!(page.status, status, "{path}");
        assert!(
            page.body.contains("Ann Reader") && page.body.contains("Sign out"),
            "{path}: {}",
            page.body
        );
        assert!(!page.body.contains("Register / Sign in"), "{path}");
        assert_eq!(page.header("cache-control"), "private, no-store", "{path}");
        let shared = anon.get(path).await;
        assert_eq!(shared.status, status);
        assert!(shared.body.contains("Register / Sign in") && !shared.body.contains("Ann Reader"));
    }
    // A cookie for no session is cleared and the page is the shared one.
    let mut stale = Browser::new(&app, NEWS);
    stale
        .jar
        .entry("news.localhost".into())
        .or_default()
        .insert("kw_session".into(), "x".repeat(43));
    let page = stale.get("/").await;
    assert!(page.body.contains("Register / Sign in"));
    assert!(stale.cookie("news.localhost", "kw_session").is_none());
    app.stop().await;
}

/// A member's parts are kept for a moment (`members::slots::KeptSlots`):
/// never shown to another member, and never past a change of their own.
#[tokio::test]
async fn members_parts_kept_for_a_moment_are_theirs_and_follow_changes() {
    let app = TestApp::builder().start().await;
    let path = "/national/rail-line-reopens";
    let (mut ann, _) = member(&app, "kept-a").await;
    let (mut ben, _) = member(&app, "kept-b").await;
    let token = ben.get("/account").await.csrf();
    let renamed = ben
        .post(
            "/account/name",
            &[("csrf", &token), ("display_name", "Ben Writer")],
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    // Page after page, one after the other: each sees their own name and
    // their own session's form token.
    for _ in 0..3 {
        let a = ann.get(path).await;
        let b = ben.get(path).await;
        assert!(a.body.contains("Ann Reader") && !a.body.contains("Ben Writer"));
        assert!(b.body.contains("Ben Writer") && !b.body.contains("Ann Reader"));
        assert_ne!(a.csrf(), b.csrf());
        assert_eq!(a.csrf(), ann.get("/account").await.csrf());
    }
    // A change shows on the very next page, within the same second.
    let token = ben.get("/account").await.csrf();
    ben.post(
        "/account/name",
        &[("csrf", &token), ("display_name", "Bea Writer")],
    )
    .await;
    let b = ben.get(path).await;
    assert!(
        b.body.contains("Bea Writer") && !b.body.contains("Ben Writer"),
        "{}",
        b.body
    );
    // Each comment form still gets a key of its own.
    let keys: Vec<String> = [ben.get(path).await, ben.get(path).await]
        .iter()
        .map(|p| {
            let at = p
                .body
                .find("name=\"key\" value=\"")
                .expect("a comment form")
                + 19;
            p.body[at..at + 20].to_string()
        })
        .collect();
    assert_ne!(keys[0], keys[1]);
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
