//! Reading articles back: lists and their filters and pages, whole
//! stories by id, counts, a site's tags and authors, search, sitemaps.

use super::*;
use kawaraban_core::paging::PageRequest;

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
        ["rail", "ports"],
        "tags in the order given"
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
