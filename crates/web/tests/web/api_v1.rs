//! API v1 over HTTP: reads with a content key (cursor pages that neither
//! repeat nor skip while a story is published between them, ETags and
//! 304), writes with an admin key through the desk's save (`If-Match`,
//! 412 and 428), every error a problem document naming what was wrong,
//! and each answer checked against the OpenAPI document's schema for it.

use kawaraban_core::api_key::{self, KeyKind, RANDOM_BYTES};
use kawaraban_core::model::{NewApiKey, Role};
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::{json, Value};

use crate::support::*;

pub(crate) const NEWS: &str = "news.localhost:8080";
pub(crate) const STORIES: &str = "/api/v1/stories";

/// A live key of `kind`: what the client sends, and its row id.
pub(crate) async fn key(
    app: &TestApp,
    seed: u8,
    kind: KeyKind,
    role: Option<Role>,
) -> (String, i64) {
    let issued = api_key::issue(kind, &[seed; RANDOM_BYTES]);
    let stored = app
        .store
        .add_api_key(
            &NewApiKey {
                name: format!("Integration {seed}"),
                kind,
                lookup: issued.lookup.clone(),
                secret: issued.secret.clone(),
                role: api_key::key_role(kind, role).unwrap(),
            },
            now(),
        )
        .await
        .unwrap();
    let sent = match issued.secret {
        Some(secret) => format!("{}:{secret}", issued.lookup),
        None => issued.shown,
    };
    (sent, stored.id)
}

/// An answer: status, headers and body (`Null` when empty).
pub(crate) struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn etag(&self) -> &str {
        self.headers["etag"].to_str().unwrap()
    }

    /// The problem's one field error: (field, message).
    pub fn field_error(&self) -> (&str, &str) {
        let e = &self.body["errors"][0];
        (
            e["field"]
                .as_str()
                .unwrap_or_else(|| panic!("no field error in {}", self.body)),
            e["message"].as_str().unwrap(),
        )
    }

    /// Asserts a problem document of `status`.
    pub fn assert_problem(&self, status: u16) {
        assert_eq!(self.status, status, "{}", self.body);
        let kind = self
            .headers
            .get("content-type")
            .map(|v| v.to_str().unwrap());
        assert_eq!(
            kind,
            Some("application/problem+json"),
            "{status}: {}",
            self.body
        );
        assert_eq!(self.body["status"], status);
        assert_eq!(self.body["type"], "about:blank");
        assert!(self.body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
}

/// A client of the API with one key (or none).
pub(crate) struct Client<'a> {
    pub app: &'a TestApp,
    pub auth: Option<String>,
}

impl<'a> Client<'a> {
    pub fn new(app: &'a TestApp, key: &str) -> Self {
        Client {
            app,
            auth: Some(format!("Bearer {key}")),
        }
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Answer {
        let mut req = self.app.request(method, NEWS, path);
        if let Some(a) = &self.auth {
            req = req.header("authorization", a);
        }
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        if let Some(b) = body {
            req = req.body(b);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap();
        let body = match text.as_str() {
            "" => Value::Null,
            t => serde_json::from_str(t).unwrap_or_else(|e| panic!("{path}: {e}: {t}")),
        };
        Answer {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, &[], None).await
    }

    pub async fn write(
        &self,
        method: Method,
        path: &str,
        if_match: Option<&str>,
        body: Value,
    ) -> Answer {
        let mut headers = vec![("content-type", "application/json")];
        if let Some(tag) = if_match {
            headers.push(("if-match", tag));
        }
        self.send(method, path, &headers, Some(body.to_string().into_bytes()))
            .await
    }
}

/// The OpenAPI document the server serves.
pub(crate) async fn document(app: &TestApp) -> Value {
    let r = app.get(NEWS, "/api/openapi.json").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
    serde_json::from_str(&r.text().await.unwrap()).unwrap()
}

/// A validator for the document's schema `name`, its `$ref`s resolved
/// within the document.
pub(crate) fn schema(doc: &Value, name: &str) -> jsonschema::Validator {
    let s = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": doc["components"],
        "$ref": format!("#/components/schemas/{name}"),
    });
    jsonschema::validator_for(&s).unwrap_or_else(|e| panic!("schema {name}: {e}"))
}

