//! `kawaraban user add|role|list`: staff accounts. No password ever goes on
//! the command line: `add` prints a one-time sign-in link instead.

use std::process::ExitCode;

use anyhow::{anyhow, Context as _};
use chrono::{Duration, Utc};
use kawaraban_core::identity::{clean_display_name, parse_email};
use kawaraban_core::model::{NewMember, Role, Site, TokenKind};
use kawaraban_core::store::Store;
use kawaraban_web::members::links::create_link;

use crate::cli::{Global, UserCommand};
use crate::context::Paths;

pub async fn run(global: &Global, cmd: UserCommand) -> anyhow::Result<ExitCode> {
    let paths = Paths::from(global)?;
    let store = paths.connect(2).await?;
    match cmd {
        UserCommand::Add {
            email,
            role,
            name,
            site,
        } => {
            let role: Role = role.parse().map_err(|e: String| anyhow!("--role: {e}"))?;
            let email = parse_email(&email).map_err(|e| anyhow!("EMAIL: {e}"))?;
            let site = pick_site(&*store, site.as_deref()).await?;
            let member = match store.member_by_email(&email.norm).await? {
                Some(m) => {
                    store.set_role(m.id, role, Utc::now()).await?;
                    println!("{} exists; role set to {role}", m.email);
                    m
                }
                None => {
                    let fallback = email.email.split('@').next().unwrap_or("Staff").to_string();
                    let name = clean_display_name(name.as_deref().unwrap_or(&fallback))
                        .map_err(|e| anyhow!("--name: {e}"))?;
                    let m = store
                        .create_member(
                            &NewMember {
                                email: email.email.clone(),
                                email_norm: email.norm.clone(),
                                display_name: name,
                                password_hash: None,
                                role,
                                verified: false,
                            },
                            Utc::now(),
                        )
                        .await?;
                    println!("created {} ({role})", m.email);
                    m
                }
            };
            let link = create_link(
                &*store,
                &site,
                member.id,
                TokenKind::MagicLink,
                Duration::hours(24),
                "/account",
            )
            .await?;
            println!("one-time sign-in link (24 hours): {link}");
        }
        UserCommand::Grant { email, site, role } => {
            let role: Option<Role> = match role.as_str() {
                "none" => None,
                r => Some(r.parse().map_err(|e: String| anyhow!("--role: {e}"))?),
            };
            let email = parse_email(&email).map_err(|e| anyhow!("EMAIL: {e}"))?;
            let site = pick_site(&*store, Some(&site)).await?;
            let m = store.member_by_email(&email.norm).await?.ok_or_else(|| {
                anyhow!(
                    "no account with the address {}: add it with `kawaraban user add`",
                    email.email
                )
            })?;
            store
                .set_site_role(m.id, site.id, role, None, Utc::now())
                .await?;
            match role {
                Some(r) => println!("{}: {r} on {}", m.email, site.key),
                None => println!("{}: no role of its own on {}", m.email, site.key),
            }
        }
        UserCommand::Role { email, role } => {
            let role: Role = role.parse().map_err(|e: String| anyhow!("ROLE: {e}"))?;
            let email = parse_email(&email).map_err(|e| anyhow!("EMAIL: {e}"))?;
            let m = store
                .member_by_email(&email.norm)
                .await?
                .with_context(|| format!("no account with the email {}", email.email))?;
            store.set_role(m.id, role, Utc::now()).await?;
            // A change of privilege starts fresh sessions.
            store.delete_sessions_of(m.id, None).await?;
            println!("{}: {} → {role} (signed out everywhere)", m.email, m.role);
        }
        UserCommand::List => {
            let staff = store.list_staff().await?;
            if staff.is_empty() {
                println!("no staff yet: add one with `kawaraban user add EMAIL --role admin`");
            }
            for m in staff {
                println!("{:<40} {:<10} {}", m.email, m.role, m.display_name);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The site whose URL links are built from: `--site`, or the default site.
pub async fn pick_site(store: &dyn Store, key: Option<&str>) -> anyhow::Result<Site> {
    let sites = store.list_sites().await?;
    let found = match key {
        Some(k) => sites.into_iter().find(|s| s.key == k),
        None => {
            let default = sites.iter().position(|s| s.is_default).unwrap_or(0);
            sites.into_iter().nth(default)
        }
    };
    found.ok_or_else(|| anyhow!("no such site: add one with `kawaraban site add` first"))
}
