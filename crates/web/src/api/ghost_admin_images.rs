//! The Admin API's images: `POST images/upload/` puts a JPEG, PNG or WebP
//! into the media library (as the desk's upload does: size and pixel
//! limits, EXIF dropped, the same renditions) and answers the URL Ghost's
//! clients then give a post as `feature_image`; [`hash_of_url`] reads such
//! a URL back into the library's image.

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use kawaraban_core::model::{Image, ImageInfo, Site};

use super::ghost_admin::{answer, AdminError};
use super::ghost_admin_auth::AdminKey;
use crate::desk::media_upload::{
    store_upload, too_large as refused_for_size, Uploader, MAX_UPLOAD_BODY, MAX_UPLOAD_BYTES,
};
use crate::error::AppError;
use crate::http::site::CurrentSite;
use crate::state::AppState;

pub fn body_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(MAX_UPLOAD_BODY)
}

fn too_large() -> AdminError {
    AdminError::too_large(format!(
        "The image is too large: files are at most {} MB.",
        MAX_UPLOAD_BYTES / (1024 * 1024)
    ))
}

/// The URL a post shows an image at: its largest rendition up to 1200
/// pixels wide, as the Content API's `feature_image`.
pub fn url_of(site: &Site, image: &Image) -> String {
    site.absolute(&crate::view::ImageView::new(image, "", 1200).large)
}

/// `POST /ghost/api/admin/images/upload/` (multipart: `file`, and the
/// `purpose` and `ref` Ghost's clients send): `{"images": [{"url", "ref"}]}`.
pub async fn upload(
    State(state): State<AppState>,
    key: AdminKey,
    CurrentSite(site): CurrentSite,
    headers: HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, AdminError> {
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if length.is_some_and(|n| n > MAX_UPLOAD_BODY) {
        return Err(too_large());
    }
    let form = form.map_err(|e| {
        AdminError::bad_request(format!(
            "An upload is multipart/form-data with the image as its file field: {}",
            e.body_text()
        ))
    })?;
    let up = match crate::http::upload::read(form, "file").await {
        Ok(up) => up,
        Err(AppError::BadRequest(m)) => {
            return Err(AdminError::bad_request(format!(
                "{m} Files are at most {} MB.",
                MAX_UPLOAD_BYTES / (1024 * 1024)
            )))
        }
        Err(e) => return Err(e.into()),
    };
    let Some(bytes) = up.file else {
        return Err(AdminError::invalid(
            "file",
            "Please select an image: send it as the form's file field.",
        ));
    };
    let info = ImageInfo {
        name: up.file_name.clone(),
        ..Default::default()
    };
    let by = Uploader {
        member: None,
        note: format!(" (Admin API: {})", key.0.name),
    };
    let image = match store_upload(&state, bytes, info, &by).await? {
        Ok(i) => i.image,
        Err(e) if refused_for_size(&e) => {
            return Err(AdminError::too_large(format!("{}: {e}.", up.file_name)))
        }
        Err(e) => {
            return Err(AdminError::unsupported_media(format!(
                "Please select a valid image file: {} is {e}.",
                up.file_name
            )))
        }
    };
    let reference = up.fields.get("ref").cloned();
    Ok(answer(
        StatusCode::CREATED,
        json!({ "images": [{ "url": url_of(&site, &image), "ref": reference }] }),
    ))
}

/// A post's `feature_image` as the library's hash (empty: none). Only an
/// image of the library, at an address of the network's own sites (or a
/// path), is one a story can show.
pub fn hash_of_url(state: &AppState, url: &str) -> Result<String, AdminError> {
    let url = url.trim();
    if url.is_empty() {
        return Ok(String::new());
    }
    let path = if url.starts_with('/') {
        Some(url.split(['?', '#']).next().unwrap_or(url).to_string())
    } else if state.network.get().owns_url(url) {
        url::Url::parse(url).ok().map(|u| u.path().to_string())
    } else {
        None
    };
    let name = path.as_deref().and_then(|p| p.strip_prefix("/media/"));
    match name {
        Some(name) if Image::rendition_file(std::path::Path::new(""), name).is_some() => {
            Ok(name[..64].to_string())
        }
        _ => Err(AdminError::invalid(
            "feature_image",
            format!(
                "feature_image: {url:?} is not an image of this site's media library: upload it with POST /ghost/api/admin/images/upload/ and send the url that answers"
            ),
        )),
    }
}
