//! SQLite's bulk write path (`generate`, large imports): the same SQL as
//! the sqlx path (`sql.rs`), on one plain rusqlite connection with prepared
//! statements, one transaction per batch. sqlx's per-query channel hop
//! costs more than the inserts themselves when a batch runs ten statements
//! per article.

use std::path::Path;

use chrono::{DateTime, Utc};
use kawaraban_core::model::ArticleInput;
use kawaraban_core::slug::slugify;
use rusqlite::{params, Connection, OptionalExtension};

use crate::sql;

/// A read-write connection for bulk loads, opened on first use.
pub(crate) fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    conn.execute_batch(
        "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
         PRAGMA cache_size = -16000; PRAGMA temp_store = memory;",
    )?;
    Ok(conn)
}

pub(crate) fn text(t: DateTime<Utc>) -> String {
    // The form sqlx writes, so that text comparisons in queries hold.
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

/// Creates or updates every article in one transaction.
pub(crate) fn upsert_articles(
    conn: &mut Connection,
    articles: &[ArticleInput],
    now: DateTime<Utc>,
) -> rusqlite::Result<u64> {
    // Immediate: a deferred transaction that read first cannot take the
    // write lock after another connection's commit, and fails at once
    // instead of waiting out the busy timeout.
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    {
        let mut existing = tx.prepare_cached(sql::ARTICLE_ID_BY_SLUG)?;
        let mut upsert = tx.prepare_cached(sql::UPSERT_ARTICLE)?;
        let mut clear_authors = tx.prepare_cached(sql::CLEAR_ARTICLE_AUTHORS)?;
        let mut clear_tags = tx.prepare_cached(sql::CLEAR_ARTICLE_TAGS)?;
        let mut author = tx.prepare_cached(sql::UPSERT_AUTHOR)?;
        let mut link_author = tx.prepare_cached(sql::LINK_AUTHOR)?;
        let mut tag = tx.prepare_cached(sql::UPSERT_TAG)?;
        let mut link_tag = tx.prepare_cached(sql::LINK_TAG)?;
        let now = text(now);
        for a in articles {
            let had: Option<i64> = existing
                .query_row(params![a.site_id, a.slug], |r| r.get(0))
                .optional()?;
            let id: i64 = upsert.query_row(
                params![
                    a.site_id,
                    a.section_id,
                    a.slug,
                    a.title,
                    a.summary,
                    a.dateline,
                    a.body_markdown,
                    a.body_html,
                    a.body_text,
                    a.source,
                    a.copyright,
                    a.status.as_str(),
                    text(a.published_at),
                    a.updated_at.map(text),
                    a.featured,
                    a.breaking,
                    a.image_id,
                    a.image_caption,
                    a.image_credit,
                    a.image_alt,
                    a.origin,
                    now,
                ],
                |r| r.get(0),
            )?;
            if had.is_some() {
                clear_authors.execute(params![id])?;
                clear_tags.execute(params![id])?;
            }
            for (position, name) in a.authors.iter().enumerate() {
                let author_id: i64 =
                    author.query_row(params![slugify(name), name], |r| r.get(0))?;
                link_author.execute(params![id, author_id, position as i64])?;
            }
            for (position, name) in a.tags.iter().enumerate() {
                let tag_id: i64 =
                    tag.query_row(params![a.site_id, slugify(name), name], |r| r.get(0))?;
                link_tag.execute(params![id, tag_id, position as i64])?;
            }
        }
    }
    tx.commit()?;
    Ok(articles.len() as u64)
}
