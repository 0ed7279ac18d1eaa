//! The last month's daily counts in memory, for the desk's tables of top
//! stories over days: summing tens of thousands of rows per day in SQL
//! takes longer than a dashboard may, and a finished day never changes.
//!
//! Each day is read once (today and yesterday again after
//! [`FRESH`], since other servers still add to them), in a compact row of
//! 24 bytes; days older than [`KEEP_DAYS`] are not kept, and spans that
//! reach back further are summed by the database.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kawaraban_core::analytics::{Grain, Span, MINUTES_PER_DAY};
use kawaraban_core::store::Store;
use kawaraban_core::StoreResult;

/// Days kept in memory, counting back from today.
pub const KEEP_DAYS: i64 = 31;

/// How long today's and yesterday's rows are used before they are read again.
pub const FRESH: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy)]
struct Row {
    article_id: i64,
    site_id: i32,
    views: i32,
    readers: i32,
}

struct Day {
    rows: Vec<Row>,
    read_at: Instant,
}

/// Sums of one article over a span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sum {
    pub article_id: i64,
    pub site_id: i64,
    pub views: i64,
    pub readers: i64,
}

#[derive(Default)]
pub struct DayCache {
    days: Mutex<BTreeMap<i64, Arc<Day>>>,
}

impl DayCache {
    /// The top `limit` articles of a span of whole days (most readers, then
    /// views), or `None` when the span reaches further back than the days
    /// kept (the caller asks the database).
    pub async fn top(
        &self,
        store: &dyn Store,
        span: &Span,
        limit: usize,
        today: i64,
    ) -> StoreResult<Option<Vec<Sum>>> {
        let first = span.from.div_euclid(MINUTES_PER_DAY);
        let last = (span.to - 1).div_euclid(MINUTES_PER_DAY).min(today);
        if span.grain != Grain::Day || first <= today - KEEP_DAYS {
            return Ok(None);
        }
        let mut sums: HashMap<i64, Sum> = HashMap::new();
        for day in first..=last {
            let rows = self.day(store, day, today).await?;
            for r in &rows.rows {
                if span.site_id.is_some_and(|s| s != i64::from(r.site_id))
                    || span.article_id.is_some_and(|a| a != r.article_id)
                {
                    continue;
                }
                let e = sums.entry(r.article_id).or_insert(Sum {
                    article_id: r.article_id,
                    site_id: i64::from(r.site_id),
                    views: 0,
                    readers: 0,
                });
                e.views += i64::from(r.views);
                e.readers += i64::from(r.readers);
            }
        }
        let mut all: Vec<Sum> = sums.into_values().collect();
        let order = |a: &Sum, b: &Sum| {
            b.readers
                .cmp(&a.readers)
                .then(b.views.cmp(&a.views))
                .then(a.article_id.cmp(&b.article_id))
        };
        if all.len() > limit {
            all.select_nth_unstable_by(limit, order);
            all.truncate(limit);
        }
        all.sort_by(order);
        Ok(Some(all))
    }

    async fn day(&self, store: &dyn Store, day: i64, today: i64) -> StoreResult<Arc<Day>> {
        let settled = day < today - 1;
        if let Some(d) = self.days.lock().expect("day cache lock").get(&day) {
            if settled || d.read_at.elapsed() < FRESH {
                return Ok(d.clone());
            }
        }
        let rows = store
            .counts_in(&Span::all(
                Grain::Day,
                day * MINUTES_PER_DAY,
                (day + 1) * MINUTES_PER_DAY,
            ))
            .await?
            .into_iter()
            .map(|r| Row {
                article_id: r.article_id,
                site_id: r.site_id as i32,
                views: r.views.clamp(0, i64::from(i32::MAX)) as i32,
                readers: r.readers.clamp(0, i64::from(i32::MAX)) as i32,
            })
            .collect();
        let d = Arc::new(Day {
            rows,
            read_at: Instant::now(),
        });
        let mut days = self.days.lock().expect("day cache lock");
        days.insert(day, d.clone());
        // Forget the days that are no longer kept.
        let keep_from = today - KEEP_DAYS + 1;
        days.retain(|k, _| *k >= keep_from);
        Ok(d)
    }
}
