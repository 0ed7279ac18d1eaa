//! Integrations' API keys: one SQL text for both backends.

macro_rules! impl_api_key_store {
    ($store:path) => {
        mod api_key_impl {
            use async_trait::async_trait;
            use chrono::{DateTime, Utc};
            use kawaraban_core::api_key::KeyKind;
            use kawaraban_core::model::{ApiKey, NewApiKey, Role};
            use kawaraban_core::store::ApiKeyStore;
            use kawaraban_core::{StoreError, StoreResult};

            use crate::error::map;

            type Row = (i64, String, String, String, String, DateTime<Utc>, Option<DateTime<Utc>>);

            const KEY: &str =
                "SELECT id, name, kind, lookup, role, created_at, revoked_at FROM api_keys";

            fn key((id, name, kind, lookup, role, created_at, revoked_at): Row) -> StoreResult<ApiKey> {
                Ok(ApiKey {
                    id,
                    name,
                    kind: KeyKind::parse(&kind).map_err(StoreError::Other)?,
                    lookup,
                    role: role.parse::<Role>().map_err(StoreError::Other)?,
                    created_at,
                    revoked_at,
                })
            }

            #[async_trait]
            impl ApiKeyStore for $store {
                async fn add_api_key(&self, k: &NewApiKey, now: DateTime<Utc>) -> StoreResult<ApiKey> {
                    let row: Row = sqlx::query_as(
                        "INSERT INTO api_keys (name, kind, lookup, secret, role, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6) \
                         RETURNING id, name, kind, lookup, role, created_at, revoked_at")
                        .bind(&k.name).bind(k.kind.as_str()).bind(&k.lookup).bind(&k.secret)
                        .bind(k.role.as_str()).bind(now)
                        .fetch_one(&self.pool).await.map_err(map)?;
                    key(row)
                }

                async fn api_keys(&self) -> StoreResult<Vec<ApiKey>> {
                    let rows: Vec<Row> = sqlx::query_as(&format!("{KEY} ORDER BY id"))
                        .fetch_all(&self.pool).await.map_err(map)?;
                    rows.into_iter().map(key).collect()
                }

                async fn revoke_api_key(&self, id: i64, now: DateTime<Utc>) -> StoreResult<bool> {
                    let done = sqlx::query(
                        "UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
                        .bind(id).bind(now).execute(&self.pool).await.map_err(map)?;
                    Ok(done.rows_affected() > 0)
                }

                async fn live_api_key(&self, kind: KeyKind, lookup: &str) -> StoreResult<Option<(ApiKey, Option<String>)>> {
                    let row: Option<(i64, String, String, String, String, DateTime<Utc>, Option<DateTime<Utc>>, Option<String>)> =
                        sqlx::query_as(
                            "SELECT id, name, kind, lookup, role, created_at, revoked_at, secret FROM api_keys \
                             WHERE kind = $1 AND lookup = $2 AND revoked_at IS NULL")
                        .bind(kind.as_str()).bind(lookup)
                        .fetch_optional(&self.pool).await.map_err(map)?;
                    row.map(|(id, name, kind, lookup, role, created_at, revoked_at, secret)| {
                        Ok((key((id, name, kind, lookup, role, created_at, revoked_at))?, secret))
                    })
                    .transpose()
                }
            }
        }
    };
}
