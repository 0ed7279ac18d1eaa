//! One conformance suite for every storage trait, run against the backend
//! chosen by `KAWARABAN_TEST_DB` (SQLite by default, PostgreSQL in the
//! second pass of `scripts/test.sh`).

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use kawaraban_core::markdown;
use kawaraban_core::model::*;
use kawaraban_core::paging::PageRequest;
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
async fn lists_filter_and_paginate_newest_first() {
    let db = db().await;
    let (site, national) = site_and_section(&*db.store).await;
    let (sports, _) = db
        .store
        .ensure_section(site.id, "sports", "Sports")
        .await
        .unwrap();
    for i in 0..5u32 {
        let section = if i % 2 == 0 { &national } else { &sports };
        let mut a = input(
            &site,
            section,
            &format!("a{i}"),
            &format!("Story {i}"),
            "Body",
            t(10 + i, 0),
        );
        a.featured = i == 3;
        a.tags = if i < 2 { vec!["Rail".into()] } else { vec![] };
        a.authors = if i == 4 {
            vec!["Ren Okabe".into()]
        } else {
            vec!["Aiko Tanabe".into()]
        };
        db.store.upsert_article(&a).await.unwrap();
    }
    let now = t(27, 0);
    let p1 = db
        .store
        .list_articles(site.id, ListFilter::All, PageRequest::new(1, 2), now)
        .await
        .unwrap();
    assert_eq!(
        p1.items.iter().map(|a| a.slug.as_str()).collect::<Vec<_>>(),
        ["a4", "a3"]
    );
    assert!(p1.has_next);
    let p3 = db
        .store
        .list_articles(site.id, ListFilter::All, PageRequest::new(3, 2), now)
        .await
        .unwrap();
    assert_eq!(p3.items.len(), 1);
    assert!(!p3.has_next);
    let sec = db
        .store
        .list_articles(
            site.id,
            ListFilter::Section(sports.id),
            PageRequest::new(1, 10),
            now,
        )
        .await
        .unwrap();
    assert_eq!(
        sec.items
            .iter()
            .map(|a| a.slug.as_str())
            .collect::<Vec<_>>(),
        ["a3", "a1"]
    );
    assert_eq!(sec.items[0].section_slug, "sports");
    let featured = db
        .store
        .list_articles(site.id, ListFilter::Featured, PageRequest::new(1, 10), now)
        .await
        .unwrap();
    assert_eq!(featured.items.len(), 1);
    let tag = db
        .store
        .tag_by_slug(site.id, "rail")
        .await
        .unwrap()
        .unwrap();
    let tagged = db
        .store
        .list_articles(
            site.id,
            ListFilter::Tag(tag.id),
            PageRequest::new(1, 10),
            now,
        )
        .await
        .unwrap();
    assert_eq!(
        tagged
            .items
            .iter()
            .map(|a| a.slug.as_str())
            .collect::<Vec<_>>(),
        ["a1", "a0"]
    );
    let author = db.store.author_by_slug("ren-okabe").await.unwrap().unwrap();
    let by = db
        .store
        .list_articles(
            site.id,
            ListFilter::Author(author.id),
            PageRequest::new(1, 10),
            now,
        )
        .await
        .unwrap();
    assert_eq!(by.items.len(), 1);
    assert!(db
        .store
        .tag_by_slug(site.id, "nope")
        .await
        .unwrap()
        .is_none());
    // Only this site's articles.
    let other = db
        .store
        .upsert_site(&new_site("travel", false))
        .await
        .unwrap();
    let none = db
        .store
        .list_articles(other.id, ListFilter::All, PageRequest::new(1, 10), now)
        .await
        .unwrap();
    assert!(none.items.is_empty());
}

