//! `GET /desk/stories`: the stories of the site, newest first, filtered
//! by section, status, author, tag, dates and headline words, paged by a
//! cursor that stays put while stories are added; each row says who has
//! the story open now.

use axum::extract::Query;
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use kawaraban_core::desk::DeskStatus;
use kawaraban_core::local_time;
use kawaraban_core::model::{DeskQuery, DeskSort, Role};
use minijinja::context;
use serde::Deserialize;

use super::{editor::PRESENCE_SECONDS, role, Writer};
use crate::desk::render;
use crate::error::{AppError, AppResult};

/// Stories a page.
const PAGE: u32 = 50;

#[derive(Deserialize, Default, serde::Serialize)]
#[serde(default)]
pub struct Filters {
    section: String,
    status: String,
    author: String,
    tag: String,
    from: String,
    to: String,
    q: String,
    sort: String,
    after: String,
}

/// A cursor as the address carries it: `<microseconds>.<id>`.
fn cursor(text: &str) -> Option<(DateTime<Utc>, i64)> {
    let (t, id) = text.split_once('.')?;
    Some((
        DateTime::from_timestamp_micros(t.parse().ok()?)?,
        id.parse().ok()?,
    ))
}

fn cursor_text((t, id): (DateTime<Utc>, i64)) -> String {
    format!("{}.{id}", t.timestamp_micros())
}

fn bad(field: &str, value: &str, what: &str) -> AppError {
    AppError::bad_request(format!("{field}: \"{value}\" is not {what}"))
}

pub async fn page(Writer(v, viewer): Writer, Query(f): Query<Filters>) -> AppResult<Response> {
    let now = Utc::now();
    let tz = v.site.tz();
    let network = v.state.network.get();
    let nonempty = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let section_id = match nonempty(&f.section) {
        None => None,
        Some(s) => Some(
            network
                .section(v.site.id, &s)
                .ok_or_else(|| bad("section", &s, "a section of this site"))?
                .id,
        ),
    };
    let status = match nonempty(&f.status) {
        None => None,
        Some(s) => Some(DeskStatus::parse(&s).ok_or_else(|| {
            bad(
                "status",
                &s,
                "draft, submitted, scheduled, published or unpublished",
            )
        })?),
    };
    let day = |name: &str, text: &str| -> AppResult<Option<DateTime<Utc>>> {
        match nonempty(text) {
            None => Ok(None),
            Some(d) => {
                local_time::parse(name, &format!("{d}T00:00"), tz).map_err(AppError::bad_request)
            }
        }
    };
    let sort = match f.sort.as_str() {
        "" | "updated" => DeskSort::Updated,
        "published" => DeskSort::Published,
        s => return Err(bad("sort", s, "updated or published")),
    };
    let after = match nonempty(&f.after) {
        None => None,
        Some(a) => Some(cursor(&a).ok_or_else(|| bad("after", &a, "a page cursor"))?),
    };
    let q = DeskQuery {
        site_ids: vec![v.site.id],
        section_id,
        status,
        author: nonempty(&f.author).map(|a| kawaraban_core::slug::slugify(&a)),
        tag: nonempty(&f.tag).map(|t| kawaraban_core::slug::slugify(&t)),
        // Contributors and authors see their own stories.
        created_by: (role(&viewer) < Role::Editor).then_some(viewer.member.id),
        from: day("from", &f.from)?,
        before: day("to", &f.to)?.map(|d| d + Duration::days(1)),
        words: f.q.split_whitespace().map(str::to_string).collect(),
        sort,
        after,
        limit: PAGE + 1,
    };
    let mut rows = v.state.store.desk_stories(&q, now).await?;
    let more = rows.len() > PAGE as usize;
    rows.truncate(PAGE as usize);
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let present = v
        .state
        .store
        .presence(&ids, now - Duration::seconds(PRESENCE_SECONDS))
        .await?;
    let next = more
        .then(|| rows.last().map(|r| cursor_text((r.sort_time(sort), r.id))))
        .flatten();
    let stories: Vec<_> = rows
        .iter()
        .map(|r| {
            let st = DeskStatus::of(r.status, &r.workflow, r.published_at, now);
            let editing: Vec<&str> = present
                .iter()
                .filter(|p| p.article_id == r.id && p.member_id != viewer.member.id)
                .map(|p| p.name.as_str())
                .collect();
            context! {
                id => r.id, title => r.title.clone(), section => r.section_slug.clone(),
                status => st.as_str(), status_label => st.label(),
                url => st.is_out().then(|| format!("/{}/{}", r.section_slug, r.slug)),
                updated => crate::view::time_view(r.modified_at, tz).human,
                published => st.is_out().then(|| crate::view::time_view(r.published_at, tz).human),
                editing => editing.join(", "),
            }
        })
        .collect();
    let next_href = next.map(|n| {
        let mut u = url::form_urlencoded::Serializer::new(String::new());
        for (k, val) in [
            ("section", &f.section),
            ("status", &f.status),
            ("author", &f.author),
            ("tag", &f.tag),
            ("from", &f.from),
            ("to", &f.to),
            ("q", &f.q),
            ("sort", &f.sort),
        ] {
            if !val.is_empty() {
                u.append_pair(k, val);
            }
        }
        u.append_pair("after", &n);
        format!("/desk/stories?{}", u.finish())
    });
    let sections: Vec<_> = network
        .sections(v.site.id)
        .iter()
        .map(|s| context! { slug => s.slug.clone(), name => s.name.clone() })
        .collect();
    let statuses: Vec<_> = DeskStatus::ALL
        .iter()
        .map(|s| context! { value => s.as_str(), label => s.label() })
        .collect();
    render(
        &v,
        &viewer,
        "desk/stories.html",
        "Stories",
        "/desk/stories",
        context! { stories, next_href, filters => f, sections, statuses, paged => after.is_some() },
    )
}
