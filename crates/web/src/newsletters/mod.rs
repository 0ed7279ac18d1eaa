//! Newsletters and news alerts, the reader's side: the signup page and the
//! form themes place anywhere, double opt-in by an emailed link, the
//! "manage my newsletters" page behind a signed link in every email, and
//! one-click unsubscribe (RFC 8058). None of it needs a sign-in.

pub mod admin;
pub mod alerts;
pub mod campaigns;
pub mod manage;
pub mod reports;
pub mod schedule;
pub mod sender;
pub mod signup;

use axum::routing::get;
use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/newsletters", get(signup::page).post(signup::sign_up))
        .route(
            "/newsletters/confirm/{token}",
            get(signup::confirm_page).post(signup::confirm),
        )
        .route(
            "/newsletters/manage/{key}",
            get(manage::page).post(manage::change),
        )
        .route(
            "/newsletters/unsubscribe/{key}",
            get(manage::unsubscribe_page).post(manage::one_click),
        )
        .route("/newsletters/campaigns", get(admin::page))
        .route(
            "/newsletters/reports/{key}",
            axum::routing::post(reports::receive),
        )
}

/// The key in a subscriber's links: its id and a signature of it. It never
/// expires (an unsubscribe link must work for as long as mail is sent).
pub fn link_key(state: &AppState, subscriber_id: i64) -> String {
    let id = subscriber_id.to_string();
    format!("{id}-{}", state.signer.sign("newsletters", &id))
}

/// The subscriber a link key names, if its signature holds.
pub fn check_key(state: &AppState, key: &str) -> Option<i64> {
    let (id, sig) = key.split_once('-')?;
    state
        .signer
        .verify("newsletters", id, sig)
        .then(|| id.parse().ok())
        .flatten()
}

/// A site's lists as the signup form shows them on shared pages, none
/// ticked: a reader chooses.
pub async fn form_lists(
    state: &AppState,
    site_id: i64,
) -> crate::error::AppResult<Vec<minijinja::Value>> {
    Ok(state
        .store
        .lists(site_id)
        .await?
        .into_iter()
        .map(|l| {
            minijinja::context! {
                id => l.id, name => l.name, description => l.description,
                checked => false,
            }
        })
        .collect())
}
