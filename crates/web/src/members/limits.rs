//! Rate limits on what an attacker can repeat, counted in the database so
//! that every app server sees the same counts. Fixed windows.

use chrono::Utc;

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// At most `max` hits per `window` seconds for one key.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub name: &'static str,
    pub max: i64,
    pub window: i64,
}

/// Failed sign-ins for one account.
pub const SIGN_IN_FAILURES: Limit = Limit {
    name: "signin-fail",
    max: 5,
    window: 900,
};
/// Sign-in attempts from one address.
pub const SIGN_IN_IP: Limit = Limit {
    name: "signin-ip",
    max: 30,
    window: 900,
};
/// Registrations from one address.
pub const REGISTER_IP: Limit = Limit {
    name: "register-ip",
    max: 10,
    window: 3600,
};
/// Emailed links (magic link, reset, verification) for one address.
pub const LINKS_ACCOUNT: Limit = Limit {
    name: "links-acct",
    max: 3,
    window: 900,
};
/// Emailed links requested from one address.
pub const LINKS_IP: Limit = Limit {
    name: "links-ip",
    max: 20,
    window: 900,
};

/// Newsletter signups from one address.
pub const SIGNUP_IP: Limit = Limit {
    name: "signup-ip",
    max: 30,
    window: 3600,
};
/// Confirmation emails to one address.
pub const SIGNUP_ADDRESS: Limit = Limit {
    name: "signup-addr",
    max: 3,
    window: 3600,
};
/// Likes and dislikes by one member.
pub const VOTES: Limit = Limit {
    name: "votes",
    max: 300,
    window: 3600,
};
/// Reports by one member.
pub const REPORTS: Limit = Limit {
    name: "reports",
    max: 30,
    window: 3600,
};
/// Moderation actions by one moderator (a runaway script, not a busy day).
pub const MODERATION: Limit = Limit {
    name: "moderate",
    max: 2000,
    window: 3600,
};

/// Survey responses sent from one address (a household or an office
/// shares one; beyond this it is a script).
pub const SURVEY_IP: Limit = Limit {
    name: "survey-ip",
    max: 60,
    window: 600,
};
/// Giveaway entries and claims from one address.
pub const GIVEAWAY_IP: Limit = Limit {
    name: "giveaway-ip",
    max: 30,
    window: 3600,
};

fn window(limit: Limit) -> (i64, u64) {
    let now = Utc::now().timestamp();
    let start = now - now.rem_euclid(limit.window);
    (start, (start + limit.window - now).max(1) as u64)
}

fn key(limit: Limit, subject: &str) -> String {
    format!("{}:{subject}", limit.name)
}

/// Counts one hit; 429 once the limit is passed.
pub async fn hit(state: &AppState, limit: Limit, subject: &str) -> AppResult<()> {
    let (start, retry) = window(limit);
    let n = state.store.hit(&key(limit, subject), start).await?;
    if n > limit.max {
        return Err(AppError::TooManyRequests(retry));
    }
    Ok(())
}

/// The hit to charge with a write (counted in the write's own commit where
/// the store can), and the seconds to wait once it is refused.
pub fn charge(limit: Limit, subject: &str) -> (kawaraban_core::store::RateCharge, u64) {
    let (start, retry) = window(limit);
    let charge = kawaraban_core::store::RateCharge {
        key: key(limit, subject),
        window_start: start,
        max: limit.max,
    };
    (charge, retry)
}

/// 429 if the limit is already reached, without counting.
pub async fn check(state: &AppState, limit: Limit, subject: &str) -> AppResult<()> {
    let (start, retry) = window(limit);
    if state.store.hits(&key(limit, subject), start).await? >= limit.max {
        return Err(AppError::TooManyRequests(retry));
    }
    Ok(())
}

/// Counts one hit without refusing (failures are counted after the fact).
pub async fn count(state: &AppState, limit: Limit, subject: &str) -> AppResult<()> {
    let (start, _) = window(limit);
    state.store.hit(&key(limit, subject), start).await?;
    Ok(())
}

/// Hits so far in the current window of a limit that has no subject (one
/// count for the whole network, such as the newsletter sending rate).
pub async fn used(state: &AppState, limit: Limit) -> kawaraban_core::StoreResult<i64> {
    state.store.hits(limit.name, window(limit).0).await
}

/// Adds `n` hits to a limit that has no subject; returns the total.
pub async fn add(state: &AppState, limit: Limit, n: i64) -> kawaraban_core::StoreResult<i64> {
    state.store.add_hits(limit.name, window(limit).0, n).await
}
