//! `/desk/giveaways`: building giveaways, publishing them, their entries
//! (flagged ones shown, any one disqualified with a reason), the draw by
//! hand, and the network's list of refused email domains. Every change
//! goes to the audit log.

use axum::extract::Path;
use axum::response::Response;
use chrono::Utc;
use kawaraban_core::giveaway::{self, draw};
use kawaraban_core::model::{Giveaway, GiveawayFields};
use kawaraban_core::survey::audience::Audience;
use kawaraban_core::{local_time, StoreError};
use minijinja::context;

use super::giveaway::{disposable, DISPOSABLE_SETTING};
use crate::desk::{render, Editor};
use crate::error::{AppError, AppResult};
use crate::members::{field, parse_form, see_other, Fields, Viewer, Visit};

/// Entries listed on a giveaway's desk page (the command line lists all).
const DESK_ENTRIES: u32 = 1000;

fn list_of(text: &str) -> Vec<String> {
    text.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The form's fields, read into a giveaway (errors name the field).
pub fn read_form(v: &Visit, f: &Fields) -> Result<GiveawayFields, String> {
    let slug = field(f, "slug").trim().to_string();
    if slug.is_empty() || kawaraban_core::slug::slugify(&slug) != slug {
        return Err(format!(
            "slug: \"{slug}\" must be lower-case letters, digits and dashes"
        ));
    }
    let text = |name: &str, max: usize| -> Result<String, String> {
        let t = field(f, name).trim().to_string();
        if t.chars().count() > max {
            return Err(format!("{name}: at most {max} characters"));
        }
        Ok(t)
    };
    let title = text("title", 200)?;
    if title.is_empty() {
        return Err("title: a giveaway needs a title".into());
    }
    let sponsor_name = text("sponsor_name", 120)?;
    if sponsor_name.is_empty() {
        return Err("sponsor_name: a sponsored giveaway names its sponsor".into());
    }
    let sponsor_url = text("sponsor_url", 500)?;
    if !sponsor_url.is_empty()
        && url::Url::parse(&sponsor_url)
            .map(|u| !matches!(u.scheme(), "http" | "https"))
            .unwrap_or(true)
    {
        return Err(format!(
            "sponsor_url: \"{sponsor_url}\" is not an http(s) address"
        ));
    }
    let winners: u32 = field(f, "winners")
        .trim()
        .parse()
        .ok()
        .filter(|w| (1..=1000).contains(w))
        .ok_or_else(|| {
            format!(
                "winners: \"{}\" is not a number from 1 to 1000",
                field(f, "winners")
            )
        })?;
    let claim_days: u32 = match field(f, "claim_days").trim() {
        "" => giveaway::DEFAULT_CLAIM_DAYS as u32,
        d => d
            .parse()
            .ok()
            .filter(|d| (1..=90).contains(d))
            .ok_or_else(|| format!("claim_days: \"{d}\" is not a number of days from 1 to 90"))?,
    };
    let tz = v.site.tz();
    let opens_at = local_time::parse("opens", field(f, "opens"), tz)?
        .ok_or("opens: when does the giveaway open?")?;
    let closes_at = local_time::parse("closes", field(f, "closes"), tz)?
        .ok_or("closes: when does the giveaway close?")?;
    if closes_at <= opens_at {
        return Err("closes: the giveaway must close after it opens".into());
    }
    let network = v.state.network.get();
    let sites = list_of(field(f, "sites"));
    if let Some(bad) = sites
        .iter()
        .find(|k| !network.sites.iter().any(|s| &s.key == *k))
    {
        return Err(format!("sites: there is no site \"{bad}\""));
    }
    Ok(GiveawayFields {
        slug,
        title,
        text: text("text", 500)?,
        sponsor_name,
        sponsor_url,
        sponsor_logo: String::new(),
        prizes: text("prizes", 500)?,
        winners,
        opens_at,
        closes_at,
        audience: Audience {
            sites,
            sections: list_of(field(f, "sections")),
            members_only: true,
            share: 100,
        },
        declaration: text("declaration", 300)?,
        rules: text("rules", 20_000)?,
        claim_days,
    })
}

fn form_values(v: &Visit, g: Option<&Giveaway>, typed: Option<&Fields>) -> minijinja::Value {
    if let Some(f) = typed {
        return minijinja::Value::from_serialize(f);
    }
    let tz = v.site.tz();
    match g {
        None => context! { winners => "1", claim_days => "7" },
        Some(g) => {
            let f = &g.fields;
            context! {
                slug => f.slug.clone(), title => f.title.clone(), text => f.text.clone(),
                sponsor_name => f.sponsor_name.clone(), sponsor_url => f.sponsor_url.clone(),
                prizes => f.prizes.clone(), winners => f.winners.to_string(),
                opens => local_time::field_value(Some(f.opens_at), tz), closes => local_time::field_value(Some(f.closes_at), tz),
                sites => f.audience.sites.join(", "), sections => f.audience.sections.join(", "),
                declaration => f.declaration.clone(), rules => f.rules.clone(), claim_days => f.claim_days.to_string(),
            }
        }
    }
}

async fn list_page(
    v: &Visit,
    viewer: &Viewer,
    error: Option<String>,
    typed: Option<&Fields>,
) -> AppResult<Response> {
    let now = Utc::now();
    let list: Vec<_> = v.state.store.giveaways(true).await?.into_iter().map(|g| context! {
        id => g.id, slug => g.fields.slug.clone(), title => g.fields.title.clone(), sponsor => g.fields.sponsor_name.clone(),
        phase => format!("{:?}", super::giveaway::phase(&g, now)).to_lowercase(), entries => g.entries,
    }).collect();
    let domains = v
        .state
        .store
        .setting(DISPOSABLE_SETTING)
        .await?
        .unwrap_or_default();
    let mut resp = render(
        v,
        viewer,
        "desk/giveaways.html",
        "Giveaways",
        "/desk/giveaways",
        context! {
            giveaways => list, error, form => form_values(v, None, typed), domains,
            csrf => viewer.csrf.clone(), tz => v.site.time_zone.clone(),
        },
    )?;
    if error.is_some() {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

/// `GET /desk/giveaways`.
pub async fn list(Editor(v, viewer): Editor) -> AppResult<Response> {
    list_page(&v, &viewer, None, None).await
}

/// `POST /desk/giveaways`: `action` create (the form) or domains (the
/// refused email domains, one a line).
pub async fn create(Editor(v, viewer): Editor, body: axum::body::Bytes) -> AppResult<Response> {
    let (_, f) = parse_form(&body);
    v.check_csrf(&f)?;
    let now = Utc::now();
    if field(&f, "action") == "domains" {
        let text = field(&f, "domains");
        let list = match giveaway::parse_domain_list(text) {
            Ok(l) => l,
            Err(e) => return list_page(&v, &viewer, Some(format!("domains, {e}")), None).await,
        };
        v.state
            .store
            .set_setting(DISPOSABLE_SETTING, &(list.join("\n") + "\n"))
            .await?;
        v.state
            .store
            .audit(
                Some(&viewer.member),
                "giveaway.domains",
                "network",
                &format!("{} refused domains", list.len()),
                now,
            )
            .await?;
        return Ok(see_other("/desk/giveaways", Vec::new()));
    }
    let fields = match read_form(&v, &f) {
        Ok(g) => g,
        Err(e) => return list_page(&v, &viewer, Some(e), Some(&f)).await,
    };
    let seed = draw::new_seed(rand::random());
    let g = match v
        .state
        .store
        .create_giveaway(&fields, &seed, &draw::commitment(&seed), now)
        .await
    {
        Ok(g) => g,
        Err(StoreError::Conflict(_)) => {
            let e = format!("slug: \"{}\" is taken by another giveaway", fields.slug);
            return list_page(&v, &viewer, Some(e), Some(&f)).await;
        }
        Err(e) => return Err(e.into()),
    };
    v.state
        .store
        .audit(
            Some(&viewer.member),
            "giveaway.create",
            &format!("giveaway:{}", g.id),
            &g.fields.title,
            now,
        )
        .await?;
    Ok(see_other(&format!("/desk/giveaways/{}", g.id), Vec::new()))
}

async fn giveaway_page(
    v: &Visit,
    viewer: &Viewer,
    g: &Giveaway,
    error: Option<String>,
    typed: Option<&Fields>,
) -> AppResult<Response> {
    let now = Utc::now();
    let tz = v.site.tz();
    let mut entries = Vec::new();
    for e in v.state.store.entries(g.id, DESK_ENTRIES).await? {
        let member = match e.member_id {
            Some(m) => v.state.store.member_by_id(m).await?,
            None => None,
        };
        entries.push(context! {
            id => e.id, ticket => e.ticket.clone(), flagged => e.flagged.clone(), disqualified => e.disqualified.clone(),
            member => member.as_ref().map(|m| m.display_name.clone()).unwrap_or_else(|| "former member".into()),
            email => member.as_ref().map(|m| m.email.clone()).unwrap_or_default(),
            at => crate::view::time_view(e.created_at, tz).human,
            claimed => e.claimed_at.is_some(), offered => e.offered_at.is_some(), lapsed => e.lapsed_at.is_some(),
        });
    }
    let phase = super::giveaway::phase(g, now);
    let mut resp = render(
        v,
        viewer,
        "desk/giveaway.html",
        &g.fields.title,
        "/desk/giveaways",
        context! {
            g => context! { id => g.id, slug => g.fields.slug.clone(), title => g.fields.title.clone(), published => g.published,
                sponsor_name => g.fields.sponsor_name.clone(), sponsor_logo => g.fields.sponsor_logo.clone(),
                entries => g.entries, commitment => g.commitment.clone(), drawn => g.draw.is_some() },
            phase => format!("{phase:?}").to_lowercase(),
            can_draw => phase == giveaway::Phase::Closed,
            entries, error, form => form_values(v, Some(g), typed), csrf => viewer.csrf.clone(), tz => v.site.time_zone.clone(),
            refused => disposable(&v.state).await?.len(),
        },
    )?;
    if error.is_some() {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

/// `GET /desk/giveaways/{id}`.
pub async fn page(Editor(v, viewer): Editor, Path(id): Path<i64>) -> AppResult<Response> {
    let g = load(&v, id).await?;
    giveaway_page(&v, &viewer, &g, None, None).await
}

/// `POST /desk/giveaways/{id}`: `action` save, publish, unpublish, draw,
/// disqualify or reinstate (`entry`, with a `reason`).
pub async fn act(
    Editor(v, viewer): Editor,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let (_, f) = parse_form(&body);
    v.check_csrf(&f)?;
    let g = load(&v, id).await?;
    let now = Utc::now();
    let action = field(&f, "action");
    let (what, reason) = match action {
        "save" => {
            let fields = match read_form(&v, &f) {
                Ok(x) => x,
                Err(e) => return giveaway_page(&v, &viewer, &g, Some(e), Some(&f)).await,
            };
            let fields = GiveawayFields {
                sponsor_logo: g.fields.sponsor_logo.clone(),
                ..fields
            };
            match v.state.store.update_giveaway(id, &fields, now).await {
                Ok(_) => {}
                Err(StoreError::Conflict(m)) => {
                    return giveaway_page(&v, &viewer, &g, Some(m), Some(&f)).await
                }
                Err(e) => return Err(e.into()),
            }
            ("giveaway.edit", fields.title)
        }
        "publish" | "unpublish" => {
            v.state
                .store
                .set_giveaway_published(id, action == "publish", now)
                .await?;
            (
                if action == "publish" {
                    "giveaway.publish"
                } else {
                    "giveaway.unpublish"
                },
                g.fields.title.clone(),
            )
        }
        "draw" => match super::draw::perform(&*v.state.store, &g, now).await {
            Ok(r) => ("giveaway.draw", format!("{} tickets", r.tickets)),
            Err(e) => {
                return giveaway_page(
                    &v,
                    &viewer,
                    &g,
                    Some(format!("The draw cannot be made: {e}.")),
                    None,
                )
                .await
            }
        },
        "disqualify" | "reinstate" => {
            let entry: i64 = field(&f, "entry")
                .parse()
                .map_err(|_| AppError::bad_request("entry: the form names no entry."))?;
            let reason = field(&f, "reason").trim().to_string();
            if action == "disqualify" && reason.is_empty() {
                return giveaway_page(
                    &v,
                    &viewer,
                    &g,
                    Some("reason: say why the entry is disqualified (it is logged)".into()),
                    None,
                )
                .await;
            }
            let stored = if action == "disqualify" {
                reason.as_str()
            } else {
                ""
            };
            if !v.state.store.disqualify_entry(id, entry, stored).await? {
                return Err(AppError::NotFound);
            }
            (
                if action == "disqualify" {
                    "giveaway.disqualify"
                } else {
                    "giveaway.reinstate"
                },
                format!("entry {entry}: {reason}"),
            )
        }
        other => {
            return Err(AppError::bad_request(format!(
            "action: \"{other}\" is not save, publish, unpublish, draw, disqualify or reinstate."
        )))
        }
    };
    done(&v, &viewer, id, what, &reason).await
}

/// `POST /desk/giveaways/{id}/logo` (a multipart form): `action` upload
/// (the `logo` file: JPEG, PNG or WebP, at most 2 MiB) or remove. The logo
/// is stored like a photograph, by content hash, and shown small in the
/// sponsored block.
pub async fn logo(
    Editor(v, viewer): Editor,
    Path(id): Path<i64>,
    form: axum::extract::Multipart,
) -> AppResult<Response> {
    let up = crate::http::upload::read(form, "logo").await?;
    v.check_csrf(&up.fields)?;
    let g = load(&v, id).await?;
    let now = Utc::now();
    let (path, what) = match (field(&up.fields, "action"), up.file) {
        ("remove", _) => (String::new(), "removed".to_string()),
        ("upload", None) => {
            let e = "logo: choose an image file to upload".to_string();
            return giveaway_page(&v, &viewer, &g, Some(e), None).await;
        }
        ("upload", Some(bytes)) => {
            let media = kawaraban_content::MediaDir::new(&v.state.config.media_dir);
            let stored = tokio::task::spawn_blocking(move || media.store_logo(&bytes))
                .await
                .map_err(|e| AppError::internal(format!("logo: {e}")))?;
            match stored {
                Ok(path) => (path.clone(), path),
                Err(e) => {
                    let e = format!("logo: {e}");
                    return giveaway_page(&v, &viewer, &g, Some(e), None).await;
                }
            }
        }
        (other, _) => {
            return Err(AppError::bad_request(format!(
                "action: \"{other}\" is not upload or remove."
            )))
        }
    };
    let fields = GiveawayFields {
        sponsor_logo: path,
        ..g.fields.clone()
    };
    match v.state.store.update_giveaway(id, &fields, now).await {
        Ok(_) => {}
        Err(StoreError::Conflict(m)) => return giveaway_page(&v, &viewer, &g, Some(m), None).await,
        Err(e) => return Err(e.into()),
    }
    done(&v, &viewer, id, "giveaway.logo", &what).await
}

async fn load(v: &Visit, id: i64) -> AppResult<Giveaway> {
    v.state.store.giveaway(id).await?.ok_or(AppError::NotFound)
}

/// After a change: the audit line, the pages told, back to the giveaway.
async fn done(
    v: &Visit,
    viewer: &Viewer,
    id: i64,
    what: &str,
    reason: &str,
) -> AppResult<Response> {
    v.state
        .store
        .audit(
            Some(&viewer.member),
            what,
            &format!("giveaway:{id}"),
            reason,
            Utc::now(),
        )
        .await?;
    super::changed(&v.state).await?;
    Ok(see_other(&format!("/desk/giveaways/{id}"), Vec::new()))
}
