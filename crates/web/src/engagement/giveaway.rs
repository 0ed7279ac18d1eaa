//! `/giveaways/{slug}`: the sponsored giveaway's own page (the block, the
//! entry, the draw's public record), joining it, claiming a prize, the
//! official rules, and the files anyone verifies the draw from
//! (`tickets.txt`, `draw.json`).

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use kawaraban_core::giveaway::published::{PublicBeacon, PublicDraw};
use kawaraban_core::giveaway::{self, beacon, draw, EntryCheck, Phase, Standing};
use kawaraban_core::model::{EntryOutcome, Giveaway, NewEntry};
use minijinja::context;
use serde::Serialize;

use crate::error::{AppError, AppResult};
use crate::members::{field, limits, mail, parse_form, see_other, to_login, Screen, Visit};
use crate::state::AppState;

/// The setting listing the email domains giveaways refuse.
pub const DISPOSABLE_SETTING: &str = "disposable_domains";

/// Where a giveaway is at `now`.
pub fn phase(g: &Giveaway, now: DateTime<Utc>) -> Phase {
    giveaway::phase(
        g.published,
        g.fields.opens_at,
        g.fields.closes_at,
        g.draw.is_some(),
        now,
    )
}

/// A published giveaway, or 404.
async fn find(state: &AppState, slug: &str) -> AppResult<Giveaway> {
    state
        .store
        .giveaway_by_slug(slug)
        .await?
        .filter(|g| g.published)
        .ok_or(AppError::NotFound)
}

/// The refused domains (the network's list).
pub async fn disposable(state: &AppState) -> AppResult<Vec<String>> {
    let text = state
        .store
        .setting(DISPOSABLE_SETTING)
        .await?
        .unwrap_or_default();
    Ok(giveaway::parse_domain_list(&text).unwrap_or_default())
}

/// The official rules: the editor's, or written from the fields.
pub fn rules_text(g: &Giveaway, tz: chrono_tz::Tz) -> String {
    if !g.fields.rules.trim().is_empty() {
        return g.fields.rules.clone();
    }
    let f = &g.fields;
    let t = |d| crate::view::time_view(d, tz).human;
    let winners = if f.winners == 1 {
        "one winner".to_string()
    } else {
        format!("{} winners", f.winners)
    };
    let declaration = if f.declaration.trim().is_empty() {
        String::new()
    } else {
        format!(" Entrants declare: \"{}\"", f.declaration.trim())
    };
    format!(
        "## Official rules: {title}\n\n\
         **Sponsor.** {sponsor}.\n\n\
         **Prize.** {prizes}. There will be {winners}.\n\n\
         **Entry period.** From {opens} to {closes}. Entries outside it are not accepted.\n\n\
         **Who may enter.** Registered members with a confirmed email address, once each.{declaration} \
         Addresses at disposable email services are refused. Staff may disqualify entries that break these rules \
         (several accounts of one person, automated entries); every such decision is logged.\n\n\
         **The draw.** Winners are drawn at the close by the method published on the giveaway's page, \
         which anyone can check: a commitment to a secret seed published at the opening, the list of valid tickets \
         published at the close, and, where the network uses one, public randomness that did not exist while entries were open.\n\n\
         **Claiming.** Winners are emailed and have {days} days to claim. A prize not claimed in time, or of a \
         disqualified winner, passes to the next alternate in the published order.\n\n\
         **Privacy.** The public list shows ticket ids only; a winner's display name is shown only if they agreed.",
        title = f.title,
        sponsor = if f.sponsor_url.is_empty() {
            f.sponsor_name.clone()
        } else {
            format!("{} ({})", f.sponsor_name, f.sponsor_url)
        },
        prizes = f.prizes,
        opens = t(f.opens_at),
        closes = t(f.closes_at),
        days = f.claim_days,
    )
}

#[derive(Serialize)]
struct Place {
    position: usize,
    ticket: String,
    winner: bool,
    state: &'static str,
    name: Option<String>,
}

