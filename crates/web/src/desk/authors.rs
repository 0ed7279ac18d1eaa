//! `/desk/authors`: authors' profiles (name, biography, photo from the
//! media library, links), shown on their pages on every site, and the
//! names of the site's tags. For editors.

use axum::extract::{Path, Query};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::Utc;
use kawaraban_core::model::AuthorProfile;
use minijinja::context;
use serde::Deserialize;

use super::{render, Editor};
use crate::error::{AppError, AppResult};
use crate::members::{field, parse_form, see_other, Viewer, Visit};
use crate::state::AppState;

/// Authors a page lists.
const SHOWN: u32 = 200;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/desk/authors", get(list).post(rename_tag))
        .route("/desk/authors/{slug}", get(page).post(save))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Search {
    q: String,
}

async fn list(Editor(v, viewer): Editor, Query(s): Query<Search>) -> AppResult<Response> {
    let authors: Vec<_> = v
        .state
        .store
        .authors(&s.q, SHOWN)
        .await?
        .into_iter()
        .map(|p| context! { slug => p.slug, name => p.name })
        .collect();
    let tags: Vec<_> = v
        .state
        .store
        .site_tags(v.site.id, Utc::now())
        .await?
        .into_iter()
        .map(|t| context! { slug => t.slug, name => t.name })
        .collect();
    render(
        &v,
        &viewer,
        "desk/authors.html",
        "Authors and tags",
        "/desk/authors",
        context! { authors, tags, q => s.q, csrf => viewer.csrf.clone() },
    )
}

async fn profile_page(
    v: &Visit,
    viewer: &Viewer,
    p: &AuthorProfile,
    error: Option<String>,
) -> AppResult<Response> {
    let photo = match p.photo.as_str() {
        "" => None,
        hash => v
            .state
            .store
            .image_by_hash(hash)
            .await?
            .map(|i| i.path(i.widths.first().copied().unwrap_or(i.width))),
    };
    let mut resp = render(
        v,
        viewer,
        "desk/author.html",
        &p.person.name,
        "/desk/authors",
        context! { a => context! { slug => p.person.slug.clone(), name => p.person.name.clone(), bio => p.bio.clone(),
        photo => p.photo.clone(), links => p.links.join("\n") }, photo_src => photo, error, csrf => viewer.csrf.clone() },
    )?;
    if error.is_some() {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

async fn page(Editor(v, viewer): Editor, Path(slug): Path<String>) -> AppResult<Response> {
    let p = v
        .state
        .store
        .author_profile(&slug)
        .await?
        .ok_or(AppError::NotFound)?;
    profile_page(&v, &viewer, &p, None).await
}

/// `POST /desk/authors/{slug}`: `name`, `bio`, `photo` (a media library
/// id), `links` (one a line).
async fn save(
    Editor(v, viewer): Editor,
    Path(slug): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let (_, f) = parse_form(&body);
    v.check_csrf(&f)?;
    let current = v
        .state
        .store
        .author_profile(&slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut p = AuthorProfile {
        person: kawaraban_core::model::Person {
            name: field(&f, "name").trim().to_string(),
            ..current.person.clone()
        },
        bio: field(&f, "bio").trim().to_string(),
        photo: field(&f, "photo").trim().to_string(),
        links: field(&f, "links")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
    };
    let refused = if p.person.name.is_empty() || p.person.name.chars().count() > 120 {
        Some("name: an author's name is 1 to 120 characters".to_string())
    } else if p.bio.chars().count() > 2000 {
        Some("bio: at most 2,000 characters".into())
    } else if let Some(bad) = p
        .links
        .iter()
        .find(|l| kawaraban_core::webhooks::check_url(l).is_err())
    {
        Some(format!("links: \"{bad}\" is not an http(s) address"))
    } else if !p.photo.is_empty() && v.state.store.image_by_hash(&p.photo).await?.is_none() {
        Some(format!(
            "photo: no image \"{}\" in the media library",
            p.photo
        ))
    } else {
        None
    };
    if let Some(e) = refused {
        p.person.slug = current.person.slug;
        return profile_page(&v, &viewer, &p, Some(e)).await;
    }
    v.state.store.set_author_profile(&p).await?;
    v.state
        .store
        .audit(
            Some(&viewer.member),
            "author.profile",
            &format!("author:{}", p.person.id),
            &p.person.name,
            Utc::now(),
        )
        .await?;
    // Authors belong to the network: every site's lists show their names.
    let tags = v
        .state
        .network
        .get()
        .sites
        .iter()
        .map(|s| format!("list:{}", s.id))
        .collect();
    crate::comments::invalidate(&v.state, tags).await;
    Ok(see_other(&format!("/desk/authors/{slug}"), Vec::new()))
}

/// `POST /desk/authors`: a tag of this site renamed (`slug`, `name`).
async fn rename_tag(Editor(v, viewer): Editor, body: axum::body::Bytes) -> AppResult<Response> {
    let (_, f) = parse_form(&body);
    v.check_csrf(&f)?;
    let (slug, name) = (field(&f, "slug").trim(), field(&f, "name").trim());
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::bad_request(
            "name: a tag's name is 1 to 80 characters",
        ));
    }
    if !v.state.store.rename_tag(v.site.id, slug, name).await? {
        return Err(AppError::NotFound);
    }
    v.state
        .store
        .audit(
            Some(&viewer.member),
            "tag.rename",
            &format!("tag:{slug}"),
            name,
            Utc::now(),
        )
        .await?;
    crate::comments::invalidate(&v.state, vec![format!("list:{}", v.site.id)]).await;
    Ok(see_other("/desk/authors", Vec::new()))
}
