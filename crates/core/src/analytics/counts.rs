//! What the counters hand to the store: additive per-minute counts.

use super::referrer::RefKind;

/// Minutes in a day: a reader is one reader per article per UTC day.
pub const MINUTES_PER_DAY: i64 = 24 * 60;

/// What one app server counted for one article in one minute. Counts from
/// several servers for the same article and minute add up in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinuteCounts {
    pub site_id: i64,
    pub article_id: i64,
    /// Minutes since the Unix epoch (UTC).
    pub minute: i64,
    /// Page views.
    pub views: i64,
    /// The hashes of the readers seen this minute (each once); the store
    /// counts those it has not seen on this article that day.
    pub readers: Vec<i64>,
    /// Views by referrer kind and, for [`RefKind::Other`], host ("" otherwise).
    pub referrers: Vec<(RefKind, String, i64)>,
}

impl MinuteCounts {
    /// The UTC day (days since the epoch) the minute is in.
    pub fn day(&self) -> i64 {
        self.minute.div_euclid(MINUTES_PER_DAY)
    }
}

/// One article's readers in one minute, as the store keeps them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadersAt {
    pub site_id: i64,
    pub article_id: i64,
    pub minute: i64,
    pub views: i64,
    pub readers: i64,
}