/// The page, with what this reader may do.
async fn render_page(
    v: &Visit,
    g: &Giveaway,
    notice: Option<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let now = Utc::now();
    let tz = v.site.tz();
    let phase = phase(g, now);
    let entry = match &v.viewer {
        Some(m) => v.state.store.entry_of(g.id, m.member.id).await?,
        None => None,
    };
    let mut places = Vec::new();
    if let Some(r) = &g.draw {
        let entries = v.state.store.entries_for(g.id, &r.order).await?;
        for (i, (e, s)) in super::draw::standings(&r.order, &entries)
            .into_iter()
            .enumerate()
        {
            let name = match &e {
                Some(e) if e.show_name && i < g.fields.winners as usize => match e.member_id {
                    Some(m) => v.state.store.member_by_id(m).await?.map(|m| m.display_name),
                    None => None,
                },
                _ => None,
            };
            let state = match s {
                Standing::Claimed => "claimed",
                Standing::Offered { .. } => "offered",
                Standing::Waiting => "waiting",
                Standing::Disqualified => match &e {
                    Some(e) if e.lapsed_at.is_some() => "lapsed",
                    _ => "disqualified",
                },
            };
            places.push(Place {
                position: i + 1,
                ticket: r.order[i].clone(),
                winner: i < g.fields.winners as usize,
                state,
                name,
            });
        }
    }
    let offer_live = entry.as_ref().is_some_and(|e| {
        e.claimed_at.is_none() && e.lapsed_at.is_none() && e.claim_deadline.is_some_and(|d| d > now)
    });
    let html =
        Screen::new(&v.state, &v.site, "giveaways/page.html", &g.fields.title).status(status);
    html.render(context! {
        g => &g.fields,
        block => minijinja::Value::from_safe_string(v.state.theme.render(
            "fragments/giveaway_block.html",
            context! { g => &g.fields, closes => crate::view::time_view(g.fields.closes_at, tz).human, own_page => true },
        )?),
        phase => format!("{phase:?}").to_lowercase(),
        opens => crate::view::time_view(g.fields.opens_at, tz).human,
        closes => crate::view::time_view(g.fields.closes_at, tz).human,
        entries => g.entries,
        commitment => g.commitment.clone(),
        method => draw::METHOD,
        draw => g.draw.as_ref().map(|r| context! {
            seed => g.seed.clone(), list_hash => r.list_hash.clone(), tickets => r.tickets,
            chain => r.chain.clone(), round => r.round.clone(),
            drawn => crate::view::time_view(r.drawn_at, tz).human,
        }),
        places,
        signed_in => v.viewer.is_some(),
        verified => v.viewer.as_ref().is_some_and(|m| m.member.is_verified()),
        entry => entry.as_ref().map(|e| context! { ticket => e.ticket.clone(), disqualified => e.disqualified.clone() }),
        offer_live,
        claimed => entry.as_ref().is_some_and(|e| e.claimed_at.is_some()),
        deadline => entry.as_ref().and_then(|e| e.claim_deadline).map(|d| crate::view::time_view(d, tz).human),
        csrf => v.viewer.as_ref().map(|m| m.csrf.clone()),
        next => format!("/giveaways/{}", g.fields.slug),
        notice,
    })
}

/// `GET /giveaways/{slug}`.
pub async fn page(v: Visit, Path(slug): Path<String>) -> AppResult<Response> {
    let g = find(&v.state, &slug).await?;
    render_page(&v, &g, None, StatusCode::OK).await
}

