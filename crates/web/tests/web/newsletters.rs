//! Newsletter signup over HTTP: double opt-in by an emailed link (its GET
//! subscribes nobody), the form on shared pages, bad input, the manage page
//! behind a signed link, one-click unsubscribe as mail providers send it,
//! members who need no link, and suppressed addresses.

use kawaraban_core::model::*;

use crate::browser::Browser;
use crate::comments::{news_id, person};
use crate::members::{address, NEWS};
use crate::support::*;

/// The news site's lists: (daily digest, breaking alerts).
async fn lists(app: &TestApp) -> (i64, i64) {
    let mut ids = Vec::new();
    for (key, name, kind) in [
        ("daily", "The Daily", ListKind::Digest),
        ("breaking", "Breaking news alerts", ListKind::Breaking),
    ] {
        let l = app
            .store
            .upsert_list(
                &NewList {
                    site_id: news_id(app),
                    key: key.into(),
                    name: name.into(),
                    description: String::new(),
                    kind,
                    section_id: None,
                    position: 0,
                    send_time: None,
                },
                now(),
            )
            .await
            .unwrap();
        ids.push(l.id);
    }
    (ids[0], ids[1])
}

async fn subscriber(app: &TestApp, email: &str) -> Option<Subscriber> {
    let norm = kawaraban_core::identity::parse_email(email).unwrap().norm;
    app.store
        .subscriber_by_email(news_id(app), &norm)
        .await
        .unwrap()
}

