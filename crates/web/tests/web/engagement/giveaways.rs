//! Giveaways: the sponsored block, joining through sign-in with a
//! receipt, once per member, and the entries refused (window, unconfirmed
//! email, disposable domain, declaration), with nothing stored.

use kawaraban_core::model::Role;

use chrono::Duration;

use super::*;
use crate::browser::Browser;
use crate::comments::{person, signed_in_browser};
use crate::members::address;

#[tokio::test]
async fn the_sponsored_block_takes_a_member_in_once_with_a_receipt() {
    let app = TestApp::builder()
        .with_article(article(
            "travel",
            "destinations",
            "kyoto-gardens-in-winter",
            "Kyoto gardens in winter",
            &(now() - Duration::days(1)).to_rfc3339(),
            "",
        ))
        .start()
        .await;
    let path = article_path(&app).await;
    let g = giveaway(
        &app,
        giveaway_fields("premium", now() - hours(1), now() + hours(48)),
    )
    .await;
    // The block, labelled, on the one cached article page.
    let page = app.get(NEWS, &path).await.text().await.unwrap();
    for needle in [
        "<p class=\"sponsored-label\">Sponsored · <a href=",
        "rel=\"sponsored noopener\">Harbourlight Audio</a></p>",
        "Harbourlight x Test Post Premium Accounts Giveaway",
        "Join the giveaway for a chance to win 1 year free subscription to Test Post Premium",
        "href=\"/giveaways/premium\">Join Now</a>",
        "href=\"/giveaways/premium/rules\">Official rules</a>",
    ] {
        assert!(page.contains(needle), "{needle}: {page}");
    }
    assert!(
        !page.contains("\"@type\":\"Offer\""),
        "JSON-LD keeps presenting the news only"
    );
    // Anonymous: Join Now leads to sign in, and back.
    let mut anon = Browser::new(&app, NEWS);
    let own = anon.get("/giveaways/premium").await;
    assert!(
        own.body.contains("/login?next=/giveaways/premium"),
        "{}",
        own.body
    );
    assert!(
        own.body.contains(&g.commitment),
        "the commitment is public from the start"
    );
    // A member joins with one press.
    let email = address("winner");
    let m = reader(&app, &email, "Wyn Winner", true).await;
    let mut b = signed_in_browser(&app, &m, now()).await;
    let form = b.get("/giveaways/premium").await;
    let joined = b
        .post(
            "/giveaways/premium/enter",
            &[("csrf", form.csrf().as_str()), ("show_name", "on")],
        )
        .await;
    assert_eq!(joined.status, 200, "{}", joined.body);
    assert!(
        joined.body.contains("You're in. Your ticket:"),
        "{}",
        joined.body
    );
    let entry = app.store.entry_of(g.id, m.id).await.unwrap().unwrap();
    assert!(
        entry.ticket.starts_with("KW-") && entry.ticket.len() == 22,
        "{}",
        entry.ticket
    );
    assert!(joined.body.contains(&entry.ticket));
    let mail = app.wait_mail(&email, 1).await;
    assert!(mail.subject.starts_with("You're in"), "{}", mail.subject);
    assert!(mail.text.contains(&entry.ticket));
    // Pressing again says so; nothing new.
    let again = b
        .post(
            "/giveaways/premium/enter",
            &[("csrf", form.csrf().as_str())],
        )
        .await;
    assert!(
        again.body.contains("in already: one entry per member"),
        "{}",
        again.body
    );
    assert_eq!(app.store.entries(g.id, 100).await.unwrap().len(), 1);
    // The article page says "you're in" to this member only.
    let theirs = b.get(&path).await;
    assert!(theirs.body.contains(&format!(
        "Your ticket: <strong class=\"ticket\">{}</strong>",
        entry.ticket
    )));
    let others = app.get(NEWS, &path).await.text().await.unwrap();
    assert!(!others.contains(&entry.ticket));
    // The official rules, written from the fields.
    let rules = anon.get("/giveaways/premium/rules").await;
    assert!(rules.body.contains("Official rules"));
    assert!(rules.body.contains("Harbourlight Audio"));
    // The other site's trending block carries it as a labelled offer.
    let travel = app
        .get(
            "travel.localhost:8080",
            "/destinations/kyoto-gardens-in-winter",
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        travel.contains("http://news.localhost:8080/giveaways/premium"),
        "{travel}"
    );
    assert!(travel.contains("trending-item sponsored"));
    app.stop().await;
}

