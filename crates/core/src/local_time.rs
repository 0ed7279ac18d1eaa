//! Times as editors type them: in the site's time zone, as a browser's
//! `datetime-local` field sends them (`2026-12-07T09:30`).

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Reads `text` (empty: none) as a local time in `tz`; the error names `field`.
pub fn parse(field: &str, text: &str, tz: Tz) -> Result<Option<DateTime<Utc>>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M"))
        .map_err(|_| format!("{field}: \"{text}\" is not a date and time like 2026-12-07T09:30"))?;
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => Ok(Some(t.with_timezone(&Utc))),
        // The hour clocks go back: the first of the two.
        LocalResult::Ambiguous(t, _) => Ok(Some(t.with_timezone(&Utc))),
        LocalResult::None => Err(format!(
            "{field}: {text} does not exist in {tz} (the clocks skip it)"
        )),
    }
}

/// `t` as a `datetime-local` field's value in `tz`.
pub fn field_value(t: Option<DateTime<Utc>>, tz: Tz) -> String {
    t.map(|t| t.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_read_in_the_sites_zone() {
        let tokyo: Tz = "Asia/Tokyo".parse().unwrap();
        let t = parse("opens", "2026-12-07T09:30", tokyo).unwrap().unwrap();
        assert_eq!(t.to_rfc3339(), "2026-12-07T00:30:00+00:00");
        assert_eq!(field_value(Some(t), tokyo), "2026-12-07T09:30");
        assert_eq!(parse("opens", " ", tokyo).unwrap(), None);
        assert!(parse("closes", "tomorrow", tokyo)
            .unwrap_err()
            .starts_with("closes:"));
        let ny: Tz = "America/New_York".parse().unwrap();
        assert!(parse("opens", "2026-03-08T02:30", ny)
            .unwrap_err()
            .contains("skip"));
    }
}
