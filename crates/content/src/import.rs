//! `kawaraban import`: Markdown files with YAML front matter into storage.
//!
//! Each file is parsed, validated and stored on its own, so one bad file
//! never stops the others, and a failing file leaves what was stored before
//! untouched (its article is written in one transaction, after every check).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use kawaraban_core::frontmatter::{self, ParsedFile};
use kawaraban_core::markdown;
use kawaraban_core::model::{ArticleInput, Section, Site};
use kawaraban_core::store::Store;
use kawaraban_core::StoreError;

use crate::media::MediaDir;

/// Adjustments applied to every file of a run.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Added to `published_at` and `updated_at` (the demo moves its
    /// articles to the present this way).
    pub shift: chrono::Duration,
}

/// What a run did.
#[derive(Debug, Default, Clone)]
pub struct ImportReport {
    pub imported: usize,
    pub updated: usize,
    pub failed: usize,
    /// One line per failed file: `path:line: message`.
    pub errors: Vec<String>,
    /// Sections created on the way, as `site/section`.
    pub new_sections: Vec<String>,
}

impl ImportReport {
    pub fn summary(&self) -> String {
        format!(
            "imported {}, updated {}, failed {}",
            self.imported, self.updated, self.failed
        )
    }
}

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Imported,
    Updated,
}

/// Imports files into one store, remembering sites and sections between files.
pub struct Importer {
    store: Arc<dyn Store>,
    media: MediaDir,
    options: ImportOptions,
    sites: HashMap<String, Site>,
    sections: HashMap<(i64, String), Section>,
    pending_tags: BTreeSet<String>,
}

/// How many files between two announcements of changed pages.
const ANNOUNCE_EVERY: usize = 200;

impl Importer {
    pub async fn new(
        store: Arc<dyn Store>,
        media: MediaDir,
        options: ImportOptions,
    ) -> Result<Self, StoreError> {
        let sites = store
            .list_sites()
            .await?
            .into_iter()
            .map(|s| (s.key.clone(), s))
            .collect();
        let sections = store
            .list_sections()
            .await?
            .into_iter()
            .map(|s| ((s.site_id, s.slug.clone()), s))
            .collect();
        Ok(Self {
            store,
            media,
            options,
            sites,
            sections,
            pending_tags: BTreeSet::new(),
        })
    }

