//! Who calls the Admin API: `Authorization: Ghost <token>`, a JWT that the
//! integration signs with its admin key (`kawaraban api-key add NAME --kind
//! admin`), as Ghost's clients sign them: HS256, the key's id as `kid`, the
//! hex-decoded secret as the HMAC key, the audience `/admin/`, and a life
//! of at most five minutes. Failed attempts are counted by address
//! (`members::limits`), so that keys cannot be guessed at speed.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use chrono::Utc;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use kawaraban_core::api_key::KeyKind;
use kawaraban_core::model::{ApiKey, Role, Story};

use super::ghost_admin::AdminError;
use crate::desk::stories::publish::Who;
use crate::error::AppError;
use crate::members::limits::{self, Limit};
use crate::state::AppState;

/// Failed Admin API sign-ins from one address.
pub(super) const FAILURES: Limit = Limit {
    name: "ghost-admin-fail",
    max: 20,
    window: 900,
};
/// The longest a token may live, as Ghost's own server allows (`maxAge`).
const MOST_LIFE: i64 = 300;
/// How far ahead of ours a client's clock may be.
const SKEW: i64 = 60;

/// A request carrying a token signed with a live admin key: the key, with
/// the role it acts with on every site.
pub struct AdminKey(pub ApiKey);

impl AdminKey {
    /// Who saves `story` (none: a new one), for the desk's save.
    pub fn who(&self, story: Option<&Story>) -> Who<'static> {
        key_who(&self.0, story)
    }

    /// Refuses a key below an editor's the list of every post: an
    /// author's key adds posts and works on its own, but the others are
    /// other writers' (as on the desk).
    pub fn reads_stories(&self) -> Result<(), AdminError> {
        if self.0.role >= Role::Editor {
            return Ok(());
        }
        Err(AdminError::no_permission(format!(
            "The key \"{}\" acts as an author: it adds posts and reads, edits and takes down the ones it added; the list of every post takes an editor's key (kawaraban api-key add NAME --kind admin --role editor).",
            self.0.name
        )))
    }

    /// Refuses a key below an editor's a post it did not add.
    pub fn reads_story(&self, story: &Story) -> Result<(), AdminError> {
        if story.created_by_key == Some(self.0.id) {
            return Ok(());
        }
        self.reads_stories()
    }

    /// What a save's history adds to the save's word.
    pub fn note(&self) -> String {
        format!(" (Admin API: {})", self.0.name)
    }
}

/// Who saves `story` (none: a new one) with an admin key, for the desk's
/// save (both APIs): the key's role, and its own the stories it made.
pub fn key_who(key: &ApiKey, story: Option<&Story>) -> Who<'static> {
    Who {
        member: None,
        key_id: Some(key.id),
        role: key.role,
        own: story.is_none_or(|s| s.created_by_key == Some(key.id)),
    }
}

impl FromRequestParts<AppState> for AdminKey {
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AdminError> {
        let ip = crate::members::client_ip(parts, state)
            .map_or_else(|| "unknown".to_string(), |ip| ip.to_string());
        limits::check(state, FAILURES, &ip).await?;
        match verify(state, &parts.headers, Utc::now().timestamp()).await {
            Err(e) if e.is_unauthorized() => {
                limits::count(state, FAILURES, &ip).await?;
                Err(e)
            }
            checked => checked.map(AdminKey),
        }
    }
}

/// The token of `Authorization: Ghost <token>`.
fn token(headers: &HeaderMap) -> Result<&str, AdminError> {
    let wrong = || {
        AdminError::unauthorized(
            "INVALID_AUTH_HEADER",
            "Authorization header format is \"Authorization: Ghost [token]\", the token signed with an admin key from `kawaraban api-key add NAME --kind admin`.",
        )
    };
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(wrong)?;
    match value.trim().split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("ghost") && !token.trim().is_empty() =>
        {
            Ok(token.trim())
        }
        _ => Err(wrong()),
    }
}

#[derive(Deserialize)]
struct Claims {
    iat: i64,
    exp: i64,
    aud: Audience,
}

/// `aud`, one or several.
#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    /// Whether it names the Admin API: `/admin/`, or a versioned form such
    /// as `/v4/admin/` (older clients), as Ghost accepts.
    fn admits(&self) -> bool {
        let ok = |a: &str| {
            let rest = a.strip_suffix("admin/").unwrap_or("-");
            rest == "/"
                || rest == "/canary/"
                || rest
                    .strip_prefix("/v")
                    .and_then(|v| v.strip_suffix('/'))
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        };
        match self {
            Audience::One(a) => ok(a),
            Audience::Many(all) => all.iter().any(|a| ok(a)),
        }
    }
}

/// The live admin key whose secret signed the request's token, at `now`
/// (seconds).
async fn verify(state: &AppState, headers: &HeaderMap, now: i64) -> Result<ApiKey, AdminError> {
    let token = token(headers)?;
    let invalid = |m: &str| AdminError::unauthorized("INVALID_JWT", format!("Invalid token: {m}"));
    let head = jsonwebtoken::decode_header(token).map_err(|_| invalid("jwt malformed"))?;
    let Some(kid) = head.kid.filter(|k| !k.is_empty()) else {
        return Err(AdminError::unauthorized(
            "MISSING_ADMIN_API_KID",
            "Invalid token: its header has no kid (the admin key's id, the part before the colon).",
        ));
    };
    let Some((key, Some(secret))) = state.store.live_api_key(KeyKind::Admin, &kid).await? else {
        return Err(AdminError::unauthorized(
            "UNKNOWN_ADMIN_API_KEY",
            "Unknown admin key: it was never issued here, or it was revoked.",
        ));
    };
    let secret = hex::decode(&secret)
        .map_err(|e| AppError::internal(format!("admin key {}: stored secret: {e}", key.id)))?;
    let mut rules = Validation::new(Algorithm::HS256);
    rules.leeway = 0;
    // Checked below, in the forms Ghost accepts.
    rules.validate_aud = false;
    rules.set_required_spec_claims(&["exp", "aud"]);
    let claims = jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(&secret), &rules)
        .map_err(|e| {
            invalid(match e.kind() {
                ErrorKind::ExpiredSignature => "jwt expired",
                ErrorKind::InvalidSignature => "invalid signature",
                ErrorKind::InvalidAlgorithm => "invalid algorithm: tokens are signed with HS256",
                ErrorKind::MissingRequiredClaim(_) | ErrorKind::Json(_) => {
                    "the payload needs iat, exp and aud"
                }
                _ => "jwt malformed",
            })
        })?
        .claims;
    if !claims.aud.admits() {
        return Err(invalid("jwt audience invalid. expected: /admin/"));
    }
    if claims.exp - claims.iat > MOST_LIFE {
        return Err(invalid(
            "it lives longer than 5 minutes (exp - iat > 300): sign a short-lived token for each request",
        ));
    }
    if claims.iat > now + SKEW {
        return Err(invalid("iat is in the future: check the client's clock"));
    }
    if now >= claims.iat + MOST_LIFE {
        return Err(invalid("maxAge exceeded"));
    }
    Ok(key)
}
