//! Who is asked: the pages a survey's banner appears on, the share of
//! readers it is shown to, and the rest readers get between surveys.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Days a reader who answered or dismissed a survey is not asked again,
/// unless the network says otherwise.
pub const DEFAULT_FATIGUE_DAYS: i64 = 14;

/// Where and to whom a survey's banner is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Audience {
    /// Site keys; empty: every site of the network.
    #[serde(default)]
    pub sites: Vec<String>,
    /// Section slugs; empty: every page of the chosen sites.
    #[serde(default)]
    pub sections: Vec<String>,
    #[serde(default)]
    pub members_only: bool,
    /// Percent of readers shown the banner, 1 to 100.
    #[serde(default = "everyone")]
    pub share: u8,
}

fn everyone() -> u8 {
    100
}

impl Default for Audience {
    fn default() -> Self {
        Self {
            sites: Vec::new(),
            sections: Vec::new(),
            members_only: false,
            share: 100,
        }
    }
}

impl Audience {
    pub fn check(&self) -> Result<(), String> {
        if !(1..=100).contains(&self.share) {
            return Err(format!(
                "share: {} is not a percentage from 1 to 100",
                self.share
            ));
        }
        Ok(())
    }

    /// Whether a page of `site` (in `section`, if it has one) carries the banner.
    pub fn targets(&self, site: &str, section: Option<&str>) -> bool {
        let site_ok = self.sites.is_empty() || self.sites.iter().any(|s| s == site);
        let section_ok = self.sections.is_empty()
            || section.is_some_and(|sec| self.sections.iter().any(|s| s == sec));
        site_ok && section_ok
    }
}

/// A reader's bucket for a survey, 0 to 99: the same on every page and
/// every visit, independent between surveys. `reader` is a member's id or,
/// for anonymous readers, a random number their browser keeps (the banner
/// script computes the same FNV-1a hash; see `assets/survey.js`).
pub fn bucket(survey_id: i64, reader: &str) -> u8 {
    let mut h: u32 = 0x811c_9dc5;
    for b in format!("{survey_id}:{reader}").bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    (h % 100) as u8
}

/// Whether a reader falls in the survey's share.
pub fn in_share(survey_id: i64, reader: &str, share: u8) -> bool {
    bucket(survey_id, reader) < share
}

/// Whether a reader whose last answer or dismissal was at `last` is still
/// resting from surveys at `now`.
pub fn resting(last: Option<DateTime<Utc>>, now: DateTime<Utc>, days: i64) -> bool {
    last.is_some_and(|l| now < l + Duration::days(days))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_is_stable_and_the_share_about_right() {
        assert_eq!(bucket(3, "member:12"), bucket(3, "member:12"));
        // Known value, shared with survey.js's test.
        assert_eq!(bucket(1, "abc"), 90);
        let inside = (0..10_000)
            .filter(|i| in_share(7, &format!("r{i}"), 20))
            .count();
        assert!(
            (1_700..2_300).contains(&inside),
            "{inside} of 10,000 in a 20% share"
        );
        // Independent between surveys.
        let both = (0..10_000)
            .filter(|i| in_share(7, &format!("r{i}"), 20) && in_share(8, &format!("r{i}"), 20))
            .count();
        assert!((250..600).contains(&both), "{both}");
        assert!((0..1000).all(|i| in_share(1, &i.to_string(), 100)));
    }

    #[test]
    fn targeting_by_site_and_section() {
        let a = Audience {
            sites: vec!["news".into()],
            sections: vec!["national".into()],
            ..Default::default()
        };
        assert!(a.targets("news", Some("national")));
        assert!(!a.targets("news", Some("world")));
        assert!(!a.targets("news", None));
        assert!(!a.targets("travel", Some("national")));
        assert!(Audience::default().targets("travel", None));
        assert!(Audience {
            share: 0,
            ..Default::default()
        }
        .check()
        .is_err());
    }

    #[test]
    fn readers_rest_between_surveys() {
        let now = Utc::now();
        assert!(!resting(None, now, 14));
        assert!(resting(Some(now - Duration::days(13)), now, 14));
        assert!(!resting(Some(now - Duration::days(14)), now, 14));
    }
}
