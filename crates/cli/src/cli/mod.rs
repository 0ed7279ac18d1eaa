//! The command line: global flags (each also a `KAWARABAN_*` variable) and
//! subcommands; each group's arguments live in a file of its own.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

mod engagement;
mod members;
mod newsletters;
mod runs;
mod sites;

pub use engagement::*;
pub use members::*;
pub use newsletters::*;
pub use runs::*;
pub use sites::*;

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

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
