//! Where messages go: an SMTP server, or `.eml` files in an outbox directory.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use std::sync::Arc;

use lettre::message::dkim::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm,
    DkimSigningKey,
};
use lettre::message::header::HeaderName;
use lettre::Message;

use crate::smtp::{unclaimed, Claim, Delivery, End, Smtp};

/// How email leaves the process, signed with DKIM when a key is set.
#[derive(Clone)]
pub struct Transport {
    via: Via,
    dkim: Option<Arc<DkimConfig>>,
}

#[derive(Clone)]
enum Via {
    /// Any SMTP server, from a URL in lettre's form
    /// (`smtp://host:25`, `smtps://user:pass@host`, `smtp://host:587?tls=required`).
    Smtp(Arc<Smtp>),
    /// No SMTP server configured: every message becomes a file here.
    Outbox(PathBuf),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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
    /// From `--smtp-url`, or an outbox under the data directory without
    /// one; a few connections, for transactional mail.
    pub fn new(smtp_url: Option<&str>, outbox: PathBuf) -> Result<Self, String> {
        Self::pooled(smtp_url, outbox, 4)
    }

    /// Signs every message with DKIM (RFC 6376): `key_pem` is an RSA key
    /// (PKCS#1 PEM, `-----BEGIN RSA PRIVATE KEY-----`) or an Ed25519 key
    /// (its 32 bytes in base64); `selector` and `domain` name the DNS record
    /// (`selector._domainkey.domain`) holding the public key.
    pub fn with_dkim(
        mut self,
        key_pem: &str,
        selector: &str,
        domain: &str,
    ) -> Result<Self, String> {
        let key = key_pem.trim();
        let signing = if key.starts_with("-----BEGIN RSA PRIVATE KEY-----") {
            DkimSigningKey::new(key, DkimSigningAlgorithm::Rsa)
        } else if key.starts_with("-----BEGIN") {
            return Err("the DKIM key must be an RSA key in PKCS#1 PEM (BEGIN RSA PRIVATE KEY) or an Ed25519 key in base64".into());
        } else {
            DkimSigningKey::new(key, DkimSigningAlgorithm::Ed25519)
        }
        .map_err(|e| format!("the DKIM key cannot be read: {e}"))?;
        if selector.is_empty()
            || domain.is_empty()
            || !selector
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err("a DKIM selector (letters, digits, - or _) and a domain are needed".into());
        }
        // Relaxed/relaxed: with lettre's default (simple header
        // canonicalization) dkimpy rejects the signature. The unsubscribe
        // headers are signed too, as large mailbox providers ask of bulk
        // senders (a header a message lacks counts as empty). Not
        // MIME-Version or Content-Type: lettre adds them when it formats,
        // after signing, so signing them breaks the signature.
        let headers = [
            "From",
            "To",
            "Subject",
            "Date",
            "Message-ID",
            "List-Unsubscribe",
            "List-Unsubscribe-Post",
        ]
        .into_iter()
        .map(HeaderName::new_from_ascii_str)
        .collect();
        self.dkim = Some(Arc::new(DkimConfig::new(
            selector.to_string(),
            domain.to_string(),
            signing,
            headers,
            DkimCanonicalization {
                header: DkimCanonicalizationType::Relaxed,
                body: DkimCanonicalizationType::Relaxed,
            },
        )));
        Ok(self)
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
            Some(url) => Ok(Transport::from(Via::Smtp(Arc::new(Smtp::new(
                url,
                connections,
            )?)))),
            None => Ok(Transport::from(Via::Outbox(outbox))),
        }
    }

    /// The same DKIM signing as `other` (senders with their own pool).
    pub fn signing_like(mut self, other: &Transport) -> Self {
        self.dkim = other.dkim.clone();
        self
    }

    pub fn describe(&self) -> String {
        let via = match &self.via {
            Via::Smtp(_) => "SMTP".into(),
            Via::Outbox(dir) => format!("files in {}", dir.display()),
        };
        if self.dkim.is_some() {
            format!("{via}, DKIM-signed")
        } else {
            via
        }
    }

    /// Sends one message, at least once: a message whose answer never
    /// came counts as failed, and is sent again.
    pub async fn send(&self, message: Message) -> Result<(), SendError> {
        match self.send_claimed(message, unclaimed).await {
            Delivery::Accepted => Ok(()),
            Delivery::Refused(e) => Err(e),
            Delivery::NotClaimed => Err(SendError::Transient("not claimed".into())),
            Delivery::Unconfirmed(e) => Err(SendError::Transient(e)),
        }
    }

    /// Sends one message, recording it as sent (`claim`) just before its
    /// end is: at most once, and exactly once unless the server refuses it.
    pub async fn send_claimed(
        &self,
        mut message: Message,
        claim: impl FnOnce(End) -> Claim,
    ) -> Delivery {
        if let Some(dkim) = &self.dkim {
            message.sign(dkim);
        }
        match &self.via {
            Via::Smtp(smtp) => {
                smtp.send(message.envelope(), &message.formatted(), claim)
                    .await
            }
            Via::Outbox(dir) => {
                if !claim(End::none()).await {
                    return Delivery::NotClaimed;
                }
                let dir = dir.clone();
                let bytes = message.formatted();
                let written = tokio::task::spawn_blocking(move || write_eml(&dir, &bytes))
                    .await
                    .map_err(std::io::Error::other)
                    .and_then(|r| r);
                match written {
                    Ok(path) => {
                        tracing::info!(path = %path.display(), "email written to the outbox");
                        Delivery::Accepted
                    }
                    Err(e) => Delivery::Refused(SendError::Transient(e.to_string())),
                }
            }
        }
    }
}

impl From<Via> for Transport {
    fn from(via: Via) -> Self {
        Transport { via, dkim: None }
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
