//! Reader surveys and sponsored giveaways, first-party and cache-friendly.
//!
//! What shared pages show (the survey banner in the date bar, the
//! giveaway block under articles, the offer in the other sites' trending
//! blocks) is built here from a snapshot of what is live, refreshed every
//! few seconds and on the `engagement` tag; pages carry that tag, so a
//! change reaches them at once. The per-reader parts go through slots
//! (members) or a cookie read by `survey.js` (anonymous readers).

pub mod desk_giveaways;
pub mod desk_surveys;
pub mod draw;
pub mod giveaway;
pub mod survey;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use kawaraban_core::model::{Giveaway, Site, Survey};
use kawaraban_core::store::Store;
use kawaraban_core::survey::audience::DEFAULT_FATIGUE_DAYS;
use kawaraban_core::StoreResult;
use minijinja::context;
use serde::Serialize;

use crate::state::AppState;

/// The tag of every page that may show a banner or a block.
pub const TAG: &str = "engagement";
/// The setting holding the days readers rest between surveys.
pub const REST_DAYS_SETTING: &str = "survey_rest_days";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/surveys/{slug}", get(survey::page).post(survey::submit))
        .route("/surveys/{slug}/dismiss", post(survey::dismiss))
        .route("/surveys/{slug}/thanks", get(survey::thanks))
        .route("/surveys/{slug}/results", get(survey::public_results))
        .route("/giveaways/{slug}", get(giveaway::page))
        .route("/giveaways/{slug}/enter", post(giveaway::enter))
        .route("/giveaways/{slug}/claim", post(giveaway::claim))
        .route("/giveaways/{slug}/rules", get(giveaway::rules))
        .route("/giveaways/{slug}/tickets.txt", get(giveaway::tickets))
        .route("/giveaways/{slug}/draw.json", get(giveaway::draw_json))
        .route(
            "/desk/surveys",
            get(desk_surveys::list).post(desk_surveys::create),
        )
        .route(
            "/desk/surveys/{id}",
            get(desk_surveys::results).post(desk_surveys::act),
        )
        .route(
            "/desk/surveys/{id}/responses.csv",
            get(desk_surveys::responses_csv),
        )
        .route(
            "/desk/surveys/{id}/summary.csv",
            get(desk_surveys::summary_csv),
        )
        .route(
            "/desk/giveaways",
            get(desk_giveaways::list).post(desk_giveaways::create),
        )
        .route(
            "/desk/giveaways/{id}",
            get(desk_giveaways::page).post(desk_giveaways::act),
        )
        .route(
            "/desk/giveaways/{id}/logo",
            post(desk_giveaways::logo).layer(axum::extract::DefaultBodyLimit::max(
                kawaraban_content::media::MAX_LOGO_BYTES + 64 * 1024,
            )),
        )
}

/// A survey whose banner shows now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveSurvey {
    pub id: i64,
    pub slug: String,
    pub banner: String,
    pub audience: kawaraban_core::survey::audience::Audience,
}

/// A giveaway whose block shows now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveGiveaway {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub text: String,
    pub sponsor_name: String,
    pub sponsor_url: String,
    pub sponsor_logo: String,
    pub closes_at: DateTime<Utc>,
    pub audience: kawaraban_core::survey::audience::Audience,
}

/// HTML rendered once per site and section.
type PerPage = Mutex<HashMap<(i64, Option<String>), Arc<str>>>;

/// The HTML kept in `map` for `site` and `section`, rendered by `render`
/// (a template and its context) the first time; empty when `render` has
/// nothing to show.
fn kept(
    state: &AppState,
    map: &PerPage,
    site: &Site,
    section: Option<&str>,
    render: impl FnOnce() -> Option<(&'static str, minijinja::Value)>,
) -> Arc<str> {
    let key = (site.id, section.map(str::to_owned));
    if let Some(h) = map.lock().expect("engagement lock").get(&key) {
        return h.clone();
    }
    let html: Arc<str> = match render() {
        None => Arc::from(""),
        Some((template, ctx)) => state
            .theme
            .render(template, ctx)
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, template, "cannot render a survey or giveaway part");
                String::new()
            })
            .into(),
    };
    if !state.config.dev {
        map.lock()
            .expect("engagement lock")
            .insert(key, html.clone());
    }
    html
}

