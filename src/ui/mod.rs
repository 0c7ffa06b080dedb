//! The Leptos views, one feature per file: `sidebar/` (the frame on Sentry's pages, or docked in
//! the browser's panel) and `pages/` (options and glossary). Everything here is thin: it turns
//! messages into core calls and core results into DOM.
//!
//! The crate makes two wasm modules (Cargo features): `sidebar`, loaded in every Sentry tab, and
//! `pages` (options, glossary, and the non-UI entry points in `bindings/`), which alone carries the
//! markdown parser. Keeping the parser and the options UI out of the sidebar keeps what each tab
//! pays small.

mod panic;
mod text;

#[cfg(feature = "pages")]
mod pages;
#[cfg(feature = "sidebar")]
pub mod sidebar;

#[cfg(feature = "sidebar")]
pub use sidebar::{app::SidebarApp, state::Theme};
