//! End-to-end tests of the reader site over HTTP: one binary, many modules.

#![allow(dead_code)]

mod analytics;
mod api_v1;
mod api_v1_media;
mod api_v1_openapi;
mod api_v1_people;
mod article_page;
mod beacon;
mod browser;
mod comments;
mod desk;
mod desk_circulation;
mod desk_media;
mod desk_settings;
mod desk_staff;
mod desk_stories;
mod engagement;
mod external;
mod feeds;
mod ghost_admin;
mod ghost_content;
mod limits;
mod lists;
mod members;
mod members_account;
mod newsletters;
mod security;
mod serving;
mod social;
mod support;
mod trending;
mod webhooks;
