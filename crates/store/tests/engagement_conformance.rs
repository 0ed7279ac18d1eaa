//! Conformance suite for surveys (responses once per reader, limits,
//! bursts flagged, filters, history) and giveaways (entries once per
//! member, flags, disqualification, the draw recorded once, prizes), on
//! the backend chosen by `KAWARABAN_TEST_DB`.

mod common;

use common::*;
use kawaraban_core::giveaway::draw;
use kawaraban_core::survey::answers::{Answer, Answers};
use kawaraban_core::survey::audience::Audience;
use kawaraban_core::survey::{Definition, Status};

const DEF: &str = "title: Reader survey\nquestions:\n  - {id: 1, kind: rating, prompt: How are we doing?, required: true}\n  - {id: 2, kind: long_text, prompt: Tell us more}\n";

fn new_survey(slug: &str, limit: Option<u32>) -> NewSurvey {
    NewSurvey {
        slug: slug.into(),
        definition: Definition::from_yaml(DEF).unwrap(),
        audience: Audience {
            share: 20,
            ..Default::default()
        },
        opens_at: Some(at(8, 0)),
        closes_at: None,
        response_limit: limit,
        public_results: vec![1],
    }
}

fn rating(n: u8) -> Answers {
    [(1, Answer::Number(n))].into_iter().collect()
}

fn response(survey: i64, site: i64, who: Respondent, address: &str, minute: u32) -> NewResponse {
    NewResponse {
        survey_id: survey,
        site_id: site,
        respondent: who,
        address_hash: hash(address),
        agent_hash: hash("firefox"),
        answers: rating(4),
        at: at(9, minute),
        charge: None,
    }
}

#[tokio::test]
async fn a_response_charged_to_a_rate_counter_is_refused_past_its_limit() {
    let db = db().await;
    let site = site(db.store.as_ref(), "news").await;
    for (slug, limit) in [("open-ended", None), ("capped", Some(10))] {
        let s = db
            .store
            .create_survey(&new_survey(slug, limit), at(8, 0))
            .await
            .unwrap();
        let key = format!("survey-ip:{slug}");
        let charged = |who: &str, minute: u32| NewResponse {
            charge: Some(kawaraban_core::store::RateCharge {
                key: key.clone(),
                window_start: 1_000,
                max: 2,
            }),
            ..response(
                s.id,
                site,
                Respondent::Browser(who.into()),
                "5.5.5.5",
                minute,
            )
        };
        for (i, who) in ["b-1", "b-2"].into_iter().enumerate() {
            let out = db
                .store
                .add_response(&charged(who, i as u32))
                .await
                .unwrap();
            assert!(
                matches!(out, ResponseOutcome::Stored { .. }),
                "{slug}: {out:?}"
            );
        }
        assert_eq!(
            db.store.add_response(&charged("b-3", 3)).await.unwrap(),
            ResponseOutcome::Limited,
            "{slug}"
        );
        assert_eq!(
            db.store.add_response(&charged("b-1", 4)).await.unwrap(),
            ResponseOutcome::Limited,
            "{slug}: refused before it is even seen to be a second answer"
        );
        assert_eq!(db.store.hits(&key, 1_000).await.unwrap(), 4, "{slug}");
        let s = db.store.survey(s.id).await.unwrap().unwrap();
        assert_eq!(s.responses, 2, "{slug}: nothing stored past the limit");
    }
}

#[tokio::test]
async fn a_survey_is_stored_changed_and_listed() {
    let db = db().await;
    let s = db
        .store
        .create_survey(&new_survey("readers-2026", None), at(8, 0))
        .await
        .unwrap();
    assert_eq!(s.status, Status::Draft);
    assert_eq!(s.audience.share, 20);
    assert_eq!(s.definition.questions.len(), 2);
    assert_eq!(s.public_results, [1]);
    assert!(matches!(
        db.store
            .create_survey(&new_survey("readers-2026", None), at(8, 0))
            .await,
        Err(StoreError::Conflict(_))
    ));
    let mut changed = new_survey("readers-2026", Some(10));
    changed.definition.title = "Our reader survey".into();
    let s2 = db
        .store
        .update_survey(s.id, &changed, at(8, 5))
        .await
        .unwrap();
    assert_eq!(s2.definition.title, "Our reader survey");
    assert_eq!(s2.response_limit, Some(10));
    db.store
        .set_survey_status(s.id, Status::Open, at(8, 6))
        .await
        .unwrap();
    let by_slug = db
        .store
        .survey_by_slug("readers-2026", true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_slug.status, Status::Open);
    assert!(by_slug.accepting(at(9, 0)));
    assert!(!by_slug.accepting(at(7, 0)), "not before it opens");
    let uncounted = db
        .store
        .survey_by_slug("readers-2026", false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (uncounted.id, uncounted.responses, uncounted.response_limit),
        (s.id, 0, Some(10))
    );
    db.store
        .create_survey(&new_survey("second", None), at(8, 0))
        .await
        .unwrap();
    let all = db.store.surveys().await.unwrap();
    assert_eq!(
        all.iter().map(|s| s.slug.as_str()).collect::<Vec<_>>(),
        ["second", "readers-2026"]
    );
    assert!(matches!(
        db.store
            .set_survey_status(999, Status::Open, at(9, 0))
            .await,
        Err(StoreError::NotFound)
    ));
}

