//! Surveys: the banner on one cached page, answering once, bad input,
//! one question a step, members' banner and rest, the desk's results.

use kawaraban_core::model::{ResponseFilter, Role};
use kawaraban_core::survey::audience::Audience;

use super::*;
use crate::browser::Browser;
use crate::comments::person;

fn with_csrf<'a>(csrf: &'a str, fields: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut all = vec![("csrf", csrf)];
    all.extend_from_slice(fields);
    all
}

#[tokio::test]
async fn the_banner_rides_on_one_cached_page_for_everyone_and_only_where_targeted() {
    let app = TestApp::builder().start().await;
    let path = article_path(&app).await;
    let audience = Audience {
        sites: vec!["news".into()],
        sections: vec!["national".into()],
        share: 20,
        ..Default::default()
    };
    let s = open_survey(&app, "readers", audience, false).await;
    let first = app.get(NEWS, &path).await;
    let body = first.text().await.unwrap();
    assert!(
        body.contains(&format!(
            "data-survey=\"{}\" data-share=\"20\" data-rest=\"14\" hidden",
            s.id
        )),
        "{body}"
    );
    assert!(body.contains("Take our user survey and make your voice heard."));
    assert!(body.contains("href=\"/surveys/readers\""));
    assert!(
        body.contains("/assets/survey."),
        "the script that decides in the browser"
    );
    // The same bytes again, from the cache: nothing per reader. (The
    // announcement may reach this server's follower once more and purge
    // the page in between: then it is stored again.)
    let mut hit = None;
    for _ in 0..20 {
        let again = app.get(NEWS, &path).await;
        if again.headers()["x-cache"] == "HIT" {
            hit = Some(again.text().await.unwrap());
            break;
        }
    }
    assert_eq!(
        hit.as_deref(),
        Some(body.as_str()),
        "served from the cache as it was"
    );
    // Not on another section's list, nor on the other site.
    let (_, world) = app.page("/world/").await;
    assert!(!world.contains("survey-banner"));
    let travel = app
        .get("travel.localhost:8080", "/")
        .await
        .text()
        .await
        .unwrap();
    assert!(!travel.contains("survey-banner"));
    // Closing it takes the banner off at once.
    app.store
        .set_survey_status(s.id, kawaraban_core::survey::Status::Closed, now())
        .await
        .unwrap();
    announce(&app).await;
    let closed = app.get(NEWS, &path).await.text().await.unwrap();
    assert!(!closed.contains("survey-banner"));
    app.stop().await;
}

#[tokio::test]
async fn one_address_past_its_rate_limit_is_refused_and_nothing_more_is_stored() {
    let app = TestApp::builder().start().await;
    let s = open_survey(&app, "readers", Audience::default(), false).await;
    let mut last = 0;
    for _ in 0..61 {
        // A fresh browser each time: only the address is shared.
        let mut b = Browser::new(&app, NEWS);
        let csrf = b.get("/surveys/readers").await.csrf();
        last = b
            .post("/surveys/readers", &with_csrf(&csrf, &answers()))
            .await
            .status;
    }
    assert_eq!(last, 429, "the 61st answer from one address in ten minutes");
    assert_eq!(app.store.survey(s.id).await.unwrap().unwrap().responses, 60);
    app.stop().await;
}

#[tokio::test]
async fn an_anonymous_reader_answers_once_per_browser_and_is_thanked() {
    let app = TestApp::builder().start().await;
    let s = open_survey(&app, "readers", Audience::default(), false).await;
    let mut b = Browser::new(&app, NEWS);
    let form = b.get("/surveys/readers").await;
    assert_eq!(form.status, 200);
    for needle in [
        "<fieldset",
        "<legend>How often do you read us? <span class=\"required\">(required)</span></legend>",
        "name=\"q4_1\"",
        "Other, please say",
    ] {
        assert!(form.body.contains(needle), "{needle}");
    }
    let csrf = form.csrf();
    let done = b
        .post("/surveys/readers", &with_csrf(&csrf, &answers()))
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Thank you for taking part"));
    assert!(
        b.cookie("news.localhost", "kw_sb").is_some(),
        "the browser's signed id"
    );
    let seen = b.cookie("news.localhost", "kw_sf").unwrap();
    assert!(seen.ends_with(&format!(".{}", s.id)), "{seen}");
    // Again from the same browser: refused, nothing stored twice.
    let page = b.get("/surveys/readers").await;
    assert!(page.body.contains("You have answered this survey"));
    let again = b
        .post("/surveys/readers", &with_csrf(&csrf, &answers()))
        .await;
    assert!(
        again.body.contains("Your first answers stand"),
        "{}",
        again.body
    );
    let stored = app
        .store
        .responses(s.id, &ResponseFilter::default())
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(stored[0].member_id.is_none());
    assert_eq!(
        stored[0].answers[&3],
        kawaraban_core::survey::answers::Answer::Number(9)
    );
    // Another browser answers for itself.
    let mut other = Browser::new(&app, NEWS);
    let f = other.get("/surveys/readers").await;
    let done = other
        .post("/surveys/readers", &with_csrf(&f.csrf(), &answers()))
        .await;
    assert!(done.body.contains("Thank you"));
    assert_eq!(app.store.survey(s.id).await.unwrap().unwrap().responses, 2);
    app.stop().await;
}

