//! The media library in API v1 (the network's, as the desk shows it):
//! searched and read a page at a time, newest first, with any key; an
//! image uploaded with an admin key, as a raw JPEG, PNG or WebP body or a
//! multipart form's `file`, through the desk's one upload
//! (`desk::media_upload`: size and pixel limits, EXIF dropped,
//! orientation applied); its words (name, caption, credit, alt) changed
//! from the ETag they were read with.

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use kawaraban_core::model::{ImageInfo, LibraryImage, Site};

use super::json_body::json_body;
use super::keys::{AdminKey, Reader};
use super::paging::{Page, Paging};
use super::problem::Problem;
use super::{answer, etag};
use crate::api::ghost_admin_images::url_of;
use crate::desk::media_upload::{
    checked_info, describe_image, store_upload, too_large, Uploader, MAX_UPLOAD_BODY,
    MAX_UPLOAD_BYTES,
};
use crate::error::AppError;
use crate::http::site::CurrentSite;
use crate::state::AppState;

/// One rendition of an image.
#[derive(Serialize)]
struct Rendition {
    width: u32,
    url: String,
}

/// A library image as the API answers it.
#[derive(Serialize)]
struct ImageOut<'a> {
    hash: &'a str,
    width: u32,
    height: u32,
    /// The rendition a story shows (the largest up to 1200 pixels wide).
    url: String,
    renditions: Vec<Rendition>,
    name: &'a str,
    caption: &'a str,
    credit: &'a str,
    alt: &'a str,
    uploaded_at: DateTime<Utc>,
}

fn shaped<'a>(site: &Site, i: &'a LibraryImage) -> ImageOut<'a> {
    let img = &i.image;
    ImageOut {
        hash: &img.hash,
        width: img.width,
        height: img.height,
        url: url_of(site, img),
        renditions: img
            .widths
            .iter()
            .map(|&width| Rendition {
                width,
                url: site.absolute(&img.path(width)),
            })
            .collect(),
        name: &i.info.name,
        caption: &i.info.caption,
        credit: &i.info.credit,
        alt: &i.info.alt,
        uploaded_at: i.created_at,
    }
}

/// An image's opaque tag: a digest of its words, which are what a write
/// changes.
fn tag_of(info: &ImageInfo) -> String {
    let mut d = Sha256::new();
    for word in [&info.name, &info.caption, &info.credit, &info.alt] {
        d.update(word.as_bytes());
        d.update([0]);
    }
    hex::encode(&d.finalize()[..12])
}

/// An image answered with its ETag.
fn with_etag(status: StatusCode, site: &Site, image: &LibraryImage) -> Response {
    let mut resp = answer(status, &shaped(site, image));
    resp.headers_mut()
        .insert(header::ETAG, etag::quoted(&tag_of(&image.info)));
    resp
}

/// `GET /api/v1/media?q=&limit=&after=`: the library, newest first; `q`
/// keeps the images whose name, caption, credit, alt or hash hold every
/// word of it.
pub async fn list(
    State(state): State<AppState>,
    _reader: Reader,
    CurrentSite(site): CurrentSite,
    RawQuery(query): RawQuery,
) -> Result<Response, Problem> {
    let paging = Paging::of(query.as_deref(), &["q"])?;
    let before = paging.after(|t| t.parse::<i64>().ok())?;
    let q = paging
        .rest
        .iter()
        .find(|(name, _)| name == "q")
        .map_or("", |(_, v)| v.as_str());
    let rows = state.store.library(q, before, paging.fetch()).await?;
    let (rows, next) = paging.page(rows, |i| i.image.id.to_string());
    let items: Vec<_> = rows.iter().map(|i| shaped(&site, i)).collect();
    Ok(answer(StatusCode::OK, &Page { items, next }))
}

/// The library's image with the hash of a request's path.
async fn image_of(state: &AppState, hash: &str) -> Result<LibraryImage, Problem> {
    state.store.library_image(hash).await?.ok_or_else(|| {
        Problem::not_found(format!("No image of the library has the hash {hash:?}."))
    })
}

/// `GET /api/v1/media/{hash}`: one image, 304 when `If-None-Match` names
/// its words' tag.
pub async fn one(
    State(state): State<AppState>,
    _reader: Reader,
    CurrentSite(site): CurrentSite,
    Path(hash): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let image = image_of(&state, &hash).await?;
    let tag = tag_of(&image.info);
    if etag::none_match(&headers, &tag) {
        let mut resp = StatusCode::NOT_MODIFIED.into_response();
        resp.headers_mut().insert(header::ETAG, etag::quoted(&tag));
        return Ok(resp);
    }
    Ok(with_etag(StatusCode::OK, &site, &image))
}

/// What an upload sends: the image, and for a form its words.
struct Sent {
    bytes: Vec<u8>,
    file_name: String,
    fields: crate::members::Fields,
}

fn too_big() -> Problem {
    Problem::too_large(format!(
        "The image is too large: files are at most {} MB.",
        MAX_UPLOAD_BYTES / (1024 * 1024)
    ))
}

