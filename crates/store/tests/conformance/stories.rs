//! The desk's stories: saves move the version on and keep revisions, a
//! stale save writes nothing, the list's filters and cursor, presence,
//! and taken-down stories.

use super::*;
use kawaraban_core::desk::{DeskStatus, StoryFields};

pub(super) async fn editor(store: &dyn Store, name: &str) -> Member {
    store
        .create_member(
            &NewMember {
                email: format!("{name}@example.test"),
                email_norm: format!("{name}@example.test"),
                display_name: name.into(),
                password_hash: None,
                role: Role::Editor,
                verified: true,
            },
            t(1, 0),
        )
        .await
        .unwrap()
}

fn save(
    site: &Site,
    section: &Section,
    id: Option<i64>,
    base: i64,
    f: &StoryFields,
    status: DeskStatus,
    member: i64,
) -> StorySave {
    let (stored, workflow) = status.stored();
    let mut article = input(
        site,
        section,
        &f.slug,
        &f.title,
        &f.body,
        f.publish_at.unwrap_or(t(20, 0)),
    );
    article.status = stored;
    article.authors = f.authors.clone();
    article.tags = f.tags.clone();
    StorySave {
        id,
        base_version: base,
        article,
        workflow,
        fields: f.clone(),
        member_id: Some(member),
        note: status.as_str().into(),
        circulated_from: None,
        key_id: None,
    }
}

fn fields(slug: &str, title: &str) -> StoryFields {
    StoryFields {
        title: title.into(),
        slug: slug.into(),
        section: "national".into(),
        body: "First paragraph.\n".into(),
        authors: vec!["Aiko Tanabe".into(), "Ren Okabe".into()],
        tags: vec!["Rail".into()],
        comment_mode: "open".into(),
        seo_title: "Seo".into(),
        embargo_until: Some(t(19, 0)),
        ..Default::default()
    }
}

#[tokio::test]
async fn saves_move_the_version_on_and_keep_every_revision() {
    let db = db().await;
    let (site, section) = site_and_section(&*db.store).await;
    let kenji = editor(&*db.store, "Kenji").await;
    let f = fields("desk-story", "A desk story");
    let SaveOutcome::Saved { id, version } = db
        .store
        .save_story(
            &save(&site, &section, None, 0, &f, DeskStatus::Draft, kenji.id),
            t(20, 1),
        )
        .await
        .unwrap()
    else {
        panic!("a new story is saved")
    };
    assert_eq!(version, 1);
    let story = db.store.story(id).await.unwrap().expect("story");
    assert_eq!(story.version, 1);
    assert_eq!(story.created_by, Some(kenji.id));
    assert_eq!(story.desk_status(t(21, 0)), DeskStatus::Draft);
    assert_eq!(story.fields.authors, ["Aiko Tanabe", "Ren Okabe"]);
    assert_eq!(story.fields.seo_title, "Seo");
    assert_eq!(story.fields.embargo_until, Some(t(19, 0)));
    assert_eq!(
        story.fields.publish_at, None,
        "a draft has no publish time yet"
    );
    // A draft is not on the site.
    assert!(db
        .store
        .article_by_slug(site.id, "desk-story", t(21, 0))
        .await
        .unwrap()
        .is_none());

    let mut f2 = StoryFields {
        publish_at: Some(t(20, 0)),
        ..f.clone()
    };
    f2.title = "A desk story, published".into();
    f2.authors = vec!["Ren Okabe".into()];
    let out = db
        .store
        .save_story(
            &save(
                &site,
                &section,
                Some(id),
                1,
                &f2,
                DeskStatus::Published,
                kenji.id,
            ),
            t(20, 2),
        )
        .await
        .unwrap();
    assert_eq!(out, SaveOutcome::Saved { id, version: 2 });
    let live = db
        .store
        .article_by_slug(site.id, "desk-story", t(21, 0))
        .await
        .unwrap()
        .expect("published");
    assert_eq!(live.title, "A desk story, published");
    assert_eq!(
        live.authors
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        ["Ren Okabe"]
    );

    // A save from version 1 again is stale and writes nothing.
    let stale = StoryFields {
        title: "Lost?".into(),
        ..f.clone()
    };
    let out = db
        .store
        .save_story(
            &save(
                &site,
                &section,
                Some(id),
                1,
                &stale,
                DeskStatus::Draft,
                kenji.id,
            ),
            t(20, 3),
        )
        .await
        .unwrap();
    assert_eq!(out, SaveOutcome::Stale { version: 2 });
    assert_eq!(
        db.store.story(id).await.unwrap().unwrap().fields.title,
        "A desk story, published"
    );

    let revs = db.store.revisions(id, 10).await.unwrap();
    assert_eq!(revs.iter().map(|r| r.version).collect::<Vec<_>>(), [2, 1]);
    assert_eq!(revs[0].member_name.as_deref(), Some("Kenji"));
    assert_eq!(revs[0].note, "published");
    assert_eq!(revs[1].fields, f);
    let one = db.store.revision(id, 1).await.unwrap().expect("revision 1");
    assert_eq!(one.fields.title, "A desk story");
    assert!(db.store.revision(id, 9).await.unwrap().is_none());
}

