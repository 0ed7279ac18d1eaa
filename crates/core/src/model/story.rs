//! Stories as the desk holds them: the fields, the version every save
//! moves on, and their revisions.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{ArticleInput, Status};
use crate::desk::{DeskStatus, StoryFields};

/// A story opened in the editor.
#[derive(Debug, Clone, Serialize)]
pub struct Story {
    pub id: i64,
    pub site_id: i64,
    /// Moves on by one with every save (and every import of the story).
    pub version: i64,
    pub status: Status,
    pub workflow: String,
    pub published_at: DateTime<Utc>,
    /// The "Updated" time readers see, if any.
    pub updated_at: Option<DateTime<Utc>>,
    pub modified_at: DateTime<Utc>,
    /// Who made it in the desk (none for imported stories).
    pub created_by: Option<i64>,
    /// For a story circulated to a sister site: the original it follows
    /// (edits are made there, never to the copy).
    pub circulated_from: Option<i64>,
    /// The API key it was made with, if any (an author's key edits its own).
    pub created_by_key: Option<i64>,
    pub fields: StoryFields,
}

impl Story {
    pub fn desk_status(&self, now: DateTime<Utc>) -> DeskStatus {
        DeskStatus::of(self.status, &self.workflow, self.published_at, now)
    }
}

/// One save from the desk: the article as readers will get it, the fields
/// as the editor had them (kept as the revision), and the version the
/// editor started from.
#[derive(Debug, Clone)]
pub struct StorySave {
    /// `None` for a new story.
    pub id: Option<i64>,
    /// The version the editor opened; ignored for a new story.
    pub base_version: i64,
    pub article: ArticleInput,
    pub workflow: &'static str,
    pub fields: StoryFields,
    pub member_id: Option<i64>,
    /// What the save was (`publish`, `restore 3` …), shown in the history.
    pub note: String,
    /// A new story that is a sister site's copy of this original (kept
    /// from the first save on; ignored after).
    pub circulated_from: Option<i64>,
    /// The API key a new story is made with (kept from the first save on).
    pub key_id: Option<i64>,
}

/// What a save did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveOutcome {
    Saved {
        id: i64,
        version: i64,
    },
    /// Someone saved since the base version; nothing was written.
    Stale {
        version: i64,
    },
}

/// One saved version of a story.
#[derive(Debug, Clone, Serialize)]
pub struct Revision {
    pub version: i64,
    pub member_id: Option<i64>,
    /// The member's display name, if they are still a member.
    pub member_name: Option<String>,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub fields: StoryFields,
}

/// How the desk's story list is ordered (newest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeskSort {
    #[default]
    Updated,
    Published,
}

/// Which stories the desk's list shows.
#[derive(Debug, Clone, Default)]
pub struct DeskQuery {
    pub site_ids: Vec<i64>,
    pub section_id: Option<i64>,
    pub status: Option<DeskStatus>,
    /// An author's slug.
    pub author: Option<String>,
    /// A tag's slug (on the story's site).
    pub tag: Option<String>,
    /// Only stories made by this member (a contributor's own).
    pub created_by: Option<i64>,
    /// Sort time from (inclusive) and before (exclusive).
    pub from: Option<DateTime<Utc>>,
    pub before: Option<DateTime<Utc>>,
    /// Words that must all be in the headline (case-insensitive).
    pub words: Vec<String>,
    pub sort: DeskSort,
    /// The cursor: the sort time and id of the last story of the page before.
    pub after: Option<(DateTime<Utc>, i64)>,
    pub limit: u32,
}

/// A row of the desk's story list.
#[derive(Debug, Clone, Serialize)]
pub struct DeskRow {
    pub id: i64,
    pub site_id: i64,
    pub title: String,
    pub slug: String,
    pub section_slug: String,
    pub status: Status,
    pub workflow: String,
    pub published_at: DateTime<Utc>,
    pub modified_at: DateTime<Utc>,
    pub version: i64,
}

impl DeskRow {
    /// The time the list is sorted by, for the next page's cursor.
    pub fn sort_time(&self, sort: DeskSort) -> DateTime<Utc> {
        match sort {
            DeskSort::Updated => self.modified_at,
            DeskSort::Published => self.published_at,
        }
    }
}

/// Someone with a story open in the editor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Presence {
    pub article_id: i64,
    pub member_id: i64,
    pub name: String,
}
