//! The gate in front of the end of a message.
//!
//! SMTP cannot say whether a message was delivered once the client has sent
//! the final `CRLF.CRLF`: a crash between that and recording the answer
//! means either a second copy or, if the record comes first, none. We record
//! first, in the smallest window there is: the whole message goes out, then
//! the socket holds back the five bytes that end it until the caller's
//! *claim* (a database commit marking the message sent) has succeeded. A
//! process killed before the commit leaves an unfinished message that the
//! server throws away (RFC 5321 §4.1.1.4); killed after it, the end is
//! already written. If the claim is refused (another sender owns the
//! message now), the end is never written and the connection is dropped.
//!
//! lettre writes a message's content, then the end marker in a write of its
//! own (`AsyncSmtpConnection::message_iter`). [`Arming`] is the content
//! iterator: when lettre asks it for the next part after the last one, it
//! arms the gate, so the next bytes to reach the socket are the end marker.
//! With TLS the gate sits under the encryption and holds back the record
//! that carries it.
//!
//! The window that remains, between the commit and the end reaching the
//! kernel, is kept as short as we can: the claimer is handed an [`End`] and,
//! on a plain connection, writes the five bytes itself the moment its
//! commit returns, instead of waking each sending task to do it.

use std::future::Future;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use lettre::transport::smtp::client::AsyncTokioStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// Resolves to `true` once the message is recorded as sent.
pub type Claim = Pin<Box<dyn Future<Output = bool> + Send>>;

/// A claim that needs no record (transactional mail: sent at least once).
pub fn unclaimed(_: End) -> Claim {
    Box::pin(std::future::ready(true))
}

/// The end of a message's data (RFC 5321 §4.1.1.4).
const END: &[u8] = b"\r\n.\r\n";

#[derive(Default)]
struct Slot {
    claim: Option<Claim>,
    armed: bool,
    /// What the claim answered, once it has.
    released: Option<bool>,
    /// Bytes of the end already written by [`End::write_now`].
    end_written: usize,
}

/// Shared between a connection's stream and the code sending on it.
#[derive(Clone, Default)]
pub struct Gate {
    slot: Arc<Mutex<Slot>>,
    /// The same socket (a duplicate descriptor, non-blocking) for
    /// [`End::write_now`]; none under TLS.
    raw: Option<Arc<std::net::TcpStream>>,
}

/// The end of the message waiting at a gate, for the claimer to write.
pub struct End(Option<Gate>);

impl End {
    /// For transports with no connection to end (files).
    pub fn none() -> Self {
        End(None)
    }

    /// Writes the end of the message at once, from the caller's thread;
    /// `false` when that cannot be done here (TLS, a full socket buffer),
    /// and the sending task writes it (or the rest of it) when released.
    /// Only for a claim that succeeded.
    pub fn write_now(&self) -> bool {
        let Some(gate) = &self.0 else { return false };
        let Some(raw) = &gate.raw else { return false };
        let mut slot = gate.slot();
        if !slot.armed || slot.released.is_some() {
            return false;
        }
        let from = slot.end_written;
        match (&**raw).write(&END[from..]) {
            Ok(n) => {
                slot.end_written += n;
                slot.end_written == END.len()
            }
            Err(_) => false,
        }
    }
}

impl Gate {
    /// A gate for a plain TCP connection, with a second handle on it.
    pub fn plain(raw: std::net::TcpStream) -> Self {
        Gate {
            slot: Default::default(),
            raw: Some(Arc::new(raw)),
        }
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Slot> {
        // A panic while holding the lock cannot leave the slot half-written.
        self.slot.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sets the claim for the next message, made with this gate's [`End`].
    pub fn load(&self, claim: impl FnOnce(End) -> Claim) {
        let claim = claim(End(Some(self.clone())));
        *self.slot() = Slot {
            claim: Some(claim),
            ..Slot::default()
        };
    }

    /// Bytes of the end written already by the claimer (taken once).
    fn take_written(&self) -> usize {
        std::mem::take(&mut self.slot().end_written)
    }

    /// Whether the claim ran, and what it answered.
    pub fn released(&self) -> Option<bool> {
        self.slot().released
    }

    /// The message's content, arming the gate when it is used up.
    pub fn arming<'a>(&self, content: &'a [u8]) -> Arming<'a> {
        Arming {
            content: Some(content),
            gate: self.clone(),
        }
    }

    fn poll_open(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // The claim is polled outside the lock: it may itself write the
        // end (`End::write_now`), which takes the lock.
        let mut claim = {
            let mut slot = self.slot();
            if slot.released == Some(false) {
                return Poll::Ready(Err(refused()));
            }
            if !slot.armed {
                return Poll::Ready(Ok(()));
            }
            match slot.claim.take() {
                Some(claim) => claim,
                None => return Poll::Ready(Ok(())),
            }
        };
        let polled = claim.as_mut().poll(cx);
        let mut slot = self.slot();
        let Poll::Ready(ok) = polled else {
            slot.claim = Some(claim);
            return Poll::Pending;
        };
        slot.armed = false;
        slot.released = Some(ok);
        Poll::Ready(if ok { Ok(()) } else { Err(refused()) })
    }
}

fn refused() -> io::Error {
    io::Error::other("the message was not claimed; its end is not sent")
}

pub struct Arming<'a> {
    content: Option<&'a [u8]>,
    gate: Gate,
}

impl<'a> Iterator for Arming<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let part = self.content.take();
        if part.is_none() {
            self.gate.slot().armed = true;
        }
        part
    }
}

/// A TCP connection (TLS inside it for `smtps://`) whose writes wait at the gate.
pub struct GatedStream {
    inner: Inner,
    gate: Gate,
}

enum Inner {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl GatedStream {
    pub fn plain(tcp: TcpStream, gate: Gate) -> Self {
        Self {
            inner: Inner::Plain(tcp),
            gate,
        }
    }

    pub fn tls(tls: tokio_rustls::client::TlsStream<TcpStream>, gate: Gate) -> Self {
        Self {
            inner: Inner::Tls(Box::new(tls)),
            gate,
        }
    }

    pub fn gate(&self) -> Gate {
        self.gate.clone()
    }
}

impl std::fmt::Debug for GatedStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.inner {
            Inner::Plain(_) => "GatedStream(tcp)",
            Inner::Tls(_) => "GatedStream(tls)",
        })
    }
}

impl AsyncRead for GatedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match &mut self.inner {
            Inner::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Inner::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for GatedStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        std::task::ready!(self.gate.poll_open(cx))?;
        let written = self.gate.take_written();
        if written > 0 {
            // The claimer wrote (part of) the end, which is what lettre is
            // writing now: those bytes count as written.
            debug_assert!(buf.starts_with(&END[..written]));
            return Poll::Ready(Ok(written.min(buf.len())));
        }
        match &mut self.inner {
            Inner::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Inner::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.gate.poll_open(cx))?;
        match &mut self.inner {
            Inner::Plain(s) => Pin::new(s).poll_flush(cx),
            Inner::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.inner {
            Inner::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Inner::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

impl AsyncTokioStream for GatedStream {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        match &self.inner {
            Inner::Plain(s) => s.peer_addr(),
            Inner::Tls(s) => s.get_ref().0.peer_addr(),
        }
    }
}
