//! The article page shows every element of a newspaper article page.

use crate::support::*;

async fn article_html(app: &TestApp) -> String {
    let (status, html) = app.page("/national/rail-line-reopens").await;
    assert_eq!(status, 200, "{html}");
    html
}

#[tokio::test]
async fn reader_sees_every_element_of_the_article_page() {
    let app = TestApp::builder().start().await;
    let html = article_html(&app).await;
    let today = Utc::now()
        .with_timezone(&chrono_tz::Asia::Tokyo)
        .format("%B %-d, %Y")
        .to_string();
    for needle in [
        "class=\"datebar\"",
        &today,
        "class=\"site-name\" href=\"/\">The Test Post</a>",
        "<nav class=\"sections\" aria-label=\"Sections\">",
        "<a href=\"/national/\" aria-current=\"page\">National</a>",
        "class=\"section-label\"><a href=\"/national/\">National</a>",
        "<h1 class=\"headline\">Rail line reopens after typhoon repairs</h1>",
        "<p class=\"standfirst\">Summary of Rail line reopens after typhoon repairs.</p>",
        "<span class=\"caption\">Workers check the rebuilt embankment.</span>",
        "<span class=\"credit\">Image: Pacific Wire Service/Kenji Arata</span>",
        "alt=\"Workers in orange vests beside a railway embankment.\"",
        "class=\"byline\">By <a href=\"/author/aiko-tanabe\">Aiko Tanabe</a>",
        // 09:30 in Tokyo, shown in the site's time zone.
        "datetime=\"2026-11-20T09:30:00+09:00\">Nov 20, 2026 09:30 JST</time>",
        "Updated <time class=\"updated\" datetime=\"2026-11-20T12:05:00+09:00\">",
        "<p><span class=\"dateline\">SENDAI</span> — First paragraph about",
        "<p class=\"source-copyright\">© Pacific Wire Service 2026.</p>",
        "publisher-copyright\">©",
        "Lanternfield Media. All rights reserved.",
        "<a href=\"/tag/transport\">Transport</a>",
        "<link rel=\"canonical\" href=\"http://news.localhost:8080/national/rail-line-reopens\">",
        "<meta property=\"og:type\" content=\"article\">",
        "<meta name=\"twitter:card\" content=\"summary_large_image\">",
    ] {
        assert!(html.contains(needle), "article page lacks {needle:?}");
    }
    // Responsive hero: srcset over every rendition, with intrinsic size.
    let img = html
        .split("<figure class=\"hero\">")
        .nth(1)
        .unwrap()
        .split("</figure>")
        .next()
        .unwrap();
    assert_eq!(count(img, "w, /media/"), 3, "{img}");
    assert!(img.contains("width=\"1200\" height=\"675\""), "{img}");
    // The sister site is linked in the footer.
    assert!(html.contains("<a href=\"http://travel.localhost:8080/\">Test Journeys</a>"));
    app.stop().await;
}

#[tokio::test]
async fn article_json_ld_describes_a_news_article() {
    let app = TestApp::builder().start().await;
    let html = article_html(&app).await;
    let json = html
        .split("<script type=\"application/ld+json\">")
        .nth(1)
        .unwrap()
        .split("</script>")
        .next()
        .unwrap();
    let ld: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(ld["@type"], "NewsArticle");
    assert_eq!(ld["headline"], "Rail line reopens after typhoon repairs");
    assert_eq!(ld["dateline"], "SENDAI");
    assert_eq!(ld["datePublished"], "2026-11-20T00:30:00+00:00");
    assert_eq!(ld["dateModified"], "2026-11-20T03:05:00+00:00");
    assert_eq!(ld["author"][0]["name"], "Aiko Tanabe");
    assert_eq!(ld["publisher"]["name"], "Lanternfield Media");
    assert!(ld["image"][0]
        .as_str()
        .unwrap()
        .starts_with("http://news.localhost:8080/media/"));
    app.stop().await;
}

