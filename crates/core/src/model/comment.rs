//! Comments under articles, and what moderation knows of members.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// Where a comment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommentStatus {
    /// Shown under the article and counted.
    Visible,
    /// Waiting for a moderator.
    Pending,
    /// Refused by a moderator or the pipeline; kept for the record.
    Rejected,
    /// Deleted by its author; shown as "comment removed" while it has replies.
    Deleted,
}

impl CommentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CommentStatus::Visible => "visible",
            CommentStatus::Pending => "pending",
            CommentStatus::Rejected => "rejected",
            CommentStatus::Deleted => "deleted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "visible" => CommentStatus::Visible,
            "pending" => CommentStatus::Pending,
            "rejected" => CommentStatus::Rejected,
            "deleted" => CommentStatus::Deleted,
            _ => return None,
        })
    }
}

/// Whether an article takes comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommentMode {
    Open,
    /// Existing comments shown, no new ones.
    Closed,
    /// No comments section at all.
    Disabled,
}

impl CommentMode {
    pub fn as_str(self) -> &'static str {
        match self {
            CommentMode::Open => "open",
            CommentMode::Closed => "closed",
            CommentMode::Disabled => "disabled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "open" => CommentMode::Open,
            "closed" => CommentMode::Closed,
            "disabled" => CommentMode::Disabled,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Comment {
    pub id: i64,
    pub article_id: i64,
    /// `None` once the author deleted their account ("former member").
    pub member_id: Option<i64>,
    /// The author's display name now, or empty for a former member.
    pub author_name: String,
    pub parent_id: Option<i64>,
    pub body_markdown: String,
    pub body_html: String,
    pub status: CommentStatus,
    pub likes: i64,
    pub dislikes: i64,
    pub flags: i64,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    /// The pipeline's spam score (see `moderation::spam_score`).
    pub spam_score: i64,
    /// Why the pipeline or a moderator held or refused it.
    pub moderation_reason: String,
    /// The author wants an email when somebody replies.
    pub notify_replies: bool,
}

/// What posting a comment stores (already checked and rendered).
#[derive(Debug, Clone)]
pub struct NewComment {
    pub article_id: i64,
    pub member_id: i64,
    pub parent_id: Option<i64>,
    pub body_markdown: String,
    pub body_html: String,
    pub status: CommentStatus,
    pub spam_score: i64,
    pub moderation_reason: String,
    /// A key the form carries: the same form sent twice stores one comment.
    pub submit_key: Option<String>,
    pub notify_replies: bool,
}

/// The order of a comments list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentSort {
    Newest,
    Oldest,
    MostLiked,
}

/// Where a page of comments continues: the last comment's sort key and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommentCursor {
    pub key: i64,
    pub id: i64,
}

/// A comment in the moderation queue, with the article it belongs to and
/// the reasons readers gave when they reported it.
#[derive(Debug, Clone, Serialize)]
pub struct QueueItem {
    pub comment: Comment,
    pub article_title: String,
    /// `/{section}/{slug}`.
    pub article_path: String,
    pub flag_reasons: Vec<String>,
}

/// The tabs of the moderation queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QueueFilter {
    /// Held for a moderator.
    Pending,
    /// Visible, and reported by readers since a moderator last looked.
    Reported,
    Rejected,
    All,
}

impl QueueFilter {
    pub const ALL: [QueueFilter; 4] = [
        QueueFilter::Pending,
        QueueFilter::Reported,
        QueueFilter::Rejected,
        QueueFilter::All,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QueueFilter::Pending => "pending",
            QueueFilter::Reported => "reported",
            QueueFilter::Rejected => "rejected",
            QueueFilter::All => "all",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// A member's standing with the moderators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StandingStatus {
    Active,
    /// May not comment until `until`.
    Suspended,
    /// May not comment.
    Banned,
}

impl StandingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StandingStatus::Active => "active",
            StandingStatus::Suspended => "suspended",
            StandingStatus::Banned => "banned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "active" => StandingStatus::Active,
            "suspended" => StandingStatus::Suspended,
            "banned" => StandingStatus::Banned,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Standing {
    pub status: StandingStatus,
    pub until: Option<DateTime<Utc>>,
    /// Every comment of this member waits for a moderator.
    pub premoderate: bool,
    pub reason: String,
}

impl Default for Standing {
    fn default() -> Self {
        Standing {
            status: StandingStatus::Active,
            until: None,
            premoderate: false,
            reason: String::new(),
        }
    }
}

impl Standing {
    /// The status at `now`: a suspension ends by itself.
    pub fn at(&self, now: DateTime<Utc>) -> StandingStatus {
        match (self.status, self.until) {
            (StandingStatus::Suspended, Some(until)) if until <= now => StandingStatus::Active,
            (s, _) => s,
        }
    }
}

/// One line of the audit log: who did what to what, when and why.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    /// `comment.approve`, `member.ban`, `article.comments` ...
    pub action: String,
    /// `comment:12`, `member:4`, `article:9`.
    pub target: String,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

/// What happens to a deleted member's comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeletedMembers {
    /// Kept, signed "former member".
    Anonymise,
    /// Taken down with the account.
    Remove,
}

impl DeletedMembers {
    pub fn as_str(self) -> &'static str {
        match self {
            DeletedMembers::Anonymise => "anonymise",
            DeletedMembers::Remove => "remove",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "anonymise" | "anonymize" => DeletedMembers::Anonymise,
            "remove" => DeletedMembers::Remove,
            _ => return None,
        })
    }
}

/// A site's comment rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommentSettings {
    /// Articles stop taking comments this many days after publication.
    pub close_after_days: Option<i64>,
    /// A new member's first N comments wait for a moderator.
    pub premoderate_first: i64,
    pub deleted_members: DeletedMembers,
    /// At most one comment per member in this many seconds ...
    pub min_interval_secs: i64,
    /// ... and this many in an hour.
    pub per_hour: i64,
    /// More links than this and a comment waits for a moderator.
    pub max_links: i64,
    /// Comments with one of these words are refused.
    pub banned_words: Vec<String>,
    /// Comments with one of these words wait for a moderator.
    pub suspect_words: Vec<String>,
    /// A spam score at or above this holds a comment.
    pub spam_threshold: i64,
}

impl Default for CommentSettings {
    fn default() -> Self {
        CommentSettings {
            close_after_days: None,
            premoderate_first: 1,
            deleted_members: DeletedMembers::Anonymise,
            min_interval_secs: 30,
            per_hour: 20,
            max_links: 2,
            banned_words: Vec::new(),
            suspect_words: Vec::new(),
            spam_threshold: 5,
        }
    }
}

/// What comment handlers need of an article.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleRef {
    pub id: i64,
    pub site_id: i64,
    pub title: String,
    pub section_slug: String,
    pub slug: String,
    pub published_at: DateTime<Utc>,
    pub comment_mode: CommentMode,
}

impl ArticleRef {
    pub fn path(&self) -> String {
        format!("/{}/{}", self.section_slug, self.slug)
    }
}
