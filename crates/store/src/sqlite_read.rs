//! SQLite's hot read paths on plain rusqlite connections.
//!
//! sqlx's SQLite driver runs each connection on its own thread and passes
//! every query and row through channels, which costs tens of microseconds
//! per query; a page needs several. Reads that pages make are therefore run
//! here, synchronously on read-only connections, with the same SQL text as
//! the sqlx versions (`sql.rs`). Writes and migrations stay on sqlx.

use std::path::PathBuf;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use kawaraban_core::model::{
    Article, ArticleNote, ArticleSummary, CommentMode, Image, ListFilter, Member, Person, Session,
    Standing, StandingStatus, Tag,
};
use kawaraban_core::paging::{PageRequest, Paged};
use kawaraban_core::{StoreError, StoreResult};
use rusqlite::types::ToSql;
use rusqlite::{Connection, OpenFlags, Row, Statement};

/// Idle read-only connections, opened on demand.
pub(crate) struct ReadPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

/// Most idle connections kept.
const MAX_IDLE: usize = 8;

impl ReadPool {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // Pages read through a memory map: no read() into the page cache
        // for each page, nor for an article body's overflow pages.
        conn.execute_batch(
            "PRAGMA cache_size = -8000; PRAGMA temp_store = memory; \
             PRAGMA mmap_size = 268435456;",
        )?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(conn)
    }

    /// Runs `f` on a pooled connection, on the calling thread. For the
    /// page reads: index look-ups that take tens of microseconds, where
    /// handing the thread off to the blocking pool would cost more than the
    /// query and add scheduling jitter.
    pub fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> StoreResult<T> {
        let conn = match self.idle.lock().expect("read pool lock").pop() {
            Some(c) => c,
            None => self.open().map_err(map)?,
        };
        let out = f(&conn).map_err(map);
        // A connection whose query failed for I/O reasons is dropped, not
        // reused; so is one left inside a transaction.
        if !matches!(out, Err(StoreError::Unavailable(_))) && conn.is_autocommit() {
            let mut idle = self.idle.lock().expect("read pool lock");
            if idle.len() < MAX_IDLE {
                idle.push(conn);
            }
        }
        out
    }

    /// Like [`ReadPool::with`] for queries that may take long (a broad
    /// search over a million articles): on a multi-threaded runtime the
    /// worker thread is marked as blocking meanwhile, so other requests go on.
    pub fn with_slow<T>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> StoreResult<T> {
        match tokio::runtime::Handle::try_current() {
            Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(|| self.with(f))
            }
            _ => self.with(f),
        }
    }
}

use crate::error::map_rusqlite as map;

/// Runs `f`'s queries in one read transaction: one snapshot, and one
/// take and release of WAL's read lock (two `fcntl` calls each) for all
/// of them instead of one for each query.
fn snapshot<T>(
    conn: &Connection,
    f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    conn.prepare_cached("BEGIN")?.execute([])?;
    let out = f(conn);
    let end = if out.is_ok() { "COMMIT" } else { "ROLLBACK" };
    let ended = conn.prepare_cached(end).and_then(|mut s| s.execute([]));
    let out = out?;
    ended?;
    Ok(out)
}

/// Binds `$N` parameters by number, whatever order they appear in.
fn bind(stmt: &mut Statement<'_>, args: &[&dyn ToSql]) -> rusqlite::Result<()> {
    for i in 1..=stmt.parameter_count() {
        let n: usize = stmt
            .parameter_name(i)
            .and_then(|name| name.strip_prefix('$'))
            .and_then(|d| d.parse().ok())
            .ok_or(rusqlite::Error::InvalidParameterName(format!(
                "parameter {i}"
            )))?;
        let arg = args
            .get(n - 1)
            .ok_or(rusqlite::Error::InvalidParameterCount(n, args.len()))?;
        stmt.raw_bind_parameter(i, arg)?;
    }
    Ok(())
}

fn query_rows<T>(
    conn: &Connection,
    sql: &str,
    args: &[&dyn ToSql],
    mut f: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    bind(&mut stmt, args)?;
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(f(row)?);
    }
    Ok(out)
}

/// Timestamps as sqlx stores them (RFC 3339 text).
fn time(row: &Row<'_>, col: &str) -> rusqlite::Result<DateTime<Utc>> {
    let s: String = row.get(col)?;
    parse_time(&s, col)
}

fn opt_time(row: &Row<'_>, col: &str) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let s: Option<String> = row.get(col)?;
    s.map(|s| parse_time(&s, col)).transpose()
}

