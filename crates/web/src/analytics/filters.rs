//! The desk's analytics filters: a site (or the whole network) and a
//! range of whole UTC days, each bad value a 400 naming its field.

use chrono::{Duration, NaiveDate};
use kawaraban_core::analytics::MINUTES_PER_DAY;

use crate::error::{AppError, AppResult};
use crate::members::{field, Fields};
use crate::network::Network;

/// The filters of the dashboard: a site (or the whole network) and a
/// range of days.
#[derive(Debug, Clone)]
pub struct Filters {
    pub site: Option<i64>,
    pub site_key: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Filters {
    /// Reads `site`, `from` and `to`; a bad value is a 400 naming the field.
    pub fn parse(q: &Fields, network: &Network, today: NaiveDate) -> AppResult<Self> {
        let key = field(q, "site").trim();
        let site = match key {
            "" | "all" => None,
            k => Some(
                network
                    .sites
                    .iter()
                    .find(|s| s.key == k)
                    .map(|s| s.id)
                    .ok_or_else(|| {
                        AppError::bad_request(format!(
                            "site: there is no site \"{k}\" in this network."
                        ))
                    })?,
            ),
        };
        let date = |name: &str, default: NaiveDate| -> AppResult<NaiveDate> {
            match field(q, name).trim() {
                "" => Ok(default),
                d => NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                    AppError::bad_request(format!(
                        "{name}: \"{d}\" is not a date (write it as 2026-12-04)."
                    ))
                }),
            }
        };
        let to = date("to", today)?;
        let from = date("from", to - Duration::days(6))?;
        if from > to {
            return Err(AppError::bad_request(
                "from: the range starts after it ends.",
            ));
        }
        if (to - from).num_days() > 3660 {
            return Err(AppError::bad_request("from: a range is at most ten years."));
        }
        Ok(Self {
            site,
            site_key: if site.is_some() {
                key.to_string()
            } else {
                String::new()
            },
            from,
            to,
        })
    }

    pub fn query(&self) -> String {
        format!("site={}&from={}&to={}", self.site_key, self.from, self.to)
    }

    pub fn range_minutes(&self) -> (i64, i64) {
        let day =
            |d: NaiveDate| (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("the epoch")).num_days();
        (
            day(self.from) * MINUTES_PER_DAY,
            (day(self.to) + 1) * MINUTES_PER_DAY,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_name_the_bad_field() {
        let network = Network::default();
        let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        let q = |pairs: &[(&str, &str)]| -> Fields {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let f = Filters::parse(&q(&[]), &network, today).unwrap();
        assert_eq!(
            (f.from.to_string(), f.to.to_string()),
            ("2026-11-28".into(), "2026-12-04".into())
        );
        let err = |pairs: &[(&str, &str)]| match Filters::parse(&q(pairs), &network, today) {
            Err(AppError::BadRequest(m)) => m,
            other => panic!("{other:?}"),
        };
        assert!(err(&[("from", "04/12/2026")]).starts_with("from:"));
        assert!(err(&[("site", "nope")]).starts_with("site:"));
        assert!(err(&[("from", "2026-12-05"), ("to", "2026-12-01")]).starts_with("from:"));
        // A range of whole days, the last one included.
        let f = Filters::parse(
            &q(&[("from", "1970-01-02"), ("to", "1970-01-02")]),
            &network,
            today,
        )
        .unwrap();
        assert_eq!(f.range_minutes(), (1440, 2880));
    }
}