#[tokio::test]
async fn bad_answers_are_refused_clearly_and_a_half_finished_survey_keeps_its_answers() {
    let app = TestApp::builder().start().await;
    let s = open_survey(&app, "readers", Audience::default(), false).await;
    let mut b = Browser::new(&app, NEWS);
    let csrf = b.get("/surveys/readers").await.csrf();
    // A forged token.
    let forged = b
        .post(
            "/surveys/readers",
            &[("csrf", "forged"), ("q1", "0"), ("q2", "3")],
        )
        .await;
    assert_eq!(forged.status, 403);
    // Answers to a question or an option the survey does not have.
    let unknown = b
        .post(
            "/surveys/readers",
            &with_csrf(&csrf, &[("q1", "0"), ("q2", "3"), ("q9", "1")]),
        )
        .await;
    assert_eq!(unknown.status, 400);
    assert!(
        unknown.body.contains("does not have (q9)"),
        "{}",
        unknown.body
    );
    let option = b
        .post(
            "/surveys/readers",
            &with_csrf(&csrf, &[("q1", "7"), ("q2", "3")]),
        )
        .await;
    assert_eq!(option.status, 400);
    assert!(
        option
            .body
            .contains("&quot;7&quot; is not one of its options"),
        "{}",
        option.body
    );
    // A missing required answer: the page again, with what was given kept.
    let missing = b
        .post(
            "/surveys/readers",
            &with_csrf(&csrf, &[("q2", "5"), ("q5", "Keep the maps")]),
        )
        .await;
    assert_eq!(missing.status, 422);
    assert!(missing.body.contains("role=\"alert\""));
    assert!(missing.body.contains("This question needs an answer."));
    assert!(
        missing
            .body
            .contains("id=\"q2-5\" name=\"q2\" value=\"5\" checked"),
        "the rating kept"
    );
    assert!(
        missing.body.contains(">Keep the maps</textarea>"),
        "the text kept"
    );
    // Over-long text.
    let long = "x".repeat(2001);
    let too_long = b
        .post(
            "/surveys/readers",
            &with_csrf(&csrf, &[("q1", "0"), ("q2", "3"), ("q5", &long)]),
        )
        .await;
    assert_eq!(too_long.status, 422);
    assert!(too_long
        .body
        .contains("Please keep this to 2000 characters"));
    // A robot filling the honeypot is thanked, and nothing is kept.
    let robot = b
        .post(
            "/surveys/readers",
            &with_csrf(
                &csrf,
                &[("q1", "0"), ("q2", "3"), ("website", "http://spam.example")],
            ),
        )
        .await;
    assert!(robot.body.contains("Thank you"));
    assert_eq!(
        app.store
            .responses(s.id, &ResponseFilter::default())
            .await
            .unwrap()
            .len(),
        0
    );
    // A closed survey takes nothing.
    app.store
        .set_survey_status(s.id, kawaraban_core::survey::Status::Closed, now())
        .await
        .unwrap();
    let closed = b
        .post("/surveys/readers", &with_csrf(&csrf, &answers()))
        .await;
    assert!(closed.body.contains("This survey is closed"));
    assert_eq!(
        app.store
            .responses(s.id, &ResponseFilter::default())
            .await
            .unwrap()
            .len(),
        0
    );
    // An unknown survey is a themed 404.
    assert_eq!(b.get("/surveys/nope").await.status, 404);
    app.stop().await;
}

