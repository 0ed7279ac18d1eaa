//! `kawaraban giveaway create|list|publish|entries|disqualify|draw|verify|
//! beacon|domains|logo`: the desk's giveaway actions from the command line
//! (each in the audit log), and the verification anyone can run.

use std::process::ExitCode;

use anyhow::Context;
use chrono::{DateTime, Utc};
use kawaraban_core::giveaway::beacon::{self, BeaconSetting};
use kawaraban_core::giveaway::published::{self, PublicDraw};
use kawaraban_core::giveaway::{self, draw};
use kawaraban_core::model::{Giveaway, GiveawayFields};
use kawaraban_core::store::Store;
use kawaraban_core::survey::audience::Audience;
use kawaraban_web::engagement::{self, draw as draws, giveaway as pages};

use crate::cli::{GiveawayCommand, Global};
use crate::context::Paths;

async fn find(store: &dyn Store, slug: &str) -> anyhow::Result<Giveaway> {
    store.giveaway_by_slug(slug).await?.ok_or_else(|| {
        anyhow::anyhow!("there is no giveaway {slug:?} (see `kawaraban giveaway list`)")
    })
}

async fn announce(
    store: &dyn Store,
    action: &str,
    g: &Giveaway,
    reason: &str,
) -> anyhow::Result<()> {
    store
        .audit(
            None,
            action,
            &format!("giveaway:{}", g.id),
            reason,
            Utc::now(),
        )
        .await?;
    store
        .publish_invalidations(&[engagement::TAG.to_string()])
        .await?;
    Ok(())
}

/// Stores a logo file in the media directory; its public path.
fn store_logo(paths: &Paths, flag: &str, file: &std::path::Path) -> anyhow::Result<String> {
    let bytes =
        std::fs::read(file).with_context(|| format!("{flag}: cannot read {}", file.display()))?;
    kawaraban_content::MediaDir::new(&paths.media_dir)
        .store_logo(&bytes)
        .map_err(|e| anyhow::anyhow!("{flag}: {}: {e}", file.display()))
}

fn time(flag: &str, text: &str) -> anyhow::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            anyhow::anyhow!("{flag}: {text:?} is not a time like 2026-12-01T09:00:00+09:00")
        })
}

/// Fetches a text over HTTP(S), or says why not.
async fn fetch(client: &reqwest::Client, url: &str) -> anyhow::Result<String> {
    let resp = client
        .get(url)
        .send()
        .await
        .with_context(|| format!("cannot fetch {url}"))?;
    if !resp.status().is_success() {
        anyhow::bail!("{url} answered {}", resp.status());
    }
    Ok(resp.text().await?)
}

