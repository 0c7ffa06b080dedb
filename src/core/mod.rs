//! The decision-making core, one folder per feature along the pipeline: the runbook model
//! (`runbook`), what is in force (`config`), page → facts → pivots (`recognition`, with `guard`
//! against hostile text), everything shown for one page (`lens`), the follow-up queries (`query`)
//! and their counts (`previews`), Sentry's own record of the item (`sentry_api`), checklists,
//! the context menu, onboarding, and what JavaScript shares with Rust (`shared`: limits and the
//! message names of `protocol`). Nothing here depends on web-sys; every input is plain text or
//! data. docs/architecture.md maps each feature to its files.

#![deny(clippy::unwrap_used, clippy::expect_used)] // page-derived data never panics the core

pub mod checklists;
pub mod config;
pub mod context_menu;
pub mod guard;
pub mod lens;
pub mod onboarding;
pub mod previews;
pub mod protocol;
pub mod query;
pub mod recognition;
pub mod runbook;
pub mod sentry_api;
pub mod shared;
