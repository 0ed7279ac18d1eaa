//! The floor of our stack, for `scripts/bench.sh cached`: a bare axum
//! server with no layers, answering every request with the bytes of one
//! file from memory. Whatever Kawaraban's cached page costs beyond this is
//! our own work, not the kernel's, tokio's or hyper's.
//!
//!   cargo run --release -p kawaraban-web --example bare_floor -- FILE 127.0.0.1:PORT

use axum::body::Bytes;
use axum::http::header;
use axum::Router;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(file), Some(addr)) = (args.next(), args.next()) else {
        eprintln!("usage: bare_floor FILE ADDRESS");
        std::process::exit(2);
    };
    let body = Bytes::from(std::fs::read(&file)?);
    let app = Router::new().fallback(move || {
        let body = body.clone();
        async move { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body) }
    });
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    eprintln!("ready");
    axum::serve(listener, app).await
}
