//! The server's own limits on connections: idle and slow clients are cut,
//! and one address cannot hold more than its share.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::support::*;

async fn with_limits(header: u64, body: u64, per_ip: u32) -> TestApp {
    TestApp::builder()
        .configure(move |c| {
            c.header_timeout = Duration::from_millis(header);
            c.body_timeout = Duration::from_millis(body);
            c.max_connections_per_ip = per_ip;
        })
        .start()
        .await
}

/// A connection from a chosen loopback address.
async fn connect_from(app: &TestApp, from: &str) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
    socket.connect(app.addr).await.unwrap()
}

/// Reads until the server closes the connection (or `limit` passes, which
/// fails the test); returns what it sent and how long it took.
async fn until_closed(stream: &mut TcpStream, limit: Duration) -> (String, Duration) {
    let started = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(
            limit.saturating_sub(started.elapsed()),
            stream.read(&mut buf),
        )
        .await
        {
            Err(_) => panic!(
                "still open after {limit:?}; received {:?}",
                String::from_utf8_lossy(&got)
            ),
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
    (
        String::from_utf8_lossy(&got).into_owned(),
        started.elapsed(),
    )
}

/// One plain request on a fresh connection: the status line.
async fn status_line(stream: &mut TcpStream) -> String {
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: news.localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let (answer, _) = until_closed(stream, Duration::from_secs(5)).await;
    answer.lines().next().unwrap_or("").to_string()
}

#[tokio::test]
async fn an_idle_connection_is_closed_after_the_header_timeout() {
    let app = with_limits(400, 5_000, 0).await;
    let mut idle = TcpStream::connect(app.addr).await.unwrap();
    let (_, took) = until_closed(&mut idle, Duration::from_secs(5)).await;
    assert!(
        took >= Duration::from_millis(300),
        "closed too soon: {took:?}"
    );
    // A connection kept alive after a request is idle too.
    let mut kept = TcpStream::connect(app.addr).await.unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: news.localhost\r\n\r\n")
        .await
        .unwrap();
    let (answer, _) = until_closed(&mut kept, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    app.stop().await;
}

#[tokio::test]
async fn headers_sent_a_line_at_a_time_are_cut_off() {
    let app = with_limits(600, 5_000, 0).await;
    let mut slow = TcpStream::connect(app.addr).await.unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
    let started = Instant::now();
    let mut cut = false;
    for i in 0..40 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if slow
            .write_all(format!("X-Drip-{i}: a\r\n").as_bytes())
            .await
            .is_err()
        {
            cut = true;
            break;
        }
        let mut buf = [0u8; 256];
        if let Ok(Ok(0) | Err(_)) =
            tokio::time::timeout(Duration::from_millis(1), slow.read(&mut buf)).await
        {
            cut = true;
            break;
        }
    }
    assert!(cut, "a dripping client was still connected after 4 s");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    app.stop().await;
}

#[tokio::test]
async fn a_body_sent_a_byte_at_a_time_is_cut_off() {
    let app = with_limits(5_000, 700, 0).await;
    let mut slow = TcpStream::connect(app.addr).await.unwrap();
    slow.write_all(
        b"POST /newsletters HTTP/1.1\r\nHost: news.localhost\r\n\
          Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 400\r\n\r\n",
    )
    .await
    .unwrap();
    let started = Instant::now();
    let mut answer = String::new();
    for _ in 0..60 {
        if slow.write_all(b"e").await.is_err() {
            break;
        }
        let mut buf = [0u8; 4096];
        match tokio::time::timeout(Duration::from_millis(100), slow.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => {
                answer.push_str(&String::from_utf8_lossy(&buf[..n]));
                break;
            }
            Err(_) => {}
        }
    }
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(4),
        "still reading the body after {took:?}"
    );
    assert!(took >= Duration::from_millis(500), "cut too soon: {took:?}");
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 4"),
        "a refusal or a closed connection, not {answer}"
    );
    app.stop().await;
}

#[tokio::test]
async fn one_address_holds_at_most_its_cap_and_others_are_still_served() {
    let app = with_limits(10_000, 5_000, 3).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(connect_from(&app, "127.0.0.2").await);
    }
    // The three are served (a request each, kept alive).
    for s in &mut held {
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: news.localhost\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 1024];
        let n = s.read(&mut buf).await.unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    }
    let mut fourth = connect_from(&app, "127.0.0.2").await;
    let (answer, took) = until_closed(&mut fourth, Duration::from_secs(3)).await;
    assert!(answer.is_empty(), "the fourth got {answer}");
    assert!(took < Duration::from_secs(1), "{took:?}");
    let mut other = connect_from(&app, "127.0.0.3").await;
    assert!(status_line(&mut other).await.starts_with("HTTP/1.1 200"));
    // A slot comes back when a connection closes.
    drop(held.pop());
    let mut again = None;
    for _ in 0..50 {
        let mut s = connect_from(&app, "127.0.0.2").await;
        let line = status_line(&mut s).await;
        if line.starts_with("HTTP/1.1 200") {
            again = Some(line);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        again.is_some(),
        "no slot came back after a connection closed"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_trusted_proxy_is_not_held_to_the_cap_of_one_reader() {
    let app = TestApp::builder()
        .configure(|c| c.max_connections_per_ip = 1)
        .trusting(&["127.0.0.4"])
        .start()
        .await;
    // Two connections open at once from the proxy's address: both served.
    let mut first = connect_from(&app, "127.0.0.4").await;
    let mut second = connect_from(&app, "127.0.0.4").await;
    assert!(status_line(&mut second).await.starts_with("HTTP/1.1 200"));
    assert!(status_line(&mut first).await.starts_with("HTTP/1.1 200"));
    // A reader's own address still gets one.
    let _held = connect_from(&app, "127.0.0.5").await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut over = connect_from(&app, "127.0.0.5").await;
    let (answer, _) = until_closed(&mut over, Duration::from_secs(3)).await;
    assert!(
        answer.is_empty(),
        "the reader's second connection got {answer}"
    );
    app.stop().await;
}