#[tokio::test]
async fn one_response_per_member_or_browser_within_the_limit() {
    let db = db().await;
    let site = site(db.store.as_ref(), "news").await;
    let ann = member(db.store.as_ref(), "ann@example.org", "Ann").await;
    let s = db
        .store
        .create_survey(&new_survey("limited", Some(3)), at(8, 0))
        .await
        .unwrap();
    let first = db
        .store
        .add_response(&response(
            s.id,
            site,
            Respondent::Member(ann.id),
            "1.1.1.1",
            0,
        ))
        .await
        .unwrap();
    assert!(matches!(
        first,
        ResponseOutcome::Stored { flagged: None, .. }
    ));
    assert_eq!(
        db.store
            .add_response(&response(
                s.id,
                site,
                Respondent::Member(ann.id),
                "1.1.1.2",
                1
            ))
            .await
            .unwrap(),
        ResponseOutcome::Duplicate
    );
    let browser = Respondent::Browser("b-123".into());
    assert!(!db.store.has_responded(s.id, &browser).await.unwrap());
    db.store
        .add_response(&response(s.id, site, browser.clone(), "2.2.2.2", 2))
        .await
        .unwrap();
    assert!(db.store.has_responded(s.id, &browser).await.unwrap());
    assert!(db
        .store
        .has_responded(s.id, &Respondent::Member(ann.id))
        .await
        .unwrap());
    assert_eq!(
        db.store
            .add_response(&response(s.id, site, browser, "2.2.2.3", 3))
            .await
            .unwrap(),
        ResponseOutcome::Duplicate
    );
    db.store
        .add_response(&response(
            s.id,
            site,
            Respondent::Browser("b-2".into()),
            "3.3.3.3",
            4,
        ))
        .await
        .unwrap();
    assert_eq!(
        db.store
            .add_response(&response(
                s.id,
                site,
                Respondent::Browser("b-3".into()),
                "4.4.4.4",
                5
            ))
            .await
            .unwrap(),
        ResponseOutcome::Full
    );
    let s = db.store.survey(s.id).await.unwrap().unwrap();
    assert_eq!(s.responses, 3);
    assert!(!s.accepting(at(9, 10)), "full");
    let stored = db
        .store
        .responses(s.id, &ResponseFilter::default())
        .await
        .unwrap();
    assert_eq!(stored.len(), 3);
    assert_eq!(stored[0].answers, rating(4));
    assert_eq!(stored[0].member_id, Some(ann.id));
}

