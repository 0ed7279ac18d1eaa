//! `kawaraban auth provider add|list|remove`: sign-in providers for the
//! whole network (any OpenID Connect issuer, Google, Facebook).

use std::process::ExitCode;

use anyhow::anyhow;
use chrono::Utc;
use kawaraban_core::model::AuthProvider;

use crate::cli::{AuthCommand, Global, ProviderCommand};
use crate::context::Paths;

pub async fn run(global: &Global, cmd: AuthCommand) -> anyhow::Result<ExitCode> {
    let paths = Paths::from(global)?;
    let store = paths.connect(2).await?;
    let AuthCommand::Provider(cmd) = cmd;
    match cmd {
        ProviderCommand::Add(a) => {
            if a.key.is_empty()
                || !a
                    .key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                return Err(anyhow!(
                    "KEY: use lower-case letters, digits and dashes (it appears in URLs)"
                ));
            }
            let issuer = a.issuer.unwrap_or_default();
            match a.kind.as_str() {
                "oidc" => {
                    let u = url::Url::parse(&issuer).map_err(|e| anyhow!("--issuer: {e}"))?;
                    if !matches!(u.scheme(), "https" | "http") {
                        return Err(anyhow!("--issuer: must be an http(s) URL"));
                    }
                }
                "google" | "facebook" => {}
                other => {
                    return Err(anyhow!(
                        "--kind: {other:?} is not one of oidc, google, facebook"
                    ))
                }
            }
            let name = a.name.unwrap_or_else(|| match a.kind.as_str() {
                "google" => "Google".into(),
                "facebook" => "Facebook".into(),
                _ => a.key.clone(),
            });
            store
                .upsert_auth_provider(
                    &AuthProvider {
                        key: a.key.clone(),
                        kind: a.kind.clone(),
                        name,
                        issuer,
                        client_id: a.client_id,
                        client_secret: a.client_secret,
                    },
                    Utc::now(),
                )
                .await?;
            store.publish_invalidations(&["network".into()]).await?;
            println!(
                "provider {} ({}) saved; its callback is SITE_URL/auth/{}/callback",
                a.key, a.kind, a.key
            );
        }
        ProviderCommand::List => {
            let list = store.auth_providers().await?;
            if list.is_empty() {
                println!("no sign-in providers: add one with `kawaraban auth provider add`");
            }
            for p in list {
                println!("{:<12} {:<9} {:<16} {}", p.key, p.kind, p.name, p.issuer);
            }
        }
        ProviderCommand::Remove { key } => {
            if !store.delete_auth_provider(&key).await? {
                return Err(anyhow!("no provider {key:?}"));
            }
            store.publish_invalidations(&["network".into()]).await?;
            println!("provider {key} removed");
        }
    }
    Ok(ExitCode::SUCCESS)
}
