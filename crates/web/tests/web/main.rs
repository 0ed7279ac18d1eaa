//! End-to-end tests of the reader site over HTTP: one binary, many modules.

#![allow(dead_code)]

mod article_page;
mod feeds;
mod lists;
mod serving;
mod support;
