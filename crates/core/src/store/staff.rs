//! Staff roles per site.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::model::{Member, Role};
use crate::StoreResult;

#[async_trait]
pub trait StaffStore: Send + Sync {
    /// The member's grant on the site, if any (their network role aside).
    async fn site_role(&self, member_id: i64, site_id: i64) -> StoreResult<Option<Role>>;
    /// Grants `role` on the site (replacing a grant there), or with `None`
    /// takes the grant away.
    async fn set_site_role(
        &self,
        member_id: i64,
        site_id: i64,
        role: Option<Role>,
        granted_by: Option<i64>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Everyone with a grant on the site, with it, by name.
    async fn site_staff(&self, site_id: i64) -> StoreResult<Vec<(Member, Role)>>;
}
