//! Surveys and their responses: one SQL text for both backends; `$lock`
//! (`FOR UPDATE` on PostgreSQL) holds a survey with a response limit while
//! one response is counted against it.

use chrono::{DateTime, Utc};
use kawaraban_core::model::Survey;
use kawaraban_core::survey::Status;
use kawaraban_core::{StoreError, StoreResult};

pub(crate) type SurveyRow = (
    i64,
    String,
    String,
    String,
    String,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<i64>,
    String,
    i64,
    DateTime<Utc>,
    DateTime<Utc>,
);

/// A survey's columns, its response count given as `$count`.
macro_rules! survey_select {
    ($count:literal) => {
        concat!(
            "SELECT s.id, s.slug, s.status, s.definition, s.audience, \
             s.opens_at, s.closes_at, s.response_limit, s.public_results, ",
            $count,
            ", s.created_at, s.updated_at FROM surveys s"
        )
    };
}
pub(crate) const SURVEY_SELECT: &str =
    survey_select!("(SELECT COUNT(*) FROM survey_responses r WHERE r.survey_id = s.id)");
/// The same without the count (0).
pub(crate) const SURVEY_SELECT_UNCOUNTED: &str = survey_select!("CAST(0 AS BIGINT)");

/// A response ready for [`crate::sql::INSERT_RESPONSE`], its parameters in order.
#[derive(Clone)]
pub(crate) struct ResponseInsert {
    pub survey: i64,
    pub site: i64,
    pub member: Option<i64>,
    pub browser: Option<String>,
    pub address: String,
    pub agent: String,
    pub answers: String,
    pub at: DateTime<Utc>,
    /// Where the burst counted starts.
    pub since: DateTime<Utc>,
    /// Earlier responses from the address and browser that flag this one.
    pub burst: i64,
    /// Why it is flagged, after the count.
    pub flag: String,
}

/// A member's answered and dismissed surveys, with when (`$1` the member).
pub(crate) const SURVEY_HISTORY: &str =
    "SELECT survey_id, created_at FROM survey_responses WHERE member_id = $1 \
     UNION ALL SELECT survey_id, created_at FROM survey_dismissals WHERE member_id = $1";

/// What the group commit made of a response.
pub(crate) enum FastResponse {
    /// Stored: its id and flag.
    Stored(i64, String),
    /// The rate counter it was charged to is past its limit.
    Limited,
    /// Charged, but left to the caller: the reader had answered or the
    /// survey has a limit (counted under the survey's lock).
    Undecided,
}

pub(crate) fn json<T: serde::Serialize>(v: &T) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Other(format!("cannot encode: {e}")))
}

pub(crate) fn parse<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> StoreResult<T> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Other(format!("a stored {what} does not read back: {e}")))
}

pub(crate) fn survey(r: SurveyRow) -> StoreResult<Survey> {
    let (
        id,
        slug,
        status,
        definition,
        audience,
        opens_at,
        closes_at,
        limit,
        public,
        responses,
        created_at,
        updated_at,
    ) = r;
    Ok(Survey {
        id,
        slug,
        status: Status::parse(&status)
            .ok_or_else(|| StoreError::Other(format!("survey {id}: unknown status {status:?}")))?,
        definition: parse("survey definition", &definition)?,
        audience: parse("survey audience", &audience)?,
        opens_at,
        closes_at,
        response_limit: limit.map(|l| l.clamp(0, u32::MAX as i64) as u32),
        public_results: parse("list of public results", &public)?,
        responses: responses.max(0) as u64,
        created_at,
        updated_at,
    })
}