#[tokio::test]
async fn a_burst_from_one_address_and_browser_is_flagged_not_dropped() {
    let db = db().await;
    let site = site(db.store.as_ref(), "news").await;
    let s = db
        .store
        .create_survey(&new_survey("burst", None), at(8, 0))
        .await
        .unwrap();
    let mut flagged = Vec::new();
    for i in 0..5 {
        let out = db
            .store
            .add_response(&response(
                s.id,
                site,
                Respondent::Browser(format!("b{i}")),
                "9.9.9.9",
                i,
            ))
            .await
            .unwrap();
        let ResponseOutcome::Stored { flagged: f, .. } = out else {
            panic!("{out:?}")
        };
        flagged.push(f.is_some());
    }
    assert_eq!(flagged, [false, false, false, true, true]);
    // Long after the burst, the same address is fine again.
    let mut late = response(s.id, site, Respondent::Browser("late".into()), "9.9.9.9", 0);
    late.at = at(11, 0);
    assert!(matches!(
        db.store.add_response(&late).await.unwrap(),
        ResponseOutcome::Stored { flagged: None, .. }
    ));

    let only_flagged = ResponseFilter {
        flagged: Some(true),
        ..Default::default()
    };
    let f = db.store.responses(s.id, &only_flagged).await.unwrap();
    assert_eq!(f.len(), 2);
    assert!(
        f[0].flagged.contains("within 10 minutes"),
        "{}",
        f[0].flagged
    );
    assert!(db
        .store
        .set_response_excluded(s.id, f[0].id, true)
        .await
        .unwrap());
    assert!(
        !db.store
            .set_response_excluded(s.id + 1, f[0].id, true)
            .await
            .unwrap(),
        "another survey's id"
    );
    let kept = ResponseFilter {
        without_excluded: true,
        ..Default::default()
    };
    assert_eq!(db.store.responses(s.id, &kept).await.unwrap().len(), 5);
    let window = ResponseFilter {
        from: Some(at(9, 2)),
        to: Some(at(9, 4)),
        ..Default::default()
    };
    assert_eq!(db.store.responses(s.id, &window).await.unwrap().len(), 2);
    let members = ResponseFilter {
        members: Some(true),
        ..Default::default()
    };
    assert!(db.store.responses(s.id, &members).await.unwrap().is_empty());
    let other_site = ResponseFilter {
        site_id: Some(site + 100),
        ..Default::default()
    };
    assert!(db
        .store
        .responses(s.id, &other_site)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_members_history_spans_answers_and_dismissals() {
    let db = db().await;
    let site = site(db.store.as_ref(), "news").await;
    let ann = member(db.store.as_ref(), "ann@example.org", "Ann").await;
    assert_eq!(
        db.store.survey_history(ann.id).await.unwrap(),
        SurveyHistory::default()
    );
    let a = db
        .store
        .create_survey(&new_survey("a", None), at(8, 0))
        .await
        .unwrap();
    let b = db
        .store
        .create_survey(&new_survey("b", None), at(8, 0))
        .await
        .unwrap();
    db.store
        .add_response(&response(
            a.id,
            site,
            Respondent::Member(ann.id),
            "1.1.1.1",
            5,
        ))
        .await
        .unwrap();
    db.store
        .dismiss_survey(b.id, ann.id, at(10, 0))
        .await
        .unwrap();
    db.store
        .dismiss_survey(b.id, ann.id, at(10, 30))
        .await
        .unwrap();
    let h = db.store.survey_history(ann.id).await.unwrap();
    assert_eq!(h.done, [a.id, b.id]);
    assert_eq!(h.last, Some(at(10, 0)));
}

fn new_giveaway(slug: &str) -> GiveawayFields {
    GiveawayFields {
        slug: slug.into(),
        title: "Harbourlight x News Premium Accounts Giveaway".into(),
        text: "Join the giveaway for a chance to win 1 year free subscription.".into(),
        sponsor_name: "Harbourlight".into(),
        sponsor_url: "https://harbourlight.example/".into(),
        sponsor_logo: String::new(),
        prizes: "A year's premium subscription".into(),
        winners: 2,
        opens_at: at(8, 0),
        closes_at: at(20, 0),
        audience: Audience::default(),
        declaration: "I am 18 or older.".into(),
        rules: "Official rules.".into(),
        claim_days: 7,
    }
}

#[tokio::test]
async fn entries_once_per_member_flagged_by_address_and_drawn_once() {
    let db = db().await;
    let site = site(db.store.as_ref(), "news").await;
    let seed = "ab".repeat(32);
    let g = db
        .store
        .create_giveaway(
            &new_giveaway("premium"),
            &seed,
            &draw::commitment(&seed),
            at(7, 0),
        )
        .await
        .unwrap();
    assert!(!g.published);
    assert_eq!(g.seed, seed);
    assert_eq!(g.fields.winners, 2);
    db.store
        .set_giveaway_published(g.id, true, at(7, 1))
        .await
        .unwrap();
    let mut members = Vec::new();
    for i in 0..5 {
        members.push(
            member(
                db.store.as_ref(),
                &format!("m{i}@example.org"),
                &format!("Member {i}"),
            )
            .await,
        );
    }
    let mut tickets = Vec::new();
    for (i, m) in members.iter().enumerate() {
        let e = NewEntry {
            giveaway_id: g.id,
            member_id: m.id,
            site_id: site,
            ticket: format!("KW-TEST-{i:04}"),
            address_hash: hash("one address"),
            show_name: i == 0,
            at: at(9, i as u32),
        };
        let EntryOutcome::Entered(entry) = db.store.enter_giveaway(&e).await.unwrap() else {
            panic!()
        };
        assert_eq!(
            entry.flagged.is_empty(),
            i < 3,
            "entry {i}: {:?}",
            entry.flagged
        );
        tickets.push(entry);
    }
    // Again: the same ticket back, nothing new.
    let again = NewEntry {
        giveaway_id: g.id,
        member_id: members[0].id,
        site_id: site,
        ticket: "KW-OTHER".into(),
        address_hash: hash("elsewhere"),
        show_name: false,
        at: at(10, 0),
    };
    match db.store.enter_giveaway(&again).await.unwrap() {
        EntryOutcome::Already(e) => {
            assert_eq!(e.ticket, "KW-TEST-0000");
            assert!(e.show_name, "the first entry's choice stands");
        }
        other => panic!("{other:?}"),
    }
    assert!(db
        .store
        .entry_by_ticket("KW-OTHER")
        .await
        .unwrap()
        .is_none());
    assert_eq!(db.store.giveaway(g.id).await.unwrap().unwrap().entries, 5);
    assert!(db
        .store
        .disqualify_entry(g.id, tickets[4].id, "Second account of member 3")
        .await
        .unwrap());
    let mut valid = db.store.valid_tickets(g.id).await.unwrap();
    valid.sort();
    assert_eq!(
        valid,
        [
            "KW-TEST-0000",
            "KW-TEST-0001",
            "KW-TEST-0002",
            "KW-TEST-0003"
        ]
    );
    assert_eq!(db.store.giveaway(g.id).await.unwrap().unwrap().entries, 4);
    assert_eq!(
        db.store.tickets_of(members[1].id).await.unwrap(),
        [(g.id, "KW-TEST-0001".to_string())]
    );

    let list = draw::ticket_list(&db.store.valid_tickets(g.id).await.unwrap());
    let record = DrawRecord {
        list_hash: draw::sha256_hex(list.as_bytes()),
        tickets: 4,
        chain: None,
        round: None,
        order: vec!["KW-TEST-0002".into(), "KW-TEST-0000".into()],
        drawn_at: at(20, 1),
    };
    assert!(db.store.record_draw(g.id, &record, &list).await.unwrap());
    let mut other = record.clone();
    other.order.reverse();
    assert!(
        !db.store.record_draw(g.id, &other, "").await.unwrap(),
        "drawn once"
    );
    let drawn = db.store.giveaway_by_slug("premium").await.unwrap().unwrap();
    assert_eq!(drawn.draw.as_ref(), Some(&record));
    assert!(matches!(
        db.store
            .update_giveaway(g.id, &new_giveaway("premium"), at(21, 0))
            .await,
        Err(StoreError::Conflict(_))
    ));

    // Prizes: offered, claimed within the deadline, or lapsed.
    let (first, second) = (&tickets[2], &tickets[0]);
    db.store
        .offer_prize(first.id, at(20, 2), at(22, 0))
        .await
        .unwrap();
    db.store
        .offer_prize(second.id, at(20, 2), at(21, 0))
        .await
        .unwrap();
    assert!(db.store.claim_prize(first.id, at(21, 30)).await.unwrap());
    assert!(
        !db.store.claim_prize(first.id, at(21, 31)).await.unwrap(),
        "claimed once"
    );
    assert!(
        !db.store.claim_prize(second.id, at(21, 30)).await.unwrap(),
        "past its deadline"
    );
    db.store.lapse_prize(second.id, at(21, 30)).await.unwrap();
    let e = db
        .store
        .entry_by_ticket("KW-TEST-0000")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(e.lapsed_at, Some(at(21, 30)));
    assert_eq!(e.claim_deadline, Some(at(21, 0)));
    assert!(
        !db.store
            .claim_prize(tickets[1].id, at(20, 30))
            .await
            .unwrap(),
        "never offered"
    );
    assert_eq!(db.store.entries(g.id, 100).await.unwrap().len(), 5);
    assert_eq!(db.store.entries(g.id, 2).await.unwrap().len(), 2);
    assert_eq!(
        db.store.ticket_list(g.id).await.unwrap().as_deref(),
        Some(list.as_str()),
        "the first list stands"
    );
    let places = db
        .store
        .entries_for(g.id, &["KW-TEST-0002".into(), "KW-NONE".into()])
        .await
        .unwrap();
    assert_eq!(
        places.iter().map(|e| e.ticket.as_str()).collect::<Vec<_>>(),
        ["KW-TEST-0002"]
    );
    let counted = db.store.giveaways(true).await.unwrap();
    assert_eq!(counted.len(), 1);
    assert!(counted[0].entries > 0);
    let uncounted = db.store.giveaways(false).await.unwrap();
    assert_eq!(
        (uncounted.len(), uncounted[0].entries, uncounted[0].id),
        (1, 0, g.id),
        "the loop's list leaves the count out"
    );
}
