//! Readership counts (`AnalyticsStore`).

use super::*;
use kawaraban_core::analytics::{MinuteCounts, RefKind, MINUTES_PER_DAY};

async fn two_articles(store: &dyn Store) -> (i64, i64, i64) {
    let (site, section) = site_and_section(store).await;
    let a = store
        .upsert_article(&input(&site, &section, "one", "One", "Body.", t(3, 9)))
        .await
        .unwrap()
        .id;
    let b = store
        .upsert_article(&input(&site, &section, "two", "Two", "Body.", t(3, 9)))
        .await
        .unwrap()
        .id;
    (site.id, a, b)
}

fn counts(site: i64, article: i64, minute: i64, views: i64, readers: &[i64]) -> MinuteCounts {
    MinuteCounts {
        site_id: site,
        article_id: article,
        minute,
        views,
        readers: readers.to_vec(),
        referrers: vec![],
    }
}

/// 3 November 2026, 09:00 UTC, in minutes since the epoch.
const M: i64 = 29_894_940;

#[tokio::test]
async fn two_servers_add_up_and_a_reader_counts_once_a_day() {
    let db = db().await;
    let (site, a, b) = two_articles(&*db.store).await;
    // "Server one" and "server two" report the same minute separately.
    let mut one = counts(site, a, M, 3, &[10, 11]);
    one.referrers = vec![
        (RefKind::Search, String::new(), 2),
        (RefKind::Other, "blog.example".into(), 1),
    ];
    db.store.add_counts(&[one]).await.unwrap();
    let mut two = counts(site, a, M, 2, &[11, 12]);
    two.referrers = vec![(RefKind::Search, String::new(), 2)];
    db.store
        .add_counts(&[two, counts(site, b, M + 1, 1, &[10])])
        .await
        .unwrap();
    let got = db.store.readers_since(M).await.unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!((got[0].article_id, got[0].views, got[0].readers), (a, 5, 3));
    assert_eq!(
        (got[1].article_id, got[1].minute, got[1].readers),
        (b, M + 1, 1)
    );
    assert_eq!(got[0].site_id, site);
    // The same reader later that day is not new; the next day it is.
    db.store
        .add_counts(&[
            counts(site, a, M + 5, 1, &[10]),
            counts(site, a, M + MINUTES_PER_DAY, 1, &[10]),
        ])
        .await
        .unwrap();
    let got = db.store.readers_since(M + 5).await.unwrap();
    assert_eq!(got.iter().map(|r| r.readers).collect::<Vec<_>>(), [0, 1]);
    assert!(db
        .store
        .readers_since(M + 2 * MINUTES_PER_DAY)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        db.store.referrers_since(a, M).await.unwrap(),
        [
            (RefKind::Search, String::new(), 4),
            (RefKind::Other, "blog.example".into(), 1)
        ]
    );
    // Forgotten readers would count again (only today's are kept).
    let today = (M + MINUTES_PER_DAY).div_euclid(MINUTES_PER_DAY);
    assert_eq!(db.store.prune_readers(today).await.unwrap(), 3 + 1);
    db.store
        .add_counts(&[counts(site, a, M + 6, 1, &[10])])
        .await
        .unwrap();
    let got = db.store.readers_since(M + 6).await.unwrap();
    assert_eq!(got[0].readers, 1);
}

#[tokio::test]
async fn counts_for_an_article_that_is_gone_are_dropped_and_the_rest_kept() {
    let db = db().await;
    let (site, a, _) = two_articles(&*db.store).await;
    let mut gone = counts(site, a + 1000, M, 7, &[1]);
    gone.referrers = vec![(RefKind::Direct, String::new(), 7)];
    db.store
        .add_counts(&[gone, counts(site, a, M, 2, &[1])])
        .await
        .unwrap();
    let got = db.store.readers_since(M).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].article_id, got[0].views, got[0].readers), (a, 2, 1));
    assert!(db
        .store
        .referrers_since(a + 1000, M)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn the_first_server_sets_the_days_salt_and_old_salts_are_destroyed() {
    let db = db().await;
    assert_eq!(db.store.daily_salt(100, [1; 32]).await.unwrap(), [1; 32]);
    assert_eq!(db.store.daily_salt(100, [2; 32]).await.unwrap(), [1; 32]);
    assert_eq!(db.store.daily_salt(101, [3; 32]).await.unwrap(), [3; 32]);
    // Day 100's salt is gone: asking for it again makes a new one.
    assert_eq!(db.store.daily_salt(100, [4; 32]).await.unwrap(), [4; 32]);
}
