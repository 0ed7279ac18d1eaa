//! The accept loop: HTTP/1.1 connections with the limits a public server
//! needs, so that a handful of clients cannot hold its descriptors.
//!
//! - A request's headers must arrive within `header_timeout` (10 s). Hyper
//!   starts that clock whenever it waits for a request, so it is also how
//!   long an idle connection, new or kept alive, stays open.
//! - A request's body must arrive within `body_timeout` (30 s) of its
//!   headers, however it trickles ([`DeadlineBody`]).
//! - One address holds at most `max_connections_per_ip` connections at
//!   once; more are closed as soon as they are accepted.
//!
//! What is cut is logged, counted and summed up at most once per ten
//! seconds per kind, so an attack cannot flood the log either.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use hyper::body::{Body as HttpBody, Frame, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

use super::front::Front;

/// The limits of [`run`]; see the module documentation.
#[derive(Debug, Clone)]
pub struct ConnLimits {
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    /// 0: no cap.
    pub max_connections_per_ip: u32,
    /// Trusted reverse proxies carry every reader's connections: no cap
    /// for them (they limit their own clients).
    pub uncapped: kawaraban_core::client_ip::TrustedProxies,
}

/// How long a graceful stop waits for connections to finish.
const DRAIN: Duration = Duration::from_secs(20);

/// Accepts connections until `shutdown` resolves, then lets the ones open
/// finish their requests (at most [`DRAIN`]).
pub async fn run(
    listener: TcpListener,
    front: Front,
    limits: ConnLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let table = Arc::new(ConnTable::default());
    let cuts = Arc::new(Cuts::default());
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(64 * 1024);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of descriptors, most likely: let some close.
                    cuts.note(Cut::AcceptFailed, None);
                    tracing::debug!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let cap = if limits.uncapped.trusts(peer.ip()) {
            0
        } else {
            limits.max_connections_per_ip
        };
        let Some(slot) = table.admit(peer.ip(), cap) else {
            cuts.note(Cut::OverCap, Some(peer.ip()));
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let front = front.clone();
        let deadline_cuts = cuts.clone();
        let body_timeout = limits.body_timeout;
        let service = hyper::service::service_fn(
            move |req: hyper::Request<hyper::body::Incoming>| {
                let body_cuts = deadline_cuts.clone();
                let req = req.map(|b| {
                    axum::body::Body::new(DeadlineBody::new(b, body_timeout, peer.ip(), body_cuts))
                });
                let front = front.clone();
                async move { Ok::<_, std::convert::Infallible>(front.handle(req, Some(peer)).await) }
            },
        );
        let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        let cuts = cuts.clone();
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                if e.is_timeout() {
                    cuts.note(Cut::HeaderTimeout, Some(peer.ip()));
                } else {
                    tracing::debug!(error = %e, %peer, "connection ended with an error");
                }
            }
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after {DRAIN:?}: closing them");
    }
    Ok(())
}

/// Open connections per address.
#[derive(Default)]
struct ConnTable(Mutex<HashMap<IpAddr, u32>>);

/// One admitted connection; leaving drops its count.
struct Slot {
    table: Arc<ConnTable>,
    ip: IpAddr,
}

impl ConnTable {
    fn admit(self: &Arc<Self>, ip: IpAddr, cap: u32) -> Option<Slot> {
        let mut map = self.0.lock().expect("connection table lock");
        let n = map.entry(ip).or_insert(0);
        if cap > 0 && *n >= cap {
            return None;
        }
        *n += 1;
        Some(Slot {
            table: self.clone(),
            ip,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut map = self.table.0.lock().expect("connection table lock");
        if let Some(n) = map.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.ip);
            }
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Cut {
    HeaderTimeout,
    BodyTimeout,
    OverCap,
    AcceptFailed,
}

impl Cut {
    fn what(self) -> &'static str {
        match self {
            Cut::HeaderTimeout => "connections closed: no complete request headers within the header timeout (idle or slow)",
            Cut::BodyTimeout => "requests cut: the body did not arrive within the body timeout",
            Cut::OverCap => "connections refused: the address already holds the most connections allowed",
            Cut::AcceptFailed => "accepts failed (out of file descriptors?)",
        }
    }
}

/// Counts of what was cut, logged as a sum at most every ten seconds per kind.
#[derive(Default)]
struct Cuts {
    counts: [AtomicU64; 4],
    last: Mutex<[Option<Instant>; 4]>,
}

const SUMMARY_EVERY: Duration = Duration::from_secs(10);

impl Cuts {
    fn note(&self, cut: Cut, ip: Option<IpAddr>) {
        let i = cut as usize;
        self.counts[i].fetch_add(1, Ordering::Relaxed);
        let mut last = self.last.lock().expect("cut log lock");
        let now = Instant::now();
        if last[i].is_some_and(|t| now.duration_since(t) < SUMMARY_EVERY) {
            return;
        }
        last[i] = Some(now);
        drop(last);
        let count = self.counts[i].swap(0, Ordering::Relaxed);
        let ip = ip.map(|ip| ip.to_string()).unwrap_or_default();
        if matches!(cut, Cut::HeaderTimeout) {
            // Mostly browsers' idle keep-alive connections: not a warning.
            tracing::info!(target: "kawaraban::limits", count, last_from = %ip, "{}", cut.what());
        } else {
            tracing::warn!(target: "kawaraban::limits", count, last_from = %ip, "{}", cut.what());
        }
    }
}

/// A request body that fails once `limit` has passed since its request's
/// headers arrived, however slowly its bytes trickle in. The clock starts
/// on the first read, so requests whose body is never read cost no timer.
pub struct DeadlineBody<B> {
    inner: B,
    started: Instant,
    limit: Duration,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    peer: IpAddr,
    cuts: Arc<Cuts>,
}

impl<B> DeadlineBody<B> {
    fn new(inner: B, limit: Duration, peer: IpAddr, cuts: Arc<Cuts>) -> Self {
        Self {
            inner,
            started: Instant::now(),
            limit,
            sleep: None,
            peer,
            cuts,
        }
    }
}

/// The error a body past its deadline ends with.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
pub struct BodyTimeout;

impl<B> HttpBody for DeadlineBody<B>
where
    B: HttpBody<Data = Bytes> + Unpin,
    B::Error: Into<axum::BoxError>,
{
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        if this.sleep.is_none() {
            let at = tokio::time::Instant::from_std(this.started + this.limit);
            this.sleep = Some(Box::pin(tokio::time::sleep_until(at)));
        }
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        if let Some(sleep) = this.sleep.as_mut() {
            if sleep.as_mut().poll(cx).is_ready() {
                this.cuts.note(Cut::BodyTimeout, Some(this.peer));
                return Poll::Ready(Some(Err(Box::new(BodyTimeout))));
            }
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_at_most_its_cap_and_slots_come_back() {
        let t = Arc::new(ConnTable::default());
        let a: IpAddr = "127.0.0.2".parse().unwrap();
        let b: IpAddr = "127.0.0.3".parse().unwrap();
        let one = t.admit(a, 2).unwrap();
        let _two = t.admit(a, 2).unwrap();
        assert!(
            t.admit(a, 2).is_none(),
            "the third from one address is refused"
        );
        assert!(t.admit(b, 2).is_some(), "another address is not held up");
        drop(one);
        assert!(
            t.admit(a, 2).is_some(),
            "a closed connection frees its slot"
        );
        assert!(t.admit(a, 0).is_some(), "0 means no cap");
    }
}
