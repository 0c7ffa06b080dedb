//! The sidebar, one feature per file. `app` is the wasm entry point `sidebar.js` drives; `shell`
//! lays out the collapsed tab, header and sections; `state` holds the handles they share (no
//! component imports another's state through the shell, tests/structure.rs).

pub mod app;
mod shell;
pub mod state;

mod api_reads;
mod clipboard;
mod paste_id;
mod pivots;
mod practice;
mod previews;
mod recipes;
mod scenarios;
mod tour;
mod where_am_i;

pub use shell::Sidebar;
