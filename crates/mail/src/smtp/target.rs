//! Where the SMTP server is, read from `--smtp-url` in lettre's form:
//! `smtp://host:25` (plain), `smtp://host:587?tls=required` (STARTTLS, or
//! `tls=opportunistic`), `smtps://user:password@host` (TLS from the first
//! byte), with an optional `/name` path for the EHLO name.

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::extension::ClientId;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    None,
    StartTlsRequired,
    StartTlsOpportunistic,
    /// Implicit TLS (`smtps://`, RFC 8314).
    Wrapper,
}

#[derive(Clone)]
pub struct Target {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub credentials: Option<Credentials>,
    pub hello: ClientId,
}

impl std::fmt::Debug for Target {
    /// Never prints the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("credentials", &self.credentials.is_some())
            .finish()
    }
}

impl Target {
    pub fn parse(url: &str) -> Result<Self, String> {
        let u = url::Url::parse(url.trim()).map_err(|e| format!("--smtp-url: {e}"))?;
        let host = u
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or("--smtp-url: the SMTP host is missing")?
            .trim_matches(|c| c == '[' || c == ']')
            .to_string();
        let tls = u
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.to_string());
        let (security, default_port) = match (u.scheme(), tls.as_deref()) {
            ("smtp", None | Some("none")) => (Security::None, 25),
            ("smtp", Some("required")) => (Security::StartTlsRequired, 587),
            ("smtp", Some("opportunistic")) => (Security::StartTlsOpportunistic, 587),
            ("smtps", None | Some("wrapper")) => (Security::Wrapper, 465),
            (scheme @ ("smtp" | "smtps"), Some(other)) => {
                return Err(format!(
                    "--smtp-url: tls={other} is not understood with {scheme}:// (use required or opportunistic)"
                ))
            }
            (scheme, _) => {
                return Err(format!(
                    "--smtp-url: the scheme {scheme}:// is not SMTP (use smtp:// or smtps://)"
                ))
            }
        };
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|c| c.into_owned())
                .map_err(|_| "--smtp-url: the user name or password is not UTF-8".to_string())
        };
        let credentials = match u.password() {
            Some(password) => Some(Credentials::new(decode(u.username())?, decode(password)?)),
            None if !u.username().is_empty() => {
                return Err("--smtp-url: a user name is given without a password".into())
            }
            None => None,
        };
        let name = u.path().trim_matches('/');
        let hello = if name.is_empty() {
            ClientId::default()
        } else {
            ClientId::Domain(name.to_string())
        };
        Ok(Self {
            host,
            port: u.port().unwrap_or(default_port),
            security,
            credentials,
            hello,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_forms_lettre_documents() {
        let t = Target::parse("smtp://127.0.0.1:2525").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.security),
            ("127.0.0.1", 2525, Security::None)
        );
        assert!(t.credentials.is_none());
        let t = Target::parse("smtp://mail.example.test?tls=required").unwrap();
        assert_eq!((t.port, t.security), (587, Security::StartTlsRequired));
        let t =
            Target::parse("smtps://news%40example.test:p%40ss@mail.example.test/kawaraban.example")
                .unwrap();
        assert_eq!((t.port, t.security), (465, Security::Wrapper));
        assert!(t.credentials.is_some());
        assert_eq!(t.hello, ClientId::Domain("kawaraban.example".into()));
        assert!(!format!("{t:?}").contains("p@ss"));
    }

    #[test]
    fn names_what_is_wrong() {
        assert!(Target::parse("http://x").unwrap_err().contains("not SMTP"));
        assert!(Target::parse("smtp://x?tls=maybe")
            .unwrap_err()
            .contains("tls=maybe"));
        assert!(Target::parse("smtp://user@x")
            .unwrap_err()
            .contains("without a password"));
        assert!(Target::parse("not a url")
            .unwrap_err()
            .starts_with("--smtp-url"));
    }
}