fn parse_time(s: &str, col: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f%:z"))
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(
                0,
                rusqlite::types::Type::Text,
                format!("{col}: {e}").into(),
            )
        })
}

/// The six image columns (`image_id`, `image_hash`, `image_width`,
/// `image_height`, `image_widths`, `image_ext`) from position `at` on.
/// Hot mappers read columns by position: a read by name asks SQLite for
/// every column's name until it matches, which was 5 % of an uncached
/// page's CPU. `the_hot_mappers_positions_match_their_sql` keeps the
/// positions honest.
fn image_at(row: &Row<'_>, at: usize) -> rusqlite::Result<Option<Image>> {
    let Some(id) = row.get::<_, Option<i64>>(at)? else {
        return Ok(None);
    };
    Ok(Some(Image {
        id,
        hash: row.get(at + 1)?,
        width: row.get::<_, i64>(at + 2)? as u32,
        height: row.get::<_, i64>(at + 3)? as u32,
        widths: Image::parse_widths(&row.get::<_, String>(at + 4)?),
        ext: row.get(at + 5)?,
    }))
}

fn time_at(row: &Row<'_>, at: usize) -> rusqlite::Result<DateTime<Utc>> {
    let s: String = row.get(at)?;
    parse_time(&s, &at.to_string())
}

fn opt_time_at(row: &Row<'_>, at: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let s: Option<String> = row.get(at)?;
    s.map(|s| parse_time(&s, &at.to_string())).transpose()
}

fn summary(row: &Row<'_>, snippet: bool) -> rusqlite::Result<ArticleSummary> {
    Ok(ArticleSummary {
        id: row.get(0)?,
        section_slug: row.get(1)?,
        section_name: row.get(2)?,
        slug: row.get(3)?,
        title: row.get(4)?,
        summary: row.get(5)?,
        published_at: time_at(row, 6)?,
        updated_at: opt_time_at(row, 7)?,
        image_alt: row.get(8)?,
        comment_count: row.get(9)?,
        image: image_at(row, 10)?,
        breaking: row.get(16)?,
        snippet: if snippet { row.get("snippet")? } else { None },
    })
}

