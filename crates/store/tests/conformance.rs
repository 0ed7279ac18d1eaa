//! One conformance suite for every storage trait, run against the backend
//! chosen by `KAWARABAN_TEST_DB` (SQLite by default, PostgreSQL in the
//! second pass of `scripts/test.sh`).

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use kawaraban_core::markdown;
use kawaraban_core::model::*;
use kawaraban_core::store::Store;
use kawaraban_store::{connect, testing, ConnectOptions};

struct Db {
    store: Arc<dyn Store>,
    _dir: tempfile::TempDir,
}

async fn db() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let url = testing::fresh_database_url(dir.path()).await;
    let store = connect(&ConnectOptions {
        url,
        max_connections: 4,
    })
    .await
    .expect("connect");
    Db { store, _dir: dir }
}

fn new_site(key: &str, default: bool) -> NewSite {
    NewSite {
        key: key.into(),
        name: format!("The {key} site"),
        url: format!("http://{key}.localhost:8080/"),
        time_zone: "Asia/Tokyo".into(),
        publisher: "Lanternfield Media".into(),
        tagline: String::new(),
        is_default: default,
    }
}

fn t(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
}

fn input(
    site: &Site,
    section: &Section,
    slug: &str,
    title: &str,
    body: &str,
    published: DateTime<Utc>,
) -> ArticleInput {
    ArticleInput {
        site_id: site.id,
        section_id: section.id,
        slug: slug.into(),
        title: title.into(),
        summary: format!("Summary of {title}"),
        dateline: "TOKYO".into(),
        body_markdown: body.into(),
        body_html: markdown::render_body(body),
        body_text: markdown::plain_text(body),
        source: "Pacific Wire Service".into(),
        copyright: "© Pacific Wire Service 2026.".into(),
        published_at: published,
        updated_at: None,
        status: Status::Published,
        featured: false,
        breaking: false,
        image_id: None,
        image_caption: String::new(),
        image_credit: String::new(),
        image_alt: String::new(),
        authors: vec!["Aiko Tanabe".into()],
        tags: vec!["Rail".into()],
        origin: "test".into(),
    }
}

async fn site_and_section(store: &dyn Store) -> (Site, Section) {
    let site = store.upsert_site(&new_site("news", true)).await.unwrap();
    let (section, _) = store
        .ensure_section(site.id, "national", "National")
        .await
        .unwrap();
    (site, section)
}

#[tokio::test]
async fn sites_upsert_by_key_and_keep_one_default() {
    let db = db().await;
    let a = db.store.upsert_site(&new_site("news", true)).await.unwrap();
    assert_eq!(
        a.url, "http://news.localhost:8080",
        "URL stored without trailing slash"
    );
    let b = db
        .store
        .upsert_site(&new_site("travel", true))
        .await
        .unwrap();
    let mut renamed = new_site("news", false);
    renamed.name = "Renamed".into();
    let a2 = db.store.upsert_site(&renamed).await.unwrap();
    assert_eq!(a.id, a2.id);
    let sites = db.store.list_sites().await.unwrap();
    assert_eq!(sites.len(), 2);
    assert_eq!(sites.iter().filter(|s| s.is_default).count(), 1);
    assert!(sites.iter().any(|s| s.id == b.id && s.is_default));
    assert!(sites.iter().any(|s| s.name == "Renamed"));
}

#[tokio::test]
async fn sections_are_created_once_in_order() {
    let db = db().await;
    let site = db.store.upsert_site(&new_site("news", true)).await.unwrap();
    let (first, created) = db
        .store
        .ensure_section(site.id, "politics", "Politics")
        .await
        .unwrap();
    assert!(created);
    let (again, created) = db
        .store
        .ensure_section(site.id, "politics", "Other name")
        .await
        .unwrap();
    assert!(!created);
    assert_eq!(first.id, again.id);
    assert_eq!(again.name, "Politics");
    let (second, _) = db
        .store
        .ensure_section(site.id, "business", "Business")
        .await
        .unwrap();
    assert!(second.position > first.position);
    assert_eq!(db.store.list_sections().await.unwrap().len(), 2);
}

