//! `/surveys/{slug}`: answering a survey (all on one page, or one question
//! a step with progress shown), without JavaScript; the thanks, the
//! dismissal, and the public results page.
//!
//! One response per reader: a member once per account; anyone else once
//! per browser, told apart by a random id in a signed cookie (`kw_sb`).
//! Addresses and user agents are only kept as keyed hashes, to flag
//! ballot-stuffing. `kw_sf` (readable by `survey.js`) remembers when this
//! browser last answered or dismissed a survey, and which.

use std::hash::{Hash, Hasher};

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use chrono::Utc;
use kawaraban_core::model::{
    NewResponse, Respondent, ResponseFilter, ResponseOutcome, Site, Survey,
};
use kawaraban_core::survey::answers::{self, Answer, Answers, Problem};
use kawaraban_core::survey::{results, Kind};
use minijinja::context;
use serde::Serialize;

use crate::error::{AppError, AppResult};
use crate::members::secrets::new_token;
use crate::members::session::cookie;
use crate::members::{csrf, limits, parse_form, see_other, to_login, Screen, Visit};
use crate::state::AppState;

pub const BROWSER_COOKIE: &str = "kw_sb";
pub const SEEN_COOKIE: &str = "kw_sf";
/// The hidden field only robots fill in.
pub const HONEYPOT: &str = "website";
const YEAR: i64 = 365 * 24 * 3600;

/// This browser's id, if its cookie is one this network signed.
pub fn browser_id(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let (id, sig) = cookie(headers, BROWSER_COOKIE)?.split_once('.')?;
    (id.len() == 43 && state.signer.verify("survey-browser", id, sig)).then(|| id.to_string())
}

fn browser_cookie(state: &AppState, site: &Site, id: &str) -> HeaderValue {
    let sig = state.signer.sign("survey-browser", id);
    crate::members::session::set_cookie(site, BROWSER_COOKIE, &format!("{id}.{sig}"), Some(YEAR))
}

/// `kw_sf` after answering or dismissing `survey_id`: now, and the ids so
/// far (the 20 latest). Readable by scripts: it holds nothing secret.
fn seen_cookie(site: &Site, headers: &HeaderMap, survey_id: i64) -> HeaderValue {
    let mut ids: Vec<i64> = cookie(headers, SEEN_COOKIE)
        .and_then(|v| v.split_once('.'))
        .map(|(_, ids)| ids.split('-').filter_map(|i| i.parse().ok()).collect())
        .unwrap_or_default();
    ids.retain(|i| *i != survey_id);
    ids.push(survey_id);
    let from = ids.len().saturating_sub(20);
    let list: Vec<String> = ids[from..].iter().map(i64::to_string).collect();
    let mut c = format!(
        "{SEEN_COOKIE}={}.{}; Path=/; SameSite=Lax; Max-Age={YEAR}",
        Utc::now().timestamp(),
        list.join("-")
    );
    if site.is_https() {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("digits and dots")
}

/// A keyed hash of a value never stored as such (an address, a user agent).
fn keyed(state: &AppState, purpose: &str, value: &str) -> String {
    state.signer.sign(purpose, value)[..22].to_string()
}

/// The survey at `slug` if readers may see it (not a draft).
async fn find(v: &Visit, slug: &str) -> AppResult<Survey> {
    v.state
        .store
        .survey_by_slug(slug, false)
        .await?
        .filter(|s| s.status != kawaraban_core::survey::Status::Draft)
        .ok_or(AppError::NotFound)
}

fn respondent(v: &Visit) -> Option<Respondent> {
    match &v.viewer {
        Some(m) => Some(Respondent::Member(m.member.id)),
        None => browser_id(&v.state, &v.headers).map(Respondent::Browser),
    }
}

/// Who the shuffled orders are stable for.
fn reader_key(v: &Visit) -> String {
    match respondent(v) {
        Some(Respondent::Member(id)) => format!("m{id}"),
        Some(Respondent::Browser(b)) => b,
        None => v.ip.clone(),
    }
}

#[derive(Serialize)]
struct OptionView {
    value: String,
    label: String,
    checked: bool,
}

#[derive(Serialize)]
struct RowView {
    index: usize,
    label: String,
    options: Vec<OptionView>,
}

#[derive(Serialize)]
struct QuestionView {
    id: u32,
    kind: Kind,
    prompt: String,
    help: String,
    required: bool,
    options: Vec<OptionView>,
    other: bool,
    other_checked: bool,
    other_text: String,
    rows: Vec<RowView>,
    text: String,
    problem: Option<String>,
}

/// Option indices in this reader's order (shuffled when asked, the same
/// on every visit).
fn order(q: &kawaraban_core::survey::Question, reader: &str) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..q.options.len()).collect();
    if q.shuffle {
        idx.sort_by_key(|i| {
            let mut h = std::hash::DefaultHasher::new();
            (reader, q.id, *i).hash(&mut h);
            h.finish()
        });
    }
    idx
}

