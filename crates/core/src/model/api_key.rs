use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Role;
use crate::api_key::KeyKind;

/// An integration's key as stored (never its secret).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    #[serde(serialize_with = "kind_str")]
    pub kind: KeyKind,
    /// How it is found: a content key's SHA-256, an admin key's id.
    #[serde(skip)]
    pub lookup: String,
    /// What an admin key may do; `member` for a content key.
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

fn kind_str<S: serde::Serializer>(k: &KeyKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(k.as_str())
}

/// A key to store (see `api_key::issue`).
#[derive(Debug, Clone)]
pub struct NewApiKey {
    pub name: String,
    pub kind: KeyKind,
    pub lookup: String,
    pub secret: Option<String>,
    pub role: Role,
}
