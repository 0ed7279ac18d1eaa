//! `kawaraban newsletter lists|add-list`: a site's mailing lists.

use std::process::ExitCode;

use chrono::Utc;
use kawaraban_core::model::{ListKind, NewList};

use crate::cli::{Global, NewsletterCommand};
use crate::context::Paths;

pub async fn run(global: &Global, cmd: NewsletterCommand) -> anyhow::Result<ExitCode> {
    let paths = Paths::from(global)?;
    let store = paths.connect(2).await?;
    let site_of = |key: String| {
        let store = store.clone();
        async move {
            store
                .list_sites()
                .await?
                .into_iter()
                .find(|s| s.key == key)
                .ok_or_else(|| anyhow::anyhow!("no site with key {key:?}"))
        }
    };
    match cmd {
        NewsletterCommand::Lists { site } => {
            let site = site_of(site).await?;
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
            let site = site_of(a.site).await?;
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
    }
    Ok(ExitCode::SUCCESS)
}
