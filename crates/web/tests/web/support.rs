//! A real server on 127.0.0.1:0 over a real database (SQLite, or PostgreSQL
//! in the second pass of the test script), with a small fixture network.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use chrono::{DateTime, Utc};
use kawaraban_content::{ImportOptions, Importer, MediaDir};
use kawaraban_core::model::NewSite;
use kawaraban_core::store::Store;
use kawaraban_store::{connect, testing, ConnectOptions};
use kawaraban_web::{AppState, WebConfig};

pub struct TestApp {
    pub addr: std::net::SocketAddr,
    pub store: Arc<dyn Store>,
    pub state: AppState,
    pub dir: tempfile::TempDir,
    pub db_url: String,
    client: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// Writes a test theme into the directory it is given.
type ThemeWriter = Box<dyn FnOnce(&std::path::Path)>;

/// Changes the server's settings before it starts.
type Configure = Box<dyn FnOnce(&mut WebConfig)>;

pub struct Builder {
    articles: Vec<(String, String)>,
    page_cache: bool,
    theme: Option<ThemeWriter>,
    per_page: u32,
    configure: Vec<Configure>,
    trusted_proxies: Vec<String>,
    /// Sites beyond news and travel: key and name.
    extra_sites: Vec<(String, String)>,
}

/// One fixture article, as an import file.
pub fn article(
    site: &str,
    section: &str,
    slug: &str,
    title: &str,
    published: &str,
    extra: &str,
) -> (String, String) {
    let quoted = serde_json::to_string(title).unwrap();
    let summary = if extra.contains("summary:") {
        String::new()
    } else {
        format!(
            "summary: {}\n",
            serde_json::to_string(&format!("Summary of {title}.")).unwrap()
        )
    };
    (
        format!("{site}-{slug}.md"),
        format!(
            "---\ntitle: {quoted}\nslug: {slug}\nsite: {site}\nsection: {section}\n{summary}\
             published_at: {published}\nauthors: [Aiko Tanabe]\ntags: [Transport]\n{extra}---\n\
             First paragraph about {title}.\n\nSecond paragraph with more detail.\n"
        ),
    )
}

pub fn wire_article() -> (String, String) {
    article(
        "news",
        "national",
        "rail-line-reopens",
        "Rail line reopens after typhoon repairs",
        "2026-11-20T09:30:00+09:00",
        "dateline: sendai\nsource: Pacific Wire Service\ncopyright: \"© Pacific Wire Service 2026.\"\n\
         updated_at: 2026-11-20T12:05:00+09:00\nfeatured: true\n\
         image:\n  src: img/hero.jpg\n  caption: Workers check the rebuilt embankment.\n  credit: Pacific Wire Service/Kenji Arata\n  alt: Workers in orange vests beside a railway embankment.\n",
    )
}

impl Builder {
    pub fn with_article(mut self, a: (String, String)) -> Self {
        self.articles.push(a);
        self
    }

    /// `n` more articles in the politics section, one hour apart.
    pub fn with_many(mut self, n: usize) -> Self {
        for i in 0..n {
            let t = DateTime::parse_from_rfc3339("2026-11-01T00:00:00+09:00").unwrap()
                + chrono::Duration::hours(i as i64);
            self.articles.push(article(
                "news",
                "politics",
                &format!("story-{i}"),
                &format!("Budget story {i}"),
                &t.to_rfc3339(),
                "",
            ));
        }
        self
    }

    /// One more site of the network, `http://{key}.localhost:8080`.
    pub fn with_site(mut self, key: &str, name: &str) -> Self {
        self.extra_sites.push((key.into(), name.into()));
        self
    }

    pub fn without_page_cache(mut self) -> Self {
        self.page_cache = false;
        self
    }

    pub fn per_page(mut self, n: u32) -> Self {
        self.per_page = n;
        self
    }

    /// Settings of the server beyond the test defaults.
    pub fn configure(mut self, f: impl FnOnce(&mut WebConfig) + 'static) -> Self {
        self.configure.push(Box::new(f));
        self
    }

