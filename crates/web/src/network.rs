//! The sites of the network and their sections, held in memory and swapped
//! whole when they change, so every request can find its site without a query.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use kawaraban_core::model::{CommentSettings, Section, Site};
use kawaraban_core::store::Store;
use kawaraban_core::StoreResult;

/// One consistent snapshot of sites and sections.
#[derive(Debug)]
pub struct Network {
    pub sites: Vec<Arc<Site>>,
    sections: HashMap<i64, Vec<Section>>,
    by_host: HashMap<String, usize>,
    default: Option<usize>,
    /// Every site's origin (scheme, host and port), as `Url::origin` writes
    /// it, and the index of its site in `sites`.
    origins: HashMap<String, usize>,
    /// The Content-Security-Policy, naming every site's origin.
    pub csp: axum::http::HeaderValue,
    /// Each site's host (lower case, no port), in the order of `sites`.
    pub hosts: Vec<String>,
    /// Each site's comment rules, as pages show them (a render reads them
    /// here, not from the database; posting a comment reads them afresh).
    comment_rules: HashMap<i64, CommentSettings>,
}

impl Default for Network {
    fn default() -> Self {
        Self::new(Vec::new(), Vec::new())
    }
}

impl Network {
    pub fn new(sites: Vec<Site>, sections: Vec<Section>) -> Self {
        let sites: Vec<Arc<Site>> = sites.into_iter().map(Arc::new).collect();
        let by_host = sites
            .iter()
            .enumerate()
            .map(|(i, s)| (s.host(), i))
            .collect();
        let default = sites
            .iter()
            .position(|s| s.is_default)
            .or(if sites.is_empty() { None } else { Some(0) });
        let mut by_site: HashMap<i64, Vec<Section>> = HashMap::new();
        for s in sections {
            by_site.entry(s.site_id).or_default().push(s);
        }
        let origins: Vec<(String, usize)> = sites
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                Some((
                    url::Url::parse(&s.url).ok()?.origin().ascii_serialization(),
                    i,
                ))
            })
            .filter(|(o, _)| o != "null")
            .collect();
        Self {
            hosts: sites.iter().map(|s| s.host()).collect(),
            sites,
            sections: by_site,
            by_host,
            default,
            csp: crate::http::guard::csp(
                &origins
                    .iter()
                    .map(|(o, _)| o.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            origins: origins.into_iter().collect(),
            comment_rules: HashMap::new(),
        }
    }

    /// Sites, sections, and every site's comment rules. Reloaded on the
    /// `network` and `nav:*` invalidations, which changes to any of them
    /// publish.
    pub async fn load(store: &dyn Store) -> StoreResult<Self> {
        let mut n = Self::new(store.list_sites().await?, store.list_sections().await?);
        for site in n.sites.clone() {
            n.comment_rules
                .insert(site.id, store.comment_settings(site.id).await?);
        }
        Ok(n)
    }

    /// The comment rules of a site, as of the last reload.
    pub fn comment_rules(&self, site_id: i64) -> CommentSettings {
        self.comment_rules
            .get(&site_id)
            .cloned()
            .unwrap_or_default()
    }

    /// The site for a `Host` header value (port ignored), or the default site.
    pub fn site_for_host(&self, host: Option<&str>) -> Option<Arc<Site>> {
        let i = host
            .and_then(|h| {
                let h = strip_port(h).trim_end_matches('.');
                // Hosts come in lower case nearly always: no copy for those.
                if h.bytes().any(|b| b.is_ascii_uppercase()) {
                    self.by_host.get(&h.to_ascii_lowercase()).copied()
                } else {
                    self.by_host.get(h).copied()
                }
            })
            .or(self.default)?;
        Some(self.sites[i].clone())
    }

    /// The host of a site of the network ("" for another id).
    pub fn host_of(&self, site_id: i64) -> &str {
        self.sites
            .iter()
            .position(|s| s.id == site_id)
            .map(|i| self.hosts[i].as_str())
            .unwrap_or("")
    }

    pub fn sections(&self, site_id: i64) -> &[Section] {
        self.sections
            .get(&site_id)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn section(&self, site_id: i64, slug: &str) -> Option<&Section> {
        self.sections(site_id).iter().find(|s| s.slug == slug)
    }

    /// The site of the network a URL is on (same origin), if any.
    pub fn site_of_url(&self, url: &str) -> Option<&Site> {
        let origin = url::Url::parse(url).ok()?.origin().ascii_serialization();
        self.origins.get(&origin).map(|&i| &*self.sites[i])
    }

    /// Whether a URL points at one of the network's own sites: exactly one
    /// of their origins (scheme, host and port), with no user name or
    /// password before the host.
    pub fn owns_url(&self, url: &str) -> bool {
        url::Url::parse(url).ok().is_some_and(|u| {
            u.username().is_empty()
                && u.password().is_none()
                && self.origins.contains_key(&u.origin().ascii_serialization())
        })
    }
}

fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host
            .split(']')
            .next()
            .map(|h| &host[..h.len() + 1])
            .unwrap_or(host);
    }
    host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host)
}

/// The current snapshot, replaced atomically on reload.
#[derive(Default)]
pub struct NetworkHandle(RwLock<Arc<Network>>);

impl NetworkHandle {
    pub fn get(&self) -> Arc<Network> {
        self.0.read().expect("network lock poisoned").clone()
    }

    pub fn set(&self, network: Network) {
        *self.0.write().expect("network lock poisoned") = Arc::new(network);
    }

    pub async fn reload(&self, store: &dyn Store) -> StoreResult<()> {
        self.set(Network::load(store).await?);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(id: i64, key: &str, default: bool) -> Site {
        Site {
            id,
            key: key.into(),
            name: key.into(),
            url: format!("http://{key}.localhost:8080"),
            time_zone: "Asia/Tokyo".into(),
            publisher: "P".into(),
            tagline: String::new(),
            is_default: default,
        }
    }

    #[test]
    fn hosts_pick_sites_and_unknown_hosts_get_the_default() {
        let n = Network::new(
            vec![site(1, "news", true), site(2, "travel", false)],
            vec![],
        );
        assert_eq!(
            n.site_for_host(Some("travel.localhost:8080")).unwrap().key,
            "travel"
        );
        assert_eq!(
            n.site_for_host(Some("TRAVEL.localhost")).unwrap().key,
            "travel"
        );
        assert_eq!(n.site_for_host(Some("127.0.0.1:8080")).unwrap().key, "news");
        assert_eq!(n.site_for_host(None).unwrap().key, "news");
        assert_eq!(n.site_for_host(Some("[::1]:8080")).unwrap().key, "news");
        assert!(n.owns_url("http://travel.localhost:8080/x"));
        assert!(n.owns_url("http://TRAVEL.localhost:8080/x"));
        assert!(
            !n.owns_url("http://travel.localhost:9999/x"),
            "another port"
        );
        assert!(
            !n.owns_url("https://travel.localhost:8080/x"),
            "another scheme"
        );
        assert!(
            !n.owns_url("http://travel.localhost/x"),
            "the default port is another"
        );
        assert!(
            !n.owns_url("http://evil.example@news.localhost:8080/"),
            "userinfo"
        );
        assert!(!n.owns_url("http://a:b@news.localhost:8080/"), "userinfo");
        assert!(!n.owns_url("https://evil.example/"));
        assert!(Network::default().site_for_host(Some("x")).is_none());
    }
}