fn media_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// The image of an upload request: a raw `image/jpeg`, `image/png` or
/// `image/webp` body, or a `multipart/form-data` form's `file` (with
/// `name`, `caption`, `credit` and `alt`); 413 past the size limit, 415
/// for any other body.
async fn sent(state: &AppState, req: Request) -> Result<Sent, Problem> {
    let length = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if length.is_some_and(|n| n > MAX_UPLOAD_BODY) {
        return Err(too_big());
    }
    let kind = media_type(req.headers());
    match kind.as_str() {
        "image/jpeg" | "image/png" | "image/webp" => {
            let bytes = Bytes::from_request(req, state)
                .await
                .map_err(|e| match e.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => too_big(),
                    _ => Problem::bad_request(None, e.body_text()),
                })?;
            if bytes.len() > MAX_UPLOAD_BYTES {
                return Err(too_big());
            }
            Ok(Sent {
                bytes: bytes.to_vec(),
                file_name: String::new(),
                fields: Default::default(),
            })
        }
        "multipart/form-data" => {
            let form = Multipart::from_request(req, state)
                .await
                .map_err(|e| Problem::bad_request(None, e.body_text()))?;
            let up = crate::http::upload::read(form, "file")
                .await
                .map_err(|e| match e {
                    AppError::BadRequest(m) => Problem::bad_request(None, m),
                    e => e.into(),
                })?;
            let Some(bytes) = up.file else {
                return Err(Problem::invalid(
                    "file",
                    "Send the image as the form's file field.",
                ));
            };
            Ok(Sent {
                bytes,
                file_name: up.file_name,
                fields: up.fields,
            })
        }
        _ => Err(Problem::unsupported(format!(
            "Send a JPEG, PNG or WebP image as the body (Content-Type: image/jpeg, image/png or image/webp), or as the file field of a multipart/form-data form; not {:?}.",
            if kind.is_empty() { "no Content-Type" } else { kind.as_str() }
        ))),
    }
}

/// `POST /api/v1/media`: the image put into the library (once by content:
/// an image already there answers as it is, its words kept unless new
/// ones were given), 201 with its address.
pub async fn upload(
    State(state): State<AppState>,
    key: AdminKey,
    CurrentSite(site): CurrentSite,
    req: Request,
) -> Result<Response, Problem> {
    let sent = sent(&state, req).await?;
    let fallback = match sent.file_name.as_str() {
        "" => "Uploaded image",
        n => n,
    };
    let info = checked_info(
        |name| sent.fields.get(name).map_or("", String::as_str),
        fallback,
    )
    .map_err(|(field, message)| Problem::invalid(field, message))?;
    let by = Uploader {
        member: None,
        note: key.note(),
    };
    let image = match store_upload(&state, sent.bytes, info, &by).await? {
        Ok(i) => i,
        Err(e) if too_large(&e) => {
            return Err(Problem::too_large(format!("Refused before decoding: {e}.")))
        }
        Err(e) => return Err(Problem::unsupported(format!("The file is {e}."))),
    };
    let mut resp = with_etag(StatusCode::CREATED, &site, &image);
    let location = HeaderValue::from_str(&format!("/api/v1/media/{}", image.image.hash))
        .expect("a hash is a header value");
    resp.headers_mut().insert(header::LOCATION, location);
    Ok(resp)
}

/// A change of an image's words: those given (the rest stay).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WordsIn {
    name: Option<String>,
    caption: Option<String>,
    credit: Option<String>,
    alt: Option<String>,
}

/// `PATCH /api/v1/media/{hash}`: new words for an image, from the ETag
/// `If-Match` names (412 when they changed since, 428 without it).
pub async fn describe(
    State(state): State<AppState>,
    key: AdminKey,
    CurrentSite(site): CurrentSite,
    Path(hash): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    let image = image_of(&state, &hash).await?;
    etag::must_match(&headers, &tag_of(&image.info), || {
        Problem::changed_since("The image's words")
    })?;
    let input: WordsIn = json_body(&headers, &body, "an image's words")?;
    let old = &image.info;
    let now_is =
        |given: &Option<String>, was: &str| given.clone().unwrap_or_else(|| was.to_string());
    let words = [
        now_is(&input.name, &old.name),
        now_is(&input.caption, &old.caption),
        now_is(&input.credit, &old.credit),
        now_is(&input.alt, &old.alt),
    ];
    let field = |name: &str| match name {
        "name" => words[0].as_str(),
        "caption" => words[1].as_str(),
        "credit" => words[2].as_str(),
        _ => words[3].as_str(),
    };
    let info = checked_info(field, &old.name)
        .map_err(|(field, message)| Problem::invalid(field, message))?;
    let by = Uploader {
        member: None,
        note: key.note(),
    };
    describe_image(&state, &image, &info, &by).await?;
    let saved = image_of(&state, &hash).await?;
    Ok(with_etag(StatusCode::OK, &site, &saved))
}