#[tokio::test]
async fn an_imported_story_keeps_how_it_stood_and_imports_move_the_version_on() {
    let db = db().await;
    let (site, section) = site_and_section(&*db.store).await;
    let kenji = editor(&*db.store, "Kenji").await;
    let a = input(
        &site,
        &section,
        "wire",
        "Wire story",
        "Wire body.\n",
        t(10, 0),
    );
    let id = db.store.upsert_article(&a).await.unwrap().id;
    db.store.upsert_article(&a).await.unwrap();
    let story = db.store.story(id).await.unwrap().unwrap();
    assert_eq!(story.version, 2, "each import is a version");
    assert_eq!(story.fields.publish_at, Some(t(10, 0)));
    assert_eq!(story.desk_status(t(21, 0)), DeskStatus::Published);
    let mut f = story.fields.clone();
    f.body = "Wire body, edited.\n".into();
    let out = db
        .store
        .save_story(
            &save(
                &site,
                &section,
                Some(id),
                2,
                &f,
                DeskStatus::Published,
                kenji.id,
            ),
            t(20, 0),
        )
        .await
        .unwrap();
    assert_eq!(out, SaveOutcome::Saved { id, version: 3 });
    let revs = db.store.revisions(id, 10).await.unwrap();
    assert_eq!(revs.len(), 2);
    assert_eq!(revs[1].version, 2);
    assert_eq!(revs[1].fields.body, "Wire body.\n");
    assert_eq!(revs[1].member_id, None);
}

#[tokio::test]
async fn a_taken_slug_is_a_conflict_and_nothing_is_half_saved() {
    let db = db().await;
    let (site, section) = site_and_section(&*db.store).await;
    let kenji = editor(&*db.store, "Kenji").await;
    db.store
        .upsert_article(&input(&site, &section, "taken", "Taken", "x", t(10, 0)))
        .await
        .unwrap();
    let f = fields("taken", "Another");
    let e = db
        .store
        .save_story(
            &save(&site, &section, None, 0, &f, DeskStatus::Draft, kenji.id),
            t(20, 0),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, kawaraban_core::StoreError::Conflict(_)),
        "{e:?}"
    );
    let list = db
        .store
        .desk_stories(
            &DeskQuery {
                site_ids: vec![site.id],
                limit: 10,
                ..Default::default()
            },
            t(21, 0),
        )
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
}

