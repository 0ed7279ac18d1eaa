//! Registration and the confirmation of email addresses.
//!
//! Registration ends on the same "check your email" page whether or not the
//! address has an account; its owner gets a "you already have an account"
//! email instead of a second account.

use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use chrono::{Duration, Utc};
use kawaraban_core::identity::{check_password, parse_email};
use kawaraban_core::model::{Member, NewMember, Role, Site, TokenKind};
use minijinja::context;

use super::links::{check_email_message, confirm_page, dead_link, spend_link, CHECK_EMAIL};
use super::login::sign_in;
use super::secrets::{new_token, token_hash};
use super::session::Client;
use super::{
    csrf, field, limits, mail, notice, notice_back_to, safe_next, see_other, Fields, Screen, Visit,
};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// A registration form sent sooner than this after it was shown is offered
/// again (bots fill forms instantly; people never take this little).
const MIN_FILL_SECS: i64 = 2;

/// The signed moment a form was shown, for the minimum fill time.
fn form_stamp(state: &AppState) -> String {
    let now = Utc::now().timestamp().to_string();
    let sig = state.signer.sign("form-time", &now);
    format!("{now}.{sig}")
}

fn filled_too_fast(state: &AppState, stamp: &str) -> bool {
    let Some((t, sig)) = stamp.split_once('.') else {
        return true;
    };
    if !state.signer.verify("form-time", t, sig) {
        return true;
    }
    let shown: i64 = t.parse().unwrap_or(i64::MAX);
    Utc::now().timestamp() - shown < MIN_FILL_SECS
}

pub async fn register_form(v: Visit, Query(q): Query<Fields>) -> AppResult<Response> {
    let Visit {
        state,
        site,
        viewer,
        headers,
        ..
    } = v;
    if viewer.is_some() {
        return Ok(see_other("/account", Vec::new()));
    }
    render_register(&state, &site, &headers, &q, &[], StatusCode::OK)
}

fn render_register(
    state: &AppState,
    site: &Site,
    headers: &HeaderMap,
    values: &Fields,
    errors: &[String],
    status: StatusCode,
) -> AppResult<Response> {
    let (token, cookie) = csrf::anonymous_token(&state.signer, headers, site);
    Screen::new(state, site, "account/register.html", "Register")
        .status(status)
        .cookie(cookie)
        .render(context! {
            csrf => token,
            stamp => form_stamp(state),
            email => field(values, "email"),
            display_name => field(values, "display_name"),
            next => safe_next(state, field(values, "next")),
            errors,
        })
}