/// `now` as sqlx binds it, so comparisons with stored text agree.
fn now_text(now: DateTime<Utc>) -> String {
    now.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

/// A whole article from a row of `sql::ARTICLE_BY_SLUG`'s columns (its
/// authors and tags left empty).
fn article_at(row: &Row<'_>) -> rusqlite::Result<Article> {
    Ok(Article {
        id: row.get(0)?,
        site_id: row.get(1)?,
        section_id: row.get(2)?,
        section_slug: row.get(3)?,
        section_name: row.get(4)?,
        slug: row.get(5)?,
        title: row.get(6)?,
        summary: row.get(7)?,
        dateline: row.get(8)?,
        body_html: row.get(9)?,
        source: row.get(10)?,
        copyright: row.get(11)?,
        published_at: time_at(row, 12)?,
        updated_at: opt_time_at(row, 13)?,
        featured: row.get(14)?,
        breaking: row.get(15)?,
        image_caption: row.get(16)?,
        image_credit: row.get(17)?,
        image_alt: row.get(18)?,
        authors: Vec::new(),
        tags: Vec::new(),
        comment_mode: CommentMode::parse(&row.get::<_, String>(19)?).unwrap_or(CommentMode::Open),
        comment_count: row.get(20)?,
        image: image_at(row, 21)?,
        notes: ArticleNote::parse_list(&row.get::<_, String>(27)?),
        seo_title: row.get(28)?,
        seo_description: row.get(29)?,
        canonical_url: row.get(30)?,
    })
}

/// An author or a tag (`sql::ARTICLE_LABELS`'s columns) from column `at` on.
fn label_at(row: &Row<'_>, at: usize) -> rusqlite::Result<crate::rows::LabelRow> {
    Ok(crate::rows::LabelRow {
        kind: row.get(at)?,
        id: row.get(at + 1)?,
        slug: row.get(at + 2)?,
        name: row.get(at + 3)?,
    })
}

pub(crate) fn article_by_slug(
    pool: &ReadPool,
    site_id: i64,
    slug: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<Article>> {
    let now = now_text(now);
    pool.with(|conn| {
        snapshot(conn, |conn| {
            let mut found = query_rows(
                conn,
                crate::sql::ARTICLE_BY_SLUG,
                &[&site_id, &now, &slug],
                article_at,
            )?;
            let Some(mut article) = found.pop() else {
                return Ok(None);
            };
            let labels = query_rows(conn, crate::sql::ARTICLE_LABELS, &[&article.id], |row| {
                label_at(row, 0)
            })?;
            (article.authors, article.tags) = crate::rows::split_labels(labels);
            Ok(Some(article))
        })
    })
}

pub(crate) fn count_articles(
    pool: &ReadPool,
    site_id: i64,
    filter: ListFilter,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    let (sql, filter_id) = crate::sql::count_sql(filter);
    let now = now_text(now);
    let n = pool.with(|conn| {
        let mut args: Vec<&dyn ToSql> = vec![&site_id, &now];
        if let Some(id) = &filter_id {
            args.push(id);
        }
        query_rows(conn, &sql, &args, |r| r.get::<_, i64>(0))
    })?;
    Ok(n.first().copied().unwrap_or(0) as u64)
}

pub(crate) fn articles_by_ids(
    pool: &ReadPool,
    site_id: i64,
    ids: &[i64],
    now: DateTime<Utc>,
) -> StoreResult<Vec<Article>> {
    let now = now_text(now);
    let by_ids = crate::sql::articles_by_ids_sql(ids.len());
    let labels_sql = crate::sql::labels_by_ids_sql(ids.len());
    pool.with(|conn| {
        snapshot(conn, |conn| {
            let mut args: Vec<&dyn ToSql> = vec![&site_id, &now];
            args.extend(ids.iter().map(|id| id as &dyn ToSql));
            let mut articles = query_rows(conn, &by_ids, &args, article_at)?;
            let ids: Vec<&dyn ToSql> = ids.iter().map(|id| id as &dyn ToSql).collect();
            let labels = query_rows(conn, &labels_sql, &ids, |row| {
                Ok(crate::rows::ArticleLabelRow {
                    article_id: row.get(0)?,
                    label: label_at(row, 1)?,
                })
            })?;
            crate::rows::attach_labels(&mut articles, labels);
            Ok(articles)
        })
    })
}

pub(crate) fn list_articles(
    pool: &ReadPool,
    site_id: i64,
    filter: ListFilter,
    page: PageRequest,
    now: DateTime<Utc>,
) -> StoreResult<Paged<ArticleSummary>> {
    let (sql, filter_id) = crate::sql::list_sql(filter);
    let now = now_text(now);
    let limit = i64::from(page.fetch_limit());
    let offset = page.offset() as i64;
    let fid = filter_id.unwrap_or(0);
    let rows = pool.with(|conn| {
        query_rows(conn, &sql, &[&site_id, &now, &limit, &offset, &fid], |r| {
            summary(r, false)
        })
    })?;
    Ok(Paged::from_overfetch(rows, page))
}

/// FTS5 search over the newest matches (see [`crate::sql::SEARCH_WINDOW`]),
/// ranked by where the words occur (see [`crate::sql::sqlite_search`]).
pub(crate) fn search(
    pool: &ReadPool,
    site_id: i64,
    fts: &str,
    page: PageRequest,
    now: DateTime<Utc>,
) -> StoreResult<Vec<ArticleSummary>> {
    let now = now_text(now);
    let limit = i64::from(page.fetch_limit());
    let offset = page.offset() as i64;
    pool.with_slow(|conn| {
        let cutoff: i64 = conn
            .prepare_cached(crate::sql::SQLITE_SEARCH_CUTOFF)?
            .query_row(rusqlite::params![fts, crate::sql::SEARCH_WINDOW - 1], |r| {
                r.get(0)
            })
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(0),
                e => Err(e),
            })?;
        let words: Vec<String> = fts
            .split('"')
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        let mut args: Vec<&dyn ToSql> = vec![&site_id, &now, &fts, &limit, &offset, &cutoff];
        args.extend(words.iter().map(|w| w as &dyn ToSql));
        query_rows(conn, &crate::sql::sqlite_search(words.len()), &args, |r| {
            summary(r, true)
        })
    })
}

fn comment(r: &Row<'_>) -> rusqlite::Result<kawaraban_core::model::Comment> {
    use kawaraban_core::model::CommentStatus;
    Ok(kawaraban_core::model::Comment {
        id: r.get("id")?,
        article_id: r.get("article_id")?,
        member_id: r.get("member_id")?,
        author_name: r.get("author_name")?,
        parent_id: r.get("parent_id")?,
        body_markdown: r.get("body_markdown")?,
        body_html: r.get("body_html")?,
        status: CommentStatus::parse(&r.get::<_, String>("status")?)
            .unwrap_or(CommentStatus::Rejected),
        likes: r.get("likes")?,
        dislikes: r.get("dislikes")?,
        flags: r.get("flags")?,
        created_at: time(r, "created_at")?,
        edited_at: opt_time(r, "edited_at")?,
        spam_score: r.get("spam_score")?,
        moderation_reason: r.get("moderation_reason")?,
        notify_replies: r.get("notify_replies")?,
    })
}