/// What is live, and the HTML built from it for each site and section.
#[derive(Default)]
pub struct Snapshot {
    pub surveys: Vec<LiveSurvey>,
    pub giveaways: Vec<LiveGiveaway>,
    pub rest_days: i64,
    banners: PerPage,
    blocks: PerPage,
}

impl Snapshot {
    fn same_as(&self, other: &Snapshot) -> bool {
        self.surveys == other.surveys
            && self.giveaways == other.giveaways
            && self.rest_days == other.rest_days
    }
}

/// The live snapshot, shared by every request.
#[derive(Default)]
pub struct Engagement {
    now: RwLock<Arc<Snapshot>>,
    /// One refresh at a time: whoever asks while one runs (a staff change
    /// announced during the periodic reload) returns once it is done,
    /// trending offers included.
    refreshing: tokio::sync::Mutex<()>,
}

impl Engagement {
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.now.read().expect("engagement lock").clone()
    }

    /// Reads what is live at `now`; true when it changed.
    pub async fn reload(&self, store: &dyn Store, now: DateTime<Utc>) -> StoreResult<bool> {
        let next = load(store, now).await?;
        let mut held = self.now.write().expect("engagement lock");
        if held.same_as(&next) {
            return Ok(false);
        }
        *held = Arc::new(next);
        Ok(true)
    }

    /// The banner for a page of `site` in `section` (empty when no survey
    /// targets it): the anonymous form, hidden until `survey.js` decides,
    /// inside the `survey` slot that members get filled in.
    pub fn banner(&self, state: &AppState, site: &Site, section: Option<&str>) -> Arc<str> {
        let snap = self.snapshot();
        kept(state, &snap.banners, site, section, || {
            let s = snap
                .surveys
                .iter()
                .find(|s| s.audience.targets(&site.key, section))?;
            Some((
                "fragments/survey_banner.html",
                context! { survey => s, rest_days => snap.rest_days },
            ))
        })
    }

    /// The sponsored block for an article page of `site` in `section`.
    pub fn block(&self, state: &AppState, site: &Site, section: Option<&str>) -> Arc<str> {
        let snap = self.snapshot();
        kept(state, &snap.blocks, site, section, || {
            let g = snap
                .giveaways
                .iter()
                .find(|g| g.audience.targets(&site.key, section))?;
            Some((
                "fragments/giveaway_block.html",
                context! { g, closes => crate::view::time_view(g.closes_at, site.tz()).human, own_page => false },
            ))
        })
    }
}

/// The days readers rest between surveys (the network's setting).
pub async fn rest_days(store: &dyn Store) -> StoreResult<i64> {
    Ok(store
        .setting(REST_DAYS_SETTING)
        .await?
        .and_then(|v| v.trim().parse().ok())
        .filter(|d: &i64| (0..=365).contains(d))
        .unwrap_or(DEFAULT_FATIGUE_DAYS))
}

async fn load(store: &dyn Store, now: DateTime<Utc>) -> StoreResult<Snapshot> {
    let surveys = store
        .surveys()
        .await?
        .into_iter()
        .filter(|s| s.accepting(now))
        .map(|s: Survey| LiveSurvey {
            id: s.id,
            slug: s.slug,
            banner: s.definition.banner,
            audience: s.audience,
        })
        .collect();
    let giveaways = store
        .giveaways(false)
        .await?
        .into_iter()
        .filter(|g| giveaway::phase(g, now) == kawaraban_core::giveaway::Phase::Open)
        .map(|g: Giveaway| LiveGiveaway {
            id: g.id,
            slug: g.fields.slug,
            title: g.fields.title,
            text: g.fields.text,
            sponsor_name: g.fields.sponsor_name,
            sponsor_url: g.fields.sponsor_url,
            sponsor_logo: g.fields.sponsor_logo,
            closes_at: g.fields.closes_at,
            audience: g.fields.audience,
        })
        .collect();
    Ok(Snapshot {
        surveys,
        giveaways,
        rest_days: rest_days(store).await?,
        ..Default::default()
    })
}