/// Asserts that `answer` is what the document says `path`'s `method`
/// answers with its status: a status it lists, and a body of its schema.
pub(crate) fn conforms(doc: &Value, path: &str, method: &str, answer: &Answer) {
    let op = &doc["paths"][path][method];
    assert!(op.is_object(), "{method} {path} is not in the document");
    let mut listed = &op["responses"][answer.status.to_string()];
    assert!(
        listed.is_object(),
        "{method} {path}: {} is not in the document",
        answer.status
    );
    if let Some(r) = listed["$ref"].as_str() {
        let name = r.trim_start_matches("#/components/responses/");
        listed = &doc["components"]["responses"][name];
    }
    let Some((media, content)) = listed["content"].as_object().and_then(|c| c.iter().next()) else {
        assert!(
            answer.body.is_null(),
            "{method} {path}: a body where none is said"
        );
        return;
    };
    assert_eq!(answer.headers["content-type"], media.as_str());
    let Some(name) = content["schema"]["$ref"].as_str() else {
        return;
    };
    let name = name.trim_start_matches("#/components/schemas/");
    if let Err(e) = schema(doc, name).validate(&answer.body) {
        panic!(
            "{method} {path} {}: not a {name}: {e}: {}",
            answer.status, answer.body
        );
    }
}

fn app() -> Builder {
    TestApp::builder().with_many(12)
}

#[tokio::test]
async fn stories_page_through_by_cursor_without_repeats_or_gaps_while_one_is_published() {
    let app = app().start().await;
    let doc = document(&app).await;
    let (content, _) = key(&app, 1, KeyKind::Content, None).await;
    let (admin, _) = key(&app, 2, KeyKind::Admin, Some(Role::Editor)).await;
    let reader = Client::new(&app, &content);

    let mut seen = Vec::new();
    let mut path = format!("{STORIES}?limit=5");
    let mut pages = 0;
    loop {
        let page = reader.get(&path).await;
        assert_eq!(page.status, 200, "{}", page.body);
        conforms(&doc, "/api/v1/stories", "get", &page);
        let items = page.body["items"].as_array().unwrap();
        assert!(items.len() <= 5);
        for s in items {
            assert_eq!(s["status"], "published");
            seen.push((
                s["published_at"].as_str().unwrap().to_string(),
                s["id"].as_i64().unwrap(),
            ));
        }
        pages += 1;
        if pages == 1 {
            // Published between two pages: newer than all, so on no later page.
            let made = Client::new(&app, &admin)
                .write(
                    Method::POST,
                    STORIES,
                    None,
                    json!({ "title": "Harbour fire out", "section": "politics", "body": "Crews left at dawn.", "status": "published" }),
                )
                .await;
            assert_eq!(made.status, 201, "{}", made.body);
        }
        match page.body["next"].as_str() {
            Some(next) => path = format!("{STORIES}?limit=5&after={next}"),
            None => break,
        }
    }
    // The wire story and the twelve, once each, newest first.
    assert_eq!(seen.len(), 13, "{seen:?}");
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    sorted.dedup();
    assert_eq!(sorted.len(), 13);
    assert_eq!(pages, 3);

    // From the start again, the new story comes first.
    let first = reader.get(&format!("{STORIES}?limit=1")).await;
    assert_eq!(first.body["items"][0]["title"], "Harbour fire out");

    // The key as ?key= works as well as the bearer.
    let by_query = Client {
        app: &app,
        auth: None,
    }
    .get(&format!("{STORIES}?key={content}&limit=2"))
    .await;
    assert_eq!(by_query.status, 200);
    assert_eq!(by_query.body["items"].as_array().unwrap().len(), 2);

    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("after=not-a-cursor", "after"),
        ("page=2", "page"),
    ] {
        let bad = reader.get(&format!("{STORIES}?{query}")).await;
        bad.assert_problem(400);
        assert_eq!(bad.field_error().0, field, "{query}");
        conforms(&doc, "/api/v1/stories", "get", &bad);
    }
}

#[tokio::test]
async fn a_story_has_its_version_as_etag_and_answers_304_while_unchanged() {
    let app = app().start().await;
    let doc = document(&app).await;
    let (content, _) = key(&app, 1, KeyKind::Content, None).await;
    let reader = Client::new(&app, &content);
    let id = reader.get(&format!("{STORIES}?limit=1")).await.body["items"][0]["id"]
        .as_i64()
        .unwrap();
    let path = format!("{STORIES}/{id}");

    let one = reader.get(&path).await;
    assert_eq!(one.status, 200, "{}", one.body);
    conforms(&doc, "/api/v1/stories/{id}", "get", &one);
    let tag = format!("\"v{}\"", one.body["version"]);
    assert_eq!(one.etag(), tag);

    let again = reader
        .send(Method::GET, &path, &[("if-none-match", &tag)], None)
        .await;
    assert_eq!(again.status, 304);
    assert_eq!(again.etag(), tag);
    assert!(again.body.is_null());
    let other = reader
        .send(Method::GET, &path, &[("if-none-match", "\"v999\"")], None)
        .await;
    assert_eq!(other.status, 200);

    for missing in [format!("{STORIES}/999999"), format!("{STORIES}/nine")] {
        let none = reader.get(&missing).await;
        none.assert_problem(404);
        conforms(&doc, "/api/v1/stories/{id}", "get", &none);
    }
}

