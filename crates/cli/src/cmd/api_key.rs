//! `kawaraban api-key add|list|revoke`: integrations' keys (each change in
//! the audit log).

use std::process::ExitCode;

use anyhow::anyhow;
use chrono::Utc;
use kawaraban_core::api_key::{self, KeyKind, RANDOM_BYTES};
use kawaraban_core::model::{NewApiKey, Role};
use kawaraban_core::StoreError;
use rand::RngCore;

use crate::cli::{ApiKeyCommand, Global};
use crate::context::Paths;

pub async fn run(global: &Global, cmd: ApiKeyCommand) -> anyhow::Result<ExitCode> {
    let paths = Paths::from(global)?;
    let store = paths.connect(2).await?;
    match cmd {
        ApiKeyCommand::Add { name, kind, role } => {
            let name = api_key::check_name(&name).map_err(|e| anyhow!(e))?;
            let kind = KeyKind::parse(&kind).map_err(|e| anyhow!("--kind: {e}"))?;
            let asked = role
                .map(|r| r.parse::<Role>())
                .transpose()
                .map_err(|e| anyhow!("--role: {e}"))?;
            let role = api_key::key_role(kind, asked).map_err(|e| anyhow!("--role: {e}"))?;
            let mut random = [0u8; RANDOM_BYTES];
            rand::rng().fill_bytes(&mut random);
            let issued = api_key::issue(kind, &random);
            let now = Utc::now();
            let key = match store
                .add_api_key(
                    &NewApiKey {
                        name: name.to_string(),
                        kind,
                        lookup: issued.lookup.clone(),
                        secret: issued.secret.clone(),
                        role,
                    },
                    now,
                )
                .await
            {
                Err(StoreError::Conflict(_)) => {
                    return Err(anyhow!(
                        "NAME: a key named {name:?} exists (revoked keys keep their names)"
                    ))
                }
                other => other?,
            };
            store
                .audit(
                    None,
                    "api_key.add",
                    &format!("api_key:{}", key.id),
                    &format!("{} ({}, {})", key.name, kind.as_str(), role.as_str()),
                    now,
                )
                .await?;
            eprintln!(
                "key {} made for {:?} ({}{}); it is shown once, keep it now:",
                key.id,
                key.name,
                kind.as_str(),
                match kind {
                    KeyKind::Admin => format!(", acting as {}", role.as_str()),
                    KeyKind::Content => String::new(),
                }
            );
            println!("{}", issued.shown);
        }
        ApiKeyCommand::List => {
            let keys = store.api_keys().await?;
            if keys.is_empty() {
                println!("no API keys: make one with `kawaraban api-key add NAME`");
            }
            for k in keys {
                let state = match k.revoked_at {
                    Some(at) => format!("revoked {}", at.format("%Y-%m-%d %H:%M UTC")),
                    None => "live".to_string(),
                };
                println!(
                    "{:<4} {:<24} {:<8} {:<7} made {}  {}",
                    k.id,
                    k.name,
                    k.kind.as_str(),
                    k.role.as_str(),
                    k.created_at.format("%Y-%m-%d"),
                    state
                );
            }
        }
        ApiKeyCommand::Revoke { id } => {
            let now = Utc::now();
            if !store.revoke_api_key(id, now).await? {
                return Err(anyhow!(
                    "ID: no live key {id} (see `kawaraban api-key list`)"
                ));
            }
            store
                .audit(None, "api_key.revoke", &format!("api_key:{id}"), "", now)
                .await?;
            println!("key {id} revoked");
        }
    }
    Ok(ExitCode::SUCCESS)
}
