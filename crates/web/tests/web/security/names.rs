//! Display names that pass for staff or the site are kept, in every
//! disguise, at registration and at a name change.

use kawaraban_core::model::Role;

use crate::browser::Browser;
use crate::comments::person;
use crate::members::{address, member, NEWS, PASSWORD};
use crate::support::*;

#[tokio::test]
async fn registration_refuses_names_kept_for_staff_and_the_site() {
    let app = TestApp::builder().start().await;
    let (_, staff) = person(&app, "Aiko Tanabe", Role::Editor).await;
    for name in [
        "Moderator",
        "Site ADMIN",
        "Former member",
        "The Test Post",
        "Aikо Tanabe",
    ] {
        let email = address("kept");
        let mut b = Browser::new(&app, NEWS);
        let page = b.register(&email, name, PASSWORD).await;
        assert_eq!(page.status, 422, "{name}: {}", page.body);
        assert!(
            page.body.contains("belongs to the site or its staff"),
            "{name}: {}",
            page.body
        );
        let norm = kawaraban_core::identity::parse_email(&email).unwrap().norm;
        assert!(
            app.store.member_by_email(&norm).await.unwrap().is_none(),
            "{name}"
        );
    }
    assert_eq!(staff.display_name, "Aiko Tanabe");
    app.stop().await;
}

#[tokio::test]
async fn a_name_change_cannot_take_a_kept_name_but_staff_keep_their_own() {
    let app = TestApp::builder().start().await;
    let (mut b, email) = member(&app, "rename").await;
    let (mut mo, mom) = person(&app, "Mo Rivers", Role::Moderator).await;
    for name in ["ＡＤＭＩＮ", "M0derator", "mo rivers", "Lanternfield Media"] {
        let page = b
            .submit("/account", "/account/name", &[("display_name", name)])
            .await;
        assert_eq!(page.status, 422, "{name}: {}", page.body);
        assert!(
            page.body.contains("belongs to the site or its staff"),
            "{name}"
        );
    }
    let norm = kawaraban_core::identity::parse_email(&email).unwrap().norm;
    let m = app.store.member_by_email(&norm).await.unwrap().unwrap();
    assert_eq!(m.display_name, "Ann Reader", "nothing stored changed");
    // The moderator may keep (and re-save) their own name.
    let page = mo
        .submit(
            "/account",
            "/account/name",
            &[("display_name", "Mo Rivers")],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let m = app.store.member_by_id(mom.id).await.unwrap().unwrap();
    assert_eq!(m.display_name, "Mo Rivers");
    app.stop().await;
}
