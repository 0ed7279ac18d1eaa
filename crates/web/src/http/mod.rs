//! Routing and the layers every request passes through.

pub mod assets;
pub mod front;
pub mod guard;
pub mod page_cache;
pub mod router;
pub mod server;
pub mod site;
pub mod themed_errors;
pub mod upload;
