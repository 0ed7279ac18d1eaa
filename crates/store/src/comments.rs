//! Comments, votes and flags: one SQL text for both backends.

#[derive(sqlx::FromRow)]
pub(crate) struct CommentRow {
    pub id: i64,
    pub article_id: i64,
    pub member_id: Option<i64>,
    pub author_name: String,
    pub parent_id: Option<i64>,
    pub body_markdown: String,
    pub body_html: String,
    pub status: String,
    pub likes: i64,
    pub dislikes: i64,
    pub flags: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub edited_at: Option<chrono::DateTime<chrono::Utc>>,
    pub spam_score: i64,
    pub moderation_reason: String,
    pub notify_replies: bool,
}

impl From<CommentRow> for kawaraban_core::model::Comment {
    fn from(r: CommentRow) -> Self {
        use kawaraban_core::model::CommentStatus;
        Self {
            id: r.id,
            article_id: r.article_id,
            member_id: r.member_id,
            author_name: r.author_name,
            parent_id: r.parent_id,
            body_markdown: r.body_markdown,
            body_html: r.body_html,
            status: CommentStatus::parse(&r.status).unwrap_or(CommentStatus::Rejected),
            likes: r.likes,
            dislikes: r.dislikes,
            flags: r.flags,
            created_at: r.created_at,
            edited_at: r.edited_at,
            spam_score: r.spam_score,
            moderation_reason: r.moderation_reason,
            notify_replies: r.notify_replies,
        }
    }
}

pub(crate) const COMMENT_SELECT: &str = "SELECT c.id, c.article_id, c.member_id, \
     COALESCE(m.display_name, '') AS author_name, c.parent_id, c.body_markdown, c.body_html, \
     c.status, c.likes, c.dislikes, c.flags, c.created_at, c.edited_at, \
     c.spam_score, c.moderation_reason, c.notify_replies \
     FROM comments c LEFT JOIN members m ON m.id = c.member_id";

/// Keeps `articles.comment_count` equal to the visible comments (after a
/// status change; a new visible comment adds one instead).
pub(crate) const RECOUNT: &str = "UPDATE articles SET comment_count = \
     (SELECT COUNT(*) FROM comments WHERE article_id = $1 AND status = 'visible') WHERE id = $1";

/// Top-level comments worth showing: visible, or deleted with visible replies.
const SHOWN: &str = "c.article_id = $1 AND c.parent_id IS NULL AND (c.status = 'visible' \
     OR (c.status = 'deleted' AND EXISTS (SELECT 1 FROM comments r WHERE r.parent_id = c.id AND r.status = 'visible')))";

/// The page query for a sort; `$2`/`$3` are the cursor's key and id, `$4` the limit.
pub(crate) fn top_sql(sort: kawaraban_core::model::CommentSort) -> String {
    use kawaraban_core::model::CommentSort::*;
    let (after, order) = match sort {
        Newest => ("c.id < $3 AND $2 = $2", "c.id DESC"),
        Oldest => ("c.id > $3 AND $2 = $2", "c.id ASC"),
        MostLiked => (
            "(c.likes < $2 OR (c.likes = $2 AND c.id < $3))",
            "c.likes DESC, c.id DESC",
        ),
    };
    format!("{COMMENT_SELECT} WHERE {SHOWN} AND {after} ORDER BY {order} LIMIT $4")
}

/// Where a page of top-level comments starts: the cursor, or the end the
/// sort begins from.
pub(crate) fn top_start(
    sort: kawaraban_core::model::CommentSort,
    after: Option<kawaraban_core::model::CommentCursor>,
) -> (i64, i64) {
    match (after, sort) {
        (Some(c), _) => (c.key, c.id),
        (None, kawaraban_core::model::CommentSort::Oldest) => (0, 0),
        (None, _) => (i64::MAX, i64::MAX),
    }
}

/// The visible replies to some comments, ordered by thread so that the
/// (parent_id, id) index answers it; callers group them by parent.
pub(crate) fn replies_sql(parents: usize) -> String {
    let marks: Vec<String> = (1..=parents).map(|i| format!("${i}")).collect();
    format!(
        "{COMMENT_SELECT} WHERE c.parent_id IN ({}) AND c.status = 'visible' ORDER BY c.parent_id, c.id",
        marks.join(", ")
    )
}

