//! Storage traits, one per aggregate. The `store` crate implements each for
//! SQLite and PostgreSQL; its conformance suite runs every method on both.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::model::*;
use crate::paging::{PageRequest, Paged};
use crate::StoreResult;

mod analytics;
mod api_keys;
mod authors;
mod engagement;
mod external;
mod media_library;
mod staff;
mod stories;
mod webhooks;

pub use analytics::AnalyticsStore;
pub use api_keys::ApiKeyStore;
pub use authors::AuthorStore;
pub use engagement::{
    GiveawayStore, SurveyStore, BURST_MINUTES, BURST_RESPONSES, ENTRIES_PER_ADDRESS,
};
pub use external::ExternalStore;
pub use media_library::MediaLibrary;
pub use staff::StaffStore;
pub use stories::StoryStore;
pub use webhooks::WebhookStore;

/// Sites and their sections.
#[async_trait]
pub trait SiteStore: Send + Sync {
    async fn list_sites(&self) -> StoreResult<Vec<Site>>;
    /// Creates the site, or updates the one with the same key. Making a site
    /// the default clears the flag on every other.
    async fn upsert_site(&self, site: &NewSite) -> StoreResult<Site>;
    /// Every section of every site, ordered by site then position.
    async fn list_sections(&self) -> StoreResult<Vec<Section>>;
    /// Renames a section of the site and sets its place in the navigation;
    /// false if the site has no such section.
    async fn update_section(
        &self,
        site_id: i64,
        slug: &str,
        name: &str,
        position: i64,
    ) -> StoreResult<bool>;
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
    /// How many articles [`ArticleStore::list_articles`] pages through.
    async fn count_articles(
        &self,
        site_id: i64,
        filter: ListFilter,
        now: DateTime<Utc>,
    ) -> StoreResult<u64>;
    /// Whole articles (authors and tags included) of a site visible at
    /// `now`, in the order of `ids`; an id not visible is left out. For
    /// lists of whole stories (the Content API), in two queries.
    async fn articles_by_ids(
        &self,
        site_id: i64,
        ids: &[i64],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Article>>;
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
    /// The tags of a site's stories visible at `now`, by name.
    async fn site_tags(&self, site_id: i64, now: DateTime<Utc>) -> StoreResult<Vec<Tag>>;
    /// The authors of a site's stories visible at `now`, by name.
    async fn site_authors(&self, site_id: i64, now: DateTime<Utc>) -> StoreResult<Vec<Person>>;
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
    /// Waits until the database may have changed since `seen` (0, or what
    /// this returned last), or `timeout` passes, and returns the new mark:
    /// a `NOTIFY` on PostgreSQL (sent with every announcement), a new
    /// `PRAGMA data_version` on SQLite (any commit). May wake spuriously;
    /// callers read the truth from the tables.
    async fn wait_for_change(&self, seen: u64, timeout: std::time::Duration) -> u64;
    /// A number that moves whenever anything is committed, by this process
    /// or another, where the backend can tell: on SQLite a commit hook on
    /// this process's connections moves it before each commit, and the
    /// data-version watch after any commit (other processes' included). A
    /// value read before a read and still current afterwards means nothing
    /// was committed in between, give or take a commit in flight, which
    /// the watch covers moments later. `None` (PostgreSQL, where other app
    /// servers' commits are not announced) means: keep nothing on it.
    fn commit_mark(&self) -> Option<u64> {
        None
    }
}

/// Members and their sign-in identities.
#[async_trait]
pub trait MemberStore: Send + Sync {
    /// Fails with `Conflict` when the normalised email is taken.
    async fn create_member(&self, m: &NewMember, now: DateTime<Utc>) -> StoreResult<Member>;
    async fn member_by_id(&self, id: i64) -> StoreResult<Option<Member>>;
    async fn member_by_email(&self, email_norm: &str) -> StoreResult<Option<Member>>;
    async fn list_staff(&self) -> StoreResult<Vec<Member>>;
    /// Members whose address or name holds every word of `query`
    /// (case-folded), oldest first, after member id `after` (exclusive).
    async fn find_members(
        &self,
        query: &str,
        after: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<Member>>;
    async fn set_display_name(&self, id: i64, name: &str, now: DateTime<Utc>) -> StoreResult<()>;
    /// Also spends every unused reset token of the member.
    async fn set_password_hash(&self, id: i64, hash: &str, now: DateTime<Utc>) -> StoreResult<()>;
    /// Changes the address; `verified` says whether it is confirmed already.
    async fn set_email(
        &self,
        id: i64,
        email: &str,
        email_norm: &str,
        verified: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn mark_email_verified(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()>;
    async fn set_role(&self, id: i64, role: Role, now: DateTime<Utc>) -> StoreResult<()>;
    /// Erases the member, their sessions, identities and tokens.
    async fn delete_member(&self, id: i64) -> StoreResult<()>;
    async fn identity_member(&self, provider: &str, subject: &str) -> StoreResult<Option<i64>>;
    async fn link_identity(
        &self,
        member_id: i64,
        provider: &str,
        subject: &str,
        email: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn identities(&self, member_id: i64) -> StoreResult<Vec<Identity>>;
}

/// Browser sessions, shared by every app server.
/// A signed-in reader as one read gives it: the live session, its member
/// and the member's standing.
pub type SignedIn = (Session, Member, Standing);

#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn create_session(&self, s: &Session) -> StoreResult<()>;
    /// A session that has not expired at `now`.
    async fn session(&self, id_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<Session>>;
    /// A live session, its member and the member's standing, in one read
    /// where the backend allows: what every request of a signed-in reader
    /// asks first.
    async fn signed_in(&self, id_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<SignedIn>>;
    /// Records activity and pushes the idle expiry (never past `absolute`).
    async fn touch_session(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn sessions_of(&self, member_id: i64, now: DateTime<Utc>) -> StoreResult<Vec<Session>>;
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()>;
    /// Ends every session of one network sign-in (all sites).
    async fn delete_login(&self, member_id: i64, login_id: &str) -> StoreResult<u64>;
    /// Ends every session of a member, but the ones of `keep_login`.
    async fn delete_sessions_of(
        &self,
        member_id: i64,
        keep_login: Option<&str>,
    ) -> StoreResult<u64>;
}

/// Single-use tokens (email links, network sign-in, OAuth state), stored hashed.
#[async_trait]
pub trait TokenStore: Send + Sync {
    async fn create_token(
        &self,
        hash: &str,
        kind: TokenKind,
        member_id: Option<i64>,
        data: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Spends the token if it exists, is of this kind, is unused and has not
    /// expired; at most one caller ever gets it.
    async fn spend_token(
        &self,
        hash: &str,
        kind: TokenKind,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<SpentToken>>;
    /// Whether the token could be spent now (for pages that confirm first).
    async fn token_is_live(
        &self,
        hash: &str,
        kind: TokenKind,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
}

/// A durable job queue: work survives restarts and is shared by all servers.
#[async_trait]
pub trait JobStore: Send + Sync {
    async fn enqueue_job(
        &self,
        kind: &str,
        payload: &str,
        run_at: DateTime<Utc>,
    ) -> StoreResult<i64>;
    /// Takes the oldest due job and leases it until `lease_until`.
    async fn claim_job(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<Option<Job>>;
    async fn finish_job(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()>;
    /// Schedules another attempt, or marks the job failed when `retry_at` is `None`.
    async fn fail_job(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Jobs by status (`queued`, `done`, `failed`), for operators and tests.
    async fn count_jobs(&self, status: &str) -> StoreResult<u64>;
}

/// A hit on a rate counter that goes with a write: the write is made only
/// while the counter, this hit included, is at most `max`. Stores with a
/// single writer count and write in one commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateCharge {
    pub key: String,
    pub window_start: i64,
    pub max: i64,
}

/// Fixed-window counters behind rate limits, shared by every app server.
#[async_trait]
pub trait RateCounters: Send + Sync {
    /// Adds one hit to `key` in the window starting at `window_start` (unix
    /// seconds) and returns the hits so far in that window.
    async fn hit(&self, key: &str, window_start: i64) -> StoreResult<i64>;
    /// Adds `n` hits at once (a batch of messages sent); returns the total.
    async fn add_hits(&self, key: &str, window_start: i64, n: i64) -> StoreResult<i64>;
    /// The hits so far, without adding one.
    async fn hits(&self, key: &str, window_start: i64) -> StoreResult<i64>;
    /// Forgets windows that started before `before`.
    async fn prune_counters(&self, before: i64) -> StoreResult<u64>;
}

/// Network-wide settings that are not content: secrets and sign-in providers.
#[async_trait]
pub trait NetworkSettings: Send + Sync {
    /// The named secret, created from `fresh` on first use (the first
    /// writer wins, so every app server ends up with the same value).
    async fn secret(&self, name: &str, fresh: &str, now: DateTime<Utc>) -> StoreResult<String>;
    async fn auth_providers(&self) -> StoreResult<Vec<AuthProvider>>;
    async fn upsert_auth_provider(&self, p: &AuthProvider, now: DateTime<Utc>) -> StoreResult<()>;
    async fn delete_auth_provider(&self, key: &str) -> StoreResult<bool>;
    /// A setting staff change at run time (`disposable_domains`, ...).
    async fn setting(&self, key: &str) -> StoreResult<Option<String>>;
    async fn set_setting(&self, key: &str, value: &str) -> StoreResult<()>;
}

/// Comments, votes and flags. Every change of a comment's status keeps the
/// article's `comment_count` (visible comments) right in the same transaction.
#[async_trait]
pub trait CommentStore: Send + Sync {
    /// Stores a comment; with a `submit_key` already used by this member,
    /// returns the stored one instead (`false`: nothing new was created).
    async fn post_comment(
        &self,
        c: &NewComment,
        now: DateTime<Utc>,
    ) -> StoreResult<(Comment, bool)>;
    async fn comment(&self, id: i64) -> StoreResult<Option<Comment>>;
    /// The member's comment stored from the form with this submit key.
    async fn comment_by_key(&self, member_id: i64, key: &str) -> StoreResult<Option<Comment>>;
    /// One page of top-level comments: visible ones, and deleted ones that
    /// still have visible replies (shown as "comment removed").
    async fn top_comments(
        &self,
        article_id: i64,
        sort: CommentSort,
        after: Option<CommentCursor>,
        limit: u32,
    ) -> StoreResult<Vec<Comment>>;
    /// Visible replies to these comments, oldest first.
    async fn replies(&self, parent_ids: &[i64]) -> StoreResult<Vec<Comment>>;
    /// Every comment of the article, replies too, oldest first, after
    /// comment id `after` (exclusive): only the visible ones unless
    /// `every_status` (moderators see pending, rejected and deleted ones).
    async fn article_comments(
        &self,
        article_id: i64,
        every_status: bool,
        after: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<Comment>>;
    async fn set_comment_status(
        &self,
        id: i64,
        status: CommentStatus,
        reason: &str,
    ) -> StoreResult<()>;
    /// Changes the text if the comment is the member's and was not edited
    /// since `seen_edit` (concurrent edits: the second one loses).
    async fn edit_comment(
        &self,
        id: i64,
        member_id: i64,
        body_markdown: &str,
        body_html: &str,
        seen_edit: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// One vote per member and comment (+1 like, -1 dislike); false when
    /// the member voted on it already.
    async fn vote(&self, comment_id: i64, member_id: i64, value: i64) -> StoreResult<bool>;
    /// One flag per member and comment; false when already flagged.
    async fn flag(
        &self,
        comment_id: i64,
        member_id: i64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    async fn set_comment_mode(&self, article_id: i64, mode: CommentMode) -> StoreResult<()>;
    /// The article's visible comments, as counted.
    async fn comment_count(&self, article_id: i64) -> StoreResult<i64>;
    /// A published article (at `now`), as comment handlers need it.
    async fn article_ref(
        &self,
        article_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<ArticleRef>>;
}

/// What moderators work with: the queue, members' standing and history,
/// the site's comment rules, and the audit log.
#[async_trait]
pub trait ModerationStore: Send + Sync {
    /// One page of a queue tab for a site, newest first, after comment id
    /// `before` (exclusive) if given.
    async fn queue(
        &self,
        site_id: i64,
        filter: QueueFilter,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<QueueItem>>;
    /// How many comments each tab holds (pending, reported, rejected).
    async fn queue_counts(&self, site_id: i64) -> StoreResult<(i64, i64, i64)>;
    /// The member's comments on any site, newest first (any status).
    async fn member_comments(&self, member_id: i64, limit: u32) -> StoreResult<Vec<Comment>>;
    /// The member's comments created since `since`, newest first, for the
    /// duplicate and rate checks; and how many of theirs were ever approved.
    async fn posting_history(
        &self,
        member_id: i64,
        since: DateTime<Utc>,
    ) -> StoreResult<(Vec<crate::moderation::Recent>, i64)>;
    /// A reviewed report: the comment's flag count goes back to zero.
    async fn clear_flags(&self, comment_id: i64) -> StoreResult<()>;
    async fn standing(&self, member_id: i64) -> StoreResult<Standing>;
    async fn set_standing(
        &self,
        member_id: i64,
        standing: &Standing,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Rejects every pending comment of the member (a ban); returns how many.
    async fn reject_pending_of(&self, member_id: i64, reason: &str) -> StoreResult<u64>;
    /// Takes down every comment of the member on one site (account deleted
    /// under the "remove" rule); returns the articles whose counts changed.
    async fn remove_comments_of(&self, member_id: i64, site_id: i64) -> StoreResult<Vec<i64>>;
    /// Takes back every vote of the member (a ban: a banned member's votes
    /// do not count), adjusting the comments' counts; returns the articles
    /// whose comments changed.
    async fn withdraw_votes_of(&self, member_id: i64) -> StoreResult<Vec<i64>>;
    async fn comment_settings(&self, site_id: i64) -> StoreResult<CommentSettings>;
    async fn set_comment_settings(&self, site_id: i64, s: &CommentSettings) -> StoreResult<()>;
    async fn audit(
        &self,
        actor: Option<&Member>,
        action: &str,
        target: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// The audit log, newest first, entries older than id `before`.
    async fn audit_log(&self, before: Option<i64>, limit: u32) -> StoreResult<Vec<AuditEntry>>;
}

/// Mailing lists, subscribers and the suppression list.
#[async_trait]
pub trait NewsletterStore: Send + Sync {
    /// A site's lists, in their order.
    async fn lists(&self, site_id: i64) -> StoreResult<Vec<MailingList>>;
    /// Adds a list, or updates the one with the same site and key.
    async fn upsert_list(&self, l: &NewList, now: DateTime<Utc>) -> StoreResult<MailingList>;
    /// Records a signup: a new address is `Pending` with no lists (the lists
    /// it asked for travel in the confirmation link); a known one keeps its
    /// status and lists. Returns the subscriber.
    async fn sign_up(
        &self,
        site_id: i64,
        email: &str,
        email_norm: &str,
        member_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> StoreResult<Subscriber>;
    async fn subscriber(&self, id: i64) -> StoreResult<Option<Subscriber>>;
    async fn subscriber_by_email(
        &self,
        site_id: i64,
        email_norm: &str,
    ) -> StoreResult<Option<Subscriber>>;
    /// Confirms (double opt-in): the subscriber becomes active and gets
    /// these lists added to the ones it has.
    async fn confirm_subscriber(
        &self,
        id: i64,
        lists: &[i64],
        now: DateTime<Utc>,
    ) -> StoreResult<Subscriber>;
    /// Replaces the subscriber's lists (lists of other sites are ignored).
    async fn set_lists(&self, id: i64, lists: &[i64], now: DateTime<Utc>) -> StoreResult<()>;
    async fn set_subscriber_status(
        &self,
        id: i64,
        status: SubscriberStatus,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Stores an imported subscriber (confirmed by whoever imports it) with
    /// exactly these lists; true when the address was new to the site.
    async fn import_subscriber(
        &self,
        site_id: i64,
        email: &str,
        email_norm: &str,
        status: SubscriberStatus,
        lists: &[i64],
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Adds active subscribers of one list in bulk (synthetic data for
    /// benchmarks and large migrations); addresses already there are left
    /// alone. Returns how many were added.
    async fn bulk_subscribe(
        &self,
        site_id: i64,
        list_id: i64,
        emails: &[String],
        now: DateTime<Utc>,
    ) -> StoreResult<u64>;
    /// A site's subscribers with ids above `after_id`, in id order.
    async fn subscribers_page(
        &self,
        site_id: i64,
        after_id: i64,
        limit: u32,
    ) -> StoreResult<Vec<Subscriber>>;
    /// A complaint: the address leaves every list of every site.
    async fn unsubscribe_everywhere(
        &self,
        email_norm: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<u64>;
    /// Never mail this address again (bounce, complaint, or by hand).
    async fn suppress(&self, email_norm: &str, reason: &str, now: DateTime<Utc>)
        -> StoreResult<()>;
    async fn is_suppressed(&self, email_norm: &str) -> StoreResult<bool>;
}

/// Campaigns and their outbox: one row per (campaign, recipient), leased
/// by senders on any app server.
#[async_trait]
pub trait CampaignStore: Send + Sync {
    /// Stores a campaign; `None` when its dedupe key was used before (the
    /// same breaking alert or digest is never made twice).
    async fn create_campaign(
        &self,
        c: &NewCampaign,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Campaign>>;
    async fn campaign(&self, id: i64) -> StoreResult<Option<Campaign>>;
    /// A site's campaigns, newest first.
    async fn campaigns(&self, site_id: i64, limit: u32) -> StoreResult<Vec<Campaign>>;
    /// Puts one outbox row per active, unsuppressed subscriber of the
    /// campaign's list (once, however often it is called) and marks the
    /// campaign sending; returns how many rows were added.
    async fn queue_campaign(&self, id: i64, now: DateTime<Utc>) -> StoreResult<u64>;
    /// How many would be queued now (for `--dry-run`).
    async fn list_audience(&self, list_id: i64) -> StoreResult<i64>;
    /// Leases up to `limit` due messages until `lease_until`, under the
    /// sender's token `lease`.
    async fn lease_outbox(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
        lease: i64,
    ) -> StoreResult<Vec<OutboxItem>>;
    /// Records as sent those of `ids` still queued under `lease` (in one
    /// commit) and returns them: only those may be sent. Called just before
    /// each message's end goes to the SMTP server, so that a crash can
    /// never send one twice.
    async fn outbox_claim(
        &self,
        lease: i64,
        ids: &[i64],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<i64>>;
    /// Which of `ids` are recorded as sent under `lease` (the answer to a
    /// claim whose reply was lost).
    async fn outbox_claimed(&self, lease: i64, ids: &[i64]) -> StoreResult<Vec<i64>>;
    /// A temporary failure (also after a claim, when the server refused the
    /// message's end): try again at `retry_at`, or give up (`None`).
    async fn outbox_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// A permanent refusal: the message is bounced and the address suppressed.
    async fn outbox_bounced(&self, id: i64, error: &str, now: DateTime<Utc>) -> StoreResult<()>;
    async fn campaign_counts(&self, id: i64) -> StoreResult<CampaignCounts>;
    /// Breaking articles of a site published in `(since, now]`: id and slug.
    async fn breaking_articles(
        &self,
        site_id: i64,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<(i64, String)>>;
    /// When the site's next breaking article scheduled after `now` goes
    /// live, if one is scheduled: the moment its alert is due.
    async fn next_breaking_after(
        &self,
        site_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<DateTime<Utc>>>;
    /// A bounce reported after delivery: that message counts as bounced.
    async fn outbox_bounced_late(
        &self,
        campaign_id: i64,
        subscriber_id: i64,
        error: &str,
    ) -> StoreResult<bool>;
    /// Whether a campaign with this dedupe key exists.
    async fn campaign_exists(&self, dedupe_key: &str) -> StoreResult<bool>;
    /// Marks sending campaigns with nothing queued as done.
    async fn finish_campaigns(&self, now: DateTime<Utc>) -> StoreResult<u64>;
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
pub trait Store:
    SiteStore
    + ArticleStore
    + MediaStore
    + CacheEvents
    + MemberStore
    + SessionStore
    + TokenStore
    + JobStore
    + RateCounters
    + NetworkSettings
    + CommentStore
    + ModerationStore
    + NewsletterStore
    + CampaignStore
    + AnalyticsStore
    + ExternalStore
    + ApiKeyStore
    + SurveyStore
    + GiveawayStore
    + StoryStore
    + MediaLibrary
    + StaffStore
    + WebhookStore
    + AuthorStore
    + Health
{
}

impl<T> Store for T where
    T: SiteStore
        + ArticleStore
        + MediaStore
        + CacheEvents
        + MemberStore
        + SessionStore
        + TokenStore
        + JobStore
        + RateCounters
        + NetworkSettings
        + CommentStore
        + ModerationStore
        + NewsletterStore
        + CampaignStore
        + AnalyticsStore
        + ExternalStore
        + ApiKeyStore
        + SurveyStore
        + GiveawayStore
        + StoryStore
        + MediaLibrary
        + StaffStore
        + WebhookStore
        + AuthorStore
        + Health
{
}
