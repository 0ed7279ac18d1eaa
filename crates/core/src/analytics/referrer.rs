//! Where a reader came from: the kind of referrer of a page view.

use serde::{Deserialize, Serialize};
use url::Url;

/// The kinds of referrer the desk reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum RefKind {
    Direct,
    Search,
    Social,
    Newsletter,
    Internal,
    Network,
    Other,
}

impl RefKind {
    pub const ALL: [RefKind; 7] = [
        RefKind::Direct,
        RefKind::Search,
        RefKind::Social,
        RefKind::Newsletter,
        RefKind::Internal,
        RefKind::Network,
        RefKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RefKind::Direct => "direct",
            RefKind::Search => "search",
            RefKind::Social => "social",
            RefKind::Newsletter => "newsletter",
            RefKind::Internal => "internal",
            RefKind::Network => "network",
            RefKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<RefKind> {
        RefKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The small number stored in a bucket's key.
    pub fn code(self) -> i16 {
        self as i16
    }

    pub fn from_code(c: i64) -> Option<RefKind> {
        RefKind::ALL.get(usize::try_from(c).ok()?).copied()
    }
}

/// The query parameter our own emails add to every link to the site.
pub const NEWSLETTER_PARAM: &str = "utm_medium=email";

/// What the classifier needs to know about the page and the network.
pub struct RefContext<'a> {
    /// The host of the site the page is on (lower case, no port).
    pub own_host: &'a str,
    /// The hosts of the network's other sites.
    pub network_hosts: &'a [String],
}

/// Search engines, by a fragment of their host.
const SEARCH: &[&str] = &[
    "google.",
    "bing.com",
    "duckduckgo.com",
    "search.yahoo.",
    "yandex.",
    "baidu.com",
    "ecosia.org",
    "qwant.com",
    "search.brave.com",
    "startpage.com",
    "naver.com",
    "yahoo.co.jp",
    "kagi.com",
    "perplexity.ai",
    "chatgpt.com",
];

/// Social networks and messengers, by a fragment of their host.
const SOCIAL: &[&str] = &[
    "facebook.com",
    "fb.me",
    "t.co",
    "twitter.com",
    "x.com",
    "linkedin.com",
    "lnkd.in",
    "reddit.com",
    "instagram.com",
    "threads.net",
    "bsky.app",
    "mastodon.",
    "pinterest.",
    "tiktok.com",
    "youtube.com",
    "news.ycombinator.com",
    "whatsapp.com",
    "telegram.org",
    "t.me",
    "line.me",
    "weibo.com",
    "tumblr.com",
];

/// Words that mark referrer spam: hosts that exist only to appear in
/// analytics reports.
const SPAM: &[&str] = &[
    "semalt",
    "darodar",
    "buttons-for",
    "best-seo",
    "seo-offer",
    "free-traffic",
    "traffic2",
    "get-free",
    "buy-cheap",
    "ilovevitaly",
    "priceg",
    "hulfingtonpost",
    "social-buttons",
    "event-tracking",
    "rank-checker",
    "website-analyzer",
    "porn",
    "casino",
    "viagra",
    "loan",
];

/// Classifies the `Referer` of a page view. The query string of the page
/// tells a newsletter click (our emails mark their links). Returns the kind
/// and, for `Other`, the referring host; `None` when the referrer is spam
/// (such a view is still counted, as direct, but its host is not kept).
pub fn classify(
    referer: Option<&str>,
    page_query: Option<&str>,
    cx: &RefContext<'_>,
) -> (RefKind, Option<String>) {
    if page_query.is_some_and(|q| q.split('&').any(|p| p == NEWSLETTER_PARAM)) {
        return (RefKind::Newsletter, None);
    }
    let Some(host) = referer
        .filter(|r| !r.is_empty() && r.len() <= 2048)
        .and_then(|r| Url::parse(r).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https" | "android-app"))
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
    else {
        return (RefKind::Direct, None);
    };
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    let own = cx.own_host.strip_prefix("www.").unwrap_or(cx.own_host);
    if host == own {
        return (RefKind::Internal, None);
    }
    if cx
        .network_hosts
        .iter()
        .any(|h| h.strip_prefix("www.").unwrap_or(h) == host)
    {
        return (RefKind::Network, None);
    }
    let is = |list: &[&str]| {
        list.iter().any(|m| {
            if m.ends_with('.') {
                host.starts_with(m) || host.contains(&format!(".{m}"))
            } else {
                host == *m || host.ends_with(&format!(".{m}"))
            }
        })
    };
    if is(SEARCH) {
        return (RefKind::Search, None);
    }
    if is(SOCIAL) || host.starts_with("com.") && host.contains("android") {
        return (RefKind::Social, None);
    }
    if is_spam(&host) {
        return (RefKind::Direct, None);
    }
    (RefKind::Other, Some(host))
}

/// A host that looks like referrer spam, or is not a plausible host name.
fn is_spam(host: &str) -> bool {
    host.len() > 100
        || !host.contains('.')
        || host.starts_with("xn--") && host.matches("xn--").count() > 1
        || !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        || SPAM.iter().any(|w| host.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx() -> (String, Vec<String>) {
        (
            "news.example".into(),
            vec!["travel.example".into(), "life.example".into()],
        )
    }

    fn kind(referer: Option<&str>, query: Option<&str>) -> (RefKind, Option<String>) {
        let (own, net) = cx();
        classify(
            referer,
            query,
            &RefContext {
                own_host: &own,
                network_hosts: &net,
            },
        )
    }

    #[test]
    fn kinds() {
        assert_eq!(kind(None, None).0, RefKind::Direct);
        assert_eq!(kind(Some(""), None).0, RefKind::Direct);
        assert_eq!(
            kind(Some("https://www.google.com/"), None).0,
            RefKind::Search
        );
        assert_eq!(
            kind(Some("https://www.google.co.jp/search?q=x"), None).0,
            RefKind::Search
        );
        assert_eq!(
            kind(Some("https://duckduckgo.com/"), None).0,
            RefKind::Search
        );
        assert_eq!(kind(Some("https://t.co/abc"), None).0, RefKind::Social);
        assert_eq!(
            kind(Some("https://m.facebook.com/"), None).0,
            RefKind::Social
        );
        assert_eq!(
            kind(Some("https://mastodon.social/@x"), None).0,
            RefKind::Social
        );
        assert_eq!(
            kind(Some("https://news.example/world/a"), None).0,
            RefKind::Internal
        );
        assert_eq!(
            kind(Some("https://travel.example/"), None).0,
            RefKind::Network
        );
        assert_eq!(
            kind(Some("https://blog.elsewhere.org/post"), None),
            (RefKind::Other, Some("blog.elsewhere.org".into()))
        );
        assert_eq!(
            kind(
                Some("https://www.google.com/"),
                Some("utm_source=digest&utm_medium=email")
            )
            .0,
            RefKind::Newsletter
        );
    }

    #[test]
    fn lookalikes_are_not_the_real_thing() {
        // "t.co" must not match "bat.com", "x.com" not "fox.com".
        assert_eq!(kind(Some("https://bat.com/"), None).0, RefKind::Other);
        assert_eq!(kind(Some("https://fox.com/"), None).0, RefKind::Other);
    }

    #[test]
    fn spam_and_junk_keep_no_host() {
        assert_eq!(
            kind(Some("http://best-seo-offer.xyz/"), None),
            (RefKind::Direct, None)
        );
        assert_eq!(
            kind(Some("http://localhost/"), None),
            (RefKind::Direct, None)
        );
        assert_eq!(kind(Some("not a url"), None), (RefKind::Direct, None));
        assert_eq!(
            kind(Some("javascript:alert(1)"), None),
            (RefKind::Direct, None)
        );
        let long = format!("https://{}.com/", "a".repeat(200));
        assert_eq!(kind(Some(&long), None), (RefKind::Direct, None));
    }

    #[test]
    fn codes_round_trip() {
        for k in RefKind::ALL {
            assert_eq!(RefKind::from_code(k.code().into()), Some(k));
            assert_eq!(RefKind::parse(k.as_str()), Some(k));
        }
    }
}
