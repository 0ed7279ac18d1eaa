//! Ghost's Admin API over HTTP: tokens signed with admin keys as Ghost's
//! client signs them, posts added, read, edited (a stale `updated_at`
//! refused), published and taken down through the desk's save, images
//! uploaded into the media library, and the errors Ghost's client reads.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use kawaraban_core::api_key::{self, KeyKind, RANDOM_BYTES};
use kawaraban_core::model::{NewApiKey, Role};
use reqwest::Method;
use serde_json::{json, Value};

use crate::support::*;

const NEWS: &str = "news.localhost:8080";
const POSTS: &str = "/ghost/api/admin/posts/";

/// A live admin key acting as `role`: its id and secret, and its row id.
async fn admin_key(app: &TestApp, seed: u8, role: Role) -> (String, String, i64) {
    let issued = api_key::issue(KeyKind::Admin, &[seed; RANDOM_BYTES]);
    let stored = app
        .store
        .add_api_key(
            &NewApiKey {
                name: format!("Wire bot {seed}"),
                kind: KeyKind::Admin,
                lookup: issued.lookup.clone(),
                secret: issued.secret.clone(),
                role: api_key::key_role(KeyKind::Admin, Some(role)).unwrap(),
            },
            now(),
        )
        .await
        .unwrap();
    (issued.lookup, issued.secret.unwrap(), stored.id)
}

/// A token as `@tryghost/admin-api` signs one: issued now, for five minutes.
fn token(id: &str, secret: &str) -> String {
    let iat = now().timestamp();
    signed(
        id,
        secret,
        json!({ "iat": iat, "exp": iat + 300, "aud": "/admin/" }),
    )
}

fn signed(id: &str, secret: &str, claims: Value) -> String {
    let header = Header {
        kid: Some(id.to_string()),
        ..Header::new(Algorithm::HS256)
    };
    let key = EncodingKey::from_secret(&hex::decode(secret).unwrap());
    jsonwebtoken::encode(&header, &claims, &key).unwrap()
}

/// An Admin API client with one key.
struct Admin<'a> {
    app: &'a TestApp,
    id: String,
    secret: String,
    /// The key's row, to revoke it.
    row: i64,
}

impl<'a> Admin<'a> {
    async fn new(app: &'a TestApp, seed: u8, role: Role) -> Admin<'a> {
        let (id, secret, row) = admin_key(app, seed, role).await;
        Admin {
            app,
            id,
            secret,
            row,
        }
    }

    /// A request with a fresh token and a body of `content_type`.
    async fn raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> (u16, Value) {
        let r = self
            .app
            .request(Method::POST, NEWS, path)
            .header(
                "authorization",
                format!("Ghost {}", token(&self.id, &self.secret)),
            )
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}")),
        )
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        auth: Option<String>,
    ) -> (u16, Value) {
        let mut req = self.app.request(method, NEWS, path);
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        let v = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}"))
        };
        (status, v)
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let auth = format!("Ghost {}", token(&self.id, &self.secret));
        self.send(method, path, body, Some(auth)).await
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.call(Method::GET, path, None).await
    }

    /// Adds one post (`?source=html`); the answer's post.
    async fn add(&self, post: Value) -> (u16, Value) {
        let (status, v) = self
            .call(
                Method::POST,
                &format!("{POSTS}?source=html&formats=html"),
                Some(json!({ "posts": [post] })),
            )
            .await;
        (status, first(v))
    }

    async fn edit(&self, id: &str, post: Value) -> (u16, Value) {
        let (status, v) = self
            .call(
                Method::PUT,
                &format!("{POSTS}{id}/?source=html&formats=html"),
                Some(json!({ "posts": [post] })),
            )
            .await;
        (status, first(v))
    }
}

/// The one post of an answer, or the answer itself (an error).
fn first(v: Value) -> Value {
    match v.get("posts") {
        Some(p) => p[0].clone(),
        None => v,
    }
}

fn error_of(v: &Value) -> (&str, &str) {
    let e = &v["errors"][0];
    (
        e["type"]
            .as_str()
            .unwrap_or_else(|| panic!("no error in {v}")),
        e["message"].as_str().unwrap(),
    )
}

