//! Network circulation through a real server: a news story shown on the
//! travel site too, in a travel section, its canonical link the news
//! page's; saves and corrections of the original carried over at once;
//! the copy never edited itself; taken off again; and who may.

use kawaraban_core::model::*;

use crate::browser::{Browser, Page};
use crate::comments::{person, signed_in_on};
use crate::desk_staff::site_id;
use crate::desk_stories::{create, save, NEWS};
use crate::support::*;

const TRAVEL: &str = "travel.localhost:8080";

async fn app() -> TestApp {
    TestApp::builder()
        .with_article(wire_article())
        // Gives the travel site its "alerts" section, and a story at a
        // slug a news story will want too.
        .with_article(article(
            "travel",
            "alerts",
            "ferry-timetable",
            "Ferry timetable for the winter",
            "2026-11-01T09:00:00+09:00",
            "",
        ))
        .start()
        .await
}

/// Posts the circulation form of story `id`'s editor.
async fn circulate(b: &mut Browser<'_>, id: i64, field: (&str, &str)) -> Page {
    b.submit(
        &format!("/desk/stories/{id}"),
        &format!("/desk/stories/{id}/circulate"),
        &[field],
    )
    .await
}

/// The id of the copy the original's editor lists (its "Take off" button).
fn copy_id(editor: &Page) -> i64 {
    let at = editor
        .body
        .find("name=\"stop\" value=\"")
        .expect("a copy listed with its button");
    let rest = &editor.body[at + "name=\"stop\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].parse().unwrap()
}

async fn travel_page(app: &TestApp, path: &str) -> Page {
    Browser::new(app, TRAVEL).get(path).await
}

#[tokio::test]
async fn a_story_shown_on_a_sister_site_follows_its_original_and_points_back_to_it() {
    let app = app().await;
    let (mut editor, m) = person(&app, "Nami Network", Role::Editor).await;
    let (id, _) = create(
        &mut editor,
        "Typhoon closes Naha airport",
        &[("intent", "publish")],
    )
    .await;
    let slug = "typhoon-closes-naha-airport";

    let page = editor.get(&format!("/desk/stories/{id}")).await;
    assert!(page.body.contains("On sister sites"), "{}", page.body);
    assert!(
        page.body.contains("value=\"travel/alerts\""),
        "the travel sections are offered"
    );
    let done = circulate(&mut editor, id, ("to", "travel/alerts")).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(
        done.body.contains("is on Test Journeys too"),
        "{}",
        done.body
    );
    let copy = copy_id(&done);
    assert_ne!(copy, id);

    // On the travel site, in its section, crediting the news page.
    let there = travel_page(&app, &format!("/alerts/{slug}")).await;
    assert_eq!(there.status, 200, "{}", there.body);
    let original = format!("http://{NEWS}/national/{slug}");
    assert!(
        there
            .body
            .contains(&format!("<link rel=\"canonical\" href=\"{original}\"")),
        "the copy's canonical link is the original: {}",
        there.body
    );
    assert!(there.body.contains("First published on <a href=\"http://news.localhost:8080/national/typhoon-closes-naha-airport\">The Test Post</a>"));
    let list = travel_page(&app, "/alerts").await;
    assert!(
        list.body.contains("Typhoon closes Naha airport"),
        "in the travel section's list"
    );
    let own = Browser::new(&app, NEWS)
        .get(&format!("/national/{slug}"))
        .await;
    assert!(
        !own.body.contains("First published on"),
        "the original names no other site"
    );

    // A save of the original is on the copy at once; so is a correction.
    let saved = save(
        &mut editor,
        id,
        "Typhoon shuts Naha airport for a day",
        &[("intent", "publish")],
    )
    .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let there = travel_page(&app, &format!("/alerts/{slug}")).await;
    assert!(
        there.body.contains("Typhoon shuts Naha airport for a day"),
        "{}",
        there.body
    );
    let noted = editor
        .submit(
            &format!("/desk/stories/{id}"),
            &format!("/desk/stories/{id}/notes"),
            &[
                ("kind", "correction"),
                ("text", "An earlier version gave the wrong terminal."),
            ],
        )
        .await;
    assert_eq!(noted.status, 200, "{}", noted.body);
    let there = travel_page(&app, &format!("/alerts/{slug}")).await;
    assert!(
        there
            .body
            .contains("An earlier version gave the wrong terminal."),
        "the correction is on the copy"
    );

    // The copy is edited only through its original.
    let mut travel_desk = signed_in_on(&app, &m, now(), "travel").await;
    let copy_editor = travel_desk.get(&format!("/desk/stories/{copy}")).await;
    assert_eq!(copy_editor.status, 200, "{}", copy_editor.body);
    assert!(
        copy_editor.body.contains("on The Test Post's desk"),
        "{}",
        copy_editor.body
    );
    assert!(
        !copy_editor.body.contains("name=\"intent\""),
        "no save buttons on a copy"
    );
    let refused = save(&mut travel_desk, copy, "Edited on the copy", &[]).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(travel_page(&app, &format!("/alerts/{slug}"))
        .await
        .body
        .contains("Typhoon shuts Naha"));

    // Taken off the travel site: 410 there, the original untouched, and a
    // later save of the original does not bring it back.
    let stopped = circulate(&mut editor, id, ("stop", &copy.to_string())).await;
    assert_eq!(stopped.status, 200, "{}", stopped.body);
    assert!(
        stopped.body.contains("is off Test Journeys"),
        "{}",
        stopped.body
    );
    assert_eq!(
        travel_page(&app, &format!("/alerts/{slug}")).await.status,
        410
    );
    assert_eq!(
        Browser::new(&app, NEWS)
            .get(&format!("/national/{slug}"))
            .await
            .status,
        200
    );
    save(
        &mut editor,
        id,
        "Typhoon shuts Naha airport for two days",
        &[("intent", "publish")],
    )
    .await;
    assert_eq!(
        travel_page(&app, &format!("/alerts/{slug}")).await.status,
        410,
        "a copy taken off stays off"
    );
    // Shown again: the same copy, up to date.
    circulate(&mut editor, id, ("to", "travel/alerts")).await;
    let there = travel_page(&app, &format!("/alerts/{slug}")).await;
    assert_eq!(there.status, 200);
    assert!(there.body.contains("for two days"));
    assert_eq!(
        app.store.copies(id).await.unwrap(),
        [copy],
        "one copy per site"
    );

    // Taking the original down takes the copy down with it.
    let down = save(
        &mut editor,
        id,
        "Typhoon shuts Naha airport for two days",
        &[("intent", "unpublish")],
    )
    .await;
    assert_eq!(down.status, 200, "{}", down.body);
    assert_eq!(
        travel_page(&app, &format!("/alerts/{slug}")).await.status,
        410
    );
    app.stop().await;
}

#[tokio::test]
async fn only_a_sister_sites_editors_put_stories_on_it_and_bad_places_are_refused() {
    let app = app().await;
    let (mut news_editor, m) = person(&app, "Nobu News", Role::Member).await;
    app.store
        .set_site_role(m.id, site_id(&app, "news"), Some(Role::Editor), None, now())
        .await
        .unwrap();
    let (id, _) = create(
        &mut news_editor,
        "Ferry timetable",
        &[("intent", "publish")],
    )
    .await;
    let page = news_editor.get(&format!("/desk/stories/{id}")).await;
    assert!(
        !page.body.contains("value=\"travel/alerts\""),
        "no travel places for a news editor"
    );
    let refused = circulate(&mut news_editor, id, ("to", "travel/alerts")).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(
        refused.body.contains("Only an editor of Test Journeys"),
        "{}",
        refused.body
    );
    assert!(
        app.store.copies(id).await.unwrap().is_empty(),
        "nothing made"
    );

    // Granted on travel too: the place is offered, but the slug is taken
    // there by a travel story of its own: a 409 naming it.
    app.store
        .set_site_role(
            m.id,
            site_id(&app, "travel"),
            Some(Role::Editor),
            None,
            now(),
        )
        .await
        .unwrap();
    let taken = circulate(&mut news_editor, id, ("to", "travel/alerts")).await;
    assert_eq!(taken.status, 409, "{}", taken.body);
    assert!(
        taken
            .body
            .contains("Test Journeys has a story at &quot;ferry-timetable&quot;"),
        "{}",
        taken.body
    );
    assert!(app.store.copies(id).await.unwrap().is_empty());
    let kept = travel_page(&app, "/alerts/ferry-timetable").await;
    assert!(
        kept.body.contains("Ferry timetable for the winter"),
        "the travel story is untouched"
    );

    for (to, says) in [
        ("travel/nowhere", "is not a section of Test Journeys"),
        ("moon/alerts", "&quot;moon&quot; is not a sister site"),
        ("news/national", "&quot;news&quot; is not a sister site"),
        ("travel", "is not a sister site&#39;s section"),
    ] {
        let bad = circulate(&mut news_editor, id, ("to", to)).await;
        assert_eq!(bad.status, 400, "{to}: {}", bad.body);
        assert!(bad.body.contains(says), "{to}: {}", bad.body);
    }
    let forged = news_editor
        .post(
            &format!("/desk/stories/{id}/circulate"),
            &[("csrf", "forged"), ("to", "travel/alerts")],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert!(app.store.copies(id).await.unwrap().is_empty());
    app.stop().await;
}
