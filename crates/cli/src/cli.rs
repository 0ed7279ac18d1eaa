//! The command line: global flags (each also a `KAWARABAN_*` variable) and subcommands.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "kawaraban",
    version,
    about = "A news publishing platform for a network of sites, in one binary."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every subcommand takes.
#[derive(Debug, Clone, Args)]
pub struct Global {
    /// Where the SQLite file, media and outgoing mail live.
    #[arg(
        long,
        global = true,
        env = "KAWARABAN_DATA_DIR",
        default_value = "kawaraban-data"
    )]
    pub data_dir: PathBuf,
    /// `sqlite://FILE` or `postgres://USER:PASSWORD@HOST/DB`; default: SQLite in the data directory.
    #[arg(
        long,
        global = true,
        env = "KAWARABAN_DATABASE_URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// A theme directory overriding the built-in theme's templates and assets by path.
    #[arg(long, global = true, env = "KAWARABAN_THEME")]
    pub theme: Option<PathBuf>,
    /// Send email through this SMTP server (lettre's URL form, such as
    /// `smtp://host:25` or `smtps://user:password@host`); without it every
    /// email is written as an `.eml` file under `<data-dir>/outbox/`.
    #[arg(
        long,
        global = true,
        env = "KAWARABAN_SMTP_URL",
        hide_env_values = true
    )]
    pub smtp_url: Option<String>,
    /// The sender of every email: `Name <address>` or an address.
    #[arg(
        long,
        global = true,
        env = "KAWARABAN_MAIL_FROM",
        default_value = "Kawaraban <noreply@localhost>"
    )]
    pub mail_from: String,
    /// Newsletter messages per second across every app server (0: no limit).
    #[arg(long, global = true, env = "KAWARABAN_SEND_RATE", default_value_t = 0)]
    pub send_rate: u32,
    /// Newsletter messages per hour across every app server (0: no limit).
    #[arg(
        long,
        global = true,
        env = "KAWARABAN_SEND_PER_HOUR",
        default_value_t = 0
    )]
    pub send_per_hour: u32,
    /// Sign every email with DKIM using this private key file: RSA in
    /// PKCS#1 PEM, or an Ed25519 key's 32 bytes in base64.
    #[arg(long, global = true, env = "KAWARABAN_DKIM_KEY")]
    pub dkim_key: Option<PathBuf>,
    /// The DKIM selector: the public key is at SELECTOR._domainkey.DOMAIN.
    #[arg(
        long,
        global = true,
        env = "KAWARABAN_DKIM_SELECTOR",
        default_value = "kawaraban"
    )]
    pub dkim_selector: String,
    /// The DKIM signing domain (default: the domain of --mail-from).
    #[arg(long, global = true, env = "KAWARABAN_DKIM_DOMAIN")]
    pub dkim_domain: Option<String>,
    /// SMTP connections a newsletter sender keeps open (messages in flight).
    #[arg(
        long,
        global = true,
        env = "KAWARABAN_SEND_CONNECTIONS",
        default_value_t = 32
    )]
    pub send_connections: u32,
    /// Seconds a sender holds the newsletter messages it leased: after a
    /// crash, how long before another sender (or the restarted one) sends
    /// them. Never a cause of double sending, whatever its length.
    #[arg(
        long,
        global = true,
        env = "KAWARABAN_SEND_LEASE",
        default_value_t = 120,
        value_parser = clap::value_parser!(u64).range(1..=86400)
    )]
    pub send_lease: u64,
    /// Log format: `text` or `json`.
    #[arg(long, global = true, env = "KAWARABAN_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    pub log_format: String,
    /// Log filter, such as `info` or `kawaraban=debug,warn`.
    #[arg(long, global = true, env = "KAWARABAN_LOG", default_value = "info")]
    pub log: String,
    /// A reverse proxy whose `X-Forwarded-For` / `Forwarded` is believed:
    /// an address or a CIDR block; repeat it or separate with commas.
    #[arg(long, global = true, env = "KAWARABAN_TRUSTED_PROXIES", value_delimiter = ',',
          value_parser = |s: &str| s.parse::<kawaraban_core::client_ip::IpBlock>().map(|_| s.trim().to_string()))]
    pub trusted_proxy: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve every site of the network over HTTP.
    Serve(ServeArgs),
    /// Import Markdown articles (files or directories) with YAML front matter.
    Import(ImportArgs),
    /// Manage the sites of the network.
    #[command(subcommand)]
    Site(SiteCommand),
    /// Make synthetic articles for benchmarks (stored in bulk, or written as import files).
    Generate(GenerateArgs),
    /// Manage staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage sign-in providers.
    #[command(subcommand)]
    Auth(AuthCommand),
    /// Newsletters and news alerts: a site's mailing lists.
    #[command(subcommand)]
    Newsletter(NewsletterCommand),
    /// A site's newsletter subscribers as CSV.
    #[command(subcommand)]
    Subscribers(SubscribersCommand),
    /// Breaking-news alerts.
    #[command(subcommand)]
    Alert(AlertCommand),
    /// Reader surveys.
    #[command(subcommand)]
    Survey(SurveyCommand),
    /// Sponsored giveaways and their verifiable draws.
    #[command(subcommand)]
    Giveaway(GiveawayCommand),
    /// Keys for integrations (shaped as Ghost's: content keys read, admin keys write).
    #[command(subcommand, name = "api-key")]
    ApiKey(ApiKeyCommand),
}

