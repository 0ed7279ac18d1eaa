//! Per-reader parts of shared pages ("hole punching").
//!
//! Pages are rendered once for everybody and cached. The parts that differ
//! per reader sit between markers, `<!--kw:NAME ARGS-->…<!--/kw:NAME-->`,
//! rendered in their anonymous form. For a signed-in member this layer
//! swaps each marked part for `slots/NAME.html` rendered with the member,
//! after the page cache has answered, and marks the response private. So a
//! member costs one session look-up and a few tiny renders, not a page.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use minijinja::context;

use kawaraban_core::authz::Action;
use kawaraban_core::model::Site;

use super::secrets::Signer;
use super::session::{self, MaybeViewer, Viewer, SESSION_COOKIE};
use crate::http::site::CurrentSite;
use crate::state::AppState;

const OPEN: &str = "<!--kw:";

/// Largest page this layer will rewrite.
const MAX_BODY: usize = 8 * 1024 * 1024;

/// Finds the signed-in member (if the request carries a session cookie) for
/// the handlers, and fills their parts into the page. Requests without the
/// cookie pass straight through: the shared page is the answer.
pub async fn personalize(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let raw = session::cookie(req.headers(), SESSION_COOKIE).map(str::to_string);
    let site = req.extensions().get::<CurrentSite>().map(|s| s.0.clone());
    let (Some(raw), Some(site)) = (raw, site) else {
        return next.run(req).await;
    };
    let Some(viewer) = session::lookup(&state, &site, &raw).await else {
        // A cookie for no live session: forget it, so the browser goes back
        // to shared pages.
        let mut resp = next.run(req).await;
        if !resp.headers().contains_key(header::SET_COOKIE) {
            resp.headers_mut()
                .append(header::SET_COOKIE, session::clear(&site));
        }
        return resp;
    };
    req.extensions_mut()
        .insert(MaybeViewer(Some(viewer.clone())));
    // The shared page, uncompressed and in full, whatever the browser has cached.
    req.headers_mut().remove(header::ACCEPT_ENCODING);
    req.headers_mut().remove(header::IF_NONE_MATCH);
    req.headers_mut().remove(header::IF_MODIFIED_SINCE);
    let resp = next.run(req).await;
    for_viewer(&state, &site, &viewer, resp).await
}

/// A stored page for a signed-in member, without the router: the front's
/// fast path for a cache hit with a live session. `None` when the page is
/// not stored or the session is not live (the router then answers, and
/// forgets a dead cookie).
pub async fn cached_for(
    state: &AppState,
    site: &Site,
    raw_session: &str,
    entry: &crate::cache::Entry,
) -> Option<Response> {
    let viewer = session::lookup(state, site, raw_session).await?;
    let resp = crate::http::page_cache::respond(entry, &axum::http::HeaderMap::new(), "HIT");
    Some(for_viewer(state, site, &viewer, resp).await)
}

/// Makes the shared answer this member's: private, and with their parts
/// filled in when it is an HTML page.
async fn for_viewer(
    state: &AppState,
    site: &Site,
    viewer: &Viewer,
    mut resp: Response,
) -> Response {
    // Staff reading the site are not readers.
    if viewer.member.role.is_staff() {
        resp.extensions_mut()
            .remove::<crate::http::page_cache::CountedView>();
    }
    let is_html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let (mut parts, body) = resp.into_parts();
    parts.headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    // Nor may a CDN that reads its own header (RFC 9213) keep it.
    parts.headers.remove("cdn-cache-control");
    parts.headers.remove(header::ETAG);
    parts.headers.remove(header::LAST_MODIFIED);
    if !is_html {
        return Response::from_parts(parts, body);
    }
    let bytes = match to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "cannot read a page to personalise");
            return Response::from_parts(parts, Body::empty());
        }
    };
    let Ok(html) = std::str::from_utf8(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    if !html.contains(OPEN) {
        return Response::from_parts(parts, Body::from(bytes));
    }
    let engagement = crate::engagement::for_member(state, html, viewer.member.id).await;
    let out = fill_with(state, site, viewer, html, engagement);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(out))
}

/// How a shared page marks a comment's author for the `own` slot: an HMAC
/// of the comment's id and its author's (the first 128 bits), so the page
/// names no member and two comments' marks cannot be linked; empty for a
/// former member's comment.
pub fn owner_tag(signer: &Signer, comment_id: i64, member_id: Option<i64>) -> String {
    match member_id {
        Some(m) => signer.sign("own", &format!("{comment_id}:{m}"))[..22].to_string(),
        None => String::new(),
    }
}

