//! Display names that would pass for staff or the system: the one rule that
//! registration, a name change and a first social sign-in all ask.
//!
//! Names are compared by their *key*: NFKC, lower-cased, mapped to their
//! Unicode confusable skeleton (UTS #39, so a Cyrillic `а` or a `0` for an
//! `o` looks like what it imitates) and stripped of everything but letters
//! and digits (so `A.d m-i n` is `admin`).

use std::collections::HashSet;

use unicode_normalization::UnicodeNormalization;

/// Words no display name may contain, whatever else is around them.
const RESERVED_WORDS: &[&str] = &[
    "moderator",
    "moderators",
    "mod",
    "mods",
    "admin",
    "admins",
    "administrator",
    "administrators",
    "staff",
    "official",
];

/// Names no member may take whole: what the site itself signs with.
const RESERVED_NAMES: &[&str] = &[
    "Former member",
    "Comment removed",
    "Editor",
    "The editors",
    "Author",
    "System",
    "Kawaraban",
    "Webmaster",
    "Support",
];

/// The form two names share when they look alike.
pub fn name_key(name: &str) -> String {
    let folded: String = name.nfkc().flat_map(char::to_lowercase).collect();
    let skeleton: String = unicode_security::skeleton(&folded).collect();
    skeleton
        .nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// The names and words that are kept: the fixed ones, and the network's
/// own (staff members' names, sites' names and publishers).
pub struct ReservedNames {
    names: HashSet<String>,
    words: HashSet<String>,
}

impl ReservedNames {
    /// The fixed names and words, and `extra` whole names.
    pub fn new<'a>(extra: impl IntoIterator<Item = &'a str>) -> Self {
        let names = RESERVED_NAMES
            .iter()
            .copied()
            .chain(extra)
            .map(name_key)
            .filter(|k| !k.is_empty())
            .collect();
        let words = RESERVED_WORDS.iter().map(|w| name_key(w)).collect();
        Self { names, words }
    }

    /// Whether `name` is one of the kept names, or has a kept word in it.
    pub fn is_reserved(&self, name: &str) -> bool {
        let key = name_key(name);
        self.names.contains(&key)
            || self.words.contains(&key)
            || name
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| self.words.contains(&name_key(w)))
    }

    /// An error for the member when `name` is kept.
    pub fn check(&self, name: &str) -> Result<(), String> {
        if self.is_reserved(name) {
            Err("That name belongs to the site or its staff, or looks like it. Choose another name to show with your comments.".into())
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_and_system_names_are_kept_in_every_disguise() {
        let r = ReservedNames::new(["Aiko Tanabe", "The Lanternfield Post"]);
        for name in [
            "Moderator",
            "moderator",
            "MODERATOR",
            "M o d e r a t o r",
            "Mоderator", // Cyrillic о
            "M0derator", // zero
            "Site Admin",
            "admin_42",
            "ＡＤＭＩＮ", // full width
            "Former member",
            "former-member",
            "Aiko Tanabe",
            "aiko  tanabe",
            "Aikо Tanabe", // Cyrillic о
            "The Lanternfield Post",
            "the lanternfield post",
        ] {
            assert!(r.is_reserved(name), "{name:?}");
        }
        for name in [
            "Ann Reader",
            "Badminton fan",
            "Modest Mouse",
            "Aiko",
            "Reader",
            "Editorial fan",
        ] {
            assert!(!r.is_reserved(name), "{name:?}");
        }
        assert!(r
            .check("Admin")
            .unwrap_err()
            .contains("Choose another name"));
    }
}
