//! Authors' profiles and tags' names, as the desk edits them.

use async_trait::async_trait;

use crate::model::{AuthorProfile, Person};
use crate::StoreResult;

#[async_trait]
pub trait AuthorStore: Send + Sync {
    /// Authors by name, whose names hold all of `query`'s words.
    async fn authors(&self, query: &str, limit: u32) -> StoreResult<Vec<Person>>;
    async fn author_profile(&self, slug: &str) -> StoreResult<Option<AuthorProfile>>;
    /// Sets the name, biography, photo and links of author `id`; false if
    /// there is none.
    async fn set_author_profile(&self, p: &AuthorProfile) -> StoreResult<bool>;
    /// Renames a tag of the site (its address stays); false if none.
    async fn rename_tag(&self, site_id: i64, slug: &str, name: &str) -> StoreResult<bool>;
}
