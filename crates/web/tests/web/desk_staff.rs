//! Staff roles per site through a real server: an admin invites by email
//! (one-time link), changes and removes grants; a grant counts on its site
//! only, on desk pages and form posts alike.

use kawaraban_core::model::Role;

use crate::browser::Browser;
use crate::comments::person;
use crate::support::*;

const NEWS: &str = "news.localhost:8080";

pub(crate) fn site_id(app: &TestApp, key: &str) -> i64 {
    app.state
        .network
        .get()
        .sites
        .iter()
        .find(|s| s.key == key)
        .unwrap()
        .id
}

#[tokio::test]
async fn an_admin_invites_by_email_and_the_grant_counts_on_that_site_only() {
    let app = TestApp::builder()
        .with_article(wire_article())
        .start()
        .await;
    let (mut admin, ada) = person(&app, "Ada Admin", Role::Admin).await;
    // Unique: the test suite's mail sink is shared by every test and run.
    let kenji_address = crate::members::address("kenji");
    let (mut editor, _) = person(&app, "Edna Editor", Role::Editor).await;
    assert_eq!(
        editor.get("/desk/staff").await.status,
        403,
        "staff is for admins"
    );
    let page = admin.get("/desk/staff").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Ada Admin (") && page.body.contains("admin"),
        "network staff listed"
    );

    // A new address: an account is made, the role granted, a link mailed.
    let invited = admin
        .submit(
            "/desk/staff",
            "/desk/staff",
            &[
                ("action", "invite"),
                ("email", &kenji_address),
                ("name", "Kenji Mori"),
                ("role", "contributor"),
            ],
        )
        .await;
    assert_eq!(invited.status, 200, "{}", invited.body);
    assert!(
        invited
            .body
            .contains(&format!("{kenji_address} has the contributor role")),
        "{}",
        invited.body
    );
    let mail = app.wait_mail(&kenji_address, 1).await;
    assert!(mail.subject.contains("invited"), "{}", mail.subject);
    let link = mail.link("/login/link/");
    let mut kenji = Browser::new(&app, NEWS);
    let landed = kenji.follow_email_link(&link).await;
    assert_eq!(landed.status, 200, "{}", landed.body);
    assert!(landed.url.ends_with("/desk"), "{}", landed.url);
    assert!(landed.body.contains("href=\"/desk/stories\""));
    assert_eq!(kenji.get("/desk/stories/new").await.status, 200);
    // Spent: the link works once.
    let again = Browser::new(&app, NEWS).get(&link).await;
    assert!(
        again.body.contains("expired") || again.body.contains("used"),
        "{}",
        again.body
    );

    // Promoted on news, the role changes at once; the other site knows none of it.
    let kenji_id = app
        .store
        .member_by_email(&kenji_address)
        .await
        .unwrap()
        .unwrap()
        .id;
    let changed = admin
        .submit(
            "/desk/staff",
            "/desk/staff",
            &[
                ("action", "change"),
                ("member", &kenji_id.to_string()),
                ("role", "editor"),
            ],
        )
        .await;
    assert!(changed.body.contains(&kenji_address));
    assert_eq!(
        app.store
            .site_role(kenji_id, site_id(&app, "news"))
            .await
            .unwrap(),
        Some(Role::Editor)
    );
    assert_eq!(
        kenji.get("/desk/analytics").await.status,
        200,
        "editors see analytics"
    );
    assert_eq!(
        app.store
            .site_role(kenji_id, site_id(&app, "travel"))
            .await
            .unwrap(),
        None
    );

    // Admins cannot change themselves; bad input names the field.
    let me = ada.id;
    let own = admin
        .submit(
            "/desk/staff",
            "/desk/staff",
            &[
                ("action", "change"),
                ("member", &me.to_string()),
                ("role", "contributor"),
            ],
        )
        .await;
    assert_eq!(own.status, 422);
    assert!(own.body.contains("cannot change your own role"));
    for (fields, want) in [
        (
            vec![
                ("action", "invite"),
                ("email", "not-an-address"),
                ("role", "editor"),
            ],
            "email:",
        ),
        (
            vec![
                ("action", "invite"),
                ("email", "x@example.test"),
                ("role", "emperor"),
            ],
            "role:",
        ),
    ] {
        let bad = admin.submit("/desk/staff", "/desk/staff", &fields).await;
        assert_eq!(bad.status, 422, "{fields:?}");
        assert!(bad.body.contains(want), "{want}: {}", bad.body);
    }
    let forged = admin
        .post(
            "/desk/staff",
            &[
                ("csrf", "forged"),
                ("action", "remove"),
                ("member", &kenji_id.to_string()),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);

    // Removed: back to a reader on the desk, at once.
    admin
        .submit(
            "/desk/staff",
            "/desk/staff",
            &[("action", "remove"), ("member", &kenji_id.to_string())],
        )
        .await;
    assert_eq!(kenji.get("/desk/stories").await.status, 403);
    let log = app.store.audit_log(None, 20).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    for a in ["staff.invite", "staff.change", "staff.remove"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_travel_editor_is_a_reader_on_the_news_desk() {
    let app = TestApp::builder()
        .with_article(wire_article())
        .start()
        .await;
    let (mut reader, m) = person(&app, "Tomo Travel", Role::Member).await;
    app.store
        .set_site_role(
            m.id,
            site_id(&app, "travel"),
            Some(Role::Editor),
            None,
            now(),
        )
        .await
        .unwrap();
    // This browser's session is on the news site.
    assert_eq!(reader.get("/desk/stories").await.status, 403);
    let refused = reader
        .post(
            "/desk/stories",
            &[("csrf", "x"), ("intent", "save"), ("title", "Nope")],
        )
        .await;
    assert_eq!(refused.status, 403, "a form post is refused too");
    app.store
        .set_site_role(m.id, site_id(&app, "news"), Some(Role::Author), None, now())
        .await
        .unwrap();
    let page = reader.get("/desk/stories/new").await;
    assert_eq!(page.status, 200, "granted on news: the desk opens at once");
    assert!(
        page.body.contains("Publish or schedule"),
        "authors publish their own"
    );
    app.stop().await;
}
