//! Comments as templates see them, threads of one level, and the cursors
//! of "load more".

use std::collections::HashMap;

use chrono_tz::Tz;
use kawaraban_core::model::{Comment, CommentCursor, CommentSort, CommentStatus};
use serde::Serialize;

use crate::members::secrets::Signer;
use crate::members::slots::owner_tag;
use crate::view::{time_view, TimeView};

/// How many top-level comments a page shows.
pub const PAGE: u32 = 20;

/// How long an author may change their comment.
pub const EDIT_WINDOW_SECS: i64 = 15 * 60;

#[derive(Serialize)]
pub struct CommentView {
    pub id: i64,
    /// The author's display name; empty for a former member.
    pub author: String,
    pub former_member: bool,
    /// 0 for a former member. For the staff's own pages only: shared pages
    /// carry `owner` instead, so that no stable member id is in them.
    pub author_id: i64,
    /// Tells the author's own comment to the `own` slot without naming them
    /// (see `members::slots::owner_tag`).
    pub owner: String,
    pub body_html: String,
    /// Deleted by its author but kept for its replies ("comment removed").
    pub removed: bool,
    pub pending: bool,
    pub likes: i64,
    pub dislikes: i64,
    pub created: TimeView,
    /// Unix seconds, for the author's edit window.
    pub created_ts: i64,
    pub edited: bool,
    pub is_reply: bool,
    pub replies: Vec<CommentView>,
}

pub fn comment_view(c: &Comment, tz: Tz, signer: &Signer) -> CommentView {
    let removed = c.status == CommentStatus::Deleted;
    CommentView {
        id: c.id,
        author: c.author_name.clone(),
        former_member: c.member_id.is_none(),
        author_id: c.member_id.unwrap_or(0),
        owner: owner_tag(signer, c.id, c.member_id),
        body_html: if removed {
            String::new()
        } else {
            c.body_html.clone()
        },
        removed,
        pending: c.status == CommentStatus::Pending,
        likes: c.likes,
        dislikes: c.dislikes,
        created: time_view(c.created_at, tz),
        created_ts: c.created_at.timestamp(),
        edited: c.edited_at.is_some(),
        is_reply: c.parent_id.is_some(),
        replies: Vec::new(),
    }
}

/// Top-level comments with their replies under them.
pub fn threads(tops: &[Comment], replies: &[Comment], tz: Tz, signer: &Signer) -> Vec<CommentView> {
    let mut by_parent: HashMap<i64, Vec<CommentView>> = HashMap::new();
    for r in replies {
        if let Some(p) = r.parent_id {
            by_parent
                .entry(p)
                .or_default()
                .push(comment_view(r, tz, signer));
        }
    }
    tops.iter()
        .map(|c| {
            let mut v = comment_view(c, tz, signer);
            v.replies = by_parent.remove(&c.id).unwrap_or_default();
            v
        })
        .collect()
}

pub fn sort_name(s: CommentSort) -> &'static str {
    match s {
        CommentSort::Newest => "newest",
        CommentSort::Oldest => "oldest",
        CommentSort::MostLiked => "liked",
    }
}

pub fn parse_sort(s: Option<&str>) -> Option<CommentSort> {
    Some(match s.unwrap_or("newest") {
        "newest" | "" => CommentSort::Newest,
        "oldest" => CommentSort::Oldest,
        "liked" => CommentSort::MostLiked,
        _ => return None,
    })
}

/// The cursor after a comment: its sort key and id, as `KEY.ID`.
pub fn cursor_after(c: &Comment, sort: CommentSort) -> String {
    let key = match sort {
        CommentSort::MostLiked => c.likes,
        _ => 0,
    };
    format!("{key}.{}", c.id)
}

pub fn parse_cursor(s: &str) -> Option<CommentCursor> {
    let (key, id) = s.split_once('.')?;
    Some(CommentCursor {
        key: key.parse().ok()?,
        id: id.parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_junk_is_refused() {
        assert_eq!(
            parse_cursor("12.345"),
            Some(CommentCursor { key: 12, id: 345 })
        );
        assert_eq!(parse_cursor("x.1"), None);
        assert_eq!(parse_cursor("12"), None);
        assert_eq!(parse_sort(Some("liked")), Some(CommentSort::MostLiked));
        assert_eq!(parse_sort(Some("best")), None);
    }
}