#[tokio::test]
async fn a_post_is_added_read_edited_and_published_as_ghosts_client_does() {
    let app = TestApp::builder().with_many(3).start().await;
    let admin = Admin::new(&app, 1, Role::Editor).await;

    let (status, post) = admin
        .add(json!({
            "title": "Ferry timetable changes",
            "html": "<p>The <strong>winter</strong> timetable starts on Monday.</p>",
            "custom_excerpt": "Fewer sailings until March.",
            "tags": ["Politics", { "name": "Ferries" }],
            "authors": [{ "name": "Ren Okabe" }],
            "meta_title": "Ferry timetable",
            "codeinjection_head": "<script>ignored()</script>",
        }))
        .await;
    assert_eq!(status, 201, "{post}");
    assert_eq!(post["status"], "draft");
    assert!(post["published_at"].is_null());
    assert_eq!(post["slug"], "ferry-timetable-changes");
    assert_eq!(post["custom_excerpt"], "Fewer sailings until March.");
    assert_eq!(post["meta_title"], "Ferry timetable");
    assert!(post["codeinjection_head"].is_null());
    assert!(post["html"]
        .as_str()
        .unwrap()
        .contains("<strong>winter</strong>"));
    let tags: Vec<&str> = post["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["Politics", "Ferries"], "kept in the order sent");
    assert_eq!(
        post["primary_tag"]["name"], "Politics",
        "the first is primary"
    );
    assert_eq!(post["primary_author"]["slug"], "ren-okabe");
    // The first tag named a section: the post lives there.
    assert_eq!(
        post["url"],
        "http://news.localhost:8080/politics/ferry-timetable-changes"
    );
    let updated = post["updated_at"].as_str().unwrap().to_string();
    // To the second, the version (1) as its milliseconds.
    assert!(updated.ends_with(".001+00:00"), "{updated}");
    let id = post["id"].as_str().unwrap().to_string();
    // Not on the site yet.
    let (status, _) = app.page("/politics/ferry-timetable-changes").await;
    assert_eq!(status, 404);

    let (status, v) = admin.get(&format!("{POSTS}{id}/?formats=html")).await;
    assert_eq!(status, 200, "{v}");
    let read = first(v);
    assert_eq!(read["title"], "Ferry timetable changes");
    assert_eq!(read["updated_at"], updated.as_str());
    assert_eq!(read["html"], post["html"]);
    let (_, v) = admin.get(&format!("{POSTS}{id}/")).await;
    assert!(
        first(v).get("html").is_none(),
        "html only with formats=html"
    );
    let (_, v) = admin
        .get(&format!("{POSTS}slug/ferry-timetable-changes/"))
        .await;
    assert_eq!(first(v)["id"], id.as_str());

    // An edit from what was read; the fields it leaves out stay.
    let (status, edited) = admin
        .edit(
            &id,
            json!({ "title": "Ferry timetable changes from Monday", "updated_at": updated }),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["title"], "Ferry timetable changes from Monday");
    assert_eq!(edited["custom_excerpt"], "Fewer sailings until March.");
    assert_eq!(edited["slug"], "ferry-timetable-changes");

    // A second edit from the first read is someone else's stale copy.
    let (status, v) = admin
        .edit(
            &id,
            json!({ "title": "Overwritten", "updated_at": updated }),
        )
        .await;
    assert_eq!(status, 409, "{v}");
    assert_eq!(
        error_of(&v),
        (
            "UpdateCollisionError",
            "Saving failed! Someone else is editing this post."
        )
    );
    let (status, v) = admin.edit(&id, json!({ "title": "No time" })).await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["errors"][0]["property"], "updated_at");

    let (status, published) = admin
        .edit(
            &id,
            json!({ "status": "published", "updated_at": edited["updated_at"] }),
        )
        .await;
    assert_eq!(status, 200, "{published}");
    assert_eq!(published["status"], "published");
    assert!(published["published_at"].as_str().is_some());
    let (status, page) = app.page("/politics/ferry-timetable-changes").await;
    assert_eq!(status, 200);
    assert!(page.contains("Ferry timetable changes from Monday"));
    assert!(page.contains("<strong>winter</strong>"));

    // Each save is a version, its history naming the key.
    let revisions = app.store.revisions(id.parse().unwrap(), 10).await.unwrap();
    let notes: Vec<&str> = revisions.iter().map(|r| r.note.as_str()).collect();
    assert_eq!(
        notes,
        [
            "publish (Admin API: Wire bot 1)",
            "save (Admin API: Wire bot 1)",
            "create (Admin API: Wire bot 1)"
        ]
    );
}

