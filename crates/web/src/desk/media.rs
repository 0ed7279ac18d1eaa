//! `/desk/media`: the media library. Upload a JPEG, PNG or WebP (size and
//! pixel limits; EXIF dropped, orientation applied; renditions as for
//! imports), give it a name, caption, credit and alt text that stories
//! using it start from, search it, reuse it in any story. The editor's
//! script uploads pasted and dropped images here and gets JSON back.

use axum::extract::{Path, Query};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use kawaraban_core::model::{ImageInfo, LibraryImage};
use minijinja::context;
use serde::Deserialize;

use super::media_upload::{
    checked_info, describe_image, store_upload, Uploader, MAX_FORM_BODY, MAX_UPLOAD_BYTES,
};
use super::render;
use super::stories::Writer;
use crate::error::{AppError, AppResult};
use crate::members::{field, parse_form, see_other, Fields};
use crate::state::AppState;

/// Images a page of the library shows.
const PAGE: u32 = 48;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/desk/media",
            get(page)
                .post(upload)
                .layer(axum::extract::DefaultBodyLimit::max(MAX_FORM_BODY)),
        )
        .route("/desk/media/{hash}", post(describe))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Search {
    q: String,
    before: Option<i64>,
    error: String,
}

fn view(i: &LibraryImage) -> minijinja::Value {
    let img = &i.image;
    let small = img.widths.first().copied().unwrap_or(img.width);
    let large = img
        .widths
        .iter()
        .copied()
        .filter(|w| *w <= 1200)
        .max()
        .unwrap_or(small);
    context! {
        hash => img.hash.clone(), width => img.width, height => img.height,
        thumb => img.path(small), src => img.path(large),
        name => i.info.name.clone(), caption => i.info.caption.clone(), credit => i.info.credit.clone(), alt => i.info.alt.clone(),
    }
}

pub async fn page(Writer(v, viewer): Writer, Query(q): Query<Search>) -> AppResult<Response> {
    let images = v.state.store.library(&q.q, q.before, PAGE + 1).await?;
    let more = images.len() > PAGE as usize;
    let shown: Vec<_> = images.iter().take(PAGE as usize).map(view).collect();
    let next = more
        .then(|| {
            images
                .get(PAGE as usize - 1)
                .map(|i| format!("/desk/media?q={}&before={}", urlencoding(&q.q), i.image.id))
        })
        .flatten();
    let error = (!q.error.is_empty()).then(|| q.error.clone());
    let mut resp = render(
        &v,
        &viewer,
        "desk/media.html",
        "Media library",
        "/desk/media",
        context! { images => shown, q => q.q, next, error, csrf => viewer.csrf.clone(), max_mb => MAX_UPLOAD_BYTES / (1024 * 1024) },
    )?;
    if error.is_some() {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

fn urlencoding(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn wants_json(h: &HeaderMap) -> bool {
    h.get(header::ACCEPT)
        .and_then(|a| a.to_str().ok())
        .is_some_and(|a| a.contains("application/json"))
}

fn info_from(f: &Fields, fallback_name: &str) -> Result<ImageInfo, String> {
    checked_info(|name| field(f, name), fallback_name).map_err(|(_, message)| message)
}

/// `POST /desk/media` (multipart: `file`, and `name`, `caption`, `credit`,
/// `alt`): the image stored once by content, with its words. Browsers are
/// sent to the library; the editor's script (`Accept: application/json`)
/// gets the image's id and paths, or `{"error": …}` with 422.
pub async fn upload(
    Writer(v, viewer): Writer,
    headers: HeaderMap,
    form: axum::extract::Multipart,
) -> AppResult<Response> {
    let json = wants_json(&headers);
    let refuse = |message: String| -> AppResult<Response> {
        if json {
            Ok(crate::comments::json_answer(
                StatusCode::UNPROCESSABLE_ENTITY,
                serde_json::json!({ "error": message }),
            ))
        } else {
            Ok(see_other(
                &format!("/desk/media?error={}", urlencoding(&message)),
                Vec::new(),
            ))
        }
    };
    let up = match crate::http::upload::read(form, "file").await {
        Ok(up) => up,
        Err(AppError::BadRequest(m)) => {
            return refuse(format!(
                "file: {m} Files are at most {} MB.",
                MAX_UPLOAD_BYTES / (1024 * 1024)
            ))
        }
        Err(e) => return Err(e),
    };
    v.check_csrf(&up.fields)?;
    let Some(bytes) = up.file else {
        return refuse("file: choose a JPEG, PNG or WebP image to upload".into());
    };
    let info = match info_from(&up.fields, &up.file_name) {
        Ok(i) => i,
        Err(e) => return refuse(e),
    };
    let by = Uploader {
        member: Some(&viewer.member),
        note: String::new(),
    };
    let item = match store_upload(&v.state, bytes, info, &by).await? {
        Ok(i) => i,
        Err(e) => return refuse(format!("file: {}: {e}", up.file_name)),
    };
    if json {
        return Ok(crate::comments::json_answer(
            StatusCode::CREATED,
            serde_json::to_value(view(&item)).map_err(AppError::internal)?,
        ));
    }
    Ok(see_other(
        &format!("/desk/media?q={}", urlencoding(&item.image.hash)),
        Vec::new(),
    ))
}

/// `POST /desk/media/{hash}`: new words for an image.
pub async fn describe(
    Writer(v, viewer): Writer,
    Path(hash): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let (_, f) = parse_form(&body);
    v.check_csrf(&f)?;
    let item = v
        .state
        .store
        .library_image(&hash)
        .await?
        .ok_or(AppError::NotFound)?;
    let info = match info_from(&f, &item.info.name) {
        Ok(i) => i,
        Err(e) => {
            return Ok(see_other(
                &format!("/desk/media?error={}", urlencoding(&e)),
                Vec::new(),
            ))
        }
    };
    let by = Uploader {
        member: Some(&viewer.member),
        note: String::new(),
    };
    describe_image(&v.state, &item, &info, &by).await?;
    Ok(see_other(
        &format!("/desk/media?q={}", urlencoding(&hash)),
        Vec::new(),
    ))
}