#[tokio::test]
async fn the_desk_list_filters_and_pages_with_a_cursor() {
    let db = db().await;
    let (site, section) = site_and_section(&*db.store).await;
    let kenji = editor(&*db.store, "Kenji").await;
    let (sports, _) = db
        .store
        .ensure_section(site.id, "sports", "Sports")
        .await
        .unwrap();
    let statuses = [
        DeskStatus::Draft,
        DeskStatus::Submitted,
        DeskStatus::Published,
        DeskStatus::Scheduled,
        DeskStatus::Unpublished,
    ];
    for (i, status) in statuses.into_iter().enumerate() {
        let mut f = fields(&format!("s{i}"), &format!("Story {i} about Rail strikes"));
        if i == 3 {
            f.publish_at = Some(t(25, 0));
        }
        if i == 4 {
            f.tags = vec!["Weather".into()];
            f.authors = vec!["Mika Sato".into()];
        }
        let sec = if i == 1 { &sports } else { &section };
        let mut s = save(&site, sec, None, 0, &f, status, kenji.id);
        if i == 2 {
            s.member_id = None;
        }
        db.store.save_story(&s, t(10 + i as u32, 0)).await.unwrap();
    }
    let now = t(21, 0);
    let q = |f: &dyn Fn(&mut DeskQuery)| {
        let mut q = DeskQuery {
            site_ids: vec![site.id],
            limit: 10,
            ..Default::default()
        };
        f(&mut q);
        q
    };
    let slugs = |rows: Vec<DeskRow>| rows.into_iter().map(|r| r.slug).collect::<Vec<_>>();
    let all = db.store.desk_stories(&q(&|_| {}), now).await.unwrap();
    assert_eq!(slugs(all.clone()), ["s4", "s3", "s2", "s1", "s0"]);
    for (i, status) in statuses.into_iter().enumerate() {
        let got = db
            .store
            .desk_stories(&q(&|q| q.status = Some(status)), now)
            .await
            .unwrap();
        assert_eq!(slugs(got), [format!("s{i}")], "{status:?}");
    }
    let cases: Vec<(DeskQuery, Vec<&str>)> = vec![
        (q(&|q| q.section_id = Some(sports.id)), vec!["s1"]),
        (q(&|q| q.tag = Some("weather".into())), vec!["s4"]),
        (q(&|q| q.tag = Some("no-such-tag".into())), vec![]),
        (q(&|q| q.author = Some("nobody-at-all".into())), vec![]),
        (
            q(&|q| {
                q.tag = Some("rail".into());
                q.author = Some("aiko-tanabe".into());
            }),
            vec!["s3", "s2", "s1", "s0"],
        ),
        (q(&|q| q.author = Some("mika-sato".into())), vec!["s4"]),
        (
            q(&|q| q.words = vec!["story".into(), "3".into()]),
            vec!["s3"],
        ),
        // Rare words are found through the title index on SQLite, the
        // same as by the substring match elsewhere.
        (
            q(&|q| q.words = vec!["STRIKES".into(), "rail".into()]),
            vec!["s4", "s3", "s2", "s1", "s0"],
        ),
        (
            q(&|q| q.words = vec!["trike".into()]),
            vec!["s4", "s3", "s2", "s1", "s0"],
        ),
        (
            q(&|q| q.words = vec!["story".into(), "nothing".into()]),
            vec![],
        ),
        // % is a character to find, not a wildcard.
        (q(&|q| q.words = vec!["100%".into()]), vec![]),
        (
            q(&|q| q.created_by = Some(kenji.id)),
            vec!["s4", "s3", "s1", "s0"],
        ),
        (
            q(&|q| {
                q.from = Some(t(11, 0));
                q.before = Some(t(13, 0));
            }),
            vec!["s2", "s1"],
        ),
    ];
    for (query, want) in cases {
        let got = db.store.desk_stories(&query, now).await.unwrap();
        assert_eq!(slugs(got), want, "{query:?}");
    }
    // Pages of two, each after the last one's (time, id).
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = db
            .store
            .desk_stories(
                &q(&|q| {
                    q.limit = 2;
                    q.after = after;
                }),
                now,
            )
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        let last = page.last().unwrap();
        after = Some((last.sort_time(DeskSort::Updated), last.id));
        seen.extend(slugs(page));
    }
    assert_eq!(seen, ["s4", "s3", "s2", "s1", "s0"]);
    let by_published = db
        .store
        .desk_stories(&q(&|q| q.sort = DeskSort::Published), now)
        .await
        .unwrap();
    assert_eq!(
        by_published[0].slug, "s3",
        "the scheduled one is the latest to go out"
    );
    assert!(db
        .store
        .desk_stories(&q(&|q| q.site_ids.clear()), now)
        .await
        .unwrap()
        .is_empty());

    assert!(db.store.story_gone(site.id, "s4").await.unwrap());
    assert!(!db.store.story_gone(site.id, "s2").await.unwrap());
    assert!(!db.store.story_gone(site.id, "nothing").await.unwrap());
}

#[tokio::test]
async fn presence_says_who_has_a_story_open() {
    let db = db().await;
    let (site, section) = site_and_section(&*db.store).await;
    let kenji = editor(&*db.store, "Kenji").await;
    let aiko = editor(&*db.store, "Aiko").await;
    let SaveOutcome::Saved { id, .. } = db
        .store
        .save_story(
            &save(
                &site,
                &section,
                None,
                0,
                &fields("p", "P"),
                DeskStatus::Draft,
                kenji.id,
            ),
            t(20, 0),
        )
        .await
        .unwrap()
    else {
        panic!()
    };
    db.store
        .touch_presence(id, kenji.id, t(20, 0))
        .await
        .unwrap();
    db.store
        .touch_presence(id, aiko.id, t(20, 1))
        .await
        .unwrap();
    db.store
        .touch_presence(id, kenji.id, t(20, 2))
        .await
        .unwrap();
    let names = |p: Vec<Presence>| p.into_iter().map(|p| p.name).collect::<Vec<_>>();
    assert_eq!(
        names(db.store.presence(&[id], t(20, 0)).await.unwrap()),
        ["Aiko", "Kenji"]
    );
    assert_eq!(
        names(db.store.presence(&[id], t(20, 2)).await.unwrap()),
        ["Kenji"]
    );
    assert!(db.store.presence(&[], t(20, 0)).await.unwrap().is_empty());
}

