//! Social sign-in against the real OpenID Connect provider that the test
//! script starts on loopback (npm `oidc-provider`): PKCE, state, nonce,
//! first sign-in creating the account with one invitation email, linking
//! only through a verified address.

use kawaraban_core::model::AuthProvider;

use crate::browser::{Browser, Page};
use crate::members::{address, member, NEWS, PASSWORD};
use crate::support::*;

/// The provider from the environment; the test script always sets it.
fn provider() -> AuthProvider {
    let issuer = std::env::var("KAWARABAN_TEST_OIDC_ISSUER").expect(
        "KAWARABAN_TEST_OIDC_ISSUER: run through scripts/test.sh, which starts the provider",
    );
    AuthProvider {
        key: "test".into(),
        kind: "oidc".into(),
        name: "Test ID".into(),
        issuer,
        client_id: std::env::var("KAWARABAN_TEST_OIDC_CLIENT_ID")
            .unwrap_or("kawaraban-test".into()),
        client_secret: std::env::var("KAWARABAN_TEST_OIDC_CLIENT_SECRET")
            .unwrap_or("kawaraban-test-secret".into()),
    }
}

async fn app_with_provider() -> TestApp {
    let app = TestApp::builder().start().await;
    app.store
        .upsert_auth_provider(&provider(), now())
        .await
        .unwrap();
    app.state.apply_invalidations(["network"].into_iter()).await;
    assert!(app.page("/login").await.1.contains("Continue with Test ID"));
    app
}

/// Through the provider's sign-in form, back to the site.
async fn sign_in_at_provider(b: &mut Browser<'_>, email: &str, next: &str) -> Page {
    let form = b.get(&format!("/auth/test/start?next={next}")).await;
    assert_eq!(form.status, 200, "{}: {}", form.url, form.body);
    assert!(
        form.url.starts_with(&provider().issuer),
        "at the provider: {}",
        form.url
    );
    let action = {
        let at = form.body.find("action=\"").expect("a form") + 8;
        form.body[at..at + form.body[at..].find('"').unwrap()].to_string()
    };
    let action = url::Url::parse(&form.url)
        .unwrap()
        .join(&action)
        .unwrap()
        .to_string();
    b.post(&action, &[("email", email)]).await
}

#[tokio::test]
async fn a_first_social_sign_in_creates_the_account_and_sends_one_invitation() {
    let app = app_with_provider().await;
    let email = address("social");
    let mut b = Browser::new(&app, NEWS);
    let start = b.once(reqwest::Method::GET, "/auth/test/start", None).await;
    let to = start.headers()["location"].to_str().unwrap().to_string();
    for needle in [
        "code_challenge=",
        "code_challenge_method=S256",
        "state=",
        "nonce=",
        "scope=openid",
    ] {
        assert!(to.contains(needle), "{needle} in {to}");
    }
    let page = sign_in_at_provider(&mut b, &email, "/national/rail-line-reopens").await;
    assert_eq!(page.status, 200, "{}: {}", page.url, page.body);
    assert!(
        page.url.ends_with("/national/rail-line-reopens"),
        "{}",
        page.url
    );
    assert!(page.body.contains("Sign out"));
    let account = b.get("/account").await;
    assert!(account.body.contains(&email) && account.body.contains("(confirmed)"));
    assert!(account.body.contains("Signs in with"));
    let invite = app.wait_mail(&email, 1).await;
    assert!(invite.subject.contains("news alerts"), "{}", invite.subject);
    assert!(invite.text.contains("Nothing is sent until you choose"));

    // Again from a fresh browser: the same account, no second invitation.
    let mut again = Browser::new(&app, NEWS);
    let page = sign_in_at_provider(&mut again, &email, "/").await;
    assert!(page.body.contains("Sign out"));
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(app.mail_for(&email).len(), 1);
    let norm = kawaraban_core::identity::parse_email(&email).unwrap().norm;
    let m = app.store.member_by_email(&norm).await.unwrap().unwrap();
    assert_eq!(app.store.identities(m.id).await.unwrap().len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn a_verified_provider_address_links_to_the_existing_account() {
    let app = app_with_provider().await;
    let (_, email) = member(&app, "link").await;
    let mut b = Browser::new(&app, NEWS);
    let page = sign_in_at_provider(&mut b, &email, "/").await;
    assert!(
        page.body.contains("Ann Reader"),
        "signed in to the existing account: {}",
        page.body
    );
    // No invitation for an existing member: only the verification email.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(app.mail_for(&email).len(), 1);
    // The password still works too.
    assert_eq!(
        Browser::new(&app, NEWS)
            .login(&email, PASSWORD)
            .await
            .status,
        200
    );
    app.stop().await;
}

#[tokio::test]
async fn an_unverified_provider_address_never_takes_over_an_account() {
    let app = app_with_provider().await;
    // The provider's bob@example.test has email_verified = false.
    let mut owner = Browser::new(&app, NEWS);
    owner
        .register("bob@example.test", "Bob Owner", PASSWORD)
        .await;
    let mut b = Browser::new(&app, NEWS);
    let page = sign_in_at_provider(&mut b, "bob@example.test", "/").await;
    assert!(page.body.contains("Sign in with it first"), "{}", page.body);
    assert!(b.cookie("news.localhost", "kw_session").is_none());
    let m = app
        .store
        .member_by_email("bob@example.test")
        .await
        .unwrap()
        .unwrap();
    assert!(app.store.identities(m.id).await.unwrap().is_empty());
    app.stop().await;
}

#[tokio::test]
async fn a_forged_or_replayed_state_is_refused() {
    let app = app_with_provider().await;
    let mut b = Browser::new(&app, NEWS);
    let page = b.get("/auth/test/callback?code=abc&state=forged").await;
    assert!(page.body.contains("Please start again"), "{}", page.body);
    assert!(b.cookie("news.localhost", "kw_session").is_none());
    let page = b.get("/auth/test/callback?error=access_denied").await;
    assert!(page.body.contains("cancelled or refused"));
    assert_eq!(b.get("/auth/nope/start").await.status, 404);
    app.stop().await;
}

#[tokio::test]
async fn a_provider_name_that_passes_for_staff_is_not_taken() {
    let app = app_with_provider().await;
    // The provider gives the address's local part as the name: "moderator-…".
    let email = address("moderator");
    let mut b = Browser::new(&app, NEWS);
    let page = sign_in_at_provider(&mut b, &email, "/").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let norm = kawaraban_core::identity::parse_email(&email).unwrap().norm;
    let m = app.store.member_by_email(&norm).await.unwrap().unwrap();
    assert_eq!(m.display_name, "Reader");
    app.stop().await;
}
