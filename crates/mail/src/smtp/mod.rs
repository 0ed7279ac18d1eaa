//! Our SMTP client: lettre speaks the protocol; we keep the connections.
//!
//! Why not lettre's own pool: a newsletter must reach each reader exactly
//! once even if the process is killed mid-send, which needs the message
//! recorded as sent between its content and its end (see [`gate`]); and
//! bulk sending needs `TCP_NODELAY`, or every message waits on Nagle's
//! algorithm and the server's delayed ACK (about 40 ms on Linux loopback).

mod gate;
mod target;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Mechanism;
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt, Rset};
use lettre::transport::smtp::extension::{Extension, MailBodyParameter, MailParameter};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio_rustls::rustls;

pub use gate::{unclaimed, Claim, End};
use gate::{Gate, GatedStream};
pub use target::{Security, Target};

use crate::transport::SendError;

/// Connecting, greeting, TLS and login together.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// One message, from MAIL FROM to the server's answer to its end.
const MESSAGE_TIMEOUT: Duration = Duration::from_secs(120);
/// An idle connection older than this is checked (NOOP) before use.
const CHECK_AFTER: Duration = Duration::from_secs(10);

/// What became of one message.
#[derive(Debug)]
pub enum Delivery {
    /// The server took it.
    Accepted,
    /// The claim was refused: nothing was delivered, someone else owns it.
    NotClaimed,
    /// The server refused it (before or after its end), or it could not be
    /// sent at all; nothing was delivered.
    Refused(SendError),
    /// Claimed and ended, but the server's answer never came: most likely
    /// delivered, and counted so (never sent twice).
    Unconfirmed(String),
}

pub struct Smtp {
    target: Target,
    tls: Option<Arc<rustls::ClientConfig>>,
    idle: Mutex<Vec<Pooled>>,
    slots: Semaphore,
}

struct Pooled {
    conn: AsyncSmtpConnection,
    gate: Gate,
    used: Instant,
}

impl Smtp {
    /// Up to `connections` connections to the server at `url`.
    pub fn new(url: &str, connections: u32) -> Result<Self, String> {
        let target = Target::parse(url)?;
        let tls = (target.security == Security::Wrapper).then(|| {
            let roots =
                rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map(|b| Arc::new(b.with_root_certificates(roots).with_no_client_auth()))
                .map_err(|e| format!("--smtp-url: TLS: {e}"))
        });
        Ok(Self {
            target,
            tls: tls.transpose()?,
            idle: Mutex::new(Vec::new()),
            slots: Semaphore::new(connections.max(1) as usize),
        })
    }

    /// Sends `message` (its bytes, with headers) to the envelope's
    /// recipients; `claim` runs after the content and before its end.
    pub async fn send(
        &self,
        envelope: &Envelope,
        message: &[u8],
        claim: impl FnOnce(End) -> Claim,
    ) -> Delivery {
        let Ok(_slot) = self.slots.acquire().await else {
            return Delivery::Refused(SendError::Transient("the SMTP pool is closed".into()));
        };
        let mut c = match self.checkout().await {
            Ok(c) => c,
            Err(e) => return Delivery::Refused(e),
        };
        if non_ascii(envelope)
            && !c
                .conn
                .server_info()
                .supports_feature(Extension::SmtpUtfEight)
        {
            self.checkin(c);
            return Delivery::Refused(SendError::Permanent(
                "the address is internationalised and the SMTP server does not accept such addresses (no SMTPUTF8)".into(),
            ));
        }
        let gate = c.gate.clone();
        gate.load(claim);
        let sent = tokio::time::timeout(
            MESSAGE_TIMEOUT,
            exchange(&mut c.conn, &gate, envelope, message),
        )
        .await;
        // What went wrong, if anything: an SMTP error, or (None) no answer
        // in time.
        let error = match sent {
            Ok(Ok(())) => {
                self.checkin(c);
                return Delivery::Accepted;
            }
            Ok(Err(e)) => Some(e),
            Err(_) => None,
        };
        let answered = error.as_ref().is_some_and(|e| e.is_response());
        match (gate.released(), error) {
            (Some(false), _) => Delivery::NotClaimed,
            // Refused before its end: the connection is good after RSET.
            (None, error) => {
                if answered && c.conn.command(Rset).await.is_ok() {
                    self.checkin(c);
                }
                Delivery::Refused(error.map_or_else(
                    || SendError::Transient("the SMTP server stopped answering".into()),
                    |e| classify(&e),
                ))
            }
            (Some(true), Some(e)) if answered => Delivery::Refused(classify(&e)),
            (Some(true), Some(e)) => Delivery::Unconfirmed(e.to_string()),
            (Some(true), None) => {
                Delivery::Unconfirmed("no answer to the end of the message".into())
            }
        }
    }