fn question_view(
    q: &kawaraban_core::survey::Question,
    a: Option<&Answer>,
    problem: Option<&Problem>,
    reader: &str,
) -> QuestionView {
    let chosen: &[u16] = match a {
        Some(Answer::Choice { chosen, .. }) => chosen,
        _ => &[],
    };
    let number = match a {
        Some(Answer::Number(n)) => Some(*n),
        _ => None,
    };
    let options = match q.kind {
        Kind::Single | Kind::Multiple => order(q, reader)
            .into_iter()
            .map(|i| OptionView {
                value: i.to_string(),
                label: q.options[i].clone(),
                checked: chosen.contains(&(i as u16)),
            })
            .collect(),
        Kind::Rating | Kind::Nps => {
            let (lo, hi) = if q.kind == Kind::Rating {
                (1, 5)
            } else {
                (0, 10)
            };
            (lo..=hi)
                .map(|n: u8| OptionView {
                    value: n.to_string(),
                    label: n.to_string(),
                    checked: number == Some(n),
                })
                .collect()
        }
        _ => Vec::new(),
    };
    let rows = match (q.kind, a) {
        (Kind::Matrix, a) => {
            let picked = match a {
                Some(Answer::Matrix(r)) => r.clone(),
                _ => vec![None; q.statements.len()],
            };
            q.statements
                .iter()
                .enumerate()
                .map(|(r, label)| RowView {
                    index: r,
                    label: label.clone(),
                    options: q
                        .options
                        .iter()
                        .enumerate()
                        .map(|(i, o)| OptionView {
                            value: i.to_string(),
                            label: o.clone(),
                            checked: picked.get(r).copied().flatten() == Some(i as u16),
                        })
                        .collect(),
                })
                .collect()
        }
        _ => Vec::new(),
    };
    let (other_checked, other_text) = match a {
        Some(Answer::Choice { other: Some(t), .. }) => (true, t.clone()),
        _ => (false, String::new()),
    };
    QuestionView {
        id: q.id,
        kind: q.kind,
        prompt: q.prompt.clone(),
        help: q.help.clone(),
        required: q.required,
        options,
        other: q.other,
        other_checked,
        other_text,
        rows,
        text: match a {
            Some(Answer::Text(t)) => t.clone(),
            _ => String::new(),
        },
        problem: problem.map(|p| p.message.clone()),
    }
}

/// The form: every question, or only step `step` (0-based) of a
/// one-question-a-page survey with the earlier answers carried along.
async fn render_form(
    v: &Visit,
    s: &Survey,
    answers: &Answers,
    problems: &[Problem],
    step: usize,
    status: StatusCode,
) -> AppResult<Response> {
    let reader = reader_key(v);
    let def = &s.definition;
    let one = def.one_per_page;
    let shown: Vec<_> = if one {
        def.questions.iter().skip(step).take(1).collect()
    } else {
        def.questions.iter().collect()
    };
    let questions: Vec<QuestionView> = shown
        .iter()
        .map(|q| {
            question_view(
                q,
                answers.get(&q.id),
                problems.iter().find(|p| p.question == q.id),
                &reader,
            )
        })
        .collect();
    // Answers to the other steps' questions ride along as hidden fields.
    let carried: Vec<(String, String)> = if one {
        let others: Answers = answers
            .iter()
            .filter(|(id, _)| !shown.iter().any(|q| q.id == **id))
            .map(|(id, a)| (*id, a.clone()))
            .collect();
        answers::to_fields(&others)
    } else {
        Vec::new()
    };
    let (token, cookie) = match &v.viewer {
        Some(viewer) => (viewer.csrf.clone(), None),
        None => csrf::anonymous_token(&v.state.signer, &v.headers, &v.site),
    };
    let errors: Vec<_> = problems
        .iter()
        .map(|p| {
            let prompt = def
                .question(p.question)
                .map(|q| q.prompt.clone())
                .unwrap_or_default();
            context! { id => p.question, prompt, message => p.message.clone() }
        })
        .collect();
    Screen::new(&v.state, &v.site, "surveys/survey.html", &def.title)
        .status(status)
        .cookie(cookie)
        .render(context! {
            survey => context! { slug => s.slug.clone(), title => def.title.clone(), intro => def.intro.clone() },
            questions,
            carried,
            errors,
            csrf => token,
            honeypot => HONEYPOT,
            step => step + 1,
            steps => if one { def.questions.len() } else { 1 },
            last => !one || step + 1 >= def.questions.len(),
        })
}