/// A site's mailing lists (the SQL of `newsletters.rs`).
pub(crate) fn lists(
    pool: &ReadPool,
    site_id: i64,
) -> StoreResult<Vec<kawaraban_core::model::MailingList>> {
    pool.with(|conn| {
        query_rows(conn, crate::newsletters::SITE_LISTS, &[&site_id], |r| {
            Ok(crate::newsletters::ListRow {
                id: r.get("id")?,
                site_id: r.get("site_id")?,
                key: r.get("key")?,
                name: r.get("name")?,
                description: r.get("description")?,
                kind: r.get("kind")?,
                section_id: r.get("section_id")?,
                position: r.get("position")?,
                send_time: r.get("send_time")?,
            }
            .into())
        })
    })
}

/// A page of an article's top-level comments (the SQL of `comments.rs`).
pub(crate) fn top_comments(
    pool: &ReadPool,
    article_id: i64,
    sort: kawaraban_core::model::CommentSort,
    after: Option<kawaraban_core::model::CommentCursor>,
    limit: u32,
) -> StoreResult<Vec<kawaraban_core::model::Comment>> {
    let (key, id) = crate::comments::top_start(sort, after);
    let limit = i64::from(limit);
    let sql = crate::comments::top_sql(sort);
    pool.with(|conn| query_rows(conn, &sql, &[&article_id, &key, &id, &limit], comment))
}

/// The visible replies to these comments.
pub(crate) fn replies(
    pool: &ReadPool,
    parent_ids: &[i64],
) -> StoreResult<Vec<kawaraban_core::model::Comment>> {
    let sql = crate::comments::replies_sql(parent_ids.len());
    let args: Vec<&dyn ToSql> = parent_ids.iter().map(|i| i as &dyn ToSql).collect();
    pool.with(|conn| query_rows(conn, &sql, &args, comment))
}

pub(crate) fn tag_by_slug(pool: &ReadPool, site_id: i64, slug: &str) -> StoreResult<Option<Tag>> {
    pool.with(|conn| {
        Ok(query_rows(
            conn,
            "SELECT id, slug, name FROM tags WHERE site_id = $1 AND slug = $2",
            &[&site_id, &slug],
            |r| {
                Ok(Tag {
                    id: r.get(0)?,
                    slug: r.get(1)?,
                    name: r.get(2)?,
                })
            },
        )?
        .pop())
    })
}

pub(crate) fn author_by_slug(pool: &ReadPool, slug: &str) -> StoreResult<Option<Person>> {
    pool.with(|conn| {
        Ok(query_rows(
            conn,
            "SELECT id, slug, name FROM authors WHERE slug = $1",
            &[&slug],
            |r| {
                Ok(Person {
                    id: r.get(0)?,
                    slug: r.get(1)?,
                    name: r.get(2)?,
                })
            },
        )?
        .pop())
    })
}

