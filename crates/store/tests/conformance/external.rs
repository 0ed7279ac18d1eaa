//! External sister sites (`ExternalStore`).

use super::*;
use kawaraban_core::model::NewExternalItem;

fn item(guid: &str, title: &str, day: u32) -> NewExternalItem {
    NewExternalItem {
        guid: guid.into(),
        url: format!("https://blog.example.org/{guid}"),
        title: title.into(),
        published_at: t(day, 9),
    }
}

#[tokio::test]
async fn feeds_are_claimed_once_saved_by_guid_and_a_failure_keeps_the_items() {
    let db = db().await;
    let s = db
        .store
        .add_external_site("blog", "Field Notes", "https://blog.example.org/feed.xml")
        .await
        .unwrap();
    assert_eq!(
        (s.key.as_str(), s.fetched_at, s.last_error.as_str()),
        ("blog", None, "")
    );
    // Renaming keeps the id.
    let again = db
        .store
        .add_external_site(
            "blog",
            "Field Notes Weekly",
            "https://blog.example.org/atom.xml",
        )
        .await
        .unwrap();
    assert_eq!(again.id, s.id);
    assert_eq!(
        db.store.external_sites().await.unwrap()[0].name,
        "Field Notes Weekly"
    );
    // Of two servers, one claims the fetch.
    let now = t(5, 9);
    assert!(db.store.claim_external_fetch(s.id, now, now).await.unwrap());
    assert!(!db.store.claim_external_fetch(s.id, now, now).await.unwrap());
    assert!(db
        .store
        .claim_external_fetch(s.id, t(5, 10), t(5, 10))
        .await
        .unwrap());
    let items = [
        item("a", "Canal walk", 3),
        item("b", "Harbour at dawn", 4),
        item("c", "Old", 1),
    ];
    db.store
        .save_external_fetch(s.id, Ok(&items), 2)
        .await
        .unwrap();
    let got = db.store.external_items(t(1, 0)).await.unwrap();
    assert_eq!(
        got.iter().map(|i| i.title.as_str()).collect::<Vec<_>>(),
        ["Harbour at dawn", "Canal walk"],
        "the newest two kept"
    );
    // The same guid updates the item.
    db.store
        .save_external_fetch(s.id, Ok(&[item("a", "Canal walk, revised", 3)]), 10)
        .await
        .unwrap();
    let a = got.iter().find(|i| i.title == "Canal walk").unwrap();
    assert_eq!(
        db.store.external_item(a.id).await.unwrap().unwrap().title,
        "Canal walk, revised"
    );
    db.store
        .save_external_fetch(s.id, Err("the server answered 500"), 10)
        .await
        .unwrap();
    assert_eq!(db.store.external_items(t(1, 0)).await.unwrap().len(), 2);
    assert_eq!(
        db.store.external_sites().await.unwrap()[0].last_error,
        "the server answered 500"
    );
    // Clicks add up per hour; a click for no item is dropped.
    for _ in 0..3 {
        db.store.add_external_click(a.id, 500_000).await.unwrap();
    }
    db.store
        .add_external_click(a.id + 1000, 500_000)
        .await
        .unwrap();
    assert_eq!(
        db.store.external_clicks(0).await.unwrap(),
        [(a.id, 500_000, 3)]
    );
    assert!(db.store.external_clicks(500_001).await.unwrap().is_empty());
    assert!(db.store.remove_external_site("blog").await.unwrap());
    assert!(!db.store.remove_external_site("blog").await.unwrap());
    assert!(db.store.external_items(t(1, 0)).await.unwrap().is_empty());
    assert!(db.store.external_clicks(0).await.unwrap().is_empty());
}
