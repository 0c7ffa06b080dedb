//! Pivot Lens: the Sentry MCP investigation runbook on Sentry's own pages.
//!
//! `core` is pure Rust (no DOM, no browser API) and is tested natively with `cargo test`.
//! `ui` is the Leptos views and `bindings` the other wasm entry points; both exist only for `wasm32`.

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod ui;

#[cfg(all(target_arch = "wasm32", feature = "pages"))]
mod bindings;