    /// Every `.md` file under the given paths, sorted; a path that does not
    /// exist is an error naming it.
    pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
        let mut files = Vec::new();
        for path in paths {
            let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
            if meta.is_dir() {
                for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
                    let entry = entry.map_err(|e| format!("{}: {e}", path.display()))?;
                    if entry.file_type().is_file()
                        && entry.path().extension().is_some_and(|x| x == "md")
                    {
                        files.push(entry.into_path());
                    }
                }
            } else {
                files.push(path.clone());
            }
        }
        Ok(files)
    }

    /// Imports every file, calling `progress` after each, and announces the
    /// changed pages to every app server.
    pub async fn import_files(
        &mut self,
        files: &[PathBuf],
        mut progress: impl FnMut(usize, &Path),
    ) -> ImportReport {
        let mut report = ImportReport::default();
        for (i, file) in files.iter().enumerate() {
            match self.import_file(file, &mut report).await {
                Ok(Outcome::Imported) => report.imported += 1,
                Ok(Outcome::Updated) => report.updated += 1,
                Err(e) => {
                    report.failed += 1;
                    report.errors.push(e);
                }
            }
            if (i + 1) % ANNOUNCE_EVERY == 0 {
                self.announce().await;
            }
            progress(i + 1, file);
        }
        self.announce().await;
        report
    }

    async fn announce(&mut self) {
        if self.pending_tags.is_empty() {
            return;
        }
        let tags: Vec<String> = std::mem::take(&mut self.pending_tags).into_iter().collect();
        if let Err(e) = self.store.publish_invalidations(&tags).await {
            tracing::warn!(error = %e, "could not announce changed pages; caches expire on their own");
        }
    }

    /// Imports one file; the error names the file and, where known, the line.
    pub async fn import_file(
        &mut self,
        path: &Path,
        report: &mut ImportReport,
    ) -> Result<Outcome, String> {
        let shown = path.display().to_string();
        let at = |line: Option<usize>, msg: &str| match line {
            Some(l) => format!("{shown}:{l}: {msg}"),
            None => format!("{shown}: {msg}"),
        };
        let bytes = tokio::fs::read(path)
            .await
            .map_err(|e| at(None, &format!("cannot read: {e}")))?;
        let parsed = frontmatter::parse_bytes(&bytes).map_err(|e| at(e.line, &e.message))?;

        let site = self.sites.get(&parsed.site).cloned().ok_or_else(|| {
            let mut known: Vec<&str> = self.sites.keys().map(String::as_str).collect();
            known.sort_unstable();
            at(
                parsed.site_line,
                &format!(
                    "site: no site with key {:?} (known: {})",
                    parsed.site,
                    known.join(", ")
                ),
            )
        })?;

        let image = match &parsed.image {
            None => None,
            Some(img) => {
                let file = path.parent().unwrap_or(Path::new(".")).join(&img.src);
                let data = tokio::fs::read(&file).await.map_err(|e| {
                    at(
                        img.line,
                        &format!("image.src: cannot read {}: {e}", img.src),
                    )
                })?;
                let media = self.media.clone();
                let processed = tokio::task::spawn_blocking(move || media.process(&data))
                    .await
                    .map_err(|e| at(img.line, &format!("image.src: {e}")))?
                    .map_err(|e| at(img.line, &format!("image.src: {}: {e}", img.src)))?;
                Some(
                    self.store
                        .put_image(&processed)
                        .await
                        .map_err(|e| at(None, &e.to_string()))?,
                )
            }
        };

        let section = match self.sections.get(&(site.id, parsed.section.clone())) {
            Some(s) => s.clone(),
            None => {
                let (section, created) = self
                    .store
                    .ensure_section(site.id, &parsed.section, &section_name(&parsed.section))
                    .await
                    .map_err(|e| at(parsed.section_line, &format!("section: {e}")))?;
                if created {
                    report
                        .new_sections
                        .push(format!("{}/{}", site.key, section.slug));
                    self.pending_tags.insert(format!("nav:{}", site.id));
                }
                self.sections
                    .insert((site.id, section.slug.clone()), section.clone());
                section
            }
        };

        let input = self.to_input(&site, &section, parsed, image.map(|i| i.id), &shown);
        let done = self
            .store
            .upsert_article(&input)
            .await
            .map_err(|e| at(None, &e.to_string()))?;
        self.pending_tags.insert(format!("article:{}", done.id));
        self.pending_tags.insert(format!("list:{}", site.id));
        Ok(if done.created {
            Outcome::Imported
        } else {
            Outcome::Updated
        })
    }

    fn to_input(
        &self,
        site: &Site,
        section: &Section,
        f: ParsedFile,
        image_id: Option<i64>,
        origin: &str,
    ) -> ArticleInput {
        let (caption, credit, alt) = match f.image {
            Some(i) => (i.caption, i.credit, i.alt),
            None => Default::default(),
        };
        ArticleInput {
            site_id: site.id,
            section_id: section.id,
            slug: f.slug,
            title: f.title,
            summary: f.summary,
            dateline: f.dateline,
            body_html: markdown::render_body(&f.body),
            body_text: markdown::plain_text(&f.body),
            body_markdown: f.body,
            source: f.source,
            copyright: f.copyright,
            published_at: f.published_at + self.options.shift,
            updated_at: f.updated_at.map(|u| u + self.options.shift),
            status: f.status,
            featured: f.featured,
            breaking: f.breaking,
            image_id,
            image_caption: caption,
            image_credit: credit,
            image_alt: alt,
            authors: f.authors,
            tags: f.tags,
            origin: origin.to_string(),
        }
    }
}

/// "real-estate" → "Real Estate".
pub fn section_name(slug: &str) -> String {
    slug.split('-')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}
