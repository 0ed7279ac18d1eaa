//! One email, as the job queue stores it, and its MIME form.

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::Message;
use serde::{Deserialize, Serialize};

/// A rendered email: multipart text and HTML.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Email {
    /// Recipient address.
    pub to: String,
    /// Recipient name (may be empty).
    #[serde(default)]
    pub to_name: String,
    /// Sender display name (the site's name); the address is the configured sender.
    #[serde(default)]
    pub from_name: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Extra headers (`List-Unsubscribe` ...), checked like the subject.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// A stable `Message-ID` (without angle brackets), when the caller has one.
    #[serde(default)]
    pub message_id: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    #[error("{field}: line breaks are not allowed in a header")]
    HeaderInjection { field: String },
    #[error("{field}: {address:?} is not an address we can send to")]
    BadAddress { field: String, address: String },
    #[error("cannot build the message: {0}")]
    Build(String),
}

fn no_breaks(field: &str, value: &str) -> Result<(), MessageError> {
    if value.contains(['\r', '\n', '\0']) {
        return Err(MessageError::HeaderInjection {
            field: field.to_string(),
        });
    }
    Ok(())
}

fn mailbox(field: &str, name: &str, address: &str) -> Result<Mailbox, MessageError> {
    no_breaks(field, name)?;
    no_breaks(field, address)?;
    let addr = address.parse().map_err(|_| MessageError::BadAddress {
        field: field.to_string(),
        address: address.to_string(),
    })?;
    Ok(Mailbox::new(
        (!name.trim().is_empty()).then(|| name.trim().to_string()),
        addr,
    ))
}

/// Checks a sender (`--mail-from`): an address, or `Name <address>`.
pub fn check_sender(from: &str) -> Result<(), String> {
    if from.contains(['\r', '\n']) {
        return Err("line breaks are not allowed".into());
    }
    from.parse::<Mailbox>()
        .map(|_| ())
        .map_err(|e| format!("{from:?} is not an address or `Name <address>`: {e}"))
}

impl Email {
    /// The MIME message, sent from `from` (an address, or `Name <address>`).
    /// Line breaks in any header value are refused, never passed on.
    pub fn to_message(&self, from: &str) -> Result<Message, MessageError> {
        no_breaks("subject", &self.subject)?;
        let from_box: Mailbox = match from.parse::<Mailbox>() {
            Ok(mut m) => {
                if m.name.is_none() && !self.from_name.trim().is_empty() {
                    no_breaks("from", &self.from_name)?;
                    m.name = Some(self.from_name.trim().to_string());
                }
                m
            }
            Err(_) => {
                return Err(MessageError::BadAddress {
                    field: "from".into(),
                    address: from.to_string(),
                })
            }
        };
        let mut builder = Message::builder()
            .from(from_box)
            .to(mailbox("to", &self.to_name, &self.to)?)
            .subject(self.subject.clone());
        if let Some(id) = &self.message_id {
            no_breaks("message_id", id)?;
            builder = builder.message_id(Some(format!("<{id}>")));
        }
        let body = MultiPart::alternative()
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .body(self.text.clone()),
            )
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_HTML)
                    .body(self.html.clone()),
            );
        let mut message = builder
            .multipart(body)
            .map_err(|e| MessageError::Build(e.to_string()))?;
        for (name, value) in &self.headers {
            no_breaks(name, name)?;
            no_breaks(name, value)?;
            let name = HeaderName::new_from_ascii(name.clone())
                .map_err(|_| MessageError::Build(format!("bad header name {name:?}")))?;
            message
                .headers_mut()
                .insert_raw(HeaderValue::new(name, value.clone()));
        }
        Ok(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Email {
        Email {
            to: "reader@example.test".into(),
            to_name: "Ann Reader".into(),
            from_name: "The Lanternfield Post".into(),
            subject: "Confirm your email".into(),
            text: "Hello\nhttps://news.example/verify".into(),
            html: "<p>Hello</p>".into(),
            headers: vec![("List-Id".into(), "<alerts.news.example>".into())],
            message_id: Some("abc@news.example".into()),
        }
    }

    #[test]
    fn builds_multipart_text_and_html() {
        let raw = String::from_utf8(
            sample()
                .to_message("news@example.test")
                .unwrap()
                .formatted(),
        )
        .unwrap();
        assert!(raw.contains("multipart/alternative"), "{raw}");
        assert!(raw.contains("text/plain") && raw.contains("text/html"));
        assert!(
            raw.contains("From: \"The Lanternfield Post\" <news@example.test>"),
            "{raw}"
        );
        assert!(raw.contains("Message-ID: <abc@news.example>"));
        assert!(raw.contains("List-Id: <alerts.news.example>"));
    }

    #[test]
    fn senders_are_checked() {
        assert!(check_sender("news@example.test").is_ok());
        assert!(check_sender("The Post <news@example.test>").is_ok());
        assert!(check_sender("not an address").is_err());
        assert!(check_sender("a@b.test\r\nBcc: x@y.test").is_err());
    }

    #[test]
    fn header_injection_is_refused() {
        let mut e = sample();
        e.subject = "Hi\r\nBcc: victim@example.test".into();
        assert!(matches!(
            e.to_message("a@b.test"),
            Err(MessageError::HeaderInjection { .. })
        ));
        let mut e = sample();
        e.to_name = "Ann\nBcc: x@y.test".into();
        assert!(e.to_message("a@b.test").is_err());
        let mut e = sample();
        e.to = "a@b.test\r\nBcc: x@y.test".into();
        assert!(e.to_message("a@b.test").is_err());
        let mut e = sample();
        e.headers = vec![("X-Test".into(), "a\r\nBcc: x@y.test".into())];
        assert!(e.to_message("a@b.test").is_err());
    }
}
