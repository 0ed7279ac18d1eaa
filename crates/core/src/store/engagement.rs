//! Reader surveys and sponsored giveaways.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::model::*;
use crate::survey::Status;
use crate::StoreResult;

/// How many responses from one address and browser, within
/// [`BURST_MINUTES`], flag the next one as possible ballot-stuffing.
pub const BURST_RESPONSES: u64 = 3;
pub const BURST_MINUTES: i64 = 10;
/// Entries to one giveaway from one address beyond which the next is flagged.
pub const ENTRIES_PER_ADDRESS: u64 = 3;

/// Surveys, their responses, and the readers' history with them.
#[async_trait]
pub trait SurveyStore: Send + Sync {
    /// A new draft; a slug in use is a `Conflict`.
    async fn create_survey(&self, s: &NewSurvey, now: DateTime<Utc>) -> StoreResult<Survey>;
    /// Changes a survey's fields (not its status or responses).
    async fn update_survey(
        &self,
        id: i64,
        s: &NewSurvey,
        now: DateTime<Utc>,
    ) -> StoreResult<Survey>;
    async fn set_survey_status(
        &self,
        id: i64,
        status: Status,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn survey(&self, id: i64) -> StoreResult<Option<Survey>>;
    /// By address; without `counted` its `responses` is 0 (a reader's page
    /// needs no count: the limit is held when a response is stored).
    async fn survey_by_slug(&self, slug: &str, counted: bool) -> StoreResult<Option<Survey>>;
    /// Every survey, newest first.
    async fn surveys(&self) -> StoreResult<Vec<Survey>>;
    /// Stores a response, once per member or browser and within the
    /// survey's limit, flagging a burst from one address and browser; the
    /// survey's count moves in the same transaction.
    async fn add_response(&self, r: &NewResponse) -> StoreResult<ResponseOutcome>;
    /// Responses, oldest first.
    async fn responses(
        &self,
        survey_id: i64,
        f: &ResponseFilter,
    ) -> StoreResult<Vec<SurveyResponse>>;
    /// Whether this member or browser has answered this survey.
    async fn has_responded(&self, survey_id: i64, who: &Respondent) -> StoreResult<bool>;
    /// Staff leave a response out of the results, or take it back in.
    async fn set_response_excluded(
        &self,
        survey_id: i64,
        id: i64,
        excluded: bool,
    ) -> StoreResult<bool>;
    /// A member closes a survey's banner (again: no change).
    async fn dismiss_survey(
        &self,
        survey_id: i64,
        member_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// The member's answers and dismissals, network-wide.
    async fn survey_history(&self, member_id: i64) -> StoreResult<SurveyHistory>;
}

/// Giveaways, their entries and the draw.
#[async_trait]
pub trait GiveawayStore: Send + Sync {
    /// A new giveaway (unpublished) with its secret seed and commitment.
    async fn create_giveaway(
        &self,
        g: &GiveawayFields,
        seed: &str,
        commitment: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Giveaway>;
    /// Changes the fields; refused (`Conflict`) once drawn.
    async fn update_giveaway(
        &self,
        id: i64,
        g: &GiveawayFields,
        now: DateTime<Utc>,
    ) -> StoreResult<Giveaway>;
    async fn set_giveaway_published(
        &self,
        id: i64,
        published: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn giveaway(&self, id: i64) -> StoreResult<Option<Giveaway>>;
    async fn giveaway_by_slug(&self, slug: &str) -> StoreResult<Option<Giveaway>>;
    /// Every giveaway, newest first; with `counted`, their valid entries
    /// counted (the background loop needs no counts: a giveaway of a
    /// million entries would cost a count every few seconds).
    async fn giveaways(&self, counted: bool) -> StoreResult<Vec<Giveaway>>;
    /// Enters a member once (a second press gives back the first ticket),
    /// flagging entries from one address beyond [`ENTRIES_PER_ADDRESS`];
    /// the count moves in the same transaction.
    async fn enter_giveaway(&self, e: &NewEntry) -> StoreResult<EntryOutcome>;
    async fn entry_of(&self, giveaway_id: i64, member_id: i64) -> StoreResult<Option<Entry>>;
    async fn entry_by_ticket(&self, ticket: &str) -> StoreResult<Option<Entry>>;
    /// The first `limit` entries, oldest first.
    async fn entries(&self, giveaway_id: i64, limit: u32) -> StoreResult<Vec<Entry>>;
    /// The entries holding these tickets (the published order's places).
    async fn entries_for(&self, giveaway_id: i64, tickets: &[String]) -> StoreResult<Vec<Entry>>;
    /// The ticket ids of every entry not disqualified, in no set order
    /// (the published list is sorted in memory: `giveaway::draw::ticket_list`).
    async fn valid_tickets(&self, giveaway_id: i64) -> StoreResult<Vec<String>>;
    /// Staff disqualify an entry (or, with an empty reason, reinstate it).
    async fn disqualify_entry(
        &self,
        giveaway_id: i64,
        entry_id: i64,
        reason: &str,
    ) -> StoreResult<bool>;
    /// Records the draw and its published ticket list, once: false when
    /// one was recorded already.
    async fn record_draw(
        &self,
        giveaway_id: i64,
        draw: &DrawRecord,
        ticket_list: &str,
    ) -> StoreResult<bool>;
    /// The published ticket list of a drawn giveaway.
    async fn ticket_list(&self, giveaway_id: i64) -> StoreResult<Option<String>>;
    /// A prize offered to an entry, with its claim deadline: false when it
    /// was offered already (by another app server), so one sends the email.
    async fn offer_prize(
        &self,
        entry_id: i64,
        at: DateTime<Utc>,
        deadline: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// A winner claims: false when there was no live offer.
    async fn claim_prize(&self, entry_id: i64, at: DateTime<Utc>) -> StoreResult<bool>;
    /// An offer's deadline passed unclaimed.
    async fn lapse_prize(&self, entry_id: i64, at: DateTime<Utc>) -> StoreResult<()>;
    /// The tickets this member holds, by giveaway id.
    async fn tickets_of(&self, member_id: i64) -> StoreResult<Vec<(i64, String)>>;
}
