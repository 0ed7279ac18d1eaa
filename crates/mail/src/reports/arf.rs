//! Complaint reports (RFC 5965, ARF): one entry per complaining recipient.

use mail_parser::Message;

use super::fields::{address, field_groups, Fields};
use super::{find_part, malformed, original, part_text, Report, ReportError, FEEDBACK_PART};

/// One `Complaint` per complaining recipient of an ARF report.
pub(super) fn feedback(message: &Message<'_>) -> Result<Vec<Report>, ReportError> {
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