#[tokio::test]
async fn entries_outside_the_rules_are_refused_with_a_reason_and_nothing_stored() {
    let app = TestApp::builder().start().await;
    let mut fields = giveaway_fields("later", now() + hours(2), now() + hours(48));
    let later = giveaway(&app, fields.clone()).await;
    fields.slug = "premium".into();
    fields.opens_at = now() - hours(1);
    fields.declaration = "I am 18 or older and live in Japan.".into();
    let g = giveaway(&app, fields).await;
    let (mut ok, _) = person(&app, "Olly Okay", Role::Member).await;
    let csrf = ok.get("/giveaways/premium").await.csrf();
    // Before the window.
    let early = ok
        .post("/giveaways/later/enter", &[("csrf", csrf.as_str())])
        .await;
    assert_eq!(early.status, 422);
    assert!(
        early.body.contains("This giveaway opens on"),
        "{}",
        early.body
    );
    // Without the declaration.
    let undeclared = ok
        .post("/giveaways/premium/enter", &[("csrf", csrf.as_str())])
        .await;
    assert_eq!(undeclared.status, 422);
    assert!(undeclared
        .body
        .contains("Please confirm the eligibility statement"));
    // A forged token.
    assert_eq!(
        ok.post(
            "/giveaways/premium/enter",
            &[("csrf", "forged"), ("declare", "on")]
        )
        .await
        .status,
        403
    );
    // An unconfirmed email.
    let email = address("unconfirmed");
    let m = reader(&app, &email, "Una Unconfirmed", false).await;
    let mut un = signed_in_browser(&app, &m, now()).await;
    let c = un.get("/giveaways/premium").await.csrf();
    let refused = un
        .post(
            "/giveaways/premium/enter",
            &[("csrf", c.as_str()), ("declare", "on")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused
        .body
        .contains("Please confirm your email address first"));
    // A disposable domain on the network's list.
    app.store
        .set_setting("disposable_domains", "throwaway.example\n")
        .await
        .unwrap();
    let m = reader(&app, "dee@mx.throwaway.example", "Dee", true).await;
    let mut dee = signed_in_browser(&app, &m, now()).await;
    let c = dee.get("/giveaways/premium").await.csrf();
    let refused = dee
        .post(
            "/giveaways/premium/enter",
            &[("csrf", c.as_str()), ("declare", "on")],
        )
        .await;
    assert!(
        refused
            .body
            .contains("disposable email addresses (throwaway.example)"),
        "{}",
        refused.body
    );
    // Anonymous: to sign in, nothing stored.
    let anon = app
        .request(reqwest::Method::POST, NEWS, "/giveaways/premium/enter")
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status(), 303);
    assert!(app.store.entries(g.id, 100).await.unwrap().is_empty());
    assert!(app.store.entries(later.id, 100).await.unwrap().is_empty());
    // With everything in order, it works.
    let fine = ok
        .post(
            "/giveaways/premium/enter",
            &[("csrf", csrf.as_str()), ("declare", "on")],
        )
        .await;
    assert!(fine.body.contains("You're in"), "{}", fine.body);
    // After the close: refused.
    let mut closed = giveaway_fields("premium", now() - hours(3), now() - hours(1));
    closed.declaration.clear();
    app.store
        .update_giveaway(g.id, &closed, now())
        .await
        .unwrap();
    let (mut late, _) = person(&app, "Lou Late", Role::Member).await;
    let c = late.get("/giveaways/premium").await.csrf();
    let after = late
        .post("/giveaways/premium/enter", &[("csrf", c.as_str())])
        .await;
    assert!(
        after.body.contains("entries are no longer taken"),
        "{}",
        after.body
    );
    assert_eq!(app.store.entries(g.id, 100).await.unwrap().len(), 1);
    app.stop().await;
}

