//! The draw: automatic at the close, published for anyone to recompute
//! (the Rust verifier and `scripts/verify_draw.py` both run on the public
//! page, and both refuse a tampered copy), with a real League of Entropy
//! round served the way drand serves it and checked with its BLS
//! signature; winners emailed, prizes claimed, a disqualified winner's
//! prize passed to the next alternate.

use axum::extract::Path;
use axum::routing::get;
use kawaraban_core::giveaway::beacon::{league_of_entropy_mainnet, BeaconSetting};
use kawaraban_core::giveaway::published::{self, PublicDraw};

use super::*;
use crate::comments::signed_in_browser;
use crate::members::address;

/// Mainnet round 72785 as drand's HTTP API serves it (the example round of
/// the `drand-verify` crate's documentation).
const ROUND_72785: &str = r#"{"round":72785,"randomness":"8b676484b5fb1f37f9ec5c413d7d29883504e5b669f604a1ce68b3388e9ae3d9","signature":"82f5d3d2de4db19d40a6980e8aa37842a0e55d1df06bd68bddc8d60002e8e959eb9cfa368b3c1b77d18f02a54fe047b80f0989315f83b12a74fd8679c4f12aae86eaf6ab5690b34f1fddd50ee3cc6f6cdf59e95526d5a5d82aaa84fa6f181e42","previous_signature":"a609e19a03c2fcc559e8dae14900aaefe517cb55c840f6e69bc8e4f66c8d18e8a609685d9917efbfb0c37f058c2de88f13d297c7e19e0ab24813079efe57a182554ff054c7638153f9b26a60e7111f71a0ff63d9571704905d3ca6df0b031747"}"#;

/// A local server answering `/{chain}/public/{round}` like drand, with the
/// real round or, when `flip`, the round with one byte of its signature flipped.
async fn drand(flip: bool) -> String {
    let app = axum::Router::new().route(
        "/{chain}/public/{round}",
        get(
            move |Path((_chain, round)): Path<(String, u64)>| async move {
                if round != 72785 {
                    return (axum::http::StatusCode::NOT_FOUND, String::new());
                }
                let mut body = ROUND_72785.to_string();
                if flip {
                    body = body.replace("\"signature\":\"82f5", "\"signature\":\"83f5");
                }
                (axum::http::StatusCode::OK, body)
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

async fn entrant(app: &TestApp, g: &Giveaway, n: usize) -> (Member, String) {
    let email = address(&format!("entrant{n}"));
    let m = reader(app, &email, &format!("Entrant {n}"), true).await;
    let e = app
        .store
        .enter_giveaway(&NewEntry {
            giveaway_id: g.id,
            member_id: m.id,
            site_id: app.store.list_sites().await.unwrap()[0].id,
            ticket: kawaraban_core::giveaway::ticket_id(rand::random()),
            address_hash: format!("address-{n}"),
            show_name: true,
            at: now(),
        })
        .await
        .unwrap();
    let EntryOutcome::Entered(e) = e else {
        panic!()
    };
    (m, e.ticket)
}

async fn public(app: &TestApp, slug: &str) -> (PublicDraw, String) {
    let d: PublicDraw =
        serde_json::from_str(&app.page(&format!("/giveaways/{slug}/draw.json")).await.1).unwrap();
    let (status, tickets) = app.page(&format!("/giveaways/{slug}/tickets.txt")).await;
    assert_eq!(status, 200);
    (d, tickets)
}

fn script() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/verify_draw.py")
}

#[tokio::test]
async fn a_closed_giveaway_is_drawn_published_verified_and_its_prizes_passed_down() {
    let app = TestApp::builder().start().await;
    let g = giveaway(
        &app,
        giveaway_fields("premium", now() - hours(2), now() + hours(1)),
    )
    .await;
    let mut people = Vec::new();
    for n in 0..12 {
        people.push(entrant(&app, &g, n).await);
    }
    // Before the close: the commitment only, the seed secret.
    let (status, json) = app.page("/giveaways/premium/draw.json").await;
    assert_eq!(status, 200);
    assert!(json.contains("\"seed\": null"), "{json}");
    assert_eq!(app.page("/giveaways/premium/tickets.txt").await.0, 404);
    // The close passes: the server draws on its own.
    app.store
        .update_giveaway(
            g.id,
            &giveaway_fields("premium", now() - hours(2), now() - Duration::seconds(1)),
            now(),
        )
        .await
        .unwrap();
    assert!(
        eventually(|| async {
            app.store
                .giveaway(g.id)
                .await
                .unwrap()
                .unwrap()
                .draw
                .is_some()
        })
        .await,
        "drawn at the close"
    );
    let (d, tickets) = public(&app, "premium").await;
    assert_eq!(tickets.lines().count(), 12);
    assert!(!tickets.contains('@'), "ticket ids only");
    let v = published::verify(&d, &tickets).unwrap();
    assert_eq!(v.winners.len(), 2);
    assert_eq!(v.alternates.len(), 6);
    // The two winners are emailed a claim link.
    let email_of = |t: &str| {
        people
            .iter()
            .find(|p| p.1 == t)
            .map(|p| p.0.email.clone())
            .unwrap()
    };
    let first = email_of(&v.winners[0]);
    let mail = app.wait_mail(&first, 1).await;
    assert!(mail.subject.starts_with("You won"), "{}", mail.subject);
    assert!(mail.text.contains(&v.winners[0]));
    // The first claims; the second is disqualified, and the first alternate is offered in their place.
    let winner = people
        .iter()
        .find(|p| p.1 == v.winners[0])
        .unwrap()
        .0
        .clone();
    let mut b = signed_in_browser(&app, &winner, now()).await;
    let page = b.get("/giveaways/premium").await;
    assert!(page.body.contains("Claim my prize"), "{}", page.body);
    let claimed = b
        .post(
            "/giveaways/premium/claim",
            &[("csrf", page.csrf().as_str())],
        )
        .await;
    assert!(
        claimed.body.contains("You claimed your prize"),
        "{}",
        claimed.body
    );
    let second = app
        .store
        .entry_by_ticket(&v.winners[1])
        .await
        .unwrap()
        .unwrap();
    app.store
        .disqualify_entry(g.id, second.id, "Second account")
        .await
        .unwrap();
    let next = email_of(&v.alternates[0]);
    let mail = app.wait_mail(&next, 1).await;
    assert!(
        mail.text.contains(&v.alternates[0]),
        "the first alternate, in the published order"
    );
    let shown = app.page("/giveaways/premium").await.1;
    assert!(shown.contains("Entrant"), "a winner who agreed is named");
    assert!(shown.contains("disqualified"));
    // The standard-library script recomputes it from the page alone ...
    let url = format!("http://{}/giveaways/premium", app.addr);
    let out = tokio::process::Command::new("python3")
        .arg(script())
        .arg(&url)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(&v.winners[0]), "{stdout}");
    // ... and refuses a tampered copy: a ticket slipped in, a seed changed.
    let dir = tempfile::tempdir().unwrap();
    let draw_file = dir.path().join("draw.json");
    let tickets_file = dir.path().join("tickets.txt");
    std::fs::write(&draw_file, serde_json::to_string(&d).unwrap()).unwrap();
    std::fs::write(&tickets_file, format!("{tickets}KW-ZZZZ-ZZZZ-ZZZZ-ZZZZ\n")).unwrap();
    let run = |draw: &std::path::Path| {
        std::process::Command::new("python3")
            .arg(script())
            .arg("--draw")
            .arg(draw)
            .arg("--tickets")
            .arg(&tickets_file)
            .output()
            .unwrap()
    };
    let tampered = run(&draw_file);
    assert_eq!(tampered.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&tampered.stderr).contains("FAIL ticket list"));
    std::fs::write(&tickets_file, &tickets).unwrap();
    let mut forged = d.clone();
    forged.seed = Some("00".repeat(32));
    std::fs::write(&draw_file, serde_json::to_string(&forged).unwrap()).unwrap();
    let out = run(&draw_file);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("FAIL commitment"));
    assert!(published::verify(&forged, &tickets).is_err());
    app.stop().await;
}

