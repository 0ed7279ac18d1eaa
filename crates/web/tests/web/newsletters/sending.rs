//! Sending: a campaign reaches each active subscriber once, retries and
//! bounces, breaking alerts and digests on their own.

use super::*;

#[tokio::test]
async fn a_campaign_reaches_each_active_subscriber_once_with_one_click_unsubscribe() {
    let app = TestApp::builder().start().await;
    let (daily, breaking) = lists(&app).await;
    let site = news_id(&app);
    let people: Vec<String> = (0..4).map(|i| address(&format!("camp{i}"))).collect();
    for (i, e) in people.iter().enumerate() {
        let norm = kawaraban_core::identity::parse_email(e).unwrap().norm;
        let status = if i == 3 {
            SubscriberStatus::Paused
        } else {
            SubscriberStatus::Active
        };
        app.store
            .import_subscriber(site, e, &norm, status, &[daily, breaking], now())
            .await
            .unwrap();
    }
    let suppressed = kawaraban_core::identity::parse_email(&people[2])
        .unwrap()
        .norm;
    app.store
        .suppress(&suppressed, "complaint", now())
        .await
        .unwrap();
    let network = app.state.network.get();
    let news = network.sites.iter().find(|s| s.id == site).unwrap();
    let list = app
        .store
        .lists(site)
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.id == breaking)
        .unwrap();
    let article = app
        .store
        .article_by_slug(site, "rail-line-reopens", now())
        .await
        .unwrap()
        .unwrap();
    let (c, queued) =
        kawaraban_web::newsletters::alerts::send_breaking(&app.state, news, &list, &article)
            .await
            .unwrap()
            .expect("a first alert");
    assert_eq!(queued, 2, "the paused and the suppressed are not queued");
    // Triggered again: nothing new.
    assert!(
        kawaraban_web::newsletters::alerts::send_breaking(&app.state, news, &list, &article)
            .await
            .unwrap()
            .is_none()
    );
    let counts = settle(&app, c.id).await;
    assert_eq!((counts.sent, counts.failed, counts.bounced), (2, 0, 0));
    for (i, e) in people.iter().enumerate() {
        let got = raw_mail(&app, e);
        assert_eq!(got.len(), usize::from(i < 2), "{e}: {} messages", got.len());
    }
    let m = &raw_mail(&app, &people[0])[0];
    assert!(
        m.contains("Subject: Breaking: Rail line reopens after typhoon repairs"),
        "{m}"
    );
    assert!(m.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    assert!(m.contains("Precedence: bulk"));
    assert!(m.contains(&format!("Message-ID: <c{}.s", c.id)));
    let header = m
        .lines()
        .find(|l| l.starts_with("List-Unsubscribe: <"))
        .expect("List-Unsubscribe");
    let url = &header["List-Unsubscribe: <".len()..header.find('>').unwrap()];
    assert!(
        url.starts_with("http://news.localhost:8080/newsletters/unsubscribe/"),
        "{url}"
    );
    assert!(header.contains("<mailto:unsubscribe@example.test?subject=unsubscribe%20"));
    assert!(
        m.contains("/newsletters/manage/"),
        "the body links to the manage page"
    );
    assert!(!m.contains("%%MANAGE_URL%%") && !m.contains("%%UNSUBSCRIBE_URL%%"));
    // The header's URL unsubscribes with one POST.
    let path = url.trim_start_matches("http://news.localhost:8080");
    let resp = app
        .request(reqwest::Method::POST, NEWS, path)
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        subscriber(&app, &people[0]).await.unwrap().status,
        SubscriberStatus::Unsubscribed
    );
    // Editors see its counts; members may not.
    let (mut ed, _) = person(&app, "Eddie", Role::Editor).await;
    let page = ed.get("/newsletters/campaigns").await;
    assert_eq!(page.status, 200);
    assert!(page
        .body
        .contains("Breaking: Rail line reopens after typhoon repairs"));
    assert!(page.body.contains(&format!("id=\"campaign-{}\"", c.id)));
    let (mut member, _) = person(&app, "Molly", Role::Member).await;
    assert_eq!(member.get("/newsletters/campaigns").await.status, 403);
    // Finished campaigns are closed.
    let mut done = false;
    for _ in 0..100 {
        if app.store.campaign(c.id).await.unwrap().unwrap().status == "done" {
            done = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(done, "the campaign is marked done");
    app.stop().await;
}

#[tokio::test]
async fn temporary_refusals_are_retried_and_permanent_ones_suppress_the_address() {
    let app = TestApp::builder().start().await;
    if std::env::var("KAWARABAN_TEST_SMTP_URL").is_err() {
        eprintln!("skipped: needs the SMTP sink (scripts/test.sh starts it)");
        return;
    }
    let (daily, _) = lists(&app).await;
    let site = news_id(&app);
    let (soft, hard) = (address("soft"), address("hard"));
    for e in [&soft, &hard] {
        let norm = kawaraban_core::identity::parse_email(e).unwrap().norm;
        app.store
            .import_subscriber(site, e, &norm, SubscriberStatus::Active, &[daily], now())
            .await
            .unwrap();
    }
    fail_rule(&app, &format!("{soft} 451 try again later once"));
    fail_rule(&app, &format!("{hard} 550 no such user"));
    let (c, n) = queue_letter(&app, daily).await;
    assert_eq!(n, 2);
    let counts = settle(&app, c.id).await;
    assert_eq!((counts.sent, counts.bounced), (1, 1), "{counts:?}");
    assert_eq!(raw_mail(&app, &soft).len(), 1, "sent once, after the retry");
    assert!(raw_mail(&app, &hard).is_empty());
    let hard_norm = kawaraban_core::identity::parse_email(&hard).unwrap().norm;
    assert!(app.store.is_suppressed(&hard_norm).await.unwrap());
    // The next campaign skips the bounced address.
    let (_, n) = queue_letter(&app, daily).await;
    assert_eq!(n, 1);
    app.stop().await;
}

#[tokio::test]
async fn breaking_articles_and_digests_go_out_once_without_anyone_sending_them() {
    let app = TestApp::builder().start().await;
    let (daily, breaking) = lists(&app).await;
    let site = news_id(&app);
    // The digest is due from 00:00 Tokyo time: always, today.
    app.store
        .upsert_list(
            &NewList {
                site_id: site,
                key: "daily".into(),
                name: "The Daily".into(),
                description: String::new(),
                kind: ListKind::Digest,
                section_id: None,
                position: 0,
                send_time: Some("00:00".into()),
            },
            now(),
        )
        .await
        .unwrap();
    let reader = address("sched");
    let norm = kawaraban_core::identity::parse_email(&reader).unwrap().norm;
    app.store
        .import_subscriber(
            site,
            &reader,
            &norm,
            SubscriberStatus::Active,
            &[daily, breaking],
            now(),
        )
        .await
        .unwrap();
    let published = (now() - chrono::Duration::minutes(5)).to_rfc3339();
    app.import(&[article(
        "news",
        "national",
        "dam-alert",
        "Dam operators open spillways as river rises",
        &published,
        "breaking: true\n",
    )])
    .await;
    let t = now();
    kawaraban_web::newsletters::schedule::tick(&app.state, t)
        .await
        .unwrap();
    kawaraban_web::newsletters::schedule::tick(&app.state, t + chrono::Duration::seconds(60))
        .await
        .unwrap();
    let campaigns = app.store.campaigns(site, 10).await.unwrap();
    let kinds: Vec<&str> = campaigns.iter().map(|c| c.kind.as_str()).collect();
    // Minutes after midnight in Tokyo the five-minute-old story is
    // yesterday's and there is no digest yet; otherwise there is one.
    let tokyo = t.with_timezone(&chrono_tz::Asia::Tokyo);
    let digest_expected = tokyo.date_naive()
        == (t - chrono::Duration::minutes(5))
            .with_timezone(&chrono_tz::Asia::Tokyo)
            .date_naive();
    assert_eq!(
        kinds.iter().filter(|k| **k == "breaking").count(),
        1,
        "{kinds:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == "digest").count(),
        usize::from(digest_expected),
        "{kinds:?}"
    );
    for c in &campaigns {
        settle(&app, c.id).await;
    }
    let mails = raw_mail(&app, &reader);
    assert_eq!(mails.len(), campaigns.len(), "one message per mailing");
    assert!(mails
        .iter()
        .any(|m| m.contains("Subject: Breaking: Dam operators open spillways")));
    if digest_expected {
        let d = mails
            .iter()
            .find(|m| m.contains("Subject: The Daily:"))
            .expect("the digest");
        assert!(
            d.contains("Dam operators open spillways") && d.contains("NATIONAL"),
            "{d}"
        );
    }
    app.stop().await;
}

/// A server whose own once-a-minute check is an hour away, with one
/// subscriber to the breaking-news list: only a wake-up can send an alert
/// in time.
async fn alert_app(who: &str) -> (TestApp, String) {
    let app = TestApp::builder()
        // Gives the news site its "national" section for the desk.
        .with_article(wire_article())
        .configure(|c| c.schedule_every = std::time::Duration::from_secs(3600))
        .start()
        .await;
    let (_, breaking) = lists(&app).await;
    let reader = address(who);
    let norm = kawaraban_core::identity::parse_email(&reader).unwrap().norm;
    app.store
        .import_subscriber(
            news_id(&app),
            &reader,
            &norm,
            SubscriberStatus::Active,
            &[breaking],
            now(),
        )
        .await
        .unwrap();
    // The sender's first check runs as it starts; what follows comes after it.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    (app, reader)
}

#[tokio::test]
async fn a_breaking_story_imported_elsewhere_is_alerted_at_once_not_at_the_next_check() {
    let (app, reader) = alert_app("instant").await;
    // As `kawaraban import` in another process would: straight into the
    // database, announced there, not through this server.
    app.import(&[article(
        "news",
        "national",
        "levee-breach",
        "Levee breach forces evacuations downstream",
        &(now() - chrono::Duration::seconds(10)).to_rfc3339(),
        "breaking: true\n",
    )])
    .await;
    let mail = app.wait_mail(&reader, 1).await;
    assert!(mail.subject.contains("Levee breach"), "{}", mail.subject);
    app.stop().await;
}

#[tokio::test]
async fn a_scheduled_breaking_story_is_alerted_when_it_goes_live() {
    let (app, reader) = alert_app("scheduled").await;
    let live_at = now() + chrono::Duration::seconds(3);
    app.import(&[article(
        "news",
        "national",
        "quake-warning",
        "Earthquake early warning issued for the coast",
        &live_at.to_rfc3339(),
        "breaking: true\n",
    )])
    .await;
    // Not before it is published ...
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert!(
        app.mail_for(&reader).is_empty(),
        "alerted before the story went live"
    );
    // ... and soon after, though the minute's check is an hour away.
    let mail = app.wait_mail(&reader, 1).await;
    assert!(
        mail.subject.contains("Earthquake early warning"),
        "{}",
        mail.subject
    );
    assert!(now() >= live_at);
    app.stop().await;
}

#[tokio::test]
async fn a_breaking_story_published_from_the_desk_is_alerted_at_once() {
    let (app, reader) = alert_app("desk").await;
    let (mut editor, _) =
        crate::comments::person(&app, "Alert Editor", kawaraban_core::model::Role::Editor).await;
    let (_, page) = crate::desk_stories::create(
        &mut editor,
        "Tsunami advisory lifted for the Pacific coast",
        &[("breaking", "on"), ("intent", "publish")],
    )
    .await;
    assert!(page.body.contains("Published"), "{}", page.body);
    let mail = app.wait_mail(&reader, 1).await;
    assert!(
        mail.subject.contains("Tsunami advisory lifted"),
        "{}",
        mail.subject
    );
    app.stop().await;
}
