//! The moderation queue, members' standing, comment rules and the audit
//! log: one SQL text for both backends.

/// A queue row: the comment's columns, then its article's.
#[derive(sqlx::FromRow)]
pub(crate) struct QueueRow {
    #[sqlx(flatten)]
    pub comment: crate::comments::CommentRow,
    pub article_title: String,
    pub section_slug: String,
    pub article_slug: String,
}

/// The queue query for a tab: `$1` site, `$2` before-id, `$3` limit.
pub(crate) fn queue_sql(filter: kawaraban_core::model::QueueFilter) -> String {
    use kawaraban_core::model::QueueFilter::*;
    let which = match filter {
        Pending => "c.status = 'pending'",
        Reported => "c.flags > 0 AND c.status = 'visible'",
        Rejected => "c.status = 'rejected'",
        All => "1 = 1",
    };
    format!(
        "SELECT c.id, c.article_id, c.member_id, COALESCE(m.display_name, '') AS author_name, c.parent_id, \
           c.body_markdown, c.body_html, c.status, c.likes, c.dislikes, c.flags, c.created_at, c.edited_at, \
           c.spam_score, c.moderation_reason, c.notify_replies, \
           a.title AS article_title, s.slug AS section_slug, a.slug AS article_slug \
         FROM comments c JOIN articles a ON a.id = c.article_id JOIN sections s ON s.id = a.section_id \
         LEFT JOIN members m ON m.id = c.member_id \
         WHERE c.site_id = $1 AND c.id < $2 AND {which} ORDER BY c.id DESC LIMIT $3"
    )
}

#[derive(sqlx::FromRow)]
pub(crate) struct SettingsRow {
    pub comments_close_after_days: Option<i64>,
    pub comments_premoderate_first: i64,
    pub comments_of_deleted_members: String,
    pub comments_min_interval_secs: i64,
    pub comments_per_hour: i64,
    pub comments_max_links: i64,
    pub comments_banned_words: String,
    pub comments_suspect_words: String,
    pub comments_spam_threshold: i64,
}

