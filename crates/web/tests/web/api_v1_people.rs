//! API v1's members and comments over HTTP: members for admin keys of a
//! moderator's role or higher only (never a secret of theirs), a story's
//! comments as a content key sees them (visible ones) and as a moderator's
//! key does (every one, with its status), and moderation decisions through
//! the moderation desk's own, its audit log and caches following.

use kawaraban_core::api_key::KeyKind;
use kawaraban_core::model::{CommentStatus, Role, Standing, StandingStatus};
use reqwest::Method;
use serde_json::json;

use crate::api_v1::{conforms, document, key, Client};
use crate::comments::{article_id, news_id, person, relaxed, seed, ARTICLE};
use crate::support::*;

const MEMBERS: &str = "/api/v1/members";
const COMMENTS: &str = "/api/v1/comments";

#[tokio::test]
async fn members_are_searched_and_read_by_a_moderators_key_only_and_never_with_secrets() {
    let app = TestApp::builder().start().await;
    let doc = document(&app).await;
    let (content, _) = key(&app, 1, KeyKind::Content, None).await;
    let (admin, admin_row) = key(&app, 2, KeyKind::Admin, Some(Role::Editor)).await;
    let staff = Client::new(&app, &admin);
    let (_, ann) = person(&app, "Annika Reader", Role::Member).await;
    let (_, bo) = person(&app, "Bo Annikason", Role::Member).await;
    let (_, cy) = person(&app, "Cy Other", Role::Member).await;
    let now = now();
    app.store
        .set_site_role(bo.id, news_id(&app), Some(Role::Author), None, now)
        .await
        .unwrap();
    let banned = Standing {
        status: StandingStatus::Banned,
        reason: "spam".into(),
        ..Default::default()
    };
    app.store.set_standing(bo.id, &banned, now).await.unwrap();

    let found = staff.get(&format!("{MEMBERS}?q=ANNIKA")).await;
    assert_eq!(found.status, 200, "{}", found.body);
    conforms(&doc, MEMBERS, "get", &found);
    let items = found.body["items"].as_array().unwrap();
    let ids: Vec<i64> = items.iter().map(|m| m["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [ann.id, bo.id]);
    assert_eq!(items[0]["email"], ann.email.as_str());
    assert_eq!(items[0]["role"], "member");
    assert_eq!(items[0]["status"], "active");
    // Bo's role here is his grant; his standing, the ban.
    assert_eq!(items[1]["role"], "author");
    assert_eq!(items[1]["status"], "banned");
    let text = found.body.to_string();
    for secret in ["password", "token", "session", "secret", "identit"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    // By address too, a page at a time.
    let by_mail = staff.get(&format!("{MEMBERS}?q={}", cy.email)).await;
    assert_eq!(by_mail.body["items"][0]["id"], cy.id);
    let page = staff.get(&format!("{MEMBERS}?q=annika&limit=1")).await;
    assert_eq!(page.body["items"][0]["id"], ann.id);
    let next = page.body["next"].as_str().unwrap();
    let rest = staff
        .get(&format!("{MEMBERS}?q=annika&limit=1&after={next}"))
        .await;
    conforms(&doc, MEMBERS, "get", &rest);
    assert_eq!(rest.body["items"][0]["id"], bo.id);
    assert!(rest.body["next"].is_null());

    let one = staff.get(&format!("{MEMBERS}/{}", ann.id)).await;
    assert_eq!(one.status, 200);
    conforms(&doc, "/api/v1/members/{id}", "get", &one);
    assert_eq!(one.body["name"], "Annika Reader");
    for missing in ["999999", "ann"] {
        let none = staff.get(&format!("{MEMBERS}/{missing}")).await;
        none.assert_problem(404);
        conforms(&doc, "/api/v1/members/{id}", "get", &none);
    }
    let bad = staff.get(&format!("{MEMBERS}?role=admin")).await;
    bad.assert_problem(400);
    assert_eq!(bad.field_error().0, "role");
    conforms(&doc, MEMBERS, "get", &bad);

    // A content key may not; a revoked key is no key.
    for refused in [
        Client::new(&app, &content).get(MEMBERS).await,
        Client::new(&app, &content)
            .get(&format!("{MEMBERS}/{}", ann.id))
            .await,
    ] {
        refused.assert_problem(403);
        conforms(&doc, MEMBERS, "get", &refused);
    }
    assert!(app.store.revoke_api_key(admin_row, now).await.unwrap());
    let revoked = staff.get(MEMBERS).await;
    revoked.assert_problem(401);
    conforms(&doc, MEMBERS, "get", &revoked);
}

#[tokio::test]
async fn comments_are_listed_as_each_key_may_see_them_and_moderated_through_the_desks_decision() {
    let app = TestApp::builder().start().await;
    relaxed(&app).await;
    let doc = document(&app).await;
    let (content, _) = key(&app, 1, KeyKind::Content, None).await;
    let (admin, _) = key(&app, 2, KeyKind::Admin, Some(Role::Editor)).await;
    let moderator = Client::new(&app, &admin);
    let reader = Client::new(&app, &content);
    let (_, ann) = person(&app, "Ann Commenter", Role::Member).await;
    let (_, ed) = person(&app, "Ed Itor", Role::Editor).await;
    let shown = seed(
        &app,
        &ann,
        "The line was worth the wait.",
        CommentStatus::Visible,
        None,
    )
    .await;
    let held = seed(
        &app,
        &ann,
        "Waiting for a moderator here.",
        CommentStatus::Pending,
        Some(shown.id),
    )
    .await;
    let peer = seed(
        &app,
        &ed,
        "An editor's remark.",
        CommentStatus::Pending,
        None,
    )
    .await;
    let story = article_id(&app).await;
    let list = format!("{COMMENTS}?story={story}");

    let public = reader.get(&list).await;
    assert_eq!(public.status, 200, "{}", public.body);
    conforms(&doc, COMMENTS, "get", &public);
    let items = public.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], shown.id);
    assert!(items[0].get("moderation_reason").is_none() && items[0].get("flags").is_none());

    let all = moderator.get(&list).await;
    conforms(&doc, COMMENTS, "get", &all);
    let statuses: Vec<(i64, &str)> = all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_i64().unwrap(), c["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        [
            (shown.id, "visible"),
            (held.id, "pending"),
            (peer.id, "pending")
        ]
    );
    let page = moderator.get(&format!("{list}&limit=2")).await;
    let next = page.body["next"].as_str().unwrap();
    let last = moderator.get(&format!("{list}&limit=2&after={next}")).await;
    assert_eq!(last.body["items"][0]["id"], peer.id);
    for (query, field, status) in [("", "story", 400), ("?story=1&sort=new", "sort", 400)] {
        let bad = reader.get(&format!("{COMMENTS}{query}")).await;
        bad.assert_problem(status);
        assert_eq!(bad.field_error().0, field);
        conforms(&doc, COMMENTS, "get", &bad);
    }
    let none = reader.get(&format!("{COMMENTS}?story=999999")).await;
    none.assert_problem(404);
    conforms(&doc, COMMENTS, "get", &none);

    // Approved with the key: the reader and the article page see it, and
    // the audit log says which key.
    let decide = |id: i64| format!("{COMMENTS}/{id}/moderation");
    let approved = moderator
        .write(
            Method::POST,
            &decide(held.id),
            None,
            json!({ "decision": "approve", "reason": "fine" }),
        )
        .await;
    assert_eq!(approved.status, 200, "{}", approved.body);
    conforms(&doc, "/api/v1/comments/{id}/moderation", "post", &approved);
    assert_eq!(approved.body["status"], "visible");
    assert_eq!(
        reader.get(&list).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let (_, page) = app.page(ARTICLE).await;
    assert!(page.contains("Waiting for a moderator here."));
    let log = app.store.audit_log(None, 10).await.unwrap();
    assert!(log.iter().any(|e| e.action == "comment.approve"
        && e.target == format!("comment:{}", held.id)
        && e.reason.contains("API v1: Integration 2")));

    // Rejected: hidden from readers and from the page.
    let rejected = moderator
        .write(
            Method::POST,
            &decide(shown.id),
            None,
            json!({ "decision": "reject" }),
        )
        .await;
    assert_eq!(rejected.status, 200, "{}", rejected.body);
    assert_eq!(rejected.body["status"], "rejected");
    let left = reader.get(&list).await;
    assert_eq!(left.body["items"].as_array().unwrap().len(), 1);
    let (_, page) = app.page(ARTICLE).await;
    assert!(!page.contains("The line was worth the wait."));

    // Refused: fields, a ban without a reason, an equal's comment, a
    // content key, a body not JSON, a comment not there.
    for (body, field) in [
        (json!({ "decision": "approve", "colour": "red" }), "colour"),
        (json!({ "decision": 3 }), "decision"),
        (json!({ "decision": "hide" }), "decision"),
        (json!({ "decision": "ban" }), "reason"),
        (json!({}), "decision"),
    ] {
        let refused = moderator
            .write(Method::POST, &decide(held.id), None, body.clone())
            .await;
        refused.assert_problem(422);
        assert_eq!(refused.field_error().0, field, "{body}: {}", refused.body);
        conforms(&doc, "/api/v1/comments/{id}/moderation", "post", &refused);
    }
    let equal = moderator
        .write(
            Method::POST,
            &decide(peer.id),
            None,
            json!({ "decision": "approve" }),
        )
        .await;
    equal.assert_problem(403);
    conforms(&doc, "/api/v1/comments/{id}/moderation", "post", &equal);
    let reads_only = reader
        .write(
            Method::POST,
            &decide(held.id),
            None,
            json!({ "decision": "reject" }),
        )
        .await;
    reads_only.assert_problem(403);
    conforms(
        &doc,
        "/api/v1/comments/{id}/moderation",
        "post",
        &reads_only,
    );
    let not_json = moderator
        .send(
            Method::POST,
            &decide(held.id),
            &[("content-type", "text/plain")],
            Some(b"approve".to_vec()),
        )
        .await;
    not_json.assert_problem(415);
    conforms(&doc, "/api/v1/comments/{id}/moderation", "post", &not_json);
    let gone = moderator
        .write(
            Method::POST,
            &decide(999_999),
            None,
            json!({ "decision": "approve" }),
        )
        .await;
    gone.assert_problem(404);
    conforms(&doc, "/api/v1/comments/{id}/moderation", "post", &gone);
    assert_eq!(
        app.store.comment(held.id).await.unwrap().unwrap().status,
        CommentStatus::Visible
    );
}
