//! The desk's stories through a real server: writing, publishing,
//! correcting and taking down; two editors saving at once; who may do
//! what; and bad input, each a clear answer with nothing half-saved.

use kawaraban_core::model::Role;

use crate::browser::{Browser, Page};
use crate::comments::person;
use crate::support::*;

pub(crate) const NEWS: &str = "news.localhost:8080";

pub(crate) async fn app() -> TestApp {
    TestApp::builder()
        .with_article(wire_article())
        .start()
        .await
}

/// A story's fields as the editor posts them, with `extra` on top.
pub(crate) fn story_form<'a>(
    title: &'a str,
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("title", title),
        ("slug", ""),
        ("summary", "A standfirst."),
        ("section", "national"),
        ("authors", "Aiko Tanabe, Ren Okabe"),
        ("tags", "Rail"),
        ("dateline", "TOKYO"),
        ("body", "First paragraph.\n\nSecond paragraph.\n"),
        ("comment_mode", "open"),
        ("publish_at", ""),
        ("embargo_until", ""),
    ];
    for (k, v) in extra {
        f.retain(|(name, _)| name != k);
        f.push((k, v));
    }
    f
}

/// Posts the form from the page at `from` to `action`, with its token.
pub(crate) async fn send(
    b: &mut Browser<'_>,
    from: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> Page {
    b.submit(from, action, fields).await
}

/// The story id in an editor address (`/desk/stories/7?saved=1`).
pub(crate) fn story_id(page: &Page) -> i64 {
    let path = page
        .url
        .split("/desk/stories/")
        .nth(1)
        .expect("an editor address");
    path.split(['?', '/'])
        .next()
        .unwrap()
        .parse()
        .expect("an id")
}

pub(crate) async fn create(
    b: &mut Browser<'_>,
    title: &str,
    extra: &[(&str, &str)],
) -> (i64, Page) {
    let mut f = story_form(title, extra);
    if !extra.iter().any(|(k, _)| *k == "intent") {
        f.push(("intent", "save"));
    }
    let page = send(b, "/desk/stories/new", "/desk/stories", &f).await;
    assert_eq!(page.status, 200, "{}", page.body);
    (story_id(&page), page)
}

/// Posts the editor form as opened in `page` (its token and version).
pub(crate) async fn post_from(
    b: &mut Browser<'_>,
    id: i64,
    page: &Page,
    title: &str,
    extra: &[(&str, &str)],
) -> Page {
    let (csrf, version) = (page.csrf(), page.input("version"));
    let mut f = story_form(title, extra);
    if !extra.iter().any(|(k, _)| *k == "intent") {
        f.push(("intent", "save"));
    }
    if !extra.iter().any(|(k, _)| *k == "version") {
        f.push(("version", &version));
    }
    f.push(("csrf", &csrf));
    b.post(&format!("/desk/stories/{id}"), &f).await
}

/// Saves the story from the version its editor shows now.
pub(crate) async fn save(
    b: &mut Browser<'_>,
    id: i64,
    title: &str,
    extra: &[(&str, &str)],
) -> Page {
    let editor = b.get(&format!("/desk/stories/{id}")).await;
    post_from(b, id, &editor, title, extra).await
}

#[tokio::test]
async fn an_editor_writes_publishes_updates_and_takes_down_a_story() {
    let app = app().await;
    let (mut editor, _) = person(&app, "Edna Editor", Role::Editor).await;
    let desk = editor.get("/desk").await;
    assert!(desk.body.contains("href=\"/desk/stories\""));
    let new = editor.get("/desk/stories/new").await;
    assert_eq!(new.status, 200);
    assert!(new.body.contains("name=\"body\""));
    assert!(new.body.contains("Publish or schedule"));

    let (id, saved) = create(&mut editor, "Harbour tunnel opens", &[]).await;
    assert!(saved.body.contains("Saved as version 1."), "{}", saved.body);
    assert!(saved.body.contains("Draft"));
    let path = "/national/harbour-tunnel-opens";
    assert_eq!(
        app.get(NEWS, path).await.status(),
        404,
        "a draft is not on the site"
    );

    let published = save(
        &mut editor,
        id,
        "Harbour tunnel opens",
        &[("intent", "publish")],
    )
    .await;
    assert!(
        published.body.contains("Saved as version 2."),
        "{}",
        published.body
    );
    assert!(published.body.contains("story-published"));
    let live = app.get(NEWS, path).await;
    assert_eq!(live.status(), 200);
    let html = live.text().await.unwrap();
    assert!(html.contains("Harbour tunnel opens") && html.contains("Second paragraph."));
    let home = app.get(NEWS, "/").await.text().await.unwrap();
    assert!(
        home.contains("Harbour tunnel opens"),
        "the front page has it at once"
    );

    // An update is on the page at once, marked as updated.
    save(&mut editor, id, "Harbour tunnel opens to traffic", &[]).await;
    let html = app.get(NEWS, path).await.text().await.unwrap();
    assert!(html.contains("Harbour tunnel opens to traffic"), "{html}");

    // The history: every save, a diff, and restoring one is a new version.
    let history = editor.get(&format!("/desk/stories/{id}/revisions")).await;
    assert_eq!(history.status, 200);
    for needle in ["create", "publish", "save", "Edna Editor", "Headline"] {
        assert!(history.body.contains(needle), "{needle}");
    }
    assert!(history
        .body
        .contains("<ins>Harbour tunnel opens to traffic</ins>"));
    let diff = editor
        .get(&format!("/desk/stories/{id}/revisions?a=1&b=2"))
        .await;
    assert!(
        diff.body.contains("These two versions are the same.")
            || diff.body.contains("Publish time")
    );
    let restored = send(
        &mut editor,
        &format!("/desk/stories/{id}/revisions"),
        &format!("/desk/stories/{id}/revisions/2/restore"),
        &[],
    )
    .await;
    assert!(
        restored.body.contains("Saved as version 4."),
        "{}",
        restored.body
    );
    let html = app.get(NEWS, path).await.text().await.unwrap();
    assert!(
        !html.contains("to traffic"),
        "the restored headline is live"
    );

    // Taken down: 410 for readers, gone from the lists, history kept.
    let down = save(
        &mut editor,
        id,
        "Harbour tunnel opens",
        &[("intent", "unpublish")],
    )
    .await;
    assert!(down.body.contains("story-unpublished"), "{}", down.body);
    let gone = app.get(NEWS, path).await;
    assert_eq!(gone.status(), 410);
    assert!(gone.text().await.unwrap().contains("taken down"));
    let home = app.get(NEWS, "/").await.text().await.unwrap();
    assert!(!home.contains("Harbour tunnel opens"));
    let feed = app.get(NEWS, "/feed.xml").await.text().await.unwrap();
    assert!(!feed.contains("Harbour tunnel opens"));
    let history = editor.get(&format!("/desk/stories/{id}/revisions")).await;
    assert!(history.body.contains("unpublish"));

    // The audit log says who did it.
    let log = app.store.audit_log(None, 20).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    for a in [
        "story.create",
        "story.publish",
        "story.save",
        "story.unpublish",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_story_timed_ahead_is_scheduled_and_not_yet_on_the_site() {
    let app = app().await;
    let (mut editor, _) = person(&app, "Edna Editor", Role::Editor).await;
    let (id, _) = create(&mut editor, "Budget vote tomorrow", &[]).await;
    let page = save(
        &mut editor,
        id,
        "Budget vote tomorrow",
        &[("intent", "publish"), ("publish_at", "2099-01-01T09:00")],
    )
    .await;
    assert!(page.body.contains("story-scheduled"), "{}", page.body);
    assert_eq!(
        app.get(NEWS, "/national/budget-vote-tomorrow")
            .await
            .status(),
        404
    );
    let list = editor.get("/desk/stories?status=scheduled").await;
    assert!(list.body.contains("Budget vote tomorrow"));
    let drafts = editor.get("/desk/stories?status=draft").await;
    assert!(!drafts.body.contains("Budget vote tomorrow"));
    app.stop().await;
}

#[tokio::test]
async fn two_saves_from_one_version_merge_or_ask_which_to_keep() {
    let app = app().await;
    let (mut kenji, _) = person(&app, "Kenji Mori", Role::Editor).await;
    let (mut aiko, _) = person(&app, "Aiko Sato", Role::Editor).await;
    let (id, _) = create(&mut kenji, "Typhoon nears Okinawa", &[]).await;
    // Both open version 1.
    let k_page = kenji.get(&format!("/desk/stories/{id}")).await;
    let a_page = aiko.get(&format!("/desk/stories/{id}")).await;
    assert!(
        a_page
            .body
            .contains("Kenji Mori is editing this story now."),
        "presence"
    );
    // Kenji changes the headline; Aiko, from the same version, the body.
    let body = "First paragraph.\n\nSecond paragraph.\n";
    let p = post_from(
        &mut kenji,
        id,
        &k_page,
        "Typhoon nears Okinawa, flights cut",
        &[("body", body)],
    )
    .await;
    assert!(p.body.contains("Saved as version 2."));
    let p = post_from(
        &mut aiko,
        id,
        &a_page,
        "Typhoon nears Okinawa",
        &[("body", "Aiko's new body.\n")],
    )
    .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("Both saves are kept"), "{}", p.body);
    let story = app.store.story(id).await.unwrap().unwrap();
    assert_eq!(story.version, 3);
    assert_eq!(story.fields.title, "Typhoon nears Okinawa, flights cut");
    assert_eq!(story.fields.body, "Aiko's new body.\n");

    // Now both change the headline from version 3: the second sees both.
    let k_page = kenji.get(&format!("/desk/stories/{id}")).await;
    let a_page = aiko.get(&format!("/desk/stories/{id}")).await;
    let body = [("body", "Aiko's new body.\n")];
    post_from(&mut kenji, id, &k_page, "Kenji's headline", &body).await;
    let conflict = post_from(&mut aiko, id, &a_page, "Aiko's headline", &body).await;
    assert_eq!(conflict.status, 409);
    let b = &conflict.body;
    assert!(b.contains("Both of you changed these fields"), "{b}");
    assert!(
        b.contains("Kenji&#39;s headline") && b.contains("Aiko&#39;s headline"),
        "{b}"
    );
    assert!(b.contains("name=\"choose_title\""));
    assert_eq!(
        app.store.story(id).await.unwrap().unwrap().fields.title,
        "Kenji's headline",
        "nothing overwritten"
    );
    // Aiko takes Kenji's headline and saves against the version shown.
    let done = post_from(
        &mut aiko,
        id,
        &conflict,
        "Aiko's headline",
        &[body[0], ("choose_title", "theirs")],
    )
    .await;
    assert!(done.body.contains("Saved as version 5."), "{}", done.body);
    assert_eq!(
        app.store.story(id).await.unwrap().unwrap().fields.title,
        "Kenji's headline"
    );
    app.stop().await;
}

#[tokio::test]
async fn contributors_submit_editors_publish_and_roles_are_kept_to() {
    let app = app().await;
    let (mut writer, _) = person(&app, "Cory Contributor", Role::Contributor).await;
    let (mut other, _) = person(&app, "Otto Contributor", Role::Contributor).await;
    let (mut editor, _) = person(&app, "Edna Editor", Role::Editor).await;
    let (mut member, _) = person(&app, "Mia Member", Role::Member).await;
    assert_eq!(member.get("/desk/stories").await.status, 403);
    let new = writer.get("/desk/stories/new").await;
    assert!(new.body.contains("Submit for review"));
    assert!(
        !new.body.contains("Publish or schedule"),
        "contributors do not publish"
    );
    let (id, _) = create(&mut writer, "Night market returns", &[]).await;
    // Publishing is refused, in the form and by a forged post alike.
    let refused = save(
        &mut writer,
        id,
        "Night market returns",
        &[("intent", "publish")],
    )
    .await;
    assert_eq!(refused.status, 403);
    assert!(
        refused.body.contains("an editor publishes them"),
        "{}",
        refused.body
    );
    assert_eq!(
        other.get(&format!("/desk/stories/{id}")).await.status,
        403,
        "another writer's story"
    );
    let listed = other.get("/desk/stories").await;
    assert!(
        !listed.body.contains("Night market returns"),
        "contributors list their own"
    );
    let submitted = save(
        &mut writer,
        id,
        "Night market returns",
        &[("intent", "submit")],
    )
    .await;
    assert!(
        submitted.body.contains("Submitted for review"),
        "{}",
        submitted.body
    );
    let queue = editor.get("/desk/stories?status=submitted").await;
    assert!(queue.body.contains("Night market returns"));
    save(
        &mut editor,
        id,
        "Night market returns",
        &[("intent", "publish")],
    )
    .await;
    assert_eq!(
        app.get(NEWS, "/national/night-market-returns")
            .await
            .status(),
        200
    );
    // Once out, the contributor may no longer change it.
    let late = save(&mut writer, id, "Night market returns!", &[]).await;
    assert_eq!(late.status, 403);
    // A forged token changes nothing.
    let forged = writer
        .post(
            &format!("/desk/stories/{id}"),
            &[
                ("csrf", "forged"),
                ("version", "3"),
                ("intent", "save"),
                ("title", "Forged"),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(
        app.store.story(id).await.unwrap().unwrap().fields.title,
        "Night market returns"
    );
    app.stop().await;
}

#[tokio::test]
async fn bad_input_gets_a_clear_answer_and_nothing_is_half_saved() {
    let app = app().await;
    let (mut editor, _) = person(&app, "Edna Editor", Role::Editor).await;
    let (id, _) = create(&mut editor, "Port strike talks", &[]).await;
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("slug", "rail-line-reopens")],
            "is taken by another story",
        ),
        (&[("slug", "Not A Slug")], "must be lower-case letters"),
        (
            &[("intent", "publish"), ("publish_at", "2020-01-01T09:00")],
            "is in the past",
        ),
        (
            &[("intent", "publish"), ("embargo_until", "2099-01-01T09:00")],
            "embargoed until",
        ),
        (&[("section", "nowhere")], "is not a section of"),
        (&[("publish_at", "tomorrow")], "is not a date and time"),
        (&[("image", "abc")], "no image"),
        (&[("canonical_url", "ftp://x")], "not an http(s) address"),
    ];
    for (extra, message) in cases {
        let page = save(&mut editor, id, "Port strike talks, changed", extra).await;
        assert_eq!(page.status, 422, "{extra:?}: {}", page.body);
        assert!(
            page.body.contains(message),
            "{extra:?} wants {message}: {}",
            page.body
        );
        assert!(
            page.body.contains("Port strike talks, changed"),
            "the typing is kept"
        );
    }
    let story = app.store.story(id).await.unwrap().unwrap();
    assert_eq!(
        (story.version, story.fields.title.as_str()),
        (1, "Port strike talks")
    );
    let page = editor.get(&format!("/desk/stories/{id}")).await;
    let no_version = editor
        .post(
            &format!("/desk/stories/{id}"),
            &[("csrf", &page.csrf()), ("intent", "save"), ("title", "x")],
        )
        .await;
    assert_eq!(no_version.status, 400);
    let bad_intent = editor
        .post(
            &format!("/desk/stories/{id}"),
            &[
                ("csrf", &page.csrf()),
                ("version", "1"),
                ("intent", "explode"),
            ],
        )
        .await;
    assert_eq!(bad_intent.status, 400);
    assert_eq!(editor.get("/desk/stories/999999").await.status, 404);
    assert_eq!(editor.get("/desk/stories?status=lost").await.status, 400);
    assert_eq!(editor.get("/desk/stories?after=nonsense").await.status, 400);
    assert_eq!(
        editor
            .get(&format!("/desk/stories/{id}/revisions?a=99"))
            .await
            .status,
        400
    );
    app.stop().await;
}

#[tokio::test]
async fn the_list_filters_pages_and_shows_who_is_editing() {
    let app = app().await;
    let (mut editor, _) = person(&app, "Edna Editor", Role::Editor).await;
    let (mut kenji, _) = person(&app, "Kenji Mori", Role::Editor).await;
    let (id, _) = create(
        &mut editor,
        "Ferry timetable changes",
        &[("tags", "Ferries")],
    )
    .await;
    kenji.get(&format!("/desk/stories/{id}")).await;
    let list = editor.get("/desk/stories").await;
    assert!(list.body.contains("Ferry timetable changes"));
    assert!(
        list.body.contains("Rail line reopens"),
        "imported stories too"
    );
    assert!(
        list.body
            .contains("<span class=\"presence\">Kenji Mori</span>"),
        "{}",
        list.body
    );
    let words = editor.get("/desk/stories?q=ferry+timetable").await;
    assert!(
        words.body.contains("Ferry timetable changes") && !words.body.contains("Rail line reopens")
    );
    let tag = editor.get("/desk/stories?tag=Ferries").await;
    assert!(
        tag.body.contains("Ferry timetable changes") && !tag.body.contains("Rail line reopens")
    );
    let preview = send(
        &mut editor,
        "/desk/stories/new",
        "/desk/stories/preview",
        &story_form("Preview of a ferry story", &[]),
    )
    .await;
    assert_eq!(preview.status, 200);
    assert!(preview.body.contains("Preview of a ferry story") && preview.body.contains("noindex"));
    assert!(preview.header("cache-control").contains("no-store"));
    app.stop().await;
}

#[tokio::test]
async fn corrections_are_shown_carried_in_json_ld_and_kept_to_published_stories() {
    let app = app().await;
    let (mut editor, _) = person(&app, "Edna Editor", Role::Editor).await;
    let (id, _) = create(&mut editor, "Minister visits Sendai", &[]).await;
    let editor_url = format!("/desk/stories/{id}");
    let notes_url = format!("/desk/stories/{id}/notes");
    let draft = send(
        &mut editor,
        &editor_url,
        &notes_url,
        &[("kind", "correction"), ("text", "x")],
    )
    .await;
    assert_eq!(draft.status, 400, "a draft is corrected by editing it");
    save(
        &mut editor,
        id,
        "Minister visits Sendai",
        &[
            ("intent", "publish"),
            ("seo_title", "Minister in Sendai: what was agreed"),
        ],
    )
    .await;
    let page = send(
        &mut editor,
        &editor_url,
        &notes_url,
        &[
            ("kind", "correction"),
            (
                "text",
                "An earlier version gave the wrong date of the visit.",
            ),
        ],
    )
    .await;
    assert!(page.body.contains("Correction added"), "{}", page.body);
    let html = app
        .get(NEWS, "/national/minister-visits-sendai")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("<strong>Correction</strong>"));
    assert!(html.contains("An earlier version gave the wrong date of the visit."));
    assert!(html.contains("\"CorrectionComment\""), "JSON-LD carries it");
    assert!(
        html.contains("<title>Minister in Sendai: what was agreed"),
        "the SEO title"
    );
    for (kind, text, status) in [("opinion", "x", 400), ("update", "  ", 400)] {
        let bad = send(
            &mut editor,
            &editor_url,
            &notes_url,
            &[("kind", kind), ("text", text)],
        )
        .await;
        assert_eq!(bad.status, status, "{kind}");
    }
    let notes = app.store.story(id).await.unwrap().unwrap();
    assert_eq!(notes.version, 2, "notes are not edits");
    app.stop().await;
}

