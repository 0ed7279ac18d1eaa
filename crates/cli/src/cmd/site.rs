//! `kawaraban site add|list`.

use std::process::ExitCode;

use kawaraban_core::model::NewSite;

use crate::cli::{Global, SiteCommand};
use crate::context::Paths;

pub async fn run(global: &Global, cmd: SiteCommand) -> anyhow::Result<ExitCode> {
    let paths = Paths::from(global)?;
    let store = paths.connect(2).await?;
    match cmd {
        SiteCommand::Add(a) => {
            let site = NewSite {
                publisher: a.publisher.unwrap_or_else(|| a.name.clone()),
                key: a.key,
                name: a.name,
                url: a.url,
                time_zone: a.time_zone,
                tagline: a.tagline,
                is_default: a.default,
            };
            site.validate().map_err(anyhow::Error::msg)?;
            let make_default =
                site.is_default || store.list_sites().await?.iter().all(|s| s.key == site.key);
            let stored = store
                .upsert_site(&NewSite {
                    is_default: make_default,
                    ..site
                })
                .await?;
            store.publish_invalidations(&["network".into()]).await?;
            println!(
                "site {} ({}) at {}{}",
                stored.key,
                stored.name,
                stored.url,
                if stored.is_default { ", default" } else { "" }
            );
        }
        SiteCommand::List => {
            let sites = store.list_sites().await?;
            if sites.is_empty() {
                println!(
                    "no sites yet: add one with `kawaraban site add KEY --name NAME --url URL`"
                );
            }
            for s in sites {
                println!(
                    "{:<12} {:<32} {:<40} {:<16} {}",
                    s.key,
                    s.name,
                    s.url,
                    s.time_zone,
                    if s.is_default { "default" } else { "" }
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
