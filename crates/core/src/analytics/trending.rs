//! Ranking and mixing the network's trending block.
//!
//! An article's score is its distinct readers, each minute's count decayed
//! by its age with a half-life: a story read by 100 people an hour ago ranks
//! with one read by 50 now when the half-life is an hour. The block then
//! takes the best stories of the *other* sites of the network, interleaving
//! the sites so it stays a mix and no site fills more than its share.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

/// The decayed score of a series of `(minute, readers)` counts at `now`.
/// A count from the future (another server's clock running ahead) counts
/// as now, not more.
pub fn decayed(
    counts: impl IntoIterator<Item = (DateTime<Utc>, f64)>,
    now: DateTime<Utc>,
    half_life: Duration,
) -> f64 {
    let hl = half_life.num_seconds().max(60) as f64;
    counts
        .into_iter()
        .map(|(at, n)| {
            let age = (now - at).num_seconds().max(0) as f64;
            n * (-age / hl).exp2()
        })
        .sum()
}

/// One story that may go in the block.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate<T> {
    pub site_id: i64,
    pub score: f64,
    pub published_at: DateTime<Utc>,
    /// Put first by staff, whatever its score.
    pub pinned: bool,
    pub item: T,
}

/// How the block is filled.
#[derive(Debug, Clone, Copy)]
pub struct MixRules {
    /// How many items the block shows.
    pub items: usize,
    /// The largest share of the items one site may fill (0.5: half).
    pub max_share: f64,
    /// Stories older than this are left out (pinned ones too: a pin is for
    /// today's news, not a permanent fixture).
    pub max_age: Duration,
}

impl Default for MixRules {
    fn default() -> Self {
        Self {
            items: 12,
            max_share: 0.5,
            max_age: Duration::days(7),
        }
    }
}

impl MixRules {
    /// The most items one site may fill.
    pub fn per_site(&self) -> usize {
        ((self.items as f64 * self.max_share).floor() as usize).max(1)
    }
}

/// Picks the block for a page of site `here`: never a story of `here`,
/// pinned stories first, then the best of each other site in turn (the
/// site with the best story first), at most [`MixRules::per_site`] from one
/// site. With no readers anywhere every score is 0 and the newest stories
/// win, so a new network's block is never empty while its sites have stories.
pub fn mix<T: Clone>(
    candidates: &[Candidate<T>],
    here: i64,
    rules: &MixRules,
    now: DateTime<Utc>,
) -> Vec<Candidate<T>> {
    let oldest = now - rules.max_age;
    let mut usable: Vec<&Candidate<T>> = candidates
        .iter()
        .filter(|c| c.site_id != here && c.published_at >= oldest)
        .collect();
    usable.sort_by(|a, b| {
        b.pinned
            .cmp(&a.pinned)
            .then(b.score.total_cmp(&a.score))
            .then(b.published_at.cmp(&a.published_at))
    });
    let cap = rules.per_site();
    let mut taken: BTreeMap<i64, usize> = BTreeMap::new();
    let mut out: Vec<Candidate<T>> = Vec::with_capacity(rules.items);
    // Pinned stories go first, in their order, within the per-site cap.
    for c in usable.iter().filter(|c| c.pinned) {
        if out.len() == rules.items {
            return out;
        }
        let n = taken.entry(c.site_id).or_default();
        if *n < cap {
            *n += 1;
            out.push((*c).clone());
        }
    }
    // Then each site's queue, in the order of its best story.
    let mut queues: Vec<(i64, std::collections::VecDeque<&Candidate<T>>)> = Vec::new();
    for c in usable.iter().filter(|c| !c.pinned) {
        match queues.iter_mut().find(|(s, _)| *s == c.site_id) {
            Some((_, q)) => q.push_back(c),
            None => queues.push((c.site_id, std::collections::VecDeque::from([*c]))),
        }
    }
    loop {
        let mut progressed = false;
        for (site, q) in queues.iter_mut() {
            if out.len() == rules.items {
                return out;
            }
            let n = taken.entry(*site).or_default();
            if *n >= cap {
                continue;
            }
            if let Some(c) = q.pop_front() {
                *n += 1;
                out.push(c.clone());
                progressed = true;
            }
        }
        if !progressed {
            return out;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 4, 12, 0, 0).unwrap() + Duration::hours(h)
    }

    fn cand(site: i64, id: u32, score: f64, age_h: i64) -> Candidate<u32> {
        Candidate {
            site_id: site,
            score,
            published_at: at(-age_h),
            pinned: false,
            item: id,
        }
    }

    #[test]
    fn a_half_life_halves() {
        let now = at(0);
        let hl = Duration::hours(6);
        assert_eq!(decayed([(now, 100.0)], now, hl), 100.0);
        assert!((decayed([(at(-6), 100.0)], now, hl) - 50.0).abs() < 1e-9);
        assert!((decayed([(at(-12), 100.0)], now, hl) - 25.0).abs() < 1e-9);
        // Recent readers beat more readers long ago.
        assert!(decayed([(at(-1), 40.0)], now, hl) > decayed([(at(-24), 300.0)], now, hl));
        // A clock ahead of ours does not inflate a score.
        assert_eq!(decayed([(at(2), 10.0)], now, hl), 10.0);
    }

    #[test]
    fn never_the_current_site_and_sites_interleaved() {
        let c = vec![
            cand(1, 1, 99.0, 1),
            cand(2, 20, 50.0, 1),
            cand(2, 21, 40.0, 1),
            cand(2, 22, 30.0, 1),
            cand(3, 30, 45.0, 1),
            cand(3, 31, 10.0, 1),
        ];
        // Six items: at most three from one site.
        let rules = MixRules {
            items: 6,
            ..Default::default()
        };
        let ids: Vec<u32> = mix(&c, 1, &rules, at(0))
            .into_iter()
            .map(|c| c.item)
            .collect();
        assert_eq!(ids, vec![20, 30, 21, 31, 22]);
    }

    #[test]
    fn one_site_fills_at_most_its_share() {
        let mut c: Vec<_> = (0..20)
            .map(|i| cand(2, i, 100.0 - f64::from(i), 1))
            .collect();
        c.push(cand(3, 100, 1.0, 1));
        let out = mix(&c, 1, &MixRules::default(), at(0));
        assert_eq!(out.iter().filter(|c| c.site_id == 2).count(), 6);
        assert_eq!(out.len(), 7);
    }

    #[test]
    fn old_stories_are_left_out_and_pins_go_first() {
        let mut pinned = cand(3, 30, 0.0, 2);
        pinned.pinned = true;
        let c = vec![cand(2, 20, 500.0, 24 * 8), cand(2, 21, 5.0, 3), pinned];
        let ids: Vec<u32> = mix(&c, 1, &MixRules::default(), at(0))
            .into_iter()
            .map(|c| c.item)
            .collect();
        assert_eq!(ids, vec![30, 21]);
    }

    #[test]
    fn without_readers_the_newest_win() {
        let c = vec![
            cand(2, 20, 0.0, 5),
            cand(2, 21, 0.0, 1),
            cand(3, 30, 0.0, 3),
        ];
        let ids: Vec<u32> = mix(&c, 1, &MixRules::default(), at(0))
            .into_iter()
            .map(|c| c.item)
            .collect();
        assert_eq!(ids, vec![21, 30, 20]);
    }
}
