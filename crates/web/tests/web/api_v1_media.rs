//! API v1's media library over HTTP: any key reads and searches it a page
//! at a time; an admin key uploads (a raw image body, or a form's file)
//! through the desk's one upload, and changes an image's words from its
//! ETag; too large, not an image, a content key, a revoked key, a stale
//! ETag and bad fields are each a problem, checked against the document.

use kawaraban_core::api_key::KeyKind;
use kawaraban_core::model::Role;
use reqwest::Method;
use serde_json::json;

use crate::api_v1::{conforms, document, key, Answer, Client};
use crate::desk_media::photo;
use crate::support::*;

const MEDIA: &str = "/api/v1/media";

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A valid PNG header claiming 60,000 x 60,000 pixels, and no pixels.
fn pixel_bomb() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    png.extend_from_slice(&60_000u32.to_be_bytes());
    png.extend_from_slice(&60_000u32.to_be_bytes());
    png.extend_from_slice(&[8, 2, 0, 0, 0]);
    let crc = crc32(&png[12..]);
    png.extend_from_slice(&crc.to_be_bytes());
    for chunk in [&b"IDAT"[..], &b"IEND"[..]] {
        png.extend_from_slice(&[0, 0, 0, 0]);
        png.extend_from_slice(chunk);
        png.extend_from_slice(&crc32(chunk).to_be_bytes());
    }
    png
}

/// A multipart form of `fields` and the file.
fn form(fields: &[(&str, &str)], file: (&str, &[u8])) -> (String, Vec<u8>) {
    let boundary = "kawarabanTestBoundary7MA4YWxk";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: image/jpeg\r\n\r\n",
            file.0
        )
        .as_bytes(),
    );
    body.extend_from_slice(file.1);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload_raw(c: &Client<'_>, kind: &str, bytes: Vec<u8>) -> Answer {
    c.send(Method::POST, MEDIA, &[("content-type", kind)], Some(bytes))
        .await
}

#[tokio::test]
async fn images_are_uploaded_raw_or_as_a_form_then_searched_read_and_described_from_their_etag() {
    let app = TestApp::builder().start().await;
    let doc = document(&app).await;
    let (content, _) = key(&app, 1, KeyKind::Content, None).await;
    let (admin, _) = key(&app, 2, KeyKind::Admin, Some(Role::Editor)).await;
    let editor = Client::new(&app, &admin);
    let reader = Client::new(&app, &content);

    let raw = upload_raw(&editor, "image/jpeg", photo(900, 600)).await;
    assert_eq!(raw.status, 201, "{}", raw.body);
    conforms(&doc, MEDIA, "post", &raw);
    let hash = raw.body["hash"].as_str().unwrap().to_string();
    assert_eq!(raw.headers["location"], format!("{MEDIA}/{hash}").as_str());
    assert_eq!(raw.body["name"], "Uploaded image");
    assert_eq!(raw.body["width"], 900);
    assert!(raw.body["url"].as_str().unwrap().contains(&hash));

    let (kind, body) = form(
        &[
            ("caption", "Ferries at dawn in the harbour."),
            ("credit", "Aiko Tanabe"),
            ("alt", "Three white ferries at a pier"),
        ],
        ("ferries.jpg", &photo(1000, 700)),
    );
    let filed = upload_raw(&editor, &kind, body).await;
    assert_eq!(filed.status, 201, "{}", filed.body);
    conforms(&doc, MEDIA, "post", &filed);
    assert_eq!(filed.body["name"], "ferries.jpg");
    assert_eq!(filed.body["alt"], "Three white ferries at a pier");
    let ferries = filed.body["hash"].as_str().unwrap().to_string();
    // The desk's upload wrote it to the audit log, with the key's name.
    let log = app.store.audit_log(None, 10).await.unwrap();
    assert!(log.iter().any(|e| e.action == "media.upload"
        && e.target == format!("image:{ferries}")
        && e.reason.contains("API v1: Integration 2")));

    // Any key searches the library, a page at a time, newest first.
    let found = reader.get(&format!("{MEDIA}?q=harbour+DAWN")).await;
    assert_eq!(found.status, 200, "{}", found.body);
    conforms(&doc, MEDIA, "get", &found);
    let items = found.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["hash"], ferries.as_str());
    let first = reader.get(&format!("{MEDIA}?limit=1")).await;
    assert_eq!(first.body["items"][0]["hash"], ferries.as_str());
    let next = first.body["next"].as_str().unwrap();
    let second = reader.get(&format!("{MEDIA}?limit=1&after={next}")).await;
    conforms(&doc, MEDIA, "get", &second);
    assert_eq!(second.body["items"][0]["hash"], hash.as_str());
    for (query, field) in [
        ("limit=0", "limit"),
        ("after=bm90LWEtbnVtYmVy", "after"),
        ("after=!", "after"),
        ("page=2", "page"),
    ] {
        let bad = reader.get(&format!("{MEDIA}?{query}")).await;
        bad.assert_problem(400);
        assert_eq!(bad.field_error().0, field, "{query}");
        conforms(&doc, MEDIA, "get", &bad);
    }

    // One image, with the ETag of its words; 304 while they are unchanged.
    let path = format!("{MEDIA}/{ferries}");
    let one = reader.get(&path).await;
    assert_eq!(one.status, 200);
    conforms(&doc, "/api/v1/media/{hash}", "get", &one);
    let tag = one.etag().to_string();
    let same = reader
        .send(Method::GET, &path, &[("if-none-match", &tag)], None)
        .await;
    assert_eq!(same.status, 304);
    let none = reader.get(&format!("{MEDIA}/{}", "0".repeat(64))).await;
    none.assert_problem(404);
    conforms(&doc, "/api/v1/media/{hash}", "get", &none);

    // New words from that ETag; from it again, someone changed them since.
    let described = editor
        .write(
            Method::PATCH,
            &path,
            Some(&tag),
            json!({ "caption": "Ferries leave at six." }),
        )
        .await;
    assert_eq!(described.status, 200, "{}", described.body);
    conforms(&doc, "/api/v1/media/{hash}", "patch", &described);
    assert_eq!(described.body["caption"], "Ferries leave at six.");
    assert_eq!(described.body["alt"], "Three white ferries at a pier");
    assert_ne!(described.etag(), tag);
    let stale = editor
        .write(
            Method::PATCH,
            &path,
            Some(&tag),
            json!({ "caption": "Mine" }),
        )
        .await;
    stale.assert_problem(412);
    conforms(&doc, "/api/v1/media/{hash}", "patch", &stale);
    let untagged = editor
        .write(Method::PATCH, &path, None, json!({ "caption": "Mine" }))
        .await;
    untagged.assert_problem(428);
    conforms(&doc, "/api/v1/media/{hash}", "patch", &untagged);
    let now_tag = described.etag().to_string();
    for (body, field) in [
        (json!({ "caption": "A", "colour": "red" }), "colour"),
        (json!({ "caption": 3 }), "caption"),
        (json!({ "alt": "x".repeat(501) }), "alt"),
        (json!(["caption"]), "$"),
    ] {
        let refused = editor
            .write(Method::PATCH, &path, Some(&now_tag), body.clone())
            .await;
        refused.assert_problem(422);
        assert_eq!(refused.field_error().0, field, "{body}: {}", refused.body);
        conforms(&doc, "/api/v1/media/{hash}", "patch", &refused);
    }
    let kept = app.store.library_image(&ferries).await.unwrap().unwrap();
    assert_eq!(kept.info.caption, "Ferries leave at six.");
    assert!(app
        .store
        .audit_log(None, 10)
        .await
        .unwrap()
        .iter()
        .any(|e| e.action == "media.describe" && e.target == format!("image:{ferries}")));
}

