//! Ghost's Admin API, as far as posts and images go, so that Ghost's own
//! client (`@tryghost/admin-api`) and the tools built on it write to a
//! Kawaraban site unchanged: `posts` (browse, read, add, edit, delete),
//! `images/upload` and `site`. Who calls is `ghost_admin_auth`'s (a token
//! signed with an admin key); posts are `ghost_admin_posts`' and go through
//! the desk's one save (`desk::stories::publish::save_story`), so that an
//! integration meets the desk's rules, versions and audit log; images are
//! `ghost_admin_images`', into the media library.
//!
//! Errors are Ghost's shape (`ghost_error`), with the Admin API's own
//! statuses besides: 422 for a field refused (`property` names it), 409
//! when the post moved on since the client read it.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Duration, SecondsFormat, SubsecRound, Utc};
use serde::Serialize;
use serde_json::{json, Value};

use kawaraban_core::ghost::Include;
use kawaraban_core::markdown;
use kawaraban_core::model::{Article, Site, Story};

use super::ghost_error::GhostError;
use super::{ghost_admin_images, ghost_admin_posts, ghost_shape};
use crate::desk::stories::preview;
use crate::error::AppError;
use crate::http::site::CurrentSite;
use crate::state::AppState;

pub const BASE: &str = "/ghost/api/admin";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            &format!("{BASE}/posts/"),
            get(ghost_admin_posts::browse)
                .post(ghost_admin_posts::add)
                .layer(ghost_admin_posts::body_limit()),
        )
        .route(
            &format!("{BASE}/posts/{{id}}/"),
            get(ghost_admin_posts::read)
                .put(ghost_admin_posts::edit)
                .delete(ghost_admin_posts::delete)
                .layer(ghost_admin_posts::body_limit()),
        )
        .route(
            &format!("{BASE}/posts/slug/{{slug}}/"),
            get(ghost_admin_posts::read_by_slug),
        )
        .route(
            &format!("{BASE}/images/upload/"),
            post(ghost_admin_images::upload).layer(ghost_admin_images::body_limit()),
        )
        .route(&format!("{BASE}/site/"), get(site))
}

/// An Admin API error: one the Content API answers alike (a missing post,
/// a failed store), or one of the Admin API's own, with the `code` and
/// `property` its clients read.
#[derive(Debug)]
pub enum AdminError {
    Shared(GhostError),
    Own(Problem),
}

#[derive(Debug)]
pub struct Problem {
    status: StatusCode,
    kind: &'static str,
    message: String,
    code: Option<&'static str>,
    property: Option<String>,
}

fn own(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Problem {
    Problem {
        status,
        kind,
        message: message.into(),
        code: None,
        property: None,
    }
}

impl AdminError {
    /// No live admin key behind the request (401); `code` is Ghost's.
    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        AdminError::Own(Problem {
            code: Some(code),
            ..own(StatusCode::UNAUTHORIZED, "UnauthorizedError", message)
        })
    }

    /// A field of the post refused (422), named in `property` (empty: the
    /// whole post).
    pub fn invalid(property: &str, message: impl Into<String>) -> Self {
        AdminError::Own(Problem {
            property: (!property.is_empty()).then(|| property.to_string()),
            ..own(StatusCode::UNPROCESSABLE_ENTITY, "ValidationError", message)
        })
    }

    /// A request we cannot read at all (400).
    pub fn bad_request(message: impl Into<String>) -> Self {
        AdminError::Own(own(StatusCode::BAD_REQUEST, "BadRequestError", message))
    }

    /// The key's role may not do this (403).
    pub fn no_permission(message: impl Into<String>) -> Self {
        AdminError::Own(own(StatusCode::FORBIDDEN, "NoPermissionError", message))
    }

    /// Saved by someone else since the client read it (409), in Ghost's words.
    pub fn collision() -> Self {
        AdminError::Own(Problem {
            code: Some("UPDATE_COLLISION"),
            ..own(
                StatusCode::CONFLICT,
                "UpdateCollisionError",
                "Saving failed! Someone else is editing this post.",
            )
        })
    }

    pub fn too_large(message: impl Into<String>) -> Self {
        AdminError::Own(own(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLargeError",
            message,
        ))
    }

    pub fn unsupported_media(message: impl Into<String>) -> Self {
        AdminError::Own(own(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaTypeError",
            message,
        ))
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        AdminError::Shared(GhostError::not_found(message))
    }

    /// Whether it refuses who called (a failed sign-in, for the rate limit).
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, AdminError::Own(p) if p.status == StatusCode::UNAUTHORIZED)
    }
}

impl From<AppError> for AdminError {
    fn from(e: AppError) -> Self {
        AdminError::Shared(e.into())
    }
}

impl From<kawaraban_core::StoreError> for AdminError {
    fn from(e: kawaraban_core::StoreError) -> Self {
        AdminError::Shared(e.into())
    }
}

/// The body of an error of our own: every field Ghost's errors have.
#[derive(Serialize)]
struct ErrorBody<'a> {
    message: &'a str,
    context: Option<()>,
    #[serde(rename = "type")]
    kind: &'a str,
    details: Option<()>,
    property: Option<&'a str>,
    help: Option<()>,
    code: Option<&'a str>,
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let p = match self {
            AdminError::Shared(e) => return e.into_response(),
            AdminError::Own(p) => p,
        };
        let body = ErrorBody {
            message: &p.message,
            context: None,
            kind: p.kind,
            details: None,
            property: p.property.as_deref(),
            help: None,
            code: p.code,
        };
        answer(p.status, json!({ "errors": [body] }))
    }
}