#[tokio::test]
async fn sections_tags_and_authors_are_listed() {
    let app = app().start().await;
    let doc = document(&app).await;
    let (content, _) = key(&app, 1, KeyKind::Content, None).await;
    let reader = Client::new(&app, &content);
    for path in ["/api/v1/sections", "/api/v1/tags", "/api/v1/authors"] {
        let list = reader.get(path).await;
        assert_eq!(list.status, 200, "{path}: {}", list.body);
        conforms(&doc, path, "get", &list);
        assert!(!list.body["items"].as_array().unwrap().is_empty(), "{path}");
        let bad = reader.get(&format!("{path}?limit=5")).await;
        bad.assert_problem(400);
        conforms(&doc, path, "get", &bad);
    }
    let sections = reader.get("/api/v1/sections").await;
    assert!(sections.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["slug"] == "politics"));
}

#[tokio::test]
async fn keys_missing_wrong_or_revoked_are_refused() {
    let app = app().start().await;
    let doc = document(&app).await;
    let (content, content_row) = key(&app, 1, KeyKind::Content, None).await;
    let (admin, admin_row) = key(&app, 2, KeyKind::Admin, Some(Role::Editor)).await;

    let none = Client {
        app: &app,
        auth: None,
    }
    .get(STORIES)
    .await;
    none.assert_problem(401);
    conforms(&doc, "/api/v1/stories", "get", &none);
    for wrong in ["0123", "0123456789abcdef0123456789", "Basic abc"] {
        let c = Client {
            app: &app,
            auth: Some(if wrong.contains(' ') {
                wrong.to_string()
            } else {
                format!("Bearer {wrong}")
            }),
        };
        c.get(STORIES).await.assert_problem(401);
    }
    // An admin key with another secret, and a content key, do not write.
    let (id, _) = admin.split_once(':').unwrap();
    let forged = Client::new(&app, &format!("{id}:{}", "0".repeat(64)));
    let body = json!({ "title": "Forged", "section": "politics" });
    let refused = forged
        .write(Method::POST, STORIES, None, body.clone())
        .await;
    refused.assert_problem(401);
    conforms(&doc, "/api/v1/stories", "post", &refused);
    // A live content key is known but not enough: 403.
    let reads_only = Client::new(&app, &content)
        .write(Method::POST, STORIES, None, body.clone())
        .await;
    reads_only.assert_problem(403);
    conforms(&doc, "/api/v1/stories", "post", &reads_only);

    // The admin key reads too; revoked, neither works any more.
    assert_eq!(Client::new(&app, &admin).get(STORIES).await.status, 200);
    assert!(app.store.revoke_api_key(content_row, now()).await.unwrap());
    assert!(app.store.revoke_api_key(admin_row, now()).await.unwrap());
    Client::new(&app, &content)
        .get(STORIES)
        .await
        .assert_problem(401);
    Client::new(&app, &admin)
        .write(Method::POST, STORIES, None, body)
        .await
        .assert_problem(401);
}

#[tokio::test]
async fn a_story_is_created_then_patched_from_its_etag_and_a_stale_one_refused() {
    let app = app().start().await;
    let doc = document(&app).await;
    let (admin, _) = key(&app, 2, KeyKind::Admin, Some(Role::Editor)).await;
    let (content, _) = key(&app, 1, KeyKind::Content, None).await;
    let editor = Client::new(&app, &admin);
    let reader = Client::new(&app, &content);

    let made = editor
        .write(
            Method::POST,
            STORIES,
            None,
            json!({
                "title": "Ferry timetable changes",
                "slug": "ferry-timetable",
                "section": "politics",
                "tags": ["Ferries"],
                "authors": ["Ren Okabe"],
                "body": "The **winter** timetable starts on Monday.",
            }),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    conforms(&doc, "/api/v1/stories", "post", &made);
    assert_eq!(made.body["status"], "draft");
    let id = made.body["id"].as_i64().unwrap();
    let path = format!("{STORIES}/{id}");
    assert_eq!(made.headers["location"], path.as_str());
    let first = made.etag().to_string();
    assert_eq!(first, format!("\"v{}\"", made.body["version"]));

    // A draft is not for readers; an editor's admin key reads it.
    reader.get(&path).await.assert_problem(404);
    assert_eq!(editor.get(&path).await.etag(), first);

    let no_tag = editor
        .write(
            Method::PATCH,
            &path,
            None,
            json!({ "title": "Ferry times" }),
        )
        .await;
    no_tag.assert_problem(428);
    conforms(&doc, "/api/v1/stories/{id}", "patch", &no_tag);

    let published = editor
        .write(
            Method::PATCH,
            &path,
            Some(&first),
            json!({ "title": "Ferry times change", "status": "published" }),
        )
        .await;
    assert_eq!(published.status, 200, "{}", published.body);
    conforms(&doc, "/api/v1/stories/{id}", "patch", &published);
    assert_eq!(published.body["status"], "published");
    assert_eq!(published.body["tags"], json!(["Ferries"]));
    let second = published.etag().to_string();
    assert_ne!(second, first);

    // From the first version again: someone saved since.
    let stale = editor
        .write(
            Method::PATCH,
            &path,
            Some(&first),
            json!({ "title": "Mine" }),
        )
        .await;
    stale.assert_problem(412);
    conforms(&doc, "/api/v1/stories/{id}", "patch", &stale);

    let read = reader.get(&path).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body["title"], "Ferry times change");
    assert_eq!(read.etag(), second);

    // Taken down: gone for readers.
    let down = editor
        .write(
            Method::PATCH,
            &path,
            Some(&second),
            json!({ "status": "unpublished" }),
        )
        .await;
    assert_eq!(down.status, 200, "{}", down.body);
    assert_eq!(down.body["status"], "unpublished");
    reader.get(&path).await.assert_problem(410);
}

