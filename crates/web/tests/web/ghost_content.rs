//! Ghost's Content API over HTTP: keys, the posts list and its parameters,
//! one post, tags, authors, settings, and the errors Ghost's clients read.

use kawaraban_core::api_key::{self, KeyKind, RANDOM_BYTES};
use kawaraban_core::model::NewApiKey;
use serde_json::Value;

use crate::support::*;

const NEWS: &str = "news.localhost:8080";

/// A live content key.
async fn content_key(app: &TestApp, seed: u8) -> (String, i64) {
    let issued = api_key::issue(KeyKind::Content, &[seed; RANDOM_BYTES]);
    let stored = app
        .store
        .add_api_key(
            &NewApiKey {
                name: format!("Front end {seed}"),
                kind: KeyKind::Content,
                lookup: issued.lookup.clone(),
                secret: None,
                role: api_key::key_role(KeyKind::Content, None).unwrap(),
            },
            now(),
        )
        .await
        .unwrap();
    (issued.shown, stored.id)
}

async fn json(app: &TestApp, path: &str) -> (u16, Value, reqwest::header::HeaderMap) {
    let r = app.get(NEWS, path).await;
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    let v = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}"));
    (status, v, headers)
}

fn error_of(v: &Value) -> (&str, &str) {
    let e = &v["errors"][0];
    (e["type"].as_str().unwrap(), e["message"].as_str().unwrap())
}

fn app() -> Builder {
    let (name, text) = article(
        "news",
        "national",
        "ports-reopen",
        "Ports reopen",
        "2026-11-21T08:00:00+09:00",
        "",
    );
    let text = text
        .replace(
            "authors: [Aiko Tanabe]",
            "authors: [Ren Okabe, Aiko Tanabe]",
        )
        .replace("tags: [Transport]", "tags: [Ports, Transport]");
    TestApp::builder()
        .with_article(wire_article())
        .with_many(20)
        .with_article((name, text))
}

