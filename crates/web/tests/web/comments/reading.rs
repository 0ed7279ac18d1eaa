//! Reading comments: the empty section, sorting, likes and dislikes, load
//! more and permalinks.

use super::*;

#[tokio::test]
async fn anonymous_readers_see_an_empty_section_and_the_login_block() {
    let app = TestApp::builder().start().await;
    let (status, body) = app.page(ARTICLE).await;
    assert_eq!(status, 200);
    assert!(body.contains("0 Comments"));
    assert!(body.contains("No comments yet."));
    assert!(body.contains("Sign in to leave a comment"));
    assert!(body.contains("Forgot password?"));
    assert!(body.contains("/register?next=/national/rail-line-reopens%23comments"));
    assert!(body.contains("/login?next=/national/rail-line-reopens%23comments"));
    assert!(
        !body.contains("name=\"body\""),
        "no comment form for anonymous readers"
    );
    app.stop().await;
}

#[tokio::test]
async fn likes_and_dislikes_once_never_on_ones_own() {
    let app = TestApp::builder().start().await;
    relaxed(&app).await;
    let (mut ann, am) = person(&app, "Ann", Role::Member).await;
    let (mut ben, _) = person(&app, "Ben", Role::Member).await;
    let first = seed(&app, &am, "liked one", CommentStatus::Visible, None).await;
    let second = seed(&app, &am, "plain one", CommentStatus::Visible, None).await;
    let vote = |id: i64| format!("/comments/{id}/vote");
    let page = ann
        .submit(ARTICLE, &vote(first.id), &[("value", "1")])
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("your own comment"));
    let page = ben
        .submit(ARTICLE, &vote(first.id), &[("value", "1")])
        .await;
    assert_eq!(page.status, 200);
    let page = ben
        .submit(ARTICLE, &vote(first.id), &[("value", "-1")])
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("already voted"));
    let c = app.store.comment(first.id).await.unwrap().unwrap();
    assert_eq!((c.likes, c.dislikes), (1, 0));
    // Most liked first; newest first by default.
    let (_, liked) = app.page(&format!("{ARTICLE}/comments?sort=liked")).await;
    assert!(liked.find("liked one").unwrap() < liked.find("plain one").unwrap());
    let (_, newest) = app.page(ARTICLE).await;
    assert!(newest.find("plain one").unwrap() < newest.find("liked one").unwrap());
    let (_, oldest) = app.page(&format!("{ARTICLE}/comments?sort=oldest")).await;
    assert!(oldest.find("liked one").unwrap() < oldest.find("plain one").unwrap());
    assert_eq!(
        app.page(&format!("{ARTICLE}/comments?sort=best")).await.0,
        400
    );
    assert_eq!(
        ben.submit(ARTICLE, &vote(second.id), &[("value", "7")])
            .await
            .status,
        400
    );
    app.stop().await;
}

#[tokio::test]
async fn load_more_pages_without_gaps_or_repeats_and_permalinks_open_at_the_comment() {
    let app = TestApp::builder().start().await;
    let (_, am) = person(&app, "Ann", Role::Member).await;
    let mut ids = Vec::new();
    for i in 0..45 {
        ids.push(
            seed(
                &app,
                &am,
                &format!("comment number {i:02}"),
                CommentStatus::Visible,
                None,
            )
            .await
            .id,
        );
    }
    let (_, first) = app.page(ARTICLE).await;
    assert!(first.contains("45 Comments"));
    let mut seen = Vec::new();
    let mut body = first;
    loop {
        for i in 0..45 {
            if body.contains(&format!("comment number {i:02}<")) {
                seen.push(i);
            }
        }
        let Some(at) = body.find("rel=\"next\" href=\"") else {
            break;
        };
        let rest = &body[at + 17..];
        let next = rest[..rest.find('"').unwrap()]
            .replace("&amp;", "&")
            .replace("&#x2f;", "/");
        let next = next.split('#').next().unwrap().to_string();
        let (status, b) = app.page(&next).await;
        assert_eq!(status, 200, "{next}");
        body = b;
    }
    seen.sort();
    assert_eq!(
        seen,
        (0..45).collect::<Vec<_>>(),
        "each comment exactly once"
    );
    // A permalink of an old comment lands on a page that has it.
    let resp = app.get(NEWS, &format!("/comments/{}", ids[3])).await;
    assert_eq!(resp.status(), 302);
    let to = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(to.ends_with(&format!("#c{}", ids[3])));
    let (status, page) = app.page(to.split('#').next().unwrap()).await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("id=\"c{}\"", ids[3])));
    assert_eq!(
        app.page(&format!("{ARTICLE}/comments?after=zz")).await.0,
        400
    );
    assert_eq!(app.get(NEWS, "/comments/999999").await.status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn ones_own_and_pending_comments_offer_no_votes_or_report() {
    let app = TestApp::builder().start().await;
    relaxed(&app).await;
    let (mut ann, am) = person(&app, "Ann Own", Role::Member).await;
    let (mut ben, _) = person(&app, "Ben Other", Role::Member).await;
    let mine = seed(&app, &am, "my own words", CommentStatus::Visible, None).await;
    let tools = |html: &str, id: i64| {
        let at = html.find(&format!("id=\"c{id}\"")).expect("the comment");
        let end = html[at..].find("</footer>").unwrap();
        html[at..at + end].to_string()
    };
    let page = ann.get(ARTICLE).await;
    let own = tools(&page.body, mine.id);
    assert!(!own.contains("/vote\""), "no votes on one's own: {own}");
    assert!(!own.contains("/report\""), "no report of one's own: {own}");
    assert!(own.contains("comment-delete\""), "but its delete: {own}");
    assert!(own.contains("Likes:</span> 0"), "and its counts: {own}");
    assert!(
        own.contains("<summary>Reply</summary>"),
        "a reply to one's own is fine: {own}"
    );
    // Another member gets the tools on Ann's comment.
    let theirs = tools(&ben.get(ARTICLE).await.body, mine.id);
    assert!(
        theirs.contains(&format!("/comments/{}/vote\"", mine.id)),
        "{theirs}"
    );
    assert!(
        theirs.contains(&format!("/comments/{}/report\"", mine.id)),
        "{theirs}"
    );
    // A new member's comment waits for a moderator: as it comes back to
    // its author, no votes, report or replies yet.
    let held = CommentSettings {
        premoderate_first: 5,
        min_interval_secs: 0,
        per_hour: 10_000,
        ..Default::default()
    };
    app.store
        .set_comment_settings(news_id(&app), &held)
        .await
        .unwrap();
    let (mut cat, _) = person(&app, "Cat New", Role::Member).await;
    // As the page's script posts it: the comment comes back to be shown.
    cat.accept = Some("application/json".into());
    let posted = post(&mut cat, "still waiting", None).await;
    let v: serde_json::Value = serde_json::from_str(&posted.body).expect("JSON");
    let html = v["html"].as_str().expect("the comment's HTML");
    assert!(html.contains("Waiting for a moderator"), "{html}");
    let at = html
        .find("<footer class=\"comment-actions\">")
        .expect("its actions");
    let pending = &html[at..at + html[at..].find("</footer>").unwrap()];
    assert!(
        !pending.contains("/vote\"")
            && !pending.contains("/report\"")
            && !pending.contains("<summary>Reply"),
        "{pending}"
    );
    app.stop().await;
}