#[tokio::test]
async fn a_drand_round_after_the_close_joins_the_draw_and_a_forged_one_is_refused() {
    let app = TestApp::builder().start().await;
    let chain = league_of_entropy_mainnet();
    // Closed just before round 72785 was published (August 2020).
    let close = chain.round_time(72785) - Duration::seconds(10);
    // A beacon answering with a flipped byte: the draw refuses it and waits.
    let forged = BeaconSetting {
        url: drand(true).await,
        chain: chain.clone(),
    };
    app.store
        .set_setting(
            "randomness_beacon",
            &serde_json::to_string(&forged).unwrap(),
        )
        .await
        .unwrap();
    let mut fields = giveaway_fields("retro", close - hours(24), close);
    let g = giveaway(&app, fields.clone()).await;
    for n in 0..5 {
        entrant(&app, &g, n).await;
    }
    let g = app.store.giveaway(g.id).await.unwrap().unwrap();
    let e = kawaraban_web::engagement::draw::perform(&*app.store, &g, now())
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("BLS signature does not verify"),
        "{e}"
    );
    assert!(
        app.store
            .giveaway(g.id)
            .await
            .unwrap()
            .unwrap()
            .draw
            .is_none(),
        "nothing recorded"
    );
    // The real round: drawn with its randomness, and it verifies.
    let real = BeaconSetting {
        url: drand(false).await,
        chain,
    };
    app.store
        .set_setting("randomness_beacon", &serde_json::to_string(&real).unwrap())
        .await
        .unwrap();
    // By hand here, or by the server's own loop, whichever comes first.
    let _ = kawaraban_web::engagement::draw::perform(&*app.store, &g, now()).await;
    assert!(
        eventually(|| async {
            app.store
                .giveaway(g.id)
                .await
                .unwrap()
                .unwrap()
                .draw
                .is_some()
        })
        .await
    );
    let record = app
        .store
        .giveaway(g.id)
        .await
        .unwrap()
        .unwrap()
        .draw
        .unwrap();
    assert_eq!(record.round.as_ref().unwrap().round, 72785);
    let (d, tickets) = public(&app, "retro").await;
    let v = published::verify(&d, &tickets).unwrap();
    assert_eq!(v.round.unwrap().0, 72785);
    let url = format!("http://{}/giveaways/retro", app.addr);
    let out = tokio::process::Command::new("python3")
        .arg(script())
        .arg(&url)
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Drawn once: a second draw is refused, and the terms are fixed.
    assert!(kawaraban_web::engagement::draw::perform(
        &*app.store,
        &app.store.giveaway(g.id).await.unwrap().unwrap(),
        now()
    )
    .await
    .is_err());
    fields.title = "Changed".into();
    assert!(app
        .store
        .update_giveaway(g.id, &fields, now())
        .await
        .is_err());
    app.stop().await;
}
