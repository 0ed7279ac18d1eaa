//! Readership counting through a real server: what counts as a view, who
//! is one reader, where they came from.

use kawaraban_core::analytics::RefKind;
use kawaraban_core::model::Role;

use crate::comments::{news_id, person};
use crate::support::*;

const ARTICLE: &str = "/national/rail-line-reopens";
const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

async fn view(app: &TestApp, method: reqwest::Method, path: &str, headers: &[(&str, &str)]) -> u16 {
    let mut r = app.request(method, "news.localhost:8080", path);
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    r.send().await.unwrap().status().as_u16()
}

async fn article_id(app: &TestApp) -> i64 {
    app.store
        .article_by_slug(news_id(app), "rail-line-reopens", chrono::Utc::now())
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Flushes the server's counter and sums what the store holds for the article.
pub async fn counted(app: &TestApp, article: i64) -> (i64, i64) {
    app.state.counter.flush(&*app.store).await;
    app.store
        .readers_since(0)
        .await
        .unwrap()
        .iter()
        .filter(|r| r.article_id == article)
        .fold((0, 0), |(v, r), x| (v + x.views, r + x.readers))
}

#[tokio::test]
async fn distinct_readers_count_once_and_reloads_only_as_views() {
    let app = TestApp::builder().start().await;
    let id = article_id(&app).await;
    // One reader reloads three times (the first render, then cache hits);
    // another reads once.
    for _ in 0..3 {
        assert_eq!(
            view(
                &app,
                reqwest::Method::GET,
                ARTICLE,
                &[("user-agent", FIREFOX)]
            )
            .await,
            200
        );
    }
    assert_eq!(
        view(
            &app,
            reqwest::Method::GET,
            ARTICLE,
            &[("user-agent", CHROME)]
        )
        .await,
        200
    );
    assert_eq!(counted(&app, id).await, (4, 2));
    // The same readers later the same day are not new readers.
    view(
        &app,
        reqwest::Method::GET,
        ARTICLE,
        &[("user-agent", CHROME)],
    )
    .await;
    assert_eq!(counted(&app, id).await, (5, 2));
    app.stop().await;
}

#[tokio::test]
async fn bots_prefetches_heads_errors_and_staff_are_not_counted() {
    let app = TestApp::builder().start().await;
    let id = article_id(&app).await;
    for ua in [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
        "curl/8.5.0",
        "",
    ] {
        view(&app, reqwest::Method::GET, ARTICLE, &[("user-agent", ua)]).await;
    }
    view(
        &app,
        reqwest::Method::GET,
        ARTICLE,
        &[("user-agent", FIREFOX), ("sec-purpose", "prefetch")],
    )
    .await;
    view(
        &app,
        reqwest::Method::GET,
        ARTICLE,
        &[("user-agent", FIREFOX), ("purpose", "prefetch")],
    )
    .await;
    view(
        &app,
        reqwest::Method::HEAD,
        ARTICLE,
        &[("user-agent", FIREFOX)],
    )
    .await;
    assert_eq!(
        view(
            &app,
            reqwest::Method::GET,
            "/national/no-such-story",
            &[("user-agent", FIREFOX)]
        )
        .await,
        404
    );
    // The home page is not an article view.
    view(&app, reqwest::Method::GET, "/", &[("user-agent", FIREFOX)]).await;
    // An editor reading the article is staff, not a reader; a member is a reader.
    let (mut editor, _) = person(&app, "Edna Editor", Role::Editor).await;
    editor.user_agent = Some(FIREFOX.into());
    assert_eq!(editor.get(ARTICLE).await.status, 200);
    assert_eq!(counted(&app, id).await, (0, 0));
    let (mut reader, _) = person(&app, "Rita Reader", Role::Member).await;
    reader.user_agent = Some(CHROME.into());
    assert_eq!(reader.get(ARTICLE).await.status, 200);
    assert_eq!(counted(&app, id).await, (1, 1));
    app.stop().await;
}

#[tokio::test]
async fn referrers_are_sorted_by_kind_and_spam_keeps_no_host() {
    let app = TestApp::builder().start().await;
    let id = article_id(&app).await;
    let ua = ("user-agent", FIREFOX);
    view(
        &app,
        reqwest::Method::GET,
        ARTICLE,
        &[ua, ("referer", "https://www.google.com/")],
    )
    .await;
    view(
        &app,
        reqwest::Method::GET,
        ARTICLE,
        &[ua, ("referer", "https://t.co/x")],
    )
    .await;
    view(
        &app,
        reqwest::Method::GET,
        ARTICLE,
        &[ua, ("referer", "http://news.localhost:8080/")],
    )
    .await;
    view(
        &app,
        reqwest::Method::GET,
        ARTICLE,
        &[ua, ("referer", "http://travel.localhost:8080/")],
    )
    .await;
    view(
        &app,
        reqwest::Method::GET,
        ARTICLE,
        &[ua, ("referer", "https://blog.example.org/post")],
    )
    .await;
    view(
        &app,
        reqwest::Method::GET,
        ARTICLE,
        &[ua, ("referer", "http://best-seo-offer.xyz/")],
    )
    .await;
    view(
        &app,
        reqwest::Method::GET,
        &format!("{ARTICLE}?utm_source=digest&utm_medium=email"),
        &[ua],
    )
    .await;
    view(&app, reqwest::Method::GET, ARTICLE, &[ua]).await;
    app.state.counter.flush(&*app.store).await;
    let mut got = app.store.referrers_since(id, 0).await.unwrap();
    got.sort();
    assert_eq!(
        got,
        [
            (RefKind::Direct, String::new(), 2),
            (RefKind::Search, String::new(), 1),
            (RefKind::Social, String::new(), 1),
            (RefKind::Newsletter, String::new(), 1),
            (RefKind::Internal, String::new(), 1),
            (RefKind::Network, String::new(), 1),
            (RefKind::Other, "blog.example.org".into(), 1),
        ]
    );
    app.stop().await;
}

/// A second app server on the test app's database (its own process state:
/// counter, page cache), serving until the returned sender is dropped.
async fn second_server(
    app: &TestApp,
) -> (
    std::net::SocketAddr,
    kawaraban_web::AppState,
    tokio::sync::oneshot::Sender<()>,
) {
    let store = kawaraban_store::connect(&kawaraban_store::ConnectOptions {
        url: app.db_url.clone(),
        max_connections: 4,
    })
    .await
    .unwrap();
    let config = app.state.config.clone();
    let state = kawaraban_web::AppState::new(store, config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let s = state.clone();
    tokio::spawn(async move {
        kawaraban_web::serve(listener, s, async {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    (addr, state, tx)
}

#[tokio::test]
async fn two_app_servers_on_one_database_add_up() {
    let app = TestApp::builder().start().await;
    let id = article_id(&app).await;
    let (addr, other, stop) = second_server(&app).await;
    let client = reqwest::Client::new();
    // The same reader on both servers, and one more on the second.
    for (ua, on_other) in [(FIREFOX, false), (FIREFOX, true), (CHROME, true)] {
        let status = if on_other {
            client
                .get(format!("http://{addr}{ARTICLE}"))
                .header("host", "news.localhost:8080")
                .header("user-agent", ua)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        } else {
            view(&app, reqwest::Method::GET, ARTICLE, &[("user-agent", ua)]).await
        };
        assert_eq!(status, 200);
    }
    other.counter.flush(&*other.store).await;
    // Three views, two readers: the servers share the day's salt.
    assert_eq!(counted(&app, id).await, (3, 2));
    drop(stop);
    app.stop().await;
}
