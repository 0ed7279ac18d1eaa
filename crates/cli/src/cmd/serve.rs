//! `kawaraban serve`.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use kawaraban_content::{demo, MediaDir};
use kawaraban_web::AppState;

use crate::cli::{Global, ServeArgs};
use crate::context::Paths;

pub async fn run(global: &Global, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    kawaraban_mail::check_sender(&global.mail_from)
        .map_err(|e| anyhow::anyhow!("--mail-from: {e}"))?;
    if let Some(url) = &global.smtp_url {
        kawaraban_mail::Transport::new(Some(url), global.data_dir.join("outbox"))
            .map_err(anyhow::Error::msg)?;
    }
    let paths = Paths::from(global)?;
    let store = paths.connect(args.db_connections).await?;
    if args.demo {
        let t = Instant::now();
        let media = MediaDir::new(&paths.media_dir);
        match demo::install(store.clone(), media, args.listen.port(), chrono::Utc::now()).await? {
            demo::Installed::AlreadyPresent => tracing::info!("demo network present"),
            demo::Installed::Imported(r) => {
                tracing::info!(
                    articles = r.imported,
                    ms = t.elapsed().as_millis() as u64,
                    "demo network installed"
                )
            }
        }
    }
    let mut config = crate::context::web_config(global, &paths)?;
    config.dev = args.dev;
    config.page_cache = !args.no_page_cache;
    config.count_views = !args.no_view_counting;
    config.behind_cdn = args.behind_cdn;
    config.webhooks_allow_internal = args.webhooks_allow_internal;
    config.trending_every = std::time::Duration::from_secs(args.trending_every);
    config.retention = kawaraban_core::analytics::Retention {
        minutes: i64::from(args.keep_minutes) * 60,
        hours: i64::from(args.keep_hours) * kawaraban_core::analytics::MINUTES_PER_DAY,
    };
    config.page_cache_bytes = args.page_cache_mb * 1024 * 1024;
    config.header_timeout = seconds("--header-timeout", args.header_timeout)?;
    config.body_timeout = seconds("--body-timeout", args.body_timeout)?;
    config.max_connections_per_ip = args.max_connections_per_ip;
    let state = AppState::new(store.clone(), config)
        .await
        .map_err(anyhow::Error::msg)?;
    let sites = state.network.get();
    if sites.sites.is_empty() {
        tracing::warn!("no sites yet: add one with `kawaraban site add` or run `serve --demo`");
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    for site in &sites.sites {
        tracing::info!(site = %site.key, url = %site.url, "serving");
    }
    tracing::info!(
        listen = %args.listen,
        backend = store.backend(),
        ready_ms = started.elapsed().as_millis() as u64,
        "ready"
    );
    let shutdown = shutdown_signal();
    kawaraban_web::serve(listener, state, shutdown)
        .await
        .context("server error")?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// A timeout flag's value: a positive number of seconds, at most a day.
fn seconds(flag: &str, value: f64) -> anyhow::Result<std::time::Duration> {
    if !(value > 0.0 && value <= 86400.0) {
        anyhow::bail!("{flag}: {value} is not a number of seconds between 0 and 86400");
    }
    Ok(std::time::Duration::from_secs_f64(value))
}

/// Ctrl-C or SIGTERM. The handlers are installed here, before the server
/// answers anything: a SIGTERM that comes right after the first answer (a
/// supervisor that saw /readyz) still stops the server gracefully.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let (mut term, mut int) = {
        use tokio::signal::unix::{signal, SignalKind};
        (
            signal(SignalKind::terminate()).ok(),
            signal(SignalKind::interrupt()).ok(),
        )
    };
    async move {
        #[cfg(unix)]
        {
            let term = async {
                match term.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            let int = async {
                match int.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => {
                        let _ = tokio::signal::ctrl_c().await;
                    }
                }
            };
            tokio::select! {
                _ = term => {}
                _ = int => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("shutting down: finishing requests in flight");
    }
}
