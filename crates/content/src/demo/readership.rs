//! The demo's reading history: a few weeks of clearly synthetic counts, so
//! that the trending block and the desk's analytics show real rankings on
//! first start. Nothing here is a real reader: every number comes from a
//! formula (a popularity per story, a curve that fades after publication,
//! a day-and-night rhythm, a little deterministic noise).

use chrono::{DateTime, Utc};
use kawaraban_core::analytics::{RefKind, Tally, MINUTES_PER_DAY};
use kawaraban_core::model::ListFilter;
use kawaraban_core::paging::PageRequest;
use kawaraban_core::store::Store;

/// How far back the history goes.
const DAYS: i64 = 21;

/// The last hours are written per minute too ("readers now", "last hour").
const MINUTE_HOURS: i64 = 2;

/// How readers arrive, in shares of views.
pub(crate) const SOURCES: [(RefKind, &str, f64); 7] = [
    (RefKind::Search, "", 0.34),
    (RefKind::Social, "", 0.21),
    (RefKind::Direct, "", 0.19),
    (RefKind::Newsletter, "", 0.10),
    (RefKind::Internal, "", 0.08),
    (RefKind::Network, "", 0.05),
    (RefKind::Other, "forum.example.net", 0.03),
];

/// A number in [0, 1) from two others (SplitMix64), the same every time.
pub(crate) fn noise(a: i64, b: i64) -> f64 {
    let mut z = (a as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (b as u64);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
}

/// Readers in the hour `h` after publication, for a story of popularity
/// `pop`, in the hour of day `local_hour` (more by day than by night).
pub(crate) fn readers_at(pop: f64, h: i64, local_hour: u32, jitter: f64) -> i64 {
    let fade = (-(h as f64) / 20.0).exp();
    // Quietest at 1 am, busiest at 1 pm.
    let phase = (local_hour as f64 - 1.0) / 24.0 * std::f64::consts::TAU;
    let day = 0.35 + 0.65 * (0.5 - 0.5 * phase.cos());
    (pop * fade * day * (0.75 + 0.5 * jitter)).round() as i64
}

/// Adds the history for every published article of the network, as of
/// `now`. Returns the number of tallies written.
pub async fn install(store: &dyn Store, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let now_min = now.timestamp().div_euclid(60);
    let first = now_min - DAYS * MINUTES_PER_DAY;
    let mut hourly = Vec::new();
    let mut minutes = Vec::new();
    for site in store.list_sites().await? {
        let articles = store
            .list_articles(site.id, ListFilter::All, PageRequest::new(1, 500), now)
            .await?
            .items;
        for (rank, a) in articles.iter().enumerate() {
            // A few stories are read far more than the rest.
            let pop = 260.0 / (1.0 + (rank as f64) * 0.6 + 3.0 * noise(a.id, 0)).powf(0.9);
            let published = a.published_at.timestamp().div_euclid(60).max(first);
            let mut day_refs: Vec<(i64, i64)> = Vec::new();
            let mut start = published.div_euclid(60) * 60;
            while start <= now_min {
                let h = (start - published).max(0) / 60;
                // The demo's sites are in Tokyo (UTC+9, no daylight saving).
                let local_hour = ((start / 60 + 9) % 24) as u32;
                let readers = readers_at(pop, h, local_hour, noise(a.id, start));
                if readers > 0 {
                    let views =
                        readers + (readers as f64 * 0.4 * noise(start, a.id)).round() as i64;
                    match day_refs.last_mut() {
                        Some((d, v)) if *d == start.div_euclid(MINUTES_PER_DAY) => *v += views,
                        _ => day_refs.push((start.div_euclid(MINUTES_PER_DAY), views)),
                    }
                    if start > now_min - MINUTE_HOURS * 60 {
                        spread(&mut minutes, site.id, a.id, start, now_min, views, readers);
                    } else {
                        hourly.push(tally(site.id, a.id, start, views, readers, Vec::new()));
                    }
                }
                start += 60;
            }
            // Referrers are kept per day: one tally per day carries them.
            for (day, views) in day_refs {
                let refs = SOURCES
                    .iter()
                    .map(|(k, host, share)| {
                        (*k, host.to_string(), (views as f64 * share).round() as i64)
                    })
                    .filter(|r| r.2 > 0)
                    .collect();
                hourly.push(tally(
                    site.id,
                    a.id,
                    (day * MINUTES_PER_DAY).max(first),
                    0,
                    0,
                    refs,
                ));
            }
        }
    }
    let n = hourly.len() + minutes.len();
    store.add_tallies(&hourly, false).await?;
    store.add_tallies(&minutes, true).await?;
    Ok(n)
}

fn tally(
    site_id: i64,
    article_id: i64,
    minute: i64,
    views: i64,
    readers: i64,
    referrers: Vec<(RefKind, String, i64)>,
) -> Tally {
    Tally {
        site_id,
        article_id,
        minute,
        views,
        readers,
        referrers,
    }
}

/// An hour's counts over its minutes (up to `now_min`).
fn spread(
    out: &mut Vec<Tally>,
    site: i64,
    article: i64,
    start: i64,
    now_min: i64,
    views: i64,
    readers: i64,
) {
    let n = (now_min - start + 1).clamp(1, 60);
    for i in 0..n {
        let share = |total: i64| total / n + i64::from(i < total % n);
        let (v, r) = (share(views), share(readers));
        if v > 0 {
            out.push(tally(site, article, start + i, v, r, Vec::new()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stories_fade_and_nights_are_quieter() {
        assert!(readers_at(200.0, 0, 14, 0.5) > readers_at(200.0, 48, 14, 0.5));
        assert!(readers_at(200.0, 5, 14, 0.5) > readers_at(200.0, 5, 4, 0.5));
        assert_eq!(noise(3, 4), noise(3, 4));
    }
}
