//! The desk: the staff's side of every site, at `/desk`, with one
//! navigation for every staff page (analytics and the trending block here;
//! moderation, the audit log and newsletter campaigns where they were).
//! Later areas (stories, surveys, giveaways) add their links to [`NAV`].
//!
//! Desk pages are per reader, never cached, and ask
//! `kawaraban_core::authz` whether the member may see them.

pub mod authors;
pub mod media;
pub mod media_upload;
pub mod settings;
pub mod staff;
pub mod stories;

use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use kawaraban_core::authz::Action;
use minijinja::context;
use serde::Serialize;

use crate::error::{AppError, AppResult};
use crate::members::{to_login, Screen, Viewer, Visit};
use crate::state::AppState;

/// One link of the desk's navigation, shown to those who may follow it.
pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub what: &'static str,
    pub needs: Action,
}

/// The desk's navigation, in order.
pub const NAV: &[NavLink] = &[
    NavLink {
        href: "/desk/stories",
        label: "Stories",
        what: "Write, edit, schedule and publish; revisions, previews, who is editing.",
        needs: Action::Write,
    },
    NavLink {
        href: "/desk/media",
        label: "Media library",
        what: "Photos with their captions, credits and alt text: upload, search, reuse.",
        needs: Action::Write,
    },
    NavLink {
        href: "/desk/authors",
        label: "Authors and tags",
        what: "Authors' profiles (biography, photo, links) and the names of the site's tags.",
        needs: Action::Edit,
    },
    NavLink {
        href: "/desk/analytics",
        label: "Analytics",
        what: "What readers are reading now, today and this week; referrers and sections.",
        needs: Action::Edit,
    },
    NavLink {
        href: "/desk/trending",
        label: "Trending block",
        what: "The mix of stories shown on the other sites: pin or leave out a story.",
        needs: Action::Edit,
    },
    NavLink {
        href: "/desk/surveys",
        label: "Surveys",
        what: "Reader surveys: build, open and close them; results with charts and CSV.",
        needs: Action::Edit,
    },
    NavLink {
        href: "/desk/giveaways",
        label: "Giveaways",
        what: "Sponsored giveaways: entries, disqualifications and the verifiable draw.",
        needs: Action::Edit,
    },
    NavLink {
        href: "/moderation",
        label: "Moderation",
        what: "Comments waiting, reported and rejected; members' standing.",
        needs: Action::Moderate,
    },
    NavLink {
        href: "/newsletters/campaigns",
        label: "Newsletters",
        what: "Campaigns, alerts and digests, with their delivery reports.",
        needs: Action::Edit,
    },
    NavLink {
        href: "/desk/settings",
        label: "Site settings",
        what: "The site's name, address, time zone and publisher; sections; comment rules.",
        needs: Action::Administer,
    },
    NavLink {
        href: "/desk/staff",
        label: "Staff",
        what: "Who has which role on this site: invite, change, remove.",
        needs: Action::Administer,
    },
    NavLink {
        href: "/desk/webhooks",
        label: "Webhooks",
        what: "Signed event deliveries to other software, with their log and replay.",
        needs: Action::Administer,
    },
    NavLink {
        href: "/moderation/audit",
        label: "Audit log",
        what: "Every staff action, newest first.",
        needs: Action::Administer,
    },
];

#[derive(Serialize)]
struct NavView {
    href: &'static str,
    label: &'static str,
    what: &'static str,
    current: bool,
}

fn nav_for(viewer: &Viewer, here: &str) -> Vec<NavView> {
    NAV.iter()
        .filter(|l| viewer.can(l.needs))
        .map(|l| NavView {
            href: l.href,
            label: l.label,
            what: l.what,
            current: here.starts_with(l.href),
        })
        .collect()
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/desk", get(home))
        .merge(crate::analytics::routes())
        .merge(stories::routes())
        .merge(media::routes())
        .merge(staff::routes())
        .merge(settings::routes())
        .merge(authors::routes())
        .merge(crate::webhooks::routes())
}

/// The signed-in member if they may do `action`; otherwise the answer to
/// give (sign in first, or a 403 naming the role needed).
pub fn staff(v: &Visit, action: Action, here: &str) -> Result<Arc<Viewer>, Box<Response>> {
    match &v.viewer {
        None => Err(Box::new(to_login(here))),
        Some(viewer) if viewer.can(action) => Ok(viewer.clone()),
        Some(_) => {
            let role = action.least_role().as_str();
            let no = AppError::Forbidden(format!(
                "This part of the desk is for the site's staff with the {role} role or above."
            ));
            Err(Box::new(no.into_response()))
        }
    }
}

/// A request from staff with the editor role or above: the visit and
/// the member. Anyone else gets the sign-in page (back here after) or a
/// 403 naming the role needed, before the handler runs.
pub struct Editor(pub Visit, pub Arc<Viewer>);

impl axum::extract::FromRequestParts<AppState> for Editor {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Response> {
        let (v, viewer) = staff_request(parts, state, Action::Edit).await?;
        Ok(Editor(v, viewer))
    }
}

/// A request from a site's admins (or the network's): the visit and the
/// member; anyone else gets the sign-in page or a 403 first.
pub struct Admin(pub Visit, pub Arc<Viewer>);

impl axum::extract::FromRequestParts<AppState> for Admin {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Response> {
        let (v, viewer) = staff_request(parts, state, Action::Administer).await?;
        Ok(Admin(v, viewer))
    }
}

/// The visit and the member of a request from staff who may do `action`,
/// or the answer to give instead (see [`staff`]); for extractors.
pub async fn staff_request(
    parts: &mut axum::http::request::Parts,
    state: &AppState,
    action: Action,
) -> Result<(Visit, Arc<Viewer>), Response> {
    let here = parts.uri.path().to_string();
    let v = <Visit as axum::extract::FromRequestParts<AppState>>::from_request_parts(parts, state)
        .await
        .map_err(IntoResponse::into_response)?;
    let viewer = staff(&v, action, &here).map_err(|r| *r)?;
    Ok((v, viewer))
}

/// A desk page: the template with the desk navigation for this viewer.
pub fn render(
    v: &Visit,
    viewer: &Viewer,
    template: &str,
    title: &str,
    here: &str,
    ctx: minijinja::Value,
) -> AppResult<Response> {
    Screen::new(&v.state, &v.site, template, title).render(context! {
        desk_nav => nav_for(viewer, here),
        desk_title => title,
        ..ctx
    })
}

/// `/desk`: where each staff page is.
async fn home(v: Visit) -> AppResult<Response> {
    let viewer = match staff(&v, Action::Write, "/desk") {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    render(&v, &viewer, "desk/home.html", "Desk", "/desk", context! {})
}
