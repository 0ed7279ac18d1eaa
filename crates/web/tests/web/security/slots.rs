//! The shared, cached comment HTML names no member: the `own` slot's
//! marker carries a per-comment value only the server can check.

use kawaraban_core::model::*;

use crate::comments::{person, relaxed, seed, ARTICLE};
use crate::support::*;

/// The arguments of every `own` marker on the page.
fn own_markers(html: &str) -> Vec<String> {
    html.match_indices("<!--kw:own ")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            rest[..rest.find("-->").unwrap()].to_string()
        })
        .collect()
}

#[tokio::test]
async fn shared_comment_html_carries_no_member_id_yet_authors_get_their_tools() {
    let app = TestApp::builder().start().await;
    relaxed(&app).await;
    let (mut ann, am) = person(&app, "Ann", Role::Member).await;
    let (mut ben, _) = person(&app, "Ben", Role::Member).await;
    let first = seed(&app, &am, "first of mine", CommentStatus::Visible, None).await;
    let second = seed(&app, &am, "second of mine", CommentStatus::Visible, None).await;
    let (_, shared) = app.page(ARTICLE).await;
    let markers = own_markers(&shared);
    assert_eq!(markers.len(), 2, "{shared}");
    let owner = |m: &str| {
        url::form_urlencoded::parse(m.as_bytes())
            .find(|(k, _)| k == "owner")
            .map(|(_, v)| v.into_owned())
            .unwrap()
    };
    for m in &markers {
        assert!(!m.contains("author"), "{m}");
        let args: Vec<(String, String)> = url::form_urlencoded::parse(m.as_bytes())
            .into_owned()
            .collect();
        assert!(
            !args
                .iter()
                .any(|(k, v)| k != "id" && k != "at" && v == &am.id.to_string()),
            "no member id in {m}"
        );
    }
    // Two comments of one member cannot be linked by their marks.
    assert_ne!(owner(&markers[0]), owner(&markers[1]));
    // The author gets Edit and Delete on both; another member on neither.
    let page = ann.get(ARTICLE).await;
    for c in [&first, &second] {
        assert!(
            page.body.contains(&format!("/comments/{}/delete", c.id)),
            "{}",
            page.body
        );
    }
    let page = ben.get(ARTICLE).await;
    assert!(!page.body.contains("/delete\""), "{}", page.body);
    app.stop().await;
}
