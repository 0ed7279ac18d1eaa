//! Drawing a giveaway at its close (or when staff ask), and passing its
//! prizes down the published order: winners offered their prize by
//! email with a claim deadline, an offer that lapses or a winner
//! disqualified handing the prize to the next alternate, with no operator
//! choice anywhere (`kawaraban_core::giveaway::next_steps`).
//!
//! The draw is a pure function of what is published (`core::giveaway::draw`);
//! with a beacon configured it waits for the first round after the close,
//! and refuses a round whose BLS signature does not hold.

use chrono::{DateTime, Utc};
use kawaraban_core::giveaway::beacon::{BeaconSetting, Round};
use kawaraban_core::giveaway::{self, draw, next_steps, Phase, Standing, Step};
use kawaraban_core::model::{DrawRecord, Entry, Giveaway};
use kawaraban_core::store::Store;
use minijinja::context;

use crate::state::AppState;

/// After this many days a draw's prizes are no longer passed on (a week
/// to claim for each of a dozen places is three months).
const SETTLED_DAYS: i64 = 180;

/// The setting holding the network's beacon (JSON of `BeaconSetting`).
pub const BEACON_SETTING: &str = "randomness_beacon";

/// Why a draw cannot be made now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DrawError {
    #[error("the giveaway is still open until {0}")]
    StillOpen(DateTime<Utc>),
    #[error("the giveaway was drawn already")]
    Drawn,
    #[error("waiting for beacon round {round}, published at {at}")]
    Waiting { round: u64, at: DateTime<Utc> },
    #[error("the beacon: {0}")]
    Beacon(String),
    #[error("{0}")]
    Store(String),
}

impl From<kawaraban_core::StoreError> for DrawError {
    fn from(e: kawaraban_core::StoreError) -> Self {
        DrawError::Store(e.to_string())
    }
}

/// The network's beacon, if one is configured.
pub async fn beacon(store: &dyn Store) -> Result<Option<BeaconSetting>, DrawError> {
    match store.setting(BEACON_SETTING).await? {
        None => Ok(None),
        Some(t) if t.trim().is_empty() => Ok(None),
        Some(t) => serde_json::from_str(&t).map(Some).map_err(|e| {
            DrawError::Beacon(format!("the stored beacon setting does not read: {e}"))
        }),
    }
}

/// Fetches a round from the beacon and checks it is the one for `close`.
pub async fn fetch_round(b: &BeaconSetting, close: DateTime<Utc>) -> Result<Round, DrawError> {
    let wanted = b.chain.first_round_after(close);
    let url = b.round_url(wanted);
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| DrawError::Beacon(e.to_string()))?;
    let resp = client
        .get(&url)
        .send()
        .await
        .map_err(|e| DrawError::Beacon(format!("cannot fetch {url}: {e}")))?;
    if !resp.status().is_success() {
        return Err(DrawError::Beacon(format!(
            "{url} answered {}",
            resp.status()
        )));
    }
    let body = resp
        .text()
        .await
        .map_err(|e| DrawError::Beacon(format!("cannot read {url}: {e}")))?;
    let round: Round = serde_json::from_str(&body)
        .map_err(|e| DrawError::Beacon(format!("{url} is not a drand round: {e}")))?;
    b.chain
        .verify_for_close(&round, close)
        .map_err(|e| DrawError::Beacon(e.to_string()))?;
    Ok(round)
}

/// Makes the draw of `g` at `now` and records it (once, whoever is first:
/// any other app server would compute the very same record).
pub async fn perform(
    store: &dyn Store,
    g: &Giveaway,
    now: DateTime<Utc>,
) -> Result<DrawRecord, DrawError> {
    if g.draw.is_some() {
        return Err(DrawError::Drawn);
    }
    let close = g.fields.closes_at;
    if now < close {
        return Err(DrawError::StillOpen(close));
    }
    let (chain, round) = match beacon(store).await? {
        None => (None, None),
        Some(b) => {
            let wanted = b.chain.first_round_after(close);
            let at = b.chain.round_time(wanted);
            if now < at {
                return Err(DrawError::Waiting { round: wanted, at });
            }
            (
                Some(b.chain.hash.clone()),
                Some(fetch_round(&b, close).await?),
            )
        }
    };
    let tickets = store.valid_tickets(g.id).await?;
    let ticket_list = draw::ticket_list(&tickets);
    let list_hash = draw::sha256_hex(ticket_list.as_bytes());
    let ids = draw::parse_ticket_list(&ticket_list).map_err(|e| DrawError::Store(e.to_string()))?;
    let material = draw::seed_material(
        &g.seed,
        &list_hash,
        round.as_ref().map(|r| r.randomness.as_str()),
    );
    let winners = g.fields.winners as usize;
    let order = draw::ranked(&material, &ids, winners + draw::alternates_for(winners))
        .into_iter()
        .map(str::to_string)
        .collect();
    let record = DrawRecord {
        tickets: ids.len() as u64,
        list_hash,
        chain,
        round,
        order,
        drawn_at: now,
    };
    if !store.record_draw(g.id, &record, &ticket_list).await? {
        return Err(DrawError::Drawn);
    }
    Ok(record)
}

