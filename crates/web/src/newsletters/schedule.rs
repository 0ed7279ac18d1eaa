//! What is sent without anyone pressing a button, checked by every
//! sender once a minute, at once when announcements say something was
//! published (an import, an edit, another app server), and at the moment a
//! scheduled breaking article goes live (the campaigns' dedupe keys make
//! sure that several app servers checking at once still send each mailing
//! once):
//!
//! - a breaking-news alert for each breaking article published in the last
//!   six hours (imported with `breaking: true`, or scheduled and now due),
//!   to every breaking-news list of its site;
//! - each digest list's daily digest, at its local sending time, from the
//!   day's stories by section (`email/digest.*`).

use chrono::{DateTime, Duration, Utc};
use kawaraban_core::model::{parse_send_time, ListKind, MailingList, Site};
use kawaraban_core::paging::PageRequest;
use minijinja::context;

use super::alerts::send_breaking;
use super::campaigns::{create_and_queue, Draft};
use crate::error::AppResult;
use crate::state::AppState;
use crate::view;

/// How far back a breaking article still gets its alert.
const ALERT_WINDOW_HOURS: i64 = 6;

/// One check of every site. Returns when the next scheduled breaking
/// article goes live, if one is scheduled: the sender checks again then.
pub async fn tick(state: &AppState, now: DateTime<Utc>) -> AppResult<Option<DateTime<Utc>>> {
    let network = state.network.get();
    let mut next: Option<DateTime<Utc>> = None;
    for site in network.sites.iter() {
        let lists = state.store.lists(site.id).await?;
        let breaking: Vec<&MailingList> = lists
            .iter()
            .filter(|l| l.kind == ListKind::Breaking)
            .collect();
        if !breaking.is_empty() {
            if let Some(at) = state.store.next_breaking_after(site.id, now).await? {
                next = Some(next.map_or(at, |n| n.min(at)));
            }
            let since = now - Duration::hours(ALERT_WINDOW_HOURS);
            for (_, slug) in state.store.breaking_articles(site.id, since, now).await? {
                let Some(article) = state.store.article_by_slug(site.id, &slug, now).await? else {
                    continue;
                };
                for list in &breaking {
                    if send_breaking(state, site, list, &article).await?.is_some() {
                        tracing::info!(article = %article.path(), list = %list.key, "breaking-news alert queued");
                    }
                }
            }
        }
        for list in lists.iter().filter(|l| l.kind == ListKind::Digest) {
            digest_if_due(state, site, list, now).await?;
        }
    }
    Ok(next)
}

/// The digest's dedupe key for the local day, if its time has come.
pub fn digest_due(site: &Site, list: &MailingList, now: DateTime<Utc>) -> Option<String> {
    let at = parse_send_time(list.send_time.as_deref()?)?;
    let local = now.with_timezone(&site.tz());
    (local.time() >= at).then(|| format!("digest:{}:{}", list.id, local.date_naive()))
}

/// Sends the day's digest once, from the local sending time on.
pub async fn digest_if_due(
    state: &AppState,
    site: &Site,
    list: &MailingList,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let Some(key) = digest_due(site, list, now) else {
        return Ok(false);
    };
    if state.store.campaign_exists(&key).await? {
        return Ok(false);
    }
    let Some(extra) = digest_stories(state, site, now).await? else {
        tracing::info!(list = %list.key, "no stories today: no digest");
        return Ok(false);
    };
    let draft = Draft {
        site,
        list,
        template: "digest",
        subject: None,
        preheader: "",
        kind: "digest",
        dedupe_key: Some(key),
        extra,
    };
    Ok(create_and_queue(state, &draft).await?.is_some())
}

/// The day's stories by section (`sections`, `date`) for `email/digest.*`;
/// `None` on a day without stories.
pub async fn digest_stories(
    state: &AppState,
    site: &Site,
    now: DateTime<Utc>,
) -> AppResult<Option<minijinja::Value>> {
    let tz = site.tz();
    let today = now.with_timezone(&tz).date_naive();
    let page = state
        .store
        .list_articles(
            site.id,
            kawaraban_core::model::ListFilter::All,
            PageRequest::new(1, 60),
            now,
        )
        .await?;
    let mut sections: Vec<(String, Vec<minijinja::Value>)> = Vec::new();
    for a in page
        .items
        .iter()
        .filter(|a| a.published_at.with_timezone(&tz).date_naive() == today)
    {
        let c = view::card(a, tz);
        let story =
            context! { title => c.title, summary => c.summary, url => site.absolute(&c.url) };
        match sections
            .iter_mut()
            .find(|(name, _)| *name == c.section_name)
        {
            Some((_, stories)) => stories.push(story),
            None => sections.push((c.section_name, vec![story])),
        }
    }
    if sections.is_empty() {
        return Ok(None);
    }
    let sections: Vec<minijinja::Value> = sections
        .into_iter()
        .map(|(name, stories)| context! { name, stories })
        .collect();
    let date = today.format("%A %-d %B %Y").to_string();
    Ok(Some(context! { sections, date }))
}
