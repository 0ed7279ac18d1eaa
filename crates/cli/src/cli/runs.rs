//! `generate`, `serve` and `import`: the commands that make, serve and take in stories.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// How many articles.
    #[arg(long, default_value_t = 0)]
    pub articles: u64,
    /// How many comments (one in ten a reply), on the site's newest article
    /// or on `--article`.
    #[arg(long, default_value_t = 0)]
    pub comments: u64,
    /// The slug of the article that gets the comments.
    #[arg(long)]
    pub article: Option<String>,
    /// How many members write them (made if missing: reader-N@generated.invalid).
    #[arg(long, default_value_t = 200)]
    pub members: u64,
    /// How many newsletter subscribers (active, on `--list`): reader-N@generated.invalid.
    #[arg(long, default_value_t = 0)]
    pub subscribers: u64,
    /// The list they subscribe to (made as a newsletter if missing).
    #[arg(long, default_value = "generated")]
    pub list: String,
    /// Sign each of those members in on the site and write their session
    /// cookies here, one per line (for load tests).
    #[arg(long)]
    pub sessions: Option<PathBuf>,
    /// The site they belong to (the demo sites are created if missing).
    #[arg(long, default_value = "news")]
    pub site: String,
    /// Write Markdown import files (and one image) here instead of storing them.
    #[arg(long)]
    pub files: Option<PathBuf>,
    /// Seed of the text generator.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Add a synthetic reading history of this many days for every article
    /// of the site (readership analytics benchmarks).
    #[arg(long, default_value_t = 0)]
    pub history_days: u32,
    /// The role of the members made for `--sessions` (an editor's sessions
    /// load the desk).
    #[arg(long, default_value = "member")]
    pub role: String,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "KAWARABAN_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Install the demo network (three sites, original articles) if it is not there yet.
    #[arg(long)]
    pub demo: bool,
    /// Development: reload templates and assets on every request; no page cache.
    #[arg(long, env = "KAWARABAN_DEV")]
    pub dev: bool,
    /// Turn the in-memory page cache off (every page rendered for each request; the parts pages share are kept for up to a minute).
    #[arg(long, env = "KAWARABAN_NO_PAGE_CACHE")]
    pub no_page_cache: bool,
    /// Do not count article page views on this server (readership analytics).
    #[arg(long, env = "KAWARABAN_NO_VIEW_COUNTING")]
    pub no_view_counting: bool,
    /// Pages are served through a CDN: article pages carry a first-party view
    /// beacon and views are counted from it, not as pages are served.
    #[arg(long, env = "KAWARABAN_BEHIND_CDN")]
    pub behind_cdn: bool,
    /// Let webhooks go to this machine and the private network (for
    /// receivers inside the newsroom's own network; off by default).
    #[arg(long, env = "KAWARABAN_WEBHOOKS_ALLOW_INTERNAL")]
    pub webhooks_allow_internal: bool,
    /// Seconds between two recomputes of every site's trending block.
    #[arg(long, env = "KAWARABAN_TRENDING_EVERY", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub trending_every: u64,
    /// Hours the per-minute readership counts are kept (their hourly and daily sums stay).
    #[arg(long, env = "KAWARABAN_KEEP_MINUTES", default_value_t = 48, value_parser = clap::value_parser!(u32).range(1..=8760))]
    pub keep_minutes: u32,
    /// Days the hourly readership counts are kept (the daily sums stay for good).
    #[arg(long, env = "KAWARABAN_KEEP_HOURS", default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=36500))]
    pub keep_hours: u32,
    /// Page cache size in MiB.
    #[arg(long, env = "KAWARABAN_PAGE_CACHE_MB", default_value_t = 64)]
    pub page_cache_mb: u64,
    /// Most pooled database connections.
    #[arg(long, env = "KAWARABAN_DB_CONNECTIONS", default_value_t = 16)]
    pub db_connections: u32,
    /// Seconds a request's headers may take to arrive; also how long an
    /// idle connection stays open.
    #[arg(long, env = "KAWARABAN_HEADER_TIMEOUT", default_value_t = 10.0)]
    pub header_timeout: f64,
    /// Seconds a request's body may take to arrive after its headers.
    #[arg(long, env = "KAWARABAN_BODY_TIMEOUT", default_value_t = 30.0)]
    pub body_timeout: f64,
    /// Connections one client address may hold open at once (0: no cap).
    #[arg(long, env = "KAWARABAN_MAX_CONNECTIONS_PER_IP", default_value_t = 256)]
    pub max_connections_per_ip: u32,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Markdown files or directories.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}
