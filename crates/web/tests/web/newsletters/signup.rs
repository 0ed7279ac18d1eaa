//! Signing up and leaving: double opt-in, the box on shared pages, bad
//! input, the manage page, one-click unsubscribe, members, suppression.

use super::*;

#[tokio::test]
async fn nothing_is_subscribed_until_the_emailed_link_is_confirmed_by_its_button() {
    let app = TestApp::builder().start().await;
    let (daily, breaking) = lists(&app).await;
    let email = address("optin");
    let mut b = Browser::new(&app, NEWS);
    let page = b.get("/newsletters").await;
    assert!(page.body.contains("The Daily") && page.body.contains("Breaking news alerts"));
    let page = b
        .submit(
            "/newsletters",
            "/newsletters",
            &[
                ("email", &email),
                ("list", &daily.to_string()),
                ("list", &breaking.to_string()),
            ],
        )
        .await;
    assert!(page.body.contains("Check your email"));
    let s = subscriber(&app, &email).await.unwrap();
    assert_eq!((s.status, s.lists.len()), (SubscriberStatus::Pending, 0));
    let mail = app.wait_mail(&email, 1).await;
    assert!(mail.subject.contains("Confirm your"));
    assert!(mail.text.contains("The Daily") && mail.text.contains("Breaking news alerts"));
    let link = mail.link("/newsletters/confirm/");
    // Opening the link (a mail scanner does) changes nothing.
    let page = b.get(&link).await;
    assert!(page.body.contains("Confirm my subscription"));
    assert_eq!(
        subscriber(&app, &email).await.unwrap().status,
        SubscriberStatus::Pending
    );
    let page = b.follow_email_link(&link).await;
    assert!(page.body.contains("You are subscribed"));
    let s = subscriber(&app, &email).await.unwrap();
    assert_eq!(s.status, SubscriberStatus::Active);
    assert_eq!(s.lists, vec![daily, breaking]);
    // The link works once.
    let page = b.get(&link).await;
    assert_eq!(page.status, 410);
    app.stop().await;
}