#[derive(Debug, Subcommand)]
pub enum SurveyCommand {
    /// Create a draft survey from a YAML definition (see docs/surveys.md).
    Create(SurveyCreateArgs),
    /// List the surveys.
    List,
    /// Open a survey: its banner shows on the pages it targets.
    Open { slug: String },
    /// Close a survey: it takes no more answers.
    Close { slug: String },
    /// A survey's results as text, or every response or the summary as CSV.
    Results {
        slug: String,
        /// `responses` or `summary`: CSV on standard output.
        #[arg(long)]
        csv: Option<String>,
    },
    /// Days a reader who answered or dismissed a survey is not asked again (network-wide).
    RestDays { days: Option<u32> },
}

#[derive(Debug, Args)]
pub struct SurveyCreateArgs {
    /// The YAML file with the title, the banner and the questions.
    pub file: PathBuf,
    /// Its address, /surveys/SLUG.
    #[arg(long)]
    pub slug: String,
    /// Site keys it shows on (comma-separated; default: every site).
    #[arg(long, value_delimiter = ',')]
    pub sites: Vec<String>,
    /// Section slugs it shows on (default: every page).
    #[arg(long, value_delimiter = ',')]
    pub sections: Vec<String>,
    /// Percent of readers shown the banner.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u8).range(1..=100))]
    pub share: u8,
    #[arg(long)]
    pub members_only: bool,
    /// The most responses it takes.
    #[arg(long)]
    pub limit: Option<u32>,
    /// Question ids whose results are published (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub public: Vec<u32>,
    /// Open it at once.
    #[arg(long)]
    pub open: bool,
}

#[derive(Debug, Subcommand)]
pub enum GiveawayCommand {
    /// Create a giveaway (unpublished unless --publish); its seed's commitment is fixed now.
    Create(Box<GiveawayCreateArgs>),
    /// List the giveaways.
    List,
    /// Publish a giveaway: its block shows from its opening.
    Publish { slug: String },
    /// Take a giveaway off the pages (its entries stay).
    Unpublish { slug: String },
    /// The entries, flagged ones marked.
    Entries { slug: String },
    /// Disqualify an entry by its ticket id, with the reason (logged).
    Disqualify {
        slug: String,
        ticket: String,
        #[arg(long)]
        reason: String,
    },
    /// Draw a closed giveaway now (servers draw on their own at the close).
    Draw { slug: String },
    /// Recompute a giveaway's winners from its public page alone, checking
    /// the commitment, the ticket list, the beacon round's BLS signature
    /// and the order.
    Verify {
        /// The giveaway's page, such as https://news.example/giveaways/premium.
        url: String,
    },
    /// Use a drand beacon for draws (`mainnet`, `quicknet` or a chain hash
    /// pinned here), fetched from URL; `--off` to draw without one.
    Beacon {
        #[arg(long)]
        url: Option<String>,
        #[arg(long, default_value = "quicknet")]
        chain: String,
        #[arg(long)]
        off: bool,
    },
    /// Replace the refused (disposable) email domains with a file's, one a line.
    Domains { file: PathBuf },
    /// Set the sponsor's logo from an image file (JPEG, PNG or WebP, at
    /// most 2 MiB), or take it off with --remove.
    Logo {
        slug: String,
        file: Option<PathBuf>,
        #[arg(long, conflicts_with = "file")]
        remove: bool,
    },
}

