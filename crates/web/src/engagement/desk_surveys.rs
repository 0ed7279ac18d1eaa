//! `/desk/surveys`: building surveys, opening and closing them, and their
//! results (charts drawn on the server, the NPS, means, free text that can
//! be searched, flagged responses to leave out) with CSV exports. Every
//! change goes to the audit log.

use axum::extract::{Path, Query};
use axum::response::Response;
use chrono::Utc;
use kawaraban_core::model::{NewSurvey, ResponseFilter, Survey};
use kawaraban_core::survey::answers::Answer;
use kawaraban_core::survey::audience::Audience;
use kawaraban_core::survey::results::{self, QuestionResult};
use kawaraban_core::survey::{builder, Definition, Kind, Status};
use kawaraban_core::{local_time, StoreError};
use minijinja::context;
use serde::Serialize;

use crate::analytics::chart;
use crate::analytics::table::{csv_download, Cell, Table};
use crate::desk::{render, Editor};
use crate::error::{AppError, AppResult};
use crate::members::{field, parse_form, see_other, Fields, Visit};

/// A question's results as the templates show them, its chart drawn.
#[derive(Serialize)]
pub struct ChartView {
    #[serde(flatten)]
    pub result: QuestionResult,
    pub chart: String,
    pub row_charts: Vec<(String, String)>,
}

pub fn chart_view(q: QuestionResult) -> ChartView {
    let bars = |b: &[results::Bar]| -> Vec<(String, u64, f64)> {
        b.iter()
            .map(|b| (b.label.clone(), b.count, b.percent))
            .collect()
    };
    let chart = if q.bars.is_empty() {
        String::new()
    } else {
        chart::hbars(&format!("q{}", q.id), &q.prompt, &bars(&q.bars))
    };
    let row_charts = q
        .rows
        .iter()
        .enumerate()
        .map(|(i, (st, b))| {
            (
                st.clone(),
                chart::hbars(&format!("q{}-{i}", q.id), st, &bars(b)),
            )
        })
        .collect();
    ChartView {
        result: q,
        chart,
        row_charts,
    }
}

/// The form's fields, read into a survey (errors name the field).
fn read_form(v: &Visit, pairs: &[(String, String)], f: &Fields) -> Result<NewSurvey, String> {
    let slug = field(f, "slug").trim().to_string();
    if kawaraban_core::slug::slugify(&slug) != slug || slug.is_empty() {
        return Err(format!(
            "slug: \"{slug}\" must be lower-case letters, digits and dashes (as in reader-survey-2026)"
        ));
    }
    // The question builder, unless a whole definition was given as YAML.
    let definition = match field(f, "definition").trim() {
        "" => builder::from_form(pairs).map_err(|e| format!("questions, {e}"))?,
        yaml => Definition::from_yaml(yaml).map_err(|e| format!("definition, {e}"))?,
    };
    let network = v.state.network.get();
    let sites: Vec<String> = field(f, "sites")
        .split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if let Some(bad) = sites
        .iter()
        .find(|k| !network.sites.iter().any(|s| &s.key == *k))
    {
        return Err(format!("sites: there is no site \"{bad}\""));
    }
    let share: u8 = match field(f, "share").trim() {
        "" => 100,
        s => s
            .parse()
            .map_err(|_| format!("share: \"{s}\" is not a percentage"))?,
    };
    let audience = Audience {
        sites,
        sections: field(f, "sections")
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        members_only: field(f, "members_only") == "on",
        share,
    };
    audience.check()?;
    let tz = v.site.tz();
    let opens_at = local_time::parse("opens", field(f, "opens"), tz)?;
    let closes_at = local_time::parse("closes", field(f, "closes"), tz)?;
    if let (Some(o), Some(c)) = (opens_at, closes_at) {
        if c <= o {
            return Err("closes: the survey must close after it opens".into());
        }
    }
    let response_limit = match field(f, "limit").trim() {
        "" => None,
        s => Some(
            s.parse()
                .map_err(|_| format!("limit: \"{s}\" is not a number of responses"))?,
        ),
    };
    let mut public_results = Vec::new();
    for p in field(f, "public")
        .split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let id: u32 = p
            .parse()
            .map_err(|_| format!("public: \"{p}\" is not a question id"))?;
        if definition.question(id).is_none() {
            return Err(format!("public: the survey has no question {id}"));
        }
        public_results.push(id);
    }
    Ok(NewSurvey {
        slug,
        definition,
        audience,
        opens_at,
        closes_at,
        response_limit,
        public_results,
    })
}

