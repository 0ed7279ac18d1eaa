//! Bounce and complaint reports: what a mail server, or a provider's webhook,
//! posts to our bounce endpoint, read into [`Report`]s. Pure: no I/O, no
//! storage; the caller decides what to do with each recipient.
//!
//! [`parse`] takes the raw bytes of one message and accepts a
//! `multipart/report` of one of two kinds:
//!
//! - **Delivery status notifications** (RFC 3464, `report-type=delivery-status`):
//!   the `message/delivery-status` part holds per-message fields, then one
//!   group of fields per recipient, groups separated by blank lines. Every
//!   group naming a recipient becomes a [`Report::Bounce`] (`Action: failed`)
//!   or a [`Report::Delay`] (`delayed`, `delivered`, `relayed`, `expanded`).
//! - **Complaints** (RFC 5965 ARF, `report-type=feedback-report`): the
//!   `message/feedback-report` part becomes one [`Report::Complaint`] per
//!   `Original-Rcpt-To`, or, when there is none, per address in the `To:` of
//!   the returned original message.
//!
//! What callers get, precisely:
//! - A DSN recipient is its `Original-Recipient` (the address we handed to
//!   the mail server) when that holds an address, else its `Final-Recipient`
//!   (which may be where the reader forwards their mail).
//! - Addresses lose their address type (`rfc822;`) and angle brackets and are
//!   trimmed; their case is kept (the caller normalises).
//! - `message_id` is the `Message-ID` header of the returned original
//!   (`message/rfc822`, `message/global` or `text/rfc822-headers`), unfolded
//!   and trimmed but otherwise as written, so *with* its angle brackets
//!   (unlike [`crate::Email::message_id`], which is stored without them).
//! - `status` is the status code alone (`5.1.1`); a bounce is `permanent`
//!   when it starts with `5`. `diagnostic` is the `Diagnostic-Code` text
//!   without its type (`smtp;`), unfolded; empty when absent.
//! - `feedback_type` is lower-cased (`abuse`): its values are
//!   case-insensitive tokens.
//! - A DSN whose recipients were all delayed or delivered yields only
//!   `Delay` entries. The result is never empty: a report that names no
//!   recipient is [`ReportError::NoRecipients`].
//! - Field names match case-insensitively; CRLF or LF line ends, folded
//!   fields and extra whitespace are all accepted. Anything that is not a
//!   `multipart/report` (a plain email, bytes that are no email at all, a
//!   read receipt) is [`ReportError::NotAReport`].

mod arf;
mod dsn;
mod fields;
#[cfg(test)]
mod tests;

use std::borrow::Cow;

use mail_parser::{HeaderName, Message, MessageParser, MessagePart, MimeHeaders};

use fields::{address, unfold};

/// What a report says about one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// A delivery status notification (RFC 3464) for a failed delivery.
    Bounce {
        recipient: String,
        /// The status code starts with 5: retrying will not help.
        permanent: bool,
        /// The status code, such as `5.1.1`.
        status: String,
        /// The remote server's words, without the `smtp;` type.
        diagnostic: String,
        /// The returned message's `Message-ID`, angle brackets included.
        message_id: Option<String>,
    },
    /// A delivery that was delayed or relayed (Action: delayed/relayed/delivered/expanded): nothing to do.
    Delay { recipient: String, status: String },
    /// A complaint (RFC 5965 ARF, Feedback-Type: abuse or similar).
    Complaint {
        recipient: String,
        /// Lower-cased: `abuse`, `fraud`, `not-spam` ...
        feedback_type: String,
        /// The complained-of message's `Message-ID`, angle brackets included.
        message_id: Option<String>,
    },
}

/// Why some bytes could not be read as a report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("not a bounce or complaint report (a multipart/report of type delivery-status or feedback-report)")]
    NotAReport,
    #[error("the report has no {0} part")]
    MissingPart(&'static str),
    #[error("the report names no recipient")]
    NoRecipients,
    #[error("malformed report: {0}")]
    Malformed(String),
}

const STATUS_PART: &[(&str, &str)] = &[
    ("message", "delivery-status"),
    ("message", "global-delivery-status"),
];
const FEEDBACK_PART: &[(&str, &str)] = &[("message", "feedback-report")];
const ORIGINAL_PART: &[(&str, &str)] = &[
    ("message", "rfc822"),
    ("message", "global"),
    ("text", "rfc822-headers"),
    ("message", "global-headers"),
];

/// Reads one bounce or complaint report; one entry per recipient it names.
pub fn parse(raw: &[u8]) -> Result<Vec<Report>, ReportError> {
    let message = MessageParser::default()
        .parse(raw)
        .ok_or(ReportError::NotAReport)?;
    let reports = match kind(&message)? {
        Kind::DeliveryStatus => dsn::delivery_status(&message)?,
        Kind::Feedback => arf::feedback(&message)?,
    };
    if reports.is_empty() {
        return Err(ReportError::NoRecipients);
    }
    Ok(reports)
}

enum Kind {
    DeliveryStatus,
    Feedback,
}

/// The kind of report, from the top-level `Content-Type`.
fn kind(message: &Message<'_>) -> Result<Kind, ReportError> {
    if !message.is_content_type("multipart", "report") {
        return Err(ReportError::NotAReport);
    }
    let report_type = message
        .content_type()
        .and_then(|ct| ct.attributes())
        .unwrap_or_default()
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case("report-type"))
        .map(|a| a.value.trim().to_ascii_lowercase());
    match report_type.as_deref() {
        Some("delivery-status" | "global-delivery-status") => Ok(Kind::DeliveryStatus),
        Some("feedback-report") => Ok(Kind::Feedback),
        Some(_) => Err(ReportError::NotAReport),
        None => Err(malformed("multipart/report without a report-type")),
    }
}

/// What we need from the returned original message (or its headers).
struct Original {
    message_id: Option<String>,
    to: Vec<String>,
}

fn original(message: &Message<'_>) -> Option<Original> {
    let part = find_part(message, ORIGINAL_PART)?;
    let headers = MessageParser::default().parse_headers(part.contents().trim_ascii_start())?;
    let message_id = headers
        .header_raw(HeaderName::MessageId)
        .map(unfold)
        .filter(|id| !id.is_empty());
    let to = headers
        .to()
        .map(|to| {
            to.iter()
                .filter_map(|a| a.address())
                .map(address)
                .filter(|a| !a.is_empty())
                .collect()
        })
        .unwrap_or_default();
    Some(Original { message_id, to })
}

/// The first part, at any depth of the top-level message, of one of `types`.
fn find_part<'m, 'x>(
    message: &'m Message<'x>,
    types: &[(&str, &str)],
) -> Option<&'m MessagePart<'x>> {
    message.parts.iter().find(|part| {
        types
            .iter()
            .any(|(ctype, subtype)| part.is_content_type(ctype, subtype))
    })
}

/// A part's body with its transfer encoding undone. Report fields are ASCII
/// (UTF-8 in the `global` variants), so a stray byte is not worth an error.
fn part_text<'m>(part: &'m MessagePart<'_>) -> Cow<'m, str> {
    String::from_utf8_lossy(part.contents())
}

fn malformed(why: impl Into<String>) -> ReportError {
    ReportError::Malformed(why.into())
}