pub async fn register(v: Visit, Form(f): Form<Fields>) -> AppResult<Response> {
    v.check_csrf(&f)?;
    let Visit {
        state,
        site,
        ip,
        headers,
        ..
    } = v;
    limits::hit(&state, limits::REGISTER_IP, &ip).await?;
    if !field(&f, "website").is_empty() {
        // The honeypot: a field people never see. Answer as if all went well.
        tracing::info!(ip, "registration honeypot filled");
        return notice_back_to(
            &state,
            &site,
            CHECK_EMAIL,
            &check_email_message(field(&f, "email")),
            &safe_next(&state, field(&f, "next")),
        );
    }
    if filled_too_fast(&state, field(&f, "stamp")) {
        let errors = ["Please check the form once more and send it again.".to_string()];
        return render_register(
            &state,
            &site,
            &headers,
            &f,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let mut errors = Vec::new();
    let email = parse_email(field(&f, "email"))
        .map_err(|e| errors.push(e))
        .ok();
    let name = super::names::display_name(&state, None, field(&f, "display_name"))
        .await?
        .map_err(|e| errors.push(e))
        .ok();
    let password = field(&f, "password");
    let hints: Vec<&str> = [field(&f, "email"), field(&f, "display_name")].into();
    if let Err(e) = check_password(password, &hints) {
        errors.push(e);
    }
    let (Some(email), Some(name), true) = (email, name, errors.is_empty()) else {
        return render_register(
            &state,
            &site,
            &headers,
            &f,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    limits::hit(&state, limits::LINKS_ACCOUNT, &email.norm).await?;
    // Hash whether or not the address is taken, so both answers take as long.
    let hash = state.passwords.hash(password).await?;
    let next = safe_next(&state, field(&f, "next"));
    match state.store.member_by_email(&email.norm).await? {
        Some(existing) => {
            mail::send(
                &state,
                &site,
                "account_exists",
                &existing.email,
                &existing.display_name,
                context! {
                    login_url => site.absolute("/login"),
                    reset_url => site.absolute("/password/forgot"),
                },
            )
            .await?;
        }
        None => {
            let created = state
                .store
                .create_member(
                    &NewMember {
                        email: email.email.clone(),
                        email_norm: email.norm.clone(),
                        display_name: name,
                        password_hash: Some(hash),
                        role: Role::Member,
                        verified: false,
                    },
                    Utc::now(),
                )
                .await;
            match created {
                Ok(member) => {
                    crate::webhooks::emit(
                        &state,
                        site.id,
                        "member.registered",
                        registered(&member, "email"),
                    )
                    .await;
                    send_verification(&state, &site, &member, &member.email, &next).await?
                }
                // Registered a moment ago by a parallel request: same answer.
                Err(kawaraban_core::StoreError::Conflict(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    notice_back_to(
        &state,
        &site,
        CHECK_EMAIL,
        &check_email_message(&email.email),
        &next,
    )
}

/// Sends a link confirming `address` for `member` (their address, or a new
/// one they asked to change to).
pub async fn send_verification(
    state: &AppState,
    site: &Site,
    member: &Member,
    address: &str,
    next: &str,
) -> AppResult<()> {
    let token = new_token();
    let now = Utc::now();
    let data = serde_json::json!({ "email": address, "next": next }).to_string();
    state
        .store
        .create_token(
            &token_hash(&token),
            TokenKind::Verify,
            Some(member.id),
            &data,
            now,
            now + Duration::days(2),
        )
        .await?;
    mail::send(
        state,
        site,
        "verify",
        address,
        &member.display_name,
        context! {
            link => site.absolute(&format!("/verify/{token}")),
        },
    )
    .await
}

pub async fn resend_verification(v: Visit, Form(f): Form<Fields>) -> AppResult<Response> {
    let viewer = signed_in!(v, f);
    let Visit { state, site, .. } = v;
    let member = &viewer.member;
    if member.is_verified() {
        return Ok(see_other("/account", Vec::new()));
    }
    limits::hit(&state, limits::LINKS_ACCOUNT, &member.email_norm).await?;
    send_verification(
        &state,
        &site,
        member,
        &member.email,
        &safe_next(&state, field(&f, "next")),
    )
    .await?;
    notice(
        &state,
        &site,
        CHECK_EMAIL,
        &format!("A new confirmation link is on its way to {}.", member.email),
    )
}

pub async fn verify_confirm(v: Visit, Path(token): Path<String>) -> AppResult<Response> {
    let Visit {
        state,
        site,
        headers,
        ..
    } = v;
    let live = state
        .store
        .token_is_live(&token_hash(&token), TokenKind::Verify, Utc::now())
        .await?;
    confirm_page(
        &state,
        &site,
        &headers,
        live,
        "Confirm your email address",
        "Confirm my email",
        &format!("/verify/{token}"),
    )
}

pub async fn verify(
    v: Visit,
    Path(token): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    v.check_csrf(&f)?;
    let Visit {
        state,
        site,
        viewer,
        ip,
        headers,
        ..
    } = v;
    let now = Utc::now();
    let Some((member, data)) = spend_link(&state, &token, TokenKind::Verify, now).await? else {
        return dead_link(&state, &site);
    };
    let address = data["email"].as_str().unwrap_or(&member.email).to_string();
    if address == member.email {
        state.store.mark_email_verified(member.id, now).await?;
    } else {
        // A change of address, confirmed from the new mailbox.
        let email = parse_email(&address).map_err(AppError::bad_request)?;
        match state
            .store
            .set_email(member.id, &email.email, &email.norm, true, now)
            .await
        {
            Ok(()) => {
                super::email_change::tell_old_address(&state, &site, &member, &email.email).await?
            }
            Err(kawaraban_core::StoreError::Conflict(_)) => {
                return notice(
                    &state,
                    &site,
                    "Address in use",
                    "That address now belongs to another account, so your address was not changed.",
                );
            }
            Err(e) => return Err(e.into()),
        }
    }
    let next = safe_next(&state, data["next"].as_str().unwrap_or("/account"));
    match viewer {
        Some(v) if v.member.id == member.id => Ok(see_other(&next, Vec::new())),
        // Someone else's link: the address is confirmed, but the session
        // here is not replaced (a link sent by another is no sign-in).
        Some(v) => notice(
            &state,
            &site,
            "Address confirmed",
            &format!(
                "{} is confirmed. You are still signed in as {}; to use the other account, sign out and sign in with it.",
                address, v.member.display_name
            ),
        ),
        None => {
            sign_in(
                &state,
                &site,
                &member,
                &Client::from_request(&headers, ip),
                &next,
            )
            .await
        }
    }
}

/// A new member as the `member.registered` event describes them: no
/// address (a receiver that needs one asks the member for it).
pub fn registered(m: &kawaraban_core::model::Member, how: &str) -> serde_json::Value {
    serde_json::json!({ "member": { "id": m.id, "name": m.display_name, "via": how } })
}