/// The builder's view of a definition: its words and each question's
/// fields, then one blank question to add.
fn builder_view(d: &Definition) -> minijinja::Value {
    let kinds: Vec<_> = Kind::ALL
        .iter()
        .map(|k| context! { key => k.key(), label => k.label() })
        .collect();
    let mut questions: Vec<_> = d
        .questions
        .iter()
        .enumerate()
        .map(|(n, q)| {
            context! {
                n, id => q.id.to_string(), kind => q.kind.key(), prompt => q.prompt.clone(), help => q.help.clone(),
                options => q.options.join("\n"), statements => q.statements.join("\n"),
                required => q.required, other => q.other, shuffle => q.shuffle, position => n + 1,
            }
        })
        .collect();
    let n = questions.len();
    questions.push(context! { n, id => "", kind => "single", position => n + 1, blank => true });
    context! {
        title => d.title.clone(), intro => d.intro.clone(), banner => d.banner.clone(),
        one_per_page => d.one_per_page, questions, kinds,
    }
}

/// The form's values for a survey (or what was typed, on an error).
fn form_values(
    v: &Visit,
    s: Option<&Survey>,
    typed: Option<&[(String, String)]>,
) -> minijinja::Value {
    if let Some(pairs) = typed {
        let f: Fields = pairs.iter().cloned().collect();
        let typed_questions = builder::read(pairs).ok();
        return context! {
            ..minijinja::Value::from_serialize(&f),
            ..context! { builder => typed_questions.as_ref().map(builder_view) }
        };
    }
    let tz = v.site.tz();
    match s {
        None => context! {
            builder => builder_view(&Definition::from_yaml(EXAMPLE).expect("the example reads")),
            share => "100",
        },
        Some(s) => context! {
            slug => s.slug.clone(),
            builder => builder_view(&s.definition),
            sites => s.audience.sites.join(", "),
            sections => s.audience.sections.join(", "),
            members_only => if s.audience.members_only { "on" } else { "" },
            share => s.audience.share.to_string(),
            opens => local_time::field_value(s.opens_at, tz),
            closes => local_time::field_value(s.closes_at, tz),
            limit => s.response_limit.map(|l| l.to_string()).unwrap_or_default(),
            public => s.public_results.iter().map(u32::to_string).collect::<Vec<_>>().join(", "),
        },
    }
}

/// What a new survey's definition starts as.
const EXAMPLE: &str = "title: Reader survey\nintro: A few minutes to tell us how we are doing.\nbanner: Take our user survey and make your voice heard.\nquestions:\n  - id: 1\n    kind: rating\n    prompt: How do you rate our coverage?\n    required: true\n  - id: 2\n    kind: long_text\n    prompt: What should we do better?\n";

