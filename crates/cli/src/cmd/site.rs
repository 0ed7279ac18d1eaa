//! `kawaraban site add|list|comments`.

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
        SiteCommand::Comments(a) => return comments(&*store, a).await,
        SiteCommand::AddExternal(a) => return add_external(&*store, a).await,
        SiteCommand::RemoveExternal { key } => {
            if !store.remove_external_site(&key).await? {
                anyhow::bail!("there is no external site {key:?} (see `kawaraban site list`)");
            }
            println!("external site {key} removed");
        }
        SiteCommand::Trending(a) => return trending(&*store, a).await,
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
            for s in store.external_sites().await? {
                let state = if s.last_error.is_empty() {
                    String::new()
                } else {
                    format!("last fetch failed: {}", s.last_error)
                };
                println!(
                    "{:<12} {:<32} {:<40} external {}",
                    s.key, s.name, s.feed_url, state
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads the feed once (a feed that cannot be read is refused, naming
/// why), then stores the site and its items.
async fn add_external(
    store: &dyn kawaraban_core::store::Store,
    a: crate::cli::SiteAddExternalArgs,
) -> anyhow::Result<ExitCode> {
    kawaraban_core::slug::validate_slug(&a.key).map_err(|e| anyhow::anyhow!("the key {e}"))?;
    let name = a.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        anyhow::bail!("--name: a name of 1 to 100 characters");
    }
    if store.list_sites().await?.iter().any(|s| s.key == a.key) {
        anyhow::bail!("{:?} is a site of this network already", a.key);
    }
    let client = kawaraban_content::external::client();
    let items = kawaraban_content::external::fetch(&client, &a.feed, chrono::Utc::now())
        .await
        .map_err(|e| anyhow::anyhow!("--feed {e}"))?;
    let site = store.add_external_site(&a.key, name, &a.feed).await?;
    store
        .save_external_fetch(site.id, Ok(&items), kawaraban_content::external::KEEP)
        .await?;
    store
        .claim_external_fetch(site.id, chrono::Utc::now(), chrono::Utc::now())
        .await?;
    println!(
        "external site {} ({}): {} items from {}",
        site.key,
        site.name,
        items.len().min(kawaraban_content::external::KEEP as usize),
        site.feed_url
    );
    Ok(ExitCode::SUCCESS)
}

/// Shows or changes a site's trending rules.
async fn trending(
    store: &dyn kawaraban_core::store::Store,
    a: crate::cli::SiteTrendingArgs,
) -> anyhow::Result<ExitCode> {
    let site = store
        .list_sites()
        .await?
        .into_iter()
        .find(|s| s.key == a.key)
        .ok_or_else(|| {
            anyhow::anyhow!("there is no site {:?} (see `kawaraban site list`)", a.key)
        })?;
    let (mut hl, mut age) = store
        .trending_settings()
        .await?
        .into_iter()
        .find(|s| s.0 == site.id)
        .map(|s| (s.1, s.2))
        .unwrap_or((6 * 60, 7));
    if a.half_life_hours.is_some() || a.max_age_days.is_some() {
        hl = a.half_life_hours.map(|h| i64::from(h) * 60).unwrap_or(hl);
        age = a.max_age_days.map(i64::from).unwrap_or(age);
        store.set_trending_settings(site.id, hl, age).await?;
    }
    println!(
        "{}: half-life {} hours, stories up to {} days old (the block is recomputed within a minute)",
        site.key,
        hl as f64 / 60.0,
        age
    );
    Ok(ExitCode::SUCCESS)
}

/// A word list file: one entry per line; blank lines and `#` comments skipped.
fn word_file(path: &std::path::Path) -> anyhow::Result<Vec<String>> {
    if path.as_os_str() == "-" {
        return Ok(Vec::new());
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let mut words = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let w = line.trim();
        if w.is_empty() || w.starts_with('#') {
            continue;
        }
        if w.chars().count() > 100 || w.chars().any(char::is_control) {
            anyhow::bail!(
                "{}:{}: an entry is one word or short phrase",
                path.display(),
                n + 1
            );
        }
        words.push(w.to_lowercase());
    }
    Ok(words)
}

fn at_least(name: &str, v: Option<i64>, min: i64) -> anyhow::Result<Option<i64>> {
    match v {
        Some(n) if n < min => anyhow::bail!("--{name} must be {min} or more (got {n})"),
        v => Ok(v),
    }
}

async fn comments(
    store: &dyn kawaraban_core::store::Store,
    a: crate::cli::SiteCommentsArgs,
) -> anyhow::Result<ExitCode> {
    use kawaraban_core::model::DeletedMembers;
    let site = crate::context::site(store, &a.key).await?;
    let mut s = store.comment_settings(site.id).await?;
    if let Some(d) = at_least("close-after-days", a.close_after_days, 0)? {
        s.close_after_days = (d > 0).then_some(d);
    }
    if let Some(n) = at_least("premoderate-first", a.premoderate_first, 0)? {
        s.premoderate_first = n;
    }
    if let Some(d) = &a.deleted_members {
        s.deleted_members = DeletedMembers::parse(d).ok_or_else(|| {
            anyhow::anyhow!("--deleted-members is `anonymise` or `remove` (got {d:?})")
        })?;
    }
    if let Some(n) = at_least("min-interval", a.min_interval, 0)? {
        s.min_interval_secs = n;
    }
    if let Some(n) = at_least("per-hour", a.per_hour, 1)? {
        s.per_hour = n;
    }
    if let Some(n) = at_least("max-links", a.max_links, 0)? {
        s.max_links = n;
    }
    if let Some(n) = at_least("spam-threshold", a.spam_threshold, 1)? {
        s.spam_threshold = n;
    }
    if let Some(p) = &a.banned_words {
        s.banned_words = word_file(p)?;
    }
    if let Some(p) = &a.suspect_words {
        s.suspect_words = word_file(p)?;
    }
    store.set_comment_settings(site.id, &s).await?;
    println!("comment rules of {}:", site.key);
    println!(
        "  close after:        {}",
        s.close_after_days
            .map(|d| format!("{d} days"))
            .unwrap_or_else(|| "never".into())
    );
    println!("  premoderate first:  {} comments", s.premoderate_first);
    println!("  deleted members:    {}", s.deleted_members.as_str());
    println!(
        "  rate:               1 per {} s, {} per hour",
        s.min_interval_secs, s.per_hour
    );
    println!("  max links:          {}", s.max_links);
    println!("  spam threshold:     {}", s.spam_threshold);
    println!("  banned words:       {}", s.banned_words.len());
    println!("  suspect words:      {}", s.suspect_words.len());
    Ok(ExitCode::SUCCESS)
}
