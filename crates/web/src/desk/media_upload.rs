//! One upload into the media library, whichever way it comes in (the
//! desk's form and editor, the Admin API's `images/upload/`, API v1's
//! `POST /api/v1/media`): the file's size bounded, the image decoded with
//! its pixels bounded (no pixel bombs), EXIF dropped and orientation
//! applied, the renditions made as for imports, the image stored once by
//! content with its words, and the upload written to the audit log.

use chrono::Utc;
use kawaraban_content::media::MediaError;
use kawaraban_content::MediaDir;
use kawaraban_core::model::{ImageInfo, LibraryImage, Member};

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Largest file accepted: a full-resolution photograph from a camera.
pub const MAX_UPLOAD_BYTES: usize = 25 * 1024 * 1024;

/// A request that carries an upload: the file, and the form around it.
pub const MAX_UPLOAD_BODY: usize = MAX_UPLOAD_BYTES + 64 * 1024;

/// The most a browser's upload form may send before the connection is
/// cut: a file somewhat over the limit is read to its end and refused
/// with a page, since a browser still sending shows a reset connection,
/// not an answer given early.
pub const MAX_FORM_BODY: usize = 2 * MAX_UPLOAD_BYTES;

/// Who uploads: the member (the desk), or nobody with a note of the key
/// (the APIs), for the audit log.
pub struct Uploader<'a> {
    pub member: Option<&'a Member>,
    /// What the audit log's line adds to the image's name.
    pub note: String,
}

/// An image's words, each at most this many characters.
const MOST_CHARS: [(&str, usize); 4] = [
    ("name", 200),
    ("caption", 1000),
    ("credit", 300),
    ("alt", 500),
];

/// An image's words as given (`get` reads a field by name, empty when
/// absent), trimmed and bounded: a refusal names the field. An empty
/// name is `fallback_name`.
pub fn checked_info<'a>(
    get: impl Fn(&str) -> &'a str,
    fallback_name: &str,
) -> Result<ImageInfo, (&'static str, String)> {
    let mut words = MOST_CHARS.map(|(name, _)| (name, get(name).trim().to_string()));
    for ((name, text), (_, most)) in words.iter().zip(MOST_CHARS) {
        if text.chars().count() > most {
            return Err((name, format!("{name}: at most {most} characters")));
        }
    }
    if words[0].1.is_empty() {
        words[0].1 = fallback_name.to_string();
    }
    let [name, caption, credit, alt] = words.map(|(_, t)| t);
    Ok(ImageInfo {
        name,
        caption,
        credit,
        alt,
    })
}

/// New words for a library image, written to the audit log.
pub async fn describe_image(
    state: &AppState,
    image: &LibraryImage,
    info: &ImageInfo,
    by: &Uploader<'_>,
) -> AppResult<()> {
    state
        .store
        .set_image_info(image.image.id, info, None)
        .await?;
    state
        .store
        .audit(
            by.member,
            "media.describe",
            &format!("image:{}", image.image.hash),
            &format!("{}{}", info.name, by.note),
            Utc::now(),
        )
        .await?;
    Ok(())
}

/// Whether a refused image was refused for its size (413) rather than
/// for not being an image we read (415).
pub fn too_large(e: &MediaError) -> bool {
    matches!(e, MediaError::TooLarge(..) | MediaError::LogoTooBig(_))
}

/// Stores `bytes` as a library image with `info` (its name already
/// defaulted by the caller): `Ok(Err(_))` when the file is refused (too
/// many pixels, not a JPEG, PNG or WebP). An image already in the library
/// keeps its words unless new ones were given.
pub async fn store_upload(
    state: &AppState,
    bytes: Vec<u8>,
    info: ImageInfo,
    by: &Uploader<'_>,
) -> AppResult<Result<LibraryImage, MediaError>> {
    let media = MediaDir::new(&state.config.media_dir);
    let processed = tokio::task::spawn_blocking(move || media.process(&bytes))
        .await
        .map_err(|e| AppError::internal(format!("upload: {e}")))?;
    let new = match processed {
        Ok(n) => n,
        Err(MediaError::Write(path, e)) => {
            return Err(AppError::internal(format!(
                "upload: {}: {e}",
                path.display()
            )))
        }
        Err(e) => return Ok(Err(e)),
    };
    let image = state.store.put_image(&new).await?;
    let info = match state.store.library_image(&image.hash).await? {
        Some(e)
            if !e.info.name.is_empty()
                && info.caption.is_empty()
                && info.credit.is_empty()
                && info.alt.is_empty() =>
        {
            e.info
        }
        _ => info,
    };
    state
        .store
        .set_image_info(image.id, &info, by.member.map(|m| m.id))
        .await?;
    state
        .store
        .audit(
            by.member,
            "media.upload",
            &format!("image:{}", image.hash),
            &format!("{}{}", info.name, by.note),
            Utc::now(),
        )
        .await?;
    let stored = state.store.library_image(&image.hash).await?;
    Ok(Ok(stored.ok_or(AppError::NotFound)?))
}
