//! External sister sites in the trending block: their feeds fetched every
//! 15 minutes (by one app server: the fetch is claimed in the database),
//! and `/go/{item}`, the redirect the block links them through, which
//! counts the click and only ever points at the item's own link as read
//! from its feed.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use kawaraban_content::external;

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// How often a feed is read.
pub const EVERY: Duration = Duration::from_secs(15 * 60);

/// Reads every external site's feed that is due, until `stop`.
pub async fn run(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    let client = external::client();
    loop {
        if let Err(e) = fetch_due(&state, &client).await {
            tracing::warn!(error = %e, "cannot read the external sites' feeds");
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(60)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Fetches the feeds not read for [`EVERY`]; returns how many were read.
pub async fn fetch_due(
    state: &AppState,
    client: &reqwest::Client,
) -> kawaraban_core::StoreResult<usize> {
    let now = Utc::now();
    let stale = now - chrono::Duration::from_std(EVERY).unwrap_or_default();
    let mut n = 0;
    for site in state.store.external_sites().await? {
        if !state
            .store
            .claim_external_fetch(site.id, now, stale)
            .await?
        {
            continue;
        }
        n += 1;
        match external::fetch(client, &site.feed_url, now).await {
            Ok(items) => {
                state
                    .store
                    .save_external_fetch(site.id, Ok(&items), external::KEEP)
                    .await?
            }
            Err(why) => {
                tracing::warn!(site = %site.key, error = %why, "cannot read an external site's feed; its items stay");
                state
                    .store
                    .save_external_fetch(site.id, Err(&why), external::KEEP)
                    .await?
            }
        }
    }
    Ok(n)
}

/// `GET /go/{item}`: one click on an external item, then on to its link.
pub async fn go(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let item = state
        .store
        .external_item(id)
        .await?
        .ok_or(AppError::NotFound)?;
    // The page views' screening: crawlers, tools and prefetches do not count.
    let visit = super::Visit::of(&Method::GET, &Uri::default(), &headers, None);
    if state.config.count_views && visit.counts() {
        state
            .store
            .add_external_click(item.id, Utc::now().timestamp().div_euclid(3600))
            .await?;
    }
    let mut resp = StatusCode::FOUND.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::LOCATION,
        HeaderValue::from_str(&item.url).map_err(|_| AppError::NotFound)?,
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}
