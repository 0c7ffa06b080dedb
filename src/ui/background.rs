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
    let answer = offer_for(text, settings_json, runbook, tab_url);
    serde_json::to_string(&answer).unwrap_or_default()
}

/// What a click on menu entry `entry_id` does, as JSON `{"open": url}` or `{"explain": reason}`.
#[wasm_bindgen]
pub fn menu_click_json(
    entry_id: &str,
    text: &str,
    settings_json: &str,
    runbook: &str,
    tab_url: &str,
) -> String {
    let answer = offer_for(text, settings_json, runbook, tab_url);
    serde_json::to_string(&answer.menu_action(entry_id)).unwrap_or_default()
}

/// The context menu's fixed entries `[{id, title}]` for the runbook in use.
#[wasm_bindgen]
pub fn menu_entries_json(runbook: &str) -> String {
    serde_json::to_string(&menu_entries(&runbook_or_bundled(runbook))).unwrap_or_default()
}

fn offer_for(text: &str, settings_json: &str, runbook: &str, tab_url: &str) -> Offer {
    let settings: Settings = serde_json::from_str(settings_json).unwrap_or_default();
    offer(text, tab_url, &settings, &runbook_or_bundled(runbook))
}

fn runbook_or_bundled(markdown: &str) -> Runbook {
    Runbook::parse(markdown).unwrap_or_else(|_| Runbook::bundled())
}
