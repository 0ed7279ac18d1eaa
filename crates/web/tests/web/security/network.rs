//! One sign-in across the network: a hop link works only in the browser
//! that began the sign-in, and never replaces a session silently; return
//! addresses stay on the network's exact origins.

use reqwest::Method;

use super::{first_hop, location};
use crate::browser::Browser;
use crate::members::{member, sign_in_with_next, urlencode, NEWS, PASSWORD};
use crate::support::*;

/// Who `b` is signed in as on the travel site (their account page's email),
/// or None.
async fn travel_account(b: &mut Browser<'_>) -> Option<String> {
    let page = b.get("http://travel.localhost:8080/account").await;
    (page.status == 200 && !page.url.contains("/login")).then_some(page.body)
}

#[tokio::test]
async fn a_sign_in_hop_opened_in_another_browser_signs_nobody_in() {
    let app = TestApp::builder().start().await;
    let (_, mallory) = member(&app, "mallory").await;
    let (mut victim, victim_email) = member(&app, "victim").await;
    // Mallory signs in in her own browser and keeps each hop's link.
    let mut evil = Browser::new(&app, NEWS);
    let hop = first_hop(&mut evil, &mallory, PASSWORD).await;
    assert!(
        hop.starts_with("http://travel.localhost:8080/network/accept?token="),
        "{hop}"
    );

    // Opened in the victim's browser (signed in as the victim): refused with
    // a themed page, and the victim stays who they were on the travel site.
    let page = victim.get(&hop).await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(
        page.body.contains("started in another browser"),
        "{}",
        page.body
    );
    assert!(page.body.contains("The Test Post"), "themed: {}", page.body);
    let account = travel_account(&mut victim).await.unwrap();
    assert!(account.contains(&victim_email) && !account.contains(&mallory));

    // Each later step of Mallory's own journey, sent on, fails as well in a
    // browser signed in nowhere.
    let hop = first_hop(&mut Browser::new(&app, NEWS), &mallory, PASSWORD).await;
    let r = evil.once(Method::GET, &hop, None).await;
    let vouch = location(&r);
    assert!(
        vouch.starts_with("http://news.localhost:8080/network/vouch?token="),
        "{vouch}"
    );
    let mut stranger = Browser::new(&app, NEWS);
    assert_eq!(stranger.get(&vouch).await.status, 403);

    let hop = first_hop(&mut evil, &mallory, PASSWORD).await;
    let r = evil.once(Method::GET, &hop, None).await;
    let r = evil.once(Method::GET, &location(&r), None).await;
    let last = location(&r);
    assert!(
        last.starts_with("http://travel.localhost:8080/network/accept?token="),
        "{last}"
    );
    let mut stranger = Browser::new(&app, NEWS);
    assert_eq!(stranger.get(&last).await.status, 403);
    assert!(stranger.cookie("travel.localhost", "kw_session").is_none());
    // A hop is spent by its first use, even a refused one; the journey
    // itself works in the browser that began it.
    let page = evil.get(&last).await;
    assert!(
        evil.cookie("travel.localhost", "kw_session").is_none(),
        "{}",
        page.url
    );
    let hop = first_hop(&mut evil, &mallory, PASSWORD).await;
    let page = evil.get(&hop).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(travel_account(&mut evil).await.unwrap().contains(&mallory));
    app.stop().await;
}

/// Signs in on the news site as `email` in a browser signed in already,
/// following the journey to the page it stops at.
async fn sign_in_again(b: &mut Browser<'_>, email: &str) -> crate::browser::Page {
    b.host = NEWS.into();
    let csrf = b.get("/account").await.csrf();
    b.post(
        "/login",
        &[("csrf", &csrf), ("email", email), ("password", PASSWORD)],
    )
    .await
}

