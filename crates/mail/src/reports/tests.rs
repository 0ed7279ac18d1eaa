//! The parser against original sample reports: hard and soft bounces, several
//! recipients, folding, LF line ends, complaints with and without
//! Original-Rcpt-To, and what is not a report.

use super::fields::{address, without_type};
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
            diagnostic: "550 5.1.1 <Gone.Reader@example.test>: no mailbox here by that name".into(),
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
    let raw = dsn_with("Final-Recipient: rfc822; a@example.test\nAction: lost\nStatus: 5.0.0\n");
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
