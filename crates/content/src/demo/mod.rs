//! The demo network: three sister sites of the fictional Lanternfield Media,
//! with original articles and pictures, installed by `serve --demo`.

pub mod artwork;
mod conversations;
mod engagement;
pub(crate) mod readership;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, DurationRound, Utc};
use include_dir::{include_dir, Dir};
use kawaraban_core::frontmatter;
use kawaraban_core::model::NewSite;
use kawaraban_core::store::Store;

use crate::import::{ImportOptions, ImportReport, Importer};
use crate::media::MediaDir;

static ARTICLES: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../demo/articles");

/// Each demo site's sections, in navigation order.
pub const SECTIONS: [(&str, &[&str]); 3] = [
    (
        "news",
        &[
            "national", "politics", "business", "world", "sports", "science",
        ],
    ),
    ("travel", &["destinations", "food", "guides"]),
    ("lifestyle", &["lifestyle", "food", "culture", "wellbeing"]),
];

/// The demo's sites: key, name, tagline.
pub const SITES: [(&str, &str, &str); 3] = [
    (
        "news",
        "The Lanternfield Post",
        "News from Japan and the world, around the clock",
    ),
    (
        "travel",
        "Lanternfield Journeys",
        "Where to go, what to eat, how to get there",
    ),
    (
        "lifestyle",
        "Lanternfield Living",
        "Food, culture and the art of living well",
    ),
];

pub const PUBLISHER: &str = "Lanternfield Media";

/// The sites with URLs on the given port (`http://news.localhost:PORT`).
pub fn sites(port: u16) -> Vec<NewSite> {
    SITES
        .iter()
        .map(|(key, name, tagline)| NewSite {
            key: (*key).into(),
            name: (*name).into(),
            url: format!("http://{key}.localhost:{port}"),
            time_zone: "Asia/Tokyo".into(),
            publisher: PUBLISHER.into(),
            tagline: (*tagline).into(),
            is_default: *key == "news",
        })
        .collect()
}

/// What `install` did.
#[derive(Debug)]
pub enum Installed {
    /// The articles were there already; only the site URLs were refreshed.
    AlreadyPresent,
    Imported(ImportReport),
}

/// Creates (or refreshes the URLs of) the demo sites and, when the network
/// has no articles yet, imports the demo articles with their publication
/// times moved so that the newest is about twenty minutes old.
pub async fn install(
    store: Arc<dyn Store>,
    media: MediaDir,
    port: u16,
    now: DateTime<Utc>,
) -> anyhow::Result<Installed> {
    let mut has_articles = false;
    for site in sites(port) {
        let stored = store.upsert_site(&site).await?;
        let slugs = SECTIONS
            .iter()
            .find(|(k, _)| *k == stored.key)
            .map(|(_, s)| *s)
            .unwrap_or(&[]);
        for slug in slugs {
            store
                .ensure_section(stored.id, slug, &crate::import::section_name(slug))
                .await?;
        }
        has_articles |= store
            .count_published(stored.id, now + chrono::Duration::days(36_500))
            .await?
            > 0;
    }
    lists(&*store, now).await?;
    engagement::install(&*store, &media, now).await?;
    store.publish_invalidations(&["network".into()]).await?;
    if has_articles {
        return Ok(Installed::AlreadyPresent);
    }

    let work = tempfile_dir()?;
    let files = write_articles(work.path())?;
    let newest = newest_published(&files)?;
    let target =
        (now - chrono::Duration::minutes(20)).duration_trunc(chrono::Duration::minutes(1))?;
    let options = ImportOptions {
        shift: target - newest,
    };
    let mut importer = Importer::new(store.clone(), media, options).await?;
    let report = importer.import_files(&files, |_, _| {}).await;
    if report.failed > 0 {
        anyhow::bail!(
            "the demo articles did not all import:\n{}",
            report.errors.join("\n")
        );
    }
    conversations::install(&store, now).await?;
    readership::install(&*store, now).await?;
    Ok(Installed::Imported(report))
}

