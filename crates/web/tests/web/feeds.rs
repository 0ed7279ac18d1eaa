//! Feeds, sitemaps and robots.txt.

use crate::support::*;

#[tokio::test]
async fn rss_and_atom_feeds_parse_for_the_site_and_each_section() {
    let app = TestApp::builder().with_many(3).start().await;
    for (path, kind) in [
        ("/feed.xml", "rss"),
        ("/atom.xml", "atom"),
        ("/politics/feed.xml", "rss"),
        ("/politics/atom.xml", "atom"),
    ] {
        let r = app.get("news.localhost:8080", path).await;
        assert_eq!(r.status(), 200, "{path}");
        let ct = r.headers()["content-type"].to_str().unwrap().to_string();
        assert!(
            ct.starts_with(&format!("application/{kind}+xml")),
            "{path}: {ct}"
        );
        let body = r.bytes().await.unwrap();
        let feed = feed_rs::parser::parse(&body[..]).unwrap_or_else(|e| panic!("{path}: {e}"));
        let expected = if path.starts_with("/politics") { 3 } else { 4 };
        assert_eq!(feed.entries.len(), expected, "{path}");
        let links: Vec<_> = feed
            .entries
            .iter()
            .flat_map(|e| e.links.iter().map(|l| l.href.clone()))
            .collect();
        assert!(
            links
                .iter()
                .all(|l| l.starts_with("http://news.localhost:8080/")),
            "{links:?}"
        );
    }
    assert_eq!(app.page("/nonsense/feed.xml").await.0, 404);
    app.stop().await;
}

#[tokio::test]
async fn sitemaps_list_every_article_and_news_sitemap_only_recent_ones() {
    let recent = article(
        "news",
        "world",
        "fresh",
        "Fresh story",
        &(Utc::now() - chrono::Duration::hours(2)).to_rfc3339(),
        "",
    );
    let app = TestApp::builder()
        .with_article(recent)
        .with_many(2)
        .start()
        .await;
    let (s, index) = app.page("/sitemap.xml").await;
    assert_eq!(s, 200);
    assert!(index.contains("<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"));
    assert!(index.contains("<loc>http://news.localhost:8080/sitemaps/articles-1.xml</loc>"));
    assert!(!index.contains("articles-2.xml"));
    let (s, one) = app.page("/sitemaps/articles-1.xml").await;
    assert_eq!(s, 200);
    assert_eq!(count(&one, "<url>"), 4);
    assert!(one.contains("<loc>http://news.localhost:8080/national/rail-line-reopens</loc>"));
    assert!(one.contains("<lastmod>2026-11-20T03:05:00+00:00</lastmod>"));
    assert_eq!(app.page("/sitemaps/articles-2.xml").await.0, 404);
    assert_eq!(app.page("/sitemaps/articles-x.xml").await.0, 404);
    let (_, pages) = app.page("/sitemaps/pages.xml").await;
    assert!(pages.contains("<loc>http://news.localhost:8080/politics/</loc>"));
    let (_, news) = app.page("/news-sitemap.xml").await;
    assert_eq!(count(&news, "<url>"), 1, "{news}");
    assert!(news.contains("<news:title>Fresh story</news:title>"));
    assert!(news.contains("<news:name>The Test Post</news:name>"));
    let (_, robots) = app.page("/robots.txt").await;
    assert!(robots.contains("Sitemap: http://news.localhost:8080/sitemap.xml"));
    app.stop().await;
}
