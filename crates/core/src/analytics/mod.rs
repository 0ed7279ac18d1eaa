//! Readership analytics: the rules that decide what a page view is, who
//! read it (without keeping anything personal), where the reader came from,
//! and how the network's trending block is ranked and mixed.
//!
//! Plain functions over plain values, so tests call them with an injected
//! clock and no server; the web crate counts, the store keeps the buckets.

pub mod bots;
pub mod counts;
pub mod reader;
pub mod referrer;
pub mod trending;

pub use bots::{is_bot, is_prefetch};
pub use counts::{
    ArticleTotals, Bucket, Grain, MinuteCounts, ReadersAt, Retention, Span, Tally, MINUTES_PER_DAY,
};
pub use reader::{reader_hash, DailySalt};
pub use referrer::{classify, RefContext, RefKind};
pub use trending::{decayed, mix, Candidate, MixRules};
