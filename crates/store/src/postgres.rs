//! The PostgreSQL backend, for many app servers sharing one database.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use crate::{redact, ConnectError, ConnectOptions};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Storage in a PostgreSQL database.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    changes: std::sync::Arc<crate::changes::ChangeWatch>,
}

impl PgStore {
    /// How a write transaction starts.
    const BEGIN_WRITE: &'static str = "BEGIN";

    /// No separate bulk path: batches go through the shared sqlx code.
    async fn bulk_upsert(
        &self,
        _articles: &[kawaraban_core::model::ArticleInput],
        _now: chrono::DateTime<chrono::Utc>,
    ) -> kawaraban_core::StoreResult<Option<u64>> {
        Ok(None)
    }

    pub async fn connect(opts: &ConnectOptions) -> Result<Self, ConnectError> {
        let options: PgConnectOptions = opts
            .url
            .parse()
            .map_err(|e| ConnectError(format!("bad PostgreSQL URL {}: {e}", redact(&opts.url))))?;
        let pool = PgPoolOptions::new()
            .max_connections(opts.max_connections.max(1))
            .acquire_timeout(Duration::from_secs(3))
            .connect_with(options)
            .await
            .map_err(|e| {
                ConnectError(format!(
                    "cannot connect to PostgreSQL at {}: {e}",
                    redact(&opts.url)
                ))
            })?;
        MIGRATOR.run(&pool).await.map_err(|e| {
            ConnectError(format!(
                "cannot migrate PostgreSQL database {}: {e}",
                redact(&opts.url)
            ))
        })?;
        let changes = crate::changes::ChangeWatch::postgres(pool.clone());
        Ok(Self { pool, changes })
    }

