//! Readership counts and what the desk and the trending block read of them.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::model::ArticleSummary;
use crate::StoreResult;

/// Readership counts: additive per-minute buckets from every app server,
/// readers counted once per article per day by a hash under a daily salt.
#[async_trait]
pub trait AnalyticsStore: Send + Sync {
    /// The secret salt of `day` (days since the epoch, UTC): the stored one,
    /// or `fresh` if none is stored yet (the first app server of the day
    /// sets it for all). Salts of earlier days are destroyed, and with
    /// them any way to tie those days' reader hashes to an address.
    async fn daily_salt(&self, day: i64, fresh: [u8; 32]) -> StoreResult<[u8; 32]>;
    /// Adds counts in one transaction: views and referrers add to what is
    /// stored; a reader adds to `readers` once per article per day.
    async fn add_counts(&self, counts: &[crate::analytics::MinuteCounts]) -> StoreResult<()>;
    /// Every article's counts from minute `since` on, oldest first.
    async fn readers_since(&self, since: i64) -> StoreResult<Vec<crate::analytics::ReadersAt>>;
    /// An article's views by referrer kind and host from minute `since` on,
    /// most views first.
    async fn referrers_since(
        &self,
        article_id: i64,
        since: i64,
    ) -> StoreResult<Vec<(crate::analytics::RefKind, String, i64)>>;
    /// Forgets the reader hashes of days before `day` (they were only kept
    /// to tell a returning reader from a new one on the same day).
    async fn prune_readers(&self, before_day: i64) -> StoreResult<u64>;
    /// Adds counted tallies (readers already told apart) to every grain;
    /// with `minutes` false, to the hourly and daily sums only (history
    /// older than the minute rows are kept).
    async fn add_tallies(
        &self,
        tallies: &[crate::analytics::Tally],
        minutes: bool,
    ) -> StoreResult<()>;
    /// Every article's rows of one grain in a span (its `site_id` and
    /// `article_id` ignored), oldest first; `minute` is a row's first minute.
    async fn counts_in(
        &self,
        span: &crate::analytics::Span,
    ) -> StoreResult<Vec<crate::analytics::ReadersAt>>;
    /// The most read published articles of a span (most readers first, then
    /// views), with their titles and paths.
    async fn top_articles(
        &self,
        span: &crate::analytics::Span,
        limit: u32,
    ) -> StoreResult<Vec<crate::analytics::ArticleTotals>>;
    /// Views and readers per bucket of a span, oldest first (empty buckets
    /// left out).
    async fn series(
        &self,
        span: &crate::analytics::Span,
    ) -> StoreResult<Vec<crate::analytics::Bucket>>;
    /// Views and readers per section over a span: site id, section name,
    /// views, readers; most views first.
    async fn section_totals(
        &self,
        span: &crate::analytics::Span,
    ) -> StoreResult<Vec<(i64, String, i64, i64)>>;
    /// Views by referrer kind and host over the days of a span (daily
    /// sums: `span.grain` is ignored), most views first.
    async fn referrer_totals(
        &self,
        span: &crate::analytics::Span,
    ) -> StoreResult<Vec<(crate::analytics::RefKind, String, i64)>>;
    /// Deletes minute rows before minute `minutes_before` and hourly rows
    /// before that minute's hour `hours_before`; daily rows stay.
    async fn prune_counts(&self, minutes_before: i64, hours_before: i64) -> StoreResult<u64>;
    /// Staff picks for the trending block: article id, and pinned (true) or
    /// excluded (false).
    async fn trending_picks(&self) -> StoreResult<Vec<(i64, bool)>>;
    /// Pins (`Some(true)`), excludes (`Some(false)`) or releases (`None`) an article.
    async fn set_trending_pick(
        &self,
        article_id: i64,
        pick: Option<bool>,
        member_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Sites whose trending rules differ from the defaults: site id,
    /// half-life in minutes, the oldest story's age in days.
    async fn trending_settings(&self) -> StoreResult<Vec<(i64, i64, i64)>>;
    async fn set_trending_settings(
        &self,
        site_id: i64,
        half_life_minutes: i64,
        max_age_days: i64,
    ) -> StoreResult<()>;
    /// The published articles among `ids`, with their sites, in no order.
    async fn summaries_by_id(
        &self,
        ids: &[i64],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<(i64, ArticleSummary)>>;
}
