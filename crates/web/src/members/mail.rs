//! Transactional email: rendered from the theme (`email/NAME.txt` and
//! `email/NAME.html`, the text one starting with a `Subject:` line),
//! branded per site, with links built from the site's URL, and put on the
//! job queue for the worker to send.

use kawaraban_core::model::Site;
use kawaraban_mail::Email;
use minijinja::{context, Value};

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::view::SiteView;

/// Renders `email/NAME.*` for `site` and queues it for `to`.
pub async fn send(
    state: &AppState,
    site: &Site,
    name: &str,
    to: &str,
    to_name: &str,
    extra: Value,
) -> AppResult<()> {
    let ctx = context! { site => SiteView::new(site), to_name, ..extra };
    let text = state
        .theme
        .render(&format!("email/{name}.txt"), ctx.clone())?;
    let html = state.theme.render(&format!("email/{name}.html"), ctx)?;
    let (subject, text) = split_subject(&text).ok_or_else(|| {
        AppError::internal(format!(
            "email/{name}.txt must start with a `Subject:` line"
        ))
    })?;
    let email = Email {
        to: to.to_string(),
        to_name: to_name.to_string(),
        from_name: site.name.clone(),
        subject,
        text,
        html,
        headers: Vec::new(),
        message_id: None,
    };
    // Refuse here what the worker could never send.
    email
        .to_message("check@example.com")
        .map_err(|e| AppError::bad_request(e.to_string()))?;
    kawaraban_mail::enqueue(&*state.store, &email).await?;
    state.mail_wake.notify_one();
    Ok(())
}

pub(crate) fn split_subject(text: &str) -> Option<(String, String)> {
    let text = text.trim_start();
    let rest = text.strip_prefix("Subject:")?;
    let (subject, body) = rest.split_once('\n').unwrap_or((rest, ""));
    let subject = subject.trim().replace(['\r', '\n'], " ");
    Some((subject, body.trim_start_matches(['\r', '\n']).to_string()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_first_line_is_the_subject() {
        assert_eq!(
            super::split_subject("Subject: Hi there\n\nBody\n"),
            Some(("Hi there".into(), "Body\n".into()))
        );
        assert_eq!(super::split_subject("Body"), None);
    }
}