#[tokio::test]
async fn posts_page_through_with_tags_authors_and_counts() {
    let app = app().start().await;
    let (key, _) = content_key(&app, 1).await;
    let (status, v, headers) = json(
        &app,
        &format!("/ghost/api/content/posts/?key={key}&include=tags,authors&limit=15"),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(headers["access-control-allow-origin"], "*");
    assert_eq!(headers["content-type"], "application/json");
    let posts = v["posts"].as_array().unwrap();
    assert_eq!(posts.len(), 15);
    let p = &v["meta"]["pagination"];
    assert_eq!(
        (p["page"].as_u64(), p["limit"].as_u64(), p["total"].as_u64()),
        (Some(1), Some(15), Some(22))
    );
    assert_eq!(
        (p["pages"].as_u64(), p["next"].as_u64()),
        (Some(2), Some(2))
    );
    assert!(p["prev"].is_null());
    // Newest first: the ports story, then the rail story.
    let first = &posts[0];
    assert_eq!(first["slug"], "ports-reopen");
    assert_eq!(first["title"], "Ports reopen");
    assert_eq!(
        first["url"],
        "http://news.localhost:8080/national/ports-reopen"
    );
    assert!(first["html"]
        .as_str()
        .unwrap()
        .contains("First paragraph about Ports reopen."));
    assert_eq!(first["custom_excerpt"], "Summary of Ports reopen.");
    assert_eq!(first["primary_author"]["name"], "Ren Okabe");
    let authors: Vec<&str> = first["authors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["slug"].as_str().unwrap())
        .collect();
    assert_eq!(authors, ["ren-okabe", "aiko-tanabe"]);
    let tags: Vec<&str> = first["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["Ports", "Transport"]);
    assert_eq!(
        first["tags"][0]["url"],
        "http://news.localhost:8080/tag/ports"
    );
    assert!(
        first["published_at"]
            .as_str()
            .unwrap()
            .ends_with(".000+00:00"),
        "{}",
        first["published_at"]
    );
    let rail = &posts[1];
    assert_eq!(rail["slug"], "rail-line-reopens");
    assert_eq!(rail["featured"], true);
    let image = rail["feature_image"].as_str().unwrap();
    assert!(
        image.starts_with("http://news.localhost:8080/media/"),
        "{image}"
    );
    assert_eq!(
        rail["feature_image_caption"],
        "Workers check the rebuilt embankment."
    );
    // Every field of a post is one `fields` may name, and gives the same.
    let names: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert!(names.len() > 30, "{names:?}");
    let (status, all, _) = json(
        &app,
        &format!(
            "/ghost/api/content/posts/?key={key}&include=tags,authors&limit=15&fields={}",
            names.join(",")
        ),
    )
    .await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(&all["posts"][0], first);
    // Stable ids, one per post.
    let uuids: std::collections::BTreeSet<&str> =
        posts.iter().map(|p| p["uuid"].as_str().unwrap()).collect();
    assert_eq!(uuids.len(), 15);
    assert!(uuids.contains(all["posts"][0]["uuid"].as_str().unwrap()));
    assert_eq!(first["uuid"].as_str().unwrap().len(), 36);

    // The second page holds the rest.
    let (_, v, _) = json(&app, &format!("/ghost/api/content/posts/?key={key}&page=2")).await;
    assert_eq!(v["posts"].as_array().unwrap().len(), 7);
    assert!(v["meta"]["pagination"]["next"].is_null());
    assert_eq!(v["meta"]["pagination"]["prev"], 1);
    assert!(
        v["posts"][0].get("tags").is_none(),
        "tags only when included"
    );

    // Filters, fields and a limit.
    let (_, v, _) = json(
        &app,
        &format!("/ghost/api/content/posts/?key={key}&filter=tag:ports"),
    )
    .await;
    assert_eq!(v["posts"].as_array().unwrap().len(), 1);
    assert_eq!(v["meta"]["pagination"]["total"], 1);
    let (_, v, _) = json(
        &app,
        &format!("/ghost/api/content/posts/?key={key}&filter=featured:true&fields=title,slug"),
    )
    .await;
    assert_eq!(
        v["posts"][0],
        serde_json::json!({"title": "Rail line reopens after typhoon repairs", "slug": "rail-line-reopens"})
    );
    let (_, v, _) = json(
        &app,
        &format!("/ghost/api/content/posts/?key={key}&filter=authors.slug:'ren-okabe'&limit=1"),
    )
    .await;
    assert_eq!(v["posts"][0]["slug"], "ports-reopen");
    let (_, v, _) = json(
        &app,
        &format!("/ghost/api/content/posts/?key={key}&filter=tag:no-such-tag"),
    )
    .await;
    assert_eq!(v["posts"], serde_json::json!([]));
    assert_eq!(v["meta"]["pagination"]["total"], 0);
    app.stop().await;
}

#[tokio::test]
async fn one_post_tags_authors_settings_and_pages() {
    let app = app().start().await;
    let (key, _) = content_key(&app, 2).await;
    let (status, v, _) = json(
        &app,
        &format!("/ghost/api/content/posts/slug/rail-line-reopens/?key={key}&include=authors"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        v["posts"][0]["title"],
        "Rail line reopens after typhoon repairs"
    );
    assert_eq!(v["posts"][0]["primary_author"]["slug"], "aiko-tanabe");
    let (status, v, _) = json(
        &app,
        &format!("/ghost/api/content/posts/slug/nothing-here/?key={key}"),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(error_of(&v).0, "NotFoundError");
    let (_, v, _) = json(
        &app,
        &format!("/ghost/api/content/tags/slug/transport/?key={key}"),
    )
    .await;
    assert_eq!(v["tags"][0]["name"], "Transport");
    let (_, v, _) = json(
        &app,
        &format!("/ghost/api/content/authors/slug/aiko-tanabe/?key={key}"),
    )
    .await;
    assert_eq!(v["authors"][0]["name"], "Aiko Tanabe");
    assert_eq!(
        v["authors"][0]["url"],
        "http://news.localhost:8080/author/aiko-tanabe"
    );
    // The site's tags and authors, by name, a page at a time.
    let (_, v, _) = json(
        &app,
        &format!("/ghost/api/content/tags/?key={key}&limit=all"),
    )
    .await;
    let names: Vec<&str> = v["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Ports", "Transport"]);
    assert_eq!(v["meta"]["pagination"]["total"], 2);
    let (_, v, _) = json(
        &app,
        &format!("/ghost/api/content/authors/?key={key}&limit=1&page=2"),
    )
    .await;
    assert_eq!(v["authors"][0]["name"], "Ren Okabe");
    assert_eq!(v["meta"]["pagination"]["pages"], 2);
    let (status, v, _) = json(
        &app,
        &format!("/ghost/api/content/tags/?key={key}&include=count.posts"),
    )
    .await;
    assert_eq!(status, 400);
    assert!(error_of(&v).1.contains("include"));
    let (_, v, _) = json(&app, &format!("/ghost/api/content/settings/?key={key}")).await;
    assert_eq!(v["settings"]["url"], "http://news.localhost:8080/");
    assert!(v["settings"]["navigation"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["url"] == "/national/"));
    let (status, v, _) = json(&app, &format!("/ghost/api/content/pages/?key={key}")).await;
    assert_eq!(status, 200);
    assert_eq!(v["pages"], serde_json::json!([]));
    app.stop().await;
}

#[tokio::test]
async fn keys_and_parameters_are_refused_with_a_clear_message() {
    let app = app().start().await;
    let (key, id) = content_key(&app, 3).await;
    for (path, status, kind, needle) in [
        (
            "/ghost/api/content/posts/".to_string(),
            401,
            "UnauthorizedError",
            "content key is needed",
        ),
        (
            "/ghost/api/content/posts/?key=nothex".to_string(),
            401,
            "UnauthorizedError",
            "26 hexadecimal",
        ),
        (
            format!("/ghost/api/content/posts/?key={}", "a".repeat(26)),
            401,
            "UnauthorizedError",
            "never issued",
        ),
        (
            format!("/ghost/api/content/posts/?key={key}&limit=500"),
            400,
            "ValidationError",
            "limit",
        ),
        (
            format!("/ghost/api/content/posts/?key={key}&page=0"),
            400,
            "ValidationError",
            "page",
        ),
        (
            format!("/ghost/api/content/posts/?key={key}&include=count.posts"),
            400,
            "ValidationError",
            "include",
        ),
        (
            format!("/ghost/api/content/posts/?key={key}&fields=titel"),
            400,
            "ValidationError",
            "titel",
        ),
        (
            format!("/ghost/api/content/posts/?key={key}&filter=visibility:paid"),
            400,
            "ValidationError",
            "tag:SLUG",
        ),
        (
            format!("/ghost/api/content/posts/?key={key}&order=title%20asc"),
            400,
            "ValidationError",
            "newest first",
        ),
    ] {
        let (got, v, headers) = json(&app, &path).await;
        assert_eq!(got, status, "{path}: {v}");
        let (k, message) = error_of(&v);
        assert_eq!(k, kind, "{path}");
        assert!(message.contains(needle), "{path}: {message}");
        assert_eq!(
            headers["content-type"], "application/json",
            "{path}: JSON, not a themed page"
        );
    }
    // A revoked key stops working at once.
    let ok = format!("/ghost/api/content/posts/?key={key}&limit=1");
    assert_eq!(json(&app, &ok).await.0, 200);
    assert!(app.store.revoke_api_key(id, now()).await.unwrap());
    let (status, v, _) = json(&app, &ok).await;
    assert_eq!(status, 401, "{v}");
    assert!(error_of(&v).1.contains("revoked"));
    app.stop().await;
}