macro_rules! impl_survey_store {
    ($store:path, $lock:literal) => {
        mod survey_impl {
            use async_trait::async_trait;
            use chrono::{DateTime, Utc};
            use kawaraban_core::model::*;
            use kawaraban_core::store::*;
            use kawaraban_core::survey::Status;
            use kawaraban_core::StoreResult;

            use crate::error::map;
            use crate::surveys::{json, parse, survey, SurveyRow, SURVEY_SELECT, SURVEY_SELECT_UNCOUNTED};

            type ResponseRow = (i64, i64, i64, Option<i64>, String, String, bool, DateTime<Utc>);

            fn response(r: ResponseRow) -> StoreResult<SurveyResponse> {
                let (id, survey_id, site_id, member_id, answers, flagged, excluded, created_at) = r;
                Ok(SurveyResponse { id, survey_id, site_id, member_id, answers: parse("response", &answers)?, flagged, excluded, created_at })
            }

            fn who(r: &Respondent) -> (Option<i64>, Option<&str>) {
                match r {
                    Respondent::Member(id) => (Some(*id), None),
                    Respondent::Browser(b) => (None, Some(b.as_str())),
                }
            }

            #[async_trait]
            impl SurveyStore for $store {
                async fn create_survey(&self, s: &NewSurvey, now: DateTime<Utc>) -> StoreResult<Survey> {
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO surveys (slug, status, definition, audience, opens_at, closes_at, \
                           response_limit, public_results, created_at, updated_at) \
                         VALUES ($1, 'draft', $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id")
                        .bind(&s.slug).bind(json(&s.definition)?).bind(json(&s.audience)?)
                        .bind(s.opens_at).bind(s.closes_at).bind(s.response_limit.map(i64::from))
                        .bind(json(&s.public_results)?).bind(now)
                        .fetch_one(&self.pool).await.map_err(map)?;
                    self.survey(id).await?.ok_or(kawaraban_core::StoreError::NotFound)
                }

                async fn update_survey(&self, id: i64, s: &NewSurvey, now: DateTime<Utc>) -> StoreResult<Survey> {
                    let done = sqlx::query(
                        "UPDATE surveys SET slug = $2, definition = $3, audience = $4, opens_at = $5, \
                           closes_at = $6, response_limit = $7, public_results = $8, updated_at = $9 WHERE id = $1")
                        .bind(id).bind(&s.slug).bind(json(&s.definition)?).bind(json(&s.audience)?)
                        .bind(s.opens_at).bind(s.closes_at).bind(s.response_limit.map(i64::from))
                        .bind(json(&s.public_results)?).bind(now)
                        .execute(&self.pool).await.map_err(map)?;
                    if done.rows_affected() == 0 {
                        return Err(kawaraban_core::StoreError::NotFound);
                    }
                    self.survey(id).await?.ok_or(kawaraban_core::StoreError::NotFound)
                }

                async fn set_survey_status(&self, id: i64, status: Status, now: DateTime<Utc>) -> StoreResult<()> {
                    let done = sqlx::query("UPDATE surveys SET status = $2, updated_at = $3 WHERE id = $1")
                        .bind(id).bind(status.as_str()).bind(now)
                        .execute(&self.pool).await.map_err(map)?;
                    if done.rows_affected() == 0 {
                        return Err(kawaraban_core::StoreError::NotFound);
                    }
                    Ok(())
                }

                async fn survey(&self, id: i64) -> StoreResult<Option<Survey>> {
                    let row: Option<SurveyRow> = sqlx::query_as(&format!("{SURVEY_SELECT} WHERE s.id = $1"))
                        .bind(id).fetch_optional(&self.pool).await.map_err(map)?;
                    row.map(survey).transpose()
                }

                async fn survey_by_slug(&self, slug: &str, counted: bool) -> StoreResult<Option<Survey>> {
                    let select = if counted { SURVEY_SELECT } else { SURVEY_SELECT_UNCOUNTED };
                    let sql = format!("{select} WHERE s.slug = $1");
                    let row: Option<SurveyRow> = match self.fast_survey(&sql, slug).await {
                        Some(row) => row?,
                        None => sqlx::query_as(&sql).bind(slug).fetch_optional(&self.pool).await.map_err(map)?,
                    };
                    row.map(survey).transpose()
                }

                async fn surveys(&self) -> StoreResult<Vec<Survey>> {
                    let rows: Vec<SurveyRow> = sqlx::query_as(&format!("{SURVEY_SELECT} ORDER BY s.id DESC"))
                        .fetch_all(&self.pool).await.map_err(map)?;
                    rows.into_iter().map(survey).collect()
                }

                async fn add_response(&self, r: &NewResponse) -> StoreResult<ResponseOutcome> {
                    let (member, browser) = who(&r.respondent);
                    let since = r.at - chrono::Duration::minutes(BURST_MINUTES);
                    let answers = json(&r.answers)?;
                    let row = crate::surveys::ResponseInsert {
                        survey: r.survey_id, site: r.site_id, member, browser: browser.map(str::to_string),
                        address: r.address_hash.clone(), agent: r.agent_hash.clone(), answers, at: r.at, since,
                        burst: BURST_RESPONSES as i64,
                        flag: format!(" earlier responses from this address and browser within {BURST_MINUTES} minutes"),
                    };
                    // SQLite first tries its group commit, which stores the
                    // response only when the survey has no limit.
                    match self.fast_response(row.clone(), r.charge.clone()).await.transpose()? {
                        Some(crate::surveys::FastResponse::Stored(id, flagged)) => {
                            return Ok(ResponseOutcome::Stored { id, flagged: (!flagged.is_empty()).then_some(flagged) });
                        }
                        Some(crate::surveys::FastResponse::Limited) => return Ok(ResponseOutcome::Limited),
                        Some(crate::surveys::FastResponse::Undecided) => {}
                        // No group commit: the counter is its own write.
                        None => if let Some(c) = &r.charge {
                            if self.hit(&c.key, c.window_start).await? > c.max {
                                return Ok(ResponseOutcome::Limited);
                            }
                        },
                    }
                    let insert = sqlx::query_as::<_, (i64, String)>(crate::sql::INSERT_RESPONSE)
                        .bind(row.survey).bind(row.site).bind(row.member).bind(row.browser)
                        .bind(row.address).bind(row.agent).bind(row.answers).bind(row.at).bind(row.since)
                        .bind(row.burst).bind(row.flag);
                    // Without a limit, one statement, which counts the burst,
                    // flags and inserts (or meets the reader's earlier
                    // response) at once.
                    let limit: Option<(Option<i64>,)> = sqlx::query_as("SELECT response_limit FROM surveys WHERE id = $1")
                        .bind(r.survey_id).fetch_optional(&self.pool).await.map_err(map)?;
                    let Some((limit,)) = limit else {
                        return Err(kawaraban_core::StoreError::NotFound);
                    };
                    let stored: Option<(i64, String)> = match limit {
                        None => insert.fetch_optional(&self.pool).await.map_err(map)?,
                        Some(limit) => {
                            // Counted against the limit under the survey's lock.
                            let (_turn, mut tx) = self.write().await.map_err(map)?;
                            sqlx::query(concat!("SELECT response_limit FROM surveys WHERE id = $1 ", $lock))
                                .bind(r.survey_id).execute(&mut *tx).await.map_err(map)?;
                            let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM survey_responses WHERE survey_id = $1")
                                .bind(r.survey_id).fetch_one(&mut *tx).await.map_err(map)?;
                            if n >= limit {
                                return Ok(ResponseOutcome::Full);
                            }
                            let stored = insert.fetch_optional(&mut *tx).await.map_err(map)?;
                            tx.commit().await.map_err(map)?;
                            stored
                        }
                    };
                    Ok(match stored {
                        Some((id, flagged)) => ResponseOutcome::Stored { id, flagged: (!flagged.is_empty()).then_some(flagged) },
                        None => ResponseOutcome::Duplicate,
                    })
                }

                async fn responses(&self, survey_id: i64, f: &ResponseFilter) -> StoreResult<Vec<SurveyResponse>> {
                    let rows: Vec<ResponseRow> = sqlx::query_as(
                        "SELECT id, survey_id, site_id, member_id, answers, flagged, excluded, created_at \
                         FROM survey_responses WHERE survey_id = $1 \
                           AND ($2 = 0 OR site_id = $2) \
                           AND ($3 IS NULL OR created_at >= $3) AND ($4 IS NULL OR created_at < $4) \
                           AND ($5 = 0 OR ($5 = 1 AND member_id IS NOT NULL) OR ($5 = 2 AND member_id IS NULL)) \
                           AND ($6 = 0 OR ($6 = 1 AND flagged <> '') OR ($6 = 2 AND flagged = '')) \
                           AND ($7 = FALSE OR excluded = FALSE) \
                         ORDER BY id")
                        .bind(survey_id).bind(f.site_id.unwrap_or(0)).bind(f.from).bind(f.to)
                        .bind(match f.members { None => 0i64, Some(true) => 1, Some(false) => 2 })
                        .bind(match f.flagged { None => 0i64, Some(true) => 1, Some(false) => 2 })
                        .bind(f.without_excluded)
                        .fetch_all(&self.pool).await.map_err(map)?;
                    rows.into_iter().map(response).collect()
                }

                async fn has_responded(&self, survey_id: i64, who_: &Respondent) -> StoreResult<bool> {
                    let (member, browser) = who(who_);
                    let row: Option<(i64,)> = sqlx::query_as(
                        "SELECT id FROM survey_responses WHERE survey_id = $1 AND (member_id = $2 OR browser = $3)")
                        .bind(survey_id).bind(member).bind(browser)
                        .fetch_optional(&self.pool).await.map_err(map)?;
                    Ok(row.is_some())
                }

                async fn set_response_excluded(&self, survey_id: i64, id: i64, excluded: bool) -> StoreResult<bool> {
                    let done = sqlx::query("UPDATE survey_responses SET excluded = $3 WHERE survey_id = $1 AND id = $2")
                        .bind(survey_id).bind(id).bind(excluded)
                        .execute(&self.pool).await.map_err(map)?;
                    Ok(done.rows_affected() > 0)
                }

                async fn dismiss_survey(&self, survey_id: i64, member_id: i64, now: DateTime<Utc>) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO survey_dismissals (survey_id, member_id, created_at) VALUES ($1, $2, $3) \
                         ON CONFLICT DO NOTHING")
                        .bind(survey_id).bind(member_id).bind(now)
                        .execute(&self.pool).await.map_err(map)?;
                    Ok(())
                }

                async fn survey_history(&self, member_id: i64) -> StoreResult<SurveyHistory> {
                    // Read on every member's page that carries a survey slot:
                    // SQLite reads it on the calling thread.
                    let rows: Vec<(i64, DateTime<Utc>)> = match self.fast_id_times(crate::surveys::SURVEY_HISTORY, member_id).await {
                        Some(rows) => rows?,
                        None => sqlx::query_as(crate::surveys::SURVEY_HISTORY)
                            .bind(member_id).fetch_all(&self.pool).await.map_err(map)?,
                    };
                    let mut h = SurveyHistory::default();
                    for (id, at) in rows {
                        if h.last.is_none_or(|l| at > l) {
                            h.last = Some(at);
                        }
                        if !h.done.contains(&id) {
                            h.done.push(id);
                        }
                    }
                    h.done.sort_unstable();
                    Ok(h)
                }
            }
        }
    };
}
