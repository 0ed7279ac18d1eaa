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

use std::borrow::Cow;

use mail_parser::{HeaderName, Message, MessageParser, MessagePart, MimeHeaders};

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
        Kind::DeliveryStatus => delivery_status(&message)?,
        Kind::Feedback => feedback(&message)?,
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

/// One `Bounce` or `Delay` per recipient group of a DSN.
fn delivery_status(message: &Message<'_>) -> Result<Vec<Report>, ReportError> {
    let part = find_part(message, STATUS_PART)
        .ok_or(ReportError::MissingPart("message/delivery-status"))?;
    let message_id = original(message).and_then(|o| o.message_id);
    field_groups(&part_text(part))
        .iter()
        .filter_map(|fields| Some((dsn_recipient(fields)?, fields)))
        .map(|(recipient, fields)| dsn_entry(recipient, fields, &message_id))
        .collect()
}

/// The address a recipient group is about; `None` for the per-message group.
fn dsn_recipient(fields: &Fields) -> Option<String> {
    let original = fields
        .get("original-recipient")
        .map(address)
        .filter(|a| a.contains('@'));
    original.or_else(|| {
        fields
            .get("final-recipient")
            .map(address)
            .filter(|a| !a.is_empty())
    })
}

fn dsn_entry(
    recipient: String,
    fields: &Fields,
    message_id: &Option<String>,
) -> Result<Report, ReportError> {
    let (Some(action), Some(status)) = (fields.first_word("action"), fields.first_word("status"))
    else {
        return Err(malformed(format!(
            "recipient {recipient} lacks an Action or a Status"
        )));
    };
    let status = status.to_string();
    match action.to_ascii_lowercase().as_str() {
        "failed" => Ok(Report::Bounce {
            permanent: status.starts_with('5'),
            diagnostic: fields
                .get("diagnostic-code")
                .map(without_type)
                .unwrap_or_default()
                .to_string(),
            message_id: message_id.clone(),
            recipient,
            status,
        }),
        "delayed" | "delivered" | "relayed" | "expanded" => Ok(Report::Delay { recipient, status }),
        other => Err(malformed(format!(
            "recipient {recipient} has an unknown Action {other:?}"
        ))),
    }
}

/// One `Complaint` per complaining recipient of an ARF report.
fn feedback(message: &Message<'_>) -> Result<Vec<Report>, ReportError> {
    let part = find_part(message, FEEDBACK_PART)
        .ok_or(ReportError::MissingPart("message/feedback-report"))?;
    // The report is one block; blank lines inside it are no reason to drop fields.
    let fields = Fields(
        field_groups(&part_text(part))
            .into_iter()
            .flat_map(|group| group.0)
            .collect(),
    );
    let feedback_type = fields
        .first_word("feedback-type")
        .ok_or_else(|| malformed("the feedback report has no Feedback-Type"))?
        .to_ascii_lowercase();
    let original = original(message);
    let mut recipients: Vec<String> = fields
        .all("original-rcpt-to")
        .map(address)
        .filter(|a| !a.is_empty())
        .collect();
    if recipients.is_empty() {
        recipients = original.as_ref().map(|o| o.to.clone()).unwrap_or_default();
    }
    let message_id = original.and_then(|o| o.message_id);
    Ok(recipients
        .into_iter()
        .map(|recipient| Report::Complaint {
            recipient,
            feedback_type: feedback_type.clone(),
            message_id: message_id.clone(),
        })
        .collect())
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

/// One group of `Name: value` fields: names lower-cased, values unfolded.
#[derive(Default)]
struct Fields(Vec<(String, String)>);

impl Fields {
    /// Every non-empty value of the field `name` (lower-case).
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(n, v)| n == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    fn get<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        self.all(name).next()
    }

    /// The value's first word: `Status: 5.1.1 (no such user)` gives `5.1.1`.
    fn first_word<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        self.get(name)?.split_whitespace().next()
    }
}

