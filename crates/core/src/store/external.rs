//! External sister sites: their feeds' items and the clicks sent to them.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::model::{ExternalItem, ExternalSite, NewExternalItem};
use crate::StoreResult;

/// Sister sites run elsewhere, their feeds' items and the clicks the
/// trending block sends them.
#[async_trait]
pub trait ExternalStore: Send + Sync {
    /// Adds the external site with this key, or renames it and changes its feed.
    async fn add_external_site(
        &self,
        key: &str,
        name: &str,
        feed_url: &str,
    ) -> StoreResult<ExternalSite>;
    async fn external_sites(&self) -> StoreResult<Vec<ExternalSite>>;
    /// Removes one with its items and clicks; false when there was none.
    async fn remove_external_site(&self, key: &str) -> StoreResult<bool>;
    /// Claims the next fetch of a feed: true (and the fetch time set to
    /// `now`) when it was last fetched before `stale_before` or never, so
    /// that of many app servers one fetches.
    async fn claim_external_fetch(
        &self,
        id: i64,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Records a fetch: its items (added, or updated by guid; the newest
    /// `keep` of the site kept) or why it failed (the items stay as they were).
    async fn save_external_fetch(
        &self,
        id: i64,
        result: Result<&[NewExternalItem], &str>,
        keep: u32,
    ) -> StoreResult<()>;
    /// Every external item published from `since` on.
    async fn external_items(&self, since: DateTime<Utc>) -> StoreResult<Vec<ExternalItem>>;
    async fn external_item(&self, id: i64) -> StoreResult<Option<ExternalItem>>;
    /// One more click on an item in hour `hour` (hours since the epoch).
    async fn add_external_click(&self, item_id: i64, hour: i64) -> StoreResult<()>;
    /// Clicks per item and hour from hour `since` on.
    async fn external_clicks(&self, since: i64) -> StoreResult<Vec<(i64, i64, i64)>>;
}