#[tokio::test]
async fn a_form_without_a_token_and_bad_input_get_the_page_back_filled_in() {
    let app = TestApp::builder().start().await;
    let (daily, _) = lists(&app).await;
    let (_, travel_list) = {
        let travel = app
            .state
            .network
            .get()
            .sites
            .iter()
            .find(|s| s.key == "travel")
            .unwrap()
            .id;
        let l = app
            .store
            .upsert_list(
                &NewList {
                    site_id: travel,
                    key: "weekly".into(),
                    name: "Weekly".into(),
                    description: String::new(),
                    kind: ListKind::Newsletter,
                    section_id: None,
                    position: 0,
                    send_time: None,
                },
                now(),
            )
            .await
            .unwrap();
        ((), l.id)
    };
    let mut b = Browser::new(&app, NEWS);
    // The box on shared pages: the lists, none ticked, no token.
    for path in ["/", "/national/rail-line-reopens"] {
        let page = b.get(path).await;
        assert!(
            page.body.contains("Get our newsletters and alerts"),
            "{path}"
        );
        assert!(page.body.contains(&format!("value=\"{daily}\">")), "{path}");
        let box_at = page.body.find("newsletter-box").unwrap();
        assert!(
            !page.body[box_at..].contains(" checked"),
            "{path}: nothing ticked for the reader"
        );
    }
    // As from a form on a cached page: no token. The page comes back filled in.
    let page = b
        .post(
            "/newsletters",
            &[
                ("email", "reader@example.test"),
                ("list", &daily.to_string()),
            ],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("value=\"reader@example.test\""));
    assert!(page.body.contains(&format!("value=\"{daily}\" checked")));
    assert!(subscriber(&app, "reader@example.test").await.is_none());
    let page = b
        .submit(
            "/newsletters",
            "/newsletters",
            &[("email", "not an address"), ("list", &daily.to_string())],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("does not look like an email address"));
    let page = b
        .submit(
            "/newsletters",
            "/newsletters",
            &[("email", "reader@example.test")],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Choose at least one"));
    // Another site's list does not count.
    let page = b
        .submit(
            "/newsletters",
            "/newsletters",
            &[
                ("email", "reader@example.test"),
                ("list", &travel_list.to_string()),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    app.stop().await;
}

#[tokio::test]
async fn the_manage_page_changes_lists_pauses_and_unsubscribes_without_signing_in() {
    let app = TestApp::builder().start().await;
    let (daily, breaking) = lists(&app).await;
    let email = address("manage");
    let mut b = Browser::new(&app, NEWS);
    let manage = confirmed(&app, &mut b, &email, &[daily, breaking]).await;
    // A fresh browser with only the link.
    let mut other = Browser::new(&app, NEWS);
    let page = other.get(&manage).await;
    assert!(page.body.contains(&email));
    let page = other
        .submit(
            &manage,
            &manage,
            &[("act", "save"), ("list", &breaking.to_string())],
        )
        .await;
    assert!(page.body.contains("Your choices are saved."));
    assert_eq!(
        subscriber(&app, &email).await.unwrap().lists,
        vec![breaking]
    );
    other.submit(&manage, &manage, &[("act", "pause")]).await;
    assert_eq!(
        subscriber(&app, &email).await.unwrap().status,
        SubscriberStatus::Paused
    );
    other.submit(&manage, &manage, &[("act", "resume")]).await;
    assert_eq!(
        subscriber(&app, &email).await.unwrap().status,
        SubscriberStatus::Active
    );
    let page = other
        .submit(&manage, &manage, &[("act", "unsubscribe")])
        .await;
    assert!(page.body.contains("unsubscribed from everything"));
    assert_eq!(
        subscriber(&app, &email).await.unwrap().status,
        SubscriberStatus::Unsubscribed
    );
    // A forged or altered key is not found.
    let forged = format!("{}x", manage);
    assert_eq!(other.get(&forged).await.status, 404);
    let (id, _) = manage.rsplit('/').next().unwrap().split_once('-').unwrap();
    let other_id = format!(
        "/newsletters/manage/{}-{}",
        id.parse::<i64>().unwrap() + 1,
        manage.split_once('-').unwrap().1
    );
    assert_eq!(other.get(&other_id).await.status, 404);
    app.stop().await;
}

#[tokio::test]
async fn one_click_unsubscribe_works_as_a_mail_provider_posts_it() {
    let app = TestApp::builder().start().await;
    let (daily, _) = lists(&app).await;
    let email = address("oneclick");
    let mut b = Browser::new(&app, NEWS);
    let manage = confirmed(&app, &mut b, &email, &[daily]).await;
    let key = manage.rsplit('/').next().unwrap();
    // RFC 8058: a POST with this body, no cookies, no token.
    let resp = app
        .request(
            reqwest::Method::POST,
            NEWS,
            &format!("/newsletters/unsubscribe/{key}"),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.text().await.unwrap(), "Unsubscribed.\n");
    assert_eq!(
        subscriber(&app, &email).await.unwrap().status,
        SubscriberStatus::Unsubscribed
    );
    let resp = app
        .request(
            reqwest::Method::POST,
            NEWS,
            &format!("/newsletters/unsubscribe/{key}zz"),
        )
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    // A person opening the link gets a button first.
    let page = b.get(&format!("/newsletters/unsubscribe/{key}")).await;
    assert!(page.body.contains(">Unsubscribe</button>"));
    app.stop().await;
}

#[tokio::test]
async fn members_with_a_confirmed_address_need_no_link_and_suppressed_addresses_get_no_mail() {
    let app = TestApp::builder().start().await;
    let (daily, breaking) = lists(&app).await;
    let (mut ann, m) = person(&app, "Ann", Role::Member).await;
    let page = ann.get("/newsletters").await;
    assert!(page.body.contains(&format!("value=\"{}\"", m.email)));
    let page = ann
        .submit(
            "/newsletters",
            "/newsletters",
            &[("email", &m.email), ("list", &daily.to_string())],
        )
        .await;
    assert!(page.body.contains("You are subscribed"), "{}", page.body);
    let s = subscriber(&app, &m.email).await.unwrap();
    assert_eq!(
        (s.status, s.lists.clone(), s.member_id),
        (SubscriberStatus::Active, vec![daily], Some(m.id))
    );
    assert!(ann
        .get("/newsletters")
        .await
        .body
        .contains("Manage your newsletters"));
    // A suppressed address gets the same answer and no email.
    let email = address("bounced");
    let norm = kawaraban_core::identity::parse_email(&email).unwrap().norm;
    app.store
        .suppress(&norm, "hard bounce", now())
        .await
        .unwrap();
    let mut b = Browser::new(&app, NEWS);
    let page = b
        .submit(
            "/newsletters",
            "/newsletters",
            &[("email", &email), ("list", &breaking.to_string())],
        )
        .await;
    assert!(page.body.contains("Check your email"));
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(app.mail_for(&email).is_empty());
    app.stop().await;
}

#[tokio::test]
async fn a_member_with_a_confirmed_address_signs_up_from_the_box_without_typing_it() {
    let app = TestApp::builder().start().await;
    let (daily, _) = lists(&app).await;
    let (mut ann, m) = person(&app, "Ann Box", Role::Member).await;
    let page = ann.get("/national/rail-line-reopens").await;
    let at = page
        .body
        .find("<aside class=\"newsletter-box\"")
        .expect("the box");
    let boxed = &page.body[at..at + page.body[at..].find("</aside>").unwrap()];
    assert!(
        boxed.contains(&format!(
            "<input type=\"hidden\" name=\"email\" value=\"{}\">",
            m.email
        )),
        "{boxed}"
    );
    assert!(
        boxed.contains("name=\"csrf\""),
        "the member's token: {boxed}"
    );
    assert!(
        !boxed.contains("type=\"email\""),
        "no address to type: {boxed}"
    );
    assert!(!boxed.contains(" checked"), "nothing ticked: {boxed}");
    let done = ann
        .submit(
            "/national/rail-line-reopens",
            "/newsletters",
            &[("email", &m.email), ("list", &daily.to_string())],
        )
        .await;
    assert!(done.body.contains("You are subscribed"), "{}", done.body);
    let s = subscriber(&app, &m.email).await.unwrap();
    assert_eq!((s.status, s.lists), (SubscriberStatus::Active, vec![daily]));
    assert!(
        app.mail_for(&m.email).is_empty(),
        "no link to confirm: the address is confirmed"
    );
    // A reader not signed in still types it.
    let shared = Browser::new(&app, NEWS)
        .get("/national/rail-line-reopens")
        .await;
    let at = shared.body.find("<aside class=\"newsletter-box\"").unwrap();
    assert!(shared.body[at..].contains("type=\"email\""));
    app.stop().await;
}
