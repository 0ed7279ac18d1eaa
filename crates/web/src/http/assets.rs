//! Theme assets and image renditions.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::pages::Themed;
use crate::state::AppState;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

pub async fn asset(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, AppError> {
    let (asset, fingerprinted) = state.theme.asset(&name).ok_or(AppError::NotFound)?;
    let cc = if fingerprinted {
        IMMUTABLE
    } else {
        "public, max-age=3600"
    };
    let mut resp = Response::new(Body::from(asset.bytes));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cc));
    resp.extensions_mut().insert(Themed);
    Ok(resp)
}

pub async fn media(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, AppError> {
    let media = kawaraban_core::model::Image::rendition_file(&state.config.media_dir, &name)
        .ok_or(AppError::NotFound)?;
    let bytes = match tokio::fs::read(&media).await {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(AppError::NotFound),
        Err(e) => return Err(AppError::internal(format!("{}: {e}", media.display()))),
    };
    let ct = match name.rsplit('.').next() {
        Some("png") => "image/png",
        Some("webp") => "image/webp",
        _ => "image/jpeg",
    };
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, ct),
            (header::CACHE_CONTROL, IMMUTABLE),
        ],
        bytes,
    )
        .into_response())
}
