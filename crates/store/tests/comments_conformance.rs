//! Conformance suite for comments (posting, pages with cursors, replies,
//! statuses and the article's count, edits, votes, flags) and moderation
//! (`moderation.rs` beside this file), on the backend
//! chosen by `KAWARABAN_TEST_DB`.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use kawaraban_core::model::*;
use kawaraban_core::store::*;
use kawaraban_store::{connect, testing, ConnectOptions};

/// The moderators' side: queue, standing, rules, audit log.
#[path = "comments_conformance/moderation.rs"]
mod moderation;

struct Fixture {
    store: Arc<dyn Store>,
    article: i64,
    ann: i64,
    ben: i64,
    _dir: tempfile::TempDir,
}

fn at(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 3, 9, 0, 0).unwrap() + Duration::minutes(minute)
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let url = testing::fresh_database_url(dir.path()).await;
    let store = connect(&ConnectOptions {
        url,
        max_connections: 8,
    })
    .await
    .unwrap();
    let site = store
        .upsert_site(&NewSite {
            key: "news".into(),
            name: "News".into(),
            url: "http://news.localhost:8080".into(),
            time_zone: "Asia/Tokyo".into(),
            publisher: "Lanternfield Media".into(),
            tagline: String::new(),
            is_default: true,
        })
        .await
        .unwrap();
    let (section, _) = store
        .ensure_section(site.id, "national", "National")
        .await
        .unwrap();
    let article = store
        .upsert_article(&ArticleInput {
            site_id: site.id,
            section_id: section.id,
            slug: "ferry".into(),
            title: "Ferry".into(),
            summary: String::new(),
            dateline: String::new(),
            body_markdown: "Body.".into(),
            body_html: "<p>Body.</p>".into(),
            body_text: "Body.".into(),
            source: String::new(),
            copyright: String::new(),
            published_at: at(0),
            updated_at: None,
            status: Status::Published,
            featured: false,
            breaking: false,
            image_id: None,
            image_caption: String::new(),
            image_credit: String::new(),
            image_alt: String::new(),
            authors: vec![],
            tags: vec![],
            origin: "test".into(),
        })
        .await
        .unwrap()
        .id;
    let mut ids = Vec::new();
    for (email, name) in [("ann@example.test", "Ann"), ("ben@example.test", "Ben")] {
        let m = NewMember {
            email: email.into(),
            email_norm: email.into(),
            display_name: name.into(),
            password_hash: None,
            role: Role::Member,
            verified: true,
        };
        ids.push(store.create_member(&m, at(0)).await.unwrap().id);
    }
    Fixture {
        store,
        article,
        ann: ids[0],
        ben: ids[1],
        _dir: dir,
    }
}

fn new(
    f: &Fixture,
    member: i64,
    parent: Option<i64>,
    text: &str,
    status: CommentStatus,
) -> NewComment {
    NewComment {
        article_id: f.article,
        member_id: member,
        parent_id: parent,
        body_markdown: text.into(),
        body_html: format!("<p>{text}</p>"),
        status,
        spam_score: 0,
        moderation_reason: String::new(),
        submit_key: None,
        notify_replies: false,
    }
}

async fn post(
    f: &Fixture,
    member: i64,
    parent: Option<i64>,
    text: &str,
    status: CommentStatus,
    minute: i64,
) -> Comment {
    f.store
        .post_comment(&new(f, member, parent, text, status), at(minute))
        .await
        .unwrap()
        .0
}

#[tokio::test]
async fn posting_counts_only_visible_comments_and_statuses_keep_the_count() {
    let f = fixture().await;
    let a = post(&f, f.ann, None, "First", CommentStatus::Visible, 1).await;
    assert_eq!(
        (a.author_name.as_str(), a.status),
        ("Ann", CommentStatus::Visible)
    );
    let p = post(&f, f.ben, None, "Waiting", CommentStatus::Pending, 2).await;
    assert_eq!(f.store.comment_count(f.article).await.unwrap(), 1);
    f.store
        .set_comment_status(p.id, CommentStatus::Visible, "approved")
        .await
        .unwrap();
    assert_eq!(f.store.comment_count(f.article).await.unwrap(), 2);
    f.store
        .set_comment_status(a.id, CommentStatus::Rejected, "abuse")
        .await
        .unwrap();
    assert_eq!(f.store.comment_count(f.article).await.unwrap(), 1);
    assert!(matches!(
        f.store
            .set_comment_status(9999, CommentStatus::Visible, "")
            .await,
        Err(kawaraban_core::StoreError::NotFound)
    ));
}

