//! `/desk/trending`: every site's trending block as readers see it now,
//! and the staff's picks: pin a story to the top of the other sites'
//! blocks, leave one out, or let it rank on its readers again.

use axum::response::Response;
use axum::Form;
use chrono::Utc;
use kawaraban_core::authz::Action;
use minijinja::context;

use crate::desk::{render, staff};
use crate::error::{AppError, AppResult};
use crate::members::{field, see_other, Fields, Visit};

/// `GET /desk/trending`.
pub async fn page(v: Visit) -> AppResult<Response> {
    let viewer = match staff(&v, Action::Edit, "/desk/trending") {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    let network = v.state.network.get();
    let now = Utc::now();
    let blocks: Vec<_> = network
        .sites
        .iter()
        .map(|s| context! { site => s.name, items => &v.state.trending.block(s.id).items })
        .collect();
    let picks = v.state.store.trending_picks().await?;
    let mut listed = Vec::new();
    for (id, pinned) in picks {
        if let Some(a) = v.state.store.article_ref(id, now).await? {
            let site = network.sites.iter().find(|s| s.id == a.site_id);
            listed.push(context! {
                id,
                title => a.title,
                url => site.map(|s| s.absolute(&a.path())).unwrap_or_default(),
                site => site.map(|s| s.name.clone()).unwrap_or_default(),
                pinned,
            });
        }
    }
    render(
        &v,
        &viewer,
        "desk/trending.html",
        "Trending block",
        "/desk/trending",
        context! { blocks, picks => listed, csrf => viewer.csrf.clone() },
    )
}

/// `POST /desk/trending` with `article` and `pick` (pin, exclude, release).
pub async fn act(v: Visit, Form(f): Form<Fields>) -> AppResult<Response> {
    let viewer = match staff(&v, Action::Edit, "/desk/trending") {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    v.check_csrf(&f)?;
    let pick = match field(&f, "pick") {
        "pin" => Some(true),
        "exclude" => Some(false),
        "release" => None,
        other => {
            return Err(AppError::bad_request(format!(
                "pick: \"{other}\" is not pin, exclude or release."
            )))
        }
    };
    let id: i64 = field(&f, "article")
        .parse()
        .map_err(|_| AppError::bad_request("article: the form names no article."))?;
    let now = Utc::now();
    let story = v
        .state
        .store
        .article_ref(id, now)
        .await?
        .ok_or(AppError::NotFound)?;
    v.state
        .store
        .set_trending_pick(id, pick, Some(viewer.member.id), now)
        .await?;
    let what = match pick {
        Some(true) => "pin",
        Some(false) => "exclude",
        None => "release",
    };
    v.state
        .store
        .audit(
            Some(&viewer.member),
            "trending.pick",
            &format!("article:{id}"),
            &format!("{what}: {}", story.title),
            now,
        )
        .await?;
    // This server shows the change at once; the others at their next
    // recompute (within a minute).
    let network = v.state.network.get();
    v.state
        .trending
        .recompute(&*v.state.store, &network, &v.state.cache, now)
        .await?;
    Ok(see_other("/desk/trending", Vec::new()))
}