#[tokio::test]
async fn tokens_are_checked_as_ghost_checks_them() {
    let app = TestApp::builder().start().await;
    let admin = Admin::new(&app, 2, Role::Editor).await;
    let (id, secret) = (admin.id.clone(), admin.secret.clone());
    let iat = now().timestamp();
    let refused = |v: &Value| {
        let e = &v["errors"][0];
        (
            e["type"].as_str().unwrap().to_string(),
            e["code"].as_str().unwrap_or("").to_string(),
            e["message"].as_str().unwrap().to_string(),
        )
    };
    let cases: Vec<(Option<String>, &str, &str)> = vec![
        (None, "INVALID_AUTH_HEADER", "Authorization header"),
        (
            Some(format!("Bearer {}", token(&id, &secret))),
            "INVALID_AUTH_HEADER",
            "Ghost [token]",
        ),
        (Some("Ghost not.a.token".into()), "INVALID_JWT", "malformed"),
        (
            Some(format!("Ghost {}", token(&id, &"ab".repeat(32)))),
            "INVALID_JWT",
            "invalid signature",
        ),
        (
            Some(format!(
                "Ghost {}",
                signed(
                    &id,
                    &secret,
                    json!({ "iat": iat - 400, "exp": iat - 100, "aud": "/admin/" })
                )
            )),
            "INVALID_JWT",
            "jwt expired",
        ),
        (
            Some(format!(
                "Ghost {}",
                signed(
                    &id,
                    &secret,
                    json!({ "iat": iat, "exp": iat + 3600, "aud": "/admin/" })
                )
            )),
            "INVALID_JWT",
            "longer than 5 minutes",
        ),
        (
            Some(format!(
                "Ghost {}",
                signed(
                    &id,
                    &secret,
                    json!({ "iat": iat, "exp": iat + 300, "aud": "/content/" })
                )
            )),
            "INVALID_JWT",
            "audience",
        ),
        (
            Some(format!("Ghost {}", token(&"0".repeat(24), &secret))),
            "UNKNOWN_ADMIN_API_KEY",
            "Unknown admin key",
        ),
    ];
    for (auth, code, words) in cases {
        let (status, v) = admin.send(Method::GET, POSTS, None, auth.clone()).await;
        assert_eq!(status, 401, "{auth:?}: {v}");
        let (kind, got_code, message) = refused(&v);
        assert_eq!(
            (kind.as_str(), got_code.as_str()),
            ("UnauthorizedError", code),
            "{auth:?}"
        );
        assert!(message.contains(words), "{auth:?}: {message}");
    }
    // An older client's audience is still the Admin API's.
    let v4 = signed(
        &id,
        &secret,
        json!({ "iat": iat, "exp": iat + 300, "aud": "/v4/admin/" }),
    );
    let (status, _) = admin
        .send(Method::GET, POSTS, None, Some(format!("Ghost {v4}")))
        .await;
    assert_eq!(status, 200);

    // A revoked key stops at once.
    let revoked = Admin::new(&app, 4, Role::Editor).await;
    assert_eq!(revoked.get(POSTS).await.0, 200);
    app.store.revoke_api_key(revoked.row, now()).await.unwrap();
    let (status, v) = revoked.get(POSTS).await;
    assert_eq!(status, 401);
    assert_eq!(refused(&v).1, "UNKNOWN_ADMIN_API_KEY");

    // Failed attempts from one address are limited; the limit answers in
    // Ghost's shape too.
    let mut last = 0;
    for _ in 0..25 {
        last = admin
            .send(Method::GET, POSTS, None, Some("Ghost x".into()))
            .await
            .0;
    }
    assert_eq!(last, 429);
    let (status, v) = admin.get(POSTS).await;
    assert_eq!(status, 429, "{v}");
    assert_eq!(error_of(&v).0, "TooManyRequestsError");
}

