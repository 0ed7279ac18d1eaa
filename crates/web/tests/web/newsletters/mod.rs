//! Newsletters over HTTP and through the sender: signing up and leaving
//! (`signup`), campaigns, alerts and digests (`sending`), bounce and
//! complaint reports (`reports`).

mod reports;
mod sending;
mod signup;

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

/// Queues the theme's `letter` ("This week") to one of the news site's
/// lists: the campaign and how many recipients it got.
async fn queue_letter(app: &TestApp, list_id: i64) -> (Campaign, u64) {
    let network = app.state.network.get();
    let news = network.sites.iter().find(|s| s.id == news_id(app)).unwrap();
    let list = app
        .store
        .lists(news.id)
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.id == list_id)
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
    kawaraban_web::newsletters::campaigns::create_and_queue(&app.state, &draft)
        .await
        .unwrap()
        .unwrap()
}
