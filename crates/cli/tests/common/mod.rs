//! What the CLI tests share: the binary, run on a data directory with its
//! own database (SQLite, or PostgreSQL in the second pass of the test script).

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// The database URL for a test's data directory: its own SQLite file, or
/// its own PostgreSQL database in the PostgreSQL pass of the test script.
pub fn database_url(data: &Path) -> String {
    let marker = data.join(".db-url");
    if let Ok(url) = std::fs::read_to_string(&marker) {
        return url;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = rt.block_on(kawaraban_store::testing::fresh_database_url(data));
    std::fs::write(&marker, &url).unwrap();
    url
}

pub fn command(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kawaraban"));
    cmd.arg("--data-dir")
        .arg(data)
        .arg("--log")
        .arg("warn")
        .env("KAWARABAN_DATABASE_URL", database_url(data));
    cmd
}

pub fn kawaraban(data: &Path, args: &[&str]) -> Output {
    command(data).args(args).output().expect("run kawaraban")
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