macro_rules! impl_comment_store {
    ($store:path, $db:ty) => {
        mod comment_impl {
            use async_trait::async_trait;
            use chrono::{DateTime, Utc};
            use kawaraban_core::model::*;
            use kawaraban_core::store::*;
            use kawaraban_core::StoreResult;

            use crate::comments::{CommentRow, COMMENT_SELECT, RECOUNT};
            use crate::error::map;

            #[async_trait]
            impl CommentStore for $store {
                async fn post_comment(&self, c: &NewComment, now: DateTime<Utc>) -> StoreResult<(Comment, bool)> {
                    let (_turn, mut tx) = self.write().await.map_err(map)?;
                    let inserted: Option<(i64,)> = sqlx::query_as(
                        "INSERT INTO comments (article_id, member_id, parent_id, body_markdown, body_html, status, \
                           spam_score, moderation_reason, submit_key, created_at, notify_replies, site_id) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
                           (SELECT site_id FROM articles WHERE id = $1)) \
                         ON CONFLICT (member_id, submit_key) DO NOTHING RETURNING id")
                        .bind(c.article_id).bind(c.member_id).bind(c.parent_id).bind(&c.body_markdown)
                        .bind(&c.body_html).bind(c.status.as_str()).bind(c.spam_score).bind(&c.moderation_reason)
                        .bind(&c.submit_key).bind(now).bind(c.notify_replies)
                        .fetch_optional(&mut *tx).await.map_err(map)?;
                    let (id, created) = match inserted {
                        Some((id,)) => (id, true),
                        None => {
                            let (id,): (i64,) = sqlx::query_as("SELECT id FROM comments WHERE member_id = $1 AND submit_key = $2")
                                .bind(c.member_id).bind(&c.submit_key).fetch_one(&mut *tx).await.map_err(map)?;
                            (id, false)
                        }
                    };
                    if created && c.status == CommentStatus::Visible {
                        // One more, not a recount: posting is the hot path.
                        sqlx::query("UPDATE articles SET comment_count = comment_count + 1 WHERE id = $1")
                            .bind(c.article_id).execute(&mut *tx).await.map_err(map)?;
                    }
                    let row: CommentRow = sqlx::query_as(&format!("{COMMENT_SELECT} WHERE c.id = $1"))
                        .bind(id).fetch_one(&mut *tx).await.map_err(map)?;
                    tx.commit().await.map_err(map)?;
                    Ok((row.into(), created))
                }

                async fn comment(&self, id: i64) -> StoreResult<Option<Comment>> {
                    let row: Option<CommentRow> = sqlx::query_as(&format!("{COMMENT_SELECT} WHERE c.id = $1"))
                        .bind(id).fetch_optional(&self.pool).await.map_err(map)?;
                    Ok(row.map(Comment::from))
                }

                async fn article_comments(&self, article_id: i64, every_status: bool, after: Option<i64>, limit: u32) -> StoreResult<Vec<Comment>> {
                    let rows: Vec<CommentRow> = sqlx::query_as(&format!(
                        "{COMMENT_SELECT} WHERE c.article_id = $1 AND ($2 OR c.status = 'visible') AND c.id > $3 \
                         ORDER BY c.id LIMIT $4"))
                        .bind(article_id).bind(every_status).bind(after.unwrap_or(0)).bind(i64::from(limit.max(1)))
                        .fetch_all(&self.pool).await.map_err(map)?;
                    Ok(rows.into_iter().map(Comment::from).collect())
                }

                async fn comment_by_key(&self, member_id: i64, key: &str) -> StoreResult<Option<Comment>> {
                    let row: Option<CommentRow> = sqlx::query_as(&format!("{COMMENT_SELECT} WHERE c.member_id = $1 AND c.submit_key = $2"))
                        .bind(member_id).bind(key).fetch_optional(&self.pool).await.map_err(map)?;
                    Ok(row.map(Comment::from))
                }

                async fn top_comments(&self, article_id: i64, sort: CommentSort, after: Option<CommentCursor>, limit: u32) -> StoreResult<Vec<Comment>> {
                    self.read_top_comments(article_id, sort, after, limit).await
                }

                async fn replies(&self, parent_ids: &[i64]) -> StoreResult<Vec<Comment>> {
                    if parent_ids.is_empty() {
                        return Ok(Vec::new());
                    }
                    self.read_replies(parent_ids).await
                }

                async fn set_comment_status(&self, id: i64, status: CommentStatus, reason: &str) -> StoreResult<()> {
                    let (_turn, mut tx) = self.write().await.map_err(map)?;
                    let row: Option<(i64,)> = sqlx::query_as(
                        "UPDATE comments SET status = $1, moderation_reason = $2 WHERE id = $3 RETURNING article_id")
                        .bind(status.as_str()).bind(reason).bind(id).fetch_optional(&mut *tx).await.map_err(map)?;
                    let Some((article_id,)) = row else { return Err(kawaraban_core::StoreError::NotFound) };
                    sqlx::query(RECOUNT).bind(article_id).execute(&mut *tx).await.map_err(map)?;
                    tx.commit().await.map_err(map)
                }

                async fn edit_comment(&self, id: i64, member_id: i64, body_markdown: &str, body_html: &str, seen_edit: Option<DateTime<Utc>>, now: DateTime<Utc>) -> StoreResult<bool> {
                    let r = sqlx::query(
                        "UPDATE comments SET body_markdown = $1, body_html = $2, edited_at = $3 \
                         WHERE id = $4 AND member_id = $5 AND status IN ('visible', 'pending') \
                         AND ((edited_at IS NULL AND $6 IS NULL) OR edited_at = $6)")
                        .bind(body_markdown).bind(body_html).bind(now).bind(id).bind(member_id).bind(seen_edit)
                        .execute(&self.pool).await.map_err(map)?;
                    Ok(r.rows_affected() == 1)
                }

                async fn vote(&self, comment_id: i64, member_id: i64, value: i64) -> StoreResult<bool> {
                    let value = value.signum();
                    if value == 0 {
                        return Ok(false);
                    }
                    let (_turn, mut tx) = self.write().await.map_err(map)?;
                    let new: Option<(i64,)> = sqlx::query_as(
                        "INSERT INTO comment_votes (comment_id, member_id, value) VALUES ($1, $2, $3) \
                         ON CONFLICT (comment_id, member_id) DO NOTHING RETURNING comment_id")
                        .bind(comment_id).bind(member_id).bind(value).fetch_optional(&mut *tx).await.map_err(map)?;
                    if new.is_none() {
                        return Ok(false);
                    }
                    let sql = if value > 0 {
                        "UPDATE comments SET likes = likes + 1 WHERE id = $1"
                    } else {
                        "UPDATE comments SET dislikes = dislikes + 1 WHERE id = $1"
                    };
                    sqlx::query(sql).bind(comment_id).execute(&mut *tx).await.map_err(map)?;
                    tx.commit().await.map_err(map)?;
                    Ok(true)
                }

                async fn flag(&self, comment_id: i64, member_id: i64, reason: &str, now: DateTime<Utc>) -> StoreResult<bool> {
                    let (_turn, mut tx) = self.write().await.map_err(map)?;
                    let new: Option<(i64,)> = sqlx::query_as(
                        "INSERT INTO comment_flags (comment_id, member_id, reason, created_at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (comment_id, member_id) DO NOTHING RETURNING comment_id")
                        .bind(comment_id).bind(member_id).bind(reason).bind(now).fetch_optional(&mut *tx).await.map_err(map)?;
                    if new.is_none() {
                        return Ok(false);
                    }
                    sqlx::query("UPDATE comments SET flags = flags + 1 WHERE id = $1")
                        .bind(comment_id).execute(&mut *tx).await.map_err(map)?;
                    tx.commit().await.map_err(map)?;
                    Ok(true)
                }

                async fn set_comment_mode(&self, article_id: i64, mode: CommentMode) -> StoreResult<()> {
                    sqlx::query("UPDATE articles SET comment_mode = $1 WHERE id = $2")
                        .bind(mode.as_str()).bind(article_id).execute(&self.pool).await.map_err(map)?;
                    Ok(())
                }

                async fn comment_count(&self, article_id: i64) -> StoreResult<i64> {
                    let row: Option<(i64,)> = sqlx::query_as("SELECT comment_count FROM articles WHERE id = $1")
                        .bind(article_id).fetch_optional(&self.pool).await.map_err(map)?;
                    Ok(row.map(|r| r.0).unwrap_or(0))
                }

                async fn article_ref(&self, article_id: i64, now: DateTime<Utc>) -> StoreResult<Option<ArticleRef>> {
                    let row: Option<(i64, i64, String, String, String, DateTime<Utc>, String)> = sqlx::query_as(
                        "SELECT a.id, a.site_id, a.title, s.slug, a.slug, a.published_at, a.comment_mode \
                         FROM articles a JOIN sections s ON s.id = a.section_id \
                         WHERE a.id = $1 AND a.status = 'published' AND a.published_at <= $2")
                        .bind(article_id).bind(now).fetch_optional(&self.pool).await.map_err(map)?;
                    Ok(row.map(|(id, site_id, title, section_slug, slug, published_at, mode)| ArticleRef {
                        id, site_id, title, section_slug, slug, published_at,
                        comment_mode: CommentMode::parse(&mode).unwrap_or(CommentMode::Open),
                    }))
                }
            }
        }
    };
}
