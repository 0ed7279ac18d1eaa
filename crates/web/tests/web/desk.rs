//! The desk's analytics and trending pages through a real server: who may
//! see them, what they show, the CSV export, staff picks and bad input.

use kawaraban_core::model::Role;
use reqwest::Method;

use crate::comments::person;
use crate::support::*;
use crate::trending::{block, network, read};

#[tokio::test]
async fn the_desk_is_for_staff_and_each_role_sees_its_links() {
    let app = network().await;
    let anonymous = app.get("news.localhost:8080", "/desk/analytics").await;
    assert_eq!(anonymous.status(), 303);
    assert!(anonymous.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login?next=%2Fdesk%2Fanalytics"));
    let (mut member, _) = person(&app, "Mia Member", Role::Member).await;
    assert_eq!(member.get("/desk").await.status, 403);
    let (mut moderator, _) = person(&app, "Moe Moderator", Role::Moderator).await;
    let home = moderator.get("/desk").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("href=\"/moderation\""));
    assert!(
        !home.body.contains("href=\"/desk/analytics\""),
        "analytics is for editors"
    );
    let refused = moderator.get("/desk/analytics").await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("editor role"), "{}", refused.body);
    let (mut editor, _) = person(&app, "Edna Editor", Role::Editor).await;
    let home = editor.get("/desk").await;
    for link in [
        "/desk/analytics",
        "/desk/trending",
        "/moderation",
        "/newsletters/campaigns",
    ] {
        assert!(home.body.contains(&format!("href=\"{link}\"")), "{link}");
    }
    assert!(
        !home.body.contains("href=\"/moderation/audit\""),
        "the audit log is for admins"
    );
    assert!(home.header("cache-control").contains("no-store"));
    app.stop().await;
}

#[tokio::test]
async fn the_dashboard_shows_what_is_read_with_a_chart_and_csv() {
    let app = network().await;
    for n in 0..3 {
        read(&app, "travel.localhost:8080", "/guides/hot-springs", n).await;
    }
    read(&app, "news.localhost:8080", "/national/harbour-bridge", 1).await;
    app.state.counter.flush(&*app.store).await;
    let (mut editor, _) = person(&app, "Edna Editor", Role::Editor).await;
    let page = editor.get("/desk/analytics").await;
    assert_eq!(page.status, 200);
    let b = &page.body;
    for want in [
        "Readers now (last 5 minutes)",
        "Top stories, last hour",
        "Top stories, last 24 hours",
        "Top stories, last 7 days",
        "Views by section",
        "Where readers came from",
        "<svg class=\"chart\"",
    ] {
        assert!(b.contains(want), "{want}");
    }
    // Hot springs first (three readers), then the harbour bridge (one).
    let hot = b.find("Hot springs of the north").unwrap();
    let bridge = b.find("Harbour bridge opens").unwrap();
    assert!(hot < bridge);
    // One site only.
    let travel = editor.get("/desk/analytics?site=travel").await;
    assert!(travel.body.contains("Hot springs of the north"));
    assert!(!travel.body.contains("Harbour bridge opens"));
    // The CSV of a table.
    let csv = editor
        .get("/desk/analytics.csv?table=now&site=&from=&to=")
        .await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("content-type"), "text/csv; charset=utf-8");
    assert!(csv
        .header("content-disposition")
        .starts_with("attachment; filename=\"kawaraban-now-"));
    let mut lines = csv.body.lines();
    assert_eq!(lines.next(), Some("Story,Site,Section,Readers,Views"));
    assert_eq!(
        lines.next(),
        Some("Hot springs of the north,Test Journeys,Guides,3,3")
    );
    // One story's page.
    let id = app
        .store
        .article_by_slug(travel_id(&app).await, "hot-springs", now())
        .await
        .unwrap()
        .unwrap()
        .id;
    let story = editor.get(&format!("/desk/analytics/article/{id}")).await;
    assert_eq!(story.status, 200);
    assert!(story.body.contains("<svg class=\"chart\""));
    assert!(story
        .body
        .contains("http://travel.localhost:8080/guides/hot-springs"));
    assert_eq!(
        editor.get("/desk/analytics/article/999999").await.status,
        404
    );
    // Bad filters name the field.
    for (q, field) in [
        ("from=yesterday", "from:"),
        ("site=moon", "site:"),
        ("from=2026-12-05&to=2026-12-01", "from:"),
    ] {
        let bad = editor.get(&format!("/desk/analytics?{q}")).await;
        assert_eq!(bad.status, 400, "{q}");
        assert!(bad.body.contains(field), "{q}: {}", bad.body);
    }
    assert_eq!(
        editor.get("/desk/analytics.csv?table=secrets").await.status,
        400
    );
    assert_eq!(
        editor
            .get("/desk/analytics.csv?table=now&article=x")
            .await
            .status,
        400
    );
    app.stop().await;
}

