//! Kawaraban's HTTP layer: one router serving every site of the network,
//! its pages, feeds, sitemaps and media, through an in-memory page cache.
//!
//! The app builds without a socket ([`router`]), so tests drive it with real
//! requests on `127.0.0.1:0` or directly with `oneshot`.

pub mod analytics;
mod api;
pub mod cache;
pub mod comments;
pub mod config;
pub mod desk;
pub mod engagement;
pub mod error;
mod fragments;
mod http;
pub mod members;
pub mod moderation;
pub mod network;
pub mod newsletters;
mod pages;
pub mod state;
pub mod theme;
mod view;
pub mod webhooks;

pub use config::WebConfig;
pub use http::router::{router, serve};
pub use state::AppState;
