//! Who may do what: the one authorisation function every feature asks
//! ([`can`]), and the one rank rule every staff action on a member or their
//! comments obeys ([`may_act_on`]).

use crate::model::{Role, StandingStatus};

/// The member asking, as authorisation sees them: their role on the site
/// asked about ([`role_on_site`]), and their standing now (a suspension
/// that has run out counts as active).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub id: i64,
    pub role: Role,
    pub standing: StandingStatus,
    /// Whether the member has confirmed their email address.
    pub verified: bool,
}

/// Things that need more than being signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Post comments, enter giveaways (also needs a verified email).
    Comment,
    /// Like, dislike or report a comment (also needs a verified email).
    React,
    /// Read the moderation queue, approve and reject comments, suspend members.
    Moderate,
    /// Write one's own stories and submit them for review.
    Write,
    /// Publish and schedule one's own stories.
    Publish,
    /// Publish, schedule, edit any article, close comments, send alerts.
    Edit,
    /// Manage staff, sites, sign-in providers; read the audit log.
    Administer,
}

impl Action {
    /// The least role that may do this.
    pub fn least_role(self) -> Role {
        match self {
            Action::Comment | Action::React => Role::Member,
            Action::Moderate => Role::Moderator,
            Action::Write => Role::Contributor,
            Action::Publish => Role::Author,
            Action::Edit => Role::Editor,
            Action::Administer => Role::Admin,
        }
    }

    /// Whether the member must have confirmed their email address.
    pub fn needs_confirmed_address(self) -> bool {
        matches!(self, Action::Comment | Action::React)
    }
}

/// Whether `actor` may do `action`. Roles are ordered; each one includes
/// everything the roles before it may do. A banned or suspended member may
/// do none of these, whatever their role: staff lose their powers with
/// their standing, and a banned member's votes do not count.
pub fn can(actor: &Actor, action: Action) -> bool {
    actor.standing == StandingStatus::Active
        && actor.role >= action.least_role()
        && (actor.verified || !action.needs_confirmed_address())
}

/// A member's role on one site: their network role, or their grant on the
/// site where it is higher (a travel editor is a reader on the news site).
pub fn role_on_site(network: Role, granted: Option<Role>) -> Role {
    granted.map_or(network, |g| g.max(network))
}

/// Why a staff action on a member was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Nobody bans, suspends or otherwise moderates themselves.
    Themselves,
    /// The member is of the actor's rank or above.
    Rank,
}

impl Refusal {
    /// What to tell the actor.
    pub fn message(self) -> &'static str {
        match self {
            Refusal::Themselves => "You cannot moderate yourself: another moderator or an administrator decides on your account and your comments.",
            Refusal::Rank => "Staff act only on members of lower rank: an administrator decides on this account and its comments.",
        }
    }
}

/// Whether `actor` may act on the member `target` (their id and role): change
/// their standing, or approve, reject or ban over one of their comments.
/// Staff act only on members of lower rank, and never on themselves. Every
/// staff action on a member or a member's comment asks this.
pub fn may_act_on(actor: &Actor, target: (i64, Role)) -> Result<(), Refusal> {
    let (id, role) = target;
    if id == actor.id {
        Err(Refusal::Themselves)
    } else if role >= actor.role {
        Err(Refusal::Rank)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn active(id: i64, role: Role) -> Actor {
        Actor {
            id,
            role,
            standing: StandingStatus::Active,
            verified: true,
        }
    }

    const ALL: [Action; 7] = [
        Action::Comment,
        Action::React,
        Action::Moderate,
        Action::Write,
        Action::Publish,
        Action::Edit,
        Action::Administer,
    ];

    #[test]
    fn each_role_includes_the_ones_before_it() {
        let can = |role, action| can(&active(1, role), action);
        assert!(can(Role::Member, Action::Comment));
        assert!(!can(Role::Member, Action::Moderate));
        assert!(can(Role::Moderator, Action::Moderate));
        assert!(can(Role::Contributor, Action::Write));
        assert!(!can(Role::Contributor, Action::Moderate));
        assert!(!can(Role::Contributor, Action::Publish));
        assert!(can(Role::Author, Action::Publish));
        assert!(!can(Role::Author, Action::Edit));
        assert!(can(Role::Editor, Action::Write));
        assert!(!can(Role::Editor, Action::Administer));
        for action in ALL {
            assert!(can(Role::Admin, action));
        }
    }

    #[test]
    fn a_grant_counts_on_its_site_above_the_network_role() {
        assert_eq!(role_on_site(Role::Member, None), Role::Member);
        assert_eq!(role_on_site(Role::Member, Some(Role::Editor)), Role::Editor);
        assert_eq!(
            role_on_site(Role::Admin, Some(Role::Contributor)),
            Role::Admin
        );
    }

    #[test]
    fn banned_or_suspended_staff_can_do_nothing() {
        for standing in [StandingStatus::Banned, StandingStatus::Suspended] {
            let admin = Actor {
                standing,
                ..active(1, Role::Admin)
            };
            for action in ALL {
                assert!(!can(&admin, action), "{standing:?} {action:?}");
            }
        }
    }

    #[test]
    fn commenting_and_voting_need_a_confirmed_address() {
        let unconfirmed = Actor {
            verified: false,
            ..active(1, Role::Admin)
        };
        assert!(!can(&unconfirmed, Action::Comment));
        assert!(!can(&unconfirmed, Action::React));
        assert!(can(&unconfirmed, Action::Moderate));
    }

    #[test]
    fn staff_act_only_below_their_rank_and_never_on_themselves() {
        let moderator = active(1, Role::Moderator);
        let admin = active(2, Role::Admin);
        assert_eq!(may_act_on(&moderator, (3, Role::Member)), Ok(()));
        assert_eq!(
            may_act_on(&moderator, (1, Role::Moderator)),
            Err(Refusal::Themselves)
        );
        assert_eq!(
            may_act_on(&moderator, (4, Role::Moderator)),
            Err(Refusal::Rank)
        );
        assert_eq!(may_act_on(&moderator, (2, Role::Admin)), Err(Refusal::Rank));
        assert_eq!(may_act_on(&admin, (1, Role::Moderator)), Ok(()));
        assert_eq!(
            may_act_on(&admin, (2, Role::Admin)),
            Err(Refusal::Themselves)
        );
        assert_eq!(may_act_on(&admin, (5, Role::Admin)), Err(Refusal::Rank));
    }
}
