//! The page cache, compression, conditional requests, bad requests,
//! security headers, media, assets and themes.

use std::io::Read;

use reqwest::Method;

use crate::support::*;

#[tokio::test]
async fn pages_are_cached_compressed_once_and_revalidated_with_etags() {
    let app = TestApp::builder().start().await;
    let first = app
        .get("news.localhost", "/national/rail-line-reopens")
        .await;
    assert_eq!(first.headers()["x-cache"], "MISS");
    assert_eq!(
        first.headers()["cache-control"],
        "public, max-age=0, must-revalidate, s-maxage=300, stale-while-revalidate=600"
    );
    assert_eq!(
        first.headers()["cdn-cache-control"],
        "max-age=300, stale-while-revalidate=600"
    );
    assert_eq!(first.headers()["vary"], "Accept-Encoding");
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    let plain = first.text().await.unwrap();
    let second = app
        .get("news.localhost", "/national/rail-line-reopens")
        .await;
    assert_eq!(second.headers()["x-cache"], "HIT");

    let gz = app
        .request(Method::GET, "news.localhost", "/national/rail-line-reopens")
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let mut out = String::new();
    flate2_decode(&gz.bytes().await.unwrap(), &mut out);
    assert_eq!(out, plain);
    let br = app
        .request(Method::GET, "news.localhost", "/national/rail-line-reopens")
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(br.headers()["content-encoding"], "br");
    assert!(br.bytes().await.unwrap().len() < plain.len() / 2);

    let not_modified = app
        .request(Method::GET, "news.localhost", "/national/rail-line-reopens")
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(not_modified.status(), 304);
    assert_eq!(not_modified.headers()["etag"], etag.as_str());

    // A cookie for no live session gets the shared page, and is cleared
    // (members' own pages are tested in `members.rs`).
    let stale = app
        .request(Method::GET, "news.localhost", "/national/rail-line-reopens")
        .header("cookie", "kw_session=abc")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.headers()["x-cache"], "HIT");
    assert!(stale.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .starts_with("kw_session=; "));
    app.stop().await;
}

fn flate2_decode(bytes: &[u8], out: &mut String) {
    // The test client's own gzip support is off, so decode by hand.
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(out)
        .unwrap();
}

#[tokio::test]
async fn an_import_invalidates_the_article_its_lists_and_feeds() {
    let app = TestApp::builder().start().await;
    for path in [
        "/national/rail-line-reopens",
        "/",
        "/national/",
        "/tag/transport",
        "/feed.xml",
    ] {
        app.page(path).await;
        assert_eq!(
            app.get("news.localhost", path).await.headers()["x-cache"],
            "HIT",
            "{path}"
        );
    }
    let (name, text) = wire_article();
    app.import(&[(
        name,
        text.replace(
            "Rail line reopens after typhoon repairs",
            "Rail line reopens to cheers",
        ),
    )])
    .await;
    for path in [
        "/national/rail-line-reopens",
        "/",
        "/national/",
        "/tag/transport",
        "/feed.xml",
    ] {
        let ok = eventually(|| async {
            app.page(path)
                .await
                .1
                .contains("Rail line reopens to cheers")
        })
        .await;
        assert!(ok, "{path} still shows the old headline");
    }
    app.stop().await;
}

