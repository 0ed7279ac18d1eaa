//! The moderation pipeline every new or edited comment passes.
//!
//! The web layer gathers the facts (the member, their standing and recent
//! comments, the article's state, the site's rules); [`check`] decides. The
//! steps run in this order, and the first one that does not pass decides:
//!
//! 1. length (empty, or over 5,000 characters): refuse;
//! 2. the article's comments are closed or disabled: refuse;
//! 3. the member is suspended or banned: refuse;
//! 4. the same text as one of the member's comments of the last hour: refuse;
//! 5. rate: one comment per `min_interval_secs`, `per_hour` an hour: refuse;
//! 6. a banned word: refuse; a suspect word: hold;
//! 7. more than `max_links` links: hold;
//! 8. one of a new member's first `premoderate_first` comments: hold;
//! 9. the member is on pre-moderation: hold;
//! 10. a spam score at or above `spam_threshold`: hold.
//!
//! Staff (moderators and above) pass steps 6 to 10: their comments are
//! approved at once. Edits skip step 5 and, since an edit is not a new
//! comment, step 8.
//!
//! The spam score adds:
//! - 2 for each link after the first;
//! - 3 when the text repeats itself (20 words or more, fewer than a third of
//!   them different; or one line written three times);
//! - 2 when most of it is shouted (30 letters or more outside links, 70%
//!   of them capitals);
//! - 2 when the account is less than a day old;
//! - 1 when the text is one long run without spaces (40 characters or more,
//!   typical of pasted tracking links and keyboard mashing).

use chrono::{DateTime, Duration, Utc};

use crate::comment_text::{self, TextError};
use crate::model::{CommentMode, CommentSettings, Role, Standing, StandingStatus};

/// One of the member's recent comments, newest first.
#[derive(Debug, Clone)]
pub struct Recent {
    pub id: i64,
    pub body_markdown: String,
    pub created_at: DateTime<Utc>,
}

/// What the pipeline looks at.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    /// The text as typed.
    pub raw: &'a str,
    /// The article's mode at `now` (auto-closing already applied).
    pub mode: CommentMode,
    pub role: Role,
    pub standing: &'a Standing,
    /// The member's comments of the last hour, newest first (any status).
    pub recent: &'a [Recent],
    /// How many of the member's comments were ever approved.
    pub approved: i64,
    pub member_since: DateTime<Utc>,
    /// The comment being edited, if this is an edit.
    pub editing: Option<i64>,
    pub now: DateTime<Utc>,
}

/// The pipeline's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Shown at once.
    Approve,
    /// Stored, waiting for a moderator, for this reason.
    Hold(String),
    /// Not stored; the member sees this message.
    Refuse(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub verdict: Verdict,
    /// The cleaned text (empty when refused for its length).
    pub text: String,
    pub spam_score: i64,
}

/// The effective mode of an article published at `published`.
pub fn mode_at(
    mode: CommentMode,
    published: DateTime<Utc>,
    settings: &CommentSettings,
    now: DateTime<Utc>,
) -> CommentMode {
    match (mode, settings.close_after_days) {
        (CommentMode::Open, Some(days)) if now >= published + Duration::days(days) => {
            CommentMode::Closed
        }
        (m, _) => m,
    }
}

