//! Members: registration, sign-in (password, magic link, social), password
//! reset, the account page, one sign-in across the network's sites, and the
//! per-reader parts of pages.
//!
//! Every page here is per reader (`Cache-Control: no-store`); every form
//! carries a CSRF token; everything an attacker can repeat is rate-limited.

/// In a handler of a member's form: the signed-in member, once the form's
/// CSRF token checks out; an anonymous reader is sent to sign in instead.
macro_rules! signed_in {
    ($v:expr, $f:expr) => {{
        let Some(viewer) = $v.viewer.clone() else {
            return Ok($crate::members::to_login("/account"));
        };
        $v.check_csrf(&$f)?;
        viewer
    }};
}

pub mod account;
pub mod browsers;
pub mod csrf;
pub mod email_change;
pub mod kept;
pub mod limits;
pub mod links;
pub mod login;
pub mod mail;
pub mod names;
pub mod network;
pub mod password;
pub mod register;
pub mod secrets;
pub mod session;
pub mod slot_layout;
pub mod slots;
pub mod social;

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

use axum::http::HeaderMap;
use kawaraban_core::model::Site;
use minijinja::{context, Value};

use crate::error::{AppError, AppResult};
use crate::http::site::CurrentSite;
use crate::pages::Themed;
use crate::state::AppState;
use crate::view::{self, Meta};
pub use session::{MaybeViewer, Viewer};

/// The members' routes, merged into the main router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/register",
            get(register::register_form).post(register::register),
        )
        .route("/login", get(login::login_form).post(login::login))
        .route("/login/link", post(links::request_link))
        .route(
            "/login/link/{token}",
            get(links::link_confirm).post(links::link_sign_in),
        )
        .route(
            "/verify/{token}",
            get(register::verify_confirm).post(register::verify),
        )
        .route("/verify/resend", post(register::resend_verification))
        .route(
            "/password/forgot",
            get(links::forgot_form).post(links::forgot),
        )
        .route(
            "/password/reset/{token}",
            get(links::reset_form).post(links::reset),
        )
        .route("/logout", post(login::logout))
        .route("/account", get(account::page))
        .route("/account/name", post(account::change_name))
        .route("/account/email", post(email_change::change_email))
        .route(
            "/account/email/undo/{token}",
            get(email_change::undo_form).post(email_change::undo),
        )
        .route("/account/password", post(account::change_password))
        .route("/account/sessions/end", post(account::end_session))
        .route("/account/sessions/end-all", post(account::end_all_sessions))
        .route("/account/export.json", get(account::export))
        .route("/account/delete", post(account::delete))
        .route(
            "/network/accept",
            get(network::accept).post(network::answer),
        )
        .route("/network/vouch", get(network::vouch))
        .route("/auth/{provider}/start", get(social::start))
        .route("/auth/{provider}/callback", get(social::callback))
}

/// What the member pages need from a request: the state, the site, the
/// signed-in member (if any), the peer address and the headers.
pub struct Visit {
    pub state: AppState,
    pub site: Arc<Site>,
    pub viewer: Option<Arc<Viewer>>,
    /// The client's address (behind trusted proxies, the one they name; see
    /// `client_ip`), for rate limits and the sessions list.
    pub ip: String,
    pub headers: HeaderMap,
}

impl FromRequestParts<AppState> for Visit {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let site = CurrentSite::from_request_parts(parts, state).await?.0;
        let viewer = parts
            .extensions
            .get::<MaybeViewer>()
            .and_then(|v| v.0.clone());
        let ip = client_ip(parts, state)
            .map(|ip| ip.to_string())
            .unwrap_or_else(|| "unknown".into());
        Ok(Visit {
            state: state.clone(),
            site,
            viewer,
            ip,
            headers: parts.headers.clone(),
        })
    }
}

/// The client's address: the peer's, or behind a trusted reverse proxy the
/// one its forwarding headers name (`kawaraban_core::client_ip`). Every rate
/// limit and record of where a request came from reads this.
pub fn client_ip(parts: &Parts, state: &AppState) -> Option<std::net::IpAddr> {
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>()?.0.ip();
    Some(client_ip_of(&parts.headers, peer, state))
}

/// [`client_ip`] from the headers and the peer's address.
pub fn client_ip_of(
    headers: &axum::http::HeaderMap,
    peer: std::net::IpAddr,
    state: &AppState,
) -> std::net::IpAddr {
    let values = |name| -> Vec<&str> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect()
    };
    kawaraban_core::client_ip::client_ip(
        peer,
        &values("x-forwarded-for"),
        &values("forwarded"),
        &state.config.trusted_proxies,
    )
}