#[tokio::test]
async fn whole_articles_by_id_and_list_counts() {
    let db = db().await;
    let (site, national) = site_and_section(&*db.store).await;
    let mut ids = Vec::new();
    for i in 0..4u32 {
        let mut a = input(
            &site,
            &national,
            &format!("w{i}"),
            &format!("Whole {i}"),
            "Body",
            t(10 + i, 0),
        );
        a.featured = i % 2 == 1;
        a.authors = vec!["Aiko Tanabe".into(), format!("Writer {i}")];
        a.tags = if i == 0 {
            vec![]
        } else {
            vec!["Rail".into(), "Ports".into()]
        };
        if i == 3 {
            a.status = Status::Draft;
        }
        ids.push(db.store.upsert_article(&a).await.unwrap().id);
    }
    let now = t(27, 0);
    // In the order asked; the draft (ids[3]) and unknown ids left out.
    let asked = [ids[2], ids[3], 999_999, ids[0], ids[1]];
    let found = db
        .store
        .articles_by_ids(site.id, &asked, now)
        .await
        .unwrap();
    assert_eq!(
        found.iter().map(|a| a.slug.as_str()).collect::<Vec<_>>(),
        ["w2", "w0", "w1"]
    );
    let w2 = &found[0];
    assert_eq!(
        w2.authors
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        ["Aiko Tanabe", "Writer 2"],
        "authors in their order"
    );
    assert_eq!(
        w2.tags.iter().map(|t| t.slug.as_str()).collect::<Vec<_>>(),
        ["ports", "rail"]
    );
    assert!(found[1].tags.is_empty());
    assert_eq!(w2.body_html, markdown::render_body("Body"));
    assert_eq!(w2.dateline, "TOKYO");
    // Another site's id is not this site's story; none asked, none found.
    let travel = db
        .store
        .upsert_site(&new_site("travel", false))
        .await
        .unwrap();
    assert!(db
        .store
        .articles_by_ids(travel.id, &ids, now)
        .await
        .unwrap()
        .is_empty());
    assert!(db
        .store
        .articles_by_ids(site.id, &[], now)
        .await
        .unwrap()
        .is_empty());
    // Counts agree with what the lists page through.
    let rail = db
        .store
        .tag_by_slug(site.id, "rail")
        .await
        .unwrap()
        .unwrap();
    let writer = db.store.author_by_slug("writer-1").await.unwrap().unwrap();
    for (filter, n) in [
        (ListFilter::All, 3),
        (ListFilter::Featured, 1),
        (ListFilter::Section(national.id), 3),
        (ListFilter::Tag(rail.id), 2),
        (ListFilter::Author(writer.id), 1),
    ] {
        assert_eq!(
            db.store.count_articles(site.id, filter, now).await.unwrap(),
            n,
            "{filter:?}"
        );
    }
    assert_eq!(
        db.store
            .count_articles(site.id, ListFilter::All, t(10, 12))
            .await
            .unwrap(),
        1,
        "as of a time"
    );
    // The site's tags and authors: of visible stories only (the draft's
    // "Writer 3" is not one), by name, each once.
    let tags = db.store.site_tags(site.id, now).await.unwrap();
    assert_eq!(
        tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["Ports", "Rail"]
    );
    let authors = db.store.site_authors(site.id, now).await.unwrap();
    assert_eq!(
        authors.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["Aiko Tanabe", "Writer 0", "Writer 1", "Writer 2"]
    );
    assert!(db.store.site_tags(travel.id, now).await.unwrap().is_empty());
}

#[tokio::test]
async fn search_ranks_headline_matches_and_marks_snippets() {
    let db = db().await;
    let (site, section) = site_and_section(&*db.store).await;
    db.store
        .upsert_article(&input(
            &site,
            &section,
            "ferry",
            "Ferry fares rise",
            "Operators said the ferry timetable stays.",
            t(20, 0),
        ))
        .await
        .unwrap();
    db.store
        .upsert_article(&input(
            &site,
            &section,
            "budget",
            "Budget passes",
            "A small ferry subsidy was included in the budget.",
            t(21, 0),
        ))
        .await
        .unwrap();
    db.store
        .upsert_article(&input(
            &site,
            &section,
            "other",
            "Unrelated",
            "Nothing to see.",
            t(22, 0),
        ))
        .await
        .unwrap();
    let now = t(27, 0);
    let hits = db
        .store
        .search(site.id, "ferry", PageRequest::new(1, 10), now)
        .await
        .unwrap();
    assert_eq!(
        hits.items
            .iter()
            .map(|a| a.slug.as_str())
            .collect::<Vec<_>>(),
        ["ferry", "budget"]
    );
    let snippet = hits.items[1].snippet.as_deref().unwrap();
    assert!(snippet.contains("\u{1}ferry\u{2}"), "{snippet:?}");
    // Stemming: "fares" matches "fare".
    let stem = db
        .store
        .search(site.id, "fare", PageRequest::new(1, 10), now)
        .await
        .unwrap();
    assert_eq!(stem.items.len(), 1);
    // Hostile syntax is just words.
    let odd = db
        .store
        .search(site.id, "\"ferry OR -( *", PageRequest::new(1, 10), now)
        .await
        .unwrap();
    assert!(odd.items.len() <= 2);
    let empty = db
        .store
        .search(site.id, "   ", PageRequest::new(1, 10), now)
        .await
        .unwrap();
    assert!(empty.items.is_empty());
    let page2 = db
        .store
        .search(site.id, "ferry", PageRequest::new(2, 1), now)
        .await
        .unwrap();
    assert_eq!(page2.items[0].slug, "budget");
    assert!(!page2.has_next);
}

#[tokio::test]
async fn sitemap_entries_are_stable_and_recent_filter_works() {
    let db = db().await;
    let (site, section) = site_and_section(&*db.store).await;
    for i in 0..3u32 {
        db.store
            .upsert_article(&input(
                &site,
                &section,
                &format!("s{i}"),
                "T",
                "B",
                t(20 + i, 0),
            ))
            .await
            .unwrap();
    }
    let all = db
        .store
        .sitemap_entries(site.id, 0, 10, None, t(27, 0))
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(),
        ["/national/s0", "/national/s1", "/national/s2"]
    );
    let second = db
        .store
        .sitemap_entries(site.id, 1, 1, None, t(27, 0))
        .await
        .unwrap();
    assert_eq!(second[0].path, "/national/s1");
    let recent = db
        .store
        .sitemap_entries(site.id, 0, 10, Some(t(21, 0)), t(27, 0))
        .await
        .unwrap();
    assert_eq!(
        recent.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(),
        ["/national/s2", "/national/s1"]
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
#[path = "conformance/external.rs"]
mod external;
