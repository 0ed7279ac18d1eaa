//! Delivery status notifications (RFC 3464): one entry per recipient group.

use mail_parser::Message;

use super::fields::{address, field_groups, without_type, Fields};
use super::{find_part, malformed, original, part_text, Report, ReportError, STATUS_PART};

/// One `Bounce` or `Delay` per recipient group of a DSN.
pub(super) fn delivery_status(message: &Message<'_>) -> Result<Vec<Report>, ReportError> {
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
