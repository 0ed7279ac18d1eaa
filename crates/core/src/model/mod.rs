//! The things a news network is made of.

mod article;
mod member;
mod site;

pub use article::*;
pub use member::*;
pub use site::*;
