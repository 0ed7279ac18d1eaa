//! Who calls API v1. Reads take a content key (`kawaraban api-key add NAME
//! --kind content`), as `?key=` or `Authorization: Bearer <key>`, checked
//! as the Content API checks them (`ghost_content::live_content_key`).
//! Writes take an admin key, sent whole as `Authorization: Bearer
//! <id>:<secret>` over TLS, its secret compared in constant time with the
//! stored one; it acts with the key's role. Failed admin keys are counted
//! by address with the Admin API's (one limit for both), so that keys
//! cannot be guessed at speed. An admin key reads too, and an editor's
//! sees stories of every status. A live content key where an admin key is
//! needed is refused as not enough (403), not as unknown (401).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};

use kawaraban_core::api_key::KeyKind;
use kawaraban_core::authz::Action;
use kawaraban_core::model::{ApiKey, Role};

use super::problem::Problem;
use crate::api::{ghost_admin_auth, ghost_content};
use crate::desk::stories::publish::Who;
use crate::members::csrf::constant_time_eq;
use crate::members::limits;
use crate::state::AppState;

/// A request that may read: with a live content key, or an admin key.
pub enum Reader {
    Content,
    Admin(AdminKey),
}

impl Reader {
    /// Whether it sees stories not published (an editor's admin key).
    pub fn sees_every_status(&self) -> bool {
        matches!(self, Reader::Admin(k) if k.0.role >= Role::Editor)
    }
}

/// A request with a live admin key: the key, with the role it acts with.
pub struct AdminKey(pub ApiKey);

impl AdminKey {
    /// Who saves `story` (none: a new one), for the desk's save: the
    /// key's role, its own the stories it made.
    pub fn who(&self, story: Option<&kawaraban_core::model::Story>) -> Who<'static> {
        ghost_admin_auth::key_who(&self.0, story)
    }

    /// What a save's history adds to the save's word.
    pub fn note(&self) -> String {
        format!(" (API v1: {})", self.0.name)
    }

    /// 403 unless the key's role may do `action`.
    pub fn may(&self, action: Action) -> Result<(), Problem> {
        let least = action.least_role();
        if self.0.role >= least {
            return Ok(());
        }
        Err(Problem::forbidden(format!(
            "This takes an admin key of the {} role or higher; this one is {}.",
            least.as_str(),
            self.0.role.as_str()
        )))
    }
}

/// The credentials of `Authorization: Bearer <credentials>`, if any.
fn bearer(headers: &HeaderMap) -> Result<Option<&str>, Problem> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().unwrap_or_default().trim();
    match value.split_once(' ') {
        Some((scheme, c)) if scheme.eq_ignore_ascii_case("bearer") && !c.trim().is_empty() => {
            Ok(Some(c.trim()))
        }
        _ => Err(Problem::unauthorized(
            "Authorization header format is \"Authorization: Bearer <key>\": a content key, or an admin key's id:secret.",
        )),
    }
}

/// The content key of a request (a bearer without a colon, or `?key=`).
fn content_key(parts: &Parts, given: Option<&str>) -> Option<String> {
    match given {
        Some(k) => (!k.contains(':')).then(|| k.to_string()),
        None => parts.uri.query().and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "key")
                .map(|(_, v)| v.into_owned())
        }),
    }
}

impl FromRequestParts<AppState> for Reader {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let given = bearer(&parts.headers)?;
        if given.is_some_and(|g| g.contains(':')) {
            return AdminKey::from_request_parts(parts, state)
                .await
                .map(Reader::Admin);
        }
        let key = content_key(parts, given);
        ghost_content::live_content_key(state, key.as_deref())
            .await?
            .map(|()| Reader::Content)
            .map_err(Problem::unauthorized)
    }
}

impl FromRequestParts<AppState> for AdminKey {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let ip = crate::members::client_ip(parts, state)
            .map_or_else(|| "unknown".to_string(), |ip| ip.to_string());
        let failures = ghost_admin_auth::FAILURES;
        limits::check(state, failures, &ip).await?;
        match verify(state, &parts.headers).await {
            Err(e) if e.is_unauthorized() => {
                let key = content_key(parts, bearer(&parts.headers)?);
                if let Some(k) = key.as_deref().filter(|k| !k.is_empty()) {
                    if ghost_content::live_content_key(state, Some(k))
                        .await?
                        .is_ok()
                    {
                        return Err(Problem::forbidden(
                            "A content key only reads: this takes an admin key (\"Authorization: Bearer <id>:<secret>\").",
                        ));
                    }
                }
                limits::count(state, failures, &ip).await?;
                Err(e)
            }
            checked => checked.map(AdminKey),
        }
    }
}

/// The live admin key of the request's `Bearer <id>:<secret>`.
async fn verify(state: &AppState, headers: &HeaderMap) -> Result<ApiKey, Problem> {
    let Some((id, secret)) = bearer(headers)?.and_then(|c| c.split_once(':')) else {
        return Err(Problem::unauthorized(
            "An admin key is needed: \"Authorization: Bearer <id>:<secret>\" with a key from `kawaraban api-key add NAME --kind admin`.",
        ));
    };
    let unknown = || {
        Problem::unauthorized("Unknown admin key: it was never issued here, it was revoked, or its secret is not this one.")
    };
    let Some((key, Some(stored))) = state.store.live_api_key(KeyKind::Admin, id).await? else {
        return Err(unknown());
    };
    if !constant_time_eq(stored.as_bytes(), secret.to_ascii_lowercase().as_bytes()) {
        return Err(unknown());
    }
    Ok(key)
}
