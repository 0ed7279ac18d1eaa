//! `alert`, `subscribers` and `newsletter`: alerts, subscriber lists and campaigns.

use std::path::PathBuf;

use clap::{Args, Subcommand};

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
