//! `/desk/analytics`: what readers are reading, for editors. Every table
//! is built once ([`Table`]) and shown either as HTML or as CSV
//! (`/desk/analytics.csv?table=…`, the same filters).
//!
//! Grains: "now" and "last hour" read the minute rows, "24 hours" and the
//! 48-hour chart the hourly ones, "7 days" and any date range the daily
//! ones (so a range is whole UTC days).

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, Query};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use kawaraban_core::analytics::{ArticleTotals, Grain, Span, MINUTES_PER_DAY};
use kawaraban_core::authz::Action;
use minijinja::context;

use super::chart::{self, Bar};
use super::filters::Filters;
use super::table::{Cell, Table};
use crate::desk::{render, staff};
use crate::error::{AppError, AppResult};
use crate::members::{field, Fields, Visit};
use crate::network::Network;

/// Rows in a table of top stories.
const TOP: u32 = 20;

/// What a table covers, for its key.
fn span_of(key: &str, f: &Filters, now: i64, article: Option<i64>) -> Option<(Span, String)> {
    let s = |grain, from, to| Span {
        grain,
        from,
        to,
        site_id: f.site,
        article_id: article,
    };
    let (range_from, range_to) = f.range_minutes();
    Some(match key {
        "now" => (
            s(Grain::Minute, now - 4, now + 1),
            "Readers now (last 5 minutes)".into(),
        ),
        "hour" => (
            s(Grain::Minute, now - 59, now + 1),
            "Top stories, last hour".into(),
        ),
        "day" => (
            s(Grain::Hour, now - 24 * 60 + 1, now + 1),
            "Top stories, last 24 hours".into(),
        ),
        "week" => (
            s(Grain::Day, now - 7 * MINUTES_PER_DAY + 1, now + 1),
            "Top stories, last 7 days".into(),
        ),
        "range" | "sections" | "referrers" => {
            let title = match key {
                "range" => "Top stories",
                "sections" => "Views by section",
                _ => "Where readers came from",
            };
            (
                s(Grain::Day, range_from, range_to),
                format!("{title}, {} to {}", f.from, f.to),
            )
        }
        "hourly" => (
            // This hour and the 47 before it: 48 bars.
            s(Grain::Hour, (Grain::Hour.bucket(now) - 47) * 60, now + 1),
            "Views per hour, last 48 hours".into(),
        ),
        _ => return None,
    })
}

/// The keys of the tables on the dashboard, in order.
const DASHBOARD: &[&str] = &[
    "now",
    "hour",
    "day",
    "week",
    "range",
    "sections",
    "referrers",
];

/// Builds one table.
async fn table(
    v: &Visit,
    key: &'static str,
    f: &Filters,
    now: DateTime<Utc>,
    article: Option<i64>,
) -> AppResult<Table> {
    let now_min = now.timestamp().div_euclid(60);
    let (span, title) = span_of(key, f, now_min, article)
        .ok_or_else(|| AppError::bad_request(format!("table: there is no table \"{key}\".")))?;
    let network = v.state.network.get();
    let site_name = |id: i64| {
        network
            .sites
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.name.clone())
            .unwrap_or_default()
    };
    let store = &v.state.store;
    let mut csv = format!("/desk/analytics.csv?table={key}&{}", f.query());
    if let Some(a) = article {
        csv.push_str(&format!("&article={a}"));
    }
    let (columns, rows): (Vec<&'static str>, Vec<Vec<Cell>>) = match key {
        "sections" => (
            vec!["Site", "Section", "Views", "Readers"],
            store
                .section_totals(&span)
                .await?
                .into_iter()
                .map(|(site, name, views, readers)| {
                    vec![
                        Cell::text(site_name(site)),
                        Cell::text(name),
                        Cell::num(views),
                        Cell::num(readers),
                    ]
                })
                .collect(),
        ),
        "referrers" => (
            vec!["Kind", "Host", "Views"],
            store
                .referrer_totals(&span)
                .await?
                .into_iter()
                .map(|(kind, host, views)| {
                    vec![
                        Cell::text(kind.as_str()),
                        Cell::text(host),
                        Cell::num(views),
                    ]
                })
                .collect(),
        ),
        "hourly" => {
            let tz = v.site.tz();
            (
                vec!["Hour", "Views", "Readers"],
                hourly(store.series(&span).await?, span.from, span.to)
                    .into_iter()
                    .map(|(minute, views, readers)| {
                        vec![
                            Cell::text(hour_label(minute, tz, true)),
                            Cell::num(views),
                            Cell::num(readers),
                        ]
                    })
                    .collect(),
            )
        }
        _ => (
            vec!["Story", "Site", "Section", "Readers", "Views"],
            top_stories(v, &span, now)
                .await?
                .into_iter()
                .map(|t| {
                    vec![
                        Cell::link(t.title, format!("/desk/analytics/article/{}", t.article_id)),
                        Cell::text(site_name(t.site_id)),
                        Cell::text(t.section_name),
                        Cell::num(t.readers),
                        Cell::num(t.views),
                    ]
                })
                .collect(),
        ),
    };
    Ok(Table {
        key,
        title,
        columns: columns.into_iter().map(Into::into).collect(),
        rows,
        csv,
    })
}

