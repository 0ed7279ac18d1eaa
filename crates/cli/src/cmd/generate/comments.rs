//! `kawaraban generate --comments N`: members, their comments (one in ten a
//! reply) and, for load tests, their signed-in sessions.

use std::io::Write as _;
use std::time::Instant;

use anyhow::Context as _;
use chrono::{Duration, Utc};
use kawaraban_core::model::*;
use kawaraban_core::store::Store;
use kawaraban_web::members::secrets::{new_token, token_hash};

use crate::cli::GenerateArgs;

const WORDS: &[&str] = &[
    "the", "ferry", "council", "budget", "station", "really", "should", "harbour", "festival",
    "rain", "train", "late", "again", "agree", "not", "sure", "about", "this", "good", "point",
    "read", "whole", "article", "numbers", "seem", "high", "my", "town", "too", "thanks",
];

/// A comment's text: a few sentences, different for every `i`.
fn text(i: u64) -> String {
    let mut x = i
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = || {
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51afd7ed558ccd);
        x ^= x >> 33;
        x
    };
    let n = 8 + (next() % 30) as usize;
    let words: Vec<&str> = (0..n)
        .map(|_| WORDS[(next() % WORDS.len() as u64) as usize])
        .collect();
    format!("Comment {i}: {}.", words.join(" "))
}

pub async fn generate(store: &dyn Store, site: &Site, args: &GenerateArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let now = Utc::now();
    let article = match &args.article {
        Some(slug) => store
            .article_by_slug(site.id, slug, now)
            .await?
            .with_context(|| format!("no published article {slug:?} on {}", site.key))?,
        None => {
            let newest = store
                .list_articles(
                    site.id,
                    ListFilter::All,
                    kawaraban_core::paging::PageRequest::new(1, 1),
                    now,
                )
                .await?;
            let first = newest
                .items
                .first()
                .context("the site has no published article")?;
            store
                .article_by_slug(site.id, &first.slug, now)
                .await?
                .context("the newest article vanished")?
        }
    };
    let role: Role = args
        .role
        .parse()
        .map_err(|e| anyhow::anyhow!("--role: {e}"))?;
    let (prefix, name) = if role == Role::Member {
        ("reader", "Reader")
    } else {
        (role.as_str(), "Staff")
    };
    let mut members = Vec::new();
    for n in 1..=args.members.max(1) {
        let email = format!("{prefix}-{n}@generated.invalid");
        let m = match store.member_by_email(&email).await? {
            Some(m) => m,
            None => {
                store
                    .create_member(
                        &NewMember {
                            email: email.clone(),
                            email_norm: email,
                            display_name: format!("{name} {n}"),
                            password_hash: None,
                            role,
                            verified: true,
                        },
                        now - Duration::days(60),
                    )
                    .await?
            }
        };
        members.push(m);
    }
    let mut tops: Vec<i64> = Vec::new();
    for i in 0..args.comments {
        let m = &members[(i % members.len() as u64) as usize];
        let parent =
            (i % 10 == 9 && !tops.is_empty()).then(|| tops[(i as usize * 7919) % tops.len()]);
        let body = text(i);
        let (c, _) = store
            .post_comment(
                &NewComment {
                    article_id: article.id,
                    member_id: m.id,
                    parent_id: parent,
                    body_html: kawaraban_core::comment_text::render(&body),
                    body_markdown: body,
                    status: CommentStatus::Visible,
                    spam_score: 0,
                    moderation_reason: String::new(),
                    submit_key: None,
                    notify_replies: false,
                },
                now - Duration::seconds((args.comments - i) as i64),
            )
            .await?;
        if parent.is_none() {
            tops.push(c.id);
        }
    }
    store
        .publish_invalidations(&[
            format!("article:{}", article.id),
            format!("list:{}", site.id),
        ])
        .await?;
    if args.comments > 0 {
        println!(
            "generated {} comments by {} members on {} in {:.2}s",
            args.comments,
            members.len(),
            article.path(),
            started.elapsed().as_secs_f64()
        );
    }
    if let Some(path) = &args.sessions {
        let mut out = std::fs::File::create(path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        for m in &members {
            let raw = new_token();
            store
                .create_session(&Session {
                    id_hash: token_hash(&raw),
                    member_id: m.id,
                    login_id: new_token(),
                    site_id: site.id,
                    user_agent: "kawaraban generate".into(),
                    ip: "127.0.0.1".into(),
                    created_at: now,
                    last_seen_at: now,
                    expires_at: now + Duration::days(1),
                })
                .await?;
            writeln!(out, "{raw}")?;
        }
        println!(
            "wrote {} session cookies to {}",
            members.len(),
            path.display()
        );
    }
    Ok(())
}