#[tokio::test]
async fn one_question_a_step_shows_progress_and_carries_the_answers() {
    let app = TestApp::builder().start().await;
    let s = open_survey(&app, "steps", Audience::default(), true).await;
    let mut b = Browser::new(&app, NEWS);
    let first = b.get("/surveys/steps").await;
    assert!(first.body.contains("Question 1 of 5"));
    assert!(!first.body.contains("name=\"q2\""), "one question a page");
    let csrf = first.csrf();
    // Skipping the required first answer stays on step 1.
    let stay = b
        .post("/surveys/steps", &with_csrf(&csrf, &[("step", "1")]))
        .await;
    assert_eq!(stay.status, 422);
    assert!(stay.body.contains("Question 1 of 5"));
    let mut carried: Vec<(String, String)> = vec![
        ("csrf".into(), csrf.clone()),
        ("step".into(), "1".into()),
        ("q1".into(), "2".into()),
    ];
    let mut page = b
        .post(
            "/surveys/steps",
            &carried
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect::<Vec<_>>(),
        )
        .await;
    for (step, field, value) in [
        (2, "q2", "3"),
        (3, "q3", "10"),
        (4, "q4_0", "0"),
        (5, "q5", "Fine as it is"),
    ] {
        assert!(
            page.body.contains(&format!("Question {step} of 5")),
            "step {step}: {}",
            page.body
        );
        // The earlier answers ride along as hidden fields.
        assert!(page
            .body
            .contains("type=\"hidden\" name=\"q1\" value=\"2\""));
        carried = vec![
            ("csrf".into(), csrf.clone()),
            ("step".into(), step.to_string()),
        ];
        // What the hidden fields carry, as the browser would send them.
        for hidden in page.body.split("<input type=\"hidden\" name=\"").skip(1) {
            let name = &hidden[..hidden.find('"').unwrap()];
            if name.starts_with('q') {
                let v = &hidden[hidden.find("value=\"").unwrap() + 7..];
                carried.push((name.into(), v[..v.find('"').unwrap()].into()));
            }
        }
        carried.push((field.into(), value.into()));
        page = b
            .post(
                "/surveys/steps",
                &carried
                    .iter()
                    .map(|(a, b)| (a.as_str(), b.as_str()))
                    .collect::<Vec<_>>(),
            )
            .await;
    }
    assert!(
        page.body.contains("Thank you for taking part"),
        "{}",
        page.body
    );
    let stored = app
        .store
        .responses(s.id, &ResponseFilter::default())
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].answers.len(), 5, "{:?}", stored[0].answers);
    app.stop().await;
}

#[tokio::test]
async fn a_member_sees_the_banner_until_they_dismiss_it_then_rests_on_every_site() {
    let app = TestApp::builder().start().await;
    let path = article_path(&app).await;
    let s = open_survey(&app, "readers", Audience::default(), false).await;
    let (mut ann, member) = person(&app, "Ann Reader", Role::Member).await;
    let page = ann.get(&path).await;
    assert!(
        page.body.contains("class=\"survey-banner\">"),
        "visible for a member in the share: {}",
        page.body
    );
    assert!(page
        .body
        .contains(&format!("action=\"/surveys/{}/dismiss\"", s.slug)));
    let csrf = page.csrf();
    let back = ann
        .post(
            &format!("/surveys/{}/dismiss", s.slug),
            &[("csrf", csrf.as_str()), ("next", path.as_str())],
        )
        .await;
    assert_eq!(back.url, format!("http://{NEWS}{path}"));
    assert!(
        !back.body.contains("class=\"survey-banner\">"),
        "gone once dismissed"
    );
    let h = app.store.survey_history(member.id).await.unwrap();
    assert_eq!(h.done, [s.id]);
    // A second survey, on every site: the member rests from surveys for 14 days.
    let second = open_survey(&app, "second", Audience::default(), false).await;
    let shared = app.get(NEWS, &path).await.text().await.unwrap();
    assert!(
        shared.contains(&format!("data-survey=\"{}\"", second.id)),
        "the shared page has it"
    );
    let page = ann.get(&path).await;
    assert!(
        !page.body.contains("class=\"survey-banner\">"),
        "but this member is resting"
    );
    app.stop().await;
}