/// Signs up through the page and confirms by the emailed link; returns the
/// manage page's path.
async fn confirmed(app: &TestApp, b: &mut Browser<'_>, email: &str, lists: &[i64]) -> String {
    let ids: Vec<String> = lists.iter().map(|l| l.to_string()).collect();
    let mut fields = vec![("email", email)];
    fields.extend(ids.iter().map(|i| ("list", i.as_str())));
    let page = b.submit("/newsletters", "/newsletters", &fields).await;
    assert!(page.body.contains("Check your email"), "{}", page.body);
    let mail = app.wait_mail(email, 1).await;
    let page = b
        .follow_email_link(&mail.link("/newsletters/confirm/"))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("You are subscribed"), "{}", page.body);
    url::Url::parse(&page.url).unwrap().path().to_string()
}

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
    // The box on shared pages: the lists, digest and alerts ticked, no token.
    for path in ["/", "/national/rail-line-reopens"] {
        let page = b.get(path).await;
        assert!(
            page.body.contains("Get our newsletters and alerts"),
            "{path}"
        );
        assert!(
            page.body.contains(&format!("value=\"{daily}\" checked")),
            "{path}"
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

/// The raw messages the sink (or outbox) holds for an address.
fn raw_mail(app: &TestApp, to: &str) -> Vec<String> {
    let mut files: Vec<_> = std::fs::read_dir(app.mail_dir())
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p: &std::path::PathBuf| p.extension().is_some_and(|e| e == "eml"));
    files.sort();
    files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        // Long header lines are folded; unfold them to read whole values.
        .map(|m| {
            m.replace("\r\n", "\n")
                .replace("\n ", " ")
                .replace("\n\t", " ")
        })
        .filter(|m| {
            m.to_lowercase()
                .contains(&format!("to: {}", to.to_lowercase()))
        })
        .collect()
}

async fn settle(app: &TestApp, campaign: i64) -> CampaignCounts {
    for _ in 0..200 {
        let c = app.store.campaign_counts(campaign).await.unwrap();
        if c.queued == 0 {
            return c;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("campaign {campaign} still has queued messages");
}

fn fail_rule(app: &TestApp, rule: &str) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(app.mail_dir().join(".fail-rules"))
        .unwrap();
    writeln!(f, "{rule}").unwrap();
}

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
    let network = app.state.network.get();
    let news = network.sites.iter().find(|s| s.id == site).unwrap();
    let list = app
        .store
        .lists(site)
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.id == daily)
        .unwrap();
    let draft = kawaraban_web::newsletters::campaigns::Draft {
        site: news,
        list: &list,
        template: "letter",
        subject: Some("This week"),
        preheader: "",
        kind: "campaign",
        dedupe_key: None,
        extra: minijinja::context! {},
    };
    let (c, n) = kawaraban_web::newsletters::campaigns::create_and_queue(&app.state, &draft)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(n, 2);
    let counts = settle(&app, c.id).await;
    assert_eq!((counts.sent, counts.bounced), (1, 1), "{counts:?}");
    assert_eq!(raw_mail(&app, &soft).len(), 1, "sent once, after the retry");
    assert!(raw_mail(&app, &hard).is_empty());
    let hard_norm = kawaraban_core::identity::parse_email(&hard).unwrap().norm;
    assert!(app.store.is_suppressed(&hard_norm).await.unwrap());
    // The next campaign skips the bounced address.
    let (_, n) = kawaraban_web::newsletters::campaigns::create_and_queue(&app.state, &draft)
        .await
        .unwrap()
        .unwrap();
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

/// A delivery status notification as a receiving server would write it.
fn dsn(to: &str, status: &str, message_id: &str) -> String {
    format!(
        "From: Mail Delivery System <mailer-daemon@mx.example.net>\r\n\
         To: news@example.test\r\n\
         Subject: Undelivered Mail Returned to Sender\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\
         --b1\r\nContent-Type: message/delivery-status\r\n\r\n\
         Reporting-MTA: dns; mx.example.net\r\n\r\n\
         Final-Recipient: rfc822; {to}\r\nAction: failed\r\nStatus: {status}\r\n\
         Diagnostic-Code: smtp; 550 mailbox unavailable\r\n\r\n\
         --b1\r\nContent-Type: text/rfc822-headers\r\n\r\n\
         Message-ID: <{message_id}>\r\nTo: {to}\r\nSubject: This week\r\n\r\n\
         --b1--\r\n"
    )
}

/// A complaint report (ARF) as a mailbox provider sends it.
fn arf(to: &str) -> String {
    format!(
        "From: feedback@isp.example.net\r\nTo: news@example.test\r\nSubject: complaint\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=feedback-report; boundary=\"b2\"\r\n\r\n\
         --b2\r\nContent-Type: text/plain\r\n\r\nA user marked this as spam.\r\n\
         --b2\r\nContent-Type: message/feedback-report\r\n\r\n\
         Feedback-Type: abuse\r\nUser-Agent: ExampleFeedback/1.0\r\nVersion: 1\r\n\
         Original-Rcpt-To: {to}\r\n\r\n\
         --b2\r\nContent-Type: text/rfc822-headers\r\n\r\nTo: {to}\r\nSubject: This week\r\n\r\n\
         --b2--\r\n"
    )
}

#[tokio::test]
async fn bounce_and_complaint_reports_suppress_addresses() {
    let app = TestApp::builder().start().await;
    let (daily, breaking) = lists(&app).await;
    let site = news_id(&app);
    let (bouncer, complainer, soft) = (address("dsn"), address("arf"), address("soft4"));
    for e in [&bouncer, &complainer, &soft] {
        let norm = kawaraban_core::identity::parse_email(e).unwrap().norm;
        app.store
            .import_subscriber(
                site,
                e,
                &norm,
                SubscriberStatus::Active,
                &[daily, breaking],
                now(),
            )
            .await
            .unwrap();
    }
    let network = app.state.network.get();
    let news = network.sites.iter().find(|s| s.id == site).unwrap();
    let list = app
        .store
        .lists(site)
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.id == daily)
        .unwrap();
    let draft = kawaraban_web::newsletters::campaigns::Draft {
        site: news,
        list: &list,
        template: "letter",
        subject: Some("This week"),
        preheader: "",
        kind: "campaign",
        dedupe_key: None,
        extra: minijinja::context! {},
    };
    let (c, _) = kawaraban_web::newsletters::campaigns::create_and_queue(&app.state, &draft)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(settle(&app, c.id).await.sent, 3);
    let bouncer_id = subscriber(&app, &bouncer).await.unwrap().id;
    let key = kawaraban_web::newsletters::reports::report_key(&app.state);
    let post = |body: String, key: String| {
        app.request(
            reqwest::Method::POST,
            NEWS,
            &format!("/newsletters/reports/{key}"),
        )
        .header("content-type", "message/rfc822")
        .body(body)
        .send()
    };
    let mid = format!("c{}.s{}.{}@news.localhost", c.id, bouncer_id, site);
    let resp = post(dsn(&bouncer, "5.1.1", &mid), key.clone())
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("\"suppressed\":1"));
    let norm = |e: &str| kawaraban_core::identity::parse_email(e).unwrap().norm;
    assert!(app.store.is_suppressed(&norm(&bouncer)).await.unwrap());
    assert_eq!(
        app.store.campaign_counts(c.id).await.unwrap().bounced,
        1,
        "the delivered message now counts as bounced"
    );
    // A soft bounce changes nothing.
    let resp = post(dsn(&soft, "4.2.2", "x@y"), key.clone()).await.unwrap();
    assert!(resp.text().await.unwrap().contains("\"ignored\":1"));
    assert!(!app.store.is_suppressed(&norm(&soft)).await.unwrap());
    // A complaint unsubscribes from everything and suppresses.
    let resp = post(arf(&complainer), key.clone()).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        subscriber(&app, &complainer).await.unwrap().status,
        SubscriberStatus::Unsubscribed
    );
    assert!(app.store.is_suppressed(&norm(&complainer)).await.unwrap());
    // The next campaign goes to the one address left.
    let (_, n) = kawaraban_web::newsletters::campaigns::create_and_queue(&app.state, &draft)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(n, 1);
    // Not a report: 422; a wrong key: 404.
    let resp = post("Subject: hello\r\n\r\nJust text.\r\n".into(), key.clone())
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    assert_eq!(
        post(arf(&soft), format!("{key}x")).await.unwrap().status(),
        404
    );
    assert!(!app.store.is_suppressed(&norm(&soft)).await.unwrap());
    app.stop().await;
}