#[tokio::test]
async fn a_preview_link_shows_a_draft_to_someone_without_an_account_until_it_expires() {
    let app = app().await;
    let (mut editor, _) = person(&app, "Edna Editor", Role::Editor).await;
    let (id, page) = create(&mut editor, "Embargoed budget story", &[]).await;
    let link = page.input("preview_link");
    let path = link
        .strip_prefix("http://news.localhost:8080")
        .expect("an absolute link");
    assert!(path.starts_with(&format!("/preview/{id}?until=")), "{path}");
    // Anyone with the link: the story in the site's template, not indexed.
    let shown = app.get(NEWS, path).await;
    assert_eq!(shown.status(), 200);
    assert_eq!(shown.headers()["x-robots-tag"], "noindex");
    assert_eq!(shown.headers()["cache-control"], "no-store");
    assert!(shown
        .text()
        .await
        .unwrap()
        .contains("Embargoed budget story"));
    // The story as last saved.
    save(&mut editor, id, "Embargoed budget story, revised", &[]).await;
    let again = app.get(NEWS, path).await.text().await.unwrap();
    assert!(again.contains("Embargoed budget story, revised"));
    // A changed link, or another story's id, is nothing; an old one says so.
    let (until, _) = path.split_once("&sig=").unwrap();
    let later = until.replace("until=", "until=9");
    assert_eq!(app.get(NEWS, &format!("{later}&sig=x")).await.status(), 404);
    assert_eq!(
        app.get(NEWS, &path.replace(&format!("/preview/{id}"), "/preview/1"))
            .await
            .status(),
        404
    );
    let past = (now() - chrono::Duration::hours(1)).timestamp();
    let site = app
        .store
        .list_sites()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.key == "news")
        .unwrap();
    let sig = app
        .state
        .signer
        .sign("story-preview", &format!("{}:{id}:{past}", site.id));
    let expired = app
        .get(NEWS, &format!("/preview/{id}?until={past}&sig={sig}"))
        .await;
    assert_eq!(expired.status(), 403);
    assert!(expired.text().await.unwrap().contains("expired"));
    app.stop().await;
}