/// Runs the pipeline.
pub fn check(settings: &CommentSettings, f: &Facts<'_>) -> Outcome {
    let refuse = |msg: String, text: String| Outcome {
        verdict: Verdict::Refuse(msg),
        text,
        spam_score: 0,
    };
    // 1. Length.
    let text = match comment_text::clean(f.raw) {
        Ok(t) => t,
        Err(e @ (TextError::Empty | TextError::TooLong(_))) => {
            return refuse(e.to_string(), String::new())
        }
    };
    // 2. The article.
    match f.mode {
        CommentMode::Open => {}
        CommentMode::Closed => return refuse("Comments on this article are closed.".into(), text),
        CommentMode::Disabled => {
            return refuse("This article does not take comments.".into(), text)
        }
    }
    // 3. The member.
    match f.standing.at(f.now) {
        StandingStatus::Active => {}
        StandingStatus::Banned => {
            return refuse("Your account may no longer post comments.".into(), text)
        }
        StandingStatus::Suspended => {
            let until = f
                .standing
                .until
                .map(|u| format!(" until {}", u.format("%Y-%m-%d %H:%M UTC")))
                .unwrap_or_default();
            return refuse(
                format!("Your account is suspended from commenting{until}."),
                text,
            );
        }
    }
    // 4. Duplicates.
    let print = comment_text::fingerprint(&text);
    let hour_ago = f.now - Duration::hours(1);
    if f.recent.iter().any(|r| {
        Some(r.id) != f.editing
            && r.created_at > hour_ago
            && comment_text::fingerprint(&r.body_markdown) == print
    }) {
        return refuse("You have already posted this comment.".into(), text);
    }
    // 5. Rate.
    if f.editing.is_none() {
        if let Some(last) = f.recent.first() {
            let wait = last.created_at + Duration::seconds(settings.min_interval_secs) - f.now;
            if wait > Duration::zero() {
                return refuse(
                    format!(
                        "You are commenting too fast; please wait {} seconds.",
                        wait.num_seconds().max(1)
                    ),
                    text,
                );
            }
        }
        let in_hour = f.recent.iter().filter(|r| r.created_at > hour_ago).count() as i64;
        if in_hour >= settings.per_hour {
            return refuse(
                format!(
                    "You have posted {} comments in the last hour, the most we take; please come back later.",
                    settings.per_hour
                ),
                text,
            );
        }
    }
    let links = comment_text::link_count(&text) as i64;
    let spam = spam_score(&text, links, f.member_since, f.now);
    let outcome = |verdict| Outcome {
        verdict,
        text: text.clone(),
        spam_score: spam,
    };
    // 6. Word lists (banned words refuse even staff comments).
    let words = words_of(&text);
    if let Some(w) = first_listed(&words, &settings.banned_words) {
        return outcome(Verdict::Refuse(format!(
            "Your comment uses a word this site does not allow (\u{201c}{w}\u{201d}); please rephrase it."
        )));
    }
    if f.role.is_staff() {
        return outcome(Verdict::Approve);
    }
    if let Some(w) = first_listed(&words, &settings.suspect_words) {
        return outcome(Verdict::Hold(format!("suspect word \u{201c}{w}\u{201d}")));
    }
    // 7. Links.
    if links > settings.max_links {
        return outcome(Verdict::Hold(format!(
            "{links} links (more than {})",
            settings.max_links
        )));
    }
    // 8. New members.
    if f.editing.is_none() && f.approved < settings.premoderate_first {
        return outcome(Verdict::Hold(format!(
            "new member: first {} comments are checked",
            settings.premoderate_first
        )));
    }
    // 9. Member-level pre-moderation.
    if f.standing.premoderate {
        return outcome(Verdict::Hold("member is on pre-moderation".into()));
    }
    // 10. Spam score.
    if spam >= settings.spam_threshold {
        return outcome(Verdict::Hold(format!("spam score {spam}")));
    }
    outcome(Verdict::Approve)
}

fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// A listed word (or phrase of several words) that the text contains.
fn first_listed<'a>(words: &[String], list: &'a [String]) -> Option<&'a str> {
    list.iter().map(String::as_str).find(|entry| {
        let want = words_of(entry);
        !want.is_empty() && words.windows(want.len()).any(|w| w == want.as_slice())
    })
}

