//! Reader surveys and sponsored giveaways through a real server: the
//! banner and the block on shared pages, answering and entering, the
//! rules (once per reader, flags, windows, eligibility), the desk's
//! results and exports, and the verifiable draw with a real drand round.

use chrono::Duration;
use kawaraban_core::model::*;
use kawaraban_core::survey::audience::Audience;
use kawaraban_core::survey::{Definition, Status};

use crate::support::*;

pub const NEWS: &str = "news.localhost:8080";

pub const DEFINITION: &str = r#"
title: How are we doing?
intro: Two minutes, five questions.
questions:
  - {id: 1, kind: single, prompt: How often do you read us?, required: true, options: [Daily, Weekly, Rarely], other: true}
  - {id: 2, kind: rating, prompt: How do you rate our coverage?, required: true}
  - {id: 3, kind: nps, prompt: How likely are you to recommend us to a friend?}
  - {id: 4, kind: matrix, prompt: How far do you agree?, statements: [Stories are accurate, Headlines are fair], options: [Disagree, Neutral, Agree]}
  - {id: 5, kind: long_text, prompt: What should we do better?}
"#;

/// An open survey of `DEFINITION` at /surveys/SLUG.
pub async fn open_survey(
    app: &TestApp,
    slug: &str,
    audience: Audience,
    one_per_page: bool,
) -> Survey {
    let mut definition = Definition::from_yaml(DEFINITION).unwrap();
    definition.one_per_page = one_per_page;
    let s = app
        .store
        .create_survey(
            &NewSurvey {
                slug: slug.into(),
                definition,
                audience,
                opens_at: None,
                closes_at: None,
                response_limit: None,
                public_results: vec![1, 2],
            },
            now(),
        )
        .await
        .unwrap();
    app.store
        .set_survey_status(s.id, Status::Open, now())
        .await
        .unwrap();
    announce(app).await;
    app.store.survey(s.id).await.unwrap().unwrap()
}

/// What staff changes do: every server's pages follow.
pub async fn announce(app: &TestApp) {
    kawaraban_web::engagement::changed(&app.state)
        .await
        .unwrap();
}

/// A full, valid set of answers.
pub fn answers() -> Vec<(&'static str, &'static str)> {
    vec![
        ("q1", "0"),
        ("q2", "4"),
        ("q3", "9"),
        ("q4_0", "2"),
        ("q4_1", "1"),
        ("q5", "More science coverage, please."),
    ]
}

/// The path of the fixture's article page.
pub async fn article_path(app: &TestApp) -> String {
    let (_, home) = app.page("/").await;
    home.match_indices("href=\"/national/")
        .map(|(at, _)| {
            let rest = &home[at + 6..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .find(|p| p.len() > "/national/".len())
        .expect("an article on the home page")
}

pub fn giveaway_fields(slug: &str, opens: DateTime<Utc>, closes: DateTime<Utc>) -> GiveawayFields {
    GiveawayFields {
        slug: slug.into(),
        title: "Harbourlight x Test Post Premium Accounts Giveaway".into(),
        text: "Join the giveaway for a chance to win 1 year free subscription to Test Post Premium"
            .into(),
        sponsor_name: "Harbourlight Audio".into(),
        sponsor_url: "https://harbourlight.example/".into(),
        sponsor_logo: String::new(),
        prizes: "One year of Test Post Premium".into(),
        winners: 2,
        opens_at: opens,
        closes_at: closes,
        audience: Audience {
            sites: vec!["news".into()],
            ..Default::default()
        },
        declaration: String::new(),
        rules: String::new(),
        claim_days: 7,
    }
}

/// A published giveaway with a fresh seed.
pub async fn giveaway(app: &TestApp, fields: GiveawayFields) -> Giveaway {
    use kawaraban_core::giveaway::draw;
    let seed = draw::new_seed(rand::random());
    let g = app
        .store
        .create_giveaway(&fields, &seed, &draw::commitment(&seed), now())
        .await
        .unwrap();
    app.store
        .set_giveaway_published(g.id, true, now())
        .await
        .unwrap();
    announce(app).await;
    app.store.giveaway(g.id).await.unwrap().unwrap()
}

/// A member with this address and name, confirmed or not.
pub async fn reader(app: &TestApp, email: &str, name: &str, verified: bool) -> Member {
    app.store
        .create_member(
            &NewMember {
                email_norm: email.to_lowercase(),
                email: email.into(),
                display_name: name.into(),
                password_hash: None,
                role: kawaraban_core::model::Role::Member,
                verified,
            },
            now(),
        )
        .await
        .unwrap()
}

pub fn hours(h: i64) -> Duration {
    Duration::hours(h)
}

mod draws;
mod giveaways;
mod surveys;
