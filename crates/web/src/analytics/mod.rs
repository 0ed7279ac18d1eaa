//! Readership analytics: page views counted where they are served (the
//! front step, cache hits included), aggregated in memory and added to the
//! store's per-minute buckets by every app server. The rules (who is a
//! reader, where they came from) are `kawaraban_core::analytics`.

pub mod counter;

pub use counter::{Counter, Visit};