/// Each place of the published order as it stands now.
pub fn standings(order: &[String], entries: &[Entry]) -> Vec<(Option<Entry>, Standing)> {
    order
        .iter()
        .map(|t| {
            let e = entries.iter().find(|e| &e.ticket == t).cloned();
            let s = match &e {
                None => Standing::Disqualified,
                Some(e) if !e.disqualified.is_empty() || e.member_id.is_none() => {
                    Standing::Disqualified
                }
                Some(e) if e.claimed_at.is_some() => Standing::Claimed,
                Some(e) if e.lapsed_at.is_some() => Standing::Disqualified,
                Some(e) => match e.claim_deadline {
                    Some(deadline) => Standing::Offered { deadline },
                    None => Standing::Waiting,
                },
            };
            (e, s)
        })
        .collect()
}

/// Offers and lapses what the order says is due, emailing each new offer.
async fn pass_prizes(
    state: &AppState,
    g: &Giveaway,
    record: &DrawRecord,
    now: DateTime<Utc>,
) -> Result<(), DrawError> {
    let entries = state.store.entries_for(g.id, &record.order).await?;
    let places = standings(&record.order, &entries);
    let standing: Vec<Standing> = places.iter().map(|p| p.1).collect();
    // A lapsed offer changes who is next: walk again after marking it.
    for step in next_steps(g.fields.winners as usize, &standing, now) {
        match step {
            Step::Lapsed(i) => {
                if let Some(e) = &places[i].0 {
                    state.store.lapse_prize(e.id, now).await?;
                }
            }
            Step::Offer(i) => {
                let Some(e) = &places[i].0 else { continue };
                let deadline = giveaway::claim_deadline(now, i64::from(g.fields.claim_days));
                if state.store.offer_prize(e.id, now, deadline).await? {
                    if let Err(err) = winner_email(state, g, e, deadline).await {
                        tracing::warn!(error = %err, giveaway = g.id, "cannot email a winner");
                    }
                }
            }
        }
    }
    Ok(())
}

async fn winner_email(
    state: &AppState,
    g: &Giveaway,
    e: &Entry,
    deadline: DateTime<Utc>,
) -> crate::error::AppResult<()> {
    let Some(member_id) = e.member_id else {
        return Ok(());
    };
    let Some(m) = state.store.member_by_id(member_id).await? else {
        return Ok(());
    };
    let network = state.network.get();
    let Some(site) = network.sites.iter().find(|s| s.id == e.site_id).cloned() else {
        return Ok(());
    };
    let link = site.absolute(&format!("/giveaways/{}", g.fields.slug));
    crate::members::mail::send(state, &site, "giveaway_winner", &m.email, &m.display_name, context! {
        title => g.fields.title.clone(), prizes => g.fields.prizes.clone(), ticket => e.ticket.clone(),
        deadline => crate::view::time_view(deadline, site.tz()).human, link,
    })
    .await
}

/// What the background loop does every few seconds: draw the giveaways
/// that closed, and pass on the prizes of drawn ones.
pub async fn run_due(state: &AppState, now: DateTime<Utc>) {
    let list = match state.store.giveaways(false).await {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the giveaways");
            return;
        }
    };
    for g in list.iter().filter(|g| g.published) {
        let record = match (&g.draw, super::giveaway::phase(g, now)) {
            // Long settled: every offer made then has lapsed or been claimed.
            (Some(r), _) if now - r.drawn_at > chrono::Duration::days(SETTLED_DAYS) => continue,
            (Some(r), _) => r.clone(),
            (None, Phase::Closed) => match perform(&*state.store, g, now).await {
                Ok(r) => {
                    tracing::info!(giveaway = g.id, tickets = r.tickets, "giveaway drawn");
                    let _ = super::changed(state).await;
                    r
                }
                Err(DrawError::Waiting { .. }) | Err(DrawError::Drawn) => continue,
                Err(e) => {
                    tracing::warn!(giveaway = g.id, error = %e, "cannot draw the giveaway yet");
                    continue;
                }
            },
            _ => continue,
        };
        if let Err(e) = pass_prizes(state, g, &record, now).await {
            tracing::warn!(giveaway = g.id, error = %e, "cannot pass on the prizes");
        }
    }
}