async fn travel_id(app: &TestApp) -> i64 {
    app.store
        .list_sites()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.key == "travel")
        .unwrap()
        .id
}

#[tokio::test]
async fn staff_pin_and_leave_out_stories_and_forged_forms_are_refused() {
    let app = network().await;
    let (mut editor, _) = person(&app, "Edna Editor", Role::Editor).await;
    let news_block = || async {
        let (_, html) = app.page("/national/harbour-bridge").await;
        block(&html).0
    };
    assert!(eventually(|| async { news_block().await.len() == 3 }).await);
    let desk = editor.get("/desk/trending").await;
    assert_eq!(desk.status, 200);
    assert!(desk.body.contains("On The Test Post"));
    let csrf = desk.csrf();
    let soups = app
        .store
        .list_sites()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.key == "lifestyle")
        .unwrap();
    let soups = app
        .store
        .article_by_slug(soups.id, "winter-soups", now())
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let huts = app
        .store
        .article_by_slug(travel_id(&app).await, "mountain-huts", now())
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    // A forged token changes nothing.
    let forged = editor
        .post(
            "/desk/trending",
            &[("csrf", "forged"), ("article", &soups), ("pick", "pin")],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert!(app.store.trending_picks().await.unwrap().is_empty());
    // Pin the soups, leave out the huts: the block shows it at once here.
    let done = editor
        .post(
            "/desk/trending",
            &[("csrf", &csrf), ("article", &soups), ("pick", "pin")],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    editor
        .post(
            "/desk/trending",
            &[("csrf", &csrf), ("article", &huts), ("pick", "exclude")],
        )
        .await;
    assert_eq!(
        news_block().await,
        ["Winter soups to make now", "Hot springs of the north"]
    );
    let desk = editor.get("/desk/trending").await;
    assert!(desk.body.contains("left out"));
    assert!(desk.body.contains("Pinned"));
    // Bad picks are a clear 400 or 404.
    let bad = editor
        .post(
            "/desk/trending",
            &[("csrf", &csrf), ("article", &soups), ("pick", "promote")],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("pick:"));
    let missing = editor
        .post(
            "/desk/trending",
            &[("csrf", &csrf), ("article", "999999"), ("pick", "pin")],
        )
        .await;
    assert_eq!(missing.status, 404);
    // A moderator may not pick.
    let (mut moderator, _) = person(&app, "Moe Moderator", Role::Moderator).await;
    let refused = moderator
        .post(
            "/desk/trending",
            &[("csrf", "x"), ("article", &huts), ("pick", "release")],
        )
        .await;
    assert_eq!(refused.status, 403);
    // Releasing lets the huts rank again.
    editor
        .post(
            "/desk/trending",
            &[("csrf", &csrf), ("article", &huts), ("pick", "release")],
        )
        .await;
    assert_eq!(news_block().await.len(), 3);
    let r = app
        .request(Method::GET, "news.localhost:8080", "/desk/trending")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    app.stop().await;
}
