//! A site's settings, sections and comment rules from the desk, with the
//! same effect as the command line, and bad input refused by field.

use kawaraban_core::model::Role;

use crate::comments::person;
use crate::support::*;

const NEWS: &str = "news.localhost:8080";

#[tokio::test]
async fn an_admin_changes_the_site_its_sections_and_comment_rules() {
    let app = TestApp::builder()
        .with_article(wire_article())
        .start()
        .await;
    let (mut admin, _) = person(&app, "Ada Admin", Role::Admin).await;
    let (mut editor, _) = person(&app, "Edna Editor", Role::Editor).await;
    assert_eq!(editor.get("/desk/settings").await.status, 403);
    let page = admin.get("/desk/settings").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("value=\"The Test Post\""));

    let saved = admin
        .submit(
            "/desk/settings",
            "/desk/settings",
            &[
                ("action", "site"),
                ("name", "The Test Herald"),
                ("url", "http://news.localhost:8080"),
                ("time_zone", "Europe/London"),
                ("publisher", "Lanternfield Media"),
                ("tagline", "News at dawn"),
            ],
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let home = app.get(NEWS, "/").await.text().await.unwrap();
    assert!(
        home.contains("The Test Herald"),
        "every page has the new name at once"
    );
    assert_eq!(app.state.network.get().sites[0].time_zone, "Europe/London");

    // Sections: added, renamed and moved; in the navigation at once.
    admin
        .submit(
            "/desk/settings",
            "/desk/settings",
            &[
                ("action", "add_section"),
                ("slug", "weather"),
                ("name", "Weather"),
            ],
        )
        .await;
    admin
        .submit(
            "/desk/settings",
            "/desk/settings",
            &[
                ("action", "section"),
                ("slug", "national"),
                ("name", "Nation"),
                ("position", "9"),
            ],
        )
        .await;
    let home = app.get(NEWS, "/").await.text().await.unwrap();
    assert!(
        home.contains("href=\"/weather/\"") && home.contains(">Nation<"),
        "{home}"
    );

    // Comment rules, as `kawaraban site comments` sets them.
    admin
        .submit(
            "/desk/settings",
            "/desk/settings",
            &[
                ("action", "comments"),
                ("close_after_days", "14"),
                ("premoderate_first", "2"),
                ("deleted_members", "remove"),
                ("min_interval_secs", "30"),
                ("per_hour", "10"),
                ("max_links", "1"),
                ("spam_threshold", "5"),
                ("banned_words", "Scam\nscam\n# a note\n"),
                ("suspect_words", ""),
            ],
        )
        .await;
    let rules = app
        .store
        .comment_settings(app.state.network.get().sites[0].id)
        .await
        .unwrap();
    assert_eq!(rules.close_after_days, Some(14));
    assert_eq!(rules.banned_words, ["scam"]);

    // Bad input names the field; nothing stored changes.
    for (fields, want) in [
        (
            vec![
                ("action", "site"),
                ("name", "X"),
                ("url", "ftp://x"),
                ("time_zone", "UTC"),
                ("publisher", "P"),
            ],
            "url:",
        ),
        (
            vec![
                ("action", "site"),
                ("name", "X"),
                ("url", "http://news.localhost:8080"),
                ("time_zone", "Mars/Olympus"),
                ("publisher", "P"),
            ],
            "time zone:",
        ),
        (
            vec![
                ("action", "add_section"),
                ("slug", "search"),
                ("name", "Search"),
            ],
            "reserved",
        ),
        (
            vec![
                ("action", "add_section"),
                ("slug", "weather"),
                ("name", "Again"),
            ],
            "already has a section",
        ),
        (
            vec![
                ("action", "comments"),
                ("close_after_days", "0"),
                ("premoderate_first", "1"),
                ("deleted_members", "remove"),
                ("min_interval_secs", "0"),
                ("per_hour", "0"),
            ],
            "per_hour:",
        ),
        (
            vec![("action", "comments"), ("close_after_days", "soon")],
            "close_after_days:",
        ),
    ] {
        let bad = admin
            .submit("/desk/settings", "/desk/settings", &fields)
            .await;
        assert_eq!(bad.status, 422, "{fields:?}");
        assert!(bad.body.contains(want), "{want}: {}", bad.body);
    }
    assert_eq!(app.state.network.get().sites[0].name, "The Test Herald");
    let forged = admin
        .post(
            "/desk/settings",
            &[("csrf", "forged"), ("action", "site"), ("name", "Forged")],
        )
        .await;
    assert_eq!(forged.status, 403);
    let log = app.store.audit_log(None, 20).await.unwrap();
    assert!(log.iter().any(|e| e.action == "settings.site"));
    app.stop().await;
}

#[tokio::test]
async fn editors_write_author_profiles_shown_on_their_pages_and_rename_tags() {
    let app = TestApp::builder()
        .with_article(wire_article())
        .start()
        .await;
    let (mut editor, _) = person(&app, "Edna Editor", Role::Editor).await;
    let (mut author, _) = person(&app, "Ann Author", Role::Author).await;
    assert_eq!(author.get("/desk/authors").await.status, 403);
    let list = editor.get("/desk/authors?q=tanabe").await;
    assert!(
        list.body.contains("href=\"/desk/authors/aiko-tanabe\""),
        "{}",
        list.body
    );
    assert!(list.body.contains("/tag/transport"));
    let saved = editor
        .submit(
            "/desk/authors/aiko-tanabe",
            "/desk/authors/aiko-tanabe",
            &[
                ("name", "Aiko Tanabe"),
                ("bio", "Transport correspondent in Sendai."),
                ("photo", ""),
                ("links", "https://example.com/aiko\n"),
            ],
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let page = app
        .get(NEWS, "/author/aiko-tanabe")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Transport correspondent in Sendai."));
    assert!(page.contains("href=\"https://example.com/aiko\" rel=\"me noopener\""));
    for (fields, want) in [
        (
            vec![("name", ""), ("bio", ""), ("photo", ""), ("links", "")],
            "name:",
        ),
        (
            vec![("name", "Aiko Tanabe"), ("links", "javascript:alert(1)")],
            "links:",
        ),
        (
            vec![("name", "Aiko Tanabe"), ("photo", "nothing")],
            "photo:",
        ),
    ] {
        let bad = editor
            .submit(
                "/desk/authors/aiko-tanabe",
                "/desk/authors/aiko-tanabe",
                &fields,
            )
            .await;
        assert_eq!(bad.status, 422, "{fields:?}");
        assert!(bad.body.contains(want), "{want}");
    }
    editor
        .submit(
            "/desk/authors",
            "/desk/authors",
            &[("slug", "transport"), ("name", "Transport and travel")],
        )
        .await;
    let tag = app.get(NEWS, "/tag/transport").await.text().await.unwrap();
    assert!(tag.contains("Transport and travel"));
    assert_eq!(editor.get("/desk/authors/nobody").await.status, 404);
    app.stop().await;
}
