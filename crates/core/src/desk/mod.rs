//! The newsroom desk's domain: a story's editable fields and their merge
//! ([`fields`]), its status ([`status`]), who may do what and what a save
//! leaves ([`rules`]), revision diffs ([`diff`]) and stories shown on
//! sister sites ([`circulation`]). Plain functions, so
//! tests call them without a server or a database.

pub mod circulation;
pub mod diff;
pub mod fields;
pub mod rules;
pub mod status;

pub use fields::{Merged, StoryFields, FIELDS};
pub use rules::{may, outcome, Intent, Refused};
pub use status::DeskStatus;
