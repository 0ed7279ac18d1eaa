//! `kawaraban import PATH...`.

use std::io::IsTerminal;
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kawaraban_content::{ImportOptions, Importer, MediaDir};

use crate::cli::{Global, ImportArgs};
use crate::context::Paths;

pub async fn run(global: &Global, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let paths = Paths::from(global)?;
    let files = Importer::collect_files(&args.paths).map_err(anyhow::Error::msg)?;
    let store = paths.connect(4).await?;
    let mut importer = Importer::new(
        store,
        MediaDir::new(&paths.media_dir),
        ImportOptions::default(),
    )
    .await?;
    let bar = ProgressBar::new(files.len() as u64);
    if std::io::stderr().is_terminal() {
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{bar:40}] {pos}/{len} {wide_msg}")
                .expect("valid template")
                .progress_chars("=> "),
        );
    } else {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    let report = importer
        .import_files(&files, |_, path| {
            bar.inc(1);
            bar.set_message(
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            );
        })
        .await;
    bar.finish_and_clear();
    for e in &report.errors {
        eprintln!("error: {e}");
    }
    for s in &report.new_sections {
        eprintln!("note: created section {s}");
    }
    println!("{}", report.summary());
    Ok(if report.failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
