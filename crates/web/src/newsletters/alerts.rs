//! Breaking-news alerts: one email per breaking article and list, never
//! two (the campaign's dedupe key is the article and the list).

use kawaraban_core::model::{Article, Campaign, MailingList, Site};
use minijinja::context;

use super::campaigns::{create_and_queue, Draft};
use crate::error::AppResult;
use crate::state::AppState;
use crate::view;

/// Queues the alert; `None` when this article already went to this list.
pub async fn send_breaking(
    state: &AppState,
    site: &Site,
    list: &MailingList,
    article: &Article,
) -> AppResult<Option<(Campaign, u64)>> {
    let a = view::article_view(article, site.tz());
    let draft = Draft {
        site,
        list,
        template: "breaking",
        subject: None,
        preheader: &article.summary,
        kind: "breaking",
        dedupe_key: Some(format!("breaking:{}:{}", article.id, list.id)),
        extra: context! {
            article => context! {
                title => a.title, summary => a.summary, url => site.absolute(&a.url),
                section => a.section_name, dateline => a.dateline, source => a.source,
            },
        },
    };
    create_and_queue(state, &draft).await
}
