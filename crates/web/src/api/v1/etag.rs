//! Entity tags of API v1: what a read answers as `ETag`, and the
//! preconditions a request sets with them (`If-None-Match` on reads,
//! `If-Match` on writes, so that a save made since is not overwritten).
//! A tag is opaque: a story's is its version (`"v12"`), an image's a
//! digest of its words.

use axum::http::{header, HeaderMap, HeaderValue};

use super::problem::Problem;

/// The `ETag` header of an opaque tag.
pub fn quoted(tag: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{tag}\"")).expect("a tag is header-safe text")
}

/// The opaque tag of one entity tag (`"v12"`, or weak `W/"v12"`), and
/// whether it is weak.
fn opaque(tag: &str) -> Option<(&str, bool)> {
    let tag = tag.trim();
    let (weak, tag) = match tag.strip_prefix("W/") {
        Some(t) => (true, t),
        None => (false, tag),
    };
    Some((tag.strip_prefix('"')?.strip_suffix('"')?, weak))
}

/// Whether `If-None-Match` names `current` (or `*`): a 304 then.
pub fn none_match(headers: &HeaderMap, current: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || opaque(t).is_some_and(|(o, _)| o == current))
}

/// A write's precondition: `If-Match` names `current` (strongly, or
/// `*`); 428 without it, and `stale` (412) when it names another.
pub fn must_match(
    headers: &HeaderMap,
    current: &str,
    stale: impl FnOnce() -> Problem,
) -> Result<(), Problem> {
    let Some(tag) = headers.get(header::IF_MATCH) else {
        return Err(Problem::if_match_needed());
    };
    let tag = tag.to_str().unwrap_or_default();
    let matches = tag.trim() == "*"
        || tag
            .split(',')
            .any(|t| opaque(t).is_some_and(|(o, weak)| !weak && o == current));
    if matches {
        Ok(())
    } else {
        Err(stale())
    }
}
