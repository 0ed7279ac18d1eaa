//! Counting behind a CDN: article pages carry the beacon, pages are not
//! counted where served, and the beacon endpoint counts by the same rules
//! and refuses what it must (each case a 4xx, never a 5xx).

use kawaraban_core::analytics::RefKind;
use kawaraban_core::model::Role;
use reqwest::Method;

use crate::analytics::counted;
use crate::comments::person;
use crate::support::*;
use crate::trending::{fresh, BROWSER};

async fn cdn_app() -> TestApp {
    TestApp::builder()
        .with_article(fresh(
            "travel",
            "guides",
            "hot-springs",
            "Hot springs of the north",
            3,
        ))
        .with_article(article(
            "news",
            "national",
            "later",
            "Not yet",
            &(now() + chrono::Duration::days(2)).to_rfc3339(),
            "",
        ))
        .configure(|c| c.behind_cdn = true)
        .start()
        .await
}

async fn id_of(app: &TestApp, site: &str, slug: &str) -> i64 {
    let site = app
        .store
        .list_sites()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.key == site)
        .unwrap();
    // Far ahead, so that a scheduled story is found too.
    app.store
        .article_by_slug(site.id, slug, now() + chrono::Duration::days(30))
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn beacon(app: &TestApp, body: &str, headers: &[(&str, &str)]) -> u16 {
    let mut r = app
        .request(Method::POST, "news.localhost:8080", "/_kw/view")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_string());
    if !headers.iter().any(|(k, _)| *k == "user-agent") {
        r = r.header("user-agent", BROWSER);
    }
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    r.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn behind_a_cdn_the_beacon_counts_and_the_page_does_not() {
    let app = cdn_app().await;
    let id = id_of(&app, "news", "rail-line-reopens").await;
    let page = app
        .request(
            Method::GET,
            "news.localhost:8080",
            "/national/rail-line-reopens",
        )
        .header("user-agent", BROWSER)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.headers().get("set-cookie").is_none(),
        "no cookie for readers"
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("/assets/beacon.") && html.contains(&format!("data-article=\"{id}\"")));
    assert_eq!(
        counted(&app, id).await,
        (0, 0),
        "the page itself is not counted"
    );
    let origin = ("origin", "http://news.localhost:8080");
    let body = format!("a={id}&r=https%3A%2F%2Fwww.google.com%2F&q=");
    assert_eq!(beacon(&app, &body, &[origin]).await, 204);
    assert_eq!(beacon(&app, &body, &[origin]).await, 204);
    assert_eq!(counted(&app, id).await, (2, 1), "two views, one reader");
    let refs = app.store.referrers_since(id, 0).await.unwrap();
    assert_eq!(refs, [(RefKind::Search, String::new(), 2)]);
    // Not counted, and answered without an error: bots, prefetches, staff.
    let headless = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36";
    assert_eq!(
        beacon(&app, &format!("a={id}"), &[("user-agent", headless)]).await,
        204
    );
    assert_eq!(
        beacon(&app, &format!("a={id}"), &[("sec-purpose", "prefetch")]).await,
        204
    );
    let (editor, _) = person(&app, "Edna Editor", Role::Editor).await;
    let cookie = format!(
        "kw_session={}",
        editor.cookie("news.localhost", "kw_session").unwrap()
    );
    assert_eq!(
        beacon(&app, &format!("a={id}"), &[("cookie", &cookie)]).await,
        204
    );
    assert_eq!(counted(&app, id).await, (2, 1));
    app.stop().await;
}

#[tokio::test]
async fn bad_beacons_are_refused_and_nothing_counted_is_lost() {
    let app = cdn_app().await;
    let id = id_of(&app, "news", "rail-line-reopens").await;
    let travel = id_of(&app, "travel", "hot-springs").await;
    let later = id_of(&app, "news", "later").await;
    assert_eq!(beacon(&app, &format!("a={id}"), &[]).await, 204);
    for (body, want) in [
        ("a=abc".to_string(), 400),
        ("r=x".to_string(), 400),
        ("a=999999".to_string(), 404),
        // Another site's article, sent to this site.
        (format!("a={travel}"), 404),
        // Not published yet.
        (format!("a={later}"), 404),
        (format!("a={id}&r={}", "x".repeat(3000)), 413),
    ] {
        assert_eq!(beacon(&app, &body, &[]).await, want, "{body:.40}");
    }
    assert_eq!(
        beacon(
            &app,
            &format!("a={id}"),
            &[("origin", "https://evil.example")]
        )
        .await,
        403
    );
    assert_eq!(counted(&app, id).await, (1, 1));
    // A flood from one address: refused past the limit (600 a calendar
    // minute), one reader. A flood that crosses a minute starts a new
    // allowance, so it goes on until 20 were refused.
    let minute = || chrono::Utc::now().timestamp() / 60;
    let first = minute();
    let (mut sent, mut refused) = (0, 0);
    while refused < 20 && sent < 1900 {
        sent += 1;
        if beacon(&app, &format!("a={id}"), &[]).await == 429 {
            refused += 1;
        }
    }
    let minutes = minute() - first + 1;
    assert!(refused >= 20, "{refused} of {sent}");
    let (views, readers) = counted(&app, id).await;
    assert_eq!(readers, 1);
    assert!(views <= 1 + 600 * minutes, "{views} in {minutes} minutes");
    app.stop().await;
}

#[tokio::test]
async fn without_a_cdn_there_is_no_beacon() {
    let app = TestApp::builder().start().await;
    let id = id_of(&app, "news", "rail-line-reopens").await;
    let (_, html) = app.page("/national/rail-line-reopens").await;
    assert!(!html.contains("/assets/beacon."));
    assert_eq!(beacon(&app, &format!("a={id}"), &[]).await, 404);
    app.stop().await;
}
