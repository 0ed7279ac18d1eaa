//! `kawaraban subscribers import|export`: a site's subscribers as CSV.
//!
//! The columns are `email,lists,status`: `lists` holds list keys separated
//! by `;`, `status` is `active` (the default), `paused` or `unsubscribed`.
//! Imported addresses count as confirmed: whoever imports them vouches for
//! their consent. A bad row is reported with its line number and skipped;
//! the good rows are kept.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use chrono::Utc;
use kawaraban_core::identity::parse_email;
use kawaraban_core::model::{MailingList, SubscriberStatus};
use kawaraban_core::spreadsheet::{escape_cell, unescape_cell};

use crate::cli::{Global, SubscribersCommand};
use crate::context::Paths;

const BATCH: u32 = 1000;

pub async fn run(global: &Global, cmd: SubscribersCommand) -> anyhow::Result<ExitCode> {
    let paths = Paths::from(global)?;
    let store = paths.connect(2).await?;
    let (site_key, file) = match &cmd {
        SubscribersCommand::Import { site, file } => (site.clone(), Some(file.clone())),
        SubscribersCommand::Export { site, .. } => (site.clone(), None),
    };
    let site = crate::context::site(&*store, &site_key).await?;
    let lists = store.lists(site.id).await?;
    match cmd {
        SubscribersCommand::Import { .. } => {
            import(&*store, site.id, &lists, file.expect("import names a file")).await
        }
        SubscribersCommand::Export { out, .. } => export(&*store, site.id, &lists, out).await,
    }
}

/// Why a row was not imported, or what to store.
fn parse_row(
    lists: &[MailingList],
    record: &csv::StringRecord,
    columns: &Columns,
) -> Result<(String, String, SubscriberStatus, Vec<i64>), String> {
    // Cells as `export` escaped them (see `kawaraban_core::spreadsheet`).
    let cell = |i: usize| unescape_cell(record.get(i).unwrap_or("").trim());
    let raw = cell(columns.email);
    let email = parse_email(raw).map_err(|e| format!("email {raw:?}: {e}"))?;
    let mut ids = Vec::new();
    if let Some(i) = columns.lists {
        for key in cell(i).split(';').map(str::trim).filter(|k| !k.is_empty()) {
            let list = lists
                .iter()
                .find(|l| l.key == key)
                .ok_or_else(|| format!("no list {key:?} on this site"))?;
            ids.push(list.id);
        }
    }
    let status = match columns.status.map(|i| cell(i).trim()) {
        None | Some("") => SubscriberStatus::Active,
        Some(s) => match SubscriberStatus::parse(s) {
            Some(SubscriberStatus::Pending) | None => {
                return Err(format!("status {s:?}: use active, paused or unsubscribed"))
            }
            Some(s) => s,
        },
    };
    Ok((email.email, email.norm, status, ids))
}

struct Columns {
    email: usize,
    lists: Option<usize>,
    status: Option<usize>,
}

async fn import(
    store: &dyn kawaraban_core::store::Store,
    site_id: i64,
    lists: &[MailingList],
    file: PathBuf,
) -> anyhow::Result<ExitCode> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_path(&file)
        .with_context(|| format!("cannot read {}", file.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("{}: no header line", file.display()))?
        .clone();
    let find = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let columns = Columns {
        email: find("email").ok_or_else(|| {
            anyhow::anyhow!(
                "{}:1: the header needs an `email` column (and may have `lists` and `status`)",
                file.display()
            )
        })?,
        lists: find("lists"),
        status: find("status"),
    };
    let now = Utc::now();
    let (mut created, mut updated, mut failed) = (0u64, 0u64, 0u64);
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let result = match record {
            Err(e) => Err(e.to_string()),
            Ok(r) => parse_row(lists, &r, &columns),
        };
        match result {
            Err(why) => {
                failed += 1;
                eprintln!("{}:{line}: {why}", file.display());
            }
            Ok((email, norm, status, ids)) => {
                if store.is_suppressed(&norm).await? {
                    failed += 1;
                    eprintln!("{}:{line}: {email} is on the suppression list (bounced or complained); skipped", file.display());
                    continue;
                }
                if store
                    .import_subscriber(site_id, &email, &norm, status, &ids, now)
                    .await?
                {
                    created += 1;
                } else {
                    updated += 1;
                }
            }
        }
    }
    println!("imported {created}, updated {updated}, failed {failed}");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

async fn export(
    store: &dyn kawaraban_core::store::Store,
    site_id: i64,
    lists: &[MailingList],
    out: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let sink: Box<dyn std::io::Write> = match &out {
        Some(p) => Box::new(
            std::fs::File::create(p).with_context(|| format!("cannot write {}", p.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(sink));
    // Every cell through `escape_cell`, so no address runs as a formula.
    let row = |cells: [&str; 4]| cells.map(|c| escape_cell(c).into_owned());
    w.write_record(row(["email", "lists", "status", "confirmed_at"]))?;
    let mut after = 0;
    let mut n = 0u64;
    loop {
        let page = store.subscribers_page(site_id, after, BATCH).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for s in &page {
            let keys: Vec<&str> = s
                .lists
                .iter()
                .filter_map(|id| lists.iter().find(|l| l.id == *id).map(|l| l.key.as_str()))
                .collect();
            let confirmed = s.confirmed_at.map(|t| t.to_rfc3339()).unwrap_or_default();
            w.write_record(row([
                s.email.as_str(),
                &keys.join(";"),
                s.status.as_str(),
                &confirmed,
            ]))?;
            n += 1;
        }
    }
    w.flush()?;
    drop(w);
    if let Some(p) = out {
        println!("exported {n} subscribers to {}", p.display());
    } else {
        std::io::stdout().flush()?;
    }
    Ok(ExitCode::SUCCESS)
}
