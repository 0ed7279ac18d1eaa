//! The desk's rules, as plain functions: who may do what to a story, which
//! fields a save accepts, and what status and publish time it leaves.

use chrono::{DateTime, Duration, Utc};

use super::fields::StoryFields;
use super::status::DeskStatus;
use crate::model::{CommentMode, Role};

/// What a save asks for, besides the fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// Keep the story where it stands.
    Save,
    /// Send a draft to the editors.
    Submit,
    /// Publish now, or at the publish time if it is ahead (schedule).
    Publish,
    /// Take it down: 410 Gone for readers.
    Unpublish,
    /// Back to a draft (out of review, or a taken-down story re-worked).
    Draft,
}

impl Intent {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "" | "save" => Intent::Save,
            "submit" => Intent::Submit,
            "publish" | "schedule" => Intent::Publish,
            "unpublish" => Intent::Unpublish,
            "draft" => Intent::Draft,
            _ => return None,
        })
    }
}

/// A refused save: the field to point at (empty for the whole story) and
/// what to tell the editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub field: &'static str,
    pub message: String,
}

fn refused(field: &'static str, message: impl Into<String>) -> Refused {
    Refused {
        field,
        message: message.into(),
    }
}

/// Whether someone with `role` on the story's site may do `intent` to a
/// story in status `now_is` (`None`: a new one); `own` is whether they
/// created it. Contributors write and submit their own drafts; authors
/// also publish, schedule and take down their own; editors and admins do
/// anything to any story of the site.
pub fn may(
    role: Role,
    own: bool,
    now_is: Option<DeskStatus>,
    intent: Intent,
) -> Result<(), Refused> {
    let no = |m: &str| Err(refused("", m));
    if role >= Role::Editor {
        return Ok(());
    }
    if role < Role::Contributor {
        return no("The desk is for the site's staff: contributors, authors, editors and admins.");
    }
    if now_is.is_some() && !own {
        return no("Only an editor may change another writer's story.");
    }
    let author = role >= Role::Author;
    match intent {
        Intent::Publish | Intent::Unpublish if !author => {
            no("Contributors submit their stories for review: an editor publishes them.")
        }
        _ if !author
            && now_is.is_some_and(|s| !matches!(s, DeskStatus::Draft | DeskStatus::Submitted)) =>
        {
            no("This story is out of the drafts: an editor changes it now.")
        }
        _ => Ok(()),
    }
}

/// How far back a publish time may be typed and still count as "now".
const LEEWAY_SECONDS: i64 = 60;

/// Checks a save and gives the status and publish time it leaves. `was`
/// is the story's status before (`None`: new) and `published_at` its
/// stored publish time.
pub fn outcome(
    f: &StoryFields,
    intent: Intent,
    was: Option<(DeskStatus, DateTime<Utc>)>,
    now: DateTime<Utc>,
) -> Result<(DeskStatus, DateTime<Utc>), Refused> {
    check_fields(f)?;
    let status = match (intent, was) {
        (Intent::Save, Some((s, _))) => s,
        (Intent::Save, None) | (Intent::Draft, _) => DeskStatus::Draft,
        (Intent::Submit, _) => DeskStatus::Submitted,
        (Intent::Unpublish, _) => DeskStatus::Unpublished,
        (Intent::Publish, _) => DeskStatus::Published,
    };
    if intent == Intent::Unpublish && !was.is_some_and(|(s, _)| s.is_out()) {
        return Err(refused(
            "",
            "Only a published or scheduled story can be taken down.",
        ));
    }
    if !status.is_out() {
        let at = f.publish_at.or(was.map(|(_, at)| at)).unwrap_or(now);
        return Ok((status, at));
    }
    let already_out = was.is_some_and(|(s, _)| s == DeskStatus::Published);
    let at = match f.publish_at {
        Some(at) if at < now - Duration::seconds(LEEWAY_SECONDS) && !already_out => {
            return Err(refused(
                "publish_at",
                format!(
                    "publish time: {} is in the past; leave it empty to publish now, or choose a time ahead to schedule",
                    at.format("%Y-%m-%d %H:%M UTC")
                ),
            ))
        }
        Some(at) if at < now && !already_out => now,
        Some(at) => at,
        None if already_out => was.map(|(_, at)| at).unwrap_or(now),
        None => now,
    };
    if let Some(until) = f.embargo_until {
        if at < until {
            return Err(refused(
                "publish_at",
                format!(
                    "publish time: the story is embargoed until {}; schedule it for then or later",
                    until.format("%Y-%m-%d %H:%M UTC")
                ),
            ));
        }
    }
    let status = if at > now {
        DeskStatus::Scheduled
    } else {
        DeskStatus::Published
    };
    Ok((status, at))
}

