//! Pivot Lens: the Sentry MCP investigation runbook on Sentry's own pages.
//!
//! `core` is pure Rust (no DOM, no browser API) and is tested natively with `cargo test`.
//! `ui` is the Leptos sidebar and the wasm entry points; it exists only for `wasm32`.

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod ui;
