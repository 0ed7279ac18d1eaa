//! `kawaraban generate`: synthetic articles for benchmarks, either stored
//! in bulk (one transaction per thousand) or written as import files.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use chrono::{SubsecRound, Utc};
use kawaraban_content::demo::{self, artwork};
use kawaraban_content::synthetic::Synth;
use kawaraban_content::MediaDir;
use kawaraban_core::model::Site;

use crate::cli::{GenerateArgs, Global};
use crate::context::Paths;

mod comments;

const BATCH: usize = 1000;

pub async fn run(global: &Global, args: GenerateArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let paths = Paths::from(global)?;
    let store = paths.connect(4).await?;
    // The demo sites and sections, so the output can be served at once.
    for site in demo::sites(8080) {
        store.upsert_site(&site).await?;
    }
    let site: Site = crate::context::site(&*store, &args.site).await?;
    let slugs = demo::SECTIONS
        .iter()
        .find(|(k, _)| *k == site.key)
        .map(|(_, s)| *s)
        .unwrap_or(&["news"]);
    let mut sections = Vec::new();
    for slug in slugs {
        sections.push(
            store
                .ensure_section(
                    site.id,
                    slug,
                    &kawaraban_content::import::section_name(slug),
                )
                .await?
                .0,
        );
    }
    let mut synth = Synth::new(args.seed);
    let newest = Utc::now().trunc_subsecs(0) - chrono::Duration::minutes(1);
    let picture = artwork::paint_jpeg("synthetic");

    if let Some(dir) = &args.files {
        std::fs::create_dir_all(dir.join("img"))
            .with_context(|| format!("cannot create {}", dir.display()))?;
        std::fs::write(dir.join("img/hero.jpg"), &picture)?;
        for i in 0..args.articles {
            let a = synth.article(i, newest, sections.len());
            let text = a.to_markdown(
                &site.key,
                &sections[a.section_index].slug,
                Some("img/hero.jpg"),
            );
            std::fs::write(dir.join(format!("a{i:07}.md")), text)?;
        }
        println!(
            "wrote {} import files to {} in {:.2}s",
            args.articles,
            dir.display(),
            started.elapsed().as_secs_f64()
        );
        return Ok(ExitCode::SUCCESS);
    }

    let media = MediaDir::new(&paths.media_dir);
    let image = store
        .put_image(&tokio::task::spawn_blocking(move || media.process(&picture)).await??)
        .await?;
    let mut batch = Vec::with_capacity(BATCH);
    for i in 0..args.articles {
        let a = synth.article(i, newest, sections.len());
        batch.push(a.to_input(site.id, sections[a.section_index].id, Some(image.id)));
        if batch.len() == BATCH {
            store.upsert_articles(&batch).await?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        store.upsert_articles(&batch).await?;
    }
    store
        .publish_invalidations(&[format!("list:{}", site.id)])
        .await?;
    println!(
        "generated {} articles in {:.2}s",
        args.articles,
        started.elapsed().as_secs_f64()
    );
    if args.history_days > 0 {
        let t = Instant::now();
        let n = kawaraban_content::synthetic::history(
            &*store,
            site.id,
            i64::from(args.history_days),
            Utc::now(),
        )
        .await?;
        println!(
            "wrote a {}-day reading history ({n} tallies) in {:.2}s",
            args.history_days,
            t.elapsed().as_secs_f64()
        );
    }
    if args.comments > 0 || args.sessions.is_some() {
        comments::generate(&*store, &site, &args).await?;
    }
    if args.subscribers > 0 {
        subscribers(&*store, &site, &args).await?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `--subscribers N`: active subscribers of one list, in bulk.
async fn subscribers(
    store: &dyn kawaraban_core::store::Store,
    site: &Site,
    args: &GenerateArgs,
) -> anyhow::Result<()> {
    use kawaraban_core::model::{ListKind, NewList};
    let started = Instant::now();
    let now = Utc::now();
    let list = match store
        .lists(site.id)
        .await?
        .into_iter()
        .find(|l| l.key == args.list)
    {
        Some(l) => l,
        None => {
            store
                .upsert_list(
                    &NewList {
                        site_id: site.id,
                        key: args.list.clone(),
                        name: "Generated list".into(),
                        description: String::new(),
                        kind: ListKind::Newsletter,
                        section_id: None,
                        position: 100,
                        send_time: None,
                    },
                    now,
                )
                .await?
        }
    };
    let mut added = 0;
    let mut batch = Vec::with_capacity(10_000);
    for i in 0..args.subscribers {
        batch.push(format!("subscriber-{i}@generated.invalid"));
        if batch.len() == 10_000 {
            added += store.bulk_subscribe(site.id, list.id, &batch, now).await?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        added += store.bulk_subscribe(site.id, list.id, &batch, now).await?;
    }
    println!(
        "generated {added} subscribers of {} in {:.2}s",
        list.key,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
