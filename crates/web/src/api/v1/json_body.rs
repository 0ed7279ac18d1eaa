//! Bodies of API v1 writes: JSON objects whose fields are each checked,
//! so that a client learns which of its fields was refused and why.

use axum::http::{header, HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

use super::problem::Problem;

/// The body as a `T` (a struct that denies unknown fields), `what` it
/// holds saying in the errors: 415 for anything but JSON, 400 for JSON that
/// does not parse, 422 naming the field for an unknown, missing or
/// mistyped field.
pub fn json_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: &[u8],
    what: &str,
) -> Result<T, Problem> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            let v = v.trim().to_ascii_lowercase();
            v == "application/json" || v.ends_with("+json")
        });
    if !json {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("Send {what} as a JSON object, with Content-Type: application/json."),
        ));
    }
    let object = body.trim_ascii_start().first() == Some(&b'{');
    if !object && serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok() {
        return Err(Problem::invalid(
            "$",
            format!("The body must be a JSON object of {what}."),
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let inner = e.inner();
        if !inner.is_data() {
            return Problem::bad_request(None, format!("The body is not JSON: {inner}"));
        }
        let message = inner.to_string();
        let named = message
            .strip_prefix("unknown field `")
            .or_else(|| message.strip_prefix("missing field `"));
        let field = match named {
            Some(rest) => rest.split('`').next().unwrap_or_default().to_string(),
            None => match e.path().to_string() {
                p if p == "." => "$".to_string(),
                p => p,
            },
        };
        Problem::invalid(&field, message)
    })
}
