//! Storage traits, one per aggregate. The `store` crate implements each for
//! SQLite and PostgreSQL; its conformance suite runs every method on both.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::model::*;
use crate::paging::{PageRequest, Paged};
use crate::StoreResult;

/// Sites and their sections.
#[async_trait]
pub trait SiteStore: Send + Sync {
    async fn list_sites(&self) -> StoreResult<Vec<Site>>;
    /// Creates the site, or updates the one with the same key. Making a site
    /// the default clears the flag on every other.
    async fn upsert_site(&self, site: &NewSite) -> StoreResult<Site>;
    /// Every section of every site, ordered by site then position.
    async fn list_sections(&self) -> StoreResult<Vec<Section>>;
    /// Returns the section with this slug, creating it (named `name`) when
    /// absent. The flag says whether it was created.
    async fn ensure_section(
        &self,
        site_id: i64,
        slug: &str,
        name: &str,
    ) -> StoreResult<(Section, bool)>;
}

/// Articles, their authors and tags, lists and search.
#[async_trait]
pub trait ArticleStore: Send + Sync {
    /// Creates the article or updates the one with the same site and slug,
    /// replacing its authors and tags, all in one transaction.
    async fn upsert_article(&self, input: &ArticleInput) -> StoreResult<Upserted>;
    /// Creates or updates many articles in one transaction (bulk loads).
    async fn upsert_articles(&self, articles: &[ArticleInput]) -> StoreResult<u64>;
    /// A published article visible at `now`.
    async fn article_by_slug(
        &self,
        site_id: i64,
        slug: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Article>>;
    /// Published articles, newest first.
    async fn list_articles(
        &self,
        site_id: i64,
        filter: ListFilter,
        page: PageRequest,
        now: DateTime<Utc>,
    ) -> StoreResult<Paged<ArticleSummary>>;
    /// Ranked full-text search over headline, summary and body.
    async fn search(
        &self,
        site_id: i64,
        query: &str,
        page: PageRequest,
        now: DateTime<Utc>,
    ) -> StoreResult<Paged<ArticleSummary>>;
    async fn tag_by_slug(&self, site_id: i64, slug: &str) -> StoreResult<Option<Tag>>;
    async fn author_by_slug(&self, slug: &str) -> StoreResult<Option<Person>>;
    /// Number of published articles of a site (for sitemap indexes).
    async fn count_published(&self, site_id: i64, now: DateTime<Utc>) -> StoreResult<u64>;
    /// Published articles for sitemaps, oldest first so that sitemap files stay stable.
    async fn sitemap_entries(
        &self,
        site_id: i64,
        offset: u64,
        limit: u32,
        since: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<SitemapEntry>>;
}

/// Stored images (the files themselves live in a media directory or bucket).
#[async_trait]
pub trait MediaStore: Send + Sync {
    /// Records an image, or returns the one already stored with the same hash.
    async fn put_image(&self, image: &NewImage) -> StoreResult<Image>;
    async fn image_by_hash(&self, hash: &str) -> StoreResult<Option<Image>>;
}

/// Page-cache invalidation shared by every app server through the database.
#[async_trait]
pub trait CacheEvents: Send + Sync {
    /// Announces that pages carrying these tags are stale.
    async fn publish_invalidations(&self, tags: &[String]) -> StoreResult<()>;
    /// Announcements after `after_id`, oldest first.
    async fn invalidations_since(&self, after_id: i64) -> StoreResult<Vec<(i64, String)>>;
    /// The newest announcement id (0 when none), where a fresh server starts.
    async fn latest_invalidation_id(&self) -> StoreResult<i64>;
    /// Forgets announcements older than `before`.
    async fn prune_invalidations(&self, before: DateTime<Utc>) -> StoreResult<u64>;
}

/// Health of the connection itself.
#[async_trait]
pub trait Health: Send + Sync {
    /// A trivial round trip to the database.
    async fn ping(&self) -> StoreResult<()>;
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
}

/// Everything the application needs from storage.
pub trait Store: SiteStore + ArticleStore + MediaStore + CacheEvents + Health {}

impl<T> Store for T where T: SiteStore + ArticleStore + MediaStore + CacheEvents + Health {}