/// The open giveaways as offers in the other sites' trending blocks:
/// each belongs to the first site it targets (or the network's default)
/// and links to its page there.
fn offers(state: &AppState, snap: &Snapshot) -> Vec<(i64, crate::analytics::trending::Item)> {
    let network = state.network.get();
    snap.giveaways
        .iter()
        .filter_map(|g| {
            let home = match g.audience.sites.first() {
                Some(k) => network.sites.iter().find(|s| &s.key == k),
                None => network
                    .sites
                    .iter()
                    .find(|s| s.is_default)
                    .or(network.sites.first()),
            }?;
            Some((
                home.id,
                crate::analytics::trending::Item {
                    article_id: 0,
                    url: home.absolute(&format!("/giveaways/{}", g.slug)),
                    title: g.title.clone(),
                    site_name: home.name.clone(),
                    section_name: String::new(),
                    image: None,
                    sponsored: true,
                    pinned: false,
                },
            ))
        })
        .collect()
}

/// Reloads the snapshot, purging the pages that carry it when it changed.
pub async fn refresh(state: &AppState) {
    let _one = state.engagement.refreshing.lock().await;
    match state.engagement.reload(&*state.store, Utc::now()).await {
        Ok(true) => {
            state.fragments.invalidate([TAG]);
            state.cache.invalidate([TAG]);
            let snap = state.engagement.snapshot();
            if state.trending.set_offers(offers(state, &snap)) {
                crate::analytics::trending::refresh(state).await;
            }
        }
        Ok(false) => {}
        Err(e) => tracing::warn!(error = %e, "cannot read the live surveys and giveaways"),
    }
}

/// Every few seconds until `stop`: the snapshot (surveys and giveaways
/// open and close on their own times) and the draws that are due.
pub async fn run(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    let every = if state.config.dev {
        state
            .config
            .engagement_every
            .min(std::time::Duration::from_secs(1))
    } else {
        state.config.engagement_every
    };
    loop {
        refresh(&state).await;
        draw::run_due(&state, Utc::now()).await;
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}

/// What the `survey` and `giveaway` slots need of a member, read only for
/// pages that carry them: whether the member falls in each live survey's
/// share and may be asked now (not answered, not dismissed, not resting
/// from another survey), and their tickets. What is read of the member is
/// kept until the next commit (`members::kept`).
pub async fn for_member(
    state: &AppState,
    layout: &crate::members::slot_layout::Layout,
    member_id: i64,
) -> minijinja::Value {
    let surveys = layout.has("survey");
    let giveaways = layout.has("giveaway");
    if !surveys && !giveaways {
        return minijinja::Value::UNDEFINED;
    }
    let snap = state.engagement.snapshot();
    let now = Utc::now();
    let mark = state.store.commit_mark();
    let mut ask = Vec::new();
    if surveys {
        let read = state.store.survey_history(member_id);
        match state.kept_surveys.get_or_read(mark, member_id, read).await {
            Ok(h) => {
                let resting =
                    kawaraban_core::survey::audience::resting(h.last, now, snap.rest_days);
                for s in &snap.surveys {
                    let in_share = kawaraban_core::survey::audience::in_share(
                        s.id,
                        &format!("m{member_id}"),
                        s.audience.share,
                    );
                    if in_share && !resting && !h.done.contains(&s.id) {
                        ask.push(s.id);
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot read a member's surveys"),
        }
    }
    let tickets: HashMap<String, String> = if giveaways {
        let read = async { state.store.tickets_of(member_id).await.map(Arc::new) };
        match state.kept_tickets.get_or_read(mark, member_id, read).await {
            Ok(t) => t.iter().map(|(g, t)| (g.to_string(), t.clone())).collect(),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read a member's tickets");
                HashMap::new()
            }
        }
    } else {
        HashMap::new()
    };
    context! { ask => ask.iter().map(i64::to_string).collect::<Vec<_>>(), tickets }
}

/// Announces a staff change to every app server (and purges here).
pub async fn changed(state: &AppState) -> crate::error::AppResult<()> {
    state
        .store
        .publish_invalidations(&[TAG.to_string()])
        .await?;
    state.apply_invalidations([TAG].into_iter()).await;
    Ok(())
}
