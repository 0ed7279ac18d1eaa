//! External sister sites: their feed read by the server, their items in
//! the trending block through `/go/{item}`, which counts the click and
//! only ever leads to the item's own link.

use std::sync::{Arc, Mutex};

use axum::routing::get;
use reqwest::Method;

use crate::support::*;
use crate::trending::{block, network, BROWSER};

/// A feed server on loopback answering whatever `body` holds.
async fn feed_server(body: Arc<Mutex<String>>) -> String {
    let app = axum::Router::new().route(
        "/feed.xml",
        get(move || {
            let body = body.clone();
            async move {
                let text = body.lock().unwrap().clone();
                if text.is_empty() {
                    return (axum::http::StatusCode::INTERNAL_SERVER_ERROR, String::new());
                }
                (axum::http::StatusCode::OK, text)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/feed.xml")
}

fn rss(items: &[(&str, &str)]) -> String {
    let at = now().to_rfc2822();
    let items: String = items
        .iter()
        .map(|(slug, title)| {
            format!("<item><title>{title}</title><link>https://fieldnotes.example/{slug}</link><guid>{slug}</guid><pubDate>{at}</pubDate></item>")
        })
        .collect();
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Field Notes</title><link>https://fieldnotes.example/</link>{items}\
             <item><title>Sneaky</title><link>javascript:alert(1)</link></item></channel></rss>")
}

#[tokio::test]
async fn an_external_sites_items_join_the_block_and_clicks_rank_them() {
    let app = network().await;
    let body = Arc::new(Mutex::new(rss(&[
        ("canal-walk", "Walking the old canal"),
        ("night-market", "The night market"),
    ])));
    let url = feed_server(body.clone()).await;
    let site = app
        .store
        .add_external_site("notes", "Field Notes", &url)
        .await
        .unwrap();
    let client = kawaraban_content::external::client();
    // This call or the server's own feed task (which may have claimed it
    // first) reads the feed, once.
    kawaraban_web::analytics::external::fetch_due(&app.state, &client)
        .await
        .unwrap();
    let since = now() - chrono::Duration::days(1);
    assert!(
        eventually(|| async { app.store.external_items(since).await.unwrap().len() == 2 }).await,
        "the javascript: link is left out"
    );
    assert_eq!(
        kawaraban_web::analytics::external::fetch_due(&app.state, &client)
            .await
            .unwrap(),
        0,
        "read once per interval"
    );
    let items = app.store.external_items(since).await.unwrap();
    let page = || async {
        let (_, html) = app.page("/national/harbour-bridge").await;
        (block(&html), html)
    };
    assert!(
        eventually(|| async { page().await.0 .1.contains(&"Field Notes".to_string()) }).await,
        "the external site's items join the block: {:?}",
        page().await.0
    );
    let market = items
        .iter()
        .find(|i| i.title == "The night market")
        .unwrap();
    let (_, html) = page().await;
    assert!(html.contains(&format!("href=\"/go/{}\"", market.id)));
    // A click: counted, and sent on to the item's own link.
    let r = app
        .request(
            Method::GET,
            "news.localhost:8080",
            &format!("/go/{}", market.id),
        )
        .header("user-agent", BROWSER)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    assert_eq!(
        r.headers()["location"],
        "https://fieldnotes.example/night-market"
    );
    assert_eq!(r.headers()["cache-control"], "no-store");
    // A crawler's click is not counted.
    app.request(
        Method::GET,
        "news.localhost:8080",
        &format!("/go/{}", market.id),
    )
    .header("user-agent", "Googlebot/2.1")
    .send()
    .await
    .unwrap();
    assert_eq!(
        app.store
            .external_clicks(0)
            .await
            .unwrap()
            .iter()
            .map(|c| c.2)
            .sum::<i64>(),
        1
    );
    // The clicked item now leads the external site's items in the block.
    assert!(
        eventually(|| async {
            let titles = page().await.0 .0;
            let m = titles.iter().position(|t| t == "The night market");
            let c = titles.iter().position(|t| t == "Walking the old canal");
            matches!((m, c), (Some(m), Some(c)) if m < c)
        })
        .await
    );
    // Nothing else is reachable through the redirect.
    for bad in ["/go/999999", "/go/abc", "/go/-1"] {
        assert_eq!(
            app.get("news.localhost:8080", bad).await.status(),
            404,
            "{bad}"
        );
    }
    // A feed that breaks keeps the items it had, and says why.
    *body.lock().unwrap() = String::new();
    make_due(&app, site.id).await;
    kawaraban_web::analytics::external::fetch_due(&app.state, &client)
        .await
        .unwrap();
    let s = app.store.external_sites().await.unwrap().remove(0);
    assert!(s.last_error.contains("500"), "{}", s.last_error);
    assert_eq!(
        app.store
            .external_items(now() - chrono::Duration::days(1))
            .await
            .unwrap()
            .len(),
        2
    );
    app.stop().await;
}

/// Makes the feed due again (as if 15 minutes had passed).
async fn make_due(app: &TestApp, id: i64) {
    let long_ago = now() - chrono::Duration::days(1);
    // Claiming with a far-future staleness sets the fetch time to long ago.
    assert!(app
        .store
        .claim_external_fetch(id, long_ago, now() + chrono::Duration::days(2))
        .await
        .unwrap());
}
