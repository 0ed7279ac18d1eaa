//! `/desk/settings`: a site's settings (name, address, time zone,
//! publisher, tagline), its comment rules and its sections, with the same
//! effect as `kawaraban site add` and `kawaraban site comments`: every
//! app server picks a change up at once (the `network` announcement).

use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::Utc;
use kawaraban_core::model::{CommentSettings, DeletedMembers, NewSite};
use minijinja::context;

use super::{render, Admin};
use crate::error::{AppError, AppResult};
use crate::members::{field, parse_form, see_other, Fields, Viewer, Visit};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/desk/settings", get(page).post(act))
}

async fn settings_page(v: &Visit, viewer: &Viewer, error: Option<String>) -> AppResult<Response> {
    let rules = v.state.store.comment_settings(v.site.id).await?;
    let network = v.state.network.get();
    let sections: Vec<_> = network
        .sections(v.site.id)
        .iter()
        .map(
            |s| context! { slug => s.slug.clone(), name => s.name.clone(), position => s.position },
        )
        .collect();
    let mut resp = render(
        v,
        viewer,
        "desk/settings.html",
        "Site settings",
        "/desk/settings",
        context! {
            site => context! { key => v.site.key.clone(), name => v.site.name.clone(), url => v.site.url.clone(),
                time_zone => v.site.time_zone.clone(), publisher => v.site.publisher.clone(), tagline => v.site.tagline.clone() },
            rules => context! {
                close_after_days => rules.close_after_days.unwrap_or(0), premoderate_first => rules.premoderate_first,
                deleted_members => rules.deleted_members.as_str(), min_interval_secs => rules.min_interval_secs,
                per_hour => rules.per_hour, max_links => rules.max_links, spam_threshold => rules.spam_threshold,
                banned_words => rules.banned_words.join("\n"), suspect_words => rules.suspect_words.join("\n"),
            },
            sections, error, csrf => viewer.csrf.clone(),
        },
    )?;
    if error.is_some() {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

async fn page(Admin(v, viewer): Admin) -> AppResult<Response> {
    settings_page(&v, &viewer, None).await
}

fn number(f: &Fields, name: &str, min: i64) -> Result<i64, String> {
    let t = field(f, name).trim();
    t.parse::<i64>()
        .ok()
        .filter(|n| *n >= min)
        .ok_or_else(|| format!("{name}: \"{t}\" is not a whole number of {min} or more"))
}

fn words(f: &Fields, name: &str) -> Vec<String> {
    let mut out: Vec<String> = field(f, name)
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim().to_lowercase())
        .filter(|w| !w.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The comment rules the form gives (errors name the field).
fn rules_from(f: &Fields) -> Result<CommentSettings, String> {
    let close = number(f, "close_after_days", 0)?;
    Ok(CommentSettings {
        close_after_days: (close > 0).then_some(close),
        premoderate_first: number(f, "premoderate_first", 0)?,
        deleted_members: DeletedMembers::parse(field(f, "deleted_members")).ok_or_else(|| {
            format!(
                "deleted_members: \"{}\" is not anonymise or remove",
                field(f, "deleted_members")
            )
        })?,
        min_interval_secs: number(f, "min_interval_secs", 0)?,
        per_hour: number(f, "per_hour", 1)?,
        max_links: number(f, "max_links", 0)?,
        banned_words: words(f, "banned_words"),
        suspect_words: words(f, "suspect_words"),
        spam_threshold: number(f, "spam_threshold", 1)?,
    })
}

/// `POST /desk/settings`: `action` site, comments, section (`slug`,
/// `name`, `position`) or add_section (`slug`, `name`).
async fn act(Admin(v, viewer): Admin, body: axum::body::Bytes) -> AppResult<Response> {
    let (_, f) = parse_form(&body);
    v.check_csrf(&f)?;
    let site = v.site.clone();
    let action = field(&f, "action");
    let what = match action {
        "site" => {
            let new = NewSite {
                key: site.key.clone(),
                name: field(&f, "name").trim().to_string(),
                url: field(&f, "url").trim().to_string(),
                time_zone: field(&f, "time_zone").trim().to_string(),
                publisher: field(&f, "publisher").trim().to_string(),
                tagline: field(&f, "tagline").trim().to_string(),
                is_default: site.is_default,
            };
            if let Err(e) = new.validate() {
                return settings_page(&v, &viewer, Some(e)).await;
            }
            v.state.store.upsert_site(&new).await?;
            format!("{} at {}", new.name, new.url)
        }
        "comments" => {
            let rules = match rules_from(&f) {
                Ok(r) => r,
                Err(e) => return settings_page(&v, &viewer, Some(e)).await,
            };
            v.state.store.set_comment_settings(site.id, &rules).await?;
            "comment rules".to_string()
        }
        "section" | "add_section" => {
            let slug = field(&f, "slug").trim().to_string();
            let name = field(&f, "name").trim().to_string();
            if name.is_empty() || name.chars().count() > 60 {
                return settings_page(
                    &v,
                    &viewer,
                    Some("name: a section's name is 1 to 60 characters".into()),
                )
                .await;
            }
            if action == "add_section" {
                if let Err(e) = kawaraban_core::slug::validate_section_slug(&slug) {
                    return settings_page(&v, &viewer, Some(format!("slug: {e}"))).await;
                }
                let (_, created) = v.state.store.ensure_section(site.id, &slug, &name).await?;
                if !created {
                    return settings_page(
                        &v,
                        &viewer,
                        Some(format!("slug: the site already has a section \"{slug}\"")),
                    )
                    .await;
                }
            } else {
                let position = match number(&f, "position", 0) {
                    Ok(p) => p,
                    Err(e) => return settings_page(&v, &viewer, Some(e)).await,
                };
                if !v
                    .state
                    .store
                    .update_section(site.id, &slug, &name, position)
                    .await?
                {
                    return Err(AppError::NotFound);
                }
            }
            format!("section {slug}: {name}")
        }
        other => {
            return Err(AppError::bad_request(format!(
                "action: \"{other}\" is not site, comments, section or add_section"
            )))
        }
    };
    v.state
        .store
        .audit(
            Some(&viewer.member),
            &format!("settings.{action}"),
            &format!("site:{}", site.key),
            &what,
            Utc::now(),
        )
        .await?;
    // Every app server reloads the network and drops the pages that show it.
    crate::comments::invalidate(
        &v.state,
        vec![
            "network".into(),
            format!("nav:{}", site.id),
            format!("list:{}", site.id),
        ],
    )
    .await;
    Ok(see_other("/desk/settings", Vec::new()))
}
