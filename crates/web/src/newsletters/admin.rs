//! `/newsletters/campaigns`: editors see each list's audience and every
//! campaign's progress (queued, sent, failed, bounced).

use axum::response::Response;
use kawaraban_core::authz::Action;
use minijinja::context;

use crate::error::AppResult;
use crate::members::{Screen, Visit};
use crate::moderation::staff;

pub async fn page(v: Visit) -> AppResult<Response> {
    if let Err(r) = staff(&v, Action::Edit, "/newsletters/campaigns") {
        return Ok(*r);
    }
    let tz = v.site.tz();
    let lists = v.state.store.lists(v.site.id).await?;
    let mut list_rows = Vec::with_capacity(lists.len());
    for l in &lists {
        list_rows.push(context! {
            key => l.key.clone(), name => l.name.clone(), kind => l.kind.as_str(),
            send_time => l.send_time.clone(),
            audience => v.state.store.list_audience(l.id).await?,
        });
    }
    let mut campaigns = Vec::new();
    for c in v.state.store.campaigns(v.site.id, 50).await? {
        let counts = v.state.store.campaign_counts(c.id).await?;
        campaigns.push(context! {
            id => c.id,
            kind => c.kind.clone(),
            subject => c.subject.clone(),
            status => c.status.clone(),
            list => lists.iter().find(|l| l.id == c.list_id).map(|l| l.name.clone()).unwrap_or_default(),
            created => crate::view::time_view(c.created_at, tz),
            counts,
            total => counts.total(),
        });
    }
    Screen::new(&v.state, &v.site, "newsletters/campaigns.html", "Campaigns")
        .render(context! { lists => list_rows, campaigns })
}