/// The most read stories of a span: over whole days from the last month
/// in memory (`analytics::days`), otherwise summed by the database.
async fn top_stories(v: &Visit, span: &Span, now: DateTime<Utc>) -> AppResult<Vec<ArticleTotals>> {
    let today = now.timestamp().div_euclid(86_400);
    let store = &*v.state.store;
    let Some(sums) = v.state.days.top(store, span, TOP as usize, today).await? else {
        return Ok(store.top_articles(span, TOP).await?);
    };
    let ids: Vec<i64> = sums.iter().map(|s| s.article_id).collect();
    let found: HashMap<i64, kawaraban_core::model::ArticleSummary> = store
        .summaries_by_id(&ids, now)
        .await?
        .into_iter()
        .map(|(_, a)| (a.id, a))
        .collect();
    Ok(sums
        .into_iter()
        .filter_map(|s| {
            let a = found.get(&s.article_id)?;
            Some(ArticleTotals {
                article_id: s.article_id,
                site_id: s.site_id,
                title: a.title.clone(),
                section_name: a.section_name.clone(),
                path: a.path(),
                views: s.views,
                readers: s.readers,
            })
        })
        .collect())
}

/// Several tables at once: the queries run side by side, and a table
/// whose query is another's (the last 7 days and the default range) is
/// read once.
async fn tables(
    v: &Visit,
    keys: &[&'static str],
    f: &Filters,
    now: DateTime<Utc>,
    article: Option<i64>,
) -> AppResult<Vec<Table>> {
    let now_min = now.timestamp().div_euclid(60);
    let query_of = |key: &'static str| {
        let kind: &'static str = match key {
            "sections" | "referrers" | "hourly" => key,
            _ => "top",
        };
        span_of(key, f, now_min, article).map(|(span, _)| (kind, span))
    };
    let mut first: Vec<usize> = Vec::with_capacity(keys.len());
    for (i, k) in keys.iter().enumerate() {
        let same = keys[..i].iter().position(|e| query_of(e) == query_of(k));
        first.push(same.unwrap_or(i));
    }
    let read = futures::future::try_join_all(
        keys.iter()
            .enumerate()
            .filter(|(i, _)| first[*i] == *i)
            .map(|(_, k)| table(v, k, f, now, article)),
    )
    .await?;
    let mut read = read.into_iter();
    let mut out: Vec<Table> = Vec::with_capacity(keys.len());
    for (i, k) in keys.iter().enumerate() {
        if first[i] == i {
            out.push(read.next().expect("one table per query"));
        } else {
            let (_, title) = span_of(k, f, now_min, article).expect("a known table");
            let mut t = out[first[i]].clone();
            t.csv = t
                .csv
                .replacen(&format!("table={}", t.key), &format!("table={k}"), 1);
            t.key = k;
            t.title = title;
            out.push(t);
        }
    }
    Ok(out)
}

/// Every hour of a span, the empty ones with zeros.
fn hourly(
    series: Vec<kawaraban_core::analytics::Bucket>,
    from: i64,
    to: i64,
) -> Vec<(i64, i64, i64)> {
    let got: HashMap<i64, (i64, i64)> = series
        .into_iter()
        .map(|b| (b.minute, (b.views, b.readers)))
        .collect();
    let first = Grain::Hour.bucket(from);
    let last = Grain::Hour.bucket(to - 1);
    (first..=last)
        .map(|h| {
            let (views, readers) = got.get(&(h * 60)).copied().unwrap_or((0, 0));
            (h * 60, views, readers)
        })
        .collect()
}

fn hour_label(minute: i64, tz: Tz, with_day: bool) -> String {
    let t = Utc
        .timestamp_opt(minute * 60, 0)
        .single()
        .unwrap_or_default()
        .with_timezone(&tz);
    if with_day {
        t.format("%b %-d %H:00").to_string()
    } else {
        t.format("%H:00").to_string()
    }
}

/// The 48-hour chart of a table of hours.
fn chart_of(t: &Table) -> String {
    let bars: Vec<Bar> = t
        .rows
        .iter()
        .map(|r| Bar {
            label: r[0].text.clone(),
            value: r[1].text.parse().unwrap_or(0),
        })
        .collect();
    chart::bars(&t.title, &bars, 6)
}

/// Readers and views in the last five minutes, per site of the network.
async fn sites_now(v: &Visit, now: DateTime<Utc>) -> AppResult<Vec<Vec<Cell>>> {
    let now_min = now.timestamp().div_euclid(60);
    let rows = v
        .state
        .store
        .counts_in(&Span::all(Grain::Minute, now_min - 4, now_min + 1))
        .await?;
    let mut by_site: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for r in rows {
        let e = by_site.entry(r.site_id).or_default();
        e.0 += r.readers;
        e.1 += r.views;
    }
    let network = v.state.network.get();
    Ok(network
        .sites
        .iter()
        .map(|s| {
            let (readers, views) = by_site.get(&s.id).copied().unwrap_or_default();
            vec![
                Cell::text(s.name.clone()),
                Cell::num(readers),
                Cell::num(views),
            ]
        })
        .collect())
}

