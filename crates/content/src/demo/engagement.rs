//! The demo's reader survey and sponsored giveaways: an open survey on
//! the news site with clearly synthetic responses (so its results page
//! has charts), an open giveaway by a fictional sponsor, and a finished
//! one whose public page shows its commitment, ticket list, revealed seed
//! and winners, ready for `scripts/verify_draw.py`.

use chrono::{DateTime, Duration, Utc};
use kawaraban_core::giveaway::{draw, ticket_id};
use kawaraban_core::model::*;
use kawaraban_core::store::Store;
use kawaraban_core::survey::answers::{Answer, Answers};
use kawaraban_core::survey::audience::Audience;
use kawaraban_core::survey::{Definition, Status};

use super::readership::noise;
use crate::media::MediaDir;

const SURVEY: &str = r#"
title: The Lanternfield Post reader survey
intro: Six short questions about how you read us. Your answers are anonymous unless you are signed in, and take about two minutes.
banner: Take our user survey and make your voice heard.
questions:
  - id: 1
    kind: single
    prompt: How often do you read The Lanternfield Post?
    required: true
    options: [Every day, A few times a week, Once a week, Less often]
  - id: 2
    kind: multiple
    prompt: Which sections do you read most?
    options: [National, World, Business, Politics, Science, Sports]
    other: true
    shuffle: true
  - id: 3
    kind: rating
    prompt: How would you rate our coverage overall?
    required: true
  - id: 4
    kind: nps
    prompt: How likely are you to recommend us to a friend or colleague?
  - id: 5
    kind: matrix
    prompt: How far do you agree with these statements?
    statements: [Our stories are accurate, Our headlines are fair, We cover the stories that matter to you]
    options: [Disagree, Neutral, Agree]
  - id: 6
    kind: long_text
    prompt: What is one thing we should do better?
"#;

/// Free-text answers the synthetic respondents give (invented for the demo).
const SUGGESTIONS: &[&str] = &[
    "More explainers on the science stories, please.",
    "Longer pieces on regional transport.",
    "Fewer push alerts late at night.",
    "A weekly round-up of the best long reads.",
    "Maps with the weather stories.",
    "Keep the comments civil: the moderation is good.",
];

fn pick(seed: i64, salt: i64, n: usize) -> usize {
    (noise(seed, salt) * n as f64) as usize % n
}

fn response(i: i64) -> Answers {
    let mut a = Answers::new();
    a.insert(
        1,
        Answer::Choice {
            chosen: vec![[0, 0, 1, 1, 2, 3][pick(i, 1, 6)]],
            other: None,
        },
    );
    let mut sections: Vec<u16> = (0..6).filter(|s| noise(i, 10 + *s as i64) < 0.35).collect();
    if sections.is_empty() {
        sections.push(0);
    }
    a.insert(
        2,
        Answer::Choice {
            chosen: sections,
            other: None,
        },
    );
    a.insert(3, Answer::Number([3, 4, 4, 5, 5, 2, 4][pick(i, 3, 7)]));
    if noise(i, 4) < 0.85 {
        a.insert(
            4,
            Answer::Number([10, 9, 9, 8, 7, 10, 6, 3, 9, 8][pick(i, 5, 10)]),
        );
    }
    a.insert(
        5,
        Answer::Matrix(
            (0..3)
                .map(|r| Some([2, 2, 1, 2, 0][pick(i, 20 + r, 5)]))
                .collect(),
        ),
    );
    if noise(i, 6) < 0.4 {
        a.insert(
            6,
            Answer::Text(SUGGESTIONS[pick(i, 7, SUGGESTIONS.len())].to_string()),
        );
    }
    a
}

