//! Members (readers with an account, and staff), their sessions, sign-in
//! identities and one-time tokens.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// What a member may do. Each role includes every role before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Member,
    /// Writes stories and submits them for review; publishes nothing.
    Contributor,
    Moderator,
    Author,
    Editor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Member,
        Role::Contributor,
        Role::Moderator,
        Role::Author,
        Role::Editor,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Contributor => "contributor",
            Role::Moderator => "moderator",
            Role::Author => "author",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    /// Staff are every role above member.
    pub fn is_staff(self) -> bool {
        self > Role::Member
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!("unknown role {s:?}: one of member, contributor, moderator, author, editor, admin")
            })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub id: i64,
    /// As the member typed it (NFC); mail goes here.
    pub email: String,
    /// Case-folded NFKC form, unique: what look-ups compare.
    pub email_norm: String,
    pub email_verified_at: Option<DateTime<Utc>>,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: Option<String>,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Member {
    pub fn is_verified(&self) -> bool {
        self.email_verified_at.is_some()
    }
}

/// What registration (or a first social sign-in, or `user add`) stores.
#[derive(Debug, Clone)]
pub struct NewMember {
    pub email: String,
    pub email_norm: String,
    pub display_name: String,
    pub password_hash: Option<String>,
    pub role: Role,
    pub verified: bool,
}

/// A signed-in browser on one site. The cookie holds a random id; only its
/// hash is stored. Sessions created by one sign-in across the network share
/// a `login_id`, so signing out ends them together.
#[derive(Debug, Clone, Serialize)]
pub struct Session {
    #[serde(skip)]
    pub id_hash: String,
    pub member_id: i64,
    pub login_id: String,
    pub site_id: i64,
    pub user_agent: String,
    pub ip: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A social or OpenID Connect identity linked to a member.
#[derive(Debug, Clone, Serialize)]
pub struct Identity {
    pub provider: String,
    pub subject: String,
    pub email: String,
    pub created_at: DateTime<Utc>,
}

/// What a one-time token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Confirms an email address (registration or change).
    Verify,
    /// Signs in without a password.
    MagicLink,
    /// Sets a new password.
    Reset,
    /// Carries a sign-in to a sister site.
    NetworkSignIn,
    /// Remembers an authorization request to a sign-in provider.
    OAuthState,
    /// Confirms a newsletter signup (double opt-in).
    Subscribe,
    /// Puts back the address an email change replaced (sent to that address).
    EmailUndo,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Verify => "verify",
            TokenKind::MagicLink => "magic",
            TokenKind::Reset => "reset",
            TokenKind::NetworkSignIn => "network",
            TokenKind::OAuthState => "oauth",
            TokenKind::Subscribe => "subscribe",
            TokenKind::EmailUndo => "email_undo",
        }
    }
}

/// A token that was valid and has now been spent.
#[derive(Debug, Clone)]
pub struct SpentToken {
    pub member_id: Option<i64>,
    pub data: String,
}

/// A sign-in provider configured for the network.
#[derive(Debug, Clone, Serialize)]
pub struct AuthProvider {
    /// Short name in URLs (`/auth/{key}/start`).
    pub key: String,
    /// `oidc`, `facebook` or `google`.
    pub kind: String,
    /// Shown on the button: "Continue with {name}".
    pub name: String,
    /// The OpenID Connect issuer (discovery); empty for Facebook.
    pub issuer: String,
    pub client_id: String,
    #[serde(skip)]
    pub client_secret: String,
}

/// A unit of background work (an email to send ...), claimed by one worker.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
    pub max_attempts: i64,
}
