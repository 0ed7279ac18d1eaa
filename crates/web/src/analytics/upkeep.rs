//! Retention: minute counts go after 48 hours and hourly ones after 90
//! days (`--keep-minutes`, `--keep-hours`), reader hashes after their day.
//! Every app server runs it hourly; deleting what another server already
//! deleted is harmless.

use chrono::Utc;
use kawaraban_core::analytics::MINUTES_PER_DAY;

use crate::state::AppState;

/// Prunes once now and then every hour until `stop`.
pub async fn run(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        if let Err(e) = prune(&state).await {
            tracing::warn!(error = %e, "cannot prune the readership counts");
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(3600)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Deletes what is past its retention; returns the rows deleted.
pub async fn prune(state: &AppState) -> kawaraban_core::StoreResult<u64> {
    let now = Utc::now().timestamp().div_euclid(60);
    let keep = state.config.retention;
    let n = state
        .store
        .prune_counts(now - keep.minutes, now - keep.hours)
        .await?;
    let readers = state
        .store
        .prune_readers(now.div_euclid(MINUTES_PER_DAY))
        .await?;
    Ok(n + readers)
}