async fn survey(store: &dyn Store, news: &Site, now: DateTime<Utc>) -> anyhow::Result<()> {
    if store
        .survey_by_slug("reader-survey", false)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let definition =
        Definition::from_yaml(SURVEY).map_err(|e| anyhow::anyhow!("demo survey: {e}"))?;
    let s = store
        .create_survey(
            &NewSurvey {
                slug: "reader-survey".into(),
                definition,
                audience: Audience {
                    sites: vec![news.key.clone()],
                    ..Default::default()
                },
                opens_at: Some(now - Duration::days(6)),
                closes_at: Some(now + Duration::days(24)),
                response_limit: None,
                public_results: vec![1, 3, 4],
            },
            now - Duration::days(6),
        )
        .await?;
    store
        .set_survey_status(s.id, Status::Open, now - Duration::days(6))
        .await?;
    for i in 0..64 {
        store
            .add_response(&NewResponse {
                survey_id: s.id,
                site_id: news.id,
                respondent: Respondent::Browser(format!("demo-browser-{i}")),
                address_hash: format!("demo-address-{i}"),
                agent_hash: "demo-agent".into(),
                answers: response(i),
                at: now - Duration::minutes(60 * 24 * 6 * (64 - i) / 64),
                charge: None,
            })
            .await?;
    }
    Ok(())
}

/// What the demo's giveaways share: on the news site, an age declaration,
/// a week to claim.
fn on_site(site: &Site, opens: DateTime<Utc>, closes: DateTime<Utc>) -> GiveawayFields {
    GiveawayFields {
        slug: String::new(),
        title: String::new(),
        text: String::new(),
        sponsor_name: String::new(),
        sponsor_url: String::new(),
        sponsor_logo: String::new(),
        prizes: String::new(),
        winners: 1,
        opens_at: opens,
        closes_at: closes,
        audience: Audience {
            sites: vec![site.key.clone()],
            ..Default::default()
        },
        declaration: "I am 18 or older.".into(),
        rules: String::new(),
        claim_days: 7,
    }
}

async fn entrants(store: &dyn Store, n: usize, now: DateTime<Utc>) -> anyhow::Result<Vec<Member>> {
    let mut out = Vec::new();
    for i in 0..n {
        let email = format!("demo-entrant-{i}@example.invalid");
        let m = match store.member_by_email(&email).await? {
            Some(m) => m,
            None => {
                store
                    .create_member(
                        &NewMember {
                            email: email.clone(),
                            email_norm: email,
                            display_name: format!("Demo reader {}", i + 1),
                            password_hash: None,
                            role: Role::Member,
                            verified: true,
                        },
                        now - Duration::days(60),
                    )
                    .await?
            }
        };
        out.push(m);
    }
    Ok(out)
}

/// The fictional sponsor's mark, drawn here: a lamp and three sound waves
/// in amber on navy (PNG).
fn harbourlight_logo() -> Vec<u8> {
    let (w, h) = (480u32, 120u32);
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f32 - 70.0, y as f32 - 60.0);
        let r = (dx * dx + dy * dy).sqrt();
        let wave = dx > 0.0
            && dy.abs() < dx * 1.2
            && [42.0, 66.0, 90.0].iter().any(|c| (r - c).abs() < 6.0);
        let bar = (150..=450).contains(&x) && (52..=68).contains(&y) && (x / 30) % 2 == 1;
        if r < 22.0 || wave || bar {
            image::Rgb([0xf2, 0xb1, 0x34])
        } else {
            image::Rgb([0x13, 0x2a, 0x4a])
        }
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("a PNG encodes into memory");
    out
}

