//! The decision-making core: runbook model, search syntax, page recognition, query building and
//! selection classification. Nothing here depends on web-sys; every input is plain text or data.

#![deny(clippy::unwrap_used, clippy::expect_used)] // page-derived data never panics the core

pub mod classify;
pub mod facts;
pub mod followups;
pub mod glossary;
mod ids;
pub mod investigation;
mod known_keys;
pub mod lens;
pub mod managed;
pub mod page;
pub mod page_entries;
pub mod practice;
pub mod previews;
pub mod probe_keys;
pub mod query;
pub mod runbook;
pub mod runbook_store;
pub mod scenarios;
pub mod search;
pub mod secrets;
pub mod self_hosted;
pub mod sentry_api;
pub mod settings;
pub mod slug;
mod text;
pub mod tour;
pub mod transfer;
