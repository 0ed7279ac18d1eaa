//! Making a campaign: its bodies rendered once from a theme template
//! (`email/NAME.txt`, starting with `Subject:`, and `email/NAME.html`), with
//! markers for each recipient's own links, then queued to the list.

use chrono::Utc;
use kawaraban_core::model::{
    Campaign, ListKind, MailingList, NewCampaign, Site, RECIPIENT_MARKERS,
};
use kawaraban_core::paging::PageRequest;
use minijinja::{context, Value};

use crate::error::{AppError, AppResult};
use crate::members::mail::split_subject;
use crate::state::AppState;
use crate::view::{self, SiteView};

/// What a campaign needs to be composed.
pub struct Draft<'a> {
    pub site: &'a Site,
    pub list: &'a MailingList,
    /// The theme's `email/{template}.*`.
    pub template: &'a str,
    /// Overrides the template's `Subject:` line.
    pub subject: Option<&'a str>,
    pub preheader: &'a str,
    pub kind: &'a str,
    pub dedupe_key: Option<String>,
    /// More for the template (the article of an alert ...).
    pub extra: Value,
}

/// Renders the draft: subject, text, html. The site's latest stories are
/// in the context as `stories` for templates that want them.
pub async fn render(state: &AppState, d: &Draft<'_>) -> AppResult<(String, String, String)> {
    let now = Utc::now();
    let latest = state
        .store
        .list_articles(
            d.site.id,
            kawaraban_core::model::ListFilter::All,
            PageRequest::new(1, 8),
            now,
        )
        .await?;
    let tz = d.site.tz();
    let stories: Vec<Value> = latest
        .items
        .iter()
        .map(|a| {
            let c = view::card(a, tz);
            context! { title => c.title, summary => c.summary, url => d.site.absolute(&c.url), section => c.section_name }
        })
        .collect();
    let ctx = context! {
        site => SiteView::new(d.site),
        list => context! { name => d.list.name.clone(), kind => d.list.kind.as_str() },
        subject => d.subject,
        preheader => d.preheader,
        stories,
        manage_url => RECIPIENT_MARKERS[0],
        unsubscribe_url => RECIPIENT_MARKERS[1],
        ..d.extra.clone()
    };
    let text = state
        .theme
        .render(&format!("email/{}.txt", d.template), ctx.clone())?;
    let html = state
        .theme
        .render(&format!("email/{}.html", d.template), ctx)?;
    let (template_subject, text) = split_subject(&text).ok_or_else(|| {
        AppError::bad_request(format!(
            "email/{}.txt must start with a `Subject:` line",
            d.template
        ))
    })?;
    let subject = d.subject.map(str::to_string).unwrap_or(template_subject);
    if subject.trim().is_empty() || subject.contains(['\r', '\n']) {
        return Err(AppError::bad_request("a subject is one line of text"));
    }
    Ok((subject, text, html))
}

/// Composes and stores the campaign and queues its recipients; `None` when
/// a campaign with the same dedupe key exists (sent once, never twice).
pub async fn create_and_queue(
    state: &AppState,
    d: &Draft<'_>,
) -> AppResult<Option<(Campaign, u64)>> {
    if d.list.kind == ListKind::Section && d.kind == "breaking" {
        return Err(AppError::bad_request(
            "breaking alerts go to a breaking-news list",
        ));
    }
    let (subject, text, html) = render(state, d).await?;
    let now = Utc::now();
    let Some(c) = state
        .store
        .create_campaign(
            &NewCampaign {
                site_id: d.site.id,
                list_id: d.list.id,
                kind: d.kind.to_string(),
                dedupe_key: d.dedupe_key.clone(),
                subject,
                preheader: d.preheader.to_string(),
                text_body: text,
                html_body: html,
            },
            now,
        )
        .await?
    else {
        return Ok(None);
    };
    let n = state.store.queue_campaign(c.id, now).await?;
    tracing::info!(campaign = c.id, list = %d.list.key, recipients = n, "campaign queued");
    Ok(Some((c, n)))
}
