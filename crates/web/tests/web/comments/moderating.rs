//! The moderators' side: the queue, reports, bans and suspensions, the
//! audit log.

use super::*;

#[tokio::test]
async fn a_new_members_first_comment_waits_for_a_moderator() {
    let app = TestApp::builder().start().await;
    let (mut ann, ann_m) = person(&app, "New Member", Role::Member).await;
    let (mut mo, _) = person(&app, "Mo Derator", Role::Moderator).await;
    let page = post(&mut ann, "Hello, first time here.", None).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("once a moderator has read it"),
        "{}",
        page.body
    );
    let c = last_of(&app, &ann_m).await;
    assert_eq!(c.status, CommentStatus::Pending);
    assert!(c.moderation_reason.contains("new member"));
    let (_, body) = app.page(ARTICLE).await;
    assert!(body.contains("0 Comments") && !body.contains("first time here"));
    // The moderator sees it in the queue with the reason, and approves it.
    let queue = mo.get("/moderation").await;
    assert_eq!(queue.status, 200);
    assert!(queue.body.contains("first time here"));
    assert!(queue.body.contains("new member"));
    let page = mo
        .submit(
            "/moderation",
            "/moderation",
            &[("act", &format!("approve:{}", c.id)), ("tab", "pending")],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("1 comment updated"));
    let (_, body) = app.page(ARTICLE).await;
    assert!(body.contains("first time here") && body.contains("1 Comment<"));
    // Members are not moderators; moderators do not read the audit log.
    assert_eq!(ann.get("/moderation").await.status, 403);
    assert_eq!(mo.get("/moderation/audit").await.status, 403);
    let (mut admin, _) = person(&app, "Ada Admin", Role::Admin).await;
    let audit = admin.get("/moderation/audit").await;
    assert!(audit.body.contains("comment.approve"));
    assert!(audit.body.contains(&format!("comment:{}", c.id)));
    assert!(audit.body.contains("Mo Derator"));
    app.stop().await;
}

#[tokio::test]
async fn a_bulk_action_with_nothing_ticked_says_so_on_the_queue() {
    let app = TestApp::builder().start().await;
    let (_, am) = person(&app, "Ann", Role::Member).await;
    let (mut mo, _) = person(&app, "Mo", Role::Moderator).await;
    let c = seed(&app, &am, "waiting its turn", CommentStatus::Pending, None).await;
    let page = mo
        .submit(
            "/moderation",
            "/moderation",
            &[("act", "approve"), ("tab", "reported")],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("tick at least one comment first"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Moderation"), "still the queue");
    assert_eq!(
        app.store.comment(c.id).await.unwrap().unwrap().status,
        CommentStatus::Pending
    );
    // A made-up problem code shows nothing.
    let queue = mo.get("/moderation?problem=%3Cscript%3E").await;
    assert!(!queue.body.contains("role=\"alert\""), "{}", queue.body);
    app.stop().await;
}

#[tokio::test]
async fn reports_reach_the_reported_queue_with_their_reasons() {
    let app = TestApp::builder().start().await;
    let (_, am) = person(&app, "Ann", Role::Member).await;
    let (mut ben, _) = person(&app, "Ben", Role::Member).await;
    let (mut mo, _) = person(&app, "Mo", Role::Moderator).await;
    let c = seed(
        &app,
        &am,
        "questionable claim",
        CommentStatus::Visible,
        None,
    )
    .await;
    let report = format!("/comments/{}/report", c.id);
    let page = ben
        .submit(
            &report,
            &report,
            &[
                ("reason", "misinformation"),
                ("details", "The dates are wrong."),
            ],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Thanks for your report"));
    let again = ben.submit(&report, &report, &[("reason", "spam")]).await;
    assert!(again.body.contains("already reported"));
    assert_eq!(
        ben.submit(&report, &report, &[("reason", "because")])
            .await
            .status,
        400
    );
    let queue = mo.get("/moderation?tab=reported").await;
    assert!(queue.body.contains("questionable claim"));
    assert!(queue.body.contains("misinformation: The dates are wrong."));
    assert!(queue.body.contains("Reported (1)"));
    // Approving a reported comment clears it from the tab.
    mo.submit(
        "/moderation?tab=reported",
        "/moderation",
        &[("act", &format!("approve:{}", c.id))],
    )
    .await;
    let queue = mo.get("/moderation?tab=reported").await;
    assert!(!queue.body.contains("questionable claim"));
    app.stop().await;
}

#[tokio::test]
async fn bans_and_suspensions_stop_a_member_and_reject_their_pending_comments() {
    let app = TestApp::builder().start().await;
    let (mut ann, am) = person(&app, "Ann", Role::Member).await;
    let (mut mo, _) = person(&app, "Mo", Role::Moderator).await;
    let p1 = seed(&app, &am, "pending one", CommentStatus::Pending, None).await;
    let p2 = seed(&app, &am, "pending two", CommentStatus::Pending, None).await;
    // A ban needs a reason: the queue says so, and nothing is decided.
    let page = mo
        .submit(
            "/moderation",
            "/moderation",
            &[("act", &format!("ban:{}", p1.id))],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("give a reason for a ban") && page.body.contains("role=\"alert\""),
        "{}",
        page.body
    );
    assert_eq!(
        app.store.comment(p1.id).await.unwrap().unwrap().status,
        CommentStatus::Pending
    );
    let reason = format!("reason-{}", p1.id);
    mo.submit(
        "/moderation",
        "/moderation",
        &[("act", &format!("ban:{}", p1.id)), (&reason, "spam run")],
    )
    .await;
    for id in [p1.id, p2.id] {
        assert_eq!(
            app.store.comment(id).await.unwrap().unwrap().status,
            CommentStatus::Rejected
        );
    }
    let page = post(&mut ann, "Let me back in.", None).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("no longer post"));
    // Restore, then suspend for a week from the member page.
    let member_page = format!("/moderation/members/{}", am.id);
    let page = mo.get(&member_page).await;
    assert!(page.body.contains("banned") && page.body.contains("pending one"));
    mo.submit(&member_page, &member_page, &[("act", "restore")])
        .await;
    let page = mo
        .submit(
            &member_page,
            &member_page,
            &[("act", "suspend"), ("days", "7"), ("reason", "cool off")],
        )
        .await;
    assert!(page.body.contains("suspended"));
    let page = post(&mut ann, "Still here.", None).await;
    assert!(page.body.contains("suspended from commenting until"));
    // Bulk: approve two at once.
    let (mut admin, _) = person(&app, "Ada", Role::Admin).await;
    let (_, bm) = person(&app, "Ben", Role::Member).await;
    let a = seed(&app, &bm, "bulk a", CommentStatus::Pending, None).await;
    let b = seed(&app, &bm, "bulk b", CommentStatus::Pending, None).await;
    let q = admin.get("/moderation").await;
    let page = admin
        .post(
            "/moderation",
            &[
                ("csrf", &q.csrf()),
                ("ids", &a.id.to_string()),
                ("ids", &b.id.to_string()),
                ("act", "approve"),
                ("reason", "fine"),
            ],
        )
        .await;
    assert!(page.body.contains("2 comments updated"));
    assert_eq!(
        app.store
            .comment_count(article_id(&app).await)
            .await
            .unwrap(),
        2
    );
    let audit = admin.get("/moderation/audit").await;
    for needle in [
        "member.ban",
        "member.restore",
        "member.suspend",
        "7 days; cool off",
        "comment.reject_pending",
    ] {
        assert!(audit.body.contains(needle), "{needle}");
    }
    app.stop().await;
}
