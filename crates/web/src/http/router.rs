//! The router: every route of every site, and the layers around them.

use std::future::Future;

use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;

use crate::error::AppError;
use crate::http::front::Front;
use crate::http::server::{self, ConnLimits};
use crate::http::{assets, page_cache, themed_errors};
use crate::pages::{article, feeds, home, lists, search, sitemaps};
use crate::state::AppState;
use crate::{comments, members, moderation, newsletters};

/// Every route and the layers of the full path (what `front.rs` does not
/// answer itself). The whole application is [`Front`], which needs no
/// socket either.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(home::home))
        .route("/latest", get(lists::latest))
        .route("/search", get(search::search))
        .route("/tag/{slug}", get(lists::tag))
        .route("/author/{slug}", get(lists::author))
        .route("/feed.xml", get(feeds::site_rss))
        .route("/atom.xml", get(feeds::site_atom))
        .route("/robots.txt", get(sitemaps::robots))
        .route("/sitemap.xml", get(sitemaps::index))
        .route("/news-sitemap.xml", get(sitemaps::news))
        .route("/sitemaps/{file}", get(sitemaps::file))
        .route("/assets/{*file}", get(assets::asset))
        .route("/media/{file}", get(assets::media))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .merge(members::routes())
        .merge(comments::routes())
        .merge(moderation::routes())
        .merge(newsletters::routes())
        .merge(crate::desk::routes())
        .merge(crate::engagement::routes())
        .route("/{section}", get(lists::section_redirect))
        .route("/{section}/", get(lists::section))
        .route("/{section}/{slug}", get(article::article))
        .fallback(not_found)
        .layer(from_fn_with_state(state.clone(), page_cache::page_cache))
        // Error pages are themed inside the personal layer, so that a
        // signed-in reader's error page has their header too.
        .layer(from_fn_with_state(
            state.clone(),
            themed_errors::themed_errors,
        ))
        .layer(from_fn_with_state(
            state.clone(),
            members::slots::personalize,
        ))
        // JSON for other software: no page cache, themed error pages or
        // members' parts.
        .merge(crate::api::routes())
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .with_state(state)
}

async fn not_found() -> AppError {
    AppError::NotFound
}

async fn healthz() -> &'static str {
    "ok\n"
}

/// Ready when the database answers.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready\n").into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
/// Also follows cache invalidations written by other processes.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let follower = tokio::spawn(state.clone().follow_invalidations(stop_rx.clone()));
    let counting = {
        let state = state.clone();
        let stop = stop_rx.clone();
        tokio::spawn(async move {
            state
                .counter
                .run(state.store.clone(), state.config.analytics_flush, stop)
                .await
        })
    };
    // The first pages rendered already carry the trending block.
    crate::analytics::trending::refresh(&state).await;
    let trending = tokio::spawn(crate::analytics::trending::run(
        state.clone(),
        state.config.trending_every,
        stop_rx.clone(),
    ));
    let feeds = tokio::spawn(crate::analytics::external::run(
        state.clone(),
        stop_rx.clone(),
    ));
    let upkeep = tokio::spawn(crate::analytics::upkeep::run(
        state.clone(),
        stop_rx.clone(),
    ));
    let engagement = tokio::spawn(crate::engagement::run(state.clone(), stop_rx.clone()));
    let webhooks = tokio::spawn(crate::webhooks::deliver::run(
        state.clone(),
        stop_rx.clone(),
    ));
    let transport = state
        .config
        .transport(None)
        .map_err(std::io::Error::other)?;
    let mut worker = kawaraban_mail::Worker::new(
        state.store.clone(),
        transport,
        state.config.mail_from.clone(),
    );
    worker.wake = state.mail_wake.clone();
    let mailer = tokio::spawn(worker.run(stop_rx.clone()));
    let sender = crate::newsletters::sender::Sender::from_config(state.clone())
        .map_err(std::io::Error::other)?;
    let newsletters = sender.run_beside_pages(stop_rx)?;
    let limits = ConnLimits {
        header_timeout: state.config.header_timeout,
        body_timeout: state.config.body_timeout,
        max_connections_per_ip: state.config.max_connections_per_ip,
        uncapped: state.config.trusted_proxies.clone(),
    };
    let result = server::run(listener, Front::new(state), limits, async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    })
    .await;
    let _ = follower.await;
    let _ = counting.await;
    let _ = trending.await;
    let _ = upkeep.await;
    let _ = engagement.await;
    let _ = webhooks.await;
    let _ = feeds.await;
    let _ = mailer.await;
    let _ = tokio::task::spawn_blocking(move || newsletters.join()).await;
    result
}
