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