    /// The session, its member, the member's standing: index look-ups.
    pub(crate) async fn read_signed_in(
        &self,
        id_hash: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> kawaraban_core::StoreResult<Option<kawaraban_core::store::SignedIn>> {
        use kawaraban_core::store::{MemberStore, ModerationStore, SessionStore};
        let Some(session) = self.session(id_hash, now).await? else {
            return Ok(None);
        };
        let Some(member) = self.member_by_id(session.member_id).await? else {
            return Ok(None);
        };
        let standing = self.standing(member.id).await?;
        Ok(Some((session, member, standing)))
    }

    /// Other app servers' commits are not announced (only publishes are):
    /// nothing may be kept on a commit mark.
    pub(crate) fn read_commit_mark(&self) -> Option<u64> {
        None
    }

    /// Wakes every listening app server when the transaction commits.
    async fn announce(
        tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    ) -> kawaraban_core::StoreResult<()> {
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(crate::changes::CHANNEL)
            .execute(&mut **tx)
            .await
            .map(|_| ())
            .map_err(crate::error::map)
    }

    /// A write transaction (the SQLite backend's takes its lock first).
    async fn write(
        &self,
    ) -> Result<
        (
            Option<crate::sqlite::WriteTurn>,
            sqlx::Transaction<'static, sqlx::Postgres>,
        ),
        sqlx::Error,
    > {
        Ok((None, self.pool.begin_with(Self::BEGIN_WRITE).await?))
    }

    /// sqlx's reads are PostgreSQL's own.
    async fn fast_survey(
        &self,
        _sql: &str,
        _slug: &str,
    ) -> Option<StoreResult<Option<crate::surveys::SurveyRow>>> {
        None
    }

    async fn fast_pairs(&self, _sql: &str, _id: i64) -> Option<StoreResult<Vec<(i64, String)>>> {
        None
    }

    async fn fast_id_times(
        &self,
        _sql: &str,
        _id: i64,
    ) -> Option<StoreResult<Vec<(i64, DateTime<Utc>)>>> {
        None
    }

    /// No group commit here: PostgreSQL takes concurrent writers.
    async fn fast_hits(&self, _key: &str, _window_start: i64, _n: i64) -> Option<StoreResult<i64>> {
        None
    }

    async fn fast_response(
        &self,
        _r: crate::surveys::ResponseInsert,
        _charge: Option<kawaraban_core::store::RateCharge>,
    ) -> Option<StoreResult<crate::surveys::FastResponse>> {
        None
    }

    /// Writers need no turns: PostgreSQL locks rows, not the database.
    async fn write_turn(&self) -> Option<crate::sqlite::WriteTurn> {
        None
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    async fn search_dialect(
        &self,
        site_id: i64,
        query: &str,
        page: PageRequest,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<ArticleSummary>> {
        if query.trim().is_empty() {
            return Ok(Vec::new());
        }
        // Rank the newest matches (as on SQLite: ranking every match of a
        // common word is slow), then make headlines for the one page only:
        // ts_headline is costly.
        let rows: Vec<SearchRow> = sqlx::query_as(concat!(
            "WITH q AS (SELECT websearch_to_tsquery('english', $3) AS q), \
             recent AS (SELECT a.id FROM articles a, q \
               WHERE a.search_vector @@ q.q AND a.site_id = $1 AND",
            visible!(),
            "ORDER BY a.id DESC LIMIT $6), \
             hits AS (SELECT a.id, ts_rank_cd(a.search_vector, q.q) AS rank \
               FROM recent JOIN articles a ON a.id = recent.id, q \
               ORDER BY rank DESC, a.published_at DESC, a.id DESC LIMIT $4 OFFSET $5) \
             SELECT ",
            summary_columns!(),
            ", ts_headline('english', a.body_text, q.q, \
                 'StartSel=\u{1}, StopSel=\u{2}, MaxWords=32, MinWords=16, MaxFragments=1, FragmentDelimiter=…') AS snippet \
             FROM hits JOIN articles a ON a.id = hits.id",
            article_joins!(),
            "CROSS JOIN q ORDER BY hits.rank DESC, a.published_at DESC, a.id DESC"
        ))
        .bind(site_id)
        .bind(now)
        .bind(query)
        .bind(i64::from(page.fetch_limit()))
        .bind(page.offset() as i64)
        .bind(crate::sql::SEARCH_WINDOW)
        .fetch_all(&self.pool)
        .await
        .map_err(map)?;
        Ok(rows
            .into_iter()
            .map(|r| r.summary.into_summary(r.snippet))
            .collect())
    }
}

impl_common_store!(PgStore, sqlx::Postgres, "postgres");
impl_member_store!(
    crate::postgres::PgStore,
    sqlx::Postgres,
    "FOR UPDATE SKIP LOCKED"
);
impl_moderation_store!(crate::postgres::PgStore);
impl_campaign_store!(crate::postgres::PgStore, "FOR UPDATE SKIP LOCKED");
impl_newsletter_store!(crate::postgres::PgStore, sqlx::Postgres);
impl_comment_store!(crate::postgres::PgStore, sqlx::Postgres);
impl_external_store!(crate::postgres::PgStore);
impl_api_key_store!(crate::postgres::PgStore);
impl_survey_store!(crate::postgres::PgStore, "FOR UPDATE");
impl_giveaway_store!(crate::postgres::PgStore);
impl_story_store!(crate::postgres::PgStore, sqlx::Postgres, false);
impl_media_library!(crate::postgres::PgStore, sqlx::Postgres);
impl_staff_store!(crate::postgres::PgStore);
impl_author_store!(crate::postgres::PgStore, sqlx::Postgres);
impl_webhook_store!(crate::postgres::PgStore, "FOR UPDATE SKIP LOCKED");
impl_analytics_store!(
    crate::postgres::PgStore,
    sqlx::Postgres,
    "SELECT CAST(value AS BIGINT) FROM jsonb_array_elements_text(CAST($1 AS jsonb))",
    ""
);
impl_sqlx_reads!(PgStore);
