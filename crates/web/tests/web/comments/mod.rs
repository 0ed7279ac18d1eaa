//! Comments over HTTP: the section under the article, posting and replying,
//! the moderation pipeline's answers, votes, reports, edits, deletion,
//! pages and permalinks, in-place posting (JSON), reply emails, and bad
//! input of every kind.

mod moderating;
mod posting;
mod reading;

use chrono::Duration;
use kawaraban_core::model::*;
use kawaraban_web::members::secrets::{new_token, token_hash};

use crate::browser::{Browser, Page};
use crate::members::{address, NEWS};
use crate::support::*;

pub const ARTICLE: &str = "/national/rail-line-reopens";

pub fn news_id(app: &TestApp) -> i64 {
    app.state
        .network
        .get()
        .sites
        .iter()
        .find(|s| s.key == "news")
        .unwrap()
        .id
}

pub async fn article_id(app: &TestApp) -> i64 {
    app.store
        .article_by_slug(news_id(app), "rail-line-reopens", now())
        .await
        .unwrap()
        .unwrap()
        .id
}

/// A verified member with this role, signed in on the news site.
pub async fn person<'a>(app: &'a TestApp, name: &str, role: Role) -> (Browser<'a>, Member) {
    let email = address(
        &name
            .to_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), ""),
    );
    let m = app
        .store
        .create_member(
            &NewMember {
                email_norm: kawaraban_core::identity::parse_email(&email).unwrap().norm,
                email,
                display_name: name.into(),
                password_hash: None,
                role,
                verified: true,
            },
            now() - Duration::days(30),
        )
        .await
        .unwrap();
    let b = signed_in_browser(app, &m, now()).await;
    (b, m)
}

/// A browser with a session of `m` on the news site, signed in at `at`.
pub async fn signed_in_browser<'a>(app: &'a TestApp, m: &Member, at: DateTime<Utc>) -> Browser<'a> {
    signed_in_on(app, m, at, "news").await
}

/// A browser with a session of `m` on the site `key`, signed in at `at`.
pub async fn signed_in_on<'a>(
    app: &'a TestApp,
    m: &Member,
    at: DateTime<Utc>,
    key: &str,
) -> Browser<'a> {
    let site = app
        .state
        .network
        .get()
        .sites
        .iter()
        .find(|s| s.key == key)
        .expect("a site")
        .clone();
    let raw = new_token();
    app.store
        .create_session(&Session {
            id_hash: token_hash(&raw),
            member_id: m.id,
            login_id: new_token(),
            site_id: site.id,
            user_agent: "test".into(),
            ip: "127.0.0.1".into(),
            created_at: at,
            last_seen_at: now(),
            expires_at: now() + Duration::days(1),
        })
        .await
        .unwrap();
    let mut b = Browser::new(app, &format!("{}:8080", site.host()));
    b.plant(&site.host(), "kw_session", &raw);
    b
}

/// Rules that let tests post quickly: no new-member hold, no rate limit.
pub async fn relaxed(app: &TestApp) {
    let s = CommentSettings {
        premoderate_first: 0,
        min_interval_secs: 0,
        per_hour: 10_000,
        ..Default::default()
    };
    app.store
        .set_comment_settings(news_id(app), &s)
        .await
        .unwrap();
}

/// Posts through the article's own form (its CSRF token and submit key).
pub async fn post(b: &mut Browser<'_>, body: &str, parent: Option<i64>) -> Page {
    let page = b.get(ARTICLE).await;
    assert_eq!(page.status, 200);
    let (csrf, key, article) = (page.csrf(), page.input("key"), page.input("article"));
    let parent = parent.map(|p| p.to_string()).unwrap_or_default();
    b.post(
        "/comments",
        &[
            ("csrf", &csrf),
            ("article", &article),
            ("key", &key),
            ("body", body),
            ("parent", &parent),
        ],
    )
    .await
}

/// The newest comment of a member, from the store.
pub async fn last_of(app: &TestApp, m: &Member) -> Comment {
    app.store.member_comments(m.id, 1).await.unwrap().remove(0)
}

pub async fn seed(
    app: &TestApp,
    m: &Member,
    body: &str,
    status: CommentStatus,
    parent: Option<i64>,
) -> Comment {
    let c = app
        .store
        .post_comment(
            &NewComment {
                article_id: article_id(app).await,
                member_id: m.id,
                parent_id: parent,
                body_markdown: body.into(),
                body_html: kawaraban_core::comment_text::render(body),
                status,
                spam_score: 0,
                moderation_reason: String::new(),
                submit_key: None,
                notify_replies: false,
            },
            now(),
        )
        .await
        .unwrap()
        .0;
    // Written behind the application's back: refresh its pages as it would.
    let tags = [
        format!("article:{}", c.article_id),
        format!("list:{}", news_id(app)),
    ];
    app.state
        .apply_invalidations(tags.iter().map(String::as_str))
        .await;
    c
}