/// The value of the form field `name` on a page, whatever its attribute order.
fn value_of(body: &str, name: &str) -> String {
    let at = body
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no field {name}"));
    let tag = &body[at..at + body[at..].find('>').unwrap()];
    let v = tag.split_once("value=\"").map(|(_, r)| r).unwrap_or("\"");
    v[..v.find('"').unwrap()]
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
}

/// A small PNG, as a sponsor would send.
fn logo_png() -> Vec<u8> {
    let img =
        image::RgbaImage::from_fn(300, 80, |x, _| image::Rgba([20, 40, (x % 255) as u8, 255]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgba8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

#[tokio::test]
async fn an_editor_uploads_the_sponsors_logo_and_the_block_shows_it() {
    let app = TestApp::builder().start().await;
    let path = article_path(&app).await;
    let g = giveaway(
        &app,
        giveaway_fields("premium", now() - hours(1), now() + hours(48)),
    )
    .await;
    let (mut editor, _) = person(&app, "Edna Editor", Role::Editor).await;
    let desk = format!("/desk/giveaways/{}", g.id);
    let action = format!("{desk}/logo");
    let csrf = editor.get(&desk).await.csrf();
    let stored = |app: &TestApp| {
        let store = app.store.clone();
        async move {
            store
                .giveaway(g.id)
                .await
                .unwrap()
                .unwrap()
                .fields
                .sponsor_logo
        }
    };
    // Not an image: refused on the desk page, naming the field; nothing stored.
    let bad = editor
        .post_file(
            &action,
            &[("csrf", &csrf), ("action", "upload")],
            ("logo", "logo.png", b"GIF89a not really"),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(
        bad.body.contains("logo: not a JPEG, PNG or WebP image"),
        "{}",
        bad.body
    );
    assert_eq!(stored(&app).await, "");
    // A forged token: refused, nothing stored.
    let forged = editor
        .post_file(
            &action,
            &[("csrf", "forged"), ("action", "upload")],
            ("logo", "logo.png", &logo_png()),
        )
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(stored(&app).await, "");
    // A real logo: stored by hash, shown small in the cached block, served.
    let ok = editor
        .post_file(
            &action,
            &[("csrf", &csrf), ("action", "upload")],
            ("logo", "logo.png", &logo_png()),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let logo = stored(&app).await;
    assert!(
        logo.starts_with("/media/") && logo.ends_with("-300.jpg"),
        "{logo}"
    );
    assert!(
        ok.body.contains(&format!("src=\"{logo}\"")),
        "the desk shows it"
    );
    let page = app.get(NEWS, &path).await.text().await.unwrap();
    assert!(
        page.contains(&format!("<img class=\"sponsor-logo\" src=\"{logo}\"")),
        "{page}"
    );
    let img = app.get(NEWS, &logo).await;
    assert_eq!(img.status(), 200);
    assert_eq!(img.headers()["content-type"], "image/jpeg");
    // Saving the other fields keeps it.
    let mut form: Vec<(&str, String)> = vec![("csrf", csrf.clone()), ("action", "save".into())];
    let page = editor.get(&desk).await;
    for name in [
        "slug",
        "title",
        "sponsor_name",
        "sponsor_url",
        "winners",
        "opens",
        "closes",
        "sites",
        "claim_days",
    ] {
        form.push((name, value_of(&page.body, name)));
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = editor.post(&desk, &form).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(stored(&app).await, logo);
    // Removed: the block names the sponsor in text only.
    editor
        .post_file(
            &action,
            &[("csrf", &csrf), ("action", "remove")],
            ("logo", "", b""),
        )
        .await;
    assert_eq!(stored(&app).await, "");
    assert!(
        eventually(|| async {
            !app.get(NEWS, &path)
                .await
                .text()
                .await
                .unwrap()
                .contains("sponsor-logo")
        })
        .await
    );
    let audit = app.store.audit_log(None, 20).await.unwrap();
    assert_eq!(
        audit.iter().filter(|e| e.action == "giveaway.logo").count(),
        2
    );
    app.stop().await;
}
