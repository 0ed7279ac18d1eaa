//! Who may do what: the one authorisation function every feature asks.

use crate::model::Role;

/// Things that need more than being signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Post comments, enter giveaways (also needs a verified email).
    Comment,
    /// Read the moderation queue, approve and reject comments, suspend members.
    Moderate,
    /// Write and edit one's own articles.
    Write,
    /// Publish, schedule, edit any article, close comments, send alerts.
    Edit,
    /// Manage staff, sites, sign-in providers; read the audit log.
    Administer,
}

impl Action {
    /// The least role that may do this.
    pub fn least_role(self) -> Role {
        match self {
            Action::Comment => Role::Member,
            Action::Moderate => Role::Moderator,
            Action::Write => Role::Author,
            Action::Edit => Role::Editor,
            Action::Administer => Role::Admin,
        }
    }
}

/// Whether a member of `role` may do `action`. Roles are ordered; each one
/// includes everything the roles before it may do.
pub fn can(role: Role, action: Action) -> bool {
    role >= action.least_role()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_includes_the_ones_before_it() {
        assert!(can(Role::Member, Action::Comment));
        assert!(!can(Role::Member, Action::Moderate));
        assert!(can(Role::Moderator, Action::Moderate));
        assert!(!can(Role::Moderator, Action::Write));
        assert!(can(Role::Editor, Action::Write));
        assert!(!can(Role::Editor, Action::Administer));
        for action in [
            Action::Comment,
            Action::Moderate,
            Action::Write,
            Action::Edit,
            Action::Administer,
        ] {
            assert!(can(Role::Admin, action));
        }
    }
}
