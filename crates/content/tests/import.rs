//! The importer against a real database (SQLite, or PostgreSQL in the
//! second pass of the test script): every error case names file and line,
//! good files import beside bad ones, re-import updates.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;
use kawaraban_content::{ImportOptions, Importer, MediaDir};
use kawaraban_core::model::{ListFilter, NewSite};
use kawaraban_core::paging::PageRequest;
use kawaraban_core::store::Store;
use kawaraban_store::{connect, testing, ConnectOptions};

struct Fixture {
    dir: tempfile::TempDir,
    store: Arc<dyn Store>,
    site_id: i64,
}

impl Fixture {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = testing::fresh_database_url(dir.path()).await;
        let store = connect(&ConnectOptions {
            url,
            max_connections: 2,
        })
        .await
        .unwrap();
        let site = store
            .upsert_site(&NewSite {
                key: "news".into(),
                name: "Post".into(),
                url: "http://news.localhost:8080".into(),
                time_zone: "Asia/Tokyo".into(),
                publisher: "Lanternfield Media".into(),
                tagline: String::new(),
                is_default: true,
            })
            .await
            .unwrap();
        std::fs::create_dir_all(dir.path().join("in/img")).unwrap();
        let png = kawaraban_content::demo::artwork::paint_jpeg("fixture");
        std::fs::write(dir.path().join("in/img/a.jpg"), png).unwrap();
        Self {
            store,
            site_id: site.id,
            dir,
        }
    }

    fn write(&self, name: &str, text: &[u8]) -> PathBuf {
        let p = self.dir.path().join("in").join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    async fn run(&self, paths: &[PathBuf]) -> kawaraban_content::ImportReport {
        let media = MediaDir::new(self.dir.path().join("media"));
        let mut importer = Importer::new(self.store.clone(), media, ImportOptions::default())
            .await
            .unwrap();
        let files = Importer::collect_files(paths).unwrap();
        importer.import_files(&files, |_, _| {}).await
    }

    fn input_dir(&self) -> PathBuf {
        self.dir.path().join("in")
    }
}

fn article(slug: &str, extra: &str) -> String {
    format!(
        "---\ntitle: Story {slug}\nslug: {slug}\nsite: news\nsection: politics\npublished_at: 2026-11-20T09:30:00+09:00\n{extra}---\nBody of {slug}. <script>alert(1)</script><a href=\"javascript:x()\" onclick=\"y()\">link</a>\n"
    )
}

fn err_for<'a>(report: &'a kawaraban_content::ImportReport, file: &str) -> &'a str {
    report
        .errors
        .iter()
        .find(|e| e.contains(file))
        .map(String::as_str)
        .unwrap_or_else(|| panic!("no error for {file}: {:?}", report.errors))
}