/// Answers the "switch accounts?" page with `choice`.
async fn answer(
    b: &mut Browser<'_>,
    ask: &crate::browser::Page,
    choice: &str,
) -> crate::browser::Page {
    let (csrf, token) = (ask.csrf(), ask.input("token"));
    let page = b
        .post(
            "/network/accept",
            &[("csrf", &csrf), ("token", &token), ("choice", choice)],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    page
}

#[tokio::test]
async fn signing_in_as_someone_else_asks_before_replacing_a_sister_sites_session() {
    let app = TestApp::builder().start().await;
    let (_, second) = member(&app, "second").await;
    let (mut b, first) = member(&app, "first").await;
    assert!(travel_account(&mut b).await.unwrap().contains(&first));
    let before = b.cookie("travel.localhost", "kw_session").unwrap();

    // Signing in on the news site as someone else: the travel site asks.
    let ask = sign_in_again(&mut b, &second).await;
    assert_eq!(ask.status, 200, "{}", ask.body);
    assert!(
        ask.url
            .starts_with("http://travel.localhost:8080/network/accept"),
        "{}",
        ask.url
    );
    assert!(
        ask.body.contains("Switch accounts")
            && ask.body.contains(&first)
            && ask.body.contains(&second)
    );
    assert_eq!(
        b.cookie("travel.localhost", "kw_session").unwrap(),
        before,
        "nothing replaced yet"
    );
    // The answer needs the form's token.
    let token = ask.input("token");
    let forged = b
        .post(
            "/network/accept",
            &[("token", &token), ("choice", "switch")],
        )
        .await;
    assert_eq!(forged.status, 403);

    // "Stay": the travel site keeps the first account, the journey goes on.
    let ask = sign_in_again(&mut b, &second).await;
    let stay = answer(&mut b, &ask, "stay").await;
    assert!(
        stay.url.starts_with("http://news.localhost:8080/"),
        "{}",
        stay.url
    );
    assert!(travel_account(&mut b).await.unwrap().contains(&first));

    // "Switch": the travel site signs in as the second account.
    let ask = sign_in_again(&mut b, &second).await;
    answer(&mut b, &ask, "switch").await;
    let account = travel_account(&mut b).await.unwrap();
    assert!(account.contains(&second) && !account.contains(&first));
    app.stop().await;
}

#[tokio::test]
async fn return_addresses_must_be_one_of_the_networks_exact_origins() {
    let app = TestApp::builder().start().await;
    let (mut signed_in, email) = member(&app, "origins").await;
    let home = "http://news.localhost:8080/";
    for next in [
        "http://travel.localhost:9999/",
        "http://news.localhost:1/account",
        "https://travel.localhost:8080/",
        "http://travel.localhost/",
        "http://evil.example@news.localhost:8080/",
        "http://a:b@travel.localhost:8080/",
    ] {
        // A password sign-in lands home instead.
        let (mut b, page) = sign_in_with_next(&app, &email, next).await;
        assert_eq!(page.url, home, "next={next}");
        // So do a signed-in /login and a sign-out.
        signed_in.host = NEWS.into();
        let r = signed_in
            .once(
                Method::GET,
                &format!("/login?next={}", urlencode(next)),
                None,
            )
            .await;
        assert_eq!(location(&r), "/", "signed-in /login?next={next}");
        let csrf = b.get("/account").await.csrf();
        let r = b
            .once(
                Method::POST,
                "/logout",
                Some(&[("csrf", &csrf), ("next", next)]),
            )
            .await;
        assert_eq!(location(&r), "/", "logout next={next}");
    }
    // The network's own origins still work.
    let r = signed_in
        .once(
            Method::GET,
            "/login?next=http%3A%2F%2Ftravel.localhost%3A8080%2Fx",
            None,
        )
        .await;
    assert_eq!(location(&r), "http://travel.localhost:8080/x");
    app.stop().await;
}

#[tokio::test]
async fn the_hop_cookie_lives_only_for_the_journey() {
    let app = TestApp::builder().start().await;
    let (b, _) = member(&app, "hopcookie").await;
    assert!(
        b.cookie("travel.localhost", "kw_hop").is_none(),
        "{:?}",
        b.jar
    );
    let set = b
        .set_cookies
        .iter()
        .find(|c| c.starts_with("kw_hop=") && !c.contains("Max-Age=0"))
        .unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    app.stop().await;
}

#[tokio::test]
async fn someone_elses_confirmation_link_confirms_without_replacing_the_session() {
    let app = TestApp::builder().start().await;
    let (mut victim, victim_email) = member(&app, "signedin").await;
    // Mallory registers and sends her confirmation link to the victim.
    let mallory = crate::members::address("sender");
    let mut evil = Browser::new(&app, NEWS);
    assert_eq!(
        evil.register(&mallory, "Mal Lory", PASSWORD).await.status,
        200
    );
    let link = app.wait_mail(&mallory, 1).await.link("/verify/");
    victim.host = NEWS.into();
    let page = victim.follow_email_link(&link).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("You are still signed in as Ann Reader"),
        "{}",
        page.body
    );
    let account = victim.get("/account").await;
    assert!(account.body.contains(&victim_email) && !account.body.contains(&mallory));
    let norm = kawaraban_core::identity::parse_email(&mallory)
        .unwrap()
        .norm;
    assert!(app
        .store
        .member_by_email(&norm)
        .await
        .unwrap()
        .unwrap()
        .is_verified());
    app.stop().await;
}
