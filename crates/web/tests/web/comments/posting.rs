//! Posting, replying, editing and deleting, and every kind of bad input:
//! the pipeline's refusals, closed articles, markup, CSRF, double
//! submission, JSON answers, reply emails and deleted accounts.

use super::*;

#[tokio::test]
async fn a_member_comments_and_replies_and_the_counts_follow() {
    let app = TestApp::builder().start().await;
    relaxed(&app).await;
    let (mut ann, ann_m) = person(&app, "Ann Reader", Role::Member).await;
    let (mut ben, _) = person(&app, "Ben Writer", Role::Member).await;
    let page = post(&mut ann, "First thought on the **rail line**.", None).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let first = last_of(&app, &ann_m).await;
    assert!(page.body.contains(&format!("id=\"c{}\"", first.id)));
    assert!(page.body.contains("<strong>rail line</strong>"));
    assert!(page.body.contains("1 Comment<"), "{}", page.body);
    // The member's own tools, and nobody else's.
    assert!(page.body.contains(&format!("/comments/{}/edit", first.id)));
    let seen_by_ben = ben.get(ARTICLE).await;
    assert!(!seen_by_ben
        .body
        .contains(&format!("/comments/{}/edit", first.id)));
    assert!(seen_by_ben.body.contains("Reply as Ben Writer"));
    // Reply, and a reply to the reply joins the same thread.
    let page = post(&mut ben, "A reply.", Some(first.id)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let reply = app.store.replies(&[first.id]).await.unwrap();
    assert_eq!(reply.len(), 1);
    post(&mut ann, "A reply to the reply.", Some(reply[0].id)).await;
    let replies = app.store.replies(&[first.id]).await.unwrap();
    assert_eq!(replies.len(), 2, "one level of replies");
    let (_, body) = app.page(ARTICLE).await;
    assert!(
        body.contains("3 Comments"),
        "the anonymous page is refreshed"
    );
    assert!(body.contains("class=\"replies\""));
    // Lists show the count too.
    let (_, home) = app.page("/").await;
    assert!(home.contains("3 Comments"), "{home}");
    let (_, section) = app.page("/national/").await;
    assert!(section.contains("3 Comments"));
    app.stop().await;
}

#[tokio::test]
async fn the_pipeline_refuses_and_holds_with_messages_the_member_sees() {
    let app = TestApp::builder().start().await;
    let mut s = CommentSettings {
        premoderate_first: 0,
        min_interval_secs: 30,
        banned_words: vec!["blight".into()],
        suspect_words: vec!["lottery".into()],
        ..Default::default()
    };
    app.store
        .set_comment_settings(news_id(&app), &s)
        .await
        .unwrap();
    let (mut ann, ann_m) = person(&app, "Ann", Role::Member).await;
    for (body, status, message) in [
        (" \u{200B} ", 422, "Write something"),
        (&"x".repeat(5001) as &str, 422, "limited to 5000 characters"),
        ("What a blight on the town.", 422, "does not allow"),
    ] {
        let page = post(&mut ann, body, None).await;
        assert_eq!(page.status, status, "{body:.20}: {}", page.body);
        assert!(page.body.contains(message), "{message}: {}", page.body);
    }
    // The text is kept on the refusal page.
    let page = post(&mut ann, "What a blight on the town.", None).await;
    assert!(page.body.contains(">What a blight on the town.</textarea>"));
    assert!(app
        .store
        .member_comments(ann_m.id, 10)
        .await
        .unwrap()
        .is_empty());
    let page = post(&mut ann, "A fine first comment.", None).await;
    assert_eq!(page.status, 200);
    // Rate: a second comment within 30 s; the same text again: duplicate.
    let page = post(&mut ann, "Another one right away.", None).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("too fast"));
    s.min_interval_secs = 0;
    app.store
        .set_comment_settings(news_id(&app), &s)
        .await
        .unwrap();
    let page = post(&mut ann, "a  FINE first comment.", None).await;
    assert!(page.body.contains("already posted"), "{}", page.body);
    // A suspect word holds the comment.
    let page = post(&mut ann, "Is this a lottery scheme?", None).await;
    assert!(page.body.contains("once a moderator"));
    assert_eq!(last_of(&app, &ann_m).await.status, CommentStatus::Pending);
    // Too many links hold it too.
    post(
        &mut ann,
        "https://a.test https://b.test https://c.test",
        None,
    )
    .await;
    assert!(last_of(&app, &ann_m)
        .await
        .moderation_reason
        .contains("3 links"));
    app.stop().await;
}