#[tokio::test]
async fn upsert_creates_then_updates_and_replaces_labels() {
    let db = db().await;
    let (site, section) = site_and_section(&*db.store).await;
    let mut a = input(
        &site,
        &section,
        "rail",
        "Rail line reopens",
        "The line **reopened**.",
        t(20, 1),
    );
    a.authors = vec!["Aiko Tanabe".into(), "Ren Okabe".into()];
    a.tags = vec!["Rail".into(), "Tohoku".into()];
    let first = db.store.upsert_article(&a).await.unwrap();
    assert!(first.created);
    let got = db
        .store
        .article_by_slug(site.id, "rail", t(27, 0))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        got.authors
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        ["Aiko Tanabe", "Ren Okabe"]
    );
    assert_eq!(got.tags.len(), 2);
    assert_eq!(got.section_slug, "national");
    assert!(got.body_html.contains("<strong>reopened</strong>"));
    assert_eq!(got.published_at, t(20, 1));

    a.title = "Rail line reopens after repairs".into();
    a.authors = vec!["Ren Okabe".into()];
    a.tags = vec!["Rail".into()];
    a.updated_at = Some(t(20, 5));
    let second = db.store.upsert_article(&a).await.unwrap();
    assert_eq!(
        second,
        kawaraban_core::model::Upserted {
            id: first.id,
            created: false
        }
    );
    let got = db
        .store
        .article_by_slug(site.id, "rail", t(27, 0))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.title, "Rail line reopens after repairs");
    assert_eq!(got.authors.len(), 1);
    assert_eq!(got.tags.len(), 1);
    assert_eq!(got.updated_at, Some(t(20, 5)));
}

#[tokio::test]
async fn drafts_and_scheduled_articles_stay_hidden() {
    let db = db().await;
    let (site, section) = site_and_section(&*db.store).await;
    let mut draft = input(&site, &section, "draft", "Draft", "Body", t(20, 1));
    draft.status = Status::Draft;
    db.store.upsert_article(&draft).await.unwrap();
    db.store
        .upsert_article(&input(&site, &section, "later", "Later", "Body", t(25, 0)))
        .await
        .unwrap();
    assert!(db
        .store
        .article_by_slug(site.id, "draft", t(27, 0))
        .await
        .unwrap()
        .is_none());
    assert!(db
        .store
        .article_by_slug(site.id, "later", t(24, 23))
        .await
        .unwrap()
        .is_none());
    assert!(db
        .store
        .article_by_slug(site.id, "later", t(25, 0))
        .await
        .unwrap()
        .is_some());
    assert_eq!(
        db.store.count_published(site.id, t(24, 0)).await.unwrap(),
        0
    );
    assert_eq!(
        db.store.count_published(site.id, t(26, 0)).await.unwrap(),
        1
    );
}

#[tokio::test]
async fn images_are_stored_once_per_hash() {
    let db = db().await;
    let img = NewImage {
        hash: "ab".repeat(32),
        width: 1600,
        height: 900,
        widths: vec![480, 800],
        ext: "jpg".into(),
    };
    let a = db.store.put_image(&img).await.unwrap();
    let b = db.store.put_image(&img).await.unwrap();
    assert_eq!(a.id, b.id);
    assert_eq!(b.widths, vec![480, 800]);
    let got = db.store.image_by_hash(&img.hash).await.unwrap().unwrap();
    assert_eq!(got.height_for(800), 450);
    assert!(db.store.image_by_hash("cd").await.unwrap().is_none());
}

#[tokio::test]
async fn cache_invalidations_are_read_in_order_and_pruned() {
    let db = db().await;
    assert_eq!(db.store.latest_invalidation_id().await.unwrap(), 0);
    db.store
        .publish_invalidations(&["article:1".into(), "list:1".into()])
        .await
        .unwrap();
    let start = db.store.latest_invalidation_id().await.unwrap();
    db.store
        .publish_invalidations(&["nav:1".into()])
        .await
        .unwrap();
    let after = db.store.invalidations_since(start).await.unwrap();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].1, "nav:1");
    assert_eq!(db.store.invalidations_since(0).await.unwrap().len(), 3);
    assert_eq!(
        db.store
            .prune_invalidations(Utc::now() + Duration::seconds(5))
            .await
            .unwrap(),
        3
    );
}