/// `POST /giveaways/{slug}/enter`: a member joins with one press.
pub async fn enter(
    v: Visit,
    Path(slug): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let here = format!("/giveaways/{slug}");
    let Some(viewer) = v.viewer.clone() else {
        return Ok(to_login(&here));
    };
    let (_, f) = parse_form(&body);
    v.check_csrf(&f)?;
    let g = find(&v.state, &slug).await?;
    let now = Utc::now();
    let tz = v.site.tz();
    let refused_domains = disposable(&v.state).await?;
    let opens = crate::view::time_view(g.fields.opens_at, tz).human;
    let closes = crate::view::time_view(g.fields.closes_at, tz).human;
    // A member who is in already hears so, whatever else holds.
    if v.state
        .store
        .entry_of(g.id, viewer.member.id)
        .await?
        .is_some()
    {
        return render_page(
            &v,
            &g,
            Some("You're in already: one entry per member.".into()),
            StatusCode::OK,
        )
        .await;
    }
    let check = EntryCheck {
        phase: phase(&g, now),
        opens_label: &opens,
        closes_label: &closes,
        email: &viewer.member.email,
        email_confirmed: viewer.member.is_verified(),
        disposable: &refused_domains,
        needs_declaration: !g.fields.declaration.trim().is_empty(),
        declared: field(&f, "declare") == "on",
    };
    if let Err(refusal) = giveaway::check_entry(&check) {
        return render_page(
            &v,
            &g,
            Some(refusal.to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    limits::hit(&v.state, limits::GIVEAWAY_IP, &v.ip).await?;
    let ticket = giveaway::ticket_id(rand::random());
    let outcome = v
        .state
        .store
        .enter_giveaway(&NewEntry {
            giveaway_id: g.id,
            member_id: viewer.member.id,
            site_id: v.site.id,
            ticket,
            address_hash: v.state.signer.sign("giveaway-address", &v.ip)[..22].to_string(),
            show_name: field(&f, "show_name") == "on",
            at: now,
        })
        .await?;
    if let EntryOutcome::Entered(e) = &outcome {
        if !e.flagged.is_empty() {
            tracing::info!(giveaway = g.id, why = e.flagged, "giveaway entry flagged");
        }
        mail::send(&v.state, &v.site, "giveaway_receipt", &viewer.member.email, &viewer.member.display_name, context! {
            title => g.fields.title.clone(), sponsor => g.fields.sponsor_name.clone(), ticket => e.ticket.clone(),
            closes, link => v.site.absolute(&here),
        })
        .await?;
    }
    Ok(see_other(&here, Vec::new()))
}

/// `POST /giveaways/{slug}/claim`: a winner takes their prize before the deadline.
pub async fn claim(
    v: Visit,
    Path(slug): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let here = format!("/giveaways/{slug}");
    let Some(viewer) = v.viewer.clone() else {
        return Ok(to_login(&here));
    };
    let (_, f) = parse_form(&body);
    v.check_csrf(&f)?;
    let g = find(&v.state, &slug).await?;
    let entry = v.state.store.entry_of(g.id, viewer.member.id).await?;
    let claimed = match &entry {
        Some(e) => v.state.store.claim_prize(e.id, Utc::now()).await?,
        None => false,
    };
    if !claimed {
        return render_page(&v, &g, Some("There is no prize waiting for you to claim: the offer may have passed its deadline.".into()), StatusCode::CONFLICT).await;
    }
    v.state
        .store
        .audit(
            Some(&viewer.member),
            "giveaway.claim",
            &format!("giveaway:{}", g.id),
            &entry.map(|e| e.ticket).unwrap_or_default(),
            Utc::now(),
        )
        .await?;
    Ok(see_other(&here, Vec::new()))
}

/// `GET /giveaways/{slug}/rules`.
pub async fn rules(v: Visit, Path(slug): Path<String>) -> AppResult<Response> {
    let g = find(&v.state, &slug).await?;
    let html = kawaraban_core::markdown::render_body(&rules_text(&g, v.site.tz()));
    Screen::new(
        &v.state,
        &v.site,
        "giveaways/rules.html",
        &format!("Official rules: {}", g.fields.title),
    )
    .render(context! {
        g => &g.fields, rules => minijinja::Value::from_safe_string(html),
    })
}

fn text(body: String, content_type: &'static str) -> Response {
    let mut resp = body.into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    resp.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    resp
}

/// `GET /giveaways/{slug}/tickets.txt`: the valid tickets, once drawn.
pub async fn tickets(v: Visit, Path(slug): Path<String>) -> AppResult<Response> {
    let g = find(&v.state, &slug).await?;
    let list = match g.draw {
        Some(_) => v.state.store.ticket_list(g.id).await?,
        None => None,
    };
    Ok(text(
        list.ok_or(AppError::NotFound)?,
        "text/plain; charset=utf-8",
    ))
}

/// `GET /giveaways/{slug}/draw.json`: everything the draw is checked from.
pub async fn draw_json(v: Visit, Path(slug): Path<String>) -> AppResult<Response> {
    let g = find(&v.state, &slug).await?;
    let chain = match g.draw.as_ref().and_then(|r| r.chain.as_deref()) {
        Some(hash) => super::draw::beacon(&*v.state.store)
            .await
            .ok()
            .flatten()
            .map(|b| b.chain)
            .filter(|c| c.hash == hash)
            .or_else(|| beacon::known_chain(hash)),
        None => None,
    };
    let drawn = g.draw.is_some();
    let body = PublicDraw {
        method: draw::METHOD.into(),
        giveaway: g.fields.slug.clone(),
        title: g.fields.title.clone(),
        closes_at: g.fields.closes_at,
        winners: g.fields.winners,
        commitment: g.commitment.clone(),
        seed: drawn.then(|| g.seed.clone()),
        tickets_url: format!("/giveaways/{}/tickets.txt", g.fields.slug),
        list_hash: g.draw.as_ref().map(|r| r.list_hash.clone()),
        beacon: g
            .draw
            .as_ref()
            .and_then(|r| r.round.as_ref())
            .map(|round| PublicBeacon {
                chain: chain.as_ref().map(|c| c.hash.clone()),
                scheme: chain.as_ref().map(|c| c.scheme),
                public_key: chain.as_ref().map(|c| c.public_key.clone()),
                genesis_time: chain.as_ref().map(|c| c.genesis_time),
                period: chain.as_ref().map(|c| c.period_seconds),
                round: round.round,
                randomness: round.randomness.clone(),
                signature: round.signature.clone(),
                previous_signature: round.previous_signature.clone(),
            }),
        order: g.draw.as_ref().map(|r| r.order.clone()).unwrap_or_default(),
    };
    Ok(text(
        serde_json::to_string_pretty(&body).unwrap_or_default(),
        "application/json",
    ))
}