#[tokio::test]
async fn hostile_article_text_is_escaped_and_sanitised() {
    let hostile = article(
        "news",
        "national",
        "hostile",
        "\"<script>alert(1)</script>",
        "2026-11-21T09:00:00+09:00",
        "summary: \"</script><img src=x onerror=alert(2)>\"\n",
    );
    let app = TestApp::builder().with_article(hostile).start().await;
    let (status, html) = app.page("/national/hostile").await;
    assert_eq!(status, 200);
    assert!(!html.contains("<script>alert(1)"), "headline not escaped");
    assert!(!html.contains("<img src=x"), "summary not escaped");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // JSON-LD cannot be closed from inside a string.
    let json = html
        .split("<script type=\"application/ld+json\">")
        .nth(1)
        .unwrap()
        .split("</script>")
        .next()
        .unwrap();
    assert!(
        serde_json::from_str::<serde_json::Value>(json).is_ok(),
        "{json}"
    );
    app.stop().await;
}

#[tokio::test]
async fn an_article_under_the_wrong_section_redirects_to_its_own() {
    let app = TestApp::builder().start().await;
    let r = app
        .get("news.localhost", "/politics/rail-line-reopens")
        .await;
    assert_eq!(r.status(), 301);
    assert_eq!(r.headers()["location"], "/national/rail-line-reopens");
    let (status, _) = app.page("/national/no-such-article").await;
    assert_eq!(status, 404);
    app.stop().await;
}

#[tokio::test]
async fn drafts_and_scheduled_articles_are_not_shown() {
    let draft = article(
        "news",
        "national",
        "draft-one",
        "Draft",
        "2026-11-21T09:00:00+09:00",
        "status: draft\n",
    );
    let later = article(
        "news",
        "national",
        "tomorrow",
        "Future",
        "2099-01-01T00:00:00+09:00",
        "",
    );
    let app = TestApp::builder()
        .with_article(draft)
        .with_article(later)
        .start()
        .await;
    assert_eq!(app.page("/national/draft-one").await.0, 404);
    assert_eq!(app.page("/national/tomorrow").await.0, 404);
    let (_, home) = app.page("/").await;
    assert!(!home.contains("Future") && !home.contains("/draft-one"));
    app.stop().await;
}

#[tokio::test]
async fn share_links_are_plain_links_with_the_story_s_address_and_no_third_party_script() {
    let app = TestApp::builder().start().await;
    let html = article_html(&app).await;
    let address = "http%3A%2F%2Fnews.localhost%3A8080%2Fnational%2Frail-line-reopens";
    for (class, start) in [
        (
            "share-email",
            "mailto:?subject=Rail%20line%20reopens%20after%20typhoon%20repairs&amp;body=",
        ),
        ("share-x", "https://x.com/intent/post?url="),
        (
            "share-facebook",
            "https://www.facebook.com/sharer/sharer.php?u=",
        ),
        (
            "share-linkedin",
            "https://www.linkedin.com/sharing/share-offsite/?url=",
        ),
        ("share-bluesky", "https://bsky.app/intent/compose?text="),
        ("share-whatsapp", "https://wa.me/?text="),
    ] {
        let at = html
            .find(&format!("class=\"share-link {class}\" href=\""))
            .unwrap_or_else(|| panic!("no {class} link"));
        let href = &html[at..][html[at..].find("href=\"").unwrap() + 6..];
        let href = &href[..href.find('"').unwrap()];
        assert!(href.starts_with(start), "{class}: {href}");
        assert!(
            href.contains(address),
            "{class} carries the story's address: {href}"
        );
    }
    // The buttons needing JavaScript are hidden until it shows them.
    assert!(html.contains("<li hidden class=\"share-copy-item\">"));
    assert!(html.contains("<li hidden class=\"share-native-item\">"));
    // Every script is the site's own: nothing loads from a network.
    for (i, _) in html.match_indices("<script") {
        let tag = &html[i..i + html[i..].find('>').unwrap()];
        if let Some(src) = tag.split("src=\"").nth(1) {
            assert!(
                src.starts_with("/assets/"),
                "a script from elsewhere: {tag}"
            );
        }
    }
    app.stop().await;
}
