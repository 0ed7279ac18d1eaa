use super::*;

#[tokio::test]
async fn the_queue_has_its_tabs_counts_and_pages() {
    let f = fixture().await;
    let site = f
        .store
        .article_ref(f.article, at(60))
        .await
        .unwrap()
        .unwrap()
        .site_id;
    let p1 = post(&f, f.ann, None, "held one", CommentStatus::Pending, 1).await;
    let p2 = post(&f, f.ben, None, "held two", CommentStatus::Pending, 2).await;
    let v = post(&f, f.ann, None, "shown", CommentStatus::Visible, 3).await;
    let r = post(&f, f.ben, None, "refused", CommentStatus::Rejected, 4).await;
    assert!(f
        .store
        .flag(v.id, f.ben, "spam: adverts", at(5))
        .await
        .unwrap());
    assert_eq!(f.store.queue_counts(site).await.unwrap(), (2, 1, 1));
    let pending = f
        .store
        .queue(site, QueueFilter::Pending, None, 10)
        .await
        .unwrap();
    let ids: Vec<i64> = pending.iter().map(|i| i.comment.id).collect();
    assert_eq!(ids, vec![p2.id, p1.id], "newest first");
    assert_eq!(pending[0].article_path, "/national/ferry");
    assert_eq!(pending[0].article_title, "Ferry");
    let page2 = f
        .store
        .queue(site, QueueFilter::Pending, Some(p2.id), 10)
        .await
        .unwrap();
    assert_eq!(
        page2.iter().map(|i| i.comment.id).collect::<Vec<_>>(),
        vec![p1.id]
    );
    let reported = f
        .store
        .queue(site, QueueFilter::Reported, None, 10)
        .await
        .unwrap();
    assert_eq!(reported.len(), 1);
    assert_eq!(reported[0].flag_reasons, vec!["spam: adverts".to_string()]);
    let rejected = f
        .store
        .queue(site, QueueFilter::Rejected, None, 10)
        .await
        .unwrap();
    assert_eq!(rejected[0].comment.id, r.id);
    assert_eq!(
        f.store
            .queue(site, QueueFilter::All, None, 10)
            .await
            .unwrap()
            .len(),
        4
    );
    f.store.clear_flags(v.id).await.unwrap();
    assert_eq!(f.store.queue_counts(site).await.unwrap(), (2, 0, 1));
    assert!(f
        .store
        .queue(site + 1000, QueueFilter::All, None, 10)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn posting_history_sees_the_last_hour_and_counts_approved_comments() {
    let f = fixture().await;
    post(&f, f.ann, None, "old", CommentStatus::Visible, 0).await;
    post(&f, f.ann, None, "held", CommentStatus::Pending, 70).await;
    post(&f, f.ann, None, "recent", CommentStatus::Visible, 80).await;
    post(&f, f.ben, None, "other member", CommentStatus::Visible, 81).await;
    let (recent, approved) = f.store.posting_history(f.ann, at(30)).await.unwrap();
    let texts: Vec<&str> = recent.iter().map(|r| r.body_markdown.as_str()).collect();
    assert_eq!(texts, vec!["recent", "held"]);
    assert_eq!(recent[0].created_at, at(80));
    assert_eq!(approved, 2);
    let mine = f.store.member_comments(f.ann, 2).await.unwrap();
    assert_eq!(
        mine.iter()
            .map(|c| c.body_markdown.as_str())
            .collect::<Vec<_>>(),
        vec!["recent", "held"]
    );
}

#[tokio::test]
async fn standing_round_trips_and_a_ban_rejects_pending_comments() {
    let f = fixture().await;
    assert_eq!(f.store.standing(f.ann).await.unwrap(), Standing::default());
    let s = Standing {
        status: StandingStatus::Suspended,
        until: Some(at(600)),
        premoderate: true,
        reason: "cool off".into(),
    };
    f.store.set_standing(f.ann, &s, at(1)).await.unwrap();
    assert_eq!(f.store.standing(f.ann).await.unwrap(), s);
    assert_eq!(s.at(at(599)), StandingStatus::Suspended);
    assert_eq!(s.at(at(600)), StandingStatus::Active);
    post(&f, f.ann, None, "a", CommentStatus::Pending, 2).await;
    post(&f, f.ann, None, "b", CommentStatus::Pending, 3).await;
    let kept = post(&f, f.ann, None, "c", CommentStatus::Visible, 4).await;
    post(&f, f.ben, None, "d", CommentStatus::Pending, 5).await;
    assert_eq!(f.store.reject_pending_of(f.ann, "banned").await.unwrap(), 2);
    assert_eq!(
        f.store.comment(kept.id).await.unwrap().unwrap().status,
        CommentStatus::Visible
    );
    let site = f
        .store
        .article_ref(f.article, at(60))
        .await
        .unwrap()
        .unwrap()
        .site_id;
    assert_eq!(
        f.store.queue_counts(site).await.unwrap().0,
        1,
        "Ben's stays pending"
    );
}

#[tokio::test]
async fn removing_a_members_comments_recounts_and_keeps_others() {
    let f = fixture().await;
    let site = f
        .store
        .article_ref(f.article, at(60))
        .await
        .unwrap()
        .unwrap()
        .site_id;
    post(&f, f.ann, None, "ann 1", CommentStatus::Visible, 1).await;
    post(&f, f.ann, None, "ann 2", CommentStatus::Visible, 2).await;
    post(&f, f.ben, None, "ben", CommentStatus::Visible, 3).await;
    assert_eq!(f.store.comment_count(f.article).await.unwrap(), 3);
    assert_eq!(
        f.store
            .remove_comments_of(f.ann, site + 1000)
            .await
            .unwrap(),
        Vec::<i64>::new()
    );
    assert_eq!(
        f.store.remove_comments_of(f.ann, site).await.unwrap(),
        vec![f.article]
    );
    assert_eq!(f.store.comment_count(f.article).await.unwrap(), 1);
    let gone = f.store.member_comments(f.ann, 5).await.unwrap();
    assert!(gone
        .iter()
        .all(|c| c.status == CommentStatus::Deleted && c.body_html.is_empty()));
}

#[tokio::test]
async fn comment_settings_round_trip_per_site() {
    let f = fixture().await;
    let site = f
        .store
        .article_ref(f.article, at(60))
        .await
        .unwrap()
        .unwrap()
        .site_id;
    assert_eq!(
        f.store.comment_settings(site).await.unwrap(),
        CommentSettings::default()
    );
    let s = CommentSettings {
        close_after_days: Some(7),
        premoderate_first: 3,
        deleted_members: DeletedMembers::Remove,
        min_interval_secs: 10,
        per_hour: 5,
        max_links: 1,
        banned_words: vec!["blight".into(), "pig latin".into()],
        suspect_words: vec!["lottery".into()],
        spam_threshold: 4,
    };
    let before = f.store.latest_invalidation_id().await.unwrap();
    f.store.set_comment_settings(site, &s).await.unwrap();
    assert_eq!(f.store.comment_settings(site).await.unwrap(), s);
    // Pages show the rules: every app server is told to reload them.
    let told = f.store.invalidations_since(before).await.unwrap();
    assert_eq!(
        told.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>(),
        [format!("nav:{site}")]
    );
    assert!(matches!(
        f.store.comment_settings(site + 1000).await,
        Err(kawaraban_core::StoreError::NotFound)
    ));
    assert!(f.store.set_comment_settings(site + 1000, &s).await.is_err());
}

#[tokio::test]
async fn the_audit_log_reads_newest_first_in_pages() {
    let f = fixture().await;
    let mo = f.store.member_by_id(f.ben).await.unwrap().unwrap();
    for i in 0..5 {
        f.store
            .audit(
                Some(&mo),
                "comment.reject",
                &format!("comment:{i}"),
                "rude",
                at(i),
            )
            .await
            .unwrap();
    }
    f.store
        .audit(None, "member.restore", "member:1", "", at(9))
        .await
        .unwrap();
    let first = f.store.audit_log(None, 4).await.unwrap();
    assert_eq!(first.len(), 4);
    assert_eq!(first[0].actor_name, "system");
    assert_eq!(first[1].actor_name, "Ben <ben@example.test>");
    assert_eq!(first[1].actor_id, Some(f.ben));
    assert_eq!(first[1].target, "comment:4");
    assert_eq!(first[1].created_at, at(4));
    let rest = f.store.audit_log(Some(first[3].id), 4).await.unwrap();
    assert_eq!(
        rest.iter().map(|e| e.target.as_str()).collect::<Vec<_>>(),
        vec!["comment:1", "comment:0"]
    );
}

#[tokio::test]
async fn forms_are_found_by_their_key_and_articles_by_id() {
    let f = fixture().await;
    let mut n = new(&f, f.ann, None, "keyed", CommentStatus::Visible);
    n.submit_key = Some("k-1".into());
    n.notify_replies = true;
    let (c, _) = f.store.post_comment(&n, at(1)).await.unwrap();
    assert!(c.notify_replies);
    assert_eq!(
        f.store
            .comment_by_key(f.ann, "k-1")
            .await
            .unwrap()
            .unwrap()
            .id,
        c.id
    );
    assert!(f
        .store
        .comment_by_key(f.ben, "k-1")
        .await
        .unwrap()
        .is_none());
    let a = f
        .store
        .article_ref(f.article, at(60))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (a.path(), a.comment_mode),
        ("/national/ferry".to_string(), CommentMode::Open)
    );
    f.store
        .set_comment_mode(f.article, CommentMode::Closed)
        .await
        .unwrap();
    assert_eq!(
        f.store
            .article_ref(f.article, at(60))
            .await
            .unwrap()
            .unwrap()
            .comment_mode,
        CommentMode::Closed
    );
    assert!(
        f.store
            .article_ref(f.article, at(-60))
            .await
            .unwrap()
            .is_none(),
        "not yet published"
    );
}