/// A live session joined with its member and the member's standing (see
/// `SessionStore::signed_in`).
pub(crate) fn signed_in(
    pool: &ReadPool,
    id_hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<kawaraban_core::store::SignedIn>> {
    let now = now_text(now);
    pool.with(|conn| {
        let mut stmt = conn.prepare_cached(
            "SELECT s.id_hash, s.member_id, s.login_id, s.site_id, s.user_agent, s.ip, \
                    s.created_at, s.last_seen_at, s.expires_at, \
                    m.email, m.email_norm, m.email_verified_at, m.display_name, m.password_hash, \
                    m.role, m.created_at AS m_created_at, m.updated_at AS m_updated_at, \
                    st.status AS st_status, st.until AS st_until, st.premoderate AS st_premoderate, \
                    st.reason AS st_reason \
             FROM sessions s JOIN members m ON m.id = s.member_id \
             LEFT JOIN member_standing st ON st.member_id = m.id \
             WHERE s.id_hash = ?1 AND s.expires_at > ?2",
        )?;
        let mut rows = stmt.query(rusqlite::params![id_hash, now])?;
        let Some(row) = rows.next()? else {
            return Ok(None);
        };
        let session = Session {
            id_hash: row.get("id_hash")?,
            member_id: row.get("member_id")?,
            login_id: row.get("login_id")?,
            site_id: row.get("site_id")?,
            user_agent: row.get("user_agent")?,
            ip: row.get("ip")?,
            created_at: time(row, "created_at")?,
            last_seen_at: time(row, "last_seen_at")?,
            expires_at: time(row, "expires_at")?,
        };
        let member = Member {
            id: session.member_id,
            email: row.get("email")?,
            email_norm: row.get("email_norm")?,
            email_verified_at: opt_time(row, "email_verified_at")?,
            display_name: row.get("display_name")?,
            password_hash: row.get("password_hash")?,
            role: row
                .get::<_, String>("role")?
                .parse()
                .unwrap_or(kawaraban_core::model::Role::Member),
            created_at: time(row, "m_created_at")?,
            updated_at: time(row, "m_updated_at")?,
        };
        let standing = match row.get::<_, Option<String>>("st_status")? {
            Some(status) => Standing {
                status: StandingStatus::parse(&status).unwrap_or(StandingStatus::Active),
                until: opt_time(row, "st_until")?,
                premoderate: row.get("st_premoderate")?,
                reason: row.get("st_reason")?,
            },
            None => Standing::default(),
        };
        Ok(Some((session, member, standing)))
    })
}

/// A survey's row by address (`sql` is one of `surveys.rs`'s selects with
/// `WHERE s.slug = $1`): every answer reads it.
/// Rows of (id, text) for the one parameter `$1`.
pub(crate) fn pairs(pool: &ReadPool, sql: &str, id: i64) -> StoreResult<Vec<(i64, String)>> {
    pool.with(|conn| query_rows(conn, sql, &[&id], |r| Ok((r.get(0)?, r.get(1)?))))
}

/// Rows of (id, time) for the one parameter `$1`.
pub(crate) fn id_times(
    pool: &ReadPool,
    sql: &str,
    id: i64,
) -> StoreResult<Vec<(i64, DateTime<Utc>)>> {
    pool.with(|conn| query_rows(conn, sql, &[&id], |r| Ok((r.get(0)?, time_at(r, 1)?))))
}

pub(crate) fn survey_row(
    pool: &ReadPool,
    sql: &str,
    slug: &str,
) -> StoreResult<Option<crate::surveys::SurveyRow>> {
    pool.with(|conn| {
        Ok(query_rows(conn, sql, &[&slug], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                opt_time_at(r, 5)?,
                opt_time_at(r, 6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
                time_at(r, 10)?,
                time_at(r, 11)?,
            ))
        })?
        .pop())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The columns of `summary_columns!`, in its order.
    const SUMMARY_COLUMNS: [&str; 17] = [
        "id",
        "section_slug",
        "section_name",
        "slug",
        "title",
        "summary",
        "published_at",
        "updated_at",
        "image_alt",
        "comment_count",
        "image_id",
        "image_hash",
        "image_width",
        "image_height",
        "image_widths",
        "image_ext",
        "breaking",
    ];

    /// The columns of `sql::ARTICLE_BY_SLUG`, in its order.
    const ARTICLE_COLUMNS: [&str; 31] = [
        "id",
        "site_id",
        "section_id",
        "section_slug",
        "section_name",
        "slug",
        "title",
        "summary",
        "dateline",
        "body_html",
        "source",
        "copyright",
        "published_at",
        "updated_at",
        "featured",
        "breaking",
        "image_caption",
        "image_credit",
        "image_alt",
        "comment_mode",
        "comment_count",
        "image_id",
        "image_hash",
        "image_width",
        "image_height",
        "image_widths",
        "image_ext",
        "notes",
        "seo_title",
        "seo_description",
        "canonical_url",
    ];

    #[tokio::test]
    async fn the_hot_mappers_positions_match_their_sql() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let _store = crate::sqlite::SqliteStore::connect(&crate::ConnectOptions {
            url: url.clone(),
            max_connections: 1,
        })
        .await
        .unwrap();
        let conn = Connection::open(dir.path().join("t.db")).unwrap();
        let names = |sql: &str| -> Vec<String> {
            conn.prepare(sql)
                .unwrap()
                .column_names()
                .into_iter()
                .map(str::to_string)
                .collect()
        };
        assert_eq!(names(crate::sql::ARTICLE_BY_SLUG), ARTICLE_COLUMNS);
        assert_eq!(names(&crate::sql::articles_by_ids_sql(3)), ARTICLE_COLUMNS);
        let (list, _) = crate::sql::list_sql(kawaraban_core::model::ListFilter::All);
        assert_eq!(names(&list), SUMMARY_COLUMNS);
    }
}
