//! Members in API v1, for admin keys of a moderator's role or higher only
//! (a content key is refused with 403): the network's members, searched by
//! address or name, oldest first a page at a time, and one by id; each
//! with their role on this site and their standing. Never their password
//! hash, sessions, tokens or sign-in identities.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Serialize;

use kawaraban_core::authz::{role_on_site, Action};
use kawaraban_core::model::{Member, Site};

use super::answer;
use super::keys::AdminKey;
use super::paging::{Page, Paging};
use super::problem::Problem;
use crate::http::site::CurrentSite;
use crate::state::AppState;

/// A member as the API answers them: who, and where they stand here.
#[derive(Serialize)]
struct MemberOut {
    id: i64,
    email: String,
    email_verified: bool,
    name: String,
    /// Their role on this site: the network's, or a higher grant here.
    role: &'static str,
    /// `active`, `suspended` or `banned` (from commenting), now.
    status: &'static str,
    created_at: DateTime<Utc>,
}

async fn shaped(state: &AppState, site: &Site, m: Member) -> Result<MemberOut, Problem> {
    let granted = state.store.site_role(m.id, site.id).await?;
    let standing = state.store.standing(m.id).await?;
    Ok(MemberOut {
        id: m.id,
        email_verified: m.is_verified(),
        email: m.email,
        name: m.display_name,
        role: role_on_site(m.role, granted).as_str(),
        status: standing.at(Utc::now()).as_str(),
        created_at: m.created_at,
    })
}

/// `GET /api/v1/members?q=&limit=&after=`: members whose address or name
/// holds every word of `q`, oldest first.
pub async fn list(
    State(state): State<AppState>,
    key: AdminKey,
    CurrentSite(site): CurrentSite,
    RawQuery(query): RawQuery,
) -> Result<Response, Problem> {
    key.may(Action::Moderate)?;
    let paging = Paging::of(query.as_deref(), &["q"])?;
    let after = paging.after(|t| t.parse::<i64>().ok())?;
    let q = paging
        .rest
        .iter()
        .find(|(name, _)| name == "q")
        .map_or("", |(_, v)| v.as_str());
    let rows = state.store.find_members(q, after, paging.fetch()).await?;
    let (rows, next) = paging.page(rows, |m| m.id.to_string());
    let mut items = Vec::with_capacity(rows.len());
    for m in rows {
        items.push(shaped(&state, &site, m).await?);
    }
    Ok(answer(StatusCode::OK, &Page { items, next }))
}

/// `GET /api/v1/members/{id}`.
pub async fn one(
    State(state): State<AppState>,
    key: AdminKey,
    CurrentSite(site): CurrentSite,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, Problem> {
    key.may(Action::Moderate)?;
    super::params(query.as_deref(), &[])?;
    let missing = || Problem::not_found(format!("No member has the id {id:?}."));
    let number: i64 = id.parse().map_err(|_| missing())?;
    let member = state
        .store
        .member_by_id(number)
        .await?
        .ok_or_else(missing)?;
    Ok(answer(
        StatusCode::OK,
        &shaped(&state, &site, member).await?,
    ))
}
