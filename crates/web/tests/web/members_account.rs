//! The account page over HTTP: name, email, password, sessions, data
//! export, deletion; session expiry; the limits on emailed links.

use crate::browser::Browser;
use crate::members::{address, member, NEWS, PASSWORD};
use crate::support::*;

async fn member_id(app: &TestApp, email: &str) -> i64 {
    let norm = kawaraban_core::identity::parse_email(email).unwrap().norm;
    app.store.member_by_email(&norm).await.unwrap().unwrap().id
}

#[tokio::test]
async fn the_display_name_is_cleaned_and_saved() {
    let app = TestApp::builder().start().await;
    let (mut b, _) = member(&app, "name").await;
    let page = b
        .submit(
            "/account",
            "/account/name",
            &[("display_name", "  Kei\u{202E}ko   Mori\u{0000} ")],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Your display name is saved."));
    assert!(page.body.contains("value=\"Keiko Mori\""), "{}", page.body);
    let page = b
        .submit(
            "/account",
            "/account/name",
            &[("display_name", &"x".repeat(51))],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("at most 50 characters"));
    // The header everywhere shows the new name.
    assert!(b
        .get("/national/rail-line-reopens")
        .await
        .body
        .contains("Keiko Mori"));
    app.stop().await;
}

#[tokio::test]
async fn a_new_email_address_takes_effect_only_when_confirmed_from_it() {
    let app = TestApp::builder().start().await;
    let (mut b, old) = member(&app, "change").await;
    let new = address("changed");
    let page = b
        .submit(
            "/account",
            "/account/email",
            &[("email", &new), ("current_password", PASSWORD)],
        )
        .await;
    assert!(
        page.body
            .contains("Your address changes when you follow it"),
        "{}",
        page.body
    );
    assert!(
        b.get("/account").await.body.contains(&old),
        "unchanged until confirmed"
    );
    let mail = app.wait_mail(&new, 1).await;
    let page = b.follow_email_link(&mail.link("/verify/")).await;
    assert!(page.url.ends_with("/account"), "{}", page.url);
    let account = b.get("/account").await;
    assert!(account.body.contains(&new) && account.body.contains("(confirmed)"));
    assert_eq!(
        Browser::new(&app, NEWS).login(&new, PASSWORD).await.status,
        200
    );
    assert_eq!(
        Browser::new(&app, NEWS).login(&old, PASSWORD).await.status,
        401
    );
    app.stop().await;
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_other_sessions() {
    let app = TestApp::builder().start().await;
    let (mut b, email) = member(&app, "pw").await;
    let mut other = Browser::new(&app, NEWS);
    other.login(&email, PASSWORD).await;
    let page = b
        .submit(
            "/account",
            "/account/password",
            &[
                ("current_password", "not my password"),
                ("new_password", "another sturdy passphrase"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("current password is not right"));
    let page = b
        .submit(
            "/account",
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "another sturdy passphrase"),
            ],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Your password is changed"));
    assert!(
        other.get("/account").await.url.contains("/login"),
        "the other browser is signed out"
    );
    assert!(
        b.get("/account").await.url.ends_with("/account"),
        "this browser got a fresh session"
    );
    app.stop().await;
}

#[tokio::test]
async fn sessions_are_listed_and_can_be_ended_one_by_one_or_all() {
    let app = TestApp::builder().start().await;
    let (mut b, email) = member(&app, "sessions").await;
    let mut phone = Browser::new(&app, NEWS);
    phone.user_agent = Some(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 \
         (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
            .into(),
    );
    phone.login(&email, PASSWORD).await;
    let account = b.get("/account").await;
    // Named as a member says it, the whole string kept for a closer look.
    assert!(
        account.body.contains(">Safari on iPhone</span>"),
        "{}",
        account.body
    );
    assert!(account.body.contains("title=\"Mozilla/5.0 (iPhone;"));
    assert!(account.body.contains("(this browser)"));
    // End the phone's sign-in from this browser.
    let at = account.body.find("Safari on iPhone").unwrap();
    let marker = "name=\"session\" value=\"";
    let s = at + account.body[at..].find(marker).unwrap() + marker.len();
    let id = account.body[s..s + 64].to_string();
    let page = b
        .post(
            "/account/sessions/end",
            &[("csrf", &account.csrf()), ("session", &id)],
        )
        .await;
    assert!(page.body.contains("Those sessions are signed out"));
    assert!(phone.get("/account").await.url.contains("/login"));
    assert!(b.get("/account").await.url.ends_with("/account"));
    // Everywhere, this browser included.
    let page = b.submit("/account", "/account/sessions/end-all", &[]).await;
    assert!(page.body.contains("Register / Sign in"));
    assert!(b.get("/account").await.url.contains("/login"));
    app.stop().await;
}

#[tokio::test]
async fn members_download_their_data_and_can_delete_their_account() {
    let app = TestApp::builder().start().await;
    let (mut b, email) = member(&app, "gdpr").await;
    let r = b
        .once(reqwest::Method::GET, "/account/export.json", None)
        .await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let data: serde_json::Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    assert_eq!(data["member"]["email"], email.as_str());
    assert!(
        data["member"].get("password_hash").is_none(),
        "no hash in the export"
    );
    assert!(
        data["sessions"].as_array().unwrap().len() >= 2,
        "news and travel"
    );

    let page = b
        .submit("/account", "/account/delete", &[("confirm", "delete")])
        .await;
    assert_eq!(page.status, 422, "needs DELETE in capitals");
    let page = b
        .submit("/account", "/account/delete", &[("confirm", "DELETE")])
        .await;
    assert!(page.body.contains("Your account is deleted"));
    let norm = kawaraban_core::identity::parse_email(&email).unwrap().norm;
    assert!(app.store.member_by_email(&norm).await.unwrap().is_none());
    assert_eq!(
        Browser::new(&app, NEWS)
            .login(&email, PASSWORD)
            .await
            .status,
        401
    );
    app.stop().await;
}

#[tokio::test]
async fn sessions_end_after_their_idle_time() {
    let app = TestApp::builder().start().await;
    let (mut b, email) = member(&app, "idle").await;
    let id = member_id(&app, &email).await;
    for s in app.store.sessions_of(id, now()).await.unwrap() {
        // As if the last visit was long ago: the idle expiry has passed.
        app.store
            .touch_session(
                &s.id_hash,
                now() - chrono::Duration::days(15),
                now() - chrono::Duration::days(1),
            )
            .await
            .unwrap();
    }
    let page = b.get("/account").await;
    assert!(page.url.contains("/login"), "{}", page.url);
    assert!(
        b.cookie("news.localhost", "kw_session").is_none(),
        "the dead cookie is cleared"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_session_ended_by_another_process_stops_working_within_moments() {
    let app = TestApp::builder().start().await;
    let (mut b, email) = member(&app, "elsewhere").await;
    let id = member_id(&app, &email).await;
    // Twice: the second read of the reader may come from the server's memory.
    for _ in 0..2 {
        let page = b.get("/account").await;
        assert!(!page.url.contains("/login"), "{}", page.url);
    }
    // Another process on the same database (the command line, another app
    // server) ends every session of the member: the server's own commit
    // hook never sees that commit, the database's change watch does.
    let other = kawaraban_store::connect(&kawaraban_store::ConnectOptions {
        url: app.db_url.clone(),
        max_connections: 1,
    })
    .await
    .unwrap();
    assert!(other.delete_sessions_of(id, None).await.unwrap() > 0);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let page = b.get("/account").await;
        if page.url.contains("/login") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the ended session still works"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    app.stop().await;
}

#[tokio::test]
async fn emailed_links_are_limited_per_address() {
    let app = TestApp::builder().start().await;
    let (_, email) = member(&app, "links").await;
    let mut b = Browser::new(&app, NEWS);
    // Registration used one; two more fit in the window.
    for _ in 0..2 {
        let page = b
            .submit("/login", "/login/link", &[("email", &email)])
            .await;
        assert_eq!(page.status, 200);
    }
    let page = b
        .submit("/login", "/login/link", &[("email", &email)])
        .await;
    assert_eq!(page.status, 429);
    assert!(!page.header("retry-after").is_empty());
    let page = b
        .submit("/password/forgot", "/password/forgot", &[("email", &email)])
        .await;
    assert_eq!(page.status, 429, "resets share the limit");
    app.stop().await;
}

#[tokio::test]
async fn registrations_are_limited_per_address() {
    let app = TestApp::builder().start().await;
    let mut b = Browser::new(&app, NEWS);
    let mut last = 0;
    for i in 0..11 {
        let form = b.get("/register").await;
        // Too quick on purpose: answered with the form again, but counted.
        last = b
            .post(
                "/register",
                &[
                    ("csrf", &form.csrf()),
                    ("stamp", &form.input("stamp")),
                    ("email", &format!("r{i}@example.test")),
                    ("display_name", "R"),
                    ("password", PASSWORD),
                ],
            )
            .await
            .status;
    }
    assert_eq!(last, 429);
    app.stop().await;
}

#[tokio::test]
async fn a_signed_in_member_can_use_the_button_behind_an_emailed_link() {
    // The page behind a link carries the form token for anyone (the cookie);
    // a member signed in in the same browser must be able to use it too.
    let app = TestApp::builder().start().await;
    let (mut b, _) = member(&app, "button").await;
    let new = address("button-new");
    b.submit(
        "/account",
        "/account/email",
        &[("email", &new), ("current_password", PASSWORD)],
    )
    .await;
    let link = app.wait_mail(&new, 1).await.link("/verify/");
    let page = b.get(&link).await;
    let form = &page.body[page.body.find("action=\"/verify/").unwrap()..];
    let marker = "name=\"csrf\" value=\"";
    let at = form.find(marker).unwrap() + marker.len();
    let token = &form[at..at + form[at..].find('"').unwrap()];
    assert_ne!(
        token,
        page.csrf(),
        "the header's sign-out form has the session token"
    );
    let path = url::Url::parse(&page.url).unwrap().path().to_string();
    let done = b.post(&path, &[("csrf", token)]).await;
    assert!(
        done.url.ends_with("/account"),
        "{} {}",
        done.status,
        done.url
    );
    assert!(b.get("/account").await.body.contains(&new));
    app.stop().await;
}