/// The demo's mailing lists: a digest, breaking-news alerts and politics
/// alerts on the news site, a weekly letter on the others.
async fn lists(store: &dyn Store, now: DateTime<Utc>) -> anyhow::Result<()> {
    use kawaraban_core::model::{ListKind, NewList};
    let sites = store.list_sites().await?;
    let sections = store.list_sections().await?;
    struct Demo {
        site: &'static str,
        key: &'static str,
        name: &'static str,
        kind: ListKind,
        section: Option<&'static str>,
        description: &'static str,
    }
    let wanted = [
        Demo {
            site: "news",
            key: "daily",
            name: "The Daily Lantern",
            kind: ListKind::Digest,
            section: None,
            description: "The day's top stories by section, every evening at 18:00",
        },
        Demo {
            site: "news",
            key: "breaking",
            name: "Breaking news alerts",
            kind: ListKind::Breaking,
            section: None,
            description: "One email when a big story breaks",
        },
        Demo {
            site: "news",
            key: "politics-alerts",
            name: "Politics alerts",
            kind: ListKind::Section,
            section: Some("politics"),
            description: "Every new politics story",
        },
        Demo {
            site: "travel",
            key: "weekly",
            name: "Journeys weekly",
            kind: ListKind::Newsletter,
            section: None,
            description: "Where to go next, every Friday",
        },
        Demo {
            site: "lifestyle",
            key: "weekend",
            name: "The weekend edit",
            kind: ListKind::Newsletter,
            section: None,
            description: "Food, culture and ideas for the weekend",
        },
    ];
    for (position, d) in wanted.into_iter().enumerate() {
        let Some(site) = sites.iter().find(|s| s.key == d.site) else {
            continue;
        };
        let section_id = d.section.and_then(|slug| {
            sections
                .iter()
                .find(|s| s.site_id == site.id && s.slug == slug)
                .map(|s| s.id)
        });
        store
            .upsert_list(
                &NewList {
                    site_id: site.id,
                    key: d.key.into(),
                    name: d.name.into(),
                    description: d.description.into(),
                    kind: d.kind,
                    section_id,
                    position: position as i64,
                    send_time: (d.kind == ListKind::Digest).then(|| "18:00".to_string()),
                },
                now,
            )
            .await?;
    }
    Ok(())
}

/// A scratch directory removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tempfile_dir() -> std::io::Result<Scratch> {
    let dir = std::env::temp_dir().join(format!(
        "kawaraban-demo-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(Scratch(dir))
}

/// Writes the embedded articles and their painted pictures under `root`.
fn write_articles(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut stack = vec![&ARTICLES];
    while let Some(dir) = stack.pop() {
        stack.extend(dir.dirs());
        for file in dir
            .files()
            .filter(|f| f.path().extension().is_some_and(|e| e == "md"))
        {
            let path = root.join(file.path());
            std::fs::create_dir_all(path.parent().expect("has a parent"))?;
            std::fs::write(&path, file.contents())?;
            let parsed = frontmatter::parse_bytes(file.contents())
                .map_err(|e| anyhow::anyhow!("demo file {}: {e}", file.path().display()))?;
            if let Some(img) = parsed.image {
                let img_path = path.parent().expect("has a parent").join(&img.src);
                std::fs::create_dir_all(img_path.parent().expect("has a parent"))?;
                std::fs::write(
                    img_path,
                    artwork::paint_jpeg(&format!("{}/{}", parsed.site, parsed.slug)),
                )?;
            }
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn newest_published(files: &[PathBuf]) -> anyhow::Result<DateTime<Utc>> {
    let mut newest = None;
    for f in files {
        let parsed = frontmatter::parse_bytes(&std::fs::read(f)?)
            .map_err(|e| anyhow::anyhow!("{}: {e}", f.display()))?;
        newest = newest.max(Some(parsed.published_at));
    }
    newest.ok_or_else(|| anyhow::anyhow!("the demo has no articles"))
}

/// How many demo articles are embedded.
pub fn article_count() -> usize {
    fn count(d: &Dir<'_>) -> usize {
        d.files()
            .filter(|f| f.path().extension().is_some_and(|e| e == "md"))
            .count()
            + d.dirs().map(count).sum::<usize>()
    }
    count(&ARTICLES)
}