#[tokio::test]
async fn uploads_too_large_not_images_or_without_an_admin_key_are_refused() {
    let app = TestApp::builder().start().await;
    let doc = document(&app).await;
    let (content, _) = key(&app, 1, KeyKind::Content, None).await;
    let (admin, admin_row) = key(&app, 2, KeyKind::Admin, Some(Role::Editor)).await;
    let editor = Client::new(&app, &admin);
    let before = app.store.library("", None, 100).await.unwrap().len();

    let bomb = upload_raw(&editor, "image/png", pixel_bomb()).await;
    bomb.assert_problem(413);
    conforms(&doc, MEDIA, "post", &bomb);
    let huge = upload_raw(&editor, "image/jpeg", vec![0; 25 * 1024 * 1024 + 10_000]).await;
    huge.assert_problem(413);
    conforms(&doc, MEDIA, "post", &huge);
    let not_an_image = upload_raw(&editor, "image/jpeg", b"GIF89a not a jpeg".to_vec()).await;
    not_an_image.assert_problem(415);
    conforms(&doc, MEDIA, "post", &not_an_image);
    let text = upload_raw(&editor, "text/plain", b"hello".to_vec()).await;
    text.assert_problem(415);
    conforms(&doc, MEDIA, "post", &text);
    let (kind, body) = form(&[("credit", &"x".repeat(301))], ("a.jpg", &photo(50, 50)));
    let long = upload_raw(&editor, &kind, body).await;
    long.assert_problem(422);
    assert_eq!(long.field_error().0, "credit");
    conforms(&doc, MEDIA, "post", &long);

    // A content key reads but does not write; a revoked key does neither.
    let reads_only = upload_raw(&Client::new(&app, &content), "image/jpeg", photo(50, 50)).await;
    reads_only.assert_problem(403);
    conforms(&doc, MEDIA, "post", &reads_only);
    assert!(app.store.revoke_api_key(admin_row, now()).await.unwrap());
    let revoked = upload_raw(&editor, "image/jpeg", photo(50, 50)).await;
    revoked.assert_problem(401);
    conforms(&doc, MEDIA, "post", &revoked);
    let anonymous = Client {
        app: &app,
        auth: None,
    }
    .get(MEDIA)
    .await;
    anonymous.assert_problem(401);
    conforms(&doc, MEDIA, "get", &anonymous);
    // Nothing refused reached the library.
    assert_eq!(
        app.store.library("", None, 100).await.unwrap().len(),
        before
    );
}
