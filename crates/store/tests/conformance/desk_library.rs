//! The desk's other aggregates: the media library, staff roles per site,
//! sections and authors' profiles.

use super::stories::editor;
use super::*;

#[tokio::test]
async fn the_media_library_keeps_words_with_images_and_finds_them() {
    let db = db().await;
    let kenji = editor(&*db.store, "Kenji").await;
    let mut ids = Vec::new();
    for (i, (name, caption)) in [
        ("harbour.jpg", "Ferries leave the harbour at dawn"),
        ("rail.png", "A new train on the coast line"),
        ("100%.jpg", "Full marks"),
    ]
    .into_iter()
    .enumerate()
    {
        let img = db
            .store
            .put_image(&NewImage {
                hash: format!("{i:064}"),
                width: 1600,
                height: 900,
                widths: vec![480, 800, 1200, 1600],
                ext: "jpg".into(),
            })
            .await
            .unwrap();
        let info = ImageInfo {
            name: name.into(),
            caption: caption.into(),
            credit: "Pacific Wire Service".into(),
            alt: format!("Alt for {name}"),
        };
        db.store
            .set_image_info(img.id, &info, Some(kenji.id))
            .await
            .unwrap();
        ids.push(img.id);
    }
    let names = |l: Vec<LibraryImage>| l.into_iter().map(|i| i.info.name).collect::<Vec<_>>();
    assert_eq!(
        names(db.store.library("", None, 10).await.unwrap()),
        ["100%.jpg", "rail.png", "harbour.jpg"]
    );
    assert_eq!(
        names(db.store.library("HARBOUR dawn", None, 10).await.unwrap()),
        ["harbour.jpg"]
    );
    assert_eq!(
        names(db.store.library("wire", Some(ids[2]), 1).await.unwrap()),
        ["rail.png"]
    );
    assert_eq!(
        names(db.store.library("0%", None, 10).await.unwrap()),
        ["100%.jpg"]
    );
    let one = db
        .store
        .library_image(&format!("{:064}", 1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(one.info.caption, "A new train on the coast line");
    assert_eq!(one.uploaded_by, Some(kenji.id));
    // Words changed without an uploader keep the uploader.
    let info = ImageInfo {
        caption: "Changed".into(),
        ..one.info.clone()
    };
    db.store
        .set_image_info(one.image.id, &info, None)
        .await
        .unwrap();
    let again = db
        .store
        .library_image(&one.image.hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (again.info.caption.as_str(), again.uploaded_by),
        ("Changed", Some(kenji.id))
    );
    assert!(db.store.library_image("nothing").await.unwrap().is_none());
}

#[tokio::test]
async fn site_roles_are_granted_changed_and_taken_away_per_site() {
    let db = db().await;
    let (news, _) = site_and_section(&*db.store).await;
    let travel = db
        .store
        .upsert_site(&new_site("travel", false))
        .await
        .unwrap();
    let kenji = editor(&*db.store, "Kenji").await;
    let aiko = editor(&*db.store, "Aiko").await;
    assert_eq!(db.store.site_role(kenji.id, news.id).await.unwrap(), None);
    db.store
        .set_site_role(
            kenji.id,
            travel.id,
            Some(Role::Editor),
            Some(aiko.id),
            t(1, 0),
        )
        .await
        .unwrap();
    db.store
        .set_site_role(aiko.id, travel.id, Some(Role::Contributor), None, t(1, 0))
        .await
        .unwrap();
    assert_eq!(
        db.store.site_role(kenji.id, travel.id).await.unwrap(),
        Some(Role::Editor)
    );
    assert_eq!(
        db.store.site_role(kenji.id, news.id).await.unwrap(),
        None,
        "another site"
    );
    db.store
        .set_site_role(kenji.id, travel.id, Some(Role::Admin), None, t(2, 0))
        .await
        .unwrap();
    let staff = db.store.site_staff(travel.id).await.unwrap();
    let got: Vec<(&str, Role)> = staff
        .iter()
        .map(|(m, r)| (m.display_name.as_str(), *r))
        .collect();
    assert_eq!(got, [("Aiko", Role::Contributor), ("Kenji", Role::Admin)]);
    db.store
        .set_site_role(kenji.id, travel.id, None, None, t(3, 0))
        .await
        .unwrap();
    assert_eq!(db.store.site_role(kenji.id, travel.id).await.unwrap(), None);
    assert!(db.store.site_staff(news.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_section_is_renamed_and_moved_in_its_site_only() {
    let db = db().await;
    let (site, section) = site_and_section(&*db.store).await;
    assert!(db
        .store
        .update_section(site.id, &section.slug, "Nation", 7)
        .await
        .unwrap());
    let got = db
        .store
        .list_sections()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.id == section.id)
        .unwrap();
    assert_eq!((got.name.as_str(), got.position), ("Nation", 7));
    assert!(!db
        .store
        .update_section(site.id, "nowhere", "X", 0)
        .await
        .unwrap());
    assert!(!db
        .store
        .update_section(site.id + 1000, &section.slug, "X", 0)
        .await
        .unwrap());
}

#[tokio::test]
async fn authors_have_profiles_and_tags_are_renamed() {
    let db = db().await;
    let (site, section) = site_and_section(&*db.store).await;
    let mut a = input(&site, &section, "profiled", "Profiled", "x", t(10, 0));
    a.authors = vec!["Aiko Tanabe".into(), "Ren Okabe".into()];
    db.store.upsert_article(&a).await.unwrap();
    let found = db.store.authors("tana", 10).await.unwrap();
    assert_eq!(
        found.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["Aiko Tanabe"]
    );
    assert_eq!(db.store.authors("", 10).await.unwrap().len(), 2);
    let mut p = db
        .store
        .author_profile("aiko-tanabe")
        .await
        .unwrap()
        .unwrap();
    assert!(p.bio.is_empty() && p.links.is_empty());
    p.bio = "Transport correspondent in Tokyo.".into();
    p.links = vec!["https://example.com/aiko".into()];
    p.photo = "ab".repeat(32);
    assert!(db.store.set_author_profile(&p).await.unwrap());
    let back = db
        .store
        .author_profile("aiko-tanabe")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (back.bio.as_str(), back.links.clone(), back.photo.len()),
        (
            "Transport correspondent in Tokyo.",
            vec!["https://example.com/aiko".to_string()],
            64
        )
    );
    assert!(db.store.author_profile("nobody").await.unwrap().is_none());
    assert!(db
        .store
        .rename_tag(site.id, "rail", "Railways")
        .await
        .unwrap());
    assert!(!db.store.rename_tag(site.id, "nothing", "X").await.unwrap());
    let art = db
        .store
        .article_by_slug(site.id, "profiled", t(21, 0))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(art.tags[0].name, "Railways");
}
