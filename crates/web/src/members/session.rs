//! Sessions: a random id in an `HttpOnly` cookie, its hash in the database
//! (so every app server shares sessions), idle and absolute expiry, rotated
//! at every sign-in.

use std::sync::Arc;

use axum::http::{header, HeaderMap, HeaderValue};
use chrono::{Duration, Utc};
use kawaraban_core::authz::{self, Action, Actor};
use kawaraban_core::model::{Member, Session, Site, Standing};

use super::secrets::{new_token, token_hash};
use crate::error::AppResult;
use crate::state::AppState;

/// The cookie that carries the session id.
pub const SESSION_COOKIE: &str = "kw_session";

/// A session ends after this long without a visit ...
pub const IDLE: Duration = Duration::days(14);
/// ... and in any case this long after sign-in.
pub const ABSOLUTE: Duration = Duration::days(60);
/// Activity is written at most this often per session.
const TOUCH_EVERY: Duration = Duration::minutes(5);

/// The signed-in member of this request, if any.
#[derive(Clone)]
pub struct Viewer {
    pub member: Member,
    pub session: Session,
    /// The form token of this session.
    pub csrf: String,
    /// Who authorisation sees: the role and the standing now.
    pub actor: Actor,
}

impl Viewer {
    /// Whether this member may do `action` (see `kawaraban_core::authz`).
    pub fn can(&self, action: Action) -> bool {
        authz::can(&self.actor, action)
    }
}

/// Request extension set by `slots::personalize` when a member is signed in.
#[derive(Clone, Default)]
pub struct MaybeViewer(pub Option<Arc<Viewer>>);

/// A cookie's value from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then_some(v)
        })
}

/// `Set-Cookie` for this site: `Secure` when the site is served over https.
pub fn set_cookie(site: &Site, name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if site.is_https() {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("cookie values are URL-safe")
}

/// The signed-in member of a request carrying a session cookie, if the
/// session is live; a database that cannot answer counts as no session.
pub async fn lookup(state: &AppState, site: &Site, raw: &str) -> Option<Arc<Viewer>> {
    if raw.len() != 43 {
        return None;
    }
    match find(state, site, raw).await {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the session");
            None
        }
    }
}

async fn find(state: &AppState, site: &Site, raw: &str) -> AppResult<Option<Arc<Viewer>>> {
    let now = Utc::now();
    let hash = token_hash(raw);
    // Read before the session is, so that a commit meanwhile disowns it.
    let mark = state.store.commit_mark();
    if let Some(kept) = mark.and_then(|m| state.viewers.get(m, &hash)) {
        if kept.0.session.site_id == site.id && still_good(&kept.0, &kept.1, now) {
            return Ok(Some(kept.0.clone()));
        }
    }
    let Some((session, member, standing)) = state.store.signed_in(&hash, now).await? else {
        return Ok(None);
    };
    if session.site_id != site.id {
        return Ok(None);
    }
    let touched = now - session.last_seen_at > TOUCH_EVERY;
    if touched {
        let expires = (now + IDLE).min(session.created_at + ABSOLUTE);
        state.store.touch_session(&hash, now, expires).await?;
    }
    let csrf = state.signer.sign("csrf", &hash);
    // The role on this site: the network role, or a higher grant here.
    let site_role = state.store.site_role(member.id, site.id).await?;
    let actor = Actor {
        id: member.id,
        role: kawaraban_core::authz::role_on_site(member.role, site_role),
        standing: standing.at(now),
        verified: member.is_verified(),
    };
    let viewer = Arc::new(Viewer {
        member,
        session,
        csrf,
        actor,
    });
    if let (Some(m), false) = (mark, touched) {
        state.viewers.put(m, hash, (viewer.clone(), standing));
    }
    Ok(Some(viewer))
}

/// A kept reader is still what the database would say now: the session has
/// not expired, needs no touch yet, and the standing has not lapsed.
fn still_good(v: &Viewer, standing: &Standing, now: chrono::DateTime<Utc>) -> bool {
    v.session.expires_at > now
        && now - v.session.last_seen_at <= TOUCH_EVERY
        && standing.at(now) == v.actor.standing
}

/// Signed-in readers read lately, by session hash, with their standing
/// (see `members::kept`: a sign-out, a ban or a role change is a commit).
pub type Viewers = super::kept::KeptOnMark<String, (Arc<Viewer>, Standing)>;

/// Who is signing in, from where.
pub struct Client {
    pub ip: String,
    pub user_agent: String,
}

impl Client {
    pub fn from_request(headers: &HeaderMap, ip: String) -> Self {
        let user_agent = headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .chars()
            .take(200)
            .collect();
        Self { ip, user_agent }
    }
}

/// Creates a fresh session (a new id: sessions are never carried over a
/// sign-in) and returns the cookie that carries it. `login_id` groups the
/// sessions of one sign-in across the network; `None` starts a new group.
pub async fn start(
    state: &AppState,
    site: &Site,
    member: &Member,
    client: &Client,
    login_id: Option<&str>,
) -> AppResult<(Session, HeaderValue)> {
    let now = Utc::now();
    let raw = new_token();
    let session = Session {
        id_hash: token_hash(&raw),
        member_id: member.id,
        login_id: login_id.map(str::to_string).unwrap_or_else(new_token),
        site_id: site.id,
        user_agent: client.user_agent.clone(),
        ip: client.ip.clone(),
        created_at: now,
        last_seen_at: now,
        expires_at: now + IDLE,
    };
    state.store.create_session(&session).await?;
    let cookie = set_cookie(site, SESSION_COOKIE, &raw, Some(ABSOLUTE.num_seconds()));
    Ok((session, cookie))
}

/// The cookie that forgets the session in this browser.
pub fn clear(site: &Site) -> HeaderValue {
    set_cookie(site, SESSION_COOKIE, "", Some(0))
}