#[tokio::test]
async fn staff_see_results_with_charts_flags_and_formula_safe_csv() {
    let app = TestApp::builder().start().await;
    let s = open_survey(&app, "readers", Audience::default(), false).await;
    // Four readers from one address and browser, one after another: the last is flagged.
    for text in ["=HYPERLINK(\"http://evil\")", "Good", "Fine", "More maps"] {
        let mut b = Browser::new(&app, NEWS);
        let csrf = b.get("/surveys/readers").await.csrf();
        let mut fields = answers();
        fields.retain(|f| f.0 != "q5");
        fields.push(("q5", text));
        let done = b.post("/surveys/readers", &with_csrf(&csrf, &fields)).await;
        assert!(done.body.contains("Thank you"), "{}", done.body);
    }
    let (mut member, _) = person(&app, "Mia Member", Role::Member).await;
    assert_eq!(
        member.get(&format!("/desk/surveys/{}", s.id)).await.status,
        403
    );
    let (mut editor, _) = person(&app, "Edna Editor", Role::Editor).await;
    let page = editor.get(&format!("/desk/surveys/{}", s.id)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<svg class=\"chart hchart\""));
    assert!(
        page.body.contains("Net Promoter Score 100"),
        "all answered 9"
    );
    assert!(page.body.contains("mean 4"));
    assert!(page
        .body
        .contains("earlier responses from this address and browser"));
    let searched = editor.get(&format!("/desk/surveys/{}?q=maps", s.id)).await;
    assert!(searched.body.contains("<li>More maps</li>"));
    assert!(!searched.body.contains("<li>Good</li>"));
    // Leave the flagged one out: the counts follow, and the audit log says who.
    let flagged = app
        .store
        .responses(
            s.id,
            &ResponseFilter {
                flagged: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(flagged.len(), 1);
    let id = flagged[0].id.to_string();
    let done = editor
        .post(
            &format!("/desk/surveys/{}", s.id),
            &[
                ("csrf", page.csrf().as_str()),
                ("action", "exclude"),
                ("response", id.as_str()),
            ],
        )
        .await;
    assert_eq!(done.status, 200);
    assert!(done.body.contains("3 responses shown"), "{}", done.body);
    let log = app.store.audit_log(None, 10).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "survey.response.exclude"
                && e.actor_name.starts_with("Edna Editor")),
        "{log:?}"
    );
    // Every response as CSV, a formula defused; and the summary.
    let csv = editor
        .get(&format!("/desk/surveys/{}/responses.csv?flagged=all", s.id))
        .await;
    assert_eq!(csv.header("content-type"), "text/csv; charset=utf-8");
    assert!(
        csv.body.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""),
        "{}",
        csv.body
    );
    assert_eq!(csv.body.lines().count(), 5);
    let summary = editor
        .get(&format!("/desk/surveys/{}/summary.csv", s.id))
        .await;
    assert!(
        summary.body.contains("Net Promoter Score"),
        "{}",
        summary.body
    );
    assert!(summary.body.contains("Daily,3,100.0"), "{}", summary.body);
    // Bad filters are named.
    let bad = editor
        .get(&format!("/desk/surveys/{}?who=robots", s.id))
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("who: &quot;robots&quot;"));
    // The public results page shows the chosen questions, no free text.
    let public = Browser::new(&app, NEWS)
        .get(&format!("/surveys/{}/results", s.slug))
        .await;
    assert!(public.body.contains("How often do you read us?"));
    assert!(!public.body.contains("More maps"));
    app.stop().await;
}