/// Splits header-style text into groups of fields at blank lines, undoing
/// folding. Lines that are no field (and no continuation of one) are skipped.
fn field_groups(text: &str) -> Vec<Fields> {
    let mut groups = Vec::new();
    let mut current = Fields::default();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.0.is_empty() {
                groups.push(std::mem::take(&mut current));
            }
        } else if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = current.0.last_mut() {
                value.push(' ');
                value.push_str(line);
            }
        } else if let Some((name, value)) = line.split_once(':') {
            current
                .0
                .push((name.trim().to_ascii_lowercase(), value.to_string()));
        }
    }
    if !current.0.is_empty() {
        groups.push(current);
    }
    for (_, value) in groups.iter_mut().flat_map(|g| g.0.iter_mut()) {
        *value = unfold(value);
    }
    groups
}

/// Trims and turns every run of whitespace (line breaks included) into one space.
fn unfold(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `rfc822; <Reader@Example.test>` gives `Reader@Example.test`.
fn address(value: &str) -> String {
    let bare = without_type(value);
    let bare = bare.strip_prefix('<').unwrap_or(bare);
    let bare = bare.strip_suffix('>').unwrap_or(bare);
    bare.trim().to_string()
}

/// Drops a leading `type;` (`rfc822;`, `smtp;`, `X-Postfix;`) from a field value.
fn without_type(value: &str) -> &str {
    match value.split_once(';') {
        Some((kind, rest)) if is_type_name(kind.trim()) => rest.trim(),
        _ => value.trim(),
    }
}

fn is_type_name(word: &str) -> bool {
    !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn malformed(why: impl Into<String>) -> ReportError {
    ReportError::Malformed(why.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The samples are written with LF line ends; mail arrives with CRLF.
    fn crlf(text: &str) -> Vec<u8> {
        text.replace('\n', "\r\n").into_bytes()
    }

    fn parse_crlf(text: &str) -> Result<Vec<Report>, ReportError> {
        parse(&crlf(text))
    }

    const HARD_BOUNCE: &str = r#"From: Mail Delivery Subsystem <mailer-daemon@mx.example.net>
To: bounces+7f3a@kawaraban.example.test
Subject: Undelivered Mail Returned to Sender
Date: Tue, 03 Mar 2026 07:14:09 +0000
Message-ID: <dsn.5521@mx.example.net>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="=_lantern_7781"

This is a MIME-encapsulated message.

--=_lantern_7781
Content-Type: text/plain; charset=us-ascii

We could not deliver your message to one recipient.
The mailbox at example.test does not exist.

--=_lantern_7781
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net
X-Queue-ID: 4TzQ1m2Hc9
Arrival-Date: Tue, 03 Mar 2026 07:14:02 +0000

Final-Recipient: rfc822; Gone.Reader@example.test
Action: failed
Status: 5.1.1
Remote-MTA: dns; inbound.example.test
Diagnostic-Code: smtp; 550 5.1.1 <Gone.Reader@example.test>: no mailbox here by that name

--=_lantern_7781
Content-Type: text/rfc822-headers

Return-Path: <bounces+7f3a@kawaraban.example.test>
From: The Lanternfield Post <news@kawaraban.example.test>
To: Gone.Reader@example.test
Subject: Your morning briefing
Message-ID: <briefing.20260303.41@kawaraban.example.test>
Date: Tue, 03 Mar 2026 07:14:00 +0000

--=_lantern_7781--
"#;

    const SOFT_BOUNCE: &str = r#"From: postmaster@relay.example.net
To: bounces@kawaraban.example.test
Subject: Delivery Status Notification (Failure)
MIME-Version: 1.0
Content-Type: multipart/report; boundary="soft-9c1"; report-type=delivery-status

--soft-9c1
Content-Type: text/plain

Your message was not delivered: the recipient's mailbox is full.

--soft-9c1
Content-Type: message/delivery-status

Reporting-MTA: dns;relay.example.net

Final-Recipient: rfc822;<full.box@example.test>
Action: failed
Status: 4.2.2
Diagnostic-Code: smtp;452 4.2.2 Mailbox full, try again later
Last-Attempt-Date: Wed, 04 Mar 2026 18:30:00 +0000

--soft-9c1
Content-Type: message/rfc822

From: The Lanternfield Post <news@kawaraban.example.test>
To: full.box@example.test
Subject: Weekend edition
Message-ID:   <weekend.77@kawaraban.example.test>   
MIME-Version: 1.0
Content-Type: text/plain

The weekend edition is out.

--soft-9c1--
"#;

    const TWO_RECIPIENTS: &str = r#"From: MAILER-DAEMON@gate.example.net
To: bounces@kawaraban.example.test
Subject: Delivery report
MIME-Version: 1.0
Content-Type: multipart/report; report-type="delivery-status"; boundary="two-rcpt"

--two-rcpt
Content-Type: text/plain

One message could not be delivered and another is still queued.

--two-rcpt
Content-Type: message/delivery-status

Reporting-MTA: dns; gate.example.net
Arrival-Date: Thu, 05 Mar 2026 09:00:00 +0000

Original-Recipient: rfc822;Ann.Reader@Example.test
Final-Recipient: rfc822;ann.forwarded@elsewhere.example.test
Action: failed
Status: 5.7.1
Diagnostic-Code: smtp; 554 5.7.1 refused by local policy

Final-Recipient: rfc822;slow@example.test
Action: delayed
Status: 4.4.7
Will-Retry-Until: Sat, 07 Mar 2026 09:00:00 +0000

--two-rcpt--
"#;

    const MESSY_FOLDED: &str =
        "Content-Type: Multipart/Report; Report-Type=Delivery-Status; boundary=\"messy\"
Subject:   Returned mail  

--messy
Content-Type: Message/Delivery-Status

reporting-mta: dns; mx.example.net

FINAL-RECIPIENT:   rfc822;   <Wordy@example.test>   
action:   FAILED
status:  5.2.1   
diagnostic-code: smtp; 550-5.2.1 The mailbox of the person you are
    writing to is disabled and no longer
\taccepts mail
   
--messy--
";

    const ABUSE_WITH_RCPT_TO: &str = r#"From: feedback@fbl.example.net
To: abuse@kawaraban.example.test
Subject: Complaint about a message from kawaraban.example.test
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report;
    boundary="fbl-3e2"

--fbl-3e2
Content-Type: text/plain; charset="utf-8"

A reader marked a message from your domain as spam.

--fbl-3e2
Content-Type: message/feedback-report

Feedback-Type: Abuse
User-Agent: ExampleFBL/2.3
Version: 1
Original-Mail-From: <bounces@kawaraban.example.test>
Original-Rcpt-To: <Grumpy.Reader@example.test>
Arrival-Date: Fri, 06 Mar 2026 12:00:00 +0000
Reported-Domain: kawaraban.example.test

--fbl-3e2
Content-Type: message/rfc822

From: The Lanternfield Post <news@kawaraban.example.test>
To: someone.else@example.test
Subject: Breaking: the river festival is back
Message-ID: <festival.12@kawaraban.example.test>

The river festival returns on Saturday.

--fbl-3e2--
"#;

    const ABUSE_WITHOUT_RCPT_TO: &str = r#"From: complaints@portal.example.net
To: abuse@kawaraban.example.test
Subject: Spam report
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="pc-1"

--pc-1
Content-Type: text/plain

This is a spam report.

--pc-1
Content-Type: message/feedback-report

feedback-type: abuse
User-Agent: PortalComplaints/0.9
Version: 1
Original-Mail-From: bounces@kawaraban.example.test

--pc-1
Content-Type: text/rfc822-headers

From: The Lanternfield Post <news@kawaraban.example.test>
To: "Reader, Ann" <ann.reader@example.test>
Subject: Your weekly digest
Message-ID: <digest.9@kawaraban.example.test>

--pc-1--
"#;

    const PLAIN_EMAIL: &str = "From: Ann Reader <ann.reader@example.test>
To: letters@kawaraban.example.test
Subject: About yesterday's crossword
Content-Type: text/plain; charset=utf-8

Action: failed
Status: 5.1.1
Final-Recipient: rfc822; pretend@example.test
";

    const NO_STATUS_PART: &str = r#"From: mailer-daemon@mx.example.net
To: bounces@kawaraban.example.test
Subject: Undeliverable
Content-Type: multipart/report; report-type=delivery-status; boundary="cut"

--cut
Content-Type: text/plain

The machine-readable part of this report went missing.

--cut--
"#;

    /// A DSN around `fields`, the body of its delivery-status part.
    fn dsn_with(fields: &str) -> Vec<u8> {
        crlf(&format!(
            "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n\
             --b\nContent-Type: message/delivery-status\n\n{fields}\n--b--\n"
        ))
    }

    #[test]
    fn hard_bounce_is_permanent_and_carries_the_message_id() {
        assert_eq!(
            parse_crlf(HARD_BOUNCE).unwrap(),
            vec![Report::Bounce {
                recipient: "Gone.Reader@example.test".into(),
                permanent: true,
                status: "5.1.1".into(),
                diagnostic: "550 5.1.1 <Gone.Reader@example.test>: no mailbox here by that name"
                    .into(),
                message_id: Some("<briefing.20260303.41@kawaraban.example.test>".into()),
            }]
        );
    }

    #[test]
    fn soft_bounce_is_temporary_and_reads_a_returned_rfc822_message() {
        assert_eq!(
            parse_crlf(SOFT_BOUNCE).unwrap(),
            vec![Report::Bounce {
                recipient: "full.box@example.test".into(),
                permanent: false,
                status: "4.2.2".into(),
                diagnostic: "452 4.2.2 Mailbox full, try again later".into(),
                message_id: Some("<weekend.77@kawaraban.example.test>".into()),
            }]
        );
    }

    #[test]
    fn each_recipient_gets_its_own_entry() {
        assert_eq!(
            parse_crlf(TWO_RECIPIENTS).unwrap(),
            vec![
                Report::Bounce {
                    recipient: "Ann.Reader@Example.test".into(),
                    permanent: true,
                    status: "5.7.1".into(),
                    diagnostic: "554 5.7.1 refused by local policy".into(),
                    message_id: None,
                },
                Report::Delay {
                    recipient: "slow@example.test".into(),
                    status: "4.4.7".into(),
                },
            ]
        );
    }

    #[test]
    fn folded_fields_odd_case_and_extra_whitespace_are_read() {
        assert_eq!(
            parse_crlf(MESSY_FOLDED).unwrap(),
            vec![Report::Bounce {
                recipient: "Wordy@example.test".into(),
                permanent: true,
                status: "5.2.1".into(),
                diagnostic: "550-5.2.1 The mailbox of the person you are writing to is \
                             disabled and no longer accepts mail"
                    .into(),
                message_id: None,
            }]
        );
    }

    #[test]
    fn lf_line_ends_read_like_crlf() {
        for sample in [
            HARD_BOUNCE,
            SOFT_BOUNCE,
            TWO_RECIPIENTS,
            MESSY_FOLDED,
            ABUSE_WITH_RCPT_TO,
            ABUSE_WITHOUT_RCPT_TO,
        ] {
            assert!(!sample.contains('\r'));
            assert_eq!(parse(sample.as_bytes()), parse_crlf(sample), "{sample}");
        }
        assert!(matches!(
            parse(HARD_BOUNCE.as_bytes()).unwrap()[0],
            Report::Bounce {
                permanent: true,
                ..
            }
        ));
    }

    #[test]
    fn complaint_names_the_original_rcpt_to() {
        assert_eq!(
            parse_crlf(ABUSE_WITH_RCPT_TO).unwrap(),
            vec![Report::Complaint {
                recipient: "Grumpy.Reader@example.test".into(),
                feedback_type: "abuse".into(),
                message_id: Some("<festival.12@kawaraban.example.test>".into()),
            }]
        );
    }

    #[test]
    fn complaint_without_rcpt_to_names_the_original_to() {
        assert_eq!(
            parse_crlf(ABUSE_WITHOUT_RCPT_TO).unwrap(),
            vec![Report::Complaint {
                recipient: "ann.reader@example.test".into(),
                feedback_type: "abuse".into(),
                message_id: Some("<digest.9@kawaraban.example.test>".into()),
            }]
        );
    }

    #[test]
    fn a_plain_email_is_not_a_report() {
        assert_eq!(parse_crlf(PLAIN_EMAIL), Err(ReportError::NotAReport));
        assert_eq!(parse(b""), Err(ReportError::NotAReport));
        let read_receipt = HARD_BOUNCE.replace(
            "report-type=delivery-status",
            "report-type=disposition-notification",
        );
        assert_eq!(parse_crlf(&read_receipt), Err(ReportError::NotAReport));
    }

    #[test]
    fn a_report_without_its_machine_readable_part_is_an_error() {
        assert_eq!(
            parse_crlf(NO_STATUS_PART),
            Err(ReportError::MissingPart("message/delivery-status"))
        );
        let no_feedback = NO_STATUS_PART.replace("delivery-status", "feedback-report");
        assert_eq!(
            parse_crlf(&no_feedback),
            Err(ReportError::MissingPart("message/feedback-report"))
        );
        let untyped = NO_STATUS_PART.replace(" report-type=delivery-status;", "");
        assert!(matches!(
            parse_crlf(&untyped),
            Err(ReportError::Malformed(_))
        ));
    }

    #[test]
    fn a_report_with_nothing_failed_gives_only_delays() {
        let raw = dsn_with(
            "Reporting-MTA: dns; mx.example.net\n\n\
             Final-Recipient: rfc822; a@example.test\nAction: delivered\nStatus: 2.0.0\n\n\
             Final-Recipient: rfc822; b@example.test\nAction: relayed\nStatus: 2.0.0\n",
        );
        assert_eq!(
            parse(&raw).unwrap(),
            vec![
                Report::Delay {
                    recipient: "a@example.test".into(),
                    status: "2.0.0".into()
                },
                Report::Delay {
                    recipient: "b@example.test".into(),
                    status: "2.0.0".into()
                },
            ]
        );
    }

    #[test]
    fn a_report_naming_no_recipient_is_an_error() {
        let raw = dsn_with("Reporting-MTA: dns; mx.example.net\n");
        assert_eq!(parse(&raw), Err(ReportError::NoRecipients));
        let complaint = ABUSE_WITH_RCPT_TO
            .replace("Original-Rcpt-To: <Grumpy.Reader@example.test>\n", "")
            .replace("To: someone.else@example.test\n", "");
        assert_eq!(parse_crlf(&complaint), Err(ReportError::NoRecipients));
    }

    #[test]
    fn a_recipient_without_action_or_status_is_malformed() {
        let raw = dsn_with("Final-Recipient: rfc822; a@example.test\nAction: failed\n");
        let err = parse(&raw).unwrap_err();
        assert_eq!(
            err.to_string(),
            "malformed report: recipient a@example.test lacks an Action or a Status"
        );
        let raw =
            dsn_with("Final-Recipient: rfc822; a@example.test\nAction: lost\nStatus: 5.0.0\n");
        assert!(matches!(parse(&raw), Err(ReportError::Malformed(_))));
    }

    #[test]
    fn addresses_lose_their_type_and_brackets_but_not_their_case() {
        assert_eq!(
            address("rfc822; <Reader@Example.test> "),
            "Reader@Example.test"
        );
        assert_eq!(address("RFC822;x@example.test"), "x@example.test");
        assert_eq!(address(" <y@example.test>"), "y@example.test");
        assert_eq!(without_type("550 5.1.1 no; really"), "550 5.1.1 no; really");
        assert_eq!(without_type("X-Postfix; host said: 550"), "host said: 550");
    }
}