#[tokio::test]
async fn bad_posts_are_refused_naming_the_field_and_nothing_is_saved() {
    let app = TestApp::builder().start().await;
    let admin = Admin::new(&app, 5, Role::Editor).await;
    let total = |v: &Value| v["meta"]["pagination"]["total"].as_u64().unwrap();
    let (_, before) = admin.get(POSTS).await;

    let (status, v) = admin
        .raw(
            POSTS,
            "application/json",
            b"{\"posts\": [{\"title\": ".to_vec(),
        )
        .await;
    assert_eq!((status, error_of(&v).0), (400, "BadRequestError"), "{v}");

    let later = (now() + chrono::Duration::hours(2)).to_rfc3339();
    let soon = (now() + chrono::Duration::hours(1)).to_rfc3339();
    let cases = [
        (
            json!({ "title": "Flag", "featured": "yes" }),
            "featured",
            "true or false",
        ),
        (json!({ "title": 7 }), "title", "string"),
        (json!({ "title": "Tags", "tags": "rail" }), "tags", "list"),
        (
            json!({ "title": "Slug", "slug": "Not A Slug" }),
            "slug",
            "lower-case",
        ),
        (
            json!({ "title": "Taken", "slug": "rail-line-reopens" }),
            "slug",
            "taken",
        ),
        (
            json!({ "title": "Early", "status": "scheduled", "published_at": soon, "embargo_until": later }),
            "published_at",
            "embargoed",
        ),
        (
            json!({ "title": "Lexical", "lexical": "{\"root\":{}}" }),
            "lexical",
            "?source=html",
        ),
        (
            json!({ "title": "Image", "feature_image": "https://elsewhere.example/cat.jpg" }),
            "feature_image",
            "media library",
        ),
        (
            json!({ "title": "When", "status": "scheduled" }),
            "published_at",
            "ahead",
        ),
        (
            json!({ "title": "Sent", "status": "sent" }),
            "status",
            "draft, published or scheduled",
        ),
        (json!({ "title": "" }), "title", "headline"),
    ];
    for (post, property, words) in cases {
        let (status, v) = admin.add(post.clone()).await;
        assert_eq!(status, 422, "{post}: {v}");
        let e = &v["errors"][0];
        assert_eq!(e["type"], "ValidationError", "{post}");
        assert_eq!(e["property"], property, "{post}: {v}");
        assert!(
            e["message"].as_str().unwrap().contains(words),
            "{post}: {}",
            e["message"]
        );
    }
    // Without ?source=html, html is not the body.
    let (status, v) = admin
        .call(
            Method::POST,
            POSTS,
            Some(json!({ "posts": [{ "title": "No source", "html": "<p>Hi</p>" }] })),
        )
        .await;
    assert_eq!(
        (status, v["errors"][0]["property"].as_str()),
        (422, Some("html"))
    );
    let (_, after) = admin.get(POSTS).await;
    assert_eq!(total(&after), total(&before), "nothing was saved");
}

#[tokio::test]
async fn an_authors_key_works_on_the_posts_it_added_and_no_others() {
    let app = TestApp::builder().start().await;
    let author = Admin::new(&app, 6, Role::Author).await;
    let other = Admin::new(&app, 7, Role::Author).await;
    let (status, post) = author
        .add(json!({ "title": "Wire: port strike ends", "html": "<p>Dockers return.</p>", "status": "published" }))
        .await;
    assert_eq!(status, 201, "{post}");
    assert_eq!(post["status"], "published");
    let id = post["id"].as_str().unwrap();
    // Its own post: read, edited and taken down, as an author on the desk.
    let (status, read) = author.get(&format!("{POSTS}{id}/")).await;
    assert_eq!(status, 200, "{read}");
    let (status, edited) = author
        .edit(
            id,
            json!({ "title": "Port strike ends after nine days", "updated_at": post["updated_at"] }),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["title"], "Port strike ends after nine days");
    // Another author's key: none of it.
    let (status, v) = other.get(&format!("{POSTS}{id}/")).await;
    assert_eq!((status, error_of(&v).0), (403, "NoPermissionError"), "{v}");
    let (status, v) = other
        .edit(
            id,
            json!({ "title": "Changed", "updated_at": edited["updated_at"] }),
        )
        .await;
    assert_eq!((status, error_of(&v).0), (403, "NoPermissionError"), "{v}");
    let (status, v) = other
        .call(Method::DELETE, &format!("{POSTS}{id}/"), None)
        .await;
    assert_eq!(status, 403, "{v}");
    // Nor the list of every post.
    let (status, v) = author.get(POSTS).await;
    assert_eq!(status, 403, "{v}");
    assert!(error_of(&v).1.contains("the ones it added"), "{v}");
    let (status, _) = author
        .call(Method::DELETE, &format!("{POSTS}{id}/"), None)
        .await;
    assert_eq!(status, 204, "its own post taken down");
    let (_, after) = author.get(&format!("{POSTS}{id}/")).await;
    assert_eq!(
        first(after)["status"],
        "draft",
        "taken down: a draft to Ghost"
    );
}

/// A multipart form with one file field, as Ghost's client sends an upload.
fn upload_body(file: &[u8], name: &str) -> (String, Vec<u8>) {
    let boundary = "ghost-admin-test-5e2a";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nimage\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"ref\"\r\n\r\nhero-1\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: image/jpeg\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(admin: &Admin<'_>, file: &[u8], name: &str) -> (u16, Value) {
    let (kind, body) = upload_body(file, name);
    admin
        .raw("/ghost/api/admin/images/upload/", &kind, body)
        .await
}

