//! Email for Kawaraban: what a message is ([`Email`]), how it leaves
//! ([`Transport`]: SMTP, or `.eml` files in an outbox directory when no SMTP
//! server is configured) and the worker that sends queued messages.
//!
//! Requests never send mail themselves: they render the message and put it
//! on the durable job queue ([`enqueue`]); the worker sends it, retrying with
//! backoff, so a slow or absent mail server never slows a page.

mod message;
pub mod reports;
mod smtp;
mod transport;
mod worker;

pub use message::{check_sender, Email, MessageError};
pub use smtp::{Claim, Delivery, End};
pub use transport::{SendError, Transport};
pub use worker::{enqueue, Worker, EMAIL_JOB};
