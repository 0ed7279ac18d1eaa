//! One sign-in across the network. Sites have different hosts, so no cookie
//! can be shared: after signing in on one site (the *origin*) the browser is
//! sent through each sister site, each hop starting a session there in the
//! same sign-in group (`login_id`), and lands back where it started.
//! Signing out ends the whole group.
//!
//! A hop token alone signs nobody in, so a hop link sent to someone else
//! cannot sign their browser in as the sender (login CSRF). Each hop is
//! bound to the browser that began the sign-in, in three steps:
//!
//! 1. `GET /network/accept?token=…` on the sister site sets a random,
//!    short-lived `kw_hop` cookie there and sends the browser back to the
//!    origin's `/network/vouch` with a token that names the cookie's hash;
//! 2. the origin vouches only for a browser that carries the session of this
//!    very sign-in, and sends it on with a token saying so;
//! 3. the sister site starts the session only if the browser still carries
//!    the `kw_hop` cookie the token names. A reader already signed in there
//!    as someone else is asked first (a CSRF-protected form); nothing
//!    replaces their session silently.
//!
//! Every token is one-time and valid for a minute (the question's for ten).

use axum::extract::Query;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Form;
use chrono::{Duration, Utc};
use kawaraban_core::model::{Member, Session, Site, TokenKind};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::secrets::{new_token, token_hash};
use super::session::{self, cookie, set_cookie, Client};
use super::{field, see_other, Fields, Screen, Visit};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The cookie that ties a hop to the browser it runs in.
const HOP_COOKIE: &str = "kw_hop";
/// How long a hop step lives.
const HOP_TTL: Duration = Duration::seconds(60);
/// How long the reader has to answer "switch accounts here?" (and the
/// `kw_hop` cookie lives).
const ASK_TTL: Duration = Duration::minutes(10);

#[derive(Serialize, Deserialize, Clone)]
struct Hop {
    login_id: String,
    /// The site this token signs in to.
    site_id: i64,
    /// Sites still to visit after this one.
    rest: Vec<i64>,
    /// Where the journey ends (an absolute URL on the network).
    back: String,
    /// The site where the sign-in happened, which vouches for each hop.
    origin: i64,
    /// The SHA-256 of the `kw_hop` cookie set on `site_id` (step 2 on).
    #[serde(default)]
    bound: Option<String>,
    /// Whether the origin has vouched for the browser (step 3).
    #[serde(default)]
    vouched: bool,
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
    next_site(
        state,
        session.member_id,
        &session.login_id,
        site.id,
        others,
        back,
    )
    .await
}

/// The accept URL of the first site of `sites` that still exists, or `back`.
async fn next_site(
    state: &AppState,
    member_id: i64,
    login_id: &str,
    origin: i64,
    mut sites: Vec<i64>,
    back: &str,
) -> AppResult<String> {
    let network = state.network.get();
    while !sites.is_empty() {
        let site_id = sites.remove(0);
        if !network.sites.iter().any(|s| s.id == site_id) {
            continue;
        }
        let hop = Hop {
            login_id: login_id.to_string(),
            site_id,
            rest: sites,
            back: back.to_string(),
            origin,
            bound: None,
            vouched: false,
        };
        return step(state, member_id, &hop, site_id, "/network/accept", HOP_TTL).await;
    }
    Ok(back.to_string())
}

/// Stores `hop` under a fresh one-time token; the URL of `path` on site
/// `on` that carries it.
async fn step(
    state: &AppState,
    member_id: i64,
    hop: &Hop,
    on: i64,
    path: &str,
    ttl: Duration,
) -> AppResult<String> {
    let token = stash(state, member_id, hop, ttl).await?;
    let network = state.network.get();
    let site = network
        .sites
        .iter()
        .find(|s| s.id == on)
        .ok_or(AppError::NotFound)?;
    Ok(site.absolute(&format!("{path}?token={token}")))
}

async fn stash(state: &AppState, member_id: i64, hop: &Hop, ttl: Duration) -> AppResult<String> {
    let token = new_token();
    let now = Utc::now();
    let data = serde_json::to_string(hop).expect("a hop serialises");
    state
        .store
        .create_token(
            &token_hash(&token),
            TokenKind::NetworkSignIn,
            Some(member_id),
            &data,
            now,
            now + ttl,
        )
        .await?;
    Ok(token)
}

/// Spends a hop token: its member and data, if it was live.
async fn spend(state: &AppState, token: &str) -> AppResult<Option<(i64, Hop)>> {
    let spent = state
        .store
        .spend_token(&token_hash(token), TokenKind::NetworkSignIn, Utc::now())
        .await?;
    Ok(spent.and_then(|s| Some((s.member_id?, serde_json::from_str::<Hop>(&s.data).ok()?))))
}

/// Where the journey ends, if it still points at the network.
fn back(state: &AppState, hop: &Hop) -> String {
    if state.network.get().owns_url(&hop.back) {
        hop.back.clone()
    } else {
        "/".into()
    }
}

fn other_browser() -> AppError {
    AppError::Forbidden(
        "This sign-in link was started in another browser, so it cannot sign you in here. \
         To sign in, use the sign-in page of this site."
            .into(),
    )
}

