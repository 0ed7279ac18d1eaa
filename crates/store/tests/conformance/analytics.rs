//! Readership counts (`AnalyticsStore`).

use super::*;
use kawaraban_core::analytics::{
    Bucket, Grain, MinuteCounts, RefKind, Span, Tally, MINUTES_PER_DAY,
};

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

#[tokio::test]
async fn counts_roll_up_into_hours_and_days_and_minutes_go_first() {
    let db = db().await;
    let (site, a, b) = two_articles(&*db.store).await;
    let mut one = counts(site, a, M, 3, &[1, 2]);
    one.referrers = vec![(RefKind::Social, String::new(), 3)];
    db.store
        .add_counts(&[
            one,
            counts(site, a, M + 61, 2, &[3]),
            counts(site, b, M + 1, 1, &[1]),
        ])
        .await
        .unwrap();
    // History older than the minute rows: hours and days only.
    let old = Tally {
        site_id: site,
        article_id: b,
        minute: M - MINUTES_PER_DAY,
        views: 40,
        readers: 30,
        referrers: vec![(RefKind::Search, String::new(), 40)],
    };
    db.store.add_tallies(&[old], false).await.unwrap();
    let hours = db
        .store
        .counts_in(&Span::all(Grain::Hour, M - 2 * MINUTES_PER_DAY, M + 120))
        .await
        .unwrap();
    let got: Vec<_> = hours
        .iter()
        .map(|r| (r.article_id, r.minute, r.views, r.readers))
        .collect();
    assert_eq!(
        got,
        [
            (b, M - MINUTES_PER_DAY, 40, 30),
            (a, M, 3, 2),
            (b, M, 1, 1),
            (a, M + 60, 2, 1)
        ]
    );
    let whole = Span::all(Grain::Day, M - 2 * MINUTES_PER_DAY, M + MINUTES_PER_DAY);
    let top = db.store.top_articles(&whole, 10).await.unwrap();
    assert_eq!(
        top.iter()
            .map(|t| (t.article_id, t.views, t.readers))
            .collect::<Vec<_>>(),
        [(b, 41, 31), (a, 5, 3)]
    );
    assert_eq!(
        (top[1].title.as_str(), top[1].path.as_str()),
        ("One", "/national/one")
    );
    assert_eq!(top[1].section_name, "National");
    // One article, one site.
    let only_a = Span {
        article_id: Some(a),
        ..whole
    };
    assert_eq!(db.store.top_articles(&only_a, 10).await.unwrap().len(), 1);
    let other_site = Span {
        site_id: Some(site + 99),
        ..whole
    };
    assert!(db
        .store
        .top_articles(&other_site, 10)
        .await
        .unwrap()
        .is_empty());
    let series = db
        .store
        .series(&Span::all(Grain::Hour, M, M + 120))
        .await
        .unwrap();
    assert_eq!(
        series,
        [
            Bucket {
                minute: M,
                views: 4,
                readers: 3
            },
            Bucket {
                minute: M + 60,
                views: 2,
                readers: 1
            }
        ]
    );
    assert_eq!(
        db.store.section_totals(&whole).await.unwrap(),
        [(site, "National".to_string(), 46, 34)]
    );
    assert_eq!(
        db.store.referrer_totals(&whole).await.unwrap(),
        [
            (RefKind::Search, String::new(), 40),
            (RefKind::Social, String::new(), 3)
        ]
    );
    // Retention: the minute rows before M + 60 go, hours before M's hour
    // stay, days stay.
    db.store.prune_counts(M + 60, M).await.unwrap();
    let minutes = db.store.readers_since(0).await.unwrap();
    assert_eq!(
        minutes.iter().map(|r| r.minute).collect::<Vec<_>>(),
        [M + 61]
    );
    assert!(db.store.referrers_since(a, 0).await.unwrap().is_empty());
    assert_eq!(
        db.store
            .counts_in(&Span::all(Grain::Hour, 0, M + 120))
            .await
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        db.store.top_articles(&whole, 10).await.unwrap()[0].views,
        41
    );
}

#[tokio::test]
async fn trending_picks_settings_and_summaries_by_id() {
    let db = db().await;
    let (site, a, b) = two_articles(&*db.store).await;
    let now = t(4, 9);
    db.store
        .set_trending_pick(a, Some(true), None, now)
        .await
        .unwrap();
    db.store
        .set_trending_pick(b, Some(false), None, now + chrono::Duration::seconds(1))
        .await
        .unwrap();
    // A pick for an article that does not exist is dropped.
    db.store
        .set_trending_pick(a + 1000, Some(true), None, now)
        .await
        .unwrap();
    assert_eq!(
        db.store.trending_picks().await.unwrap(),
        [(b, false), (a, true)]
    );
    db.store
        .set_trending_pick(b, Some(true), None, now)
        .await
        .unwrap();
    db.store
        .set_trending_pick(a, None, None, now)
        .await
        .unwrap();
    assert_eq!(db.store.trending_picks().await.unwrap(), [(b, true)]);

    assert!(db.store.trending_settings().await.unwrap().is_empty());
    db.store.set_trending_settings(site, 120, 3).await.unwrap();
    db.store.set_trending_settings(site, 90, 2).await.unwrap();
    assert_eq!(db.store.trending_settings().await.unwrap(), [(site, 90, 2)]);

    let mut got = db
        .store
        .summaries_by_id(&[b, a, a + 1000], now)
        .await
        .unwrap();
    got.sort_by_key(|(_, s)| s.id);
    assert_eq!(
        got.iter()
            .map(|(s, a)| (*s, a.title.as_str()))
            .collect::<Vec<_>>(),
        [(site, "One"), (site, "Two")]
    );
    assert!(db.store.summaries_by_id(&[], now).await.unwrap().is_empty());
    // Not yet published at that time: left out.
    assert!(db
        .store
        .summaries_by_id(&[a], t(1, 9))
        .await
        .unwrap()
        .is_empty());
}
