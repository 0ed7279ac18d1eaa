//! Webhooks' rules as plain functions: the events, the secrets, the
//! Standard Webhooks signature (`webhook-id`, `webhook-timestamp`,
//! `webhook-signature`), the retry schedule and which addresses a
//! delivery may go to.

use std::net::IpAddr;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::Duration;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Every event a webhook may ask for, with what the desk calls it.
pub const EVENTS: &[(&str, &str)] = &[
    (
        "story.published",
        "A story goes out (published now or scheduled)",
    ),
    ("story.updated", "A published story is changed"),
    ("story.unpublished", "A story is taken down"),
    ("story.correction", "A correction or update note is added"),
    ("comment.posted", "A comment is posted"),
    ("member.registered", "A reader registers"),
];

pub fn is_event(name: &str) -> bool {
    EVENTS.iter().any(|(e, _)| *e == name)
}

/// Secrets are `whsec_` and 32 random bytes in base64, as Standard
/// Webhooks' libraries read them.
pub fn new_secret(random: &[u8; 32]) -> String {
    format!("whsec_{}", STANDARD.encode(random))
}

/// The key bytes of a secret; `None` for one that is not `whsec_…` base64.
fn key(secret: &str) -> Option<Vec<u8>> {
    STANDARD.decode(secret.strip_prefix("whsec_")?).ok()
}

/// One signature, `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(&key(secret)?).ok()?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// The `webhook-signature` header: the current secret's signature and,
/// while a rotation is under way, the previous one's, space-separated, so
/// a receiver that has either secret accepts the delivery.
pub fn signature_header(
    current: &str,
    previous: Option<&str>,
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> String {
    [Some(current), previous]
        .into_iter()
        .flatten()
        .filter_map(|s| signature(s, id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// How long after a rotation the previous secret still signs.
pub const ROTATION_OVERLAP_HOURS: i64 = 24;

/// The wait before attempt `n + 1` after `n` failed ones; `None` once the
/// delivery has been tried enough (about a day and a half in all).
pub fn retry_after(failed: i64) -> Option<Duration> {
    const WAITS: [i64; 8] = [10, 60, 300, 1_800, 7_200, 21_600, 43_200, 86_400];
    let i = usize::try_from(failed.checked_sub(1)?).ok()?;
    WAITS.get(i).map(|s| Duration::seconds(*s))
}

/// Checks a receiver's address as typed: http or https, a host, no
/// user name or password in it.
pub fn check_url(text: &str) -> Result<url::Url, String> {
    let u = url::Url::parse(text.trim())
        .map_err(|e| format!("URL: \"{}\" is not an address ({e})", text.trim()))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(format!("URL: \"{}\" is not an http(s) address", u));
    }
    if u.host_str().is_none_or(str::is_empty) {
        return Err("URL: the address has no host".into());
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err("URL: put no user name or password in the address; sign deliveries with the secret instead".into());
    }
    Ok(u)
}

/// Addresses a delivery must not reach from a server unless the operator
/// allows it: this machine, the private network, link-local (cloud
/// metadata) and the like. Checked on registration and on each delivery
/// (a name may resolve elsewhere later).
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1])
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || v6
                    .to_ipv4_mapped()
                    .is_some_and(|v4| is_internal(IpAddr::V4(v4)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_follow_standard_webhooks() {
        // The example of the Standard Webhooks specification.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        let got = signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).unwrap();
        assert_eq!(got, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        let both = signature_header(
            secret,
            Some(&new_secret(&[7; 32])),
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            body,
        );
        assert_eq!(both.split(' ').count(), 2);
        assert!(both.starts_with(&got));
        assert!(signature("not-a-secret", "x", 1, b"").is_none());
    }

    #[test]
    fn retries_grow_then_stop() {
        assert_eq!(retry_after(0), None);
        assert_eq!(retry_after(1), Some(Duration::seconds(10)));
        assert_eq!(retry_after(2), Some(Duration::seconds(60)));
        assert_eq!(retry_after(8), Some(Duration::seconds(86_400)));
        assert_eq!(retry_after(9), None);
    }

    #[test]
    fn receivers_are_checked() {
        assert!(check_url("https://hooks.example.com/kawaraban").is_ok());
        for bad in [
            "ftp://x.example",
            "https://user:pw@x.example/",
            "not a url",
            "javascript:alert(1)",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "169.254.169.254",
            "::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "100.64.0.1",
        ] {
            assert!(is_internal(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:4700::1111"] {
            assert!(!is_internal(ip.parse().unwrap()), "{ip}");
        }
        assert!(is_event("story.published") && !is_event("story.deleted"));
    }
}
