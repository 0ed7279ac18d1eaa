//! Bounce and complaint reports posted to the report endpoint.

use super::*;

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
    let (c, _) = queue_letter(&app, daily).await;
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
    let (_, n) = queue_letter(&app, daily).await;
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
