//! `user`, `api-key` and `auth`: staff accounts, integration keys and sign-in providers.

use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a staff account (or change an existing account's role) and print a one-time sign-in link.
    Add {
        email: String,
        /// member, contributor, moderator, author, editor or admin.
        #[arg(long)]
        role: String,
        /// Display name (default: the part of the address before the @).
        #[arg(long)]
        name: Option<String>,
        /// The site whose URL the sign-in link uses (default: the default site).
        #[arg(long)]
        site: Option<String>,
    },
    /// Change an account's role (its sessions end).
    Role { email: String, role: String },
    /// Give an account a role on one site only (`--role none` takes it away);
    /// its role there is the higher of this and its network role.
    Grant {
        email: String,
        /// The site's key.
        #[arg(long)]
        site: String,
        /// contributor, moderator, author, editor, admin, or none.
        #[arg(long)]
        role: String,
    },
    /// List staff accounts.
    List,
}

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Make a key; it is shown once.
    Add {
        /// What the desk and the logs call the integration (unique).
        name: String,
        /// `content` (reads what readers may read) or `admin` (writes).
        #[arg(long, default_value = "content")]
        kind: String,
        /// An admin key's role: author, editor (the default) or admin.
        #[arg(long)]
        role: Option<String>,
    },
    /// List the keys (never their secrets).
    List,
    /// Revoke a key by its number in the list; it stops working at once.
    Revoke { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Sign-in providers for the whole network.
    #[command(subcommand)]
    Provider(ProviderCommand),
}

#[derive(Debug, Subcommand)]
pub enum ProviderCommand {
    /// Add a provider, or update the one with this key.
    Add(ProviderAddArgs),
    /// List the providers.
    List,
    /// Remove a provider.
    Remove { key: String },
}

#[derive(Debug, Args)]
pub struct ProviderAddArgs {
    /// Short name, used in the callback URL `/auth/KEY/callback`.
    pub key: String,
    /// `oidc` (any OpenID Connect provider, by issuer URL), `google` or `facebook`.
    #[arg(long, default_value = "oidc")]
    pub kind: String,
    /// Shown on the button: "Continue with NAME".
    #[arg(long)]
    pub name: Option<String>,
    /// The OpenID Connect issuer URL (discovery at ISSUER/.well-known/openid-configuration).
    #[arg(long)]
    pub issuer: Option<String>,
    #[arg(long)]
    pub client_id: String,
    /// The client secret (better passed in the environment).
    #[arg(long, env = "KAWARABAN_CLIENT_SECRET", hide_env_values = true)]
    pub client_secret: String,
}
