//! What API v1's lists ask of the store: members found by address or name
//! a page at a time, and an article's comments, every one or the visible
//! ones, a page at a time.

use super::stories::editor;
use super::*;

async fn named(store: &dyn Store, email: &str, name: &str) -> Member {
    store
        .create_member(
            &NewMember {
                email: email.into(),
                email_norm: email.to_lowercase(),
                display_name: name.into(),
                password_hash: Some("$argon2id$not-for-lists".into()),
                role: Role::Member,
                verified: true,
            },
            t(1, 0),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn members_are_found_by_every_word_of_address_or_name_oldest_first_after_a_cursor() {
    let db = db().await;
    let store = &*db.store;
    let ann = named(store, "Ann@Example.test", "Annika Sato").await;
    let bo = named(store, "bo@example.test", "Bo Annikason").await;
    let cy = named(store, "cy_100%@example.test", "Cy Other").await;
    let ids = |l: Vec<Member>| l.into_iter().map(|m| m.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store.find_members("", None, 10).await.unwrap()),
        [ann.id, bo.id, cy.id]
    );
    assert_eq!(
        ids(store.find_members("ANNIKA", None, 10).await.unwrap()),
        [ann.id, bo.id]
    );
    assert_eq!(
        ids(store.find_members("annika sato", None, 10).await.unwrap()),
        [ann.id]
    );
    assert_eq!(
        ids(store.find_members("ann@example", None, 10).await.unwrap()),
        [ann.id]
    );
    assert_eq!(
        ids(store.find_members("annika", Some(ann.id), 1).await.unwrap()),
        [bo.id]
    );
    assert_eq!(
        ids(store.find_members("annika", None, 1).await.unwrap()),
        [ann.id]
    );
    // LIKE's own characters are only themselves.
    assert_eq!(
        ids(store.find_members("_100%", None, 10).await.unwrap()),
        [cy.id]
    );
    assert!(store
        .find_members("%", None, 10)
        .await
        .unwrap()
        .iter()
        .all(|m| m.id == cy.id));
    assert!(store
        .find_members("nobody", None, 10)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn an_articles_comments_come_oldest_first_all_or_visible_only_after_a_cursor() {
    let db = db().await;
    let store = &*db.store;
    let (site, section) = site_and_section(store).await;
    let article = store
        .upsert_article(&input(&site, &section, "ferry", "Ferry", "Body.", t(2, 9)))
        .await
        .unwrap()
        .id;
    let other = store
        .upsert_article(&input(&site, &section, "rail", "Rail", "Body.", t(2, 10)))
        .await
        .unwrap()
        .id;
    let kenji = editor(store, "Kenji").await;
    let post = |article_id: i64, status: CommentStatus, parent_id: Option<i64>| {
        let c = NewComment {
            article_id,
            member_id: kenji.id,
            parent_id,
            body_markdown: "Words.".into(),
            body_html: "<p>Words.</p>".into(),
            status,
            spam_score: 0,
            moderation_reason: String::new(),
            submit_key: None,
            notify_replies: false,
        };
        async move { store.post_comment(&c, t(3, 9)).await.unwrap().0.id }
    };
    let first = post(article, CommentStatus::Visible, None).await;
    let held = post(article, CommentStatus::Pending, Some(first)).await;
    let reply = post(article, CommentStatus::Visible, Some(first)).await;
    let refused = post(article, CommentStatus::Rejected, None).await;
    post(other, CommentStatus::Visible, None).await;
    let ids = |l: Vec<Comment>| l.into_iter().map(|c| c.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store
            .article_comments(article, false, None, 10)
            .await
            .unwrap()),
        [first, reply]
    );
    assert_eq!(
        ids(store
            .article_comments(article, true, None, 10)
            .await
            .unwrap()),
        [first, held, reply, refused]
    );
    assert_eq!(
        ids(store
            .article_comments(article, true, Some(held), 1)
            .await
            .unwrap()),
        [reply]
    );
    assert_eq!(
        ids(store
            .article_comments(article, false, Some(first), 10)
            .await
            .unwrap()),
        [reply]
    );
    let all = store
        .article_comments(article, true, None, 10)
        .await
        .unwrap();
    assert_eq!(all[1].status, CommentStatus::Pending);
    assert_eq!(all[1].author_name, "Kenji");
}