#[tokio::test]
async fn closed_and_disabled_articles_and_automatic_closing() {
    let app = TestApp::builder().start().await;
    relaxed(&app).await;
    let (mut ed, _) = person(&app, "Eddie Editor", Role::Editor).await;
    let (mut ann, _) = person(&app, "Ann", Role::Member).await;
    let aid = article_id(&app).await;
    post(&mut ann, "Before closing.", None).await;
    let form = ann.get(ARTICLE).await;
    let page = ed
        .submit(
            ARTICLE,
            "/moderation/article",
            &[("article", &aid.to_string()), ("mode", "closed")],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Comments on this article are closed."));
    assert!(
        page.body.contains("Before closing."),
        "existing comments stay"
    );
    // A form opened before closing is refused now.
    let page = ann
        .post(
            "/comments",
            &[
                ("csrf", &form.csrf()),
                ("article", &aid.to_string()),
                ("body", "Too late"),
                ("key", &form.input("key")),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("closed"));
    ed.submit(
        ARTICLE,
        "/moderation/article",
        &[("article", &aid.to_string()), ("mode", "disabled")],
    )
    .await;
    let (_, body) = app.page(ARTICLE).await;
    assert!(!body.contains("id=\"comments\"") && !body.contains("Before closing."));
    // An editor can open them again from the same page.
    let page = ed
        .submit(
            ARTICLE,
            "/moderation/article",
            &[("article", &aid.to_string()), ("mode", "open")],
        )
        .await;
    assert!(page.body.contains("Before closing."));
    // The site closes comments N days after publication (the article is older).
    // The form is opened before the rule is set: whether the page still
    // shows a form afterwards depends on when the settings are re-read.
    let form = ann.get(ARTICLE).await;
    let s = CommentSettings {
        close_after_days: Some(3),
        premoderate_first: 0,
        min_interval_secs: 0,
        ..Default::default()
    };
    app.store
        .set_comment_settings(news_id(&app), &s)
        .await
        .unwrap();
    let page = ann
        .post(
            "/comments",
            &[
                ("csrf", &form.csrf()),
                ("article", &aid.to_string()),
                ("body", "After the deadline."),
                ("key", &form.input("key")),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("closed"));
    // The page says so too, as soon as the server has reloaded the rules
    // (changing them tells every app server to).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (_, body) = app.page(ARTICLE).await;
        if body.contains("Comments on this article are closed.") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the page still shows comments open"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // Members cannot change the mode.
    let page = ann
        .submit(
            ARTICLE,
            "/moderation/article",
            &[("article", &aid.to_string()), ("mode", "open")],
        )
        .await;
    assert_eq!(page.status, 403);
    app.stop().await;
}

#[tokio::test]
async fn markup_is_limited_and_scripts_never_survive() {
    let app = TestApp::builder().start().await;
    relaxed(&app).await;
    let (mut evil, m) = person(&app, "<img src=x onerror=alert(1)>", Role::Member).await;
    let body = "**bold** _it_ <script>alert('x')</script>\n\n> quoted\n\n[site](https://example.test/p) [bad](javascript:alert(1)) \u{202E}txet\u{200B}";
    let page = post(&mut evil, body, None).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let c = last_of(&app, &m).await;
    assert!(!c.body_markdown.contains('\u{202E}') && !c.body_markdown.contains('\u{200B}'));
    let (_, html) = app.page(ARTICLE).await;
    assert!(!html.contains("<script>alert"), "raw script");
    assert!(html.contains("&lt;script&gt;"));
    assert!(!html.contains("<img src=x"), "name is escaped");
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(
        html.contains(r#"<a href="https://example.test/p" rel="nofollow ugc noopener">site</a>"#)
    );
    assert!(!html.contains("href=\"javascript"));
    assert!(
        html.contains("<strong>bold</strong>")
            && html.contains("<em>it</em>")
            && html.contains("<blockquote>")
    );
    app.stop().await;
}

#[tokio::test]
async fn forged_or_missing_csrf_tokens_store_nothing() {
    let app = TestApp::builder().start().await;
    relaxed(&app).await;
    let (mut ann, m) = person(&app, "Ann", Role::Member).await;
    let aid = article_id(&app).await.to_string();
    for token in ["", "forged-token"] {
        let page = ann
            .post(
                "/comments",
                &[("csrf", token), ("article", &aid), ("body", "Sneaky")],
            )
            .await;
        assert_eq!(page.status, 403);
    }
    assert!(app.store.member_comments(m.id, 5).await.unwrap().is_empty());
    // Anonymous posts are sent to sign in, back to the article.
    let mut anon = Browser::new(&app, NEWS);
    let resp = anon
        .once(
            reqwest::Method::POST,
            "/comments",
            Some(&[("article", &aid), ("body", "hi")]),
        )
        .await;
    assert_eq!(resp.status(), 303);
    assert!(resp.headers()["location"]
        .to_str()
        .unwrap()
        .contains("next=%2Fnational%2Frail-line-reopens%23comments"));
    app.stop().await;
}

#[tokio::test]
async fn the_same_form_sent_twice_stores_one_comment() {
    let app = TestApp::builder().start().await;
    relaxed(&app).await;
    let (mut ann, m) = person(&app, "Ann", Role::Member).await;
    let page = ann.get(ARTICLE).await;
    let fields = [
        ("csrf", page.csrf()),
        ("article", page.input("article")),
        ("key", page.input("key")),
        ("body", "Only once, please.".to_string()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (mut tab1, mut tab2) = (ann.clone_session(), ann.clone_session());
    let (a, b) = tokio::join!(
        tab1.post("/comments", &fields),
        tab2.post("/comments", &fields)
    );
    assert_eq!((a.status, b.status), (200, 200));
    assert_eq!(app.store.member_comments(m.id, 5).await.unwrap().len(), 1);
    assert_eq!(
        app.store
            .comment_count(article_id(&app).await)
            .await
            .unwrap(),
        1
    );
    app.stop().await;
}

#[tokio::test]
async fn edits_within_fifteen_minutes_are_marked_and_concurrent_edits_lose() {
    let app = TestApp::builder().start().await;
    relaxed(&app).await;
    let (mut ann, m) = person(&app, "Ann", Role::Member).await;
    post(&mut ann, "Original text.", None).await;
    let c = last_of(&app, &m).await;
    let edit = format!("/comments/{}/edit", c.id);
    let form_a = ann.get(&edit).await;
    let form_b = ann.get(&edit).await;
    assert!(form_a.body.contains("Original text."));
    let page = ann
        .post(
            &edit,
            &[
                ("csrf", &form_a.csrf()),
                ("seen", &form_a.input("seen")),
                ("body", "Edited text."),
            ],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Edited text.") && page.body.contains("(edited)"));
    let page = ann
        .post(
            &edit,
            &[
                ("csrf", &form_b.csrf()),
                ("seen", &form_b.input("seen")),
                ("body", "Other window."),
            ],
        )
        .await;
    assert_eq!(page.status, 409);
    assert!(page.body.contains("another window"));
    assert_eq!(
        app.store
            .comment(c.id)
            .await
            .unwrap()
            .unwrap()
            .body_markdown,
        "Edited text."
    );
    // Somebody else cannot edit it.
    let (mut ben, _) = person(&app, "Ben", Role::Member).await;
    assert_eq!(ben.get(&edit).await.status, 404);
    app.stop().await;
}

#[tokio::test]
async fn deleting_leaves_a_placeholder_only_where_there_are_replies() {
    let app = TestApp::builder().start().await;
    relaxed(&app).await;
    let (mut ann, am) = person(&app, "Ann", Role::Member).await;
    let (mut ben, bm) = person(&app, "Ben", Role::Member).await;
    let with_reply = seed(&app, &am, "has a reply", CommentStatus::Visible, None).await;
    let alone = seed(&app, &am, "stands alone", CommentStatus::Visible, None).await;
    seed(
        &app,
        &bm,
        "the reply",
        CommentStatus::Visible,
        Some(with_reply.id),
    )
    .await;
    for id in [with_reply.id, alone.id] {
        let page = ann
            .submit(ARTICLE, &format!("/comments/{id}/delete"), &[])
            .await;
        assert_eq!(page.status, 200);
    }
    let (_, body) = app.page(ARTICLE).await;
    assert!(!body.contains("has a reply") && !body.contains("stands alone"));
    assert_eq!(count(&body, "Comment removed"), 1);
    assert!(body.contains("the reply"));
    assert!(body.contains("1 Comment<"));
    // Replying to a deleted or hidden comment is refused.
    let page = post(&mut ben, "late reply", Some(with_reply.id)).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("no longer available"));
    let hidden = seed(&app, &bm, "hidden one", CommentStatus::Rejected, None).await;
    assert_eq!(
        post(&mut ann, "reply to hidden", Some(hidden.id))
            .await
            .status,
        422
    );
    // Deleting somebody else's comment is not possible.
    let theirs = seed(&app, &bm, "ben's", CommentStatus::Visible, None).await;
    assert_eq!(
        ann.submit(ARTICLE, &format!("/comments/{}/delete", theirs.id), &[])
            .await
            .status,
        404
    );
    app.stop().await;
}

#[tokio::test]
async fn with_javascript_the_form_answers_json_with_the_rendered_comment() {
    let app = TestApp::builder().start().await;
    relaxed(&app).await;
    let (mut ann, _) = person(&app, "Ann", Role::Member).await;
    let page = ann.get(ARTICLE).await;
    let cookie = format!(
        "kw_session={}",
        ann.cookie("news.localhost", "kw_session").unwrap()
    );
    let send = |fields: Vec<(&'static str, String)>| {
        app.request(reqwest::Method::POST, NEWS, "/comments")
            .header("cookie", &cookie)
            .header("accept", "application/json")
            .form(&fields)
            .send()
    };
    let json = |text: String| -> serde_json::Value { serde_json::from_str(&text).unwrap() };
    let resp = send(vec![
        ("csrf", page.csrf()),
        ("article", page.input("article")),
        ("key", page.input("key")),
        ("body", "In place!".into()),
    ])
    .await
    .unwrap();
    assert_eq!(resp.status(), 200);
    let v = json(resp.text().await.unwrap());
    assert_eq!(v["status"], "visible");
    assert_eq!(v["count"], 1);
    let html = v["html"].as_str().unwrap();
    assert!(html.contains("In place!") && html.contains("/edit") && !html.contains("<!--kw:"));
    let resp = send(vec![
        ("csrf", page.csrf()),
        ("article", page.input("article")),
        ("body", String::new()),
    ])
    .await
    .unwrap();
    assert_eq!(resp.status(), 422);
    let v = json(resp.text().await.unwrap());
    assert!(v["error"].as_str().unwrap().contains("Write something"));
    app.stop().await;
}

#[tokio::test]
async fn replies_email_the_author_who_asked_and_nobody_else() {
    let app = TestApp::builder().start().await;
    relaxed(&app).await;
    let (mut ann, am) = person(&app, "Ann", Role::Member).await;
    let (mut ben, bm) = person(&app, "Ben", Role::Member).await;
    let page = ann.get(ARTICLE).await;
    ann.post(
        "/comments",
        &[
            ("csrf", &page.csrf()),
            ("article", &page.input("article")),
            ("key", &page.input("key")),
            ("body", "Tell me of replies."),
            ("notify", "1"),
        ],
    )
    .await;
    let asked = last_of(&app, &am).await;
    assert!(asked.notify_replies);
    post(&mut ben, "Not asking.", None).await;
    let quiet = last_of(&app, &bm).await;
    post(&mut ben, "Here is a reply for Ann.", Some(asked.id)).await;
    post(&mut ann, "And one for Ben.", Some(quiet.id)).await;
    let mail = app.wait_mail(&am.email, 1).await;
    assert!(
        mail.subject.contains("Ben replied to your comment"),
        "{}",
        mail.subject
    );
    assert!(mail.text.contains("Here is a reply for Ann."));
    assert!(mail.text.contains("/comments/"));
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(app.mail_for(&bm.email).is_empty(), "Ben did not ask");
    app.stop().await;
}

#[tokio::test]
async fn deleted_accounts_leave_former_member_comments_or_none_as_the_site_says() {
    let app = TestApp::builder().start().await;
    relaxed(&app).await;
    let (mut ann, am) = person(&app, "Ann Gone", Role::Member).await;
    seed(&app, &am, "kept words", CommentStatus::Visible, None).await;
    app.page(ARTICLE).await;
    let page = ann
        .submit("/account", "/account/delete", &[("confirm", "DELETE")])
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let (_, body) = app.page(ARTICLE).await;
    assert!(
        body.contains("kept words") && body.contains("Former member") && !body.contains("Ann Gone")
    );
    // Under the "remove" rule the comments go with the account.
    let s = CommentSettings {
        deleted_members: DeletedMembers::Remove,
        premoderate_first: 0,
        min_interval_secs: 0,
        ..Default::default()
    };
    app.store
        .set_comment_settings(news_id(&app), &s)
        .await
        .unwrap();
    let (mut ben, bm) = person(&app, "Ben Gone", Role::Member).await;
    seed(&app, &bm, "removed words", CommentStatus::Visible, None).await;
    assert!(app.page(ARTICLE).await.1.contains("2 Comments"));
    ben.submit("/account", "/account/delete", &[("confirm", "DELETE")])
        .await;
    let (_, body) = app.page(ARTICLE).await;
    assert!(!body.contains("removed words") && body.contains("1 Comment<"));
    app.stop().await;
}
