//! Which site a request is for, from its `Host`.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use kawaraban_core::model::Site;

use crate::error::AppError;
use crate::state::AppState;

/// The site of the current request; handlers take it as an extractor.
#[derive(Clone)]
pub struct CurrentSite(pub Arc<Site>);

/// Looks the site up once per request and stores it in the extensions.
pub async fn resolve_site(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().authority().map(|a| a.to_string()));
    if let Some(site) = state.network.get().site_for_host(host.as_deref()) {
        req.extensions_mut().insert(CurrentSite(site));
    }
    next.run(req).await
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentSite {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CurrentSite>()
            .cloned()
            .ok_or_else(|| {
                AppError::Unavailable("no site is configured: run `kawaraban site add`".into())
            })
    }
}
