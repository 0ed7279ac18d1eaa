//! `survey` and `giveaway`: reader surveys and sponsored giveaways.

use std::path::PathBuf;

use clap::{Args, Subcommand};

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
