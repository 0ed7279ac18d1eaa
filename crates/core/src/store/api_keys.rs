//! Integrations' API keys.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::api_key::KeyKind;
use crate::model::{ApiKey, NewApiKey};
use crate::StoreResult;

#[async_trait]
pub trait ApiKeyStore: Send + Sync {
    /// Fails with `Conflict` when the name (of any key, revoked ones
    /// included: the logs name them) or the lookup is taken.
    async fn add_api_key(&self, key: &NewApiKey, now: DateTime<Utc>) -> StoreResult<ApiKey>;
    /// Every key, revoked ones too, oldest first.
    async fn api_keys(&self) -> StoreResult<Vec<ApiKey>>;
    /// Revokes a live key; false when there is none by that id or it was
    /// revoked already (the first revocation's time stays).
    async fn revoke_api_key(&self, id: i64, now: DateTime<Utc>) -> StoreResult<bool>;
    /// The live key of `kind` found by `lookup`, with an admin key's secret.
    async fn live_api_key(
        &self,
        kind: KeyKind,
        lookup: &str,
    ) -> StoreResult<Option<(ApiKey, Option<String>)>>;
}
