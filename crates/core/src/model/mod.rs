//! The things a news network is made of.

mod article;
mod site;

pub use article::*;
pub use site::*;
