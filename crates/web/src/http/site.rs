//! Which site a request is for, from its `Host`.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use kawaraban_core::model::Site;

use crate::error::AppError;

/// The site of the current request (found by `front.rs` from `Host`);
/// handlers take it as an extractor.
#[derive(Clone)]
pub struct CurrentSite(pub Arc<Site>);

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
