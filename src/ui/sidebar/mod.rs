//! The sidebar, one feature per file. `app` is the wasm entry point `sidebar.js` drives; `shell`
//! lays out the collapsed tab, header and sections; `state` holds the handles they share (no
//! component imports another's state through the shell, tests/structure.rs). `pivots`, `recipes`
//! and `scenarios` are public for tests/components.rs, which mounts each alone.

pub mod app;
mod shell;
pub mod state;

mod api_reads;
mod clipboard;
pub mod investigations;
mod paste_id;
pub mod pivots;
mod practice;
mod previews;
pub mod recipes;
pub mod scenarios;
mod tour;
mod where_am_i;

pub use shell::Sidebar;
