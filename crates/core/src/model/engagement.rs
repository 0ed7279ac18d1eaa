//! Surveys and giveaways as they are stored.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::giveaway::beacon::Round;
use crate::survey::answers::Answers;
use crate::survey::audience::Audience;
use crate::survey::{Definition, Status};

/// A survey as the editor makes or changes it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSurvey {
    pub slug: String,
    pub definition: Definition,
    pub audience: Audience,
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    pub response_limit: Option<u32>,
    /// Question ids whose results are published on the survey's results page.
    pub public_results: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Survey {
    pub id: i64,
    pub slug: String,
    pub status: Status,
    pub definition: Definition,
    pub audience: Audience,
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    pub response_limit: Option<u32>,
    pub public_results: Vec<u32>,
    /// Responses stored (flagged and excluded included).
    pub responses: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Survey {
    /// Whether it takes responses at `now`.
    pub fn accepting(&self, now: DateTime<Utc>) -> bool {
        self.status == Status::Open
            && self.opens_at.is_none_or(|t| now >= t)
            && self.closes_at.is_none_or(|t| now < t)
            && self
                .response_limit
                .is_none_or(|l| self.responses < u64::from(l))
    }
}

/// Who answered: a member, or a browser (its id from the signed cookie).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Respondent {
    Member(i64),
    Browser(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewResponse {
    pub survey_id: i64,
    pub site_id: i64,
    pub respondent: Respondent,
    /// Keyed hashes (never the raw values) to spot ballot-stuffing.
    pub address_hash: String,
    pub agent_hash: String,
    pub answers: Answers,
    pub at: DateTime<Utc>,
    /// The rate counter this response is charged to, if any.
    pub charge: Option<crate::store::RateCharge>,
}

/// What became of a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseOutcome {
    /// Stored, with the reason it was flagged, if it was.
    Stored { id: i64, flagged: Option<String> },
    /// This reader had answered already: nothing stored.
    Duplicate,
    /// The survey has reached its response limit: nothing stored.
    Full,
    /// The rate counter it was charged to is past its limit: nothing stored.
    Limited,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveyResponse {
    pub id: i64,
    pub survey_id: i64,
    pub site_id: i64,
    pub member_id: Option<i64>,
    pub answers: Answers,
    /// Why it looks like ballot-stuffing; empty when it does not.
    pub flagged: String,
    pub excluded: bool,
    pub created_at: DateTime<Utc>,
}

/// Which responses to read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResponseFilter {
    pub site_id: Option<i64>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// `Some(true)`: members only; `Some(false)`: anonymous only.
    pub members: Option<bool>,
    /// `Some(true)`: flagged only; `Some(false)`: unflagged only.
    pub flagged: Option<bool>,
    /// Leave out the ones staff excluded.
    pub without_excluded: bool,
}

impl ResponseFilter {
    /// Every response that counts: all but those staff left out.
    pub fn counted() -> Self {
        Self {
            without_excluded: true,
            ..Self::default()
        }
    }
}

/// What the banner needs to know of a member, network-wide.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SurveyHistory {
    /// Their last answer or dismissal of any survey.
    pub last: Option<DateTime<Utc>>,
    /// Surveys they answered or dismissed.
    pub done: Vec<i64>,
}

/// The draw's public record, filled in as the giveaway goes.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct DrawRecord {
    /// How many valid tickets were drawn from (the list itself is kept
    /// apart: `GiveawayStore::ticket_list`).
    pub tickets: u64,
    pub list_hash: String,
    /// The drand chain's hash and its round, when a beacon was used.
    pub chain: Option<String>,
    pub round: Option<Round>,
    /// Winners then alternates, ticket ids.
    pub order: Vec<String>,
    pub drawn_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Giveaway {
    pub id: i64,
    pub published: bool,
    pub fields: GiveawayFields,
    /// SHA-256 of the seed, public from the start.
    pub commitment: String,
    /// The seed: secret until the draw, then published.
    #[serde(skip)]
    pub seed: String,
    pub draw: Option<DrawRecord>,
    pub entries: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A giveaway as the editor makes or changes it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct GiveawayFields {
    pub slug: String,
    pub title: String,
    /// "Join the giveaway for a chance to win …".
    pub text: String,
    pub sponsor_name: String,
    pub sponsor_url: String,
    /// A media path of the sponsor's logo, or empty.
    pub sponsor_logo: String,
    pub prizes: String,
    pub winners: u32,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    /// Where the block shows (sites and sections; `share` is not used).
    pub audience: Audience,
    /// The eligibility statement an entrant declares (age, region); empty: none.
    pub declaration: String,
    /// The official rules (Markdown), generated from the fields unless edited.
    pub rules: String,
    pub claim_days: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    pub giveaway_id: i64,
    pub member_id: i64,
    pub site_id: i64,
    pub ticket: String,
    pub address_hash: String,
    /// The member agreed to their display name being shown if they win.
    pub show_name: bool,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub id: i64,
    pub giveaway_id: i64,
    pub member_id: Option<i64>,
    pub site_id: i64,
    pub ticket: String,
    pub show_name: bool,
    /// Why it looks like abuse (many entries from one address); empty when not.
    pub flagged: String,
    /// Why staff disqualified it; empty when valid.
    pub disqualified: String,
    pub offered_at: Option<DateTime<Utc>>,
    pub claim_deadline: Option<DateTime<Utc>>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub lapsed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// What became of an entry.
#[derive(Debug, Clone, PartialEq)]
pub enum EntryOutcome {
    Entered(Entry),
    /// The member had entered: their ticket.
    Already(Entry),
}