/// A survey that takes no more answers, or that this reader answered.
fn over(v: &Visit, s: &Survey, heading: &str, message: &str) -> AppResult<Response> {
    let results = (!s.public_results.is_empty()).then(|| format!("/surveys/{}/results", s.slug));
    Screen::new(&v.state, &v.site, "surveys/done.html", heading).render(context! {
        heading, message, results, title => s.definition.title.clone(),
    })
}

/// `GET /surveys/{slug}`.
pub async fn page(v: Visit, Path(slug): Path<String>) -> AppResult<Response> {
    let s = find(&v, &slug).await?;
    if !s.accepting(Utc::now()) {
        return over(
            &v,
            &s,
            "This survey is closed",
            "Thank you for your interest: it no longer takes answers.",
        );
    }
    if s.audience.members_only && v.viewer.is_none() {
        return Ok(to_login(&format!("/surveys/{slug}")));
    }
    if let Some(who) = respondent(&v) {
        if v.state.store.has_responded(s.id, &who).await? {
            return over(
                &v,
                &s,
                "You have answered this survey",
                "Thank you: your answers are in. Each reader answers once.",
            );
        }
    }
    render_form(&v, &s, &Answers::new(), &[], 0, StatusCode::OK).await
}

/// `POST /surveys/{slug}`: a step, or the whole response.
pub async fn submit(
    v: Visit,
    Path(slug): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let (pairs, f) = parse_form(&body);
    v.check_csrf(&f)?;
    let s = find(&v, &slug).await?;
    let now = Utc::now();
    if !s.accepting(now) {
        return over(
            &v,
            &s,
            "This survey is closed",
            "It closed before your answers arrived; nothing was stored.",
        );
    }
    if s.audience.members_only && v.viewer.is_none() {
        return Ok(to_login(&format!("/surveys/{slug}")));
    }
    if !crate::members::field(&f, HONEYPOT).is_empty() {
        // A robot: thanked, and nothing kept.
        return Ok(to_thanks(&s, Vec::new()));
    }
    let (answers, mut problems) = answers::read(&s.definition, &pairs).map_err(|e| {
        AppError::bad_request(format!(
            "{e}. Please reload the survey page and answer again."
        ))
    })?;
    let def = &s.definition;
    let step: usize = crate::members::field(&f, "step")
        .parse::<usize>()
        .unwrap_or(1)
        .clamp(1, def.questions.len())
        - 1;
    let asked: Vec<u32> = if def.one_per_page {
        def.questions.iter().take(step + 1).map(|q| q.id).collect()
    } else {
        def.questions.iter().map(|q| q.id).collect()
    };
    problems.extend(answers::missing(def, &answers, &asked));
    if !problems.is_empty() {
        // Back to the first step with a problem, answers kept.
        let at = if def.one_per_page {
            def.questions
                .iter()
                .position(|q| problems.iter().any(|p| p.question == q.id))
                .unwrap_or(step)
        } else {
            0
        };
        return render_form(
            &v,
            &s,
            &answers,
            &problems,
            at,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    if def.one_per_page && step + 1 < def.questions.len() {
        return render_form(&v, &s, &answers, &[], step + 1, StatusCode::OK).await;
    }
    let (charge, retry) = limits::charge(limits::SURVEY_IP, &v.ip);
    let mut cookies = Vec::new();
    let who = match respondent(&v) {
        Some(w) => w,
        None => {
            let id = new_token();
            cookies.push(browser_cookie(&v.state, &v.site, &id));
            Respondent::Browser(id)
        }
    };
    let agent = v
        .headers
        .get(header::USER_AGENT)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let outcome = v
        .state
        .store
        .add_response(&NewResponse {
            survey_id: s.id,
            site_id: v.site.id,
            respondent: who,
            address_hash: keyed(&v.state, "survey-address", &v.ip),
            agent_hash: keyed(&v.state, "survey-agent", agent),
            answers,
            at: now,
            charge: Some(charge),
        })
        .await?;
    match outcome {
        ResponseOutcome::Stored { flagged, .. } => {
            if let Some(why) = flagged {
                tracing::info!(survey = s.id, why, "survey response flagged");
            }
            cookies.push(seen_cookie(&v.site, &v.headers, s.id));
            Ok(to_thanks(&s, cookies))
        }
        ResponseOutcome::Duplicate => over(&v, &s, "You have answered this survey", "Your first answers stand; this second set was not stored. Each reader answers once."),
        ResponseOutcome::Limited => Err(AppError::TooManyRequests(retry)),
        ResponseOutcome::Full => over(&v, &s, "This survey is closed", "It reached the number of responses it asked for just before yours; nothing was stored."),
    }
}

/// After a response: 303 to the thanks (a reload then does not send the
/// answers again).
fn to_thanks(s: &Survey, cookies: Vec<HeaderValue>) -> Response {
    see_other(&format!("/surveys/{}/thanks", s.slug), cookies)
}

/// `GET /surveys/{slug}/thanks`.
pub async fn thanks(v: Visit, Path(slug): Path<String>) -> AppResult<Response> {
    let s = find(&v, &slug).await?;
    let results = (!s.public_results.is_empty()).then(|| format!("/surveys/{}/results", s.slug));
    Screen::new(&v.state, &v.site, "surveys/done.html", "Thank you").render(context! {
        heading => "Thank you for taking part",
        message => "Your answers are in. We read every one.",
        results,
        title => s.definition.title.clone(),
        answered => true,
    })
}

/// `POST /surveys/{slug}/dismiss`: the banner's close button. Members
/// rest from surveys on every site; anyone else on this one (the cookie).
pub async fn dismiss(
    v: Visit,
    Path(slug): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let (_, f) = parse_form(&body);
    v.check_csrf(&f)?;
    let s = find(&v, &slug).await?;
    if let Some(m) = &v.viewer {
        v.state
            .store
            .dismiss_survey(s.id, m.member.id, Utc::now())
            .await?;
    }
    // Back to the page the banner was on.
    let next = match crate::members::field(&f, "next") {
        "" => v
            .headers
            .get(header::REFERER)
            .and_then(|r| r.to_str().ok())
            .unwrap_or("/"),
        n => n,
    };
    let back = crate::members::safe_next(&v.state, next);
    Ok(see_other(
        &back,
        vec![seen_cookie(&v.site, &v.headers, s.id)],
    ))
}

/// `GET /surveys/{slug}/results`: the questions the editor chose to publish.
pub async fn public_results(v: Visit, Path(slug): Path<String>) -> AppResult<Response> {
    let s = find(&v, &slug).await?;
    if s.public_results.is_empty() {
        return Err(AppError::NotFound);
    }
    let responses = v
        .state
        .store
        .responses(s.id, &ResponseFilter::counted())
        .await?;
    let tallies: Vec<_> = results::tally(&s.definition, responses.iter().map(|r| &r.answers), None)
        .into_iter()
        .filter(|q| s.public_results.contains(&q.id))
        .map(|mut q| {
            // Free text stays with the staff.
            q.texts.clear();
            super::desk_surveys::chart_view(q)
        })
        .collect();
    Screen::new(
        &v.state,
        &v.site,
        "surveys/results.html",
        &format!("Results: {}", s.definition.title),
    )
    .render(context! {
        title => s.definition.title.clone(),
        responses => responses.len(),
        questions => tallies,
    })
}
