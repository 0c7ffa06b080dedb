//! Entry points for the background (extension/background.js): the context menu and the
//! `pivot-lens:classify` message both answer from `core::followups`, so the two cannot disagree.
//!
//! Common arguments: `settings_json` is `storage.local.settings` (defaults when absent or
//! invalid), `runbook` an imported runbook (the bundled one when empty or invalid), `tab_url` the
//! page the text was selected on (empty when unknown).

use wasm_bindgen::prelude::*;

use crate::core::followups::{menu_entries, offer, Offer};
use crate::core::runbook::Runbook;
use crate::core::settings::Settings;

/// The follow-ups for a selection, as JSON `{kinds, items: [{id, title, url}], needsOrg}`.
#[wasm_bindgen]
pub fn classify_selection_json(
    text: &str,
    settings_json: &str,
    runbook: &str,
    tab_url: &str,
) -> String {
    let settings: Settings = serde_json::from_str(settings_json).unwrap_or_default();
    let answer = offer(text, tab_url, &settings, &runbook_or_bundled(runbook));
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
pub fn menu_entries_json(runbook: &str) -> String {
    serde_json::to_string(&menu_entries(&runbook_or_bundled(runbook))).unwrap_or_default()
}

fn runbook_or_bundled(markdown: &str) -> Runbook {
    Runbook::parse(markdown).unwrap_or_else(|_| Runbook::bundled())
}
