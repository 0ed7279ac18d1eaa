//! Which requests are not a person reading: crawlers, link previewers,
//! monitors, scripts and headless browsers; and the browser's own
//! speculative loads (prefetch and prerender), which nobody has read yet.

/// Lower-case fragments of user agents that are never a reader. Matched
/// anywhere in the lower-cased user agent. Kept broad on purpose: missing a
/// reader costs one view, counting a crawler skews a ranking.
const MARKERS: &[&str] = &[
    // Generic words crawlers put in their names.
    "bot",
    "crawl",
    "spider",
    "slurp",
    "scrape",
    "fetcher",
    "archiver",
    "indexer",
    // Headless browsers and automation.
    "headless",
    "phantomjs",
    "puppeteer",
    "playwright",
    "selenium",
    "webdriver",
    "electron/",
    "lighthouse",
    "pagespeed",
    "gtmetrix",
    "chrome-lighthouse",
    // Link previews and readers of feeds.
    "facebookexternalhit",
    "facebookcatalog",
    "meta-externalagent",
    "embedly",
    "preview",
    "whatsapp",
    "skypeuripreview",
    "vkshare",
    "quora link",
    "feedly",
    "feedburner",
    "newsblur",
    "inoreader",
    "rss",
    "flipboardproxy",
    // Search and AI crawlers whose names lack "bot".
    "mediapartners-google",
    "adsbot",
    "apis-google",
    "google-inspectiontool",
    "google-extended",
    "storebot",
    "yandex",
    "baiduspider",
    "sogou",
    "seznam",
    "exabot",
    "ia_archiver",
    "bingpreview",
    "qwantify",
    "ccbot",
    "gptbot",
    "chatgpt-user",
    "oai-searchbot",
    "claude",
    "anthropic",
    "perplexity",
    "bytespider",
    "petalbot",
    "amazonbot",
    "applebot",
    "dataforseo",
    "ahrefs",
    "semrush",
    "mj12",
    "dotbot",
    "rogerbot",
    "screaming frog",
    "sitebulb",
    // Monitors.
    "uptime",
    "pingdom",
    "statuscake",
    "monitor",
    "newrelic",
    "datadog",
    "site24x7",
    "check_http",
    "nagios",
    "zabbix",
    // Libraries and command-line tools.
    "curl/",
    "wget/",
    "python-requests",
    "python-urllib",
    "aiohttp",
    "httpx",
    "go-http-client",
    "java/",
    "okhttp",
    "apache-httpclient",
    "libwww",
    "lwp::",
    "httpclient",
    "axios/",
    "node-fetch",
    "undici",
    "got (",
    "ruby",
    "php/",
    "guzzlehttp",
    "scrapy",
    "wrk",
    "ab/",
    "hey/",
    "k6/",
    "postman",
    "insomnia",
];

/// The user agent is a crawler, a tool or a headless browser, or absent.
/// A user agent that does not claim to be a browser (`Mozilla/…` or
/// `Opera/…`) is not counted either: every reader's browser says so.
pub fn is_bot(user_agent: &str) -> bool {
    let ua = user_agent.trim();
    if ua.len() < 12 || ua.len() > 1024 {
        return true;
    }
    let starts = |p: &str| ua.get(..p.len()).is_some_and(|s| s.eq_ignore_ascii_case(p));
    if !(starts("mozilla/") || starts("opera/")) {
        return true;
    }
    markers().is_match(ua)
}

/// All the markers in one automaton, matched without regard to case: one
/// pass over the user agent instead of one per marker (this runs on every
/// counted view).
fn markers() -> &'static aho_corasick::AhoCorasick {
    static M: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    M.get_or_init(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            // A few hundred patterns' bytes: the DFA is small and the fastest.
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(MARKERS)
            .expect("the bot markers build an automaton")
    })
}

/// The request is the browser fetching ahead of a click (`Sec-Purpose:
/// prefetch`, `prefetch;prerender`, or the older `Purpose` and
/// `X-Moz`/`X-Purpose` headers with the same words).
pub fn is_prefetch(purpose_headers: &[&str]) -> bool {
    purpose_headers.iter().any(|v| {
        let v = v.to_ascii_lowercase();
        v.contains("prefetch") || v.contains("prerender") || v.contains("preview")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";

    #[test]
    fn browsers_are_readers() {
        for ua in [FIREFOX, CHROME, IPHONE] {
            assert!(!is_bot(ua), "{ua}");
        }
    }

    #[test]
    fn crawlers_tools_and_headless_browsers_are_not() {
        for ua in [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0)",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
            "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
            "Mozilla/5.0 (compatible; GPTBot/1.2; +https://openai.com/gptbot)",
            "curl/8.5.0",
            "python-requests/2.32.3",
            "Go-http-client/1.1",
            "",
            "Mozilla",
            "Mozilla/5.0 (Macintosh) Chrome-Lighthouse",
        ] {
            assert!(is_bot(ua), "{ua:?}");
        }
    }

    #[test]
    fn speculative_loads_are_not_views() {
        assert!(is_prefetch(&["prefetch"]));
        assert!(is_prefetch(&["prefetch;prerender"]));
        assert!(is_prefetch(&["", "Prefetch"]));
        assert!(!is_prefetch(&[]));
        assert!(!is_prefetch(&[""]));
    }
}
