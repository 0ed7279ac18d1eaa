//! What every subcommand sets up: logging, the data directory, the database.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use kawaraban_core::store::Store;
use kawaraban_store::ConnectOptions;

use crate::cli::Global;

/// Logs to standard error through a writer thread (`log_batch.rs`):
/// formatting stays with the caller, the lines gather in memory and go out
/// in one `write` a few times a second. Request lines go through a
/// formatter of their own (`request_log.rs`). Keep the guard until the
/// process ends: dropping it writes out the rest.
pub fn init_logging(g: &Global) -> crate::log_batch::Guard {
    use std::io::IsTerminal as _;
    use tracing_subscriber::filter::filter_fn;
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    use tracing_subscriber::Layer as _;
    let filter = tracing_subscriber::EnvFilter::try_new(&g.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let terminal = std::io::stderr().is_terminal();
    let (writer, guard) = crate::log_batch::Batch::start(std::io::stderr());
    let json = g.log_format == "json";
    let general = tracing_subscriber::fmt::layer()
        .with_ansi(terminal)
        .with_writer(writer.clone());
    let general = if json {
        general.json().flatten_event(true).boxed()
    } else {
        general.boxed()
    };
    tracing_subscriber::registry()
        .with(filter)
        .with(general.with_filter(filter_fn(|m| m.target() != crate::request_log::TARGET)))
        .with(crate::request_log::RequestLines::new(writer, json))
        .init();
    guard
}

/// Paths derived from the global flags.
pub struct Paths {
    pub media_dir: PathBuf,
    pub database_url: String,
}

impl Paths {
    pub fn from(g: &Global) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&g.data_dir).with_context(|| {
            format!("cannot create the data directory {}", g.data_dir.display())
        })?;
        let data_dir = g.data_dir.clone();
        let database_url = match &g.database_url {
            Some(u) => u.clone(),
            None => format!("sqlite://{}", data_dir.join("kawaraban.db").display()),
        };
        Ok(Self {
            media_dir: data_dir.join("media"),
            database_url,
        })
    }

    pub async fn connect(&self, max_connections: u32) -> anyhow::Result<Arc<dyn Store>> {
        Ok(kawaraban_store::connect(&ConnectOptions {
            url: self.database_url.clone(),
            max_connections,
        })
        .await?)
    }
}

/// The web layer's settings from the global flags (for `serve`, and for the
/// commands that render the theme or send email).
pub fn web_config(global: &Global, paths: &Paths) -> anyhow::Result<kawaraban_web::WebConfig> {
    let mut config = kawaraban_web::WebConfig::new(paths.media_dir.clone());
    config.theme_dir = global.theme.clone();
    config.smtp_url = global.smtp_url.clone();
    config.outbox_dir = global.data_dir.join("outbox");
    config.mail_from = global.mail_from.clone();
    config.send_per_second = global.send_rate;
    config.send_per_hour = global.send_per_hour;
    config.send_concurrency = global.send_connections.max(1) as usize;
    config.send_lease = std::time::Duration::from_secs(global.send_lease);
    config.trusted_proxies =
        kawaraban_core::client_ip::TrustedProxies::parse(&global.trusted_proxy)
            .map_err(|e| anyhow::anyhow!("--trusted-proxy: {e}"))?;
    if let Some(path) = &global.dkim_key {
        let key_pem = std::fs::read_to_string(path)
            .with_context(|| format!("--dkim-key: cannot read {}", path.display()))?;
        let domain = match &global.dkim_domain {
            Some(d) => d.clone(),
            None => global
                .mail_from
                .rsplit_once('@')
                .map(|(_, d)| d.trim_end_matches('>').trim().to_string())
                .filter(|d| !d.is_empty())
                .ok_or_else(|| {
                    anyhow::anyhow!("--dkim-domain is needed: --mail-from has no domain")
                })?,
        };
        config.dkim = Some(kawaraban_web::config::Dkim {
            key_pem,
            selector: global.dkim_selector.clone(),
            domain,
        });
        // Refuse a bad key now, in one line, rather than at the first email.
        config
            .transport(None)
            .map_err(|e| anyhow::anyhow!("--dkim-key {}: {e}", path.display()))?;
    }
    Ok(config)
}

/// The site with this key, or an error naming the key.
pub async fn site(store: &dyn Store, key: &str) -> anyhow::Result<kawaraban_core::model::Site> {
    store
        .list_sites()
        .await?
        .into_iter()
        .find(|s| s.key == key)
        .ok_or_else(|| anyhow::anyhow!("no site with key {key:?}"))
}
