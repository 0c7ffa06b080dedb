//! Entry points for the background (extension/background.js): the context menu and the
//! `pivot-lens:classify` message both answer from `core::context_menu::followups`, so the two cannot disagree.
//!
//! Common arguments: `stored` is the JSON of `storage.local` (its `settings` and `runbook`) plus
//! `managed`, the team policy, which decide the settings and runbook in force
//! (`StoredConfig::in_force`); `tab_url` the page the text was selected on (empty when unknown).

use wasm_bindgen::prelude::*;

use crate::core::config::managed::StoredConfig;
use crate::core::context_menu::followups::{menu_entries, offer, Offer};
use crate::core::lens::self_hosted_authority;
use crate::core::recognition::page::classify_url_with_hosts;
use crate::core::sentry_api::{checked_request, MAX_REPLY_BYTES, TIMEOUT_MS};

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

/// Whether the background may fetch `url` for a sidebar in the tab at `tab_url`, as JSON
/// `{"timeoutMs", "maxBytes"}` (the limits to fetch it with) or `{"refused": reason}`: only while
/// the setting in force allows it, only a GET of Sentry's API of that page (`checked_request`).
#[wasm_bindgen]
pub fn api_request_json(url: &str, tab_url: &str, stored: &str) -> String {
    let settings = StoredConfig::from_json(stored).effective().settings;
    let hosts: Vec<String> = self_hosted_authority(&settings).into_iter().collect();
    let hosts: Vec<&str> = hosts.iter().map(String::as_str).collect();
    let answer = if !settings.api_reads {
        Err("reading Sentry's API is turned off")
    } else {
        classify_url_with_hosts(tab_url, &hosts)
            .ok_or("the tab is not a Sentry page")
            .and_then(|page| checked_request(url, &page))
    };
    let json = match answer {
        Ok(()) => serde_json::json!({ "timeoutMs": TIMEOUT_MS, "maxBytes": MAX_REPLY_BYTES }),
        Err(reason) => serde_json::json!({ "refused": reason }),
    };
    json.to_string()
}

/// What JavaScript shares with the core (`core::shared`: limits, message names), as JSON: the
/// build writes it into `shared.js`.
#[wasm_bindgen]
pub fn shared_json() -> String {
    serde_json::to_string(&crate::core::shared::shared()).unwrap_or_default()
}