#[derive(Debug, Args)]
pub struct GiveawayCreateArgs {
    #[arg(long)]
    pub slug: String,
    #[arg(long)]
    pub title: String,
    /// "Join the giveaway for a chance to win ...".
    #[arg(long, default_value = "")]
    pub text: String,
    #[arg(long)]
    pub sponsor: String,
    #[arg(long, default_value = "")]
    pub sponsor_url: String,
    /// The sponsor's logo: a JPEG, PNG or WebP file of at most 2 MiB.
    #[arg(long)]
    pub logo: Option<PathBuf>,
    #[arg(long, default_value = "")]
    pub prizes: String,
    #[arg(long, default_value_t = 1)]
    pub winners: u32,
    /// RFC 3339, such as 2026-12-01T09:00:00+09:00.
    #[arg(long)]
    pub opens: String,
    #[arg(long)]
    pub closes: String,
    #[arg(long, value_delimiter = ',')]
    pub sites: Vec<String>,
    #[arg(long, value_delimiter = ',')]
    pub sections: Vec<String>,
    /// The eligibility statement entrants declare.
    #[arg(long, default_value = "")]
    pub declaration: String,
    #[arg(long, default_value_t = 7)]
    pub claim_days: u32,
    #[arg(long)]
    pub publish: bool,
}

