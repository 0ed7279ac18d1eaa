//! Readership analytics: page views counted where they are served (the
//! front step, cache hits included), aggregated in memory and added to the
//! store's per-minute buckets by every app server. The rules (who is a
//! reader, where they came from) are `kawaraban_core::analytics`.

pub mod beacon;
pub mod chart;
pub mod counter;
pub mod dashboard;
pub mod days;
pub mod external;
pub mod filters;
pub mod picks;
pub mod table;
pub mod trending;
pub mod upkeep;

pub use counter::{Counter, Visit};

use axum::routing::get;
use axum::Router;

use crate::state::AppState;

/// The analytics pages of the desk.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/desk/analytics", get(dashboard::page))
        .route("/desk/analytics.csv", get(dashboard::export))
        .route("/desk/analytics/article/{id}", get(dashboard::article))
        .route("/desk/trending", get(picks::page).post(picks::act))
        .route("/go/{item}", get(external::go))
        .route(
            "/_kw/view",
            axum::routing::post(beacon::view)
                .layer(axum::extract::DefaultBodyLimit::max(beacon::MOST_BYTES)),
        )
}
