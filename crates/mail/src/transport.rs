//! Where messages go: an SMTP server, or `.eml` files in an outbox directory.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How email leaves the process.
#[derive(Clone)]
pub enum Transport {
    /// Any SMTP server, from a URL in lettre's form
    /// (`smtp://host:25`, `smtps://user:pass@host`, `smtp://host:587?tls=required`).
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// No SMTP server configured: every message becomes a file here.
    Outbox(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth trying again later (4xx, connection trouble).
    #[error("temporary failure: {0}")]
    Transient(String),
    /// The server refused the message or recipient for good (5xx).
    #[error("permanent failure: {0}")]
    Permanent(String),
}

static OUTBOX_SEQ: AtomicU64 = AtomicU64::new(0);

impl Transport {
    /// From `--smtp-url`, or an outbox under the data directory without one.
    pub fn new(smtp_url: Option<&str>, outbox: PathBuf) -> Result<Self, String> {
        match smtp_url.filter(|u| !u.trim().is_empty()) {
            Some(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map(|b| Transport::Smtp(b.build()))
                .map_err(|e| format!("--smtp-url: {e}")),
            None => Ok(Transport::Outbox(outbox)),
        }
    }

    /// The same, keeping up to `connections` SMTP connections open (bulk
    /// sending: each message waits on the server's answers, so throughput
    /// comes from messages in flight on several connections).
    pub fn pooled(
        smtp_url: Option<&str>,
        outbox: PathBuf,
        connections: u32,
    ) -> Result<Self, String> {
        match smtp_url.filter(|u| !u.trim().is_empty()) {
            Some(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map(|b| {
                    let pool =
                        lettre::transport::smtp::PoolConfig::new().max_size(connections.max(1));
                    Transport::Smtp(b.pool_config(pool).build())
                })
                .map_err(|e| format!("--smtp-url: {e}")),
            None => Ok(Transport::Outbox(outbox)),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp(_) => "SMTP".into(),
            Transport::Outbox(dir) => format!("files in {}", dir.display()),
        }
    }

    pub async fn send(&self, message: Message) -> Result<(), SendError> {
        match self {
            Transport::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(|e| {
                if e.is_permanent() {
                    SendError::Permanent(e.to_string())
                } else {
                    SendError::Transient(e.to_string())
                }
            }),
            Transport::Outbox(dir) => {
                let dir = dir.clone();
                let bytes = message.formatted();
                tokio::task::spawn_blocking(move || write_eml(&dir, &bytes))
                    .await
                    .map_err(|e| SendError::Transient(e.to_string()))?
                    .map(|path| tracing::info!(path = %path.display(), "email written to the outbox"))
                    .map_err(|e| SendError::Transient(e.to_string()))
            }
        }
    }
}

/// Writes atomically (temporary name, then rename) so readers never see half a file.
fn write_eml(dir: &std::path::Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ");
    let n = OUTBOX_SEQ.fetch_add(1, Ordering::Relaxed);
    let name = format!("{stamp}-{}-{n}.eml", std::process::id());
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, bytes)?;
    let path = dir.join(name);
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}
