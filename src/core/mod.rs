//! The decision-making core: runbook model, search syntax, page recognition, query building and
//! selection classification. Nothing here depends on web-sys; every input is plain text or data.

#![deny(clippy::unwrap_used, clippy::expect_used)] // page-derived data never panics the core

pub mod classify;
pub mod facts;
pub mod glossary;
mod ids;
mod known_keys;
pub mod lens;
pub mod page;
pub mod practice;
pub mod query;
pub mod runbook;
pub mod search;
pub mod secrets;
pub mod settings;
pub mod slug;
mod text;
pub mod tour;