fn word_list(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

impl From<SettingsRow> for kawaraban_core::model::CommentSettings {
    fn from(r: SettingsRow) -> Self {
        use kawaraban_core::model::DeletedMembers;
        Self {
            close_after_days: r.comments_close_after_days,
            premoderate_first: r.comments_premoderate_first,
            deleted_members: DeletedMembers::parse(&r.comments_of_deleted_members)
                .unwrap_or(DeletedMembers::Anonymise),
            min_interval_secs: r.comments_min_interval_secs,
            per_hour: r.comments_per_hour,
            max_links: r.comments_max_links,
            banned_words: word_list(&r.comments_banned_words),
            suspect_words: word_list(&r.comments_suspect_words),
            spam_threshold: r.comments_spam_threshold,
        }
    }
}

macro_rules! impl_moderation_store {
    ($store:path) => {
        mod moderation_impl {
            use async_trait::async_trait;
            use chrono::{DateTime, Utc};
            use kawaraban_core::model::*;
            use kawaraban_core::moderation::Recent;
            use kawaraban_core::store::*;
            use kawaraban_core::StoreResult;

            use crate::comments::{CommentRow, COMMENT_SELECT, RECOUNT};
            use crate::error::map;
            use crate::moderation::{queue_sql, QueueRow, SettingsRow};

            #[async_trait]
            impl ModerationStore for $store {
                async fn queue(&self, site_id: i64, filter: QueueFilter, before: Option<i64>, limit: u32) -> StoreResult<Vec<QueueItem>> {
                    let rows: Vec<QueueRow> = sqlx::query_as(&queue_sql(filter))
                        .bind(site_id).bind(before.unwrap_or(i64::MAX)).bind(i64::from(limit))
                        .fetch_all(&self.pool).await.map_err(map)?;
                    let mut items = Vec::with_capacity(rows.len());
                    for r in rows {
                        let reasons: Vec<(String,)> = if r.comment.flags > 0 || filter == QueueFilter::Reported {
                            sqlx::query_as("SELECT reason FROM comment_flags WHERE comment_id = $1 ORDER BY created_at")
                                .bind(r.comment.id).fetch_all(&self.pool).await.map_err(map)?
                        } else {
                            Vec::new()
                        };
                        items.push(QueueItem {
                            article_title: r.article_title,
                            article_path: format!("/{}/{}", r.section_slug, r.article_slug),
                            flag_reasons: reasons.into_iter().map(|r| r.0).collect(),
                            comment: r.comment.into(),
                        });
                    }
                    Ok(items)
                }

                async fn queue_counts(&self, site_id: i64) -> StoreResult<(i64, i64, i64)> {
                    // Three indexed counts (by status; reported through the
                    // partial index of flagged comments), not one scan.
                    let count = |which: &'static str| {
                        let sql = format!(
                            "SELECT COUNT(*) FROM comments c WHERE c.site_id = $1 AND {which}");
                        async move {
                            let (n,): (i64,) = sqlx::query_as(&sql).bind(site_id)
                                .fetch_one(&self.pool).await.map_err(map)?;
                            StoreResult::Ok(n)
                        }
                    };
                    Ok((
                        count("c.status = 'pending'").await?,
                        count("c.flags > 0 AND c.status = 'visible'").await?,
                        count("c.status = 'rejected'").await?,
                    ))
                }

                async fn member_comments(&self, member_id: i64, limit: u32) -> StoreResult<Vec<Comment>> {
                    let rows: Vec<CommentRow> = sqlx::query_as(&format!(
                        "{COMMENT_SELECT} WHERE c.member_id = $1 ORDER BY c.id DESC LIMIT $2"))
                        .bind(member_id).bind(i64::from(limit)).fetch_all(&self.pool).await.map_err(map)?;
                    Ok(rows.into_iter().map(Comment::from).collect())
                }

                async fn posting_history(&self, member_id: i64, since: DateTime<Utc>) -> StoreResult<(Vec<Recent>, i64)> {
                    // Bounded reads: the newest 200 comments (the rate and
                    // duplicate checks look at one hour), and approved ones
                    // counted up to 1,000 (the new-member rule needs a few).
                    let rows: Vec<(i64, String, DateTime<Utc>)> = sqlx::query_as(
                        "SELECT id, body_markdown, created_at FROM comments \
                         WHERE member_id = $1 ORDER BY id DESC LIMIT 200")
                        .bind(member_id).fetch_all(&self.pool).await.map_err(map)?;
                    let (approved,): (i64,) = sqlx::query_as(
                        "SELECT COUNT(*) FROM (SELECT 1 FROM comments WHERE member_id = $1 \
                         AND status IN ('visible', 'deleted') LIMIT 1000) AS approved")
                        .bind(member_id).fetch_one(&self.pool).await.map_err(map)?;
                    let recent = rows.into_iter()
                        .filter(|(_, _, at)| *at > since)
                        .map(|(id, body_markdown, created_at)| Recent { id, body_markdown, created_at })
                        .collect();
                    Ok((recent, approved))
                }

                async fn clear_flags(&self, comment_id: i64) -> StoreResult<()> {
                    sqlx::query("UPDATE comments SET flags = 0 WHERE id = $1")
                        .bind(comment_id).execute(&self.pool).await.map_err(map)?;
                    Ok(())
                }

                async fn standing(&self, member_id: i64) -> StoreResult<Standing> {
                    let row: Option<(String, Option<DateTime<Utc>>, bool, String)> = sqlx::query_as(
                        "SELECT status, until, premoderate, reason FROM member_standing WHERE member_id = $1")
                        .bind(member_id).fetch_optional(&self.pool).await.map_err(map)?;
                    Ok(match row {
                        Some((status, until, premoderate, reason)) => Standing {
                            status: StandingStatus::parse(&status).unwrap_or(StandingStatus::Active),
                            until,
                            premoderate,
                            reason,
                        },
                        None => Standing::default(),
                    })
                }

                async fn set_standing(&self, member_id: i64, s: &Standing, now: DateTime<Utc>) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO member_standing (member_id, status, until, premoderate, reason, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (member_id) DO UPDATE SET \
                         status = excluded.status, until = excluded.until, premoderate = excluded.premoderate, \
                         reason = excluded.reason, updated_at = excluded.updated_at")
                        .bind(member_id).bind(s.status.as_str()).bind(s.until).bind(s.premoderate)
                        .bind(&s.reason).bind(now).execute(&self.pool).await.map_err(map)?;
                    Ok(())
                }

                async fn reject_pending_of(&self, member_id: i64, reason: &str) -> StoreResult<u64> {
                    let r = sqlx::query(
                        "UPDATE comments SET status = 'rejected', moderation_reason = $1 \
                         WHERE member_id = $2 AND status = 'pending'")
                        .bind(reason).bind(member_id).execute(&self.pool).await.map_err(map)?;
                    Ok(r.rows_affected())
                }

                async fn remove_comments_of(&self, member_id: i64, site_id: i64) -> StoreResult<Vec<i64>> {
                    let (_turn, mut tx) = self.write().await.map_err(map)?;
                    let articles: Vec<(i64,)> = sqlx::query_as(
                        "SELECT DISTINCT article_id FROM comments WHERE member_id = $1 AND site_id = $2")
                        .bind(member_id).bind(site_id).fetch_all(&mut *tx).await.map_err(map)?;
                    sqlx::query(
                        "UPDATE comments SET status = 'deleted', body_markdown = '', body_html = '', \
                         moderation_reason = 'account deleted' WHERE member_id = $1 AND site_id = $2")
                        .bind(member_id).bind(site_id).execute(&mut *tx).await.map_err(map)?;
                    for (id,) in &articles {
                        sqlx::query(RECOUNT).bind(id).execute(&mut *tx).await.map_err(map)?;
                    }
                    tx.commit().await.map_err(map)?;
                    Ok(articles.into_iter().map(|a| a.0).collect())
                }

                async fn withdraw_votes_of(&self, member_id: i64) -> StoreResult<Vec<i64>> {
                    let (_turn, mut tx) = self.write().await.map_err(map)?;
                    let articles: Vec<(i64,)> = sqlx::query_as(
                        "SELECT DISTINCT c.article_id FROM comments c \
                         JOIN comment_votes v ON v.comment_id = c.id WHERE v.member_id = $1")
                        .bind(member_id).fetch_all(&mut *tx).await.map_err(map)?;
                    sqlx::query(
                        "UPDATE comments SET \
                           likes = likes - (SELECT COUNT(*) FROM comment_votes v \
                             WHERE v.comment_id = comments.id AND v.member_id = $1 AND v.value > 0), \
                           dislikes = dislikes - (SELECT COUNT(*) FROM comment_votes v \
                             WHERE v.comment_id = comments.id AND v.member_id = $1 AND v.value < 0) \
                         WHERE id IN (SELECT comment_id FROM comment_votes WHERE member_id = $1)")
                        .bind(member_id).execute(&mut *tx).await.map_err(map)?;
                    sqlx::query("DELETE FROM comment_votes WHERE member_id = $1")
                        .bind(member_id).execute(&mut *tx).await.map_err(map)?;
                    tx.commit().await.map_err(map)?;
                    Ok(articles.into_iter().map(|a| a.0).collect())
                }

                async fn comment_settings(&self, site_id: i64) -> StoreResult<CommentSettings> {
                    let row: Option<SettingsRow> = sqlx::query_as(
                        "SELECT comments_close_after_days, comments_premoderate_first, comments_of_deleted_members, \
                           comments_min_interval_secs, comments_per_hour, comments_max_links, \
                           comments_banned_words, comments_suspect_words, comments_spam_threshold \
                         FROM sites WHERE id = $1")
                        .bind(site_id).fetch_optional(&self.pool).await.map_err(map)?;
                    row.map(CommentSettings::from).ok_or(kawaraban_core::StoreError::NotFound)
                }

                async fn set_comment_settings(&self, site_id: i64, s: &CommentSettings) -> StoreResult<()> {
                    let (_turn, mut tx) = self.write().await.map_err(map)?;
                    let r = sqlx::query(
                        "UPDATE sites SET comments_close_after_days = $1, comments_premoderate_first = $2, \
                           comments_of_deleted_members = $3, comments_min_interval_secs = $4, comments_per_hour = $5, \
                           comments_max_links = $6, comments_banned_words = $7, comments_suspect_words = $8, \
                           comments_spam_threshold = $9 WHERE id = $10")
                        .bind(s.close_after_days).bind(s.premoderate_first).bind(s.deleted_members.as_str())
                        .bind(s.min_interval_secs).bind(s.per_hour).bind(s.max_links)
                        .bind(s.banned_words.join("\n")).bind(s.suspect_words.join("\n"))
                        .bind(s.spam_threshold).bind(site_id)
                        .execute(&mut *tx).await.map_err(map)?;
                    if r.rows_affected() == 0 {
                        return Err(kawaraban_core::StoreError::NotFound);
                    }
                    // Pages show the rules (comments closed after N days):
                    // every server reloads them and drops the site's pages.
                    sqlx::query("INSERT INTO cache_invalidations (tag, created_at) VALUES ($1, $2)")
                        .bind(format!("nav:{site_id}")).bind(Utc::now())
                        .execute(&mut *tx).await.map_err(map)?;
                    Self::announce(&mut tx).await?;
                    tx.commit().await.map_err(map)
                }

                async fn audit(&self, actor: Option<&Member>, action: &str, target: &str, reason: &str, now: DateTime<Utc>) -> StoreResult<()> {
                    let name = actor.map(|m| format!("{} <{}>", m.display_name, m.email)).unwrap_or_else(|| "system".into());
                    sqlx::query(
                        "INSERT INTO audit_log (actor_id, actor_name, action, target, reason, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6)")
                        .bind(actor.map(|m| m.id)).bind(name).bind(action).bind(target).bind(reason).bind(now)
                        .execute(&self.pool).await.map_err(map)?;
                    Ok(())
                }

                async fn audit_log(&self, before: Option<i64>, limit: u32) -> StoreResult<Vec<AuditEntry>> {
                    let rows: Vec<(i64, Option<i64>, String, String, String, String, DateTime<Utc>)> = sqlx::query_as(
                        "SELECT id, actor_id, actor_name, action, target, reason, created_at FROM audit_log \
                         WHERE id < $1 ORDER BY id DESC LIMIT $2")
                        .bind(before.unwrap_or(i64::MAX)).bind(i64::from(limit))
                        .fetch_all(&self.pool).await.map_err(map)?;
                    Ok(rows.into_iter().map(|(id, actor_id, actor_name, action, target, reason, created_at)| AuditEntry {
                        id, actor_id, actor_name, action, target, reason, created_at,
                    }).collect())
                }
            }
        }
    };
}
