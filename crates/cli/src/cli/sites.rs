//! `site`: the network's sites, their sister sites' trending, and comment rules.

use std::path::PathBuf;

use clap::{Args, Subcommand};

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