#[derive(Debug, Subcommand)]
pub enum AlertCommand {
    /// Send an article to the site's breaking-news lists, once: a second
    /// send of the same article does nothing.
    Send {
        /// The site's key.
        site: String,
        /// The article's slug.
        article: String,
        /// Send from this process too, until done.
        #[arg(long)]
        wait: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SubscribersCommand {
    /// Import subscribers from a CSV file with the columns `email`, `lists`
    /// (list keys separated by `;`) and `status` (active, paused,
    /// unsubscribed); bad rows are reported by line and skipped.
    Import {
        /// The site's key.
        site: String,
        /// The CSV file.
        file: PathBuf,
    },
    /// Export a site's subscribers as CSV (email, lists, status, confirmed_at).
    Export {
        /// The site's key.
        site: String,
        /// Write here instead of to standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum NewsletterCommand {
    /// Show a site's mailing lists with their subscriber counts.
    Lists {
        /// The site's key.
        site: String,
    },
    /// Add a mailing list to a site, or update the one with this key.
    AddList(AddListArgs),
    /// Print the URL that takes bounce and complaint reports (raw messages,
    /// POSTed by the mail server or the provider's webhook).
    ReportUrl {
        /// The site's key.
        site: String,
    },
    /// Send a campaign to a list: render the theme's email template, queue
    /// every active subscriber once, and (with --wait) send and show progress.
    Send(SendArgs),
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// The site's key.
    pub site: String,
    /// The list's key.
    pub list: String,
    /// The subject (instead of the template's `Subject:` line).
    #[arg(long)]
    pub subject: Option<String>,
    /// The theme's email template: `email/NAME.txt` and `email/NAME.html`
    /// (default: `digest` for a digest list, with today's stories by
    /// section; `letter` for the others).
    #[arg(long)]
    pub from_template: Option<String>,
    /// The line mail programs show after the subject.
    #[arg(long, default_value = "")]
    pub preheader: String,
    /// Show what would go, to how many, and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Send from this process too, with a progress bar, until the campaign is done.
    #[arg(long)]
    pub wait: bool,
}

#[derive(Debug, Args)]
pub struct AddListArgs {
    /// The site's key.
    pub site: String,
    /// Short stable name (`daily`, `breaking`, `politics-alerts`).
    pub key: String,
    /// The name readers see.
    #[arg(long)]
    pub name: String,
    /// `digest`, `breaking`, `section` or `newsletter`.
    #[arg(long)]
    pub kind: String,
    /// The section of a `section` list (its slug).
    #[arg(long)]
    pub section: Option<String>,
    /// One line under the name.
    #[arg(long, default_value = "")]
    pub description: String,
    /// Order on the signup page (smaller first).
    #[arg(long, default_value_t = 0)]
    pub position: i64,
    /// A digest's daily sending time, HH:MM in the site's time zone.
    #[arg(long)]
    pub send_time: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a staff account (or change an existing account's role) and print a one-time sign-in link.
    Add {
        email: String,
        /// member, contributor, moderator, author, editor or admin.
        #[arg(long)]
        role: String,
        /// Display name (default: the part of the address before the @).
        #[arg(long)]
        name: Option<String>,
        /// The site whose URL the sign-in link uses (default: the default site).
        #[arg(long)]
        site: Option<String>,
    },
    /// Change an account's role (its sessions end).
    Role { email: String, role: String },
    /// Give an account a role on one site only (`--role none` takes it away);
    /// its role there is the higher of this and its network role.
    Grant {
        email: String,
        /// The site's key.
        #[arg(long)]
        site: String,
        /// contributor, moderator, author, editor, admin, or none.
        #[arg(long)]
        role: String,
    },
    /// List staff accounts.
    List,
}

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Make a key; it is shown once.
    Add {
        /// What the desk and the logs call the integration (unique).
        name: String,
        /// `content` (reads what readers may read) or `admin` (writes).
        #[arg(long, default_value = "content")]
        kind: String,
        /// An admin key's role: author, editor (the default) or admin.
        #[arg(long)]
        role: Option<String>,
    },
    /// List the keys (never their secrets).
    List,
    /// Revoke a key by its number in the list; it stops working at once.
    Revoke { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Sign-in providers for the whole network.
    #[command(subcommand)]
    Provider(ProviderCommand),
}

#[derive(Debug, Subcommand)]
pub enum ProviderCommand {
    /// Add a provider, or update the one with this key.
    Add(ProviderAddArgs),
    /// List the providers.
    List,
    /// Remove a provider.
    Remove { key: String },
}

#[derive(Debug, Args)]
pub struct ProviderAddArgs {
    /// Short name, used in the callback URL `/auth/KEY/callback`.
    pub key: String,
    /// `oidc` (any OpenID Connect provider, by issuer URL), `google` or `facebook`.
    #[arg(long, default_value = "oidc")]
    pub kind: String,
    /// Shown on the button: "Continue with NAME".
    #[arg(long)]
    pub name: Option<String>,
    /// The OpenID Connect issuer URL (discovery at ISSUER/.well-known/openid-configuration).
    #[arg(long)]
    pub issuer: Option<String>,
    #[arg(long)]
    pub client_id: String,
    /// The client secret (better passed in the environment).
    #[arg(long, env = "KAWARABAN_CLIENT_SECRET", hide_env_values = true)]
    pub client_secret: String,
}

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

#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    /// Add a site, or update the one with this key.
    Add(SiteAddArgs),
    /// List the sites.
    List,
    /// Show a site's comment rules, or change the ones given.
    Comments(SiteCommentsArgs),
    /// Add a sister site run elsewhere (or change its name and feed): its
    /// feed's items join the trending block, ranked by the clicks it sends them.
    AddExternal(SiteAddExternalArgs),
    /// Remove an external sister site, with its items and clicks.
    RemoveExternal {
        /// The external site's key.
        key: String,
    },
    /// Show or change how a site's stories rank in the other sites' trending blocks.
    Trending(SiteTrendingArgs),
}

#[derive(Debug, Args)]
pub struct SiteAddExternalArgs {
    /// Short name (`blog`).
    pub key: String,
    /// The name the trending block labels its items with.
    #[arg(long)]
    pub name: String,
    /// Its RSS or Atom feed (http or https).
    #[arg(long)]
    pub feed: String,
}

#[derive(Debug, Args)]
pub struct SiteTrendingArgs {
    /// The site's key.
    pub key: String,
    /// Hours for a story's readership to count half as much (default 6).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=720))]
    pub half_life_hours: Option<u32>,
    /// Stories older than this many days stay out of the block (default 7).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=365))]
    pub max_age_days: Option<u32>,
}

#[derive(Debug, Args)]
pub struct SiteCommentsArgs {
    /// The site's key.
    pub key: String,
    /// Close comments this many days after publication (0: never).
    #[arg(long)]
    pub close_after_days: Option<i64>,
    /// Hold a new member's first N comments for a moderator.
    #[arg(long)]
    pub premoderate_first: Option<i64>,
    /// A deleted account's comments: `anonymise` ("former member") or `remove`.
    #[arg(long)]
    pub deleted_members: Option<String>,
    /// Seconds a member waits between two comments.
    #[arg(long)]
    pub min_interval: Option<i64>,
    /// Most comments per member per hour.
    #[arg(long)]
    pub per_hour: Option<i64>,
    /// More links than this hold a comment for a moderator.
    #[arg(long)]
    pub max_links: Option<i64>,
    /// A file of words (one per line) that refuse a comment; `-` clears the list.
    #[arg(long)]
    pub banned_words: Option<PathBuf>,
    /// A file of words (one per line) that hold a comment for a moderator; `-` clears it.
    #[arg(long)]
    pub suspect_words: Option<PathBuf>,
    /// A spam score at or above this holds a comment.
    #[arg(long)]
    pub spam_threshold: Option<i64>,
}

#[derive(Debug, Args)]
pub struct SiteAddArgs {
    /// Short name used in import files (`news`).
    pub key: String,
    /// Display name.
    #[arg(long)]
    pub name: String,
    /// Public base URL, such as https://news.example.com; its host selects the site.
    #[arg(long)]
    pub url: String,
    /// IANA time zone for dates on the site.
    #[arg(long, default_value = "UTC")]
    pub time_zone: String,
    /// The publisher named in copyright lines.
    #[arg(long)]
    pub publisher: Option<String>,
    /// A line under the site name.
    #[arg(long, default_value = "")]
    pub tagline: String,
    /// Serve this site for requests whose host matches no site.
    #[arg(long)]
    pub default: bool,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