#[tokio::test]
async fn the_same_form_sent_twice_stores_one_comment() {
    let f = fixture().await;
    let mut c = new(&f, f.ann, None, "Once", CommentStatus::Visible);
    c.submit_key = Some("form-1".into());
    let (first, created) = f.store.post_comment(&c, at(1)).await.unwrap();
    assert!(created);
    let (again, created) = f.store.post_comment(&c, at(2)).await.unwrap();
    assert!(!created);
    assert_eq!(first.id, again.id);
    // Concurrently too.
    c.submit_key = Some("form-2".into());
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (s, c) = (f.store.clone(), c.clone());
            tokio::spawn(async move { s.post_comment(&c, at(3)).await.map(|r| r.1) })
        })
        .collect();
    let mut created = 0;
    for t in tasks {
        // A loser of the race may see a conflict; none may create a second row.
        if let Ok(Ok(true)) = t.await {
            created += 1;
        }
    }
    assert_eq!(created, 1);
    assert_eq!(f.store.comment_count(f.article).await.unwrap(), 2);
}

#[tokio::test]
async fn pages_follow_each_sort_with_stable_cursors() {
    let f = fixture().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            post(&f, f.ann, None, &format!("c{i}"), CommentStatus::Visible, i)
                .await
                .id,
        );
    }
    post(&f, f.ben, None, "pending", CommentStatus::Pending, 9).await;
    for (voter, comment) in [(f.ben, ids[1]), (f.ann, ids[1]), (f.ben, ids[3])] {
        assert!(f.store.vote(comment, voter, 1).await.unwrap());
    }
    let page = |sort, after| {
        let f = &f;
        async move {
            f.store
                .top_comments(f.article, sort, after, 2)
                .await
                .unwrap()
                .iter()
                .map(|c| c.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(page(CommentSort::Newest, None).await, vec![ids[4], ids[3]]);
    assert_eq!(
        page(
            CommentSort::Newest,
            Some(CommentCursor {
                key: ids[3],
                id: ids[3]
            })
        )
        .await,
        vec![ids[2], ids[1]]
    );
    assert_eq!(page(CommentSort::Oldest, None).await, vec![ids[0], ids[1]]);
    assert_eq!(
        page(
            CommentSort::Oldest,
            Some(CommentCursor {
                key: ids[1],
                id: ids[1]
            })
        )
        .await,
        vec![ids[2], ids[3]]
    );
    assert_eq!(
        page(CommentSort::MostLiked, None).await,
        vec![ids[1], ids[3]]
    );
    assert_eq!(
        page(
            CommentSort::MostLiked,
            Some(CommentCursor { key: 1, id: ids[3] })
        )
        .await,
        vec![ids[4], ids[2]]
    );
}

#[tokio::test]
async fn replies_are_threaded_and_a_deleted_parent_with_replies_stays_as_a_placeholder() {
    let f = fixture().await;
    let parent = post(&f, f.ann, None, "Parent", CommentStatus::Visible, 1).await;
    let lonely = post(&f, f.ann, None, "Lonely", CommentStatus::Visible, 2).await;
    let r1 = post(
        &f,
        f.ben,
        Some(parent.id),
        "Reply",
        CommentStatus::Visible,
        3,
    )
    .await;
    post(
        &f,
        f.ben,
        Some(parent.id),
        "Held",
        CommentStatus::Pending,
        4,
    )
    .await;
    let replies = f.store.replies(&[parent.id, lonely.id]).await.unwrap();
    assert_eq!(
        replies.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![r1.id]
    );
    f.store
        .set_comment_status(parent.id, CommentStatus::Deleted, "by its author")
        .await
        .unwrap();
    f.store
        .set_comment_status(lonely.id, CommentStatus::Deleted, "by its author")
        .await
        .unwrap();
    let top = f
        .store
        .top_comments(f.article, CommentSort::Oldest, None, 10)
        .await
        .unwrap();
    assert_eq!(
        top.iter().map(|c| (c.id, c.status)).collect::<Vec<_>>(),
        vec![(parent.id, CommentStatus::Deleted)]
    );
    assert_eq!(
        f.store.comment_count(f.article).await.unwrap(),
        1,
        "only the reply is visible"
    );
    assert!(f.store.replies(&[]).await.unwrap().is_empty());
}

#[tokio::test]
async fn edits_belong_to_the_author_and_the_second_of_two_concurrent_edits_loses() {
    let f = fixture().await;
    let c = post(&f, f.ann, None, "Typo", CommentStatus::Visible, 1).await;
    assert!(!f
        .store
        .edit_comment(c.id, f.ben, "Hijack", "<p>Hijack</p>", None, at(2))
        .await
        .unwrap());
    assert!(f
        .store
        .edit_comment(c.id, f.ann, "Fixed", "<p>Fixed</p>", None, at(2))
        .await
        .unwrap());
    // A second editor who also saw the unedited comment loses.
    assert!(!f
        .store
        .edit_comment(c.id, f.ann, "Other", "<p>Other</p>", None, at(3))
        .await
        .unwrap());
    let now = f.store.comment(c.id).await.unwrap().unwrap();
    assert_eq!(
        (now.body_markdown.as_str(), now.edited_at),
        ("Fixed", Some(at(2)))
    );
    assert!(f
        .store
        .edit_comment(c.id, f.ann, "Again", "<p>Again</p>", now.edited_at, at(4))
        .await
        .unwrap());
}

#[tokio::test]
async fn votes_and_flags_count_once_per_member() {
    let f = fixture().await;
    let c = post(&f, f.ann, None, "Vote", CommentStatus::Visible, 1).await;
    assert!(f.store.vote(c.id, f.ben, 1).await.unwrap());
    assert!(!f.store.vote(c.id, f.ben, -1).await.unwrap());
    assert!(f.store.vote(c.id, f.ann, -1).await.unwrap());
    assert!(!f.store.vote(c.id, f.ann, 0).await.unwrap());
    assert!(f.store.flag(c.id, f.ben, "spam", at(2)).await.unwrap());
    assert!(!f
        .store
        .flag(c.id, f.ben, "spam again", at(3))
        .await
        .unwrap());
    let c = f.store.comment(c.id).await.unwrap().unwrap();
    assert_eq!((c.likes, c.dislikes, c.flags), (1, 1, 1));
}

#[tokio::test]
async fn comments_of_a_deleted_member_stay_as_a_former_member() {
    let f = fixture().await;
    let c = post(&f, f.ben, None, "Mine", CommentStatus::Visible, 1).await;
    f.store.delete_member(f.ben).await.unwrap();
    let c = f.store.comment(c.id).await.unwrap().unwrap();
    assert_eq!((c.member_id, c.author_name.as_str()), (None, ""));
    assert_eq!(f.store.comment_count(f.article).await.unwrap(), 1);
}

#[tokio::test]
async fn withdrawn_votes_no_longer_count() {
    let f = fixture().await;
    let liked = post(&f, f.ann, None, "Liked", CommentStatus::Visible, 1).await;
    let disliked = post(&f, f.ann, None, "Disliked", CommentStatus::Visible, 2).await;
    let other = post(&f, f.ben, None, "Other", CommentStatus::Visible, 3).await;
    assert!(f.store.vote(liked.id, f.ben, 1).await.unwrap());
    assert!(f.store.vote(disliked.id, f.ben, -1).await.unwrap());
    assert!(f.store.vote(other.id, f.ann, 1).await.unwrap());
    assert_eq!(
        f.store.withdraw_votes_of(f.ben).await.unwrap(),
        vec![f.article]
    );
    let counts = |c: Comment| (c.likes, c.dislikes);
    for (id, want) in [
        (liked.id, (0, 0)),
        (disliked.id, (0, 0)),
        (other.id, (1, 0)),
    ] {
        assert_eq!(counts(f.store.comment(id).await.unwrap().unwrap()), want);
    }
    // The votes are gone, not just uncounted: nothing is taken twice.
    assert!(f.store.withdraw_votes_of(f.ben).await.unwrap().is_empty());
    assert_eq!(
        counts(f.store.comment(other.id).await.unwrap().unwrap()),
        (1, 0)
    );
}
