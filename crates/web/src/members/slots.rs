//! Per-reader parts of shared pages ("hole punching").
//!
//! Pages are rendered once for everybody and cached. The parts that differ
//! per reader sit between markers, `<!--kw:NAME ARGS-->…<!--/kw:NAME-->`,
//! rendered in their anonymous form. For a signed-in member this layer
//! swaps each marked part for `slots/NAME.html` rendered with the member,
//! after the page cache has answered, and marks the response private. So a
//! member costs one session look-up and a few tiny renders, not a page.

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use minijinja::context;

use kawaraban_core::authz::Action;
use kawaraban_core::model::Site;

use super::secrets::Signer;
use super::session::{self, MaybeViewer, Viewer, SESSION_COOKIE};
use super::slot_layout::{Layout, Slot};
use crate::http::site::CurrentSite;
use crate::state::AppState;

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
/// forgets a dead cookie). The stored page's layout says where its parts
/// are, so it is not searched again.
pub async fn cached_for(
    state: &AppState,
    site: &Site,
    raw_session: &str,
    entry: &crate::cache::Entry,
) -> Option<Response> {
    let viewer = session::lookup(state, site, raw_session).await?;
    let resp = crate::http::page_cache::respond(entry, &axum::http::HeaderMap::new(), "HIT");
    let (mut parts, body) = resp.into_parts();
    let is_html = make_private(&viewer, &mut parts);
    let layout = entry.slot_layout();
    if !is_html || layout.is_empty() {
        return Some(Response::from_parts(parts, body));
    }
    let body = fill_page(state, site, &viewer, &entry.identity, layout, &mut parts).await;
    Some(Response::from_parts(parts, body))
}

/// Marks a shared answer private to this member (and uncounted for staff);
/// whether it is an HTML page.
fn make_private(viewer: &Viewer, parts: &mut axum::http::response::Parts) -> bool {
    // Staff reading the site are not readers.
    if viewer.member.role.is_staff() {
        parts
            .extensions
            .remove::<crate::http::page_cache::CountedView>();
    }
    parts.headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    // Nor may a CDN that reads its own header (RFC 9213) keep it.
    parts.headers.remove("cdn-cache-control");
    parts.headers.remove(header::ETAG);
    parts.headers.remove(header::LAST_MODIFIED);
    parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// Makes the shared answer this member's: private, and with their parts
/// filled in when it is an HTML page.
async fn for_viewer(state: &AppState, site: &Site, viewer: &Viewer, resp: Response) -> Response {
    let (mut parts, body) = resp.into_parts();
    if !make_private(viewer, &mut parts) {
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
    let layout = Layout::of(html);
    if layout.is_empty() {
        return Response::from_parts(parts, Body::from(bytes));
    }
    let body = fill_page(state, site, viewer, &bytes, &layout, &mut parts).await;
    Response::from_parts(parts, body)
}

/// A page's parts filled for this member, with what the survey and
/// giveaway slots need to know of them: the body, its pieces sharing the
/// page's bytes, with its length set in `parts`.
async fn fill_page(
    state: &AppState,
    site: &Site,
    viewer: &Viewer,
    html: &Bytes,
    layout: &Layout,
    parts: &mut axum::http::response::Parts,
) -> Body {
    let now = chrono::Utc::now().timestamp();
    let mark = state.store.commit_mark().map(|m| (m, now));
    let prefix = format!("{}\u{0}{}\u{0}", viewer.session.id_hash, site.id);
    let key = |slot: &Slot| format!("{prefix}{}", slot.head);
    // What this member was shown of these parts within this second.
    let mut rendered: Vec<Option<Bytes>> = layout
        .slots()
        .iter()
        .map(|slot| {
            let m = mark.filter(|_| kept(slot))?;
            state.kept_slots.get(m, &key(slot))
        })
        .collect();
    let missing = |name: &str| {
        layout
            .slots()
            .iter()
            .zip(&rendered)
            .any(|(s, r)| r.is_none() && s.name == name)
    };
    if rendered.iter().any(Option::is_none) {
        let engagement = if missing("survey") || missing("giveaway") {
            crate::engagement::for_member(state, layout, viewer.member.id).await
        } else {
            minijinja::Value::UNDEFINED
        };
        let mut render = renderer(state, site, viewer, engagement, now);
        for (slot, out) in layout.slots().iter().zip(rendered.iter_mut()) {
            if out.is_some() {
                continue;
            }
            *out = render(slot).map(Bytes::from);
            if let (Some(m), Some(b), true) = (mark, out.as_ref(), kept(slot)) {
                state.kept_slots.put(m, key(slot), b.clone());
            }
        }
    }
    let (pieces, len) = layout.fill_bytes(html, rendered);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    Body::from_stream(futures::stream::iter(
        pieces.into_iter().map(Ok::<_, std::convert::Infallible>),
    ))
}

/// What was rendered of members' parts lately, by session, site and
/// marker: kept within one second (the second is part of the mark, so
/// `now` in a part is the same) while nothing is committed, so a member
/// going from page to page has the header rendered once, not on every page.
pub type KeptSlots = super::kept::KeptOnMark<String, Bytes, (u64, i64)>;

/// Whether a part may be kept: not those carrying a one-time form key
/// (which are the parts not kept).
fn kept(slot: &Slot) -> bool {
    !matches!(slot.name.as_str(), "comment_form" | "comment_tools")
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
    let now = chrono::Utc::now().timestamp();
    let render = renderer(state, site, viewer, minijinja::Value::UNDEFINED, now);
    Layout::of(html).fill(html, render)
}

/// Renders a page's parts for this member, with what the survey and
/// giveaway slots need to know of them (`engagement::for_member`).
fn renderer<'a>(
    state: &'a AppState,
    site: &Site,
    viewer: &'a Viewer,
    engagement: minijinja::Value,
    now: i64,
) -> impl FnMut(&Slot) -> Option<String> + 'a {
    // What every part of the page sees, made once for all of them.
    let base = context! {
        viewer => context! {
            id => viewer.member.id,
            name => viewer.member.display_name.clone(),
            email => viewer.member.email.clone(),
            verified => viewer.member.is_verified(),
            role => viewer.member.role.as_str(),
            staff => viewer.member.role.is_staff(),
            moderator => viewer.can(Action::Moderate),
            editor => viewer.can(Action::Edit),
        },
        csrf => viewer.csrf.clone(),
        site => minijinja::Value::from_serialize(crate::view::SiteView::new(site)),
        providers => minijinja::Value::from_serialize(state.providers_view()),
        now,
        engagement,
    };
    move |slot| {
        let name = slot.name.as_str();
        if name == "own" && !is_own(&state.signer, viewer.member.id, &slot.args) {
            return Some(String::new());
        }
        // A one-time key against a form posted twice.
        let nonce = (!kept(slot)).then(crate::members::secrets::new_token);
        let mine = name == "comment_tools" && is_own(&state.signer, viewer.member.id, &slot.args);
        state
            .theme
            .render(
                &slot.template,
                context! { args => slot.args_value.clone(), nonce, mine, ..base.clone() },
            )
            .map_err(|e| tracing::error!(error = %e, slot = name, "slot failed to render"))
            .ok()
    }
}