/// Two stores on one database: two app servers, or a server and an import.
async fn two_stores() -> (tempfile::TempDir, Arc<dyn Store>, Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let url = testing::fresh_database_url(dir.path()).await;
    let open = || async {
        connect(&ConnectOptions {
            url: url.clone(),
            max_connections: 4,
        })
        .await
        .expect("connect")
    };
    let (a, b) = (open().await, open().await);
    (dir, a, b)
}

#[tokio::test]
async fn an_announcement_from_another_connection_wakes_a_waiting_server() {
    let (_dir, server, other) = two_stores().await;
    let long = std::time::Duration::from_secs(20);
    // Whatever the first wake-up reports (a listener starting, say), settle.
    let mut seen = server
        .wait_for_change(0, std::time::Duration::from_millis(300))
        .await;
    seen = server
        .wait_for_change(seen, std::time::Duration::from_millis(300))
        .await;
    let waiting = tokio::spawn({
        let server = server.clone();
        async move {
            let started = std::time::Instant::now();
            let mark = server.wait_for_change(seen, long).await;
            (mark, started.elapsed())
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    other
        .publish_invalidations(&["article:7".into()])
        .await
        .unwrap();
    let (mark, took) = waiting.await.unwrap();
    assert_ne!(mark, seen, "woken by the change, not by the timeout");
    assert!(
        took < std::time::Duration::from_secs(5),
        "woken only after {took:?}"
    );
    // A mark already passed answers at once.
    let started = std::time::Instant::now();
    assert_eq!(server.wait_for_change(seen, long).await, mark);
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
}

#[tokio::test]
async fn two_processes_writing_at_once_both_succeed() {
    // A server saving comments and counts while `kawaraban import` runs
    // beside it: each transaction reads before it writes, and none may fail
    // with "database is locked" because the other committed in between.
    let (_dir, a, b) = two_stores().await;
    let (site, section) = site_and_section(a.as_ref()).await;
    let writer = |store: Arc<dyn Store>, name: &'static str| {
        let (site, section) = (site.clone(), section.clone());
        tokio::spawn(async move {
            for i in 0..40 {
                let one = input(
                    &site,
                    &section,
                    &format!("{name}-{i}"),
                    name,
                    "Body.",
                    t(2, 9),
                );
                let batch: Vec<_> = (0..3)
                    .map(|j| {
                        input(
                            &site,
                            &section,
                            &format!("{name}-{i}-{j}"),
                            name,
                            "Body.",
                            t(2, 9),
                        )
                    })
                    .collect();
                store.upsert_article(&one).await.expect("single upsert");
                store.upsert_articles(&batch).await.expect("batch upsert");
            }
        })
    };
    let (x, y) = (writer(a.clone(), "left"), writer(b.clone(), "right"));
    x.await.unwrap();
    y.await.unwrap();
    for slug in ["left-39", "right-39-2"] {
        assert!(
            a.article_by_slug(site.id, slug, t(3, 0))
                .await
                .unwrap()
                .is_some(),
            "{slug}"
        );
    }
}

#[tokio::test]
async fn health_ping_answers() {
    let db = db().await;
    db.store.ping().await.unwrap();
    assert_eq!(db.store.backend(), testing::backend());
}

#[path = "conformance/analytics.rs"]
mod analytics;
#[path = "conformance/api_keys.rs"]
mod api_keys;
#[path = "conformance/api_lists.rs"]
mod api_lists;
#[path = "conformance/article_lists.rs"]
mod article_lists;
#[path = "conformance/desk_library.rs"]
mod desk_library;
#[path = "conformance/external.rs"]
mod external;
#[path = "conformance/stories.rs"]
mod stories;
#[path = "conformance/webhooks.rs"]
mod webhooks;
