//! Where a story stands on the desk, read from what is stored.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::model::Status;

/// A story's desk status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeskStatus {
    Draft,
    /// A contributor's draft, waiting for an editor.
    Submitted,
    /// Published, with a publish time still ahead.
    Scheduled,
    Published,
    /// Taken down: answered with 410 Gone, its revisions kept.
    Unpublished,
}

/// What a stored `workflow` says of a draft.
pub const SUBMITTED: &str = "submitted";
pub const UNPUBLISHED: &str = "unpublished";

impl DeskStatus {
    pub const ALL: [DeskStatus; 5] = [
        DeskStatus::Draft,
        DeskStatus::Submitted,
        DeskStatus::Scheduled,
        DeskStatus::Published,
        DeskStatus::Unpublished,
    ];

    /// The status of a stored story at `now`.
    pub fn of(
        status: Status,
        workflow: &str,
        published_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Self {
        match (status, workflow) {
            (Status::Published, _) if published_at > now => DeskStatus::Scheduled,
            (Status::Published, _) => DeskStatus::Published,
            (Status::Draft, SUBMITTED) => DeskStatus::Submitted,
            (Status::Draft, UNPUBLISHED) => DeskStatus::Unpublished,
            (Status::Draft, _) => DeskStatus::Draft,
        }
    }

    /// How it is stored: the reader-facing status and the workflow word.
    pub fn stored(self) -> (Status, &'static str) {
        match self {
            DeskStatus::Draft => (Status::Draft, ""),
            DeskStatus::Submitted => (Status::Draft, SUBMITTED),
            DeskStatus::Unpublished => (Status::Draft, UNPUBLISHED),
            DeskStatus::Scheduled | DeskStatus::Published => (Status::Published, ""),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DeskStatus::Draft => "draft",
            DeskStatus::Submitted => "submitted",
            DeskStatus::Scheduled => "scheduled",
            DeskStatus::Published => "published",
            DeskStatus::Unpublished => "unpublished",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// What the desk calls it.
    pub fn label(self) -> &'static str {
        match self {
            DeskStatus::Draft => "Draft",
            DeskStatus::Submitted => "Submitted for review",
            DeskStatus::Scheduled => "Scheduled",
            DeskStatus::Published => "Published",
            DeskStatus::Unpublished => "Unpublished",
        }
    }

    /// Whether readers can see it now or will at its time.
    pub fn is_out(self) -> bool {
        matches!(self, DeskStatus::Scheduled | DeskStatus::Published)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn status_is_read_from_what_is_stored_and_back() {
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap();
        let later = now + chrono::Duration::hours(1);
        assert_eq!(
            DeskStatus::of(Status::Published, "", later, now),
            DeskStatus::Scheduled
        );
        assert_eq!(
            DeskStatus::of(Status::Published, "", now, now),
            DeskStatus::Published
        );
        assert_eq!(
            DeskStatus::of(Status::Draft, SUBMITTED, now, now),
            DeskStatus::Submitted
        );
        assert_eq!(
            DeskStatus::of(Status::Draft, UNPUBLISHED, now, now),
            DeskStatus::Unpublished
        );
        assert_eq!(
            DeskStatus::of(Status::Draft, "", now, now),
            DeskStatus::Draft
        );
        for d in DeskStatus::ALL {
            assert_eq!(DeskStatus::parse(d.as_str()), Some(d));
            let (status, workflow) = d.stored();
            let at = if d == DeskStatus::Scheduled {
                later
            } else {
                now
            };
            assert_eq!(DeskStatus::of(status, workflow, at, now), d);
        }
    }
}
