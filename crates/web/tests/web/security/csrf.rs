//! Anonymous forms' CSRF cookie: only one the server issued counts, and on
//! HTTPS sites it is a `__Host-` cookie.

use kawaraban_core::model::NewSite;

use crate::browser::Browser;
use crate::members::{member, NEWS, PASSWORD};
use crate::support::*;

#[tokio::test]
async fn a_planted_csrf_cookie_cannot_forge_an_anonymous_form() {
    let app = TestApp::builder().start().await;
    let (_, email) = member(&app, "planted").await;
    // Someone who can set cookies for the site plants a well-formed one and
    // repeats it in a form that would sign the victim in as them.
    let planted = "p".repeat(43);
    let mut victim = Browser::new(&app, NEWS);
    victim.plant("news.localhost", "kw_csrf", &planted);
    let page = victim
        .post(
            "/login",
            &[
                ("csrf", &planted),
                ("email", &email),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(
        page.body.contains("did not come from this site"),
        "{}",
        page.body
    );
    assert!(victim.cookie("news.localhost", "kw_session").is_none());
    // The cookie's own value is not the form's token either.
    let form = victim.get("/login").await;
    let issued = victim.cookie("news.localhost", "kw_csrf").unwrap();
    assert_ne!(issued, planted, "a forged cookie is replaced");
    assert_ne!(form.csrf(), issued);
    let page = victim
        .post(
            "/login",
            &[("csrf", &issued), ("email", &email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.status, 403);
    // The form's own token works.
    let page = victim
        .post(
            "/login",
            &[
                ("csrf", &form.csrf()),
                ("email", &email),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(victim.cookie("news.localhost", "kw_session").is_some());
    app.stop().await;
}

#[tokio::test]
async fn https_sites_keep_the_csrf_cookie_under_the_host_prefix() {
    let app = TestApp::builder().start().await;
    app.store
        .upsert_site(&NewSite {
            key: "secure".into(),
            name: "The Secure Post".into(),
            url: "https://secure.localhost:8443".into(),
            time_zone: "Asia/Tokyo".into(),
            publisher: "Lanternfield Media".into(),
            tagline: String::new(),
            is_default: false,
        })
        .await
        .unwrap();
    app.state.network.reload(&*app.store).await.unwrap();
    let mut b = Browser::new(&app, "secure.localhost:8443");
    let form = b.get("https://secure.localhost:8443/register").await;
    assert_eq!(form.status, 200, "{}", form.body);
    let set = b
        .set_cookies
        .iter()
        .find(|c| c.contains("kw_csrf="))
        .unwrap()
        .clone();
    assert!(set.starts_with("__Host-kw_csrf="), "{set}");
    assert!(
        set.contains("; Secure") && set.contains("Path=/") && !set.contains("Domain="),
        "{set}"
    );
    // A plain `kw_csrf` cookie means nothing there.
    let planted = "p".repeat(43);
    let mut forger = Browser::new(&app, "secure.localhost:8443");
    forger.plant("secure.localhost", "kw_csrf", &planted);
    let page = forger
        .post(
            "https://secure.localhost:8443/login",
            &[
                ("csrf", &planted),
                ("email", "a@example.test"),
                ("password", "x"),
            ],
        )
        .await;
    assert_eq!(page.status, 403);
    app.stop().await;
}
