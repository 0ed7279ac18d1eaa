//! Staff roles per site (`StaffStore`): one SQL text for both backends.

macro_rules! impl_staff_store {
    ($store:path) => {
        mod staff_impl {
            use async_trait::async_trait;
            use chrono::{DateTime, Utc};
            use kawaraban_core::model::{Member, Role};
            use kawaraban_core::store::StaffStore;
            use kawaraban_core::{StoreError, StoreResult};

            use crate::error::map;
            use crate::members::{MemberRow, MEMBER_COLUMNS};

            fn role(text: &str) -> StoreResult<Role> {
                text.parse::<Role>().map_err(StoreError::Other)
            }

            #[async_trait]
            impl StaffStore for $store {
                async fn site_role(&self, member_id: i64, site_id: i64) -> StoreResult<Option<Role>> {
                    let row: Option<(String,)> =
                        sqlx::query_as("SELECT role FROM site_staff WHERE member_id = $1 AND site_id = $2")
                            .bind(member_id).bind(site_id).fetch_optional(&self.pool).await.map_err(map)?;
                    row.map(|(r,)| role(&r)).transpose()
                }

                async fn set_site_role(
                    &self,
                    member_id: i64,
                    site_id: i64,
                    role: Option<Role>,
                    granted_by: Option<i64>,
                    now: DateTime<Utc>,
                ) -> StoreResult<()> {
                    match role {
                        Some(r) => sqlx::query(
                            "INSERT INTO site_staff (member_id, site_id, role, granted_at, granted_by) VALUES ($1, $2, $3, $4, $5) \
                             ON CONFLICT (member_id, site_id) DO UPDATE SET role = excluded.role, \
                             granted_at = excluded.granted_at, granted_by = excluded.granted_by")
                            .bind(member_id).bind(site_id).bind(r.as_str()).bind(now).bind(granted_by)
                            .execute(&self.pool).await.map_err(map)?,
                        None => sqlx::query("DELETE FROM site_staff WHERE member_id = $1 AND site_id = $2")
                            .bind(member_id).bind(site_id).execute(&self.pool).await.map_err(map)?,
                    };
                    Ok(())
                }

                async fn site_staff(&self, site_id: i64) -> StoreResult<Vec<(Member, Role)>> {
                    let ids: Vec<(i64, String)> = sqlx::query_as(
                        "SELECT member_id, role FROM site_staff WHERE site_id = $1")
                        .bind(site_id).fetch_all(&self.pool).await.map_err(map)?;
                    let mut out = Vec::with_capacity(ids.len());
                    for (id, r) in ids {
                        let m: Option<MemberRow> = sqlx::query_as(&format!("SELECT {MEMBER_COLUMNS} FROM members WHERE id = $1"))
                            .bind(id).fetch_optional(&self.pool).await.map_err(map)?;
                        if let Some(m) = m {
                            out.push((Member::from(m), role(&r)?));
                        }
                    }
                    out.sort_by(|a, b| a.0.display_name.to_lowercase().cmp(&b.0.display_name.to_lowercase()));
                    Ok(out)
                }
            }
        }
    };
}
