//! The desk's stories: versioned saves with revisions, the list, presence.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::model::{
    ArticleNote, DeskQuery, DeskRow, Presence, Revision, SaveOutcome, Story, StorySave,
};
use crate::StoreResult;

#[async_trait]
pub trait StoryStore: Send + Sync {
    /// A story of any status, as the editor opens it.
    async fn story(&self, id: i64) -> StoreResult<Option<Story>>;
    /// Writes a save in one transaction: the article, its authors and tags,
    /// the next version and its revision; `Stale` (nothing written) when
    /// the story moved on from `base_version`. A story saved for the first
    /// time in the desk gets the revision of how it stood before, too. A
    /// slug taken on the site is a `Conflict`.
    async fn save_story(&self, save: &StorySave, now: DateTime<Utc>) -> StoreResult<SaveOutcome>;
    /// The sister sites' copies of a story (circulated from it), by id.
    async fn copies(&self, article_id: i64) -> StoreResult<Vec<i64>>;
    /// Its revisions, newest first (at most `limit`).
    async fn revisions(&self, article_id: i64, limit: u32) -> StoreResult<Vec<Revision>>;
    async fn revision(&self, article_id: i64, version: i64) -> StoreResult<Option<Revision>>;
    /// The desk's list, newest first by the query's sort, after its cursor.
    async fn desk_stories(&self, q: &DeskQuery, now: DateTime<Utc>) -> StoreResult<Vec<DeskRow>>;
    /// Notes that the member has the story open now.
    async fn touch_presence(
        &self,
        article_id: i64,
        member_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Who had these stories open at `since` or later.
    async fn presence(
        &self,
        article_ids: &[i64],
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<Presence>>;
    /// Adds a correction or update note to a story, which also becomes its
    /// "Updated" time (so feeds carry it as an update); its version stays:
    /// notes are not edits of the story.
    /// Gives all its notes, oldest first.
    async fn add_note(
        &self,
        article_id: i64,
        note: &ArticleNote,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<ArticleNote>>;
    /// Whether the site had a story at this slug that was taken down.
    async fn story_gone(&self, site_id: i64, slug: &str) -> StoreResult<bool>;
}
