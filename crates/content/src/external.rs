//! Reading an external sister site's feed (RSS 2.0, Atom, RSS 1.0 or JSON
//! Feed, with `feed-rs`, which resolves no external XML entities) into
//! items for the trending block. Items without an `http(s)` link or a
//! title are left out: the block's redirect only ever points at links read
//! here.

use std::time::Duration;

use chrono::{DateTime, Utc};
use kawaraban_core::model::NewExternalItem;

/// The largest feed read.
pub const MOST_BYTES: usize = 2 * 1024 * 1024;

/// Items kept per external site (the newest).
pub const KEEP: u32 = 100;

/// The items of a feed document; `now` dates undated items.
pub fn parse(body: &[u8], now: DateTime<Utc>) -> Result<Vec<NewExternalItem>, String> {
    let feed = feed_rs::parser::parse(body).map_err(|e| format!("not a feed: {e}"))?;
    let mut items = Vec::new();
    for e in feed.entries {
        let Some(link) = e
            .links
            .iter()
            .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
            .or(e.links.first())
        else {
            continue;
        };
        let Ok(url) = url::Url::parse(link.href.trim()) else {
            continue;
        };
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            continue;
        }
        let title: String = e
            .title
            .map(|t| t.content)
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if title.is_empty() {
            continue;
        }
        let title: String = title.chars().take(300).collect();
        let guid = if e.id.trim().is_empty() {
            url.to_string()
        } else {
            e.id.trim().chars().take(500).collect()
        };
        items.push(NewExternalItem {
            guid,
            url: url.to_string(),
            title,
            published_at: e.published.or(e.updated).unwrap_or(now).min(now),
        });
    }
    Ok(items)
}

/// The HTTP client feeds are read with: named, and following at most
/// three redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(concat!(
            "Kawaraban/",
            env!("CARGO_PKG_VERSION"),
            " (feed reader)"
        ))
        .redirect(reqwest::redirect::Policy::limited(3))
        .build()
        .unwrap_or_default()
}

/// Fetches and reads a feed: at most [`MOST_BYTES`], within 15 seconds.
/// The error names the URL and what went wrong.
pub async fn fetch(
    client: &reqwest::Client,
    url: &str,
    now: DateTime<Utc>,
) -> Result<Vec<NewExternalItem>, String> {
    let fail = |why: String| format!("{url}: {why}");
    let parsed = url::Url::parse(url).map_err(|e| fail(format!("not a URL ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(fail("a feed is fetched over http or https".into()));
    }
    let mut resp = client
        .get(parsed)
        .timeout(Duration::from_secs(15))
        .send()
        .await
        .map_err(|e| fail(format!("cannot fetch it ({e})")))?;
    if !resp.status().is_success() {
        return Err(fail(format!("the server answered {}", resp.status())));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| fail(format!("the download broke off ({e})")))?
    {
        if body.len() + chunk.len() > MOST_BYTES {
            return Err(fail("the feed is over 2 MB".into()));
        }
        body.extend_from_slice(&chunk);
    }
    parse(&body, now).map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn items_need_a_web_link_and_a_title() {
        let now = Utc.with_ymd_and_hms(2026, 12, 4, 12, 0, 0).unwrap();
        let rss = br#"<?xml version="1.0"?>
<rss version="2.0"><channel><title>Field notes</title><link>https://blog.example.org/</link>
<item><title>  Walking the
 old canal </title><link>https://blog.example.org/canal</link><guid>canal-1</guid>
<pubDate>Thu, 03 Dec 2026 08:00:00 GMT</pubDate></item>
<item><title>Script</title><link>javascript:alert(1)</link></item>
<item><link>https://blog.example.org/untitled</link></item>
<item><title>From the future</title><link>https://blog.example.org/later</link><pubDate>Thu, 31 Dec 2026 08:00:00 GMT</pubDate></item>
</channel></rss>"#;
        let items = parse(rss, now).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].title, "Walking the old canal");
        assert_eq!(items[0].guid, "canal-1");
        assert_eq!(items[0].url, "https://blog.example.org/canal");
        assert_eq!(items[1].published_at, now, "a date ahead counts as now");
        assert!(parse(b"<html><body>not a feed</body></html>", now).is_err());
    }

    #[test]
    fn an_entity_expansion_is_not_followed() {
        let now = Utc::now();
        let evil = br#"<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>t</title><item><title>&x;</title><link>https://a.example/</link></item></channel></rss>"#;
        // Either refused or read without the file's contents.
        if let Ok(items) = parse(evil, now) {
            assert!(items.iter().all(|i| !i.title.contains("root:")));
        }
    }
}
