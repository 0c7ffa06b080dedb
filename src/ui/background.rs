//! Entry points for the background (extension/background.js): the context menu and the
//! `pivot-lens:classify` message both answer from `core::followups`, so the two cannot disagree.
//!
//! Common arguments: `stored` is the JSON of `storage.local` (its `settings` and `runbook`) plus
//! `managed`, the team policy, which decide the settings and runbook in force
//! (`StoredConfig::in_force`); `tab_url` the page the text was selected on (empty when unknown).

use wasm_bindgen::prelude::*;

use crate::core::followups::{menu_entries, offer, Offer};
use crate::core::managed::StoredConfig;

/// The follow-ups for a selection, as JSON `{kinds, items: [{id, title, url}], needsOrg}`.
#[wasm_bindgen]
pub fn classify_selection_json(text: &str, stored: &str, tab_url: &str) -> String {
    let (settings, runbook) = StoredConfig::from_json(stored).in_force();
    let answer = offer(text, tab_url, &settings, &runbook);
    serde_json::to_string(&answer).unwrap_or_default()
}

/// What a click on menu entry `entry_id` does with the `offer` that `classify_selection_json`
/// returned, as JSON `{"open": url}` or `{"explain": reason}`.
#[wasm_bindgen]
pub fn menu_click_json(entry_id: &str, offer_json: &str) -> String {
    let answer: Offer = serde_json::from_str(offer_json).unwrap_or_default();
    serde_json::to_string(&answer.menu_action(entry_id)).unwrap_or_default()
}

/// The context menu's fixed entries `[{id, title}]` for the runbook in use.
#[wasm_bindgen]
pub fn menu_entries_json(stored: &str) -> String {
    let (_, runbook) = StoredConfig::from_json(stored).in_force();
    serde_json::to_string(&menu_entries(&runbook)).unwrap_or_default()
}
