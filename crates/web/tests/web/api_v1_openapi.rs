//! The OpenAPI document as the server serves it, validated against the
//! official OpenAPI 3.1 schema (`oas-3.1-schema.json` beside this file:
//! the OpenAPI Initiative's https://spec.openapis.org/oas/3.1/schema/2022-10-07,
//! Apache-2.0, as openapi-spec-validator ships it), and broken copies of it
//! refused, so that the check can fail.

use serde_json::{json, Value};

use crate::api_v1::document;
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