    async fn checkout(&self) -> Result<Pooled, SendError> {
        loop {
            let Some(mut c) = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop() else {
                break;
            };
            if c.used.elapsed() < CHECK_AFTER || c.conn.test_connected().await {
                return Ok(c);
            }
        }
        tokio::time::timeout(CONNECT_TIMEOUT, self.connect())
            .await
            .map_err(|_| {
                SendError::Transient(format!(
                    "{}:{}: no answer within {CONNECT_TIMEOUT:?}",
                    self.target.host, self.target.port
                ))
            })?
    }

    fn checkin(&self, mut c: Pooled) {
        if !c.conn.has_broken() {
            c.used = Instant::now();
            self.idle.lock().unwrap_or_else(|e| e.into_inner()).push(c);
        }
    }

    async fn connect(&self) -> Result<Pooled, SendError> {
        let t = &self.target;
        let at = format!("{}:{}", t.host, t.port);
        let io = |e: std::io::Error| SendError::Transient(format!("{at}: {e}"));
        let tcp = TcpStream::connect((t.host.as_str(), t.port))
            .await
            .map_err(io)?;
        tcp.set_nodelay(true).map_err(io)?;
        let stream = match &self.tls {
            Some(config) => {
                let name = rustls::pki_types::ServerName::try_from(t.host.clone())
                    .map_err(|e| SendError::Permanent(format!("{at}: {e}")))?;
                let tls = tokio_rustls::TlsConnector::from(config.clone())
                    .connect(name, tcp)
                    .await
                    .map_err(|e| SendError::Transient(format!("{at}: TLS: {e}")))?;
                GatedStream::tls(tls, Gate::default())
            }
            None => {
                // A second descriptor on the same socket, for End::write_now.
                let std = tcp.into_std().map_err(io)?;
                let raw = std.try_clone().map_err(io)?;
                GatedStream::plain(TcpStream::from_std(std).map_err(io)?, Gate::plain(raw))
            }
        };
        let gate = stream.gate();
        let failed = |e: lettre::transport::smtp::Error| SendError::Transient(format!("{at}: {e}"));
        let mut conn = AsyncSmtpConnection::connect_with_transport(Box::new(stream), &t.hello)
            .await
            .map_err(failed)?;
        let starttls = match t.security {
            Security::StartTlsRequired => true,
            Security::StartTlsOpportunistic => conn.can_starttls(),
            Security::None | Security::Wrapper => false,
        };
        if starttls {
            let params = TlsParameters::new(t.host.clone()).map_err(failed)?;
            conn.starttls(params, &t.hello).await.map_err(failed)?;
        }
        if let Some(credentials) = &t.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await
                .map_err(|e| classify(&e))?;
        }
        Ok(Pooled {
            conn,
            gate,
            used: Instant::now(),
        })
    }
}

/// MAIL, RCPT, DATA, the content, then (past the gate) its end.
async fn exchange(
    conn: &mut AsyncSmtpConnection,
    gate: &Gate,
    envelope: &Envelope,
    message: &[u8],
) -> Result<(), lettre::transport::smtp::Error> {
    let mut options = Vec::new();
    if non_ascii(envelope) {
        options.push(MailParameter::SmtpUtfEight);
    }
    if !message.is_ascii() && conn.server_info().supports_feature(Extension::EightBitMime) {
        options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    conn.command(Mail::new(envelope.from().cloned(), options))
        .await?;
    for to in envelope.to() {
        conn.command(Rcpt::new(to.clone(), vec![])).await?;
    }
    conn.command(Data).await?;
    conn.message_iter(gate.arming(message)).await?;
    Ok(())
}

/// 5xx is for good; anything else may pass later.
fn classify(e: &lettre::transport::smtp::Error) -> SendError {
    if e.is_permanent() {
        SendError::Permanent(e.to_string())
    } else {
        SendError::Transient(e.to_string())
    }
}

/// Whether an envelope address needs SMTPUTF8 (RFC 6531).
fn non_ascii(envelope: &Envelope) -> bool {
    envelope
        .from()
        .is_some_and(|a| !AsRef::<str>::as_ref(a).is_ascii())
        || envelope
            .to()
            .iter()
            .any(|a| !AsRef::<str>::as_ref(a).is_ascii())
}