async fn list_page(
    v: &Visit,
    viewer: &crate::members::Viewer,
    error: Option<String>,
    typed: Option<&[(String, String)]>,
) -> AppResult<Response> {
    let now = Utc::now();
    let surveys: Vec<_> = v
        .state
        .store
        .surveys()
        .await?
        .into_iter()
        .map(|s| {
            context! {
                id => s.id, slug => s.slug.clone(), title => s.definition.title.clone(),
                status => s.status.as_str(), live => s.accepting(now), responses => s.responses,
            }
        })
        .collect();
    let mut resp = render(
        v,
        viewer,
        "desk/surveys.html",
        "Surveys",
        "/desk/surveys",
        context! {
            surveys, error, form => form_values(v, None, typed), csrf => viewer.csrf.clone(),
            tz => v.site.time_zone.clone(),
        },
    )?;
    if typed.is_some() {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

/// `GET /desk/surveys`.
pub async fn list(Editor(v, viewer): Editor) -> AppResult<Response> {
    list_page(&v, &viewer, None, None).await
}

/// `POST /desk/surveys`: a new draft.
pub async fn create(Editor(v, viewer): Editor, body: axum::body::Bytes) -> AppResult<Response> {
    let (pairs, f) = parse_form(&body);
    v.check_csrf(&f)?;
    let new = match read_form(&v, &pairs, &f) {
        Ok(n) => n,
        Err(e) => return list_page(&v, &viewer, Some(e), Some(&pairs)).await,
    };
    let now = Utc::now();
    let s = match v.state.store.create_survey(&new, now).await {
        Ok(s) => s,
        Err(StoreError::Conflict(_)) => {
            let e = format!("slug: \"{}\" is taken by another survey", new.slug);
            return list_page(&v, &viewer, Some(e), Some(&pairs)).await;
        }
        Err(e) => return Err(e.into()),
    };
    v.state
        .store
        .audit(
            Some(&viewer.member),
            "survey.create",
            &format!("survey:{}", s.id),
            &s.definition.title,
            now,
        )
        .await?;
    Ok(see_other(&format!("/desk/surveys/{}", s.id), Vec::new()))
}

/// The filters of the results page, from its query.
fn filters(v: &Visit, q: &Fields) -> AppResult<ResponseFilter> {
    let network = v.state.network.get();
    let site_id = match field(q, "site").trim() {
        "" => None,
        k => Some(
            network
                .sites
                .iter()
                .find(|s| s.key == k)
                .map(|s| s.id)
                .ok_or_else(|| AppError::bad_request(format!("site: there is no site \"{k}\".")))?,
        ),
    };
    let tz = v.site.tz();
    let day = |name: &str| -> AppResult<Option<chrono::DateTime<Utc>>> {
        let t = field(q, name).trim();
        if t.is_empty() {
            return Ok(None);
        }
        local_time::parse(name, &format!("{t}T00:00"), tz).map_err(AppError::bad_request)
    };
    let from = day("from")?;
    let to = day("to")?.map(|t| t + chrono::Duration::days(1));
    let members = match field(q, "who") {
        "" | "all" => None,
        "members" => Some(true),
        "anonymous" => Some(false),
        other => {
            return Err(AppError::bad_request(format!(
                "who: \"{other}\" is not all, members or anonymous."
            )))
        }
    };
    let (flagged, without_excluded) = match field(q, "flagged") {
        "" | "counted" => (None, true),
        "all" => (None, false),
        "only" => (Some(true), false),
        "none" => (Some(false), true),
        other => {
            return Err(AppError::bad_request(format!(
                "flagged: \"{other}\" is not counted, all, only or none."
            )))
        }
    };
    Ok(ResponseFilter {
        site_id,
        from,
        to,
        members,
        flagged,
        without_excluded,
    })
}

async fn survey_or_404(v: &Visit, id: i64) -> AppResult<Survey> {
    v.state.store.survey(id).await?.ok_or(AppError::NotFound)
}

async fn results_page(
    v: &Visit,
    viewer: &crate::members::Viewer,
    id: i64,
    q: &Fields,
    error: Option<String>,
    typed: Option<&[(String, String)]>,
) -> AppResult<Response> {
    let s = survey_or_404(v, id).await?;
    let f = filters(v, q)?;
    let responses = v.state.store.responses(s.id, &f).await?;
    let search = field(q, "q").trim();
    let tallies: Vec<ChartView> = results::tally(
        &s.definition,
        responses.iter().map(|r| &r.answers),
        Some(search),
    )
    .into_iter()
    .map(chart_view)
    .collect();
    let flagged: Vec<_> = v
        .state
        .store
        .responses(
            s.id,
            &ResponseFilter {
                flagged: Some(true),
                ..Default::default()
            },
        )
        .await?
        .into_iter()
        .map(|r| {
            context! { id => r.id, flagged => r.flagged, excluded => r.excluded,
            at => crate::view::time_view(r.created_at, v.site.tz()).human }
        })
        .collect();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(q.iter().filter(|(_, v)| !v.is_empty()))
        .finish();
    let now = Utc::now();
    render(
        v,
        viewer,
        "desk/survey.html",
        &s.definition.title,
        "/desk/surveys",
        context! {
            s => context! { id => s.id, slug => s.slug.clone(), title => s.definition.title.clone(),
                status => s.status.as_str(), live => s.accepting(now), responses => s.responses,
                public => !s.public_results.is_empty() },
            questions => tallies,
            counted => responses.len(),
            flagged,
            q => q.clone(),
            query,
            sites => v.state.network.get().sites.iter().map(|s| context! { key => s.key.clone(), name => s.name.clone() }).collect::<Vec<_>>(),
            form => form_values(v, Some(&s), typed),
            error,
            csrf => viewer.csrf.clone(),
            tz => v.site.time_zone.clone(),
        },
    )
}

/// `GET /desk/surveys/{id}`: the results, filtered, and the survey's form.
pub async fn results(
    Editor(v, viewer): Editor,
    Path(id): Path<i64>,
    Query(q): Query<Fields>,
) -> AppResult<Response> {
    results_page(&v, &viewer, id, &q, None, None).await
}

/// `POST /desk/surveys/{id}`: `action` open, close, draft, save (the
/// form), exclude or include (`response`).
pub async fn act(
    Editor(v, viewer): Editor,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let here = format!("/desk/surveys/{id}");
    let (pairs, f) = parse_form(&body);
    v.check_csrf(&f)?;
    let s = survey_or_404(&v, id).await?;
    let now = Utc::now();
    let target = format!("survey:{id}");
    let action = field(&f, "action");
    let (what, reason) = match action {
        "open" | "close" | "draft" => {
            let status = match action {
                "open" => Status::Open,
                "close" => Status::Closed,
                _ => Status::Draft,
            };
            v.state.store.set_survey_status(id, status, now).await?;
            (format!("survey.{action}"), s.definition.title.clone())
        }
        "save" => {
            let new = match read_form(&v, &pairs, &f) {
                Ok(n) => n,
                Err(e) => {
                    return results_page(&v, &viewer, id, &Fields::new(), Some(e), Some(&pairs))
                        .await
                }
            };
            if s.responses > 0 {
                // Stored answers name question ids: those must stay, of the same kind.
                if let Some(q) = s.definition.questions.iter().find(|q| {
                    new.definition
                        .question(q.id)
                        .is_none_or(|n| n.kind != q.kind || n.options.len() < q.options.len())
                }) {
                    let e = format!("definition: question {} has answers already; keep it, its kind and its options (add new questions instead)", q.id);
                    return results_page(&v, &viewer, id, &Fields::new(), Some(e), Some(&pairs))
                        .await;
                }
            }
            match v.state.store.update_survey(id, &new, now).await {
                Ok(_) => {}
                Err(StoreError::Conflict(_)) => {
                    let e = format!("slug: \"{}\" is taken by another survey", new.slug);
                    return results_page(&v, &viewer, id, &Fields::new(), Some(e), Some(&pairs))
                        .await;
                }
                Err(e) => return Err(e.into()),
            }
            ("survey.edit".into(), new.definition.title)
        }
        "exclude" | "include" => {
            let response: i64 = field(&f, "response")
                .parse()
                .map_err(|_| AppError::bad_request("response: the form names no response."))?;
            if !v
                .state
                .store
                .set_response_excluded(id, response, action == "exclude")
                .await?
            {
                return Err(AppError::NotFound);
            }
            (
                format!("survey.response.{action}"),
                format!("response {response}"),
            )
        }
        other => {
            return Err(AppError::bad_request(format!(
                "action: \"{other}\" is not open, close, draft, save, exclude or include."
            )))
        }
    };
    v.state
        .store
        .audit(Some(&viewer.member), &what, &target, &reason, now)
        .await?;
    super::changed(&v.state).await?;
    Ok(see_other(&here, Vec::new()))
}

/// One cell per answer, in the question's words.
fn answer_text(def: &Definition, qid: u32, a: &Answer) -> String {
    let q = def.question(qid);
    let option = |i: &u16| {
        q.and_then(|q| q.options.get(*i as usize))
            .cloned()
            .unwrap_or_default()
    };
    match a {
        Answer::Choice { chosen, other } => {
            let mut parts: Vec<String> = chosen.iter().map(option).collect();
            if let Some(t) = other {
                parts.push(format!("Other: {t}"));
            }
            parts.join("; ")
        }
        Answer::Number(n) => n.to_string(),
        Answer::Text(t) => t.clone(),
        Answer::Matrix(rows) => rows
            .iter()
            .enumerate()
            .map(|(r, v)| {
                let st = q
                    .and_then(|q| q.statements.get(r))
                    .cloned()
                    .unwrap_or_default();
                format!("{st}: {}", v.as_ref().map(option).unwrap_or_default())
            })
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// Every response, one row each, answers in the questions' words.
pub fn responses_table(
    s: &Survey,
    responses: &[kawaraban_core::model::SurveyResponse],
    network: &crate::network::Network,
) -> Table {
    let mut columns: Vec<std::borrow::Cow<'static, str>> = [
        "response",
        "time (UTC)",
        "site",
        "member",
        "flagged",
        "excluded",
    ]
    .map(Into::into)
    .into();
    columns.extend(
        s.definition
            .questions
            .iter()
            .map(|q| format!("{} ({})", q.prompt, q.id).into()),
    );
    let rows = responses
        .iter()
        .map(|r| {
            let mut row = vec![
                Cell::num(r.id),
                Cell::text(r.created_at.to_rfc3339()),
                Cell::text(
                    network
                        .sites
                        .iter()
                        .find(|x| x.id == r.site_id)
                        .map(|x| x.key.clone())
                        .unwrap_or_default(),
                ),
                Cell::text(if r.member_id.is_some() { "yes" } else { "no" }),
                Cell::text(r.flagged.clone()),
                Cell::text(if r.excluded { "yes" } else { "no" }),
            ];
            for q in &s.definition.questions {
                row.push(Cell::text(
                    r.answers
                        .get(&q.id)
                        .map(|a| answer_text(&s.definition, q.id, a))
                        .unwrap_or_default(),
                ));
            }
            row
        })
        .collect();
    Table {
        key: "responses",
        title: s.definition.title.clone(),
        columns,
        rows,
        csv: String::new(),
    }
}

/// Counts per question and answer, with means and the NPS.
pub fn summary_table(s: &Survey, responses: &[kawaraban_core::model::SurveyResponse]) -> Table {
    let mut rows = Vec::new();
    for r in results::tally(&s.definition, responses.iter().map(|r| &r.answers), None) {
        let head = |answer: String, count: u64, pct: String| {
            vec![
                Cell::num(r.id as i64),
                Cell::text(r.prompt.clone()),
                Cell::text(answer),
                Cell::num(count as i64),
                Cell::text(pct),
            ]
        };
        for b in &r.bars {
            rows.push(head(b.label.clone(), b.count, format!("{:.1}", b.percent)));
        }
        for (st, bars) in &r.rows {
            for b in bars {
                rows.push(head(
                    format!("{st}: {}", b.label),
                    b.count,
                    format!("{:.1}", b.percent),
                ));
            }
        }
        if let Some(m) = r.mean {
            rows.push(head("mean".into(), r.answered, format!("{m:.2}")));
        }
        if let Some(n) = r.nps {
            rows.push(head("Net Promoter Score".into(), r.answered, n.to_string()));
        }
        if matches!(r.kind, Kind::ShortText | Kind::LongText) {
            rows.push(head("answered".into(), r.answered, String::new()));
        }
    }
    Table {
        key: "summary",
        title: s.definition.title.clone(),
        columns: ["question", "prompt", "answer", "count", "percent or value"]
            .map(Into::into)
            .into(),
        rows,
        csv: String::new(),
    }
}

/// `GET /desk/surveys/{id}/responses.csv`: every response with the filters.
pub async fn responses_csv(
    Editor(v, _): Editor,
    Path(id): Path<i64>,
    Query(q): Query<Fields>,
) -> AppResult<Response> {
    let s = survey_or_404(&v, id).await?;
    let mut f = filters(&v, &q)?;
    if field(&q, "flagged").is_empty() {
        f.without_excluded = false;
    }
    let responses = v.state.store.responses(id, &f).await?;
    let t = responses_table(&s, &responses, &v.state.network.get());
    Ok(csv_download(
        &format!("survey-{}-responses.csv", s.slug),
        t.to_csv(),
    ))
}

/// `GET /desk/surveys/{id}/summary.csv`: counts per question and answer.
pub async fn summary_csv(
    Editor(v, _): Editor,
    Path(id): Path<i64>,
    Query(q): Query<Fields>,
) -> AppResult<Response> {
    let s = survey_or_404(&v, id).await?;
    let f = filters(&v, &q)?;
    let responses = v.state.store.responses(id, &f).await?;
    let t = summary_table(&s, &responses);
    Ok(csv_download(
        &format!("survey-{}-summary.csv", s.slug),
        t.to_csv(),
    ))
}
