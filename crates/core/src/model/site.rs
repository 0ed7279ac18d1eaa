use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use url::Url;

/// One site of the network (news, travel, lifestyle ...), reached at its own URL.
#[derive(Debug, Clone, Serialize)]
pub struct Site {
    pub id: i64,
    /// Short stable name used on the command line and in import files.
    pub key: String,
    pub name: String,
    /// Public base URL; its host selects the site for a request, and every
    /// absolute link (feeds, sitemaps, emails) is built from it.
    pub url: String,
    pub time_zone: String,
    pub publisher: String,
    pub tagline: String,
    pub is_default: bool,
}

impl Site {
    /// The site's time zone; an unknown name (which validation prevents) falls back to UTC.
    pub fn tz(&self) -> Tz {
        self.time_zone.parse().unwrap_or(Tz::UTC)
    }

    /// The host part of the URL, lower-cased, without the port.
    pub fn host(&self) -> String {
        Url::parse(&self.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
            .unwrap_or_default()
    }

    /// An absolute URL for a path on this site (`path` starts with `/`).
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{}", self.url.trim_end_matches('/'), path)
    }

    pub fn is_https(&self) -> bool {
        self.url.starts_with("https://")
    }
}

/// What `site add` asks for.
#[derive(Debug, Clone)]
pub struct NewSite {
    pub key: String,
    pub name: String,
    pub url: String,
    pub time_zone: String,
    pub publisher: String,
    pub tagline: String,
    pub is_default: bool,
}

impl NewSite {
    /// The URL as stored: scheme, lower-cased host and port, no trailing slash.
    pub fn normalized_url(&self) -> String {
        Url::parse(&self.url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_else(|_| self.url.clone())
    }

    /// Checks every field, naming the one at fault.
    pub fn validate(&self) -> Result<(), String> {
        crate::slug::validate_slug(&self.key).map_err(|e| format!("key: {e}"))?;
        if self.name.trim().is_empty() || self.name.chars().count() > 120 {
            return Err("name: must be 1 to 120 characters".into());
        }
        let url =
            Url::parse(&self.url).map_err(|e| format!("url: {:?} is not a URL: {e}", self.url))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(format!(
                "url: {:?} must be an http:// or https:// URL with a host",
                self.url
            ));
        }
        if url.path() != "/" || url.query().is_some() {
            return Err(format!(
                "url: {:?} must be a bare origin such as https://news.example.com",
                self.url
            ));
        }
        self.time_zone.parse::<chrono_tz::Tz>().map_err(|_| {
            format!(
                "time zone: {:?} is not an IANA time zone such as Asia/Tokyo",
                self.time_zone
            )
        })?;
        if self.publisher.trim().is_empty() {
            return Err("publisher: must not be empty".into());
        }
        Ok(())
    }
}

/// A section of one site (politics, business ...).
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub id: i64,
    pub site_id: i64,
    pub slug: String,
    pub name: String,
    pub position: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> NewSite {
        NewSite {
            key: "news".into(),
            name: "The Post".into(),
            url: "http://news.localhost:8080".into(),
            time_zone: "Asia/Tokyo".into(),
            publisher: "Lanternfield Media".into(),
            tagline: String::new(),
            is_default: true,
        }
    }

    #[test]
    fn site_validation_names_the_field() {
        assert!(site().validate().is_ok());
        let mut s = site();
        s.time_zone = "Mars/Olympus".into();
        assert!(s.validate().unwrap_err().starts_with("time zone"));
        let mut s = site();
        s.url = "ftp://x".into();
        assert!(s.validate().unwrap_err().starts_with("url"));
        let mut s = site();
        s.url = "https://x.test/sub/".into();
        assert!(s.validate().unwrap_err().starts_with("url"));
    }

    #[test]
    fn host_ignores_port() {
        let s = Site {
            id: 1,
            key: "news".into(),
            name: "n".into(),
            url: "http://News.localhost:8080".into(),
            time_zone: "Asia/Tokyo".into(),
            publisher: "p".into(),
            tagline: String::new(),
            is_default: true,
        };
        assert_eq!(s.host(), "news.localhost");
        assert_eq!(s.absolute("/a"), "http://News.localhost:8080/a");
    }
}

/// A sister site run elsewhere (a blog, a partner's site): its feed's
/// items join the trending block, ranked by the clicks the block sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalSite {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub feed_url: String,
    pub fetched_at: Option<DateTime<Utc>>,
    /// Why the last fetch failed ("" when it worked).
    pub last_error: String,
}

/// One item of an external site's feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalItem {
    pub id: i64,
    pub external_site_id: i64,
    pub url: String,
    pub title: String,
    pub published_at: DateTime<Utc>,
}

/// An item as read from a feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewExternalItem {
    /// The feed's id for the item (its guid, or its link).
    pub guid: String,
    /// An `http` or `https` URL: the only place its redirect points.
    pub url: String,
    pub title: String,
    pub published_at: DateTime<Utc>,
}