#[tokio::test]
async fn bad_requests_get_themed_4xx_pages_never_500() {
    let app = TestApp::builder().start().await;
    let r = app.get("news.localhost", "/no/such/page/here").await;
    assert_eq!(r.status(), 404);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("<h1>Page not found</h1>") && html.contains("class=\"site-name\""),
        "{html}"
    );

    let r = app
        .request(Method::POST, "news.localhost", "/")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert!(r.headers().get("allow").is_some());
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("<h1>Method not allowed</h1>"));
    let r = app
        .request(
            Method::DELETE,
            "news.localhost",
            "/national/rail-line-reopens",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);

    let long = format!("/search?q={}", "a".repeat(3000));
    assert_eq!(app.get("news.localhost", &long).await.status(), 414);
    assert_eq!(
        app.get("news.localhost", "/national/%zz").await.status(),
        400
    );
    assert_eq!(
        app.get("news.localhost", "/national/%FF%FE").await.status(),
        400
    );
    assert_eq!(app.get("news.localhost", "/search?q=%").await.status(), 400);
    assert_eq!(
        app.get("news.localhost", "/tag/%C3%A9t%C3%A9")
            .await
            .status(),
        404
    );

    let head = app
        .request(
            Method::HEAD,
            "news.localhost",
            "/national/rail-line-reopens",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    assert!(head.text().await.unwrap().is_empty());
    let head = app
        .request(Method::HEAD, "news.localhost", "/missing")
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn every_response_carries_security_headers() {
    let app = TestApp::builder().start().await;
    for path in ["/", "/missing", "/feed.xml", "/healthz"] {
        let r = app.get("news.localhost", path).await;
        let csp = r.headers()["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'")
                && !csp.contains("unsafe-inline")
                && csp.contains("frame-ancestors 'none'"),
            "{path}"
        );
        // Sign-ins redirect a form post through the sister sites.
        assert!(
            csp.contains(
                "form-action 'self' http://news.localhost:8080 http://travel.localhost:8080;"
            ),
            "{csp}"
        );
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        assert_eq!(
            r.headers()["referrer-policy"],
            "strict-origin-when-cross-origin"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn images_and_assets_are_served_with_immutable_caching() {
    let app = TestApp::builder().start().await;
    let (_, html) = app.page("/national/rail-line-reopens").await;
    let src = html
        .split("<figure class=\"hero\">")
        .nth(1)
        .unwrap()
        .split("src=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = app.get("news.localhost", &src).await;
    assert_eq!(r.status(), 200, "{src}");
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    assert_eq!(
        r.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let css = html
        .split("rel=\"stylesheet\" href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert!(
        css.starts_with("/assets/style.") && css.len() > "/assets/style.css".len() + 4,
        "{css}"
    );
    let r = app.get("news.localhost", &css).await;
    assert_eq!(
        r.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    assert_eq!(
        app.get("news.localhost", "/media/../../etc/passwd")
            .await
            .status(),
        404
    );
    assert_eq!(
        app.get(
            "news.localhost",
            &format!("/media/{}-800.jpg", "0".repeat(64))
        )
        .await
        .status(),
        404
    );
    app.stop().await;
}

#[tokio::test]
async fn a_theme_directory_overrides_templates_and_assets_by_path() {
    let app = TestApp::builder()
        .with_theme(|dir| {
            std::fs::create_dir_all(dir.join("templates")).unwrap();
            std::fs::create_dir_all(dir.join("assets")).unwrap();
            std::fs::write(
                dir.join("templates/error.html"),
                "{% extends \"base.html\" %}{% block main %}<h1>Custom {{ status }}</h1>{% endblock %}",
            )
            .unwrap();
            std::fs::write(dir.join("assets/style.css"), "body { color: teal }").unwrap();
        })
        .start()
        .await;
    let (s, html) = app.page("/missing").await;
    assert_eq!(s, 404);
    assert!(html.contains("<h1>Custom 404</h1>"));
    let css = html
        .split("rel=\"stylesheet\" href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(
        app.get("news.localhost", &css).await.text().await.unwrap(),
        "body { color: teal }"
    );
    app.stop().await;
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = TestApp::builder().start().await;
    assert_eq!(app.page("/healthz").await, (200, "ok\n".to_string()));
    assert_eq!(app.page("/readyz").await, (200, "ready\n".to_string()));
    app.stop().await;
}

#[tokio::test]
async fn without_the_page_cache_pages_render_from_the_database_every_time() {
    let app = TestApp::builder().without_page_cache().start().await;
    for _ in 0..2 {
        let r = app
            .get("news.localhost", "/national/rail-line-reopens")
            .await;
        assert_eq!(r.headers()["x-cache"], "OFF");
        assert!(r.headers().get("etag").is_some());
    }
    app.stop().await;
}

#[tokio::test]
async fn shared_parts_of_pages_follow_an_import_at_once_without_the_page_cache() {
    // The "More in National" cards are rendered once and shared by every
    // article of the section (`fragments`): an import's invalidations must
    // reach them at once, not after their minute.
    let app = TestApp::builder().without_page_cache().start().await;
    let (_, before) = app.page("/national/rail-line-reopens").await;
    assert!(!before.contains("Ferry timetable changes for winter"));
    app.import(&[article(
        "news",
        "national",
        "ferry-timetable-winter",
        "Ferry timetable changes for winter",
        "2026-11-21T08:00:00+09:00",
        "",
    )])
    .await;
    let shown = eventually(|| async {
        app.page("/national/rail-line-reopens")
            .await
            .1
            .contains("Ferry timetable changes for winter")
    })
    .await;
    assert!(shown, "the new story is missing from More in National");
    // An article never lists itself among the section's other stories.
    let (_, ferry) = app.page("/national/ferry-timetable-winter").await;
    let more = &ferry[ferry.find("more-heading").unwrap()..];
    assert!(!more.contains("/national/ferry-timetable-winter\""));
    assert!(more.contains("/national/rail-line-reopens"));
    app.stop().await;
}

#[tokio::test]
async fn a_database_lost_while_serving_gives_503_and_service_comes_back() {
    if kawaraban_store::testing::backend() != "postgres" {
        eprintln!("skipped: losing the database server is exercised in the PostgreSQL pass");
        return;
    }
    use sqlx::Connection;
    let app = TestApp::builder().start().await;
    // Warm one page into the cache; it keeps being served while the database is away.
    app.page("/national/rail-line-reopens").await;
    let name = url::Url::parse(&app.db_url)
        .unwrap()
        .path()
        .trim_start_matches('/')
        .to_string();
    let admin_url = std::env::var("KAWARABAN_TEST_PG_URL").unwrap();
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    sqlx::query(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"))
        .execute(&mut admin)
        .await
        .unwrap();
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
        .bind(&name)
        .execute(&mut admin)
        .await
        .unwrap();

    let down = eventually(|| async { app.page("/national/").await.0 == 503 }).await;
    assert!(
        down,
        "an uncached page should answer 503 while the database is away"
    );
    let (status, html) = app.page("/tag/transport").await;
    assert_eq!(status, 503);
    assert!(html.contains("Temporarily unavailable"), "{html}");
    assert_eq!(app.page("/readyz").await.0, 503);
    assert_eq!(app.page("/healthz").await.0, 200);
    assert_eq!(
        app.page("/national/rail-line-reopens").await.0,
        200,
        "cached pages keep being served"
    );

    sqlx::query(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
        .execute(&mut admin)
        .await
        .unwrap();
    let back = eventually(|| async { app.page("/national/").await.0 == 200 }).await;
    assert!(back, "service resumes when the database returns");
    assert_eq!(app.page("/readyz").await.0, 200);
    app.stop().await;
}