#[tokio::test]
async fn editors_build_surveys_in_the_desk_with_errors_naming_the_field() {
    let app = TestApp::builder().start().await;
    let (mut editor, _) = person(&app, "Edna Editor", Role::Editor).await;
    let list = editor.get("/desk/surveys").await;
    assert_eq!(list.status, 200);
    let csrf = list.csrf();
    let bad = editor
        .post(
            "/desk/surveys",
            &[
                ("csrf", csrf.as_str()),
                ("slug", "readers"),
                (
                    "definition",
                    "title: x\nquestions:\n  - {id: 1, kind: slider, prompt: p}\n",
                ),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("definition, line 3"), "{}", bad.body);
    assert!(bad.body.contains("slider"), "the typed text is kept");
    let made = editor
        .post(
            "/desk/surveys",
            &[
                ("csrf", csrf.as_str()),
                ("slug", "readers"),
                ("definition", DEFINITION),
                ("share", "30"),
                ("sites", "news"),
            ],
        )
        .await;
    assert_eq!(made.status, 200, "{}", made.body);
    assert!(made.url.contains("/desk/surveys/"));
    let s = app
        .store
        .survey_by_slug("readers", true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.audience.share, 30);
    let opened = editor
        .post(&made.url, &[("csrf", csrf.as_str()), ("action", "open")])
        .await;
    assert!(
        opened.body.contains("open, taking answers"),
        "{}",
        opened.body
    );
    let (_, home) = app.page("/").await;
    assert!(home.contains("survey-banner"), "open at once on the pages");
    assert!(app
        .store
        .audit_log(None, 5)
        .await
        .unwrap()
        .iter()
        .any(|e| e.action == "survey.open"));
    app.stop().await;
}

#[tokio::test]
async fn editors_build_a_survey_question_by_question_without_yaml() {
    use kawaraban_core::survey::Kind;
    let app = TestApp::builder().start().await;
    let (mut editor, _) = person(&app, "Edna Editor", Role::Editor).await;
    let list = editor.get("/desk/surveys").await;
    for needle in [
        "name=\"q0_prompt\"",
        "<option value=\"matrix\">Matrix</option>",
        "Add a question",
    ] {
        assert!(list.body.contains(needle), "{needle}");
    }
    let csrf = list.csrf();
    // A mistake names the question and keeps what was typed.
    let bad = editor
        .post(
            "/desk/surveys",
            &with_csrf(
                &csrf,
                &[
                    ("slug", "builder"),
                    ("title", "Built by hand"),
                    ("q0_id", ""),
                    ("q0_kind", "single"),
                    ("q0_prompt", "Which edition do you read?"),
                    ("q0_options", "Morning"),
                ],
            ),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body
            .contains("questions, question 1 (id 1): needs at least two options"),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("value=\"Which edition do you read?\""));
    assert!(app
        .store
        .survey_by_slug("builder", true)
        .await
        .unwrap()
        .is_none());
    let made = editor
        .post(
            "/desk/surveys",
            &with_csrf(
                &csrf,
                &[
                    ("slug", "builder"),
                    ("title", "Built by hand"),
                    ("banner", "Tell us about the morning edition."),
                    ("q0_id", ""),
                    ("q0_kind", "single"),
                    ("q0_prompt", "Which edition do you read?"),
                    ("q0_options", "Morning\nEvening"),
                    ("q0_required", "on"),
                    ("q0_other", "on"),
                    ("q1_id", ""),
                    ("q1_kind", "nps"),
                    ("q1_prompt", "Would you recommend us?"),
                    ("q2_id", ""),
                    ("q2_kind", "single"),
                    ("q2_prompt", ""),
                ],
            ),
        )
        .await;
    assert_eq!(made.status, 200, "{}", made.body);
    let s = app
        .store
        .survey_by_slug("builder", true)
        .await
        .unwrap()
        .unwrap();
    let d = &s.definition;
    assert_eq!(d.banner, "Tell us about the morning edition.");
    assert_eq!(d.questions.len(), 2, "the blank question adds nothing");
    assert_eq!((d.questions[0].id, d.questions[0].kind), (1, Kind::Single));
    assert!(d.questions[0].required && d.questions[0].other);
    assert_eq!(d.questions[0].options, ["Morning", "Evening"]);
    assert_eq!((d.questions[1].id, d.questions[1].kind), (2, Kind::Nps));
    // The edit page shows the questions; add one before the others, take one out.
    let page = editor.get(&made.url).await;
    assert!(page.body.contains("value=\"Would you recommend us?\""));
    let saved = editor
        .post(
            &made.url,
            &with_csrf(
                &csrf,
                &[
                    ("action", "save"),
                    ("slug", "builder"),
                    ("title", "Built by hand"),
                    ("q0_id", "1"),
                    ("q0_kind", "single"),
                    ("q0_prompt", "Which edition do you read?"),
                    ("q0_options", "Morning\nEvening\nWeekend"),
                    ("q0_position", "2"),
                    ("q1_id", "2"),
                    ("q1_kind", "nps"),
                    ("q1_prompt", "Would you recommend us?"),
                    ("q1_remove", "on"),
                    ("q2_id", ""),
                    ("q2_kind", "long_text"),
                    ("q2_prompt", "Anything else?"),
                    ("q2_position", "1"),
                ],
            ),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let d = app
        .store
        .survey_by_slug("builder", true)
        .await
        .unwrap()
        .unwrap()
        .definition;
    let ids: Vec<u32> = d.questions.iter().map(|q| q.id).collect();
    assert_eq!(ids, [3, 1], "the new one first, with an id never used");
    assert_eq!(d.questions[1].options.len(), 3);
    assert!(app
        .store
        .audit_log(None, 5)
        .await
        .unwrap()
        .iter()
        .any(|e| e.action == "survey.edit"));
    app.stop().await;
}
