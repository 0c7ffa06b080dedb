//! The decision-making core: runbook model, search syntax, page recognition, query building and
//! selection classification. Nothing here depends on web-sys; every input is plain text or data.

pub mod query;
pub mod runbook;
pub mod search;
pub mod settings;
pub mod slug;