#[tokio::test]
async fn uploaded_images_become_feature_images() {
    let app = TestApp::builder().start().await;
    let admin = Admin::new(&app, 7, Role::Editor).await;
    let jpeg = kawaraban_content::demo::artwork::paint_jpeg("ghost-admin-upload");
    let (status, v) = upload(&admin, &jpeg, "harbour.jpg").await;
    assert_eq!(status, 201, "{v}");
    let image = &v["images"][0];
    assert_eq!(image["ref"], "hero-1");
    let url = image["url"].as_str().unwrap();
    assert!(
        url.starts_with("http://news.localhost:8080/media/"),
        "{url}"
    );
    assert!(url.ends_with(".jpg"), "{url}");
    let (status, _) = app
        .page(url.trim_start_matches("http://news.localhost:8080"))
        .await;
    assert_eq!(status, 200);
    let library = app.store.library("harbour", None, 10).await.unwrap();
    assert_eq!(
        library.len(),
        1,
        "named after its file in the media library"
    );

    let (status, post) = admin
        .add(json!({
            "title": "Harbour at dawn",
            "html": "<p>Boats.</p>",
            "feature_image": url,
            "feature_image_alt": "Fishing boats at their moorings",
            "feature_image_caption": "<em>Dawn</em> at the harbour",
        }))
        .await;
    assert_eq!(status, 201, "{post}");
    assert_eq!(post["feature_image"], url);
    assert_eq!(post["feature_image_alt"], "Fishing boats at their moorings");
    assert_eq!(post["feature_image_caption"], "Dawn at the harbour");

    let (status, v) = upload(&admin, b"GIF89a not really", "cat.gif").await;
    assert_eq!(status, 415, "{v}");
    assert_eq!(error_of(&v).0, "UnsupportedMediaTypeError");
}

#[tokio::test]
async fn browse_filters_and_takes_down() {
    let app = TestApp::builder().with_many(4).start().await;
    let admin = Admin::new(&app, 8, Role::Editor).await;
    let (_, draft) = admin
        .add(json!({ "title": "Draft budget notes", "html": "<p>Notes.</p>" }))
        .await;

    let (status, v) = admin
        .get(&format!("{POSTS}?limit=2&order=published_at%20desc"))
        .await;
    assert_eq!(status, 200, "{v}");
    let p = &v["meta"]["pagination"];
    // The wire story, four budget stories and the draft.
    assert_eq!(
        (p["total"].as_u64(), p["pages"].as_u64()),
        (Some(6), Some(3))
    );
    assert_eq!(v["posts"][0]["id"], draft["id"], "its time is its making's");
    assert!(v["posts"][0]["tags"].is_array() && v["posts"][0]["authors"].is_array());
    let (_, page3) = admin.get(&format!("{POSTS}?limit=2&page=3")).await;
    assert_eq!(page3["posts"].as_array().unwrap().len(), 2);
    assert_eq!(page3["meta"]["pagination"]["prev"], 2);

    let (_, drafts) = admin.get(&format!("{POSTS}?filter=status:draft")).await;
    let ids: Vec<&Value> = drafts["posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["id"])
        .collect();
    assert_eq!(ids, [&draft["id"]]);
    let (_, featured) = admin.get(&format!("{POSTS}?filter=featured:true")).await;
    assert_eq!(featured["posts"][0]["slug"], "rail-line-reopens");
    assert_eq!(featured["meta"]["pagination"]["total"], 1);
    let (_, tagged) = admin
        .get(&format!("{POSTS}?filter=tag:transport&limit=all"))
        .await;
    assert_eq!(tagged["meta"]["pagination"]["total"], 5);
    let (status, v) = admin.get(&format!("{POSTS}?filter=title:~'x'")).await;
    assert_eq!((status, error_of(&v).0), (422, "ValidationError"));

    // DELETE takes a published post down; the story is kept.
    let (_, v) = admin.get(&format!("{POSTS}slug/rail-line-reopens/")).await;
    let rail = first(v);
    let id = rail["id"].as_str().unwrap();
    let (status, _) = admin
        .call(Method::DELETE, &format!("{POSTS}{id}/"), None)
        .await;
    assert_eq!(status, 204);
    let (status, _) = app.page("/national/rail-line-reopens").await;
    assert_eq!(status, 410);
    let (_, v) = admin.get(&format!("{POSTS}{id}/")).await;
    assert_eq!(first(v)["status"], "draft");
    let (status, _) = admin
        .call(
            Method::DELETE,
            &format!("{POSTS}{}/", draft["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (status, v) = admin.get(&format!("{POSTS}999999/")).await;
    assert_eq!((status, error_of(&v).0), (404, "NotFoundError"));

    let (status, v) = admin
        .send(Method::GET, "/ghost/api/admin/site/", None, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(v["site"]["title"], "The Test Post");
    assert_eq!(v["site"]["url"], "http://news.localhost:8080/");
}
