//! Keys for integrations, shaped as Ghost's are (its client libraries check
//! the shape before they send anything): a read-only content key of 26 hex
//! characters, sent as `?key=`; an admin key `ID:SECRET` of 24 and 64 hex
//! characters, whose secret signs the short-lived tokens a client sends.
//!
//! A content key is kept only as its SHA-256: it is looked up, never shown
//! again. An admin key's secret is kept as it is, because checking a token's
//! HMAC needs it (as it needs a sign-in provider's client secret).

use sha2::{Digest, Sha256};

use crate::model::Role;

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// Reads what readers may read.
    Content,
    /// Writes, with the key's role.
    Admin,
}

impl KeyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::Content => "content",
            KeyKind::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "content" => Ok(KeyKind::Content),
            "admin" => Ok(KeyKind::Admin),
            other => Err(format!("{other:?} is not a key kind: use content or admin")),
        }
    }
}

/// Random bytes enough for any key: 13 for a content key, 12 + 32 for an
/// admin key's id and secret.
pub const RANDOM_BYTES: usize = 44;

/// A key as made: what is stored, and what the integration is given once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub kind: KeyKind,
    /// How the key is found: a content key's SHA-256, an admin key's id.
    pub lookup: String,
    /// An admin key's secret (hex); none for a content key.
    pub secret: Option<String>,
    /// The whole key, shown once.
    pub shown: String,
}

/// Makes a key of `kind` from `random` (from the operating system's
/// generator).
pub fn issue(kind: KeyKind, random: &[u8; RANDOM_BYTES]) -> Issued {
    match kind {
        KeyKind::Content => {
            let key = hex::encode(&random[..13]);
            Issued {
                kind,
                lookup: content_lookup(&key),
                secret: None,
                shown: key,
            }
        }
        KeyKind::Admin => {
            let id = hex::encode(&random[..12]);
            let secret = hex::encode(&random[12..44]);
            Issued {
                kind,
                lookup: id.clone(),
                shown: format!("{id}:{secret}"),
                secret: Some(secret),
            }
        }
    }
}

/// How a content key is stored and found.
pub fn content_lookup(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Whether `s` has a content key's shape (26 lower-case hex characters).
pub fn is_content_key(s: &str) -> bool {
    is_hex(s, 26)
}

/// An admin key's id and secret, when `s` has the shape `ID:SECRET`.
pub fn parse_admin_key(s: &str) -> Option<(&str, &str)> {
    let (id, secret) = s.split_once(':')?;
    (is_hex(id, 24) && is_hex(secret, 64)).then_some((id, secret))
}

/// The role an admin key acts with: a writer's, at most an admin's; a
/// content key reads as nobody in particular.
pub fn key_role(kind: KeyKind, asked: Option<Role>) -> Result<Role, String> {
    match (kind, asked) {
        (KeyKind::Content, None) => Ok(Role::Member),
        (KeyKind::Content, Some(_)) => {
            Err("a content key only reads: it takes no role".to_string())
        }
        (KeyKind::Admin, None) => Ok(Role::Editor),
        (KeyKind::Admin, Some(r)) if r >= Role::Author => Ok(r),
        (KeyKind::Admin, Some(r)) => Err(format!(
            "an admin key acts as author, editor or admin, not {}",
            r.as_str()
        )),
    }
}

/// A key's name: what the desk and the logs call the integration.
pub fn check_name(name: &str) -> Result<&str, String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
        return Err("NAME: 1 to 80 characters, no control characters".to_string());
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random() -> [u8; RANDOM_BYTES] {
        let mut r = [0u8; RANDOM_BYTES];
        for (i, b) in r.iter_mut().enumerate() {
            *b = (i * 37 + 11) as u8;
        }
        r
    }

    #[test]
    fn keys_have_ghosts_shapes() {
        let c = issue(KeyKind::Content, &random());
        assert!(is_content_key(&c.shown), "{}", c.shown);
        assert_eq!(c.secret, None);
        assert_eq!(c.lookup, content_lookup(&c.shown));
        assert_ne!(c.lookup, c.shown, "a content key is not stored as it is");

        let a = issue(KeyKind::Admin, &random());
        let (id, secret) = parse_admin_key(&a.shown).expect("admin shape");
        assert_eq!(id.len(), 24);
        assert_eq!(secret.len(), 64);
        assert_eq!(a.lookup, id);
        assert_eq!(a.secret.as_deref(), Some(secret));
    }

    #[test]
    fn shapes_are_checked_exactly() {
        assert!(!is_content_key("0123456789abcdef0123456789"[..25].as_ref()));
        assert!(!is_content_key("0123456789ABCDEF0123456789"));
        assert!(is_content_key("0123456789abcdef0123456789"));
        let id = "0123456789abcdef01234567";
        let secret = "0123456789abcdef".repeat(4);
        assert!(parse_admin_key(&format!("{id}:{secret}")).is_some());
        assert!(parse_admin_key(&format!("{id}{secret}")).is_none());
        assert!(parse_admin_key(&format!("{id}:{}", &secret[1..])).is_none());
        assert!(parse_admin_key(&format!("{}x:{secret}", &id[1..])).is_none());
    }

    #[test]
    fn roles_fit_the_kind() {
        assert_eq!(key_role(KeyKind::Content, None), Ok(Role::Member));
        assert!(key_role(KeyKind::Content, Some(Role::Editor)).is_err());
        assert_eq!(key_role(KeyKind::Admin, None), Ok(Role::Editor));
        assert_eq!(key_role(KeyKind::Admin, Some(Role::Admin)), Ok(Role::Admin));
        let e = key_role(KeyKind::Admin, Some(Role::Moderator)).unwrap_err();
        assert!(e.contains("moderator"), "{e}");
        assert_eq!(KeyKind::parse("admin"), Ok(KeyKind::Admin));
        assert!(KeyKind::parse("root").unwrap_err().contains("root"));
        assert!(check_name(" ").is_err());
        assert_eq!(check_name(" Wire bot "), Ok("Wire bot"));
    }
}
