//! The OpenAPI document as the server serves it: sound (every path,
//! reference and schema in place, its schemas able to refuse). Its
//! validity against the official OpenAPI 3.1 schema is checked by
//! tests/e2e/openapi.spec.mjs (@apidevtools/swagger-parser), with the
//! suite's npm packages.

use serde_json::{json, Value};

use crate::api_v1::{document, schema};
use crate::support::*;

#[tokio::test]
async fn the_openapi_document_is_sound_and_its_schemas_can_fail() {
    let app = TestApp::builder().start().await;
    let doc = document(&app).await;
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["contentKey"]["scheme"], "bearer");
    assert_eq!(schemes["adminKey"]["scheme"], "bearer");
    for path in [
        "/api/openapi.json",
        "/api/v1/stories",
        "/api/v1/stories/{id}",
        "/api/v1/sections",
        "/api/v1/tags",
        "/api/v1/authors",
        "/api/v1/media",
        "/api/v1/media/{hash}",
        "/api/v1/members",
        "/api/v1/members/{id}",
        "/api/v1/comments",
        "/api/v1/comments/{id}/moderation",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} is not in the document"
        );
    }
    // Every operation answers something, and every reference resolves.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if method != "parameters" {
                assert!(
                    op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                    "{method} {path}"
                );
            }
        }
    }
    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r);
                }
                m.values().for_each(|v| refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(all.len() > 20);
    for r in all {
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{r} is not local"));
        assert!(doc.pointer(pointer).is_some(), "{r} resolves to nothing");
    }
    // Each schema is a valid JSON Schema (draft 2020-12, OpenAPI 3.1's).
    for (name, s) in doc["components"]["schemas"].as_object().unwrap() {
        if let Err(e) = jsonschema::draft202012::meta::validate(s) {
            panic!("schema {name}: {e}");
        }
    }
    // The schemas can fail: a story missing its version, with a field of
    // the wrong type and one unknown, is not a Story.
    let story = schema(&doc, "Story");
    let wrong = json!({ "id": 1, "title": 3, "colour": "red" });
    assert!(!story.is_valid(&wrong));
    assert!(!schema(&doc, "Problem").is_valid(&json!({ "status": 404 })));
    // Nor is an image without its hash, a member with a password hash, or
    // a comment of an unknown status.
    assert!(!schema(&doc, "Image").is_valid(&json!({ "name": "x.jpg" })));
    let member = json!({ "id": 1, "email": "a@example.com", "email_verified": true, "name": "A",
        "role": "member", "status": "active", "created_at": "2026-01-01T00:00:00Z", "password_hash": "x" });
    assert!(!schema(&doc, "Member").is_valid(&member));
    let comment = json!({ "id": 1, "story": 2, "parent_id": null, "author": "A", "body_html": "<p>x</p>",
        "status": "hidden", "likes": 0, "dislikes": 0, "created_at": "2026-01-01T00:00:00Z", "edited_at": null });
    assert!(!schema(&doc, "Comment").is_valid(&comment));
}