/// `verify URL`: everything from the public page, nothing from the database.
async fn verify(url: &str) -> anyhow::Result<ExitCode> {
    let base = url.trim_end_matches('/').trim_end_matches("/draw.json");
    let draw_url = format!("{base}/draw.json");
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()?;
    let text = fetch(&client, &draw_url).await?;
    let d: PublicDraw =
        serde_json::from_str(&text).with_context(|| format!("{draw_url} is not a draw record"))?;
    let tickets_url = url::Url::parse(&draw_url)?.join(&d.tickets_url)?;
    if d.seed.is_none() {
        println!(
            "{}: not drawn yet; the commitment to its seed is {}",
            d.title, d.commitment
        );
        return Ok(ExitCode::from(3));
    }
    let tickets = fetch(&client, tickets_url.as_str()).await?;
    match published::verify(&d, &tickets) {
        Ok(v) => {
            println!(
                "ok   the revealed seed matches the commitment {}",
                d.commitment
            );
            println!(
                "ok   the ticket list ({} tickets) matches its SHA-256",
                v.tickets
            );
            match &v.round {
                Some((round, chain)) => println!("ok   drand round {round} of chain {chain}: its BLS signature holds, and it is the first round after the close"),
                None => println!("note no public randomness beacon was used"),
            }
            println!("ok   the published order is the recomputed one");
            println!("winners:    {}", v.winners.join(", "));
            println!("alternates: {}", v.alternates.join(", "));
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("FAIL {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

pub async fn run(global: &Global, cmd: GiveawayCommand) -> anyhow::Result<ExitCode> {
    if let GiveawayCommand::Verify { url } = &cmd {
        return verify(url).await;
    }
    let paths = Paths::from(global)?;
    let store = paths.connect(2).await?;
    let now = Utc::now();
    match cmd {
        GiveawayCommand::Verify { .. } => unreachable!("answered above"),
        GiveawayCommand::Create(a) => {
            let sites = store.list_sites().await?;
            if let Some(bad) = a.sites.iter().find(|k| !sites.iter().any(|s| &s.key == *k)) {
                anyhow::bail!("--sites: there is no site {bad:?}");
            }
            let (opens_at, closes_at) = (time("--opens", &a.opens)?, time("--closes", &a.closes)?);
            if closes_at <= opens_at {
                anyhow::bail!("--closes: the giveaway must close after it opens");
            }
            if a.winners == 0 {
                anyhow::bail!("--winners: at least one");
            }
            let sponsor_logo = match &a.logo {
                Some(file) => store_logo(&paths, "--logo", file)?,
                None => String::new(),
            };
            let fields = GiveawayFields {
                slug: a.slug,
                title: a.title,
                text: a.text,
                sponsor_name: a.sponsor,
                sponsor_url: a.sponsor_url,
                sponsor_logo,
                prizes: a.prizes,
                winners: a.winners,
                opens_at,
                closes_at,
                audience: Audience {
                    sites: a.sites,
                    sections: a.sections,
                    members_only: true,
                    share: 100,
                },
                declaration: a.declaration,
                rules: String::new(),
                claim_days: a.claim_days,
            };
            let seed = draw::new_seed(rand::random());
            let g = store
                .create_giveaway(&fields, &seed, &draw::commitment(&seed), now)
                .await
                .map_err(|e| match e {
                    kawaraban_core::StoreError::Conflict(_) => {
                        anyhow::anyhow!("--slug: {:?} is taken by another giveaway", fields.slug)
                    }
                    e => e.into(),
                })?;
            announce(&*store, "giveaway.create", &g, &g.fields.title).await?;
            if a.publish {
                store.set_giveaway_published(g.id, true, now).await?;
                announce(&*store, "giveaway.publish", &g, &g.fields.title).await?;
            }
            println!(
                "giveaway {} created{}: /giveaways/{}; commitment {}",
                g.id,
                if a.publish { " and published" } else { "" },
                g.fields.slug,
                g.commitment
            );
        }
        GiveawayCommand::List => {
            for g in store.giveaways(true).await? {
                let phase = pages::phase(&g, now);
                println!(
                    "{}\t{}\t{:?}\t{} entries\t{}",
                    g.id, g.fields.slug, phase, g.entries, g.fields.title
                );
            }
        }
        GiveawayCommand::Unpublish { slug } => {
            let g = find(&*store, &slug).await?;
            store.set_giveaway_published(g.id, false, now).await?;
            announce(&*store, "giveaway.unpublish", &g, &g.fields.title).await?;
            println!("{slug}: unpublished");
        }
        GiveawayCommand::Publish { slug } => {
            let g = find(&*store, &slug).await?;
            store.set_giveaway_published(g.id, true, now).await?;
            announce(&*store, "giveaway.publish", &g, &g.fields.title).await?;
            println!("{slug}: published");
        }
        GiveawayCommand::Entries { slug } => {
            let g = find(&*store, &slug).await?;
            for e in store.entries(g.id, u32::MAX).await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    e.ticket,
                    e.created_at.to_rfc3339(),
                    if e.disqualified.is_empty() {
                        "valid".to_string()
                    } else {
                        format!("disqualified: {}", e.disqualified)
                    },
                    e.flagged
                );
            }
        }
        GiveawayCommand::Disqualify {
            slug,
            ticket,
            reason,
        } => {
            let g = find(&*store, &slug).await?;
            if reason.trim().is_empty() {
                anyhow::bail!("--reason: say why (it is logged)");
            }
            let e = store
                .entry_by_ticket(&ticket)
                .await?
                .filter(|e| e.giveaway_id == g.id)
                .ok_or_else(|| anyhow::anyhow!("{slug} has no ticket {ticket:?}"))?;
            store.disqualify_entry(g.id, e.id, reason.trim()).await?;
            announce(
                &*store,
                "giveaway.disqualify",
                &g,
                &format!("{ticket}: {}", reason.trim()),
            )
            .await?;
            println!("{ticket}: disqualified");
        }
        GiveawayCommand::Draw { slug } => {
            let g = find(&*store, &slug).await?;
            let r = draws::perform(&*store, &g, now)
                .await
                .map_err(|e| anyhow::anyhow!("{slug}: {e}"))?;
            announce(
                &*store,
                "giveaway.draw",
                &g,
                &format!("{} tickets", r.tickets),
            )
            .await?;
            println!(
                "{slug}: drawn over {} tickets; in order: {}",
                r.tickets,
                r.order.join(", ")
            );
        }
        GiveawayCommand::Beacon { url, chain, off } => {
            if off {
                store.set_setting(draws::BEACON_SETTING, "").await?;
                store
                    .audit(None, "giveaway.beacon", "network", "off", now)
                    .await?;
                println!("draws use no beacon");
                return Ok(ExitCode::SUCCESS);
            }
            let Some(url) = url else {
                match draws::beacon(&*store)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?
                {
                    Some(b) => println!(
                        "beacon {} chain {} ({})",
                        b.url,
                        b.chain.hash,
                        b.chain.scheme.id()
                    ),
                    None => println!("draws use no beacon"),
                }
                return Ok(ExitCode::SUCCESS);
            };
            let chain = match chain.as_str() {
                "mainnet" | "default" => beacon::league_of_entropy_mainnet(),
                "quicknet" => beacon::league_of_entropy_quicknet(),
                hash => beacon::known_chain(hash).ok_or_else(|| anyhow::anyhow!("--chain: {hash:?} is not mainnet, quicknet or a chain whose key is pinned here"))?,
            };
            if url::Url::parse(&url)
                .map(|u| !matches!(u.scheme(), "http" | "https"))
                .unwrap_or(true)
            {
                anyhow::bail!("--url: {url:?} is not an http(s) address");
            }
            let setting = BeaconSetting { url, chain };
            store
                .set_setting(draws::BEACON_SETTING, &serde_json::to_string(&setting)?)
                .await?;
            store
                .audit(
                    None,
                    "giveaway.beacon",
                    "network",
                    &format!("{} {}", setting.url, setting.chain.hash),
                    now,
                )
                .await?;
            println!(
                "draws use drand chain {} from {}",
                setting.chain.hash, setting.url
            );
        }
        GiveawayCommand::Logo { slug, file, remove } => {
            let g = find(&*store, &slug).await?;
            let path = match (file, remove) {
                (_, true) => String::new(),
                (Some(file), false) => store_logo(&paths, "FILE", &file)?,
                (None, false) => anyhow::bail!("give the logo's FILE, or --remove"),
            };
            let fields = GiveawayFields {
                sponsor_logo: path.clone(),
                ..g.fields.clone()
            };
            store
                .update_giveaway(g.id, &fields, now)
                .await
                .map_err(|e| anyhow::anyhow!("{slug}: {e}"))?;
            let what = if path.is_empty() { "removed" } else { &path };
            announce(&*store, "giveaway.logo", &g, what).await?;
            println!("{slug}: logo {what}");
        }
        GiveawayCommand::Domains { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let list = giveaway::parse_domain_list(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            store
                .set_setting(pages::DISPOSABLE_SETTING, &(list.join("\n") + "\n"))
                .await?;
            store
                .audit(
                    None,
                    "giveaway.domains",
                    "network",
                    &format!("{} refused domains", list.len()),
                    now,
                )
                .await?;
            println!("{} refused email domains", list.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}