impl Visit {
    /// 403 unless the form carries a valid CSRF token (see `csrf.rs`).
    pub fn check_csrf(&self, f: &Fields) -> AppResult<()> {
        csrf::verify(
            &self.state.signer,
            &self.headers,
            &self.site,
            self.viewer.as_deref(),
            f.get(csrf::FIELD).map(String::as_str),
        )
    }
}

/// A submitted form, as name → value (the last value of a repeated name).
pub type Fields = HashMap<String, String>;

/// A form whose names may repeat (`ids`, `list`): its pairs in order, and
/// its last-value map for the CSRF check and single fields.
pub fn parse_form(body: &[u8]) -> (Vec<(String, String)>, Fields) {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    let map: Fields = pairs.iter().cloned().collect();
    (pairs, map)
}

/// Every value of a repeated field that reads as an id.
pub fn ids(pairs: &[(String, String)], name: &str) -> Vec<i64> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .filter_map(|(_, v)| v.parse().ok())
        .collect()
}

pub fn field<'a>(f: &'a Fields, name: &str) -> &'a str {
    f.get(name).map(String::as_str).unwrap_or("")
}

/// A per-reader page of the theme: never cached, never indexed.
pub struct Screen<'a> {
    pub state: &'a AppState,
    pub site: &'a Site,
    pub template: &'a str,
    pub title: &'a str,
    pub status: StatusCode,
    pub cookies: Vec<HeaderValue>,
}

impl<'a> Screen<'a> {
    pub fn new(state: &'a AppState, site: &'a Site, template: &'a str, title: &'a str) -> Self {
        Self {
            state,
            site,
            template,
            title,
            status: StatusCode::OK,
            cookies: Vec::new(),
        }
    }

    pub fn status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    pub fn cookie(mut self, c: Option<HeaderValue>) -> Self {
        self.cookies.extend(c);
        self
    }

    pub fn render(self, ctx: Value) -> AppResult<Response> {
        let chrome = view::chrome(
            &self.state.network.get(),
            self.site,
            None,
            chrono::Utc::now(),
        );
        let meta = Meta {
            title: self.title.to_string(),
            noindex: true,
            ..Default::default()
        };
        let providers = self.state.providers_view();
        let html = self.state.theme.render(
            self.template,
            context! { chrome, meta, providers, page_path => "", ..ctx },
        )?;
        let mut resp = Response::new(Body::from(html));
        *resp.status_mut() = self.status;
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        for c in self.cookies {
            h.append(header::SET_COOKIE, c);
        }
        resp.extensions_mut().insert(Themed);
        Ok(resp)
    }
}

/// A short page with a heading and a message ("Check your email" ...).
pub fn notice(state: &AppState, site: &Site, title: &str, message: &str) -> AppResult<Response> {
    Screen::new(state, site, "account/notice.html", title)
        .render(context! { heading => title, message })
}

/// [`notice`] that leads back to `next` (a `safe_next` answer), where the
/// reader was before, unless that is the front page anyway.
pub fn notice_back_to(
    state: &AppState,
    site: &Site,
    title: &str,
    message: &str,
    next: &str,
) -> AppResult<Response> {
    if next.is_empty() || next == "/" {
        return notice(state, site, title, message);
    }
    Screen::new(state, site, "account/notice.html", title).render(context! {
        heading => title, message, link => next, link_text => "Back to where you were",
    })
}

/// 303 to `to`, with cookies.
pub fn see_other(to: &str, cookies: Vec<HeaderValue>) -> Response {
    let mut resp = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    for c in cookies {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    resp
}

/// Where to go after signing in or out: a path on this site, or a URL on
/// exactly one of the network's origins (scheme, host and port) with no
/// user name or password; anything else (other hosts or ports, `//host`,
/// `javascript:`, `http://evil@site/`) becomes the home page.
pub fn safe_next(state: &AppState, next: &str) -> String {
    let next = next.trim();
    if next.chars().any(|c| c.is_control()) || next.len() > 2000 {
        return "/".into();
    }
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        return next.to_string();
    }
    if (next.starts_with("https://") || next.starts_with("http://"))
        && state.network.get().owns_url(next)
    {
        // As the browser will read it (a `\` is a `/` to both).
        if let Ok(u) = url::Url::parse(next) {
            return u.to_string();
        }
    }
    "/".into()
}

/// The sign-in page for when a page needs a member.
pub fn to_login(next: &str) -> Response {
    let q: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("next", next)
        .finish();
    see_other(&format!("/login?{q}"), Vec::new())
}