/// Whether the browser carries the `kw_hop` cookie this hop was bound to.
fn carries_hop_cookie(headers: &HeaderMap, hop: &Hop) -> bool {
    let held = cookie(headers, HOP_COOKIE).map(token_hash);
    hop.vouched && hop.bound.is_some() && held == hop.bound
}

fn clear_hop_cookie(site: &Site) -> HeaderValue {
    set_cookie(site, HOP_COOKIE, "", Some(0))
}

/// Steps 1 and 3 on a sister site (see the module's comment).
pub async fn accept(v: Visit, Query(q): Query<Fields>) -> AppResult<Response> {
    let Some((member_id, hop)) = spend(&v.state, field(&q, "token")).await? else {
        // Expired or replayed: not signed in here, but the journey goes on home.
        return Ok(see_other("/", Vec::new()));
    };
    let back = back(&v.state, &hop);
    if hop.site_id != v.site.id {
        return Ok(see_other(&back, Vec::new()));
    }
    if !hop.vouched {
        // Step 1: mark this browser, and ask the origin to vouch for it.
        let mark = new_token();
        let bound = Hop {
            bound: Some(token_hash(&mark)),
            ..hop.clone()
        };
        let to = step(
            &v.state,
            member_id,
            &bound,
            hop.origin,
            "/network/vouch",
            HOP_TTL,
        )
        .await?;
        // As long as the question of `ask` may wait for an answer.
        let c = set_cookie(&v.site, HOP_COOKIE, &mark, Some(ASK_TTL.num_seconds()));
        return Ok(see_other(&to, vec![c]));
    }
    // Step 3.
    if !carries_hop_cookie(&v.headers, &hop) {
        return Err(other_browser());
    }
    let Some(member) = v.state.store.member_by_id(member_id).await? else {
        return Ok(see_other(&back, vec![clear_hop_cookie(&v.site)]));
    };
    match &v.viewer {
        Some(viewer) if viewer.member.id != member.id => ask(v, member, hop).await,
        _ => arrive(&v, &member, hop).await,
    }
}

/// Step 2, on the origin: vouch for the browser that holds this sign-in's
/// session, and send it back to the sister site.
pub async fn vouch(v: Visit, Query(q): Query<Fields>) -> AppResult<Response> {
    let Some((member_id, hop)) = spend(&v.state, field(&q, "token")).await? else {
        return Ok(see_other("/", Vec::new()));
    };
    let ours = v.viewer.as_ref().is_some_and(|viewer| {
        viewer.member.id == member_id && viewer.session.login_id == hop.login_id
    });
    if hop.origin != v.site.id || hop.bound.is_none() || !ours {
        return Err(other_browser());
    }
    let vouched = Hop {
        vouched: true,
        ..hop.clone()
    };
    let to = step(
        &v.state,
        member_id,
        &vouched,
        hop.site_id,
        "/network/accept",
        HOP_TTL,
    )
    .await?;
    Ok(see_other(&to, Vec::new()))
}

/// Starts the session here and goes on to the next site.
async fn arrive(v: &Visit, member: &Member, hop: Hop) -> AppResult<Response> {
    let client = Client::from_request(&v.headers, v.ip.clone());
    let (_, c) = session::start(&v.state, &v.site, member, &client, Some(&hop.login_id)).await?;
    go_on(v, member.id, hop, vec![c]).await
}

async fn go_on(
    v: &Visit,
    member_id: i64,
    hop: Hop,
    mut cookies: Vec<HeaderValue>,
) -> AppResult<Response> {
    let back = back(&v.state, &hop);
    let to = next_site(
        &v.state,
        member_id,
        &hop.login_id,
        hop.origin,
        hop.rest,
        &back,
    )
    .await?;
    cookies.push(clear_hop_cookie(&v.site));
    Ok(see_other(&to, cookies))
}

/// The reader is signed in here as someone else: ask before switching.
async fn ask(v: Visit, member: Member, hop: Hop) -> AppResult<Response> {
    let viewer = v.viewer.clone().expect("asked only with a viewer");
    let token = stash(&v.state, member.id, &hop, ASK_TTL).await?;
    Screen::new(&v.state, &v.site, "account/switch.html", "Switch accounts?")
        .status(StatusCode::OK)
        .render(context! {
            csrf => viewer.csrf.clone(),
            token,
            current => viewer.member.display_name.clone(),
            current_email => viewer.member.email.clone(),
            incoming => member.display_name.clone(),
            incoming_email => member.email.clone(),
            site_name => v.site.name.clone(),
        })
}

/// The reader's answer: `switch` signs in as the new member here; anything
/// else keeps the current session and goes on.
pub async fn answer(v: Visit, Form(f): Form<Fields>) -> AppResult<Response> {
    v.check_csrf(&f)?;
    let Some((member_id, hop)) = spend(&v.state, field(&f, "token")).await? else {
        return super::links::dead_link(&v.state, &v.site);
    };
    if hop.site_id != v.site.id || !carries_hop_cookie(&v.headers, &hop) {
        return Err(other_browser());
    }
    let member = match v.state.store.member_by_id(member_id).await? {
        Some(m) if field(&f, "choice") == "switch" => m,
        _ => return go_on(&v, member_id, hop, Vec::new()).await,
    };
    if let Some(viewer) = &v.viewer {
        // The session it replaces ends, rather than lingering unseen.
        v.state
            .store
            .delete_session(&viewer.session.id_hash)
            .await?;
    }
    arrive(&v, &member, hop).await
}
