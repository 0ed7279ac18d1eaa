//! The media library through a real server: photos with their words,
//! reused by stories, bad files refused, JSON for the editor's script.

use kawaraban_core::model::Role;

use crate::comments::person;
use crate::desk_stories::{app, create, save, NEWS};

/// A JPEG of `w` x `h` pixels (each size a new image).
pub(crate) fn photo(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 255) as u8, (y % 255) as u8, 120])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(
            &mut std::io::Cursor::new(&mut out),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    out
}

#[tokio::test]
async fn the_media_library_takes_photos_with_their_words_and_stories_reuse_them() {
    let app = app().await;
    let (mut editor, _) = person(&app, "Edna Editor", Role::Editor).await;
    let (mut member, _) = person(&app, "Mia Member", Role::Member).await;
    assert_eq!(member.get("/desk/media").await.status, 403);
    let page = editor.get("/desk/media").await;
    assert_eq!(page.status, 200);
    let csrf = page.csrf();
    let bytes = photo(1000, 700);
    let done = editor
        .post_file(
            "/desk/media",
            &[
                ("csrf", &csrf),
                ("caption", "Ferries at dawn in the harbour."),
                ("credit", "Test Post/Aiko Tanabe"),
                ("alt", "Three white ferries at a pier"),
            ],
            ("file", "ferries.jpg", &bytes),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(
        done.body.contains("ferries.jpg") && done.body.contains("Three white ferries at a pier")
    );
    let found = editor.get("/desk/media?q=harbour+DAWN").await;
    assert!(found.body.contains("ferries.jpg"));
    assert!(!editor
        .get("/desk/media?q=nothing-like-it")
        .await
        .body
        .contains("ferries.jpg"));
    let item = app
        .store
        .library("ferries", None, 1)
        .await
        .unwrap()
        .remove(0);
    assert_eq!((item.image.width, item.image.height), (1000, 700));

    // The editor's script gets JSON; bad files a clear refusal, nothing stored.
    let before = app.store.library("", None, 100).await.unwrap().len();
    for (name, bytes, want) in [
        (
            "notes.txt",
            b"plain text, not a picture".to_vec(),
            "not a JPEG, PNG or WebP image",
        ),
        ("empty.jpg", Vec::new(), "choose a JPEG, PNG or WebP image"),
    ] {
        let refused = editor
            .post_file("/desk/media", &[("csrf", &csrf)], ("file", name, &bytes))
            .await;
        assert_eq!(refused.status, 422, "{name}");
        assert!(refused.body.contains(want), "{name}: {}", refused.body);
    }
    assert_eq!(
        app.store.library("", None, 100).await.unwrap().len(),
        before
    );
    let forged = editor
        .post_file(
            "/desk/media",
            &[("csrf", "forged")],
            ("file", "x.jpg", &bytes),
        )
        .await;
    assert_eq!(forged.status, 403);

    // A story using it as its hero image gets the library's words.
    let (id, _) = create(
        &mut editor,
        "Ferry season opens",
        &[("image", &item.image.hash)],
    )
    .await;
    let story = app.store.story(id).await.unwrap().unwrap();
    assert_eq!(
        story.fields.image_caption,
        "Ferries at dawn in the harbour."
    );
    save(
        &mut editor,
        id,
        "Ferry season opens",
        &[
            ("image", &item.image.hash),
            ("intent", "publish"),
            ("image_caption", "Our own caption."),
        ],
    )
    .await;
    let html = app
        .get(NEWS, "/national/ferry-season-opens")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(&item.image.hash), "the hero image is shown");
    assert!(html.contains("Our own caption.") && html.contains("Test Post/Aiko Tanabe"));
    app.stop().await;
}

#[tokio::test]
async fn the_script_uploads_pasted_images_and_gets_json() {
    let app = app().await;
    let (mut editor, _) = person(&app, "Edna Editor", Role::Editor).await;
    let csrf = editor.get("/desk/media").await.csrf();
    editor.accept = Some("application/json".into());
    let resp = editor
        .post_file(
            "/desk/media",
            &[("csrf", &csrf)],
            ("file", "pasted.jpg", &photo(640, 480)),
        )
        .await;
    assert_eq!(resp.status, 201, "{}", resp.body);
    let j: serde_json::Value = serde_json::from_str(&resp.body).unwrap();
    assert_eq!(j["name"], "pasted.jpg");
    assert!(j["src"].as_str().unwrap().starts_with("/media/"));
    let bad = editor
        .post_file(
            "/desk/media",
            &[("csrf", &csrf)],
            ("file", "x.gif", b"GIF89a"),
        )
        .await;
    assert_eq!(bad.status, 422);
    let j: serde_json::Value = serde_json::from_str(&bad.body).unwrap();
    assert!(j["error"].as_str().unwrap().contains("x.gif"));
    app.stop().await;
}
