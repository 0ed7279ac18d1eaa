//! One sign-in across the network. Sites have different hosts, so no cookie
//! can be shared: after signing in on one site the browser is sent through
//! each sister site's `/network/accept` with a one-time token valid for a
//! minute, each hop starting a session there in the same sign-in group
//! (`login_id`), and lands back where it started. Signing out ends the
//! whole group.

use axum::extract::Query;
use axum::response::Response;
use chrono::{Duration, Utc};
use kawaraban_core::model::{Session, Site, TokenKind};
use serde::{Deserialize, Serialize};

use super::secrets::{new_token, token_hash};
use super::session::{self, Client};
use super::{see_other, Fields, Visit};
use crate::error::AppResult;
use crate::state::AppState;

#[derive(Serialize, Deserialize)]
struct Hop {
    login_id: String,
    /// The site this token signs in to.
    site_id: i64,
    /// Sites still to visit after this one.
    rest: Vec<i64>,
    /// Where the journey ends (an absolute URL on the network).
    back: String,
}

/// Where to send the browser after a sign-in on `site`: the first sister
/// site's accept URL, or `back` itself in a network of one.
pub async fn first_hop(
    state: &AppState,
    site: &Site,
    session: &Session,
    back: &str,
) -> AppResult<String> {
    let others: Vec<i64> = state
        .network
        .get()
        .sites
        .iter()
        .filter(|s| s.id != site.id)
        .map(|s| s.id)
        .collect();
    hop(state, session.member_id, &session.login_id, others, back).await
}

async fn hop(
    state: &AppState,
    member_id: i64,
    login_id: &str,
    mut sites: Vec<i64>,
    back: &str,
) -> AppResult<String> {
    let network = state.network.get();
    while !sites.is_empty() {
        let next_id = sites.remove(0);
        let Some(next) = network.sites.iter().find(|s| s.id == next_id) else {
            continue;
        };
        let token = new_token();
        let now = Utc::now();
        let data = serde_json::to_string(&Hop {
            login_id: login_id.to_string(),
            site_id: next.id,
            rest: sites,
            back: back.to_string(),
        })
        .expect("a hop serialises");
        state
            .store
            .create_token(
                &token_hash(&token),
                TokenKind::NetworkSignIn,
                Some(member_id),
                &data,
                now,
                now + Duration::seconds(60),
            )
            .await?;
        return Ok(next.absolute(&format!("/network/accept?token={token}")));
    }
    Ok(back.to_string())
}

/// A hop: start a session on this site, then go on.
pub async fn accept(v: Visit, Query(q): Query<Fields>) -> AppResult<Response> {
    let Visit {
        state,
        site,
        ip,
        headers,
        ..
    } = v;
    let token = q.get("token").map(String::as_str).unwrap_or("");
    let spent = state
        .store
        .spend_token(&token_hash(token), TokenKind::NetworkSignIn, Utc::now())
        .await?;
    let hop_data = spent.as_ref().and_then(|s| {
        serde_json::from_str::<Hop>(&s.data)
            .ok()
            .map(|h| (s.member_id, h))
    });
    let Some((Some(member_id), data)) = hop_data else {
        // Expired or replayed: not signed in here, but the journey goes on home.
        return Ok(see_other("/", Vec::new()));
    };
    let back = if state.network.get().owns_url(&data.back) {
        data.back.clone()
    } else {
        "/".into()
    };
    if data.site_id != site.id {
        return Ok(see_other(&back, Vec::new()));
    }
    let Some(member) = state.store.member_by_id(member_id).await? else {
        return Ok(see_other(&back, Vec::new()));
    };
    let client = Client::from_request(&headers, ip);
    let (_, cookie) = session::start(&state, &site, &member, &client, Some(&data.login_id)).await?;
    let to = hop(&state, member_id, &data.login_id, data.rest, &back).await?;
    Ok(see_other(&to, vec![cookie]))
}