async fn giveaways(
    store: &dyn Store,
    media: &MediaDir,
    news: &Site,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    if store
        .giveaway_by_slug("harbourlight-premium")
        .await?
        .is_some()
    {
        return Ok(());
    }
    let logo = harbourlight_logo();
    let media = media.clone();
    let sponsor_logo = tokio::task::spawn_blocking(move || media.store_logo(&logo)).await??;
    let seed = draw::new_seed(rand::random());
    let open = store
        .create_giveaway(
            &GiveawayFields {
                slug: "harbourlight-premium".into(),
                title: "Harbourlight x The Lanternfield Post Premium Accounts Giveaway".into(),
                text: "Join the giveaway for a chance to win 1 year free subscription to Lanternfield Post Premium, with Harbourlight's travel headphones for three winners.".into(),
                sponsor_name: "Harbourlight Audio".into(),
                sponsor_url: "https://harbourlight.example/".into(),
                sponsor_logo,
                prizes: "A year of Lanternfield Post Premium and a pair of Harbourlight travel headphones".into(),
                winners: 3,
                ..on_site(news, now - Duration::days(3), now + Duration::days(11))
            },
            &seed,
            &draw::commitment(&seed),
            now - Duration::days(4),
        )
        .await?;
    store
        .set_giveaway_published(open.id, true, now - Duration::days(4))
        .await?;
    let people = entrants(store, 40, now).await?;
    for (i, m) in people.iter().take(17).enumerate() {
        store
            .enter_giveaway(&NewEntry {
                giveaway_id: open.id,
                member_id: m.id,
                site_id: news.id,
                ticket: ticket_id(rand::random()),
                address_hash: format!("demo-address-{i}"),
                show_name: false,
                at: now - Duration::hours(60 - i as i64),
            })
            .await?;
    }
    // A finished one, drawn without a beacon (the demo runs offline).
    let seed = draw::new_seed(rand::random());
    let closes = now - Duration::days(9);
    let done = store
        .create_giveaway(
            &GiveawayFields {
                slug: "autumn-rail-pass".into(),
                title: "Kestrel Rail x The Lanternfield Post Autumn Rail Pass Giveaway".into(),
                text: "Join the giveaway for a chance to win a seven-day rail pass for two.".into(),
                sponsor_name: "Kestrel Rail".into(),
                prizes: "A seven-day rail pass for two".into(),
                winners: 2,
                ..on_site(news, now - Duration::days(30), closes)
            },
            &seed,
            &draw::commitment(&seed),
            now - Duration::days(31),
        )
        .await?;
    store
        .set_giveaway_published(done.id, true, now - Duration::days(31))
        .await?;
    for (i, m) in people.iter().enumerate() {
        store
            .enter_giveaway(&NewEntry {
                giveaway_id: done.id,
                member_id: m.id,
                site_id: news.id,
                ticket: ticket_id(rand::random()),
                address_hash: format!("demo-address-{i}"),
                show_name: i % 2 == 0,
                at: closes - Duration::hours(2 + i as i64 * 9),
            })
            .await?;
    }
    let tickets = store.valid_tickets(done.id).await?;
    let ticket_list = draw::ticket_list(&tickets);
    let list_hash = draw::sha256_hex(ticket_list.as_bytes());
    let ids = draw::parse_ticket_list(&ticket_list)?;
    let order: Vec<String> = draw::ranked(
        &draw::seed_material(&seed, &list_hash, None),
        &ids,
        2 + draw::alternates_for(2),
    )
    .into_iter()
    .map(str::to_string)
    .collect();
    let drawn_at = closes + Duration::minutes(1);
    store
        .record_draw(
            done.id,
            &DrawRecord {
                tickets: ids.len() as u64,
                list_hash,
                chain: None,
                round: None,
                order: order.clone(),
                drawn_at,
            },
            &ticket_list,
        )
        .await?;
    // The first winner claimed; the second let the deadline pass, and the
    // first alternate took the prize.
    let entry = |t: &str| {
        let t = t.to_string();
        async move { store.entry_by_ticket(&t).await }
    };
    let deadline = drawn_at + Duration::days(7);
    if let Some(e) = entry(&order[0]).await? {
        store.offer_prize(e.id, drawn_at, deadline).await?;
        store
            .claim_prize(e.id, drawn_at + Duration::days(1))
            .await?;
    }
    if let Some(e) = entry(&order[1]).await? {
        store.offer_prize(e.id, drawn_at, deadline).await?;
        store.lapse_prize(e.id, deadline).await?;
    }
    if let Some(e) = entry(&order[2]).await? {
        store
            .offer_prize(e.id, deadline, deadline + Duration::days(7))
            .await?;
        store
            .claim_prize(e.id, deadline + Duration::hours(5))
            .await?;
    }
    Ok(())
}

/// Installs them once (a second start finds them there).
pub async fn install(
    store: &dyn Store,
    media: &MediaDir,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let sites = store.list_sites().await?;
    let Some(news) = sites.iter().find(|s| s.key == "news") else {
        return Ok(());
    };
    survey(store, news, now).await?;
    giveaways(store, media, news, now).await?;
    Ok(())
}
