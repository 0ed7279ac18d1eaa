//! Newsletters and news alerts: a site's mailing lists, the people
//! subscribed to them (members or not), and the addresses never to mail.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// What a list carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ListKind {
    /// The day's top stories, built at a set local time.
    Digest,
    /// Breaking-news alerts: one email per breaking article.
    Breaking,
    /// Alerts for one section's new articles.
    Section,
    /// Campaigns written by the newsroom.
    Newsletter,
}

impl ListKind {
    pub const ALL: [ListKind; 4] = [
        ListKind::Digest,
        ListKind::Breaking,
        ListKind::Section,
        ListKind::Newsletter,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::Digest => "digest",
            ListKind::Breaking => "breaking",
            ListKind::Section => "section",
            ListKind::Newsletter => "newsletter",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailingList {
    pub id: i64,
    pub site_id: i64,
    /// Short stable name for the command line (`daily`, `breaking`).
    pub key: String,
    pub name: String,
    pub description: String,
    pub kind: ListKind,
    /// The section of a section-alerts list.
    pub section_id: Option<i64>,
    pub position: i64,
    /// A digest's local sending time, `HH:MM` in the site's time zone.
    pub send_time: Option<String>,
}

/// What `newsletter list add` stores (or updates, by site and key).
#[derive(Debug, Clone)]
pub struct NewList {
    pub site_id: i64,
    pub key: String,
    pub name: String,
    pub description: String,
    pub kind: ListKind,
    pub section_id: Option<i64>,
    pub position: i64,
    pub send_time: Option<String>,
}

/// Reads `HH:MM` (00:00 to 23:59).
pub fn parse_send_time(s: &str) -> Option<chrono::NaiveTime> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    chrono::NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

impl NewList {
    /// Checks the fields a person typed.
    pub fn validate(&self) -> Result<(), String> {
        crate::slug::validate_slug(&self.key).map_err(|e| format!("the list key {e}"))?;
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
            return Err("a list name is 1 to 80 characters, on one line".into());
        }
        if self.description.chars().count() > 300 {
            return Err("a list description is at most 300 characters".into());
        }
        if let Some(t) = &self.send_time {
            if parse_send_time(t).is_none() {
                return Err(format!("send time {t:?}: use HH:MM, such as 18:00"));
            }
            if self.kind != ListKind::Digest {
                return Err("only a digest has a sending time".into());
            }
        }
        if (self.kind == ListKind::Section) != self.section_id.is_some() {
            return Err(
                "a section-alerts list names its section, and only such a list does".into(),
            );
        }
        Ok(())
    }
}

/// Where a subscriber stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SubscriberStatus {
    /// Signed up, confirmation link not yet followed: nothing is sent.
    Pending,
    Active,
    /// Keeps the lists, receives nothing until resumed.
    Paused,
    /// Left every list.
    Unsubscribed,
}

impl SubscriberStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriberStatus::Pending => "pending",
            SubscriberStatus::Active => "active",
            SubscriberStatus::Paused => "paused",
            SubscriberStatus::Unsubscribed => "unsubscribed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => SubscriberStatus::Pending,
            "active" => SubscriberStatus::Active,
            "paused" => SubscriberStatus::Paused,
            "unsubscribed" => SubscriberStatus::Unsubscribed,
            _ => return None,
        })
    }
}

/// One address on one site's lists.
#[derive(Debug, Clone, Serialize)]
pub struct Subscriber {
    pub id: i64,
    pub site_id: i64,
    pub email: String,
    pub email_norm: String,
    pub member_id: Option<i64>,
    pub status: SubscriberStatus,
    /// The lists they receive (or will, once confirmed or resumed).
    pub lists: Vec<i64>,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// One mailing to one list: a breaking-news alert, a digest, or a campaign
/// written by the newsroom. Its bodies are rendered once; the per-recipient
/// links are filled in when each message is sent (see [`RECIPIENT_MARKERS`]).
#[derive(Debug, Clone, Serialize)]
pub struct Campaign {
    pub id: i64,
    pub site_id: i64,
    pub list_id: i64,
    /// `breaking`, `digest` or `campaign`.
    pub kind: String,
    /// Makes a mailing happen at most once (`breaking:ARTICLE_ID`,
    /// `digest:LIST:DATE`); none for free campaigns.
    pub dedupe_key: Option<String>,
    pub subject: String,
    pub preheader: String,
    pub text_body: String,
    pub html_body: String,
    /// `queued` (recipients being listed), `sending`, `done`.
    pub status: String,
    pub created_at: DateTime<Utc>,
}

/// The placeholders in a campaign's bodies that each message replaces with
/// its recipient's own links.
pub const RECIPIENT_MARKERS: [&str; 2] = ["%%MANAGE_URL%%", "%%UNSUBSCRIBE_URL%%"];

#[derive(Debug, Clone)]
pub struct NewCampaign {
    pub site_id: i64,
    pub list_id: i64,
    pub kind: String,
    pub dedupe_key: Option<String>,
    pub subject: String,
    pub preheader: String,
    pub text_body: String,
    pub html_body: String,
}

/// One message of a campaign waiting in (or gone from) the outbox.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxItem {
    pub id: i64,
    pub campaign_id: i64,
    pub subscriber_id: i64,
    pub email: String,
    pub attempts: i64,
}

/// Where a campaign's messages stand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CampaignCounts {
    pub queued: i64,
    pub sent: i64,
    /// Gave up after temporary failures.
    pub failed: i64,
    /// Refused for good (the address is now suppressed).
    pub bounced: i64,
}

impl CampaignCounts {
    pub fn total(&self) -> i64 {
        self.queued + self.sent + self.failed + self.bounced
    }
}
