//! Giveaways, their entries and the draw: one SQL text for both backends.

use chrono::{DateTime, Utc};
use kawaraban_core::model::{Entry, Giveaway};
use kawaraban_core::StoreResult;

use crate::surveys::parse;

pub(crate) type GiveawayRow = (
    i64,
    bool,
    String,
    String,
    String,
    Option<String>,
    i64,
    DateTime<Utc>,
    DateTime<Utc>,
);

/// A giveaway's columns, its valid entries' count given as `$count`.
macro_rules! giveaway_select {
    ($count:literal) => {
        concat!(
            "SELECT g.id, g.published, g.fields, g.seed, g.commitment, g.draw, ",
            $count,
            ", g.created_at, g.updated_at FROM giveaways g"
        )
    };
}
pub(crate) const GIVEAWAY_SELECT: &str = giveaway_select!(
    "(SELECT COUNT(*) FROM giveaway_entries e WHERE e.giveaway_id = g.id AND e.disqualified = '')"
);
/// The same without the count (0).
pub(crate) const GIVEAWAY_SELECT_UNCOUNTED: &str = giveaway_select!("CAST(0 AS BIGINT)");

pub(crate) fn giveaway(r: GiveawayRow) -> StoreResult<Giveaway> {
    let (id, published, fields, seed, commitment, draw, entries, created_at, updated_at) = r;
    Ok(Giveaway {
        id,
        published,
        fields: parse("giveaway", &fields)?,
        commitment,
        seed,
        draw: draw.map(|d| parse("draw record", &d)).transpose()?,
        entries: entries.max(0) as u64,
        created_at,
        updated_at,
    })
}

pub(crate) type EntryRow = (
    i64,
    i64,
    Option<i64>,
    i64,
    String,
    bool,
    String,
    String,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    DateTime<Utc>,
);

pub(crate) const ENTRY_SELECT: &str =
    "SELECT id, giveaway_id, member_id, site_id, ticket, show_name, flagged, disqualified, \
    offered_at, claim_deadline, claimed_at, lapsed_at, created_at FROM giveaway_entries";

pub(crate) fn entry(r: EntryRow) -> Entry {
    let (
        id,
        giveaway_id,
        member_id,
        site_id,
        ticket,
        show_name,
        flagged,
        disqualified,
        offered_at,
        claim_deadline,
        claimed_at,
        lapsed_at,
        created_at,
    ) = r;
    Entry {
        id,
        giveaway_id,
        member_id,
        site_id,
        ticket,
        show_name,
        flagged,
        disqualified,
        offered_at,
        claim_deadline,
        claimed_at,
        lapsed_at,
        created_at,
    }
}

