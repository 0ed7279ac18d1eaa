//! `kawaraban newsletter lists|add-list|send`: a site's mailing lists and
//! its campaigns.

use std::process::ExitCode;

use chrono::Utc;
use kawaraban_core::model::{ListKind, NewList};

use crate::cli::{Global, NewsletterCommand};
use crate::context::Paths;

pub async fn run(global: &Global, cmd: NewsletterCommand) -> anyhow::Result<ExitCode> {
    let paths = Paths::from(global)?;
    let store = paths.connect(2).await?;
    match cmd {
        NewsletterCommand::Lists { site } => {
            let site = crate::context::site(&*store, &site).await?;
            let lists = store.lists(site.id).await?;
            if lists.is_empty() {
                println!(
                    "{} has no mailing lists: add one with `kawaraban newsletter add-list`",
                    site.key
                );
            }
            for l in lists {
                println!("{:<20} {:<10} {}", l.key, l.kind.as_str(), l.name);
            }
        }
        NewsletterCommand::AddList(a) => {
            let site = crate::context::site(&*store, &a.site).await?;
            let kind = ListKind::parse(&a.kind).ok_or_else(|| {
                anyhow::anyhow!(
                    "--kind is digest, breaking, section or newsletter (got {:?})",
                    a.kind
                )
            })?;
            let section_id = match &a.section {
                Some(slug) => Some(
                    store
                        .list_sections()
                        .await?
                        .into_iter()
                        .find(|s| s.site_id == site.id && &s.slug == slug)
                        .ok_or_else(|| anyhow::anyhow!("{} has no section {slug:?}", site.key))?
                        .id,
                ),
                None => None,
            };
            let list = NewList {
                site_id: site.id,
                key: a.key,
                name: a.name,
                description: a.description,
                kind,
                section_id,
                position: a.position,
                send_time: a.send_time,
            };
            list.validate().map_err(anyhow::Error::msg)?;
            let stored = store.upsert_list(&list, Utc::now()).await?;
            // Pages that show the signup form pick up the list.
            store.publish_invalidations(&["network".into()]).await?;
            println!(
                "list {} ({}) on {}: {}",
                stored.key,
                stored.kind.as_str(),
                site.key,
                stored.name
            );
        }
        NewsletterCommand::Send(a) => return send(global, &paths, store, a).await,
        NewsletterCommand::ReportUrl { site } => {
            let site = crate::context::site(&*store, &site).await?;
            let state = kawaraban_web::AppState::new(
                store.clone(),
                crate::context::web_config(global, &paths)?,
            )
            .await
            .map_err(anyhow::Error::msg)?;
            let key = kawaraban_web::newsletters::reports::report_key(&state);
            println!("{}", site.absolute(&format!("/newsletters/reports/{key}")));
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn send(
    global: &Global,
    paths: &Paths,
    store: std::sync::Arc<dyn kawaraban_core::store::Store>,
    a: crate::cli::SendArgs,
) -> anyhow::Result<ExitCode> {
    use kawaraban_web::newsletters::campaigns::{self, Draft};
    let state =
        kawaraban_web::AppState::new(store.clone(), crate::context::web_config(global, paths)?)
            .await
            .map_err(anyhow::Error::msg)?;
    let network = state.network.get();
    let site = network
        .sites
        .iter()
        .find(|s| s.key == a.site)
        .ok_or_else(|| anyhow::anyhow!("no site with key {:?}", a.site))?;
    let list = store
        .lists(site.id)
        .await?
        .into_iter()
        .find(|l| l.key == a.list)
        .ok_or_else(|| anyhow::anyhow!("{} has no list {:?}", site.key, a.list))?;
    let digest = list.kind == kawaraban_core::model::ListKind::Digest && a.from_template.is_none();
    let extra = if digest {
        kawaraban_web::newsletters::schedule::digest_stories(&state, site, Utc::now())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "no stories published today on {}: nothing for a digest",
                    site.key
                )
            })?
    } else {
        minijinja::context! {}
    };
    let template = a
        .from_template
        .clone()
        .unwrap_or_else(|| if digest { "digest" } else { "letter" }.to_string());
    let draft = Draft {
        site,
        list: &list,
        template: &template,
        subject: a.subject.as_deref(),
        preheader: &a.preheader,
        kind: if digest { "digest" } else { "campaign" },
        dedupe_key: None,
        extra,
    };
    if a.dry_run {
        let (subject, text, _) = campaigns::render(&state, &draft)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let audience = store.list_audience(list.id).await?;
        println!(
            "would send to {audience} subscribers of {} ({})",
            list.name, list.key
        );
        println!("Subject: {subject}\n");
        println!("{text}");
        return Ok(ExitCode::SUCCESS);
    }
    let t = std::time::Instant::now();
    let Some((c, n)) = campaigns::create_and_queue(&state, &draft)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    else {
        anyhow::bail!("a campaign like this one was sent before");
    };
    println!(
        "campaign {} queued for {n} subscribers of {} in {:.2}s",
        c.id,
        list.key,
        t.elapsed().as_secs_f64()
    );
    if a.wait {
        send_until_done(&state, c.id).await?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Sends from this process (alongside any running server) and shows the
/// campaign's progress until nothing is left queued.
pub async fn send_until_done(state: &kawaraban_web::AppState, campaign: i64) -> anyhow::Result<()> {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let sender = tokio::spawn(
        kawaraban_web::newsletters::sender::Sender::from_config(state.clone())
            .map_err(anyhow::Error::msg)?
            .run(stopped),
    );
    let total = state.store.campaign_counts(campaign).await?.total() as u64;
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} settled, {per_sec}, {eta} left {msg}",
        )
        .expect("a valid template"),
    );
    let t = std::time::Instant::now();
    let counts = loop {
        let c = state.store.campaign_counts(campaign).await?;
        bar.set_position((c.total() - c.queued) as u64);
        bar.set_message(format!("(failed {}, bounced {})", c.failed, c.bounced));
        if c.queued == 0 {
            break c;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    bar.finish();
    let _ = stop.send(true);
    let _ = sender.await;
    state.store.finish_campaigns(chrono::Utc::now()).await?;
    println!(
        "campaign {campaign}: sent {}, failed {}, bounced {} in {:.2}s",
        counts.sent,
        counts.failed,
        counts.bounced,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
