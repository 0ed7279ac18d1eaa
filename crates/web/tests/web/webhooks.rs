//! Webhooks through a real server and a real receiver on loopback: what
//! an admin registers, what is delivered (signed, checked with the
//! Standard Webhooks reference library), retries after a failure, a
//! receiver that hangs or redirects, rotation, replay, and who may.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use kawaraban_core::model::Role;

use crate::comments::person;
use crate::support::*;

/// How the receiver answers its next request.
#[derive(Clone, Copy)]
enum Answer {
    Status(u16),
    Hang,
    Redirect,
}

#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
    script: Arc<Mutex<VecDeque<Answer>>>,
}

impl Receiver {
    async fn start(script: &[Answer]) -> (Receiver, String) {
        let r = Receiver {
            got: Default::default(),
            script: Arc::new(Mutex::new(script.iter().copied().collect())),
        };
        let me = r.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                let me = me.clone();
                async move {
                    me.got.lock().unwrap().push((headers, body));
                    let next = me
                        .script
                        .lock()
                        .unwrap()
                        .pop_front()
                        .unwrap_or(Answer::Status(200));
                    match next {
                        Answer::Status(s) => StatusCode::from_u16(s).unwrap().into_response(),
                        Answer::Hang => {
                            tokio::time::sleep(Duration::from_secs(30)).await;
                            StatusCode::OK.into_response()
                        }
                        Answer::Redirect => (
                            StatusCode::FOUND,
                            [("location", "http://127.0.0.1:9/elsewhere")],
                        )
                            .into_response(),
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (r, url)
    }

    fn count(&self) -> usize {
        self.got.lock().unwrap().len()
    }

    fn bodies(&self) -> Vec<serde_json::Value> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .map(|(_, b)| serde_json::from_slice(b).unwrap())
            .collect()
    }
}

async fn app() -> TestApp {
    TestApp::builder()
        .with_article(wire_article())
        .configure(|c| {
            c.webhooks_allow_internal = true;
            c.webhook_poll = Duration::from_millis(50);
            c.webhook_timeout = Duration::from_millis(800);
        })
        .start()
        .await
}

/// Registers a webhook from the desk and gives its id and secret.
async fn register(
    b: &mut crate::browser::Browser<'_>,
    url: &str,
    events: &[&str],
) -> (i64, String) {
    let mut fields = vec![("url", url), ("scope", "site")];
    fields.extend(events.iter().map(|e| ("events", *e)));
    let page = b.submit("/desk/webhooks", "/desk/webhooks", &fields).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let secret = page
        .body
        .split("id=\"made-secret\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let id = page
        .body
        .split("Webhook ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    (id, secret)
}

fn story(title: &str, intent: &str) -> Vec<(String, String)> {
    [
        ("title", title),
        ("slug", ""),
        ("section", "national"),
        ("authors", "Aiko Tanabe"),
        ("body", "Body.\n"),
        ("comment_mode", "open"),
        ("intent", intent),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

async fn publish(b: &mut crate::browser::Browser<'_>, title: &str) -> crate::browser::Page {
    let f = story(title, "publish");
    let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.submit("/desk/stories/new", "/desk/stories", &refs).await
}

#[tokio::test]
async fn a_published_story_is_delivered_signed_and_retried_after_a_failure() {
    let app = app().await;
    let (mut admin, _) = person(&app, "Ada Admin", Role::Admin).await;
    let (receiver, url) = Receiver::start(&[Answer::Status(500)]).await;
    let (id, secret) = register(&mut admin, &url, &["story.published", "story.unpublished"]).await;
    assert!(secret.starts_with("whsec_"));
    let p = publish(&mut admin, "Tunnel opens").await;
    assert!(p.body.contains("story-published"), "{}", p.body);
    // First try answered 500; the second, after the first wait (10 s), is
    // not awaited here: a replay sends it at once.
    assert!(
        eventually(|| async { receiver.count() == 1 }).await,
        "delivered once"
    );
    let log = admin.get(&format!("/desk/webhooks/{id}")).await;
    assert!(
        log.body.contains("story.published") && log.body.contains("pending"),
        "{}",
        log.body
    );
    assert!(log.body.contains("500"));
    let delivery = app.store.deliveries(id, 10).await.unwrap().remove(0);
    assert_eq!(delivery.attempts, 1);
    assert!(
        delivery.next_at > now() + chrono::Duration::seconds(5),
        "waits before trying again"
    );
    admin
        .submit(
            &format!("/desk/webhooks/{id}"),
            &format!("/desk/webhooks/{id}"),
            &[("action", "replay"), ("delivery", &delivery.id.to_string())],
        )
        .await;
    assert!(
        eventually(|| async { receiver.count() == 2 }).await,
        "tried again"
    );
    assert!(
        eventually(|| async {
            app.store.deliveries(id, 10).await.unwrap()[0].status
                == kawaraban_core::model::DeliveryStatus::Delivered
        })
        .await
    );

    // Both tries carry the same id, and verify with the reference library.
    let got = receiver.got.lock().unwrap().clone();
    let ids: Vec<&str> = got
        .iter()
        .map(|(h, _)| h["webhook-id"].to_str().unwrap())
        .collect();
    assert_eq!(ids[0], ids[1]);
    let verifier = standardwebhooks::Webhook::new(&secret).unwrap();
    for (headers, body) in &got {
        verifier
            .verify(body, headers)
            .expect("a valid Standard Webhooks signature");
    }
    let wrong = standardwebhooks::Webhook::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    assert!(
        wrong.verify(&got[0].1, &got[0].0).is_err(),
        "a test that can fail"
    );
    let body = &receiver.bodies()[0];
    assert_eq!(body["type"], "story.published");
    assert_eq!(body["data"]["story"]["title"], "Tunnel opens");
    assert_eq!(
        body["data"]["story"]["url"],
        "http://news.localhost:8080/national/tunnel-opens"
    );
    // Delivered: never sent again.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.count(), 2);
    app.stop().await;
}

#[tokio::test]
async fn a_receiver_that_hangs_or_redirects_is_not_followed_and_is_tried_later() {
    let app = app().await;
    let (mut admin, _) = person(&app, "Ada Admin", Role::Admin).await;
    let (hanging, url) = Receiver::start(&[Answer::Hang]).await;
    let (hang_id, _) = register(&mut admin, &url, &["story.published"]).await;
    let (redirecting, url2) = Receiver::start(&[Answer::Redirect]).await;
    let (redirect_id, _) = register(&mut admin, &url2, &["story.published"]).await;
    publish(&mut admin, "Storm warning").await;
    assert!(
        eventually(|| async {
            let h = app.store.deliveries(hang_id, 1).await.unwrap();
            let r = app.store.deliveries(redirect_id, 1).await.unwrap();
            h.first()
                .is_some_and(|d| d.last_error.contains("no answer within"))
                && r.first().is_some_and(|d| {
                    d.last_error
                        .contains("redirected to http://127.0.0.1:9/elsewhere")
                })
        })
        .await
    );
    assert_eq!(
        (hanging.count(), redirecting.count()),
        (1, 1),
        "one try each, the redirect not followed"
    );
    for id in [hang_id, redirect_id] {
        let d = app.store.deliveries(id, 1).await.unwrap().remove(0);
        assert_eq!(
            d.status,
            kawaraban_core::model::DeliveryStatus::Pending,
            "tried again later"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn rotation_signs_with_both_secrets_and_only_admins_manage_webhooks() {
    let app = app().await;
    let (mut admin, _) = person(&app, "Ada Admin", Role::Admin).await;
    let (mut editor, _) = person(&app, "Edna Editor", Role::Editor).await;
    assert_eq!(editor.get("/desk/webhooks").await.status, 403);
    let (receiver, url) = Receiver::start(&[]).await;
    let (id, old) = register(&mut admin, &url, &["story.correction", "story.published"]).await;
    let rotated = admin
        .submit(
            &format!("/desk/webhooks/{id}"),
            &format!("/desk/webhooks/{id}"),
            &[("action", "rotate")],
        )
        .await;
    let new = rotated
        .body
        .split("id=\"new-secret\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert_ne!(new, old);
    publish(&mut admin, "Bridge reopens").await;
    assert!(eventually(|| async { receiver.count() == 1 }).await);
    let (headers, body) = receiver.got.lock().unwrap()[0].clone();
    assert_eq!(
        headers["webhook-signature"]
            .to_str()
            .unwrap()
            .split(' ')
            .count(),
        2
    );
    for secret in [&old, &new] {
        standardwebhooks::Webhook::new(secret)
            .unwrap()
            .verify(&body, &headers)
            .expect("either secret verifies");
    }
    // Bad input: a non-http address, no events, an internal address when not allowed.
    for (fields, want) in [
        (
            vec![("url", "ftp://x.example"), ("events", "story.published")],
            "not an http(s) address",
        ),
        (
            vec![("url", "https://hooks.example.com/x")],
            "choose at least one event",
        ),
        (
            vec![
                ("url", "https://hooks.example.com/x"),
                ("events", "story.deleted"),
            ],
            "is not an event",
        ),
    ] {
        let page = admin
            .submit("/desk/webhooks", "/desk/webhooks", &fields)
            .await;
        assert_eq!(page.status, 422, "{fields:?}");
        assert!(page.body.contains(want), "{want}: {}", page.body);
    }
    let forged = admin
        .post(
            "/desk/webhooks",
            &[
                ("csrf", "forged"),
                ("url", &url),
                ("events", "story.published"),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    app.stop().await;
}

#[tokio::test]
async fn internal_receivers_are_refused_unless_the_server_allows_them() {
    let app = TestApp::builder()
        .with_article(wire_article())
        .start()
        .await;
    let (mut admin, _) = person(&app, "Ada Admin", Role::Admin).await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/x",
    ] {
        let page = admin
            .submit(
                "/desk/webhooks",
                "/desk/webhooks",
                &[("url", url), ("events", "story.published")],
            )
            .await;
        assert_eq!(page.status, 422, "{url}");
        assert!(
            page.body.contains("internal address"),
            "{url}: {}",
            page.body
        );
    }
    assert!(app.store.webhooks().await.unwrap().is_empty());
    app.stop().await;
}
