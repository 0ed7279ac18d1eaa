//! `kawaraban survey create|list|open|close|results|rest-days`: the desk's
//! survey actions from the command line, each in the audit log.

use std::process::ExitCode;

use anyhow::Context;
use chrono::Utc;
use kawaraban_core::model::{NewSurvey, ResponseFilter, Survey};
use kawaraban_core::store::Store;
use kawaraban_core::survey::audience::Audience;
use kawaraban_core::survey::{results, Definition, Status};
use kawaraban_web::engagement::{self, desk_surveys};

use crate::cli::{Global, SurveyCommand};
use crate::context::Paths;

async fn find(store: &dyn Store, slug: &str) -> anyhow::Result<Survey> {
    store
        .survey_by_slug(slug, true)
        .await?
        .ok_or_else(|| anyhow::anyhow!("there is no survey {slug:?} (see `kawaraban survey list`)"))
}

/// Tells every running server (and the pages) of the change.
async fn announce(store: &dyn Store, action: &str, s: &Survey) -> anyhow::Result<()> {
    let now = Utc::now();
    store
        .audit(
            None,
            action,
            &format!("survey:{}", s.id),
            &s.definition.title,
            now,
        )
        .await?;
    store
        .publish_invalidations(&[engagement::TAG.to_string()])
        .await?;
    Ok(())
}

pub async fn run(global: &Global, cmd: SurveyCommand) -> anyhow::Result<ExitCode> {
    let paths = Paths::from(global)?;
    let store = paths.connect(2).await?;
    let now = Utc::now();
    match cmd {
        SurveyCommand::Create(a) => {
            let text = std::fs::read_to_string(&a.file)
                .with_context(|| format!("cannot read {}", a.file.display()))?;
            let definition = Definition::from_yaml(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", a.file.display()))?;
            let sites = store.list_sites().await?;
            if let Some(bad) = a.sites.iter().find(|k| !sites.iter().any(|s| &s.key == *k)) {
                anyhow::bail!("--sites: there is no site {bad:?}");
            }
            for id in &a.public {
                if definition.question(*id).is_none() {
                    anyhow::bail!("--public: {} has no question {id}", a.file.display());
                }
            }
            let new = NewSurvey {
                slug: a.slug,
                definition,
                audience: Audience {
                    sites: a.sites,
                    sections: a.sections,
                    members_only: a.members_only,
                    share: a.share,
                },
                opens_at: None,
                closes_at: None,
                response_limit: a.limit,
                public_results: a.public,
            };
            let s = store.create_survey(&new, now).await.map_err(|e| match e {
                kawaraban_core::StoreError::Conflict(_) => {
                    anyhow::anyhow!("--slug: {:?} is taken by another survey", new.slug)
                }
                e => e.into(),
            })?;
            announce(&*store, "survey.create", &s).await?;
            if a.open {
                store.set_survey_status(s.id, Status::Open, now).await?;
                announce(&*store, "survey.open", &s).await?;
            }
            println!(
                "survey {} created{}: /surveys/{}",
                s.id,
                if a.open { " and open" } else { " (draft)" },
                s.slug
            );
        }
        SurveyCommand::List => {
            for s in store.surveys().await? {
                println!(
                    "{}\t{}\t{}\t{} responses\t{}",
                    s.id,
                    s.slug,
                    s.status.as_str(),
                    s.responses,
                    s.definition.title
                );
            }
        }
        SurveyCommand::Open { slug } => {
            let s = find(&*store, &slug).await?;
            store.set_survey_status(s.id, Status::Open, now).await?;
            announce(&*store, "survey.open", &s).await?;
            println!("{slug}: open");
        }
        SurveyCommand::Close { slug } => {
            let s = find(&*store, &slug).await?;
            store.set_survey_status(s.id, Status::Closed, now).await?;
            announce(&*store, "survey.close", &s).await?;
            println!("{slug}: closed");
        }
        SurveyCommand::Results { slug, csv } => {
            let s = find(&*store, &slug).await?;
            let responses = store.responses(s.id, &ResponseFilter::counted()).await?;
            match csv.as_deref() {
                Some("responses") => {
                    let network = kawaraban_web::network::Network::load(&*store).await?;
                    print!(
                        "{}",
                        desk_surveys::responses_table(&s, &responses, &network).to_csv()
                    );
                }
                Some("summary") => {
                    print!("{}", desk_surveys::summary_table(&s, &responses).to_csv())
                }
                Some(other) => anyhow::bail!("--csv: {other:?} is not responses or summary"),
                None => {
                    println!(
                        "{} ({} responses counted)",
                        s.definition.title,
                        responses.len()
                    );
                    for q in
                        results::tally(&s.definition, responses.iter().map(|r| &r.answers), None)
                    {
                        println!("\n{}. {} ({} answered)", q.id, q.prompt, q.answered);
                        for b in &q.bars {
                            println!("  {:<30} {:>6} {:>5.1}%", b.label, b.count, b.percent);
                        }
                        for (st, bars) in &q.rows {
                            println!("  {st}");
                            for b in bars {
                                println!("    {:<28} {:>6} {:>5.1}%", b.label, b.count, b.percent);
                            }
                        }
                        if let Some(m) = q.mean {
                            println!("  mean {m:.2}");
                        }
                        if let Some(n) = q.nps {
                            println!("  Net Promoter Score {n}");
                        }
                        for t in q.texts.iter().take(20) {
                            println!("  - {t}");
                        }
                    }
                }
            }
        }
        SurveyCommand::RestDays { days } => {
            if let Some(d) = days {
                if d > 365 {
                    anyhow::bail!("days: at most 365");
                }
                store
                    .set_setting(engagement::REST_DAYS_SETTING, &d.to_string())
                    .await?;
                store
                    .audit(
                        None,
                        "survey.rest_days",
                        "network",
                        &format!("{d} days"),
                        now,
                    )
                    .await?;
                store
                    .publish_invalidations(&[engagement::TAG.to_string()])
                    .await?;
            }
            println!(
                "readers rest {} days between surveys",
                engagement::rest_days(&*store).await?
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
