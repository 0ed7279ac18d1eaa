//! Forms that carry a file (`multipart/form-data`): their text fields, for
//! the CSRF check and the rest, and the one file they upload.

use axum::extract::Multipart;

use crate::error::{AppError, AppResult};
use crate::members::Fields;

/// A form with its text fields and the bytes of its file field, if one was
/// chosen (browsers send an empty part when none was).
pub struct Upload {
    pub fields: Fields,
    pub file: Option<Vec<u8>>,
    /// The file's name as the browser gave it (empty if none).
    pub file_name: String,
}

/// Reads every part of `form`; `file` names the file field. The request's
/// size is bounded by the route's body limit; a file over
/// `MAX_UPLOAD_BYTES` is read to its end but not kept, and refused.
pub async fn read(mut form: Multipart, file: &str) -> AppResult<Upload> {
    let max = crate::desk::media_upload::MAX_UPLOAD_BYTES;
    let mut out = Upload {
        fields: Fields::new(),
        file: None,
        file_name: String::new(),
    };
    loop {
        let part = match form.next_field().await {
            Ok(Some(p)) => p,
            Ok(None) => break,
            Err(e) => return Err(refused(&e.body_text())),
        };
        let name = part.name().unwrap_or_default().to_string();
        if name == file {
            out.file_name = part.file_name().unwrap_or_default().to_string();
            let mut part = part;
            let (mut bytes, mut over) = (Vec::new(), false);
            while let Some(chunk) = part.chunk().await.map_err(|e| refused(&e.body_text()))? {
                over = over || bytes.len() + chunk.len() > max;
                if !over {
                    bytes.extend_from_slice(&chunk);
                }
            }
            if over {
                return Err(AppError::bad_request("The file is too large."));
            }
            if !bytes.is_empty() {
                out.file = Some(bytes);
            }
        } else {
            let text = part.text().await.map_err(|e| refused(&e.body_text()))?;
            out.fields.insert(name, text);
        }
    }
    Ok(out)
}

fn refused(why: &str) -> AppError {
    AppError::bad_request(format!("The upload could not be read: {why}."))
}