/// Whether the `own` slot's arguments (`id`, `owner`) mark a comment of
/// this member.
fn is_own(
    signer: &Signer,
    member_id: i64,
    args: &std::collections::BTreeMap<String, String>,
) -> bool {
    let (Some(id), Some(owner)) = (
        args.get("id").and_then(|i| i.parse().ok()),
        args.get("owner"),
    ) else {
        return false;
    };
    let expected = owner_tag(signer, id, Some(member_id));
    super::csrf::constant_time_eq(expected.as_bytes(), owner.as_bytes())
}

/// Fills every marked part of `html` for this member. `own` (tools shown
/// only on the member's own comments, marked by `owner_tag`) skips the
/// template on everybody else's comments.
pub fn fill_for(state: &AppState, site: &Site, viewer: &Viewer, html: &str) -> String {
    fill_with(state, site, viewer, html, minijinja::Value::UNDEFINED)
}

/// [`fill_for`], with what the survey and giveaway slots need to know of
/// the member (`engagement::for_member`).
fn fill_with(
    state: &AppState,
    site: &Site,
    viewer: &Viewer,
    html: &str,
    engagement: minijinja::Value,
) -> String {
    let site_view = minijinja::Value::from_serialize(crate::view::SiteView::new(site));
    let providers = minijinja::Value::from_serialize(state.providers_view());
    let now = chrono::Utc::now().timestamp();
    fill(html, |name, args| {
        if name == "own" && !is_own(&state.signer, viewer.member.id, &args) {
            return Some(String::new());
        }
        let nonce = matches!(name, "comment_form" | "comment_tools")
            .then(crate::members::secrets::new_token);
        state
            .theme
            .render(
                &format!("slots/{name}.html"),
                context! { viewer => context! {
                    id => viewer.member.id,
                    name => viewer.member.display_name.clone(),
                    verified => viewer.member.is_verified(),
                    role => viewer.member.role.as_str(),
                    staff => viewer.member.role.is_staff(),
                    moderator => viewer.can(Action::Moderate),
                    editor => viewer.can(Action::Edit),
                }, csrf => viewer.csrf.clone(), args, nonce, site => site_view.clone(),
                   providers => providers.clone(), now, engagement => engagement.clone() },
            )
            .map_err(|e| tracing::error!(error = %e, slot = name, "slot failed to render"))
            .ok()
    })
}

/// Replaces each marked part with `render(name, args)`; a part whose render
/// fails keeps its anonymous form.
pub fn fill(
    html: &str,
    mut render: impl FnMut(&str, std::collections::BTreeMap<String, String>) -> Option<String>,
) -> String {
    let mut out = String::with_capacity(html.len() + 512);
    let mut rest = html;
    while let Some(start) = rest.find(OPEN) {
        let after = &rest[start + OPEN.len()..];
        let Some(head_end) = after.find("-->") else {
            break;
        };
        let head = &after[..head_end];
        let (name, raw_args) = head.split_once(' ').unwrap_or((head, ""));
        let close = format!("<!--/kw:{name}-->");
        let body_start = start + OPEN.len() + head_end + 3;
        let Some(close_at) = rest[body_start..].find(&close) else {
            break;
        };
        let args = url::form_urlencoded::parse(raw_args.trim().as_bytes())
            .into_owned()
            .collect();
        out.push_str(&rest[..start]);
        match render(name, args) {
            Some(r) => out.push_str(&r),
            None => out.push_str(&rest[body_start..body_start + close_at]),
        }
        rest = &rest[body_start + close_at + close.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::fill;

    #[test]
    fn marked_parts_are_replaced_and_the_rest_kept() {
        let page = "a<!--kw:account path=%2Fx%2F-->anon<!--/kw:account-->b<!--kw:nope-->keep<!--/kw:nope-->c";
        let out = fill(page, |name, args| {
            (name == "account").then(|| format!("[{}]", args["path"]))
        });
        assert_eq!(out, "a[/x/]bkeepc");
        assert_eq!(fill("plain", |_, _| None), "plain");
        assert_eq!(
            fill("x<!--kw:open", |_, _| Some("!".into())),
            "x<!--kw:open"
        );
    }
}
