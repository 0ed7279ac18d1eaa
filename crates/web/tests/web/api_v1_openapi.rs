//! The OpenAPI document as the server serves it: sound (every path,
//! reference and schema in place, its schemas able to refuse), and valid
//! against the official OpenAPI 3.1 schema (`oas-3.1-schema.json` beside
//! this file: the OpenAPI Initiative's
//! https://spec.openapis.org/oas/3.1/schema/2022-10-07, Apache-2.0, as
//! openapi-spec-validator ships it), broken copies of it refused so that
//! the check can fail.

use serde_json::{json, Value};

use crate::api_v1::{document, schema};
use crate::support::*;

/// The official schema of OpenAPI 3.1 documents.
fn oas_schema() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(include_str!("oas-3.1-schema.json")).unwrap();
    jsonschema::draft202012::new(&schema).expect("the OpenAPI 3.1 schema compiles")
}

/// A way to break a document, and what it breaks.
type Break = (&'static str, fn(&mut Value));

#[tokio::test]
async fn the_openapi_document_is_valid_openapi_3_1_and_broken_copies_are_not() {
    let app = TestApp::builder().start().await;
    let doc = document(&app).await;
    let oas = oas_schema();
    let errors: Vec<String> = oas
        .iter_errors(&doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "not OpenAPI 3.1: {errors:#?}");

    // Each of these breaks the document somewhere the schema looks.
    let breaks: [Break; 6] = [
        ("no info", |d| {
            d.as_object_mut().unwrap().remove("info");
        }),
        ("openapi 3.0", |d| d["openapi"] = json!("3.0.3")),
        ("a parameter in the body", |d| {
            d["paths"]["/api/v1/media"]["get"]["parameters"][0]["in"] = json!("body")
        }),
        ("a path without a slash", |d| {
            let item = d["paths"]["/api/v1/members"].take();
            d["paths"]["api/v1/members"] = item;
        }),
        ("responses as text", |d| {
            d["paths"]["/api/v1/comments"]["get"]["responses"] = json!("200")
        }),
        ("a security scheme of no type", |d| {
            d["components"]["securitySchemes"]["adminKey"]["type"] = json!("password")
        }),
    ];
    for (what, brk) in breaks {
        let mut broken = doc.clone();
        brk(&mut broken);
        assert!(!oas.is_valid(&broken), "{what}: still valid");
    }
}

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