#[tokio::test]
async fn good_files_import_and_bad_ones_are_reported_with_file_and_line() {
    let f = Fixture::new().await;
    f.write(
        "good.md",
        article(
            "good",
            "image:\n  src: img/a.jpg\n  caption: A ridge.\n  credit: PWS/Aiko Tanabe\n",
        )
        .as_bytes(),
    );
    f.write(
        "bad-date.md",
        article("bad-date", "")
            .replace("2026-11-20T09:30:00+09:00", "yesterday")
            .as_bytes(),
    );
    f.write(
        "bad-site.md",
        article("bad-site", "")
            .replace("site: news", "site: nwes")
            .as_bytes(),
    );
    f.write(
        "no-title.md",
        article("no-title", "")
            .replace("title: Story no-title\n", "")
            .as_bytes(),
    );
    f.write(
        "no-image.md",
        article("no-image", "image:\n  src: img/missing.jpg\n").as_bytes(),
    );
    f.write(
        "not-image.md",
        article("not-image", "image:\n  src: ../in/good.md\n").as_bytes(),
    );
    f.write("bad-yaml.md", b"---\ntitle: [oops\n---\nbody\n");
    let mut bytes = article("bad-utf8", "").into_bytes();
    bytes.extend_from_slice(b"\n\xff\xfe\n");
    f.write("bad-utf8.md", &bytes);
    f.write(
        "unknown-field.md",
        article("unknown-field", "sumary: typo\n").as_bytes(),
    );

    let report = f.run(&[f.input_dir()]).await;
    assert_eq!(
        (report.imported, report.updated, report.failed),
        (1, 0, 8),
        "{:?}",
        report.errors
    );
    assert!(
        err_for(&report, "bad-date.md").contains("bad-date.md:6: published_at: not an RFC 3339")
    );
    assert!(err_for(&report, "bad-site.md")
        .contains("bad-site.md:4: site: no site with key \"nwes\" (known: news)"));
    assert!(err_for(&report, "no-title.md").contains("title: missing"));
    assert!(err_for(&report, "no-image.md")
        .contains("no-image.md:8: image.src: cannot read img/missing.jpg"));
    assert!(err_for(&report, "not-image.md").contains("not a JPEG, PNG or WebP"));
    assert!(err_for(&report, "bad-yaml.md").contains("bad-yaml.md:2"));
    assert!(err_for(&report, "bad-utf8.md").contains("bad-utf8.md:10: the file is not valid UTF-8"));
    assert!(err_for(&report, "unknown-field.md").contains("unknown field `sumary`"));
    assert_eq!(report.new_sections, vec!["news/politics"]);

    let now = Utc::now();
    let a = f
        .store
        .article_by_slug(f.site_id, "good", now)
        .await
        .unwrap()
        .unwrap();
    assert!(!a.body_html.contains("<script"), "{}", a.body_html);
    assert!(!a.body_html.contains("javascript:"));
    assert!(!a.body_html.contains("onclick"));
    let img = a.image.expect("image stored");
    assert_eq!(img.widths, vec![480, 800, 1200, 1600]);
    assert_eq!(a.image_credit, "PWS/Aiko Tanabe");
    assert!(f
        .dir
        .path()
        .join("media")
        .join(&img.hash[..2])
        .join(format!("{}-800.jpg", img.hash))
        .exists());
}

#[tokio::test]
async fn reimporting_updates_instead_of_duplicating_and_failures_keep_old_content() {
    let f = Fixture::new().await;
    let path = f.write("a.md", article("same", "summary: First\n").as_bytes());
    let r1 = f.run(std::slice::from_ref(&path)).await;
    assert_eq!((r1.imported, r1.updated), (1, 0));
    f.write("a.md", article("same", "summary: Second\n").as_bytes());
    let r2 = f.run(std::slice::from_ref(&path)).await;
    assert_eq!((r2.imported, r2.updated), (0, 1));
    // A broken edit leaves the stored article as it was.
    f.write(
        "a.md",
        article("same", "summary: Third\nimage:\n  src: nope.jpg\n").as_bytes(),
    );
    let r3 = f.run(std::slice::from_ref(&path)).await;
    assert_eq!(r3.failed, 1);
    let list = f
        .store
        .list_articles(
            f.site_id,
            ListFilter::All,
            PageRequest::new(1, 10),
            Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(list.items.len(), 1);
    assert_eq!(list.items[0].summary, "Second");
}

#[tokio::test]
async fn missing_paths_are_named() {
    let err =
        Importer::collect_files(&[Path::new("/definitely/not/here").to_path_buf()]).unwrap_err();
    assert!(err.starts_with("/definitely/not/here:"), "{err}");
}

#[tokio::test]
async fn the_demo_installs_every_article() {
    let f = Fixture::new().await;
    let media = MediaDir::new(f.dir.path().join("media"));
    let out = kawaraban_content::demo::install(f.store.clone(), media.clone(), 8080, Utc::now())
        .await
        .unwrap();
    let kawaraban_content::demo::Installed::Imported(report) = out else {
        panic!("expected an import")
    };
    assert_eq!(report.imported, kawaraban_content::demo::article_count());
    assert!(report.imported >= 20);
    let again = kawaraban_content::demo::install(f.store.clone(), media, 8081, Utc::now())
        .await
        .unwrap();
    assert!(matches!(
        again,
        kawaraban_content::demo::Installed::AlreadyPresent
    ));
    let sites = f.store.list_sites().await.unwrap();
    assert!(sites
        .iter()
        .any(|s| s.url == "http://travel.localhost:8081"));
}
