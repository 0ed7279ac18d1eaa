//! The trending block through a real server: only the other sites,
//! labelled, in rank order, following the traffic within the recompute
//! interval, in the cached page.

use std::time::Duration;

use crate::support::*;

/// A story published `hours_ago` hours ago.
pub fn fresh(
    site: &str,
    section: &str,
    slug: &str,
    title: &str,
    hours_ago: i64,
) -> (String, String) {
    let at = (now() - chrono::Duration::hours(hours_ago)).to_rfc3339();
    article(site, section, slug, title, &at, "")
}

/// News, travel and lifestyle, with fresh stories on each, recomputing the
/// block every 200 ms.
pub async fn network() -> TestApp {
    TestApp::builder()
        .with_site("lifestyle", "Test Living")
        .with_article(fresh(
            "news",
            "national",
            "harbour-bridge",
            "Harbour bridge opens",
            1,
        ))
        .with_article(fresh(
            "travel",
            "guides",
            "hot-springs",
            "Hot springs of the north",
            3,
        ))
        .with_article(fresh(
            "travel",
            "guides",
            "mountain-huts",
            "Mountain huts in winter",
            1,
        ))
        .with_article(fresh(
            "lifestyle",
            "food",
            "winter-soups",
            "Winter soups to make now",
            2,
        ))
        .configure(|c| c.trending_every = Duration::from_millis(200))
        .start()
        .await
}

/// The block of a page: its titles in order and its site labels.
pub fn block(html: &str) -> (Vec<String>, Vec<String>) {
    let Some(at) = html.find("class=\"trending\"") else {
        return (Vec::new(), Vec::new());
    };
    let section = &html[at..at + html[at..].find("</section>").unwrap()];
    let grab = |class: &str| -> Vec<String> {
        let marker = format!("class=\"{class}\">");
        section
            .match_indices(&marker)
            .map(|(i, _)| {
                let rest = &section[i + marker.len()..];
                rest[..rest.find('<').unwrap()].to_string()
            })
            .collect()
    };
    (grab("trending-title"), grab("trending-site"))
}

pub const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

/// A view of `path` on `host` by reader number `n` (a browser version of its own).
pub async fn read(app: &TestApp, host: &str, path: &str, n: u32) {
    let ua = BROWSER.replace("133.0", &format!("{}.0", 100 + n));
    let r = app
        .request(reqwest::Method::GET, host, path)
        .header("user-agent", ua)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}");
}

#[tokio::test]
async fn the_block_shows_the_other_sites_labelled_and_follows_the_readers() {
    let app = network().await;
    let page = || async {
        let (status, html) = app.page("/national/harbour-bridge").await;
        assert_eq!(status, 200);
        block(&html)
    };
    // No readers yet: the newest stories of the other sites, interleaved.
    assert!(
        eventually(|| async { !page().await.0.is_empty() }).await,
        "the block is never empty while the other sites have stories"
    );
    let (titles, sites) = page().await;
    assert_eq!(
        titles,
        [
            "Mountain huts in winter",
            "Winter soups to make now",
            "Hot springs of the north"
        ]
    );
    assert_eq!(sites, ["Test Journeys", "Test Living", "Test Journeys"]);
    assert!(
        !titles.contains(&"Harbour bridge opens".to_string()),
        "never the site itself"
    );

    // Three readers for the older travel story; one reader reloading the
    // newer one many times.
    for n in 0..3 {
        read(&app, "travel.localhost:8080", "/guides/hot-springs", n).await;
    }
    for _ in 0..6 {
        read(&app, "travel.localhost:8080", "/guides/mountain-huts", 9).await;
    }
    app.state.counter.flush(&*app.store).await;
    // The cached news page shows the new order at the next recompute.
    assert!(
        eventually(|| async {
            page().await.0.first().map(String::as_str) == Some("Hot springs of the north")
        })
        .await,
        "distinct readers outrank one reader's reloads: {:?}",
        page().await
    );
    assert_eq!(
        page().await.0,
        [
            "Hot springs of the north",
            "Winter soups to make now",
            "Mountain huts in winter"
        ]
    );
    // The travel site's block has news and lifestyle only.
    let (_, html) = {
        let r = app
            .get("travel.localhost:8080", "/guides/hot-springs")
            .await;
        (r.status(), r.text().await.unwrap())
    };
    let (titles, sites) = block(&html);
    // The fixture's weeks-old wire story fills the short block, last.
    assert_eq!(
        titles,
        [
            "Harbour bridge opens",
            "Winter soups to make now",
            "Rail line reopens after typhoon repairs"
        ]
    );
    assert!(
        sites
            .iter()
            .all(|s| s == "The Test Post" || s == "Test Living"),
        "{sites:?}"
    );
    assert!(titles.contains(&"Harbour bridge opens".to_string()));
    app.stop().await;
}

#[tokio::test]
async fn old_stories_fill_a_block_that_would_be_empty() {
    // The fixture's wire story is weeks old; the travel site has nothing.
    let app = TestApp::builder()
        .configure(|c| c.trending_every = Duration::from_millis(200))
        .with_article(fresh(
            "travel",
            "guides",
            "mountain-huts",
            "Mountain huts in winter",
            1,
        ))
        .start()
        .await;
    assert!(
        eventually(|| async {
            let r = app
                .get("travel.localhost:8080", "/guides/mountain-huts")
                .await;
            block(&r.text().await.unwrap()).0 == ["Rail line reopens after typhoon repairs"]
        })
        .await,
        "an old story fills a block that would be empty"
    );
    app.stop().await;
}