macro_rules! impl_giveaway_store {
    ($store:path) => {
        mod giveaway_impl {
            use async_trait::async_trait;
            use chrono::{DateTime, Utc};
            use kawaraban_core::model::*;
            use kawaraban_core::store::*;
            use kawaraban_core::{StoreError, StoreResult};

            use crate::error::map;
            use crate::giveaways::{
                entry, giveaway, EntryRow, GiveawayRow, ENTRY_SELECT, GIVEAWAY_SELECT, GIVEAWAY_SELECT_UNCOUNTED,
            };
            use crate::surveys::json;

            #[async_trait]
            impl GiveawayStore for $store {
                async fn create_giveaway(&self, g: &GiveawayFields, seed: &str, commitment: &str, now: DateTime<Utc>) -> StoreResult<Giveaway> {
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO giveaways (slug, fields, opens_at, closes_at, seed, commitment, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id")
                        .bind(&g.slug).bind(json(g)?).bind(g.opens_at).bind(g.closes_at)
                        .bind(seed).bind(commitment).bind(now)
                        .fetch_one(&self.pool).await.map_err(map)?;
                    self.giveaway(id).await?.ok_or(StoreError::NotFound)
                }

                async fn update_giveaway(&self, id: i64, g: &GiveawayFields, now: DateTime<Utc>) -> StoreResult<Giveaway> {
                    let done = sqlx::query(
                        "UPDATE giveaways SET slug = $2, fields = $3, opens_at = $4, closes_at = $5, updated_at = $6 \
                         WHERE id = $1 AND draw IS NULL")
                        .bind(id).bind(&g.slug).bind(json(g)?).bind(g.opens_at).bind(g.closes_at).bind(now)
                        .execute(&self.pool).await.map_err(map)?;
                    if done.rows_affected() == 0 {
                        return match self.giveaway(id).await? {
                            None => Err(StoreError::NotFound),
                            Some(_) => Err(StoreError::Conflict("the giveaway has been drawn; its terms are fixed".into())),
                        };
                    }
                    self.giveaway(id).await?.ok_or(StoreError::NotFound)
                }

                async fn set_giveaway_published(&self, id: i64, published: bool, now: DateTime<Utc>) -> StoreResult<()> {
                    let done = sqlx::query("UPDATE giveaways SET published = $2, updated_at = $3 WHERE id = $1")
                        .bind(id).bind(published).bind(now)
                        .execute(&self.pool).await.map_err(map)?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound);
                    }
                    Ok(())
                }

                async fn giveaway(&self, id: i64) -> StoreResult<Option<Giveaway>> {
                    let row: Option<GiveawayRow> = sqlx::query_as(&format!("{GIVEAWAY_SELECT} WHERE g.id = $1"))
                        .bind(id).fetch_optional(&self.pool).await.map_err(map)?;
                    row.map(giveaway).transpose()
                }

                async fn giveaway_by_slug(&self, slug: &str) -> StoreResult<Option<Giveaway>> {
                    let row: Option<GiveawayRow> = sqlx::query_as(&format!("{GIVEAWAY_SELECT} WHERE g.slug = $1"))
                        .bind(slug).fetch_optional(&self.pool).await.map_err(map)?;
                    row.map(giveaway).transpose()
                }

                async fn giveaways(&self, counted: bool) -> StoreResult<Vec<Giveaway>> {
                    let select = if counted { GIVEAWAY_SELECT } else { GIVEAWAY_SELECT_UNCOUNTED };
                    let rows: Vec<GiveawayRow> = sqlx::query_as(&format!("{select} ORDER BY g.id DESC"))
                        .fetch_all(&self.pool).await.map_err(map)?;
                    rows.into_iter().map(giveaway).collect()
                }

                async fn enter_giveaway(&self, e: &NewEntry) -> StoreResult<EntryOutcome> {
                    let (_turn, mut tx) = self.write().await.map_err(map)?;
                    let (same,): (i64,) = sqlx::query_as(
                        "SELECT COUNT(*) FROM giveaway_entries WHERE giveaway_id = $1 AND address_hash = $2")
                        .bind(e.giveaway_id).bind(&e.address_hash)
                        .fetch_one(&mut *tx).await.map_err(map)?;
                    let flagged = if same as u64 >= ENTRIES_PER_ADDRESS {
                        format!("{same} earlier entries from this address")
                    } else {
                        String::new()
                    };
                    let id: Option<(i64,)> = sqlx::query_as(
                        "INSERT INTO giveaway_entries (giveaway_id, member_id, site_id, ticket, address_hash, flagged, show_name, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (giveaway_id, member_id) DO NOTHING RETURNING id")
                        .bind(e.giveaway_id).bind(e.member_id).bind(e.site_id).bind(&e.ticket)
                        .bind(&e.address_hash).bind(&flagged).bind(e.show_name).bind(e.at)
                        .fetch_optional(&mut *tx).await.map_err(map)?;
                    tx.commit().await.map_err(map)?;
                    let found = self.entry_of(e.giveaway_id, e.member_id).await?.ok_or(StoreError::NotFound)?;
                    Ok(if id.is_some() { EntryOutcome::Entered(found) } else { EntryOutcome::Already(found) })
                }

                async fn entry_of(&self, giveaway_id: i64, member_id: i64) -> StoreResult<Option<Entry>> {
                    let row: Option<EntryRow> = sqlx::query_as(&format!("{ENTRY_SELECT} WHERE giveaway_id = $1 AND member_id = $2"))
                        .bind(giveaway_id).bind(member_id).fetch_optional(&self.pool).await.map_err(map)?;
                    Ok(row.map(entry))
                }

                async fn entry_by_ticket(&self, ticket: &str) -> StoreResult<Option<Entry>> {
                    let row: Option<EntryRow> = sqlx::query_as(&format!("{ENTRY_SELECT} WHERE ticket = $1"))
                        .bind(ticket).fetch_optional(&self.pool).await.map_err(map)?;
                    Ok(row.map(entry))
                }

                async fn entries(&self, giveaway_id: i64, limit: u32) -> StoreResult<Vec<Entry>> {
                    let rows: Vec<EntryRow> = sqlx::query_as(&format!("{ENTRY_SELECT} WHERE giveaway_id = $1 ORDER BY id LIMIT $2"))
                        .bind(giveaway_id).bind(i64::from(limit)).fetch_all(&self.pool).await.map_err(map)?;
                    Ok(rows.into_iter().map(entry).collect())
                }

                async fn entries_for(&self, giveaway_id: i64, tickets: &[String]) -> StoreResult<Vec<Entry>> {
                    // A published order is a few dozen places: one indexed look-up each.
                    let mut out = Vec::with_capacity(tickets.len());
                    for t in tickets {
                        if let Some(e) = self.entry_by_ticket(t).await?.filter(|e| e.giveaway_id == giveaway_id) {
                            out.push(e);
                        }
                    }
                    Ok(out)
                }

                async fn valid_tickets(&self, giveaway_id: i64) -> StoreResult<Vec<String>> {
                    let rows: Vec<(String,)> = sqlx::query_as(
                        "SELECT ticket FROM giveaway_entries WHERE giveaway_id = $1 AND disqualified = ''")
                        .bind(giveaway_id).fetch_all(&self.pool).await.map_err(map)?;
                    Ok(rows.into_iter().map(|(t,)| t).collect())
                }

                async fn disqualify_entry(&self, giveaway_id: i64, entry_id: i64, reason: &str) -> StoreResult<bool> {
                    let done = sqlx::query("UPDATE giveaway_entries SET disqualified = $3 WHERE giveaway_id = $1 AND id = $2")
                        .bind(giveaway_id).bind(entry_id).bind(reason)
                        .execute(&self.pool).await.map_err(map)?;
                    Ok(done.rows_affected() > 0)
                }

                async fn record_draw(&self, giveaway_id: i64, draw: &DrawRecord, ticket_list: &str) -> StoreResult<bool> {
                    let done = sqlx::query(
                        "UPDATE giveaways SET draw = $2, ticket_list = $4, updated_at = $3 WHERE id = $1 AND draw IS NULL")
                        .bind(giveaway_id).bind(json(draw)?).bind(draw.drawn_at).bind(ticket_list)
                        .execute(&self.pool).await.map_err(map)?;
                    Ok(done.rows_affected() > 0)
                }

                async fn ticket_list(&self, giveaway_id: i64) -> StoreResult<Option<String>> {
                    let row: Option<(Option<String>,)> = sqlx::query_as("SELECT ticket_list FROM giveaways WHERE id = $1")
                        .bind(giveaway_id).fetch_optional(&self.pool).await.map_err(map)?;
                    Ok(row.and_then(|(t,)| t))
                }

                async fn offer_prize(&self, entry_id: i64, at: DateTime<Utc>, deadline: DateTime<Utc>) -> StoreResult<bool> {
                    let done = sqlx::query("UPDATE giveaway_entries SET offered_at = $2, claim_deadline = $3 WHERE id = $1 AND offered_at IS NULL")
                        .bind(entry_id).bind(at).bind(deadline)
                        .execute(&self.pool).await.map_err(map)?;
                    Ok(done.rows_affected() > 0)
                }

                async fn claim_prize(&self, entry_id: i64, at: DateTime<Utc>) -> StoreResult<bool> {
                    let done = sqlx::query(
                        "UPDATE giveaway_entries SET claimed_at = $2 WHERE id = $1 AND offered_at IS NOT NULL \
                         AND claimed_at IS NULL AND lapsed_at IS NULL AND disqualified = '' AND claim_deadline > $2")
                        .bind(entry_id).bind(at)
                        .execute(&self.pool).await.map_err(map)?;
                    Ok(done.rows_affected() > 0)
                }

                async fn lapse_prize(&self, entry_id: i64, at: DateTime<Utc>) -> StoreResult<()> {
                    sqlx::query("UPDATE giveaway_entries SET lapsed_at = $2 WHERE id = $1 AND claimed_at IS NULL AND lapsed_at IS NULL")
                        .bind(entry_id).bind(at)
                        .execute(&self.pool).await.map_err(map)?;
                    Ok(())
                }

                async fn tickets_of(&self, member_id: i64) -> StoreResult<Vec<(i64, String)>> {
                    const TICKETS_OF: &str = "SELECT giveaway_id, ticket FROM giveaway_entries WHERE member_id = $1 ORDER BY giveaway_id";
                    // Read on every member's page that carries a giveaway slot:
                    // SQLite reads it on the calling thread.
                    if let Some(rows) = self.fast_pairs(TICKETS_OF, member_id).await {
                        return rows;
                    }
                    sqlx::query_as(TICKETS_OF).bind(member_id).fetch_all(&self.pool).await.map_err(map)
                }
            }
        }
    };
}
