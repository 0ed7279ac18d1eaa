//! What a moderator can do to a comment or a member, each written to the
//! audit log. The queue, the member page, the article tools and API v1's
//! comment moderation share these.

use chrono::{DateTime, Duration, Utc};
use kawaraban_core::authz::{may_act_on, Actor};
use kawaraban_core::model::{
    ArticleRef, Comment, CommentStatus, Member, Site, Standing, StandingStatus,
};

use crate::comments::{article_tags, invalidate, notify};
use crate::error::{AppError, AppResult};
use crate::members::Viewer;
use crate::state::AppState;

/// Who moderates: a signed-in member of the staff (the desk), or an admin
/// key (API v1), which is no member and acts with the key's role.
pub struct Moderator<'a> {
    /// Who the rank rule sees.
    pub actor: Actor,
    /// The member, for the audit log; none for a key.
    pub member: Option<&'a Member>,
    /// What the audit log's reason adds (the key's name).
    pub note: String,
}

impl<'a> From<&'a Viewer> for Moderator<'a> {
    fn from(v: &'a Viewer) -> Self {
        Moderator {
            actor: v.actor,
            member: Some(&v.member),
            note: String::new(),
        }
    }
}

impl Moderator<'_> {
    async fn audit(
        &self,
        state: &AppState,
        action: &str,
        target: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let reason = format!("{reason}{}", self.note);
        state
            .store
            .audit(self.member, action, target, &reason, now)
            .await?;
        Ok(())
    }
}

/// 403 unless `actor` may act on the member `member_id` (the rank rule of
/// `kawaraban_core::authz::may_act_on`); a deleted member is no one's rank.
async fn check_target(state: &AppState, actor: &Moderator<'_>, member_id: i64) -> AppResult<()> {
    let Some(member) = state.store.member_by_id(member_id).await? else {
        return Ok(());
    };
    may_act_on(&actor.actor, (member.id, member.role))
        .map_err(|r| AppError::Forbidden(r.message().into()))
}

/// A comment of this site that `actor` may decide on, with its article; an
/// error for a missing, deleted or out-of-rank comment. Bulk actions check
/// every comment with this before changing any.
pub async fn decidable(
    state: &AppState,
    site: &Site,
    actor: &Moderator<'_>,
    id: i64,
) -> AppResult<(Comment, ArticleRef)> {
    let c = state.store.comment(id).await?.ok_or(AppError::NotFound)?;
    let article = state
        .store
        .article_ref(c.article_id, Utc::now())
        .await?
        .filter(|a| a.site_id == site.id)
        .ok_or(AppError::NotFound)?;
    if c.status == CommentStatus::Deleted {
        return Err(AppError::bad_request(
            "That comment was deleted by its author.",
        ));
    }
    if let Some(m) = c.member_id {
        check_target(state, actor, m).await?;
    }
    Ok((c, article))
}

/// A decision on one comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
    /// Reject the comment and ban its author.
    Ban,
}

impl Decision {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "approve" => Decision::Approve,
            "reject" => Decision::Reject,
            "ban" => Decision::Ban,
            _ => return None,
        })
    }
}

/// Applies a decision to a comment of this site.
pub async fn decide(
    state: &AppState,
    site: &Site,
    actor: &Moderator<'_>,
    id: i64,
    decision: Decision,
    reason: &str,
) -> AppResult<()> {
    let (c, article) = decidable(state, site, actor, id).await?;
    let now = Utc::now();
    let target = format!("comment:{id}");
    let (status, action) = match decision {
        Decision::Approve => (CommentStatus::Visible, "comment.approve"),
        Decision::Reject | Decision::Ban => (CommentStatus::Rejected, "comment.reject"),
    };
    state.store.set_comment_status(id, status, reason).await?;
    state.store.clear_flags(id).await?;
    actor.audit(state, action, &target, reason, now).await?;
    if decision == Decision::Approve && c.status != CommentStatus::Visible {
        let c = state.store.comment(id).await?.ok_or(AppError::NotFound)?;
        notify::reply_visible(state, site, &c, &article).await;
    }
    if let (Decision::Ban, Some(member)) = (decision, c.member_id) {
        set_standing(state, actor, member, StandingChange::Ban, reason, now).await?;
    }
    invalidate(state, article_tags(site.id, article.id)).await;
    Ok(())
}

/// A change of a member's standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StandingChange {
    Suspend {
        days: i64,
    },
    Ban,
    /// Back to active (ends a suspension or ban).
    Restore,
    Premoderate(bool),
}

/// Changes a member's standing; a ban also rejects their pending comments.
pub async fn set_standing(
    state: &AppState,
    actor: &Moderator<'_>,
    member_id: i64,
    change: StandingChange,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if state.store.member_by_id(member_id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    check_target(state, actor, member_id).await?;
    let mut s = state.store.standing(member_id).await?;
    let action = match change {
        StandingChange::Suspend { days } => {
            if !(1..=3650).contains(&days) {
                return Err(AppError::bad_request("A suspension lasts 1 to 3650 days."));
            }
            s.status = StandingStatus::Suspended;
            s.until = Some(now + Duration::days(days));
            s.reason = reason.to_string();
            "member.suspend"
        }
        StandingChange::Ban => {
            s.status = StandingStatus::Banned;
            s.until = None;
            s.reason = reason.to_string();
            "member.ban"
        }
        StandingChange::Restore => {
            s = Standing {
                premoderate: s.premoderate,
                ..Standing::default()
            };
            "member.restore"
        }
        StandingChange::Premoderate(on) => {
            s.premoderate = on;
            if on {
                "member.premoderate"
            } else {
                "member.premoderate_off"
            }
        }
    };
    state.store.set_standing(member_id, &s, now).await?;
    let detail = match change {
        StandingChange::Suspend { days } => format!("{days} days; {reason}"),
        _ => reason.to_string(),
    };
    actor
        .audit(state, action, &format!("member:{member_id}"), &detail, now)
        .await?;
    if change == StandingChange::Ban {
        // A banned member's votes do not count.
        let articles = state.store.withdraw_votes_of(member_id).await?;
        invalidate(
            state,
            articles.iter().map(|a| format!("article:{a}")).collect(),
        )
        .await;
        let n = state
            .store
            .reject_pending_of(member_id, "author banned")
            .await?;
        if n > 0 {
            actor
                .audit(
                    state,
                    "comment.reject_pending",
                    &format!("member:{member_id}"),
                    &format!("{n} pending comments rejected with the ban"),
                    now,
                )
                .await?;
        }
    }
    Ok(())
}
