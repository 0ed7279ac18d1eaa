//! The desk's media library: images with their default words, searched.

use async_trait::async_trait;

use crate::model::{ImageInfo, LibraryImage};
use crate::StoreResult;

#[async_trait]
pub trait MediaLibrary: Send + Sync {
    /// Sets what the library says of image `id`, and who uploaded it (kept
    /// when `None`, so that uploading a known image again takes nothing).
    async fn set_image_info(
        &self,
        id: i64,
        info: &ImageInfo,
        uploaded_by: Option<i64>,
    ) -> StoreResult<()>;
    /// One image with its words, by hash.
    async fn library_image(&self, hash: &str) -> StoreResult<Option<LibraryImage>>;
    /// Newest first, older than image `before` when given; `query`'s words
    /// must all be in the name, caption, credit, alt or hash (case-insensitive).
    async fn library(
        &self,
        query: &str,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<LibraryImage>>;
}