    /// Believe `X-Forwarded-For` from these proxies (`--trusted-proxy`).
    pub fn trusting(mut self, proxies: &[&str]) -> Self {
        self.trusted_proxies = proxies.iter().map(|p| p.to_string()).collect();
        self
    }

    pub fn with_theme(mut self, f: impl FnOnce(&std::path::Path) + 'static) -> Self {
        self.theme = Some(Box::new(f));
        self
    }

    pub async fn start(self) -> TestApp {
        // `KW_TEST_LOG=debug cargo test …` shows the server's log.
        if let Ok(filter) = std::env::var("KW_TEST_LOG") {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
                .with_test_writer()
                .try_init();
        }
        let dir = tempfile::tempdir().unwrap();
        let db_url = testing::fresh_database_url(dir.path()).await;
        let store = connect(&ConnectOptions {
            url: db_url.clone(),
            max_connections: 8,
        })
        .await
        .unwrap();
        let extra: Vec<(&str, &str, bool)> = self
            .extra_sites
            .iter()
            .map(|(k, n)| (k.as_str(), n.as_str(), false))
            .collect();
        for (key, name, default) in [
            ("news", "The Test Post", true),
            ("travel", "Test Journeys", false),
        ]
        .into_iter()
        .chain(extra)
        {
            store
                .upsert_site(&NewSite {
                    key: key.into(),
                    name: name.into(),
                    url: format!("http://{key}.localhost:8080"),
                    time_zone: "Asia/Tokyo".into(),
                    publisher: "Lanternfield Media".into(),
                    tagline: format!("{name} tagline"),
                    is_default: default,
                })
                .await
                .unwrap();
        }
        let input = dir.path().join("input");
        std::fs::create_dir_all(input.join("img")).unwrap();
        std::fs::write(
            input.join("img/hero.jpg"),
            kawaraban_content::demo::artwork::paint_jpeg("test-hero"),
        )
        .unwrap();
        let mut files: Vec<PathBuf> = Vec::new();
        for (name, text) in &self.articles {
            let p = input.join(name);
            std::fs::write(&p, text).unwrap();
            files.push(p);
        }
        let media_dir = dir.path().join("media");
        let mut importer = Importer::new(
            store.clone(),
            MediaDir::new(&media_dir),
            ImportOptions::default(),
        )
        .await
        .unwrap();
        let report = importer.import_files(&files, |_, _| {}).await;
        assert_eq!(
            report.failed, 0,
            "fixture import failed: {:?}",
            report.errors
        );

        let mut config = WebConfig::new(media_dir);
        config.page_cache = self.page_cache;
        config.invalidation_poll = Duration::from_millis(50);
        config.engagement_every = Duration::from_millis(200);
        config.per_page = self.per_page;
        config.outbox_dir = dir.path().join("outbox");
        config.mail_from = "The Test Post <news@example.test>".into();
        config.send_retry = Duration::from_millis(300);
        // The test script starts a real SMTP server on loopback; without it
        // (a plain `cargo test`) emails land in the outbox directory.
        config.smtp_url = std::env::var("KAWARABAN_TEST_SMTP_URL").ok();
        config.trusted_proxies =
            kawaraban_core::client_ip::TrustedProxies::parse(&self.trusted_proxies).unwrap();
        if let Some(f) = self.theme {
            let theme = dir.path().join("theme");
            std::fs::create_dir_all(&theme).unwrap();
            f(&theme);
            config.theme_dir = Some(theme);
        }
        for f in self.configure {
            f(&mut config);
        }
        let state = AppState::new(store.clone(), config).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server_state = state.clone();
        let task = tokio::spawn(async move {
            kawaraban_web::serve(listener, server_state, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_gzip()
            .no_brotli()
            .build()
            .unwrap();
        TestApp {
            addr,
            store,
            state,
            dir,
            db_url,
            client,
            stop: Some(tx),
            task: Some(task),
        }
    }
}

impl TestApp {
    pub fn builder() -> Builder {
        Builder {
            articles: vec![wire_article()],
            page_cache: true,
            theme: None,
            per_page: 20,
            configure: Vec::new(),
            trusted_proxies: Vec::new(),
            extra_sites: Vec::new(),
        }
    }

    /// A request to `path` on the site whose host is `host` (e.g. `news.localhost`).
    pub fn request(
        &self,
        method: reqwest::Method,
        host: &str,
        path: &str,
    ) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("http://{}{}", self.addr, path))
            .header("host", host)
    }

    pub async fn get(&self, host: &str, path: &str) -> reqwest::Response {
        self.request(reqwest::Method::GET, host, path)
            .send()
            .await
            .unwrap()
    }

    /// GET on the news site; returns status and body.
    pub async fn page(&self, path: &str) -> (u16, String) {
        let r = self.get("news.localhost:8080", path).await;
        let status = r.status().as_u16();
        (status, r.text().await.unwrap())
    }

    /// Imports more files into the running app's database.
    pub async fn import(&self, files: &[(String, String)]) {
        let input = self.dir.path().join("input");
        let mut paths = Vec::new();
        for (name, text) in files {
            let p = input.join(name);
            std::fs::write(&p, text).unwrap();
            paths.push(p);
        }
        let mut importer = Importer::new(
            self.store.clone(),
            MediaDir::new(self.dir.path().join("media")),
            ImportOptions::default(),
        )
        .await
        .unwrap();
        let report = importer.import_files(&paths, |_, _| {}).await;
        assert_eq!(report.failed, 0, "{:?}", report.errors);
    }

    /// Where this app's emails can be read: the SMTP sink's directory, or the outbox.
    pub fn mail_dir(&self) -> PathBuf {
        match std::env::var("KAWARABAN_TEST_MAIL_DIR") {
            Ok(d) if std::env::var("KAWARABAN_TEST_SMTP_URL").is_ok() => PathBuf::from(d),
            _ => self.dir.path().join("outbox"),
        }
    }

    /// The emails received for `to` so far (decoded), oldest first.
    pub fn mail_for(&self, to: &str) -> Vec<Mail> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.mail_dir())
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "eml"));
        files.sort();
        files
            .iter()
            .filter_map(|p| Mail::parse(&std::fs::read(p).ok()?))
            .filter(|m| m.to.to_lowercase().contains(&to.to_lowercase()))
            .collect()
    }

    /// Waits for the `n`-th email to `to` (1-based) and returns it.
    pub async fn wait_mail(&self, to: &str, n: usize) -> Mail {
        for _ in 0..200 {
            let mut got = self.mail_for(to);
            if got.len() >= n {
                return got.swap_remove(n - 1);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "no email #{n} for {to} within 10 s (have {})",
            self.mail_for(to).len()
        );
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            t.await.unwrap();
        }
    }
}

/// Polls `f` until it returns true or five seconds pass.
pub async fn eventually<F, Fut>(mut f: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..100 {
        if f().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

pub fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// One received email.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub from: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub content_type: String,
}

impl Mail {
    pub fn parse(raw: &[u8]) -> Option<Mail> {
        use mailparse::MailHeaderMap;
        let m = mailparse::parse_mail(raw).ok()?;
        let header = |n: &str| m.headers.get_first_value(n).unwrap_or_default();
        let mut text = String::new();
        let mut html = String::new();
        for part in m.parts() {
            match part.ctype.mimetype.as_str() {
                "text/plain" => text = part.get_body().unwrap_or_default(),
                "text/html" => html = part.get_body().unwrap_or_default(),
                _ => {}
            }
        }
        Some(Mail {
            to: header("To"),
            from: header("From"),
            subject: header("Subject"),
            text,
            html,
            content_type: m.ctype.mimetype.clone(),
        })
    }

    /// The first link in the text part that contains `needle`.
    pub fn link(&self, needle: &str) -> String {
        self.text
            .split_whitespace()
            .find(|w| w.starts_with("http") && w.contains(needle))
            .unwrap_or_else(|| panic!("no link with {needle:?} in: {}", self.text))
            .to_string()
    }
}