/// The heuristics documented at the top of this file.
pub fn spam_score(text: &str, links: i64, member_since: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    let mut score = 2 * (links - 1).max(0);
    let words: Vec<_> = text.split_whitespace().map(str::to_lowercase).collect();
    let mut distinct = words.clone();
    distinct.sort();
    distinct.dedup();
    let lines: Vec<_> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let repeated_line = lines
        .iter()
        .any(|l| lines.iter().filter(|m| *m == l).count() >= 3);
    if (words.len() >= 20 && distinct.len() * 3 < words.len()) || repeated_line {
        score += 3;
    }
    let letters: Vec<_> = text
        .split_whitespace()
        .filter(|w| !w.contains("://"))
        .flat_map(str::chars)
        .filter(|c| c.is_alphabetic())
        .collect();
    if letters.len() >= 30
        && letters.iter().filter(|c| c.is_uppercase()).count() * 10 >= letters.len() * 7
    {
        score += 2;
    }
    if now - member_since < Duration::days(1) {
        score += 2;
    }
    if words.iter().any(|w| w.chars().count() >= 40) {
        score += 1;
    }
    score
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap()
    }

    struct Case {
        settings: CommentSettings,
        standing: Standing,
        recent: Vec<Recent>,
        role: Role,
        mode: CommentMode,
        approved: i64,
        since: DateTime<Utc>,
        editing: Option<i64>,
    }

    impl Case {
        fn new() -> Self {
            Case {
                settings: CommentSettings::default(),
                standing: Standing::default(),
                recent: Vec::new(),
                role: Role::Member,
                mode: CommentMode::Open,
                approved: 5,
                since: now() - Duration::days(30),
                editing: None,
            }
        }

        fn run(&self, raw: &str) -> Verdict {
            check(
                &self.settings,
                &Facts {
                    raw,
                    mode: self.mode,
                    role: self.role,
                    standing: &self.standing,
                    recent: &self.recent,
                    approved: self.approved,
                    member_since: self.since,
                    editing: self.editing,
                    now: now(),
                },
            )
            .verdict
        }
    }

    fn refused(v: Verdict, part: &str) {
        match v {
            Verdict::Refuse(m) => assert!(m.contains(part), "{m:?} lacks {part:?}"),
            other => panic!("expected a refusal with {part:?}, got {other:?}"),
        }
    }

    fn held(v: Verdict, part: &str) {
        match v {
            Verdict::Hold(m) => assert!(m.contains(part), "{m:?} lacks {part:?}"),
            other => panic!("expected a hold with {part:?}, got {other:?}"),
        }
    }

    fn recent(secs_ago: i64, body: &str) -> Recent {
        Recent {
            id: secs_ago,
            body_markdown: body.into(),
            created_at: now() - Duration::seconds(secs_ago),
        }
    }

    #[test]
    fn a_plain_comment_of_an_established_member_is_approved() {
        assert_eq!(Case::new().run("Good reporting."), Verdict::Approve);
    }

    #[test]
    fn each_step_refuses_or_holds_in_order() {
        let mut c = Case::new();
        refused(c.run(" \u{200B} "), "Write something");
        refused(c.run(&"a".repeat(5001)), "5000 characters");
        c.mode = CommentMode::Closed;
        refused(c.run("hi"), "closed");
        c.mode = CommentMode::Disabled;
        refused(c.run("hi"), "does not take");
        c.mode = CommentMode::Open;
        c.standing.status = StandingStatus::Suspended;
        c.standing.until = Some(now() + Duration::hours(2));
        refused(c.run("hi"), "suspended");
        c.standing.until = Some(now() - Duration::hours(2));
        assert_eq!(c.run("hi"), Verdict::Approve, "a suspension ends");
        c.standing.status = StandingStatus::Banned;
        refused(c.run("hi"), "no longer");
        c.standing = Standing::default();
        c.recent = vec![recent(120, "Same  TEXT")];
        refused(c.run("same text"), "already posted");
        c.recent = vec![recent(10, "other")];
        refused(c.run("hi"), "too fast");
        c.recent = (0..20)
            .map(|i| recent(60 + i * 60, &format!("c{i}")))
            .collect();
        refused(c.run("hi"), "last hour");
        c.recent.clear();
        c.settings.banned_words = vec!["darn".into(), "pig latin".into()];
        c.settings.suspect_words = vec!["scam".into()];
        refused(c.run("Well, Darn!"), "darn");
        refused(c.run("in pig  latin"), "pig latin");
        assert_eq!(c.run("darning socks"), Verdict::Approve, "whole words only");
        held(c.run("a scam?"), "scam");
        held(
            c.run("https://a.test https://b.test https://c.test"),
            "3 links",
        );
        c.approved = 0;
        held(c.run("hello"), "new member");
        c.approved = 5;
        c.standing.premoderate = true;
        held(c.run("hello"), "pre-moderation");
        c.standing.premoderate = false;
        c.since = now() - Duration::hours(1);
        held(
            c.run(
                "BUY NOW CHEAP WATCHES BEST PRICES EVER SEEN ONLINE https://x.test https://y.test",
            ),
            "spam score",
        );
    }

    #[test]
    fn staff_pass_the_holds_but_not_the_refusals() {
        let mut c = Case::new();
        c.role = Role::Moderator;
        c.approved = 0;
        c.settings.suspect_words = vec!["scam".into()];
        c.settings.banned_words = vec!["darn".into()];
        assert_eq!(
            c.run("a scam https://a.test https://b.test https://c.test"),
            Verdict::Approve
        );
        refused(c.run("darn"), "darn");
        c.mode = CommentMode::Closed;
        refused(c.run("hi"), "closed");
    }

    #[test]
    fn edits_skip_the_rate_limit_and_their_own_duplicate() {
        let mut c = Case::new();
        c.recent = vec![recent(5, "first version")];
        c.editing = Some(5);
        c.approved = 0;
        assert_eq!(c.run("first version"), Verdict::Approve);
    }

    #[test]
    fn articles_close_after_the_sites_days() {
        let s = CommentSettings {
            close_after_days: Some(3),
            ..Default::default()
        };
        let old = now() - Duration::days(4);
        assert_eq!(
            mode_at(CommentMode::Open, old, &s, now()),
            CommentMode::Closed
        );
        assert_eq!(
            mode_at(CommentMode::Open, now(), &s, now()),
            CommentMode::Open
        );
        assert_eq!(
            mode_at(CommentMode::Disabled, old, &s, now()),
            CommentMode::Disabled
        );
    }

    #[test]
    fn spam_heuristics_add_up() {
        let old = now() - Duration::days(10);
        assert_eq!(spam_score("a reasonable remark", 0, old, now()), 0);
        assert_eq!(spam_score("x", 3, old, now()), 4);
        assert_eq!(spam_score(&"buy ".repeat(25), 0, old, now()), 3);
        assert_eq!(
            spam_score("THIS IS ALL CAPITALS AND VERY LOUD INDEED", 0, old, now()),
            2
        );
        assert_eq!(spam_score("hi", 0, now(), now()), 2);
        assert_eq!(spam_score(&"q".repeat(45), 0, old, now()), 1);
    }
}
