//! The context menu (and the sidebar's paste box): what a selected text may be (`classify`) and
//! the follow-ups it leads to (`followups`).

pub mod classify;
pub mod followups;
