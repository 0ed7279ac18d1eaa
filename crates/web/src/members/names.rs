//! Display names a member may not take (`kawaraban_core::reserved_names`):
//! the fixed ones, and the network's own — its staff members' names, its
//! sites' names and publishers.

use kawaraban_core::identity::clean_display_name;
use kawaraban_core::reserved_names::ReservedNames;

use crate::error::AppResult;
use crate::state::AppState;

/// The kept names, for the member `member_id` (a staff member may keep
/// their own name; `None` for someone new).
pub async fn reserved(state: &AppState, member_id: Option<i64>) -> AppResult<ReservedNames> {
    let staff = state.store.list_staff().await?;
    let network = state.network.get();
    let names: Vec<&str> = staff
        .iter()
        .filter(|m| Some(m.id) != member_id)
        .map(|m| m.display_name.as_str())
        .chain(
            network
                .sites
                .iter()
                .flat_map(|s| [s.name.as_str(), s.publisher.as_str()]),
        )
        .collect();
    Ok(ReservedNames::new(names))
}

/// A display name as typed, cleaned (`clean_display_name`) and checked
/// against the kept names; the error to show otherwise.
pub async fn display_name(
    state: &AppState,
    member_id: Option<i64>,
    input: &str,
) -> AppResult<Result<String, String>> {
    let reserved = reserved(state, member_id).await?;
    Ok(clean_display_name(input).and_then(|n| reserved.check(&n).map(|()| n)))
}
