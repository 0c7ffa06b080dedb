//! Browser glue: the wasm entry points and the Leptos components. Everything here is thin: it
//! turns messages into core calls and core results into DOM. One feature per file.
//!
//! The crate makes two wasm modules (Cargo features): `sidebar`, loaded in every Sentry tab, and
//! `pages` (options, glossary, background, runbook compiler), which alone carries the markdown
//! parser. Keeping the parser and the options UI out of the sidebar keeps what each tab pays small.

mod panic;
mod text;

#[cfg(feature = "sidebar")]
mod api_reads;
#[cfg(feature = "sidebar")]
mod clipboard;
#[cfg(feature = "sidebar")]
mod paste_id;
#[cfg(feature = "sidebar")]
mod pivots;
#[cfg(feature = "sidebar")]
mod practice;
#[cfg(feature = "sidebar")]
mod previews;
#[cfg(feature = "sidebar")]
mod recipes;
#[cfg(feature = "sidebar")]
mod scenarios;
#[cfg(feature = "sidebar")]
mod sidebar;
#[cfg(feature = "sidebar")]
mod sidebar_app;
#[cfg(feature = "sidebar")]
mod tour;
#[cfg(feature = "sidebar")]
mod where_am_i;

#[cfg(feature = "pages")]
mod background;
#[cfg(feature = "pages")]
mod glossary;
#[cfg(feature = "pages")]
mod options;
#[cfg(feature = "pages")]
mod runbook_compiler;

#[cfg(feature = "sidebar")]
pub use sidebar::state::Theme;
#[cfg(feature = "sidebar")]
pub use sidebar_app::SidebarApp;
