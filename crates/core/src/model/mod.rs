//! The things a news network is made of.

mod api_key;
mod article;
mod comment;
mod engagement;
mod member;
mod newsletter;
mod site;
mod story;
mod webhook;

pub use api_key::*;
pub use article::*;
pub use comment::*;
pub use engagement::*;
pub use member::*;
pub use newsletter::*;
pub use site::*;
pub use story::*;
pub use webhook::*;