fn site_options(network: &Network, f: &Filters) -> Vec<minijinja::Value> {
    network
        .sites
        .iter()
        .map(|s| context! { key => s.key, name => s.name, selected => f.site == Some(s.id) })
        .collect()
}

fn today() -> (DateTime<Utc>, NaiveDate) {
    let now = Utc::now();
    (now, now.date_naive())
}

/// `GET /desk/analytics`.
pub async fn page(v: Visit, Query(q): Query<Fields>) -> AppResult<Response> {
    let viewer = match staff(&v, Action::Edit, "/desk/analytics") {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    let (now, day) = today();
    let network = v.state.network.get();
    let f = Filters::parse(&q, &network, day)?;
    let mut keys = DASHBOARD.to_vec();
    keys.push("hourly");
    let mut tables = tables(&v, &keys, &f, now, None).await?;
    let hours = tables.pop().expect("the hourly table");
    render(
        &v,
        &viewer,
        "desk/analytics.html",
        "Analytics",
        "/desk/analytics",
        context! {
            sites => site_options(&network, &f),
            from => f.from.to_string(),
            to => f.to.to_string(),
            sites_now => sites_now(&v, now).await?,
            chart => chart_of(&hours),
            hours,
            tables,
            site_filter => f.site_key,
        },
    )
}

/// `GET /desk/analytics/article/{id}`: one story's curve and referrers.
pub async fn article(
    v: Visit,
    Path(id): Path<i64>,
    Query(q): Query<Fields>,
) -> AppResult<Response> {
    let here = format!("/desk/analytics/article/{id}");
    let viewer = match staff(&v, Action::Edit, &here) {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    let (now, day) = today();
    let network = v.state.network.get();
    let mut f = Filters::parse(&q, &network, day)?;
    let story = v
        .state
        .store
        .article_ref(id, now)
        .await?
        .ok_or(AppError::NotFound)?;
    f.site = None;
    let site = network
        .sites
        .iter()
        .find(|s| s.id == story.site_id)
        .cloned();
    let mut read = tables(
        &v,
        &["hourly", "referrers", "now", "hour", "day", "week", "range"],
        &f,
        now,
        Some(id),
    )
    .await?
    .into_iter();
    let hours = read.next().expect("the hourly table");
    let tables: Vec<Table> = read.next().into_iter().collect();
    let mut totals = Vec::new();
    for t in read {
        let (readers, views) = t
            .rows
            .first()
            .map(|r| (r[3].text.clone(), r[4].text.clone()))
            .unwrap_or(("0".into(), "0".into()));
        totals.push(context! { title => t.title, readers, views });
    }
    render(
        &v,
        &viewer,
        "desk/analytics_article.html",
        &story.title,
        "/desk/analytics",
        context! {
            story => context! {
                title => story.title,
                url => site.as_ref().map(|s| s.absolute(&story.path())).unwrap_or_else(|| story.path()),
                site => site.as_ref().map(|s| s.name.clone()).unwrap_or_default(),
            },
            id,
            from => f.from.to_string(),
            to => f.to.to_string(),
            chart => chart_of(&hours),
            hours,
            tables,
            totals,
        },
    )
}

/// `GET /desk/analytics.csv?table=…`: one table as CSV.
pub async fn export(v: Visit, Query(q): Query<Fields>) -> AppResult<Response> {
    let viewer = staff(&v, Action::Edit, "/desk/analytics");
    if let Err(r) = viewer {
        return Ok(*r);
    }
    let (now, day) = today();
    let network = v.state.network.get();
    let f = Filters::parse(&q, &network, day)?;
    let article = match field(&q, "article").trim() {
        "" => None,
        a => Some(a.parse::<i64>().map_err(|_| {
            AppError::bad_request(format!("article: \"{a}\" is not an article id."))
        })?),
    };
    let key = field(&q, "table");
    let key: &'static str = DASHBOARD
        .iter()
        .chain(&["hourly"])
        .find(|k| **k == key)
        .ok_or_else(|| AppError::bad_request(format!("table: there is no table \"{key}\".")))?;
    let t = table(&v, key, &f, now, article).await?;
    let name = format!("kawaraban-{key}-{}-{}.csv", f.from, f.to);
    Ok(super::table::csv_download(&name, t.to_csv()))
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hourly_chart_has_48_bars_at_any_minute() {
        let f = Filters {
            site: None,
            site_key: String::new(),
            from: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 12, 4).unwrap(),
        };
        for now in [29_894_940, 29_894_941, 29_894_999] {
            let (span, _) = span_of("hourly", &f, now, None).unwrap();
            assert_eq!(
                hourly(Vec::new(), span.from, span.to).len(),
                48,
                "at minute {now}"
            );
        }
    }
}
