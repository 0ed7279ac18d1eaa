//! Fresh databases for tests, on the backend the test run asks for.
//!
//! `KAWARABAN_TEST_DB=postgres` (with `KAWARABAN_TEST_PG_URL` naming a server
//! whose user may create databases) gives every test its own PostgreSQL
//! database; anything else gives it its own SQLite file. `scripts/test.sh`
//! runs the whole suite once each way.

use std::path::Path;

use rand::Rng;
use sqlx::Connection;

/// Which backend this test run uses.
pub fn backend() -> &'static str {
    match std::env::var("KAWARABAN_TEST_DB").as_deref() {
        Ok("postgres") => "postgres",
        _ => "sqlite",
    }
}

/// The URL of a new, empty database that only the calling test uses.
pub async fn fresh_database_url(dir: &Path) -> String {
    if backend() == "postgres" {
        let admin = std::env::var("KAWARABAN_TEST_PG_URL").expect(
            "KAWARABAN_TEST_DB=postgres needs KAWARABAN_TEST_PG_URL (scripts/test.sh sets both)",
        );
        let name = format!("kw_test_{:016x}", rand::rng().random::<u64>());
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .expect("connect to the test PostgreSQL server");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create test database");
        let mut url = url::Url::parse(&admin).expect("KAWARABAN_TEST_PG_URL is a URL");
        url.set_path(&name);
        url.to_string()
    } else {
        format!("sqlite://{}", dir.join("kawaraban.db").display())
    }
}
