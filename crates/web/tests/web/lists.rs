//! Home, section, tag, author and latest pages, pagination and search.

use crate::support::*;

#[tokio::test]
async fn home_page_has_lead_top_stories_section_blocks_and_latest() {
    let app = TestApp::builder().with_many(12).start().await;
    let (status, html) = app.page("/").await;
    assert_eq!(status, 200);
    let lead = html
        .split("<article class=\"lead\">")
        .nth(1)
        .expect("a lead story")
        .split("</article>")
        .next()
        .unwrap();
    assert!(
        lead.contains("Rail line reopens"),
        "the featured story leads: {lead}"
    );
    assert!(html.contains("class=\"top-stories\""));
    assert!(html.contains(
        "<h2 id=\"block-1\" class=\"block-title\"><a href=\"/national/\">National</a></h2>"
    ));
    assert!(html.contains("<a href=\"/politics/\">Politics</a></h2>"));
    assert!(html.contains("id=\"latest-heading\""));
    // "More news" leads to the page of the list holding the 13th story:
    // the first, at 20 a page.
    assert!(html.contains("<a href=\"/latest\">More news"), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn more_news_leads_to_a_page_that_exists_at_any_page_size() {
    for (per_page, link) in [
        (5, "/latest?page=3"),
        (12, "/latest?page=2"),
        (30, "/latest"),
    ] {
        let app = TestApp::builder()
            .with_many(25)
            .per_page(per_page)
            .start()
            .await;
        let (_, home) = app.page("/").await;
        let href = home
            .split("<p class=\"more-link\"><a href=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("a More news link");
        assert_eq!(href, link, "at {per_page} a page");
        let (status, page) = app.page(href).await;
        assert_eq!(status, 200, "{href} at {per_page} a page");
        assert!(page.contains("class=\"card wide\""), "{href} lists stories");
        app.stop().await;
    }
}

#[tokio::test]
async fn section_pages_paginate_with_stable_links() {
    let app = TestApp::builder().with_many(25).per_page(10).start().await;
    let (status, p1) = app.page("/politics/").await;
    assert_eq!(status, 200);
    assert_eq!(count(&p1, "class=\"card wide\""), 10);
    assert!(p1.contains("Budget story 24"), "newest first");
    assert!(p1.contains("<a rel=\"next\" href=\"/politics/?page=2\">"));
    assert!(!p1.contains("rel=\"prev\""));
    let (_, p3) = app.page("/politics/?page=3").await;
    assert_eq!(count(&p3, "class=\"card wide\""), 5);
    assert!(p3.contains("Budget story 0"));
    assert!(p3.contains("<a rel=\"prev\" href=\"/politics/?page=2\">"));
    assert!(p3
        .contains("<link rel=\"canonical\" href=\"http://news.localhost:8080/politics/?page=3\">"));
    assert_eq!(app.page("/politics/?page=4").await.0, 404);
    assert_eq!(app.page("/politics/?page=0").await.0, 400);
    assert_eq!(app.page("/politics/?page=-1").await.0, 400);
    assert_eq!(app.page("/politics/?page=abc").await.0, 400);
    assert_eq!(app.page("/politics/?page=99999999999").await.0, 404);
    // The slash-less form redirects to the canonical one; unknown sections are 404.
    let r = app.get("news.localhost", "/politics?page=2").await;
    assert_eq!(r.status(), 301);
    assert_eq!(r.headers()["location"], "/politics/?page=2");
    assert_eq!(app.page("/nonsense/").await.0, 404);
    app.stop().await;
}

#[tokio::test]
async fn tag_author_and_latest_pages_list_their_articles() {
    let app = TestApp::builder().with_many(3).start().await;
    let (s, tag) = app.page("/tag/transport").await;
    assert_eq!(s, 200);
    assert!(tag.contains("<h1>Transport</h1>"));
    assert_eq!(count(&tag, "class=\"card wide\""), 4);
    let (s, author) = app.page("/author/aiko-tanabe").await;
    assert_eq!(s, 200);
    assert!(author.contains("<h1>Aiko Tanabe</h1>"));
    assert_eq!(count(&author, "class=\"card wide\""), 4);
    let (s, latest) = app.page("/latest").await;
    assert_eq!(s, 200);
    assert_eq!(count(&latest, "class=\"card wide\""), 4);
    assert_eq!(app.page("/tag/unknown-tag").await.0, 404);
    assert_eq!(app.page("/author/nobody").await.0, 404);
    app.stop().await;
}

#[tokio::test]
async fn search_ranks_highlights_and_escapes() {
    let extra = article(
        "news",
        "politics",
        "ferry",
        "Ferry timetable changes",
        "2026-11-22T09:00:00+09:00",
        "summary: The <b>ferry</b> operator announced changes.\n",
    );
    let app = TestApp::builder()
        .with_article(extra)
        .with_many(2)
        .start()
        .await;
    let (s, html) = app.page("/search?q=ferry").await;
    assert_eq!(s, 200);
    assert!(html.contains("Search results for “ferry”"));
    assert_eq!(count(&html, "class=\"card wide\""), 1);
    assert!(html.contains("<mark>"), "{html}");
    assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
    // The query is echoed escaped.
    let (s, html) = app
        .page("/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        .await;
    assert_eq!(s, 200);
    assert!(!html.contains("<script>alert(1)"));
    assert!(html.contains("Nothing matched"));
    // Headline matches rank first; results paginate.
    let (_, html) = app.page("/search?q=budget").await;
    assert_eq!(count(&html, "class=\"card wide\""), 2);
    let (s, _) = app.page(&format!("/search?q={}", "x".repeat(300))).await;
    assert_eq!(s, 400);
    let (s, html) = app.page("/search").await;
    assert_eq!(s, 200);
    assert!(html.contains("id=\"search-page-q\""));
    app.stop().await;
}

#[tokio::test]
async fn each_site_is_served_on_its_own_host_and_unknown_hosts_get_the_default() {
    let travel = article(
        "travel",
        "destinations",
        "onomichi",
        "Cycling from Onomichi",
        "2026-11-22T09:00:00+09:00",
        "",
    );
    let app = TestApp::builder().with_article(travel).start().await;
    let r = app.get("travel.localhost:8080", "/").await;
    let html = r.text().await.unwrap();
    assert!(html.contains("class=\"site-name\" href=\"/\">Test Journeys</a>"));
    assert!(html.contains("Cycling from Onomichi"));
    assert!(!html.contains("Rail line reopens"));
    let r = app.get("127.0.0.1", "/").await;
    let html = r.text().await.unwrap();
    assert!(html.contains("The Test Post"));
    // An article belongs to its own site only.
    assert_eq!(
        app.get("travel.localhost", "/national/rail-line-reopens")
            .await
            .status(),
        404
    );
    app.stop().await;
}

#[tokio::test]
async fn breaking_stories_say_so_on_their_cards() {
    let app = TestApp::builder()
        .with_article(article(
            "news",
            "national",
            "dam-breach",
            "Dam breach floods valley towns",
            &(Utc::now() - chrono::Duration::minutes(20)).to_rfc3339(),
            "breaking: true\n",
        ))
        .with_article(article(
            "news",
            "national",
            "festival-returns",
            "Lantern festival returns to the quay",
            &(Utc::now() - chrono::Duration::minutes(30)).to_rfc3339(),
            "",
        ))
        .start()
        .await;
    for path in ["/", "/national/", "/latest"] {
        let (status, html) = app.page(path).await;
        assert_eq!(status, 200, "{path}");
        let card_of = |title: &str| {
            let at = html
                .find(title)
                .unwrap_or_else(|| panic!("{path}: {title}"));
            let start = html[..at].rfind("<article").unwrap();
            html[start..at].to_string()
        };
        assert!(
            card_of("Dam breach floods").contains("<span class=\"breaking-label\">Breaking</span>"),
            "{path}: the breaking story's card says so"
        );
        assert!(
            !card_of("Lantern festival returns").contains("breaking-label"),
            "{path}: the other's does not"
        );
    }
    app.stop().await;
}