#[tokio::test]
async fn notes_are_kept_with_the_article_and_read_with_it() {
    let db = db().await;
    let (site, section) = site_and_section(&*db.store).await;
    let id = db
        .store
        .upsert_article(&input(
            &site,
            &section,
            "noted",
            "Noted",
            "Body.\n",
            t(10, 0),
        ))
        .await
        .unwrap()
        .id;
    let fix = ArticleNote {
        kind: NoteKind::Correction,
        text: "An earlier version misspelt the minister's name.".into(),
        at: t(11, 0),
    };
    let more = ArticleNote {
        kind: NoteKind::Update,
        text: "Trains are running again.".into(),
        at: t(12, 0),
    };
    let first = db.store.add_note(id, &fix, t(11, 0)).await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0], fix);
    assert_eq!(
        db.store.add_note(id, &more, t(12, 0)).await.unwrap(),
        [fix.clone(), more.clone()]
    );
    let a = db
        .store
        .article_by_slug(site.id, "noted", t(21, 0))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.notes, [fix, more]);
    assert_eq!(a.updated_at, Some(t(12, 0)), "a note is an update");
    assert_eq!(
        db.store.story(id).await.unwrap().unwrap().version,
        1,
        "and no edit"
    );
    let by_id = db
        .store
        .articles_by_ids(site.id, &[id], t(21, 0))
        .await
        .unwrap();
    assert_eq!(by_id[0].notes.len(), 2);
    assert!(matches!(
        db.store
            .add_note(999_999, &by_id[0].notes[0], t(12, 0))
            .await,
        Err(kawaraban_core::StoreError::NotFound)
    ));
}

#[tokio::test]
async fn a_copy_on_a_sister_site_names_its_original_and_tags_keep_their_order() {
    let db = db().await;
    let (site, section) = site_and_section(&*db.store).await;
    let travel = db
        .store
        .upsert_site(&new_site("travel", false))
        .await
        .unwrap();
    let (alerts, _) = db
        .store
        .ensure_section(travel.id, "alerts", "Travel alerts")
        .await
        .unwrap();
    let kenji = editor(&*db.store, "Kenji").await;
    let mut f = fields("typhoon", "Typhoon nears the coast");
    f.publish_at = Some(t(20, 0));
    // Not in the alphabet's order: the first is the primary tag.
    f.tags = vec!["Weather".into(), "Okinawa".into(), "Aviation".into()];
    let SaveOutcome::Saved { id, .. } = db
        .store
        .save_story(
            &save(
                &site,
                &section,
                None,
                0,
                &f,
                DeskStatus::Published,
                kenji.id,
            ),
            t(20, 1),
        )
        .await
        .unwrap()
    else {
        panic!("saved")
    };
    assert!(db.store.copies(id).await.unwrap().is_empty());
    let mut c = fields("typhoon", "Typhoon nears the coast");
    c.section = "alerts".into();
    c.tags = f.tags.clone();
    c.publish_at = f.publish_at;
    let mut copy = save(
        &travel,
        &alerts,
        None,
        0,
        &c,
        DeskStatus::Published,
        kenji.id,
    );
    copy.circulated_from = Some(id);
    let SaveOutcome::Saved { id: copy_id, .. } =
        db.store.save_story(&copy, t(20, 2)).await.unwrap()
    else {
        panic!("the copy is saved")
    };
    assert_eq!(db.store.copies(id).await.unwrap(), [copy_id]);
    assert!(db.store.copies(copy_id).await.unwrap().is_empty());
    let story = db.store.story(copy_id).await.unwrap().unwrap();
    assert_eq!(story.circulated_from, Some(id));
    assert_eq!(story.site_id, travel.id);
    assert_eq!(
        db.store.story(id).await.unwrap().unwrap().circulated_from,
        None
    );
    // A later save of the copy (the original's changes carried over)
    // keeps what it is a copy of.
    c.title = "Typhoon makes landfall".into();
    let mut again = save(
        &travel,
        &alerts,
        Some(copy_id),
        1,
        &c,
        DeskStatus::Published,
        kenji.id,
    );
    again.circulated_from = None;
    db.store.save_story(&again, t(20, 3)).await.unwrap();
    assert_eq!(
        db.store
            .story(copy_id)
            .await
            .unwrap()
            .unwrap()
            .circulated_from,
        Some(id)
    );
    // The tags in the order given, in the editor and on the page.
    let want = ["Weather", "Okinawa", "Aviation"];
    assert_eq!(db.store.story(id).await.unwrap().unwrap().fields.tags, want);
    let page = db
        .store
        .article_by_slug(site.id, "typhoon", t(21, 0))
        .await
        .unwrap()
        .expect("published");
    let names: Vec<&str> = page.tags.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, want);
    let listed = db
        .store
        .articles_by_ids(site.id, &[id], t(21, 0))
        .await
        .unwrap();
    let names: Vec<&str> = listed[0].tags.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, want, "lists read the same order");
}
