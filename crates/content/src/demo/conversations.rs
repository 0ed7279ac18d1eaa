//! The demo's readers and their comments (`demo/comments.yaml`), installed
//! with the demo articles so that a fresh demo shows conversations.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use kawaraban_core::model::{CommentStatus, NewComment, NewMember, Role};
use kawaraban_core::store::Store;
use serde::Deserialize;

static CONVERSATIONS: &str = include_str!("../../../../demo/comments.yaml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Conversations {
    readers: Vec<String>,
    threads: Vec<Thread>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Thread {
    site: String,
    article: String,
    comments: Vec<Said>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Said {
    by: String,
    minutes: i64,
    text: String,
    #[serde(default)]
    likes: usize,
    #[serde(default)]
    dislikes: usize,
    #[serde(default)]
    replies: Vec<Said>,
}

fn email_of(name: &str) -> String {
    format!(
        "{}@readers.lanternfield.invalid",
        name.to_lowercase().replace(' ', ".")
    )
}

/// Stores the readers and their comments; returns how many comments.
pub async fn install(store: &Arc<dyn Store>, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let c: Conversations = serde_yaml::from_str(CONVERSATIONS)
        .map_err(|e| anyhow::anyhow!("demo/comments.yaml: {e}"))?;
    let mut readers = Vec::new();
    for name in &c.readers {
        let email = email_of(name);
        let m = match store.member_by_email(&email).await? {
            Some(m) => m,
            None => {
                store
                    .create_member(
                        &NewMember {
                            email: email.clone(),
                            email_norm: email,
                            display_name: name.clone(),
                            password_hash: None,
                            role: Role::Member,
                            verified: true,
                        },
                        now - Duration::days(90),
                    )
                    .await?
            }
        };
        readers.push(m);
    }
    let sites = store.list_sites().await?;
    let mut n = 0;
    for t in &c.threads {
        let site = sites
            .iter()
            .find(|s| s.key == t.site)
            .ok_or_else(|| anyhow::anyhow!("demo/comments.yaml: no site {:?}", t.site))?;
        let article = store
            .article_by_slug(site.id, &t.article, now)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo/comments.yaml: no article {:?}", t.article))?;
        // Flattened (a reply knows its comment's place), then posted in
        // time order so that ids follow time as they do for real comments.
        let mut flat: Vec<(&Said, Option<usize>)> = Vec::new();
        for top in &t.comments {
            let at = flat.len();
            flat.push((top, None));
            flat.extend(top.replies.iter().map(|r| (r, Some(at))));
        }
        let mut order: Vec<usize> = (0..flat.len()).collect();
        order.sort_by_key(|&i| flat[i].0.minutes);
        let mut stored_ids: Vec<Option<i64>> = vec![None; flat.len()];
        for i in order {
            let (s, parent) = flat[i];
            let author = readers
                .iter()
                .find(|m| m.display_name == s.by)
                .ok_or_else(|| anyhow::anyhow!("demo/comments.yaml: no reader {:?}", s.by))?;
            let parent_id = match parent {
                Some(p) => Some(stored_ids[p].ok_or_else(|| {
                    anyhow::anyhow!(
                        "demo/comments.yaml: a reply to {:?} is older than it",
                        flat[p].0.by
                    )
                })?),
                None => None,
            };
            let text = s.text.trim().to_string();
            let (stored, _) = store
                .post_comment(
                    &NewComment {
                        article_id: article.id,
                        member_id: author.id,
                        parent_id,
                        body_html: kawaraban_core::comment_text::render(&text),
                        body_markdown: text,
                        status: CommentStatus::Visible,
                        spam_score: 0,
                        moderation_reason: String::new(),
                        submit_key: None,
                        notify_replies: false,
                    },
                    (article.published_at + Duration::minutes(s.minutes)).min(now),
                )
                .await?;
            stored_ids[i] = Some(stored.id);
            let voters = readers.iter().filter(|m| m.id != author.id);
            for (k, voter) in voters.enumerate().take(s.likes + s.dislikes) {
                store
                    .vote(stored.id, voter.id, if k < s.likes { 1 } else { -1 })
                    .await?;
            }
            n += 1;
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_conversations_file_parses_and_names_known_readers() {
        let c: super::Conversations = serde_yaml::from_str(super::CONVERSATIONS).unwrap();
        let mut names = Vec::new();
        let mut stack: Vec<&super::Said> = c.threads.iter().flat_map(|t| &t.comments).collect();
        while let Some(s) = stack.pop() {
            names.push(&s.by);
            stack.extend(&s.replies);
            assert!(s.likes + s.dislikes < c.readers.len());
        }
        assert!(names.iter().all(|n| c.readers.contains(n)));
    }
}