#[tokio::test]
async fn bad_input_is_a_problem_naming_the_field() {
    let app = app().start().await;
    let doc = document(&app).await;
    let (admin, _) = key(&app, 2, KeyKind::Admin, Some(Role::Editor)).await;
    let (author, _) = key(&app, 3, KeyKind::Admin, Some(Role::Author)).await;
    let editor = Client::new(&app, &admin);

    let malformed = editor
        .send(
            Method::POST,
            STORIES,
            &[("content-type", "application/json")],
            Some(b"{\"title\": ".to_vec()),
        )
        .await;
    malformed.assert_problem(400);
    conforms(&doc, "/api/v1/stories", "post", &malformed);

    let not_json = editor
        .send(
            Method::POST,
            STORIES,
            &[("content-type", "text/plain")],
            Some(b"title".to_vec()),
        )
        .await;
    not_json.assert_problem(415);
    conforms(&doc, "/api/v1/stories", "post", &not_json);

    for (body, field) in [
        (
            json!({ "title": "A", "section": "politics", "colour": "red" }),
            "colour",
        ),
        (json!({ "title": 3, "section": "politics" }), "title"),
        (json!({ "title": "A", "tags": "Ferries" }), "tags"),
        (
            json!({ "title": "A", "publish_at": "tomorrow" }),
            "publish_at",
        ),
        (json!({ "title": "A", "status": "live" }), "status"),
        (json!({ "title": "A", "section": "weather" }), "section"),
        (
            json!({ "title": "A", "section": "politics", "slug": "Not a slug!" }),
            "slug",
        ),
        (json!([]), "$"),
    ] {
        let refused = editor
            .write(Method::POST, STORIES, None, body.clone())
            .await;
        refused.assert_problem(422);
        assert_eq!(refused.field_error().0, field, "{body}: {}", refused.body);
        conforms(&doc, "/api/v1/stories", "post", &refused);
    }

    // An author's key publishes the stories it adds, as an author does on
    // the desk, but may not edit others'.
    let writer = Client::new(&app, &author);
    let draft = writer
        .write(
            Method::POST,
            STORIES,
            None,
            json!({ "title": "Mine", "section": "politics" }),
        )
        .await;
    assert_eq!(draft.status, 201, "{}", draft.body);
    let id = draft.body["id"].as_i64().unwrap();
    let published = writer
        .write(
            Method::PATCH,
            &format!("{STORIES}/{id}"),
            Some(draft.etag()),
            json!({ "status": "published" }),
        )
        .await;
    assert_eq!(published.status, 200, "{}", published.body);
    assert_eq!(published.body["status"], "published");
    let theirs = editor
        .write(
            Method::POST,
            STORIES,
            None,
            json!({ "title": "The desk's own", "section": "politics" }),
        )
        .await;
    assert_eq!(theirs.status, 201, "{}", theirs.body);
    let their_id = theirs.body["id"].as_i64().unwrap();
    let tag = theirs.etag().to_string();
    let forbidden = writer
        .write(
            Method::PATCH,
            &format!("{STORIES}/{their_id}"),
            Some(&tag),
            json!({ "title": "Not mine to change" }),
        )
        .await;
    forbidden.assert_problem(403);
    conforms(&doc, "/api/v1/stories/{id}", "patch", &forbidden);

    // Nothing half-saved: the refused write left their story as it was.
    let read = editor.get(&format!("{STORIES}/{their_id}")).await;
    assert_eq!(read.etag(), tag);
    assert_eq!(read.body["title"], "The desk's own");
}
