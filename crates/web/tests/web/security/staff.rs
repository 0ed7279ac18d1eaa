//! Staff powers: lost with the staff member's standing; used only on
//! members of lower rank, never on oneself. Votes: a confirmed address and
//! an account in good standing.

use chrono::Duration;
use kawaraban_core::model::*;

use crate::comments::{person, relaxed, seed, ARTICLE};
use crate::support::*;

async fn set(app: &TestApp, m: &Member, status: StandingStatus) {
    let s = Standing {
        status,
        until: (status == StandingStatus::Suspended).then(|| now() + Duration::days(3)),
        premoderate: false,
        reason: "test".into(),
    };
    app.store.set_standing(m.id, &s, now()).await.unwrap();
}

#[tokio::test]
async fn banned_or_suspended_staff_lose_their_powers() {
    let app = TestApp::builder().start().await;
    let (_, am) = person(&app, "Ann", Role::Member).await;
    let c = seed(&app, &am, "held for review", CommentStatus::Pending, None).await;
    for status in [StandingStatus::Banned, StandingStatus::Suspended] {
        let (mut mo, mom) = person(&app, &format!("Mo {}", status.as_str()), Role::Moderator).await;
        let csrf = mo.get(ARTICLE).await.csrf();
        set(&app, &mom, status).await;
        let page = mo.get("/moderation").await;
        assert_eq!(page.status, 403, "{status:?}: {}", page.body);
        let page = mo
            .post(
                "/moderation",
                &[
                    ("csrf", &csrf),
                    ("act", &format!("reject:{}", c.id)),
                    ("reason-1", ""),
                ],
            )
            .await;
        assert_eq!(page.status, 403, "{status:?}");
        let page = mo
            .post(
                &format!("/moderation/members/{}", am.id),
                &[("csrf", &csrf), ("act", "ban"), ("reason", "x")],
            )
            .await;
        assert_eq!(page.status, 403, "{status:?}");
        // Nor do the article's staff tools show.
        assert!(!mo.get(ARTICLE).await.body.contains("Moderation queue"));
    }
    let c = app.store.comment(c.id).await.unwrap().unwrap();
    assert_eq!(c.status, CommentStatus::Pending);
    assert_eq!(
        app.store.standing(am.id).await.unwrap().status,
        StandingStatus::Active
    );
    // A suspended editor cannot set an article's comments either.
    let (mut ed, edm) = person(&app, "Ed", Role::Editor).await;
    let page = ed.get("/moderation").await;
    assert_eq!(page.status, 200);
    set(&app, &edm, StandingStatus::Suspended).await;
    assert_eq!(ed.get("/moderation").await.status, 403);
    app.stop().await;
}

