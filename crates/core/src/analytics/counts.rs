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

/// Counts with the readers already counted: what imported or synthetic
/// history adds (the demo's reading history, a benchmark's), and what
/// [`MinuteCounts`] become once the store has told new readers from known ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub site_id: i64,
    pub article_id: i64,
    /// Minutes since the Unix epoch (UTC).
    pub minute: i64,
    pub views: i64,
    /// Readers new to this article that day.
    pub readers: i64,
    pub referrers: Vec<(RefKind, String, i64)>,
}

/// How finely counts are kept: per minute (48 hours by default), per hour
/// (90 days) and per day (for good).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Grain {
    Minute,
    Hour,
    Day,
}

impl Grain {
    /// Minutes in one bucket.
    pub fn minutes(self) -> i64 {
        match self {
            Grain::Minute => 1,
            Grain::Hour => 60,
            Grain::Day => MINUTES_PER_DAY,
        }
    }

    /// The bucket a minute falls in, in this grain's units.
    pub fn bucket(self, minute: i64) -> i64 {
        minute.div_euclid(self.minutes())
    }

    /// The finest grain still kept for counts from `from` on (minutes
    /// since the epoch), given how long minute and hour rows are kept.
    pub fn finest_kept(from: i64, now: i64, keep: &Retention) -> Grain {
        if from >= now - keep.minutes {
            Grain::Minute
        } else if from >= now - keep.hours {
            Grain::Hour
        } else {
            Grain::Day
        }
    }
}

/// How long the finer counts are kept, in minutes (daily counts are kept
/// for good).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub minutes: i64,
    pub hours: i64,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            minutes: 48 * 60,
            hours: 90 * MINUTES_PER_DAY,
        }
    }
}

/// One article's sums over a span, with what a table of top stories shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleTotals {
    pub article_id: i64,
    pub site_id: i64,
    pub title: String,
    pub section_name: String,
    /// `/{section}/{slug}` on its site.
    pub path: String,
    pub views: i64,
    pub readers: i64,
}

/// Views and readers in one bucket of a series (its first minute).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    pub minute: i64,
    pub views: i64,
    pub readers: i64,
}

/// What [`crate::store::AnalyticsStore`] sums: counts of one grain between
/// two minutes (`from` included, `to` not), for one site (or all) and one
/// article (or all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub grain: Grain,
    pub from: i64,
    pub to: i64,
    pub site_id: Option<i64>,
    pub article_id: Option<i64>,
}

impl Span {
    /// Every site's and article's counts of `grain` in `[from, to)`.
    pub fn all(grain: Grain, from: i64, to: i64) -> Self {
        Self {
            grain,
            from,
            to,
            site_id: None,
            article_id: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_and_the_finest_grain_kept() {
        assert_eq!(Grain::Hour.bucket(125), 2);
        assert_eq!(Grain::Day.bucket(-1), -1);
        let keep = Retention::default();
        let now = 100 * MINUTES_PER_DAY;
        assert_eq!(Grain::finest_kept(now - 60, now, &keep), Grain::Minute);
        assert_eq!(
            Grain::finest_kept(now - 7 * MINUTES_PER_DAY, now, &keep),
            Grain::Hour
        );
        assert_eq!(Grain::finest_kept(0, now, &keep), Grain::Day);
    }
}