/// The checks every save makes, whatever it asks for.
pub fn check_fields(f: &StoryFields) -> Result<(), Refused> {
    let long = |field: &'static str, text: &str, max: usize| {
        if text.chars().count() > max {
            Err(refused(
                field,
                format!("{}: at most {max} characters", super::fields::label(field)),
            ))
        } else {
            Ok(())
        }
    };
    if f.title.trim().is_empty() {
        return Err(refused("title", "Headline: a story needs a headline"));
    }
    long("title", &f.title, 300)?;
    long("summary", &f.summary, 1000)?;
    long("seo_title", &f.seo_title, 300)?;
    long("seo_description", &f.seo_description, 1000)?;
    long("body", &f.body, 500_000)?;
    if f.slug.is_empty() || f.slug.len() > 120 || crate::slug::slugify(&f.slug) != f.slug {
        return Err(refused(
            "slug",
            format!(
                "Slug: \"{}\" must be lower-case letters, digits and dashes (at most 120)",
                f.slug
            ),
        ));
    }
    if f.section.is_empty() {
        return Err(refused("section", "Section: choose the story's section"));
    }
    if CommentMode::parse(&f.comment_mode).is_none() {
        return Err(refused(
            "comment_mode",
            format!(
                "Comments: \"{}\" is not open, closed or disabled",
                f.comment_mode
            ),
        ));
    }
    if !f.canonical_url.is_empty()
        && url::Url::parse(&f.canonical_url)
            .map(|u| !matches!(u.scheme(), "http" | "https"))
            .unwrap_or(true)
    {
        return Err(refused(
            "canonical_url",
            format!(
                "Canonical URL: \"{}\" is not an http(s) address",
                f.canonical_url
            ),
        ));
    }
    Ok(())
}

/// Whether a change to a published story is one readers are told of
/// ("Updated …"): its words, not its tags or settings.
pub fn readers_see(changed: &[&str]) -> bool {
    changed
        .iter()
        .any(|c| matches!(*c, "title" | "summary" | "body" | "dateline"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap()
    }

    fn story() -> StoryFields {
        StoryFields {
            title: "Quake".into(),
            slug: "quake".into(),
            section: "world".into(),
            comment_mode: "open".into(),
            ..Default::default()
        }
    }

    #[test]
    fn contributors_submit_authors_publish_their_own_editors_anything() {
        use DeskStatus::*;
        assert!(may(Role::Contributor, true, None, Intent::Save).is_ok());
        assert!(may(Role::Contributor, true, Some(Draft), Intent::Submit).is_ok());
        assert!(may(Role::Contributor, true, Some(Draft), Intent::Publish).is_err());
        assert!(may(Role::Contributor, true, Some(Published), Intent::Save).is_err());
        assert!(may(Role::Contributor, false, Some(Draft), Intent::Save).is_err());
        assert!(may(Role::Author, true, Some(Draft), Intent::Publish).is_ok());
        assert!(may(Role::Author, true, Some(Published), Intent::Unpublish).is_ok());
        assert!(may(Role::Author, false, Some(Submitted), Intent::Publish).is_err());
        assert!(may(Role::Editor, false, Some(Submitted), Intent::Publish).is_ok());
        assert!(may(Role::Member, true, None, Intent::Save).is_err());
    }

    #[test]
    fn publishing_now_later_or_in_the_past() {
        let f = story();
        assert_eq!(
            outcome(&f, Intent::Publish, None, now()),
            Ok((DeskStatus::Published, now()))
        );
        let later = now() + Duration::hours(2);
        let timed = StoryFields {
            publish_at: Some(later),
            ..story()
        };
        assert_eq!(
            outcome(&timed, Intent::Publish, None, now()),
            Ok((DeskStatus::Scheduled, later))
        );
        let past = StoryFields {
            publish_at: Some(now() - Duration::hours(2)),
            ..story()
        };
        let e = outcome(&past, Intent::Publish, None, now()).unwrap_err();
        assert_eq!(e.field, "publish_at");
        // A story already out keeps its first publish time on later saves.
        let was = Some((DeskStatus::Published, now() - Duration::hours(2)));
        assert_eq!(
            outcome(&past, Intent::Save, was, now()),
            Ok((DeskStatus::Published, now() - Duration::hours(2)))
        );
    }

    #[test]
    fn nothing_goes_out_before_its_embargo() {
        let until = now() + Duration::hours(1);
        let f = StoryFields {
            embargo_until: Some(until),
            ..story()
        };
        assert!(outcome(&f, Intent::Publish, None, now())
            .unwrap_err()
            .message
            .contains("embargoed"));
        let f = StoryFields {
            publish_at: Some(until),
            ..f
        };
        assert_eq!(
            outcome(&f, Intent::Publish, None, now()),
            Ok((DeskStatus::Scheduled, until))
        );
        // A draft may carry an embargo; it only binds when going out.
        let draft = StoryFields {
            publish_at: None,
            ..f
        };
        assert_eq!(
            outcome(&draft, Intent::Save, None, now()).map(|o| o.0),
            Ok(DeskStatus::Draft)
        );
    }

    #[test]
    fn bad_fields_name_the_field() {
        for (f, field) in [
            (
                StoryFields {
                    title: " ".into(),
                    ..story()
                },
                "title",
            ),
            (
                StoryFields {
                    slug: "Not A Slug".into(),
                    ..story()
                },
                "slug",
            ),
            (
                StoryFields {
                    section: String::new(),
                    ..story()
                },
                "section",
            ),
            (
                StoryFields {
                    comment_mode: "maybe".into(),
                    ..story()
                },
                "comment_mode",
            ),
            (
                StoryFields {
                    canonical_url: "javascript:alert(1)".into(),
                    ..story()
                },
                "canonical_url",
            ),
        ] {
            assert_eq!(check_fields(&f).unwrap_err().field, field);
        }
        assert!(outcome(
            &story(),
            Intent::Unpublish,
            Some((DeskStatus::Draft, now())),
            now()
        )
        .is_err());
    }

    #[test]
    fn readers_are_told_of_changes_to_the_words_only() {
        assert!(readers_see(&["tags", "body"]));
        assert!(!readers_see(&["tags", "featured"]));
    }
}
