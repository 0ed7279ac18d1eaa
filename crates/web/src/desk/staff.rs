//! `/desk/staff`: the site's staff. Admins invite by email (the role is
//! granted at once and a one-time sign-in link mailed; an address without
//! an account gets one), change a grant and take it away. Grants are per
//! site; a network role (`kawaraban user role`) counts on every site.
//! Every change is in the audit log.

use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::{Duration, Utc};
use kawaraban_core::identity::{clean_display_name, parse_email};
use kawaraban_core::model::{NewMember, Role, TokenKind};
use minijinja::context;

use super::{render, Admin};
use crate::error::{AppError, AppResult};
use crate::members::{field, parse_form, see_other, Fields, Viewer, Visit};
use crate::state::AppState;

/// How long an invitation's sign-in link works.
pub const INVITE_DAYS: i64 = 7;

/// The roles a site grants.
const GRANTED: [Role; 5] = [
    Role::Contributor,
    Role::Moderator,
    Role::Author,
    Role::Editor,
    Role::Admin,
];

pub fn routes() -> Router<AppState> {
    Router::new().route("/desk/staff", get(page).post(act))
}

async fn staff_page(
    v: &Visit,
    viewer: &Viewer,
    error: Option<String>,
    notice: Option<String>,
) -> AppResult<Response> {
    let grants: Vec<_> = v
        .state
        .store
        .site_staff(v.site.id)
        .await?
        .into_iter()
        .map(|(m, r)| context! { id => m.id, name => m.display_name, email => m.email, role => r.as_str(), me => m.id == viewer.member.id })
        .collect();
    let network: Vec<_> = v
        .state
        .store
        .list_staff()
        .await?
        .into_iter()
        .map(|m| context! { name => m.display_name, email => m.email, role => m.role.as_str() })
        .collect();
    let roles: Vec<&str> = GRANTED.iter().map(|r| r.as_str()).collect();
    let mut resp = render(
        v,
        viewer,
        "desk/staff.html",
        "Staff",
        "/desk/staff",
        context! { grants, network, roles, error, notice, csrf => viewer.csrf.clone(), days => INVITE_DAYS },
    )?;
    if error.is_some() {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

async fn page(Admin(v, viewer): Admin) -> AppResult<Response> {
    staff_page(&v, &viewer, None, None).await
}

fn granted_role(f: &Fields) -> Result<Role, String> {
    let r = field(f, "role");
    GRANTED
        .into_iter()
        .find(|g| g.as_str() == r)
        .ok_or_else(|| {
            format!("role: \"{r}\" is not contributor, moderator, author, editor or admin")
        })
}

/// `POST /desk/staff`: `action` invite (`email`, `name`, `role`), change
/// (`member`, `role`) or remove (`member`).
async fn act(Admin(v, viewer): Admin, body: axum::body::Bytes) -> AppResult<Response> {
    let (_, f) = parse_form(&body);
    v.check_csrf(&f)?;
    let now = Utc::now();
    let site = v.site.clone();
    match field(&f, "action") {
        "invite" => {
            let role = match granted_role(&f) {
                Ok(r) => r,
                Err(e) => return staff_page(&v, &viewer, Some(e), None).await,
            };
            let email = match parse_email(field(&f, "email")) {
                Ok(e) => e,
                Err(e) => return staff_page(&v, &viewer, Some(format!("email: {e}")), None).await,
            };
            crate::members::limits::hit(
                &v.state,
                crate::members::limits::LINKS_ACCOUNT,
                &email.norm,
            )
            .await?;
            let member = match v.state.store.member_by_email(&email.norm).await? {
                Some(m) => m,
                None => {
                    let fallback = email.email.split('@').next().unwrap_or("Staff").to_string();
                    let typed = field(&f, "name").trim();
                    let name = match clean_display_name(if typed.is_empty() {
                        &fallback
                    } else {
                        typed
                    }) {
                        Ok(n) => n,
                        Err(e) => {
                            return staff_page(&v, &viewer, Some(format!("name: {e}")), None).await
                        }
                    };
                    let new = NewMember {
                        email: email.email.clone(),
                        email_norm: email.norm.clone(),
                        display_name: name,
                        password_hash: None,
                        role: Role::Member,
                        verified: false,
                    };
                    v.state.store.create_member(&new, now).await?
                }
            };
            v.state
                .store
                .set_site_role(member.id, site.id, Some(role), Some(viewer.member.id), now)
                .await?;
            let link = crate::members::links::create_link(
                &*v.state.store,
                &site,
                member.id,
                TokenKind::MagicLink,
                Duration::days(INVITE_DAYS),
                "/desk",
            )
            .await?;
            crate::members::mail::send(
                &v.state,
                &site,
                "staff_invite",
                &member.email,
                &member.display_name,
                context! { link, days => INVITE_DAYS, role => role.as_str(), by => viewer.member.display_name.clone(), to => member.email.clone() },
            )
            .await?;
            audit(
                &v,
                &viewer,
                "staff.invite",
                member.id,
                &format!("{} as {role} on {}", member.email, site.key),
            )
            .await?;
            let notice = format!(
                "{} has the {role} role on {} and an email with a sign-in link.",
                member.email, site.name
            );
            staff_page(&v, &viewer, None, Some(notice)).await
        }
        action @ ("change" | "remove") => {
            let id: i64 = field(&f, "member")
                .parse()
                .map_err(|_| AppError::bad_request("member: which staff member?"))?;
            if id == viewer.member.id {
                return staff_page(
                    &v,
                    &viewer,
                    Some("You cannot change your own role: another admin decides on it.".into()),
                    None,
                )
                .await;
            }
            let member = v
                .state
                .store
                .member_by_id(id)
                .await?
                .ok_or(AppError::NotFound)?;
            let role = if action == "remove" {
                None
            } else {
                match granted_role(&f) {
                    Ok(r) => Some(r),
                    Err(e) => return staff_page(&v, &viewer, Some(e), None).await,
                }
            };
            v.state
                .store
                .set_site_role(id, site.id, role, Some(viewer.member.id), now)
                .await?;
            let what = match role {
                Some(r) => format!("{} is now {r} on {}", member.email, site.key),
                None => format!("{} no longer has a role on {}", member.email, site.key),
            };
            audit(&v, &viewer, &format!("staff.{action}"), id, &what).await?;
            Ok(see_other("/desk/staff", Vec::new()))
        }
        other => Err(AppError::bad_request(format!(
            "action: \"{other}\" is not invite, change or remove"
        ))),
    }
}

async fn audit(v: &Visit, viewer: &Viewer, action: &str, member: i64, what: &str) -> AppResult<()> {
    v.state
        .store
        .audit(
            Some(&viewer.member),
            action,
            &format!("member:{member}"),
            what,
            Utc::now(),
        )
        .await?;
    Ok(())
}