/// A JSON answer of the Admin API: never kept by any cache.
pub fn answer(status: StatusCode, body: impl Serialize) -> Response {
    let mut resp = (status, axum::Json(body)).into_response();
    super::ghost_content::api_headers(resp.headers_mut());
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// A time as Ghost writes it, to the millisecond (`2026-12-07T09:30:00.000+00:00`).
pub fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, false)
}

/// The `updated_at` of a story's post: the time of its last save, to the
/// second, with the story's version (modulo 1000) as its milliseconds, so
/// that two saves within one second are told apart when an edit sends it
/// back (stored times are kept to the second).
pub fn saved_at(story: &Story) -> DateTime<Utc> {
    story.modified_at.trunc_subsecs(0) + Duration::milliseconds(story.version.rem_euclid(1000))
}

/// `GET /ghost/api/admin/site/`: what the client's `site.read()` gives,
/// all of it public (Ghost answers it without a key too).
async fn site(CurrentSite(site): CurrentSite) -> Response {
    answer(
        StatusCode::OK,
        json!({ "site": {
            "title": site.name,
            "description": site.tagline,
            "logo": null,
            "icon": null,
            "cover_image": null,
            "accent_color": null,
            "locale": "en",
            "url": site.absolute("/"),
            "version": "5.0",
        }}),
    )
}

/// The body formats a post is answered with (`formats`): HTML and plain
/// text when asked; Lexical and Mobiledoc, which we do not keep, as null.
#[derive(Debug, Clone, Copy, Default)]
pub struct Formats {
    html: bool,
    plaintext: bool,
    lexical: bool,
    mobiledoc: bool,
}

impl Formats {
    pub fn parse(raw: Option<&str>) -> Result<Self, AdminError> {
        let mut f = Formats::default();
        for part in raw.unwrap_or("").split(',').map(str::trim) {
            match part {
                "" => {}
                "html" => f.html = true,
                "plaintext" => f.plaintext = true,
                "lexical" => f.lexical = true,
                "mobiledoc" => f.mobiledoc = true,
                other => {
                    return Err(AdminError::invalid(
                        "formats",
                        format!(
                        "formats may name html, plaintext, lexical and mobiledoc (got {other:?})"
                    ),
                    ))
                }
            }
        }
        Ok(f)
    }
}

/// A story as an Admin API post: the Content API's post (`ghost_shape`,
/// so both APIs agree), with its status, its SEO fields, and `updated_at`
/// as [`saved_at`], which an edit sends back.
pub async fn shaped(
    state: &AppState,
    site: &Site,
    story: &Story,
    formats: Formats,
) -> Result<Value, AdminError> {
    let article = article_of(state, site, story).await?;
    let include = Include {
        tags: true,
        authors: true,
    };
    let Ok(Value::Object(mut post)) =
        serde_json::to_value(ghost_shape::post(site, &article, include, &[]))
    else {
        return Err(AppError::internal(format!("post {}: shape", story.id)).into());
    };
    let f = &story.fields;
    let status = ghost_admin_posts::ghost_status(story.desk_status(crate::pages::now()));
    let text = |s: &str| match s {
        "" => Value::Null,
        s => Value::from(s),
    };
    let published_at = match status {
        "draft" => Value::Null,
        _ => time(story.published_at).into(),
    };
    for (name, value) in [
        ("status", status.into()),
        ("updated_at", time(saved_at(story)).into()),
        ("published_at", published_at),
        ("meta_title", text(&f.seo_title)),
        ("meta_description", text(&f.seo_description)),
        ("canonical_url", text(&f.canonical_url)),
        (
            "embargo_until",
            f.embargo_until.map_or(Value::Null, |t| time(t).into()),
        ),
    ] {
        post.insert(name.to_string(), value);
    }
    if formats.plaintext {
        let plain = markdown::plain_text_of_html(&article.body_html);
        post.insert("plaintext".into(), plain.into());
    }
    if !formats.html {
        post.remove("html");
    }
    for (asked, name) in [
        (formats.lexical, "lexical"),
        (formats.mobiledoc, "mobiledoc"),
    ] {
        if asked {
            post.insert(name.into(), Value::Null);
        }
    }
    Ok(Value::Object(post))
}

/// A story of any status as the article readers get (or will get), for
/// the Content API's shape: the desk's preview of its fields, with its
/// stored times, and its tags' and authors' ids.
async fn article_of(state: &AppState, site: &Site, story: &Story) -> Result<Article, AdminError> {
    let mut a = preview::article_of(state, site, story.id, &story.fields).await?;
    a.published_at = story.published_at;
    a.updated_at = story.updated_at;
    for tag in &mut a.tags {
        if let Some(kept) = state.store.tag_by_slug(site.id, &tag.slug).await? {
            *tag = kept;
        }
    }
    for author in &mut a.authors {
        if let Some(kept) = state.store.author_by_slug(&author.slug).await? {
            *author = kept;
        }
    }
    Ok(a)
}