#[tokio::test]
async fn staff_act_only_on_members_of_lower_rank_and_never_on_themselves() {
    let app = TestApp::builder().start().await;
    relaxed(&app).await;
    let (mut mo, mom) = person(&app, "Mo", Role::Moderator).await;
    let (_, other_mo) = person(&app, "Mia", Role::Moderator).await;
    let (_, adm) = person(&app, "Ada", Role::Admin).await;
    let (_, am) = person(&app, "Ann", Role::Member).await;
    let own = seed(&app, &mom, "my own comment", CommentStatus::Visible, None).await;
    let admins = seed(&app, &adm, "the admin speaks", CommentStatus::Visible, None).await;
    let anns = seed(&app, &am, "a reader speaks", CommentStatus::Visible, None).await;
    let queue = mo.get("/moderation?tab=all").await;
    let csrf = queue.csrf();
    let on = |id: i64, act: &str| (format!("{act}:{id}"), format!("reason-{id}"));

    // The member page: no ban or suspension of oneself, or of a peer.
    for (who, act) in [
        (mom.id, "ban"),
        (mom.id, "suspend"),
        (other_mo.id, "ban"),
        (adm.id, "suspend"),
    ] {
        let page = mo
            .post(
                &format!("/moderation/members/{who}"),
                &[
                    ("csrf", &csrf),
                    ("act", act),
                    ("days", "3"),
                    ("reason", "test"),
                ],
            )
            .await;
        assert_eq!(page.status, 403, "{act} {who}: {}", page.body);
        assert!(
            page.body.contains("yourself") || page.body.contains("lower rank"),
            "{}",
            page.body
        );
    }
    // The queue: no "Ban author" on one's own comment, no rejecting an admin's.
    for (id, act) in [
        (own.id, "ban"),
        (own.id, "reject"),
        (admins.id, "reject"),
        (admins.id, "ban"),
    ] {
        let (act, reason_field) = on(id, act);
        let page = mo
            .post(
                "/moderation",
                &[("csrf", &csrf), ("act", &act), (&reason_field, "test")],
            )
            .await;
        assert_eq!(page.status, 403, "{act}: {}", page.body);
    }
    // A bulk ban that includes one's own comment changes nothing at all.
    let ids = [anns.id.to_string(), own.id.to_string()];
    let page = mo
        .post(
            "/moderation",
            &[
                ("csrf", &csrf),
                ("act", "ban"),
                ("reason", "bulk"),
                ("ids", &ids[0]),
                ("ids", &ids[1]),
            ],
        )
        .await;
    assert_eq!(page.status, 403, "{}", page.body);
    for m in [&mom, &other_mo, &adm, &am] {
        let s = app.store.standing(m.id).await.unwrap();
        assert_eq!(s.status, StandingStatus::Active, "{}", m.display_name);
    }
    for c in [&own, &admins, &anns] {
        let c = app.store.comment(c.id).await.unwrap().unwrap();
        assert_eq!(c.status, CommentStatus::Visible, "{}", c.body_markdown);
    }
    // Below their rank, moderators still act.
    let (act, reason_field) = on(anns.id, "reject");
    let page = mo
        .post(
            "/moderation",
            &[("csrf", &csrf), ("act", &act), (&reason_field, "off topic")],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let c = app.store.comment(anns.id).await.unwrap().unwrap();
    assert_eq!(c.status, CommentStatus::Rejected);
    app.stop().await;
}

#[tokio::test]
async fn votes_need_a_confirmed_address_and_a_banned_members_votes_do_not_count() {
    let app = TestApp::builder().start().await;
    relaxed(&app).await;
    let (_, am) = person(&app, "Ann", Role::Member).await;
    let (mut ben, bm) = person(&app, "Ben", Role::Member).await;
    let (mut cy, cm) = person(&app, "Cy", Role::Member).await;
    let (mut mo, _) = person(&app, "Mo", Role::Moderator).await;
    let c = seed(&app, &am, "worth a like", CommentStatus::Visible, None).await;
    let vote = format!("/comments/{}/vote", c.id);
    let likes = || async { app.store.comment(c.id).await.unwrap().unwrap().likes };

    // An unconfirmed address cannot vote (nor report).
    app.store
        .set_email(cm.id, &cm.email, &cm.email_norm, false, now())
        .await
        .unwrap();
    let page = cy.submit(ARTICLE, &vote, &[("value", "1")]).await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(
        page.body.contains("Confirm your email address"),
        "{}",
        page.body
    );
    let page = cy
        .submit(
            ARTICLE,
            &format!("/comments/{}/report", c.id),
            &[("reason", "spam")],
        )
        .await;
    assert_eq!(page.status, 403);
    assert_eq!(likes().await, 0);

    // A vote counts until its member is banned; then it is taken back, and
    // a banned member cannot vote again.
    assert_eq!(
        ben.submit(ARTICLE, &vote, &[("value", "1")]).await.status,
        200
    );
    assert_eq!(likes().await, 1);
    let page = mo
        .submit(
            &format!("/moderation/members/{}", bm.id),
            &format!("/moderation/members/{}", bm.id),
            &[("act", "ban"), ("reason", "vote ring")],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(likes().await, 0);
    let (_, body) = app.page(ARTICLE).await;
    assert!(body.contains("worth a like"));
    let page = ben.submit(ARTICLE, &vote, &[("value", "1")]).await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(page.body.contains("suspended or banned"));
    assert_eq!(likes().await, 0);
    app.stop().await;
}
