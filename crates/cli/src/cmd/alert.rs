//! `kawaraban alert send SITE ARTICLE`: a breaking-news alert, once.

use std::process::ExitCode;

use chrono::Utc;
use kawaraban_core::model::ListKind;

use crate::cli::{AlertCommand, Global};
use crate::context::Paths;

pub async fn run(global: &Global, cmd: AlertCommand) -> anyhow::Result<ExitCode> {
    let AlertCommand::Send {
        site,
        article,
        wait,
    } = cmd;
    let paths = Paths::from(global)?;
    let store = paths.connect(4).await?;
    let state =
        kawaraban_web::AppState::new(store.clone(), crate::context::web_config(global, &paths)?)
            .await
            .map_err(anyhow::Error::msg)?;
    let network = state.network.get();
    let site = network
        .sites
        .iter()
        .find(|s| s.key == site)
        .ok_or_else(|| anyhow::anyhow!("no site with key {site:?}"))?;
    let article = store
        .article_by_slug(site.id, &article, Utc::now())
        .await?
        .ok_or_else(|| anyhow::anyhow!("{} has no published article {article:?}", site.key))?;
    let lists: Vec<_> = store
        .lists(site.id)
        .await?
        .into_iter()
        .filter(|l| l.kind == ListKind::Breaking)
        .collect();
    if lists.is_empty() {
        anyhow::bail!(
            "{} has no breaking-news list: add one with `kawaraban newsletter add-list {} breaking --kind breaking --name ...`",
            site.key,
            site.key
        );
    }
    for list in &lists {
        let sent = kawaraban_web::newsletters::alerts::send_breaking(&state, site, list, &article)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        match sent {
            None => println!(
                "{}: this article was already sent to {}; nothing to do",
                article.path(),
                list.key
            ),
            Some((c, n)) => {
                println!(
                    "{}: alert {} queued for {n} subscribers of {}",
                    article.path(),
                    c.id,
                    list.key
                );
                if wait {
                    super::newsletter::send_until_done(&state, c.id).await?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
