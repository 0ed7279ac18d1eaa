//! Kawaraban's domain: the types every other crate speaks, the rules that
//! validate them, and the storage traits that the `store` crate implements.
//!
//! Nothing here knows about HTTP or a database driver.

pub mod analytics;
pub mod api_key;
pub mod authz;
pub mod client_ip;
pub mod comment_text;
pub mod desk;
pub mod error;
pub mod frontmatter;
pub mod ghost;
pub mod giveaway;
pub mod identity;
pub mod local_time;
pub mod markdown;
pub mod model;
pub mod moderation;
pub mod paging;
pub mod reserved_names;
pub mod share;
pub mod slug;
pub mod spreadsheet;
pub mod store;
pub mod survey;
pub mod webhooks;
pub mod wording;

pub use error::{StoreError, StoreResult};
