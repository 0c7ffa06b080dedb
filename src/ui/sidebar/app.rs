//! The sidebar frame's wasm entry point: `sidebar.js` feeds probe messages and storage changes in
//! and gets layout changes and storage writes out.

use std::cell::RefCell;

use leptos::prelude::*;
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use super::state::{SidebarState, Theme};
use super::Sidebar;
use crate::core::config::managed::StoredConfig;
use crate::core::protocol::ProbeSays;
use crate::core::recognition::page_entries::{PageEntries, ProbeEntry};
use crate::core::recognition::probe_keys::ProbeKeys;

/// A message from this tab's page probe (extension/probe/main.js and probe/channel.js; what goes out is
/// `protocol::Outgoing`): a `page` report (the entries that changed, see `page_entries`), a
/// `theme` change or a `toggle`. One flat struct, not a tagged
/// enum: serde's internally tagged and flattened forms buffer the whole message before reading it,
/// which costs a copy of every fact and their own code in the wasm.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProbeMessage {
    r#type: ProbeSays,
    #[serde(default)]
    theme: Theme,
    /// Sent by the probe only on the bundled practice pages (extension pages).
    #[serde(default)]
    practice: bool,
    url: Option<String>,
    /// The report replaces every entry (a new page, or this frame just connected).
    #[serde(default)]
    full: bool,
    #[serde(default)]
    entries: Vec<ProbeEntry>,
    #[serde(default)]
    gone: Vec<u64>,
}

/// The sidebar as seen from `sidebar.js`: it feeds probe messages in, and gets layout changes and
/// storage writes out through the two callbacks.
#[wasm_bindgen]
pub struct SidebarApp {
    state: SidebarState,
    /// The page's entries, as the probe's reports left them.
    page: RefCell<PageEntries>,
    /// The URL of a page report read but not yet shown: it is shown in the next task
    /// (`render_more`), so reading a big report and computing its lens are two tasks, and reports
    /// that arrive faster than they can be shown are coalesced into the latest.
    unshown: RefCell<Option<String>>,
}

#[wasm_bindgen]
impl SidebarApp {
    /// `stored` is the JSON of `storage.local` plus the team policy (`managed`); `runbook` the
    /// JSON of the runbook model in force (see `runbook_sources`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        stored: &str,
        runbook: &str,
        post: js_sys::Function,
        save: js_sys::Function,
    ) -> SidebarApp {
        crate::ui::panic::install_quiet_panic_hook();
        let state = SidebarState::new(stored, runbook, post, save);
        let mounted = state.clone();
        leptos::mount::mount_to_body(move || view! { <Sidebar state=mounted/> });
        state.announce_layout();
        SidebarApp {
            state,
            page: RefCell::default(),
            unshown: RefCell::default(),
        }
    }

    /// The runbook documents (markdown) that may be in force, best first: the team's when the
    /// policy locks it, else the engineer's import. `sidebar.js` compiles the first that parses
    /// (with the extension pages' wasm, loaded only then) and uses the bundled model when none does.
    pub fn runbook_sources(stored: &str) -> Vec<String> {
        StoredConfig::from_json(stored).runbook_sources()
    }

    /// The row keys the page probe reads (JSON of `ProbeKeys`), sent with this frame's hello.
    pub fn probe_keys(&self) -> String {
        serde_json::to_string(&ProbeKeys::of(&self.state.runbook)).unwrap_or_default()
    }

    /// Gives the investigations their storage writer: `write(json)` with `{set, remove}` returns
    /// the promise of `storage.local.set` then `remove`. Writes that finish a migration go first.
    pub fn connect_storage(&self, write: js_sys::Function) {
        self.state.investigating.connect(write);
    }

    /// Gives the sidebar its line to Sentry's API: `get(url)` resolves to the JSON of the
    /// background's reply (`core::sentry_api::Reply`), `abort()` gives up what is in flight.
    pub fn connect_api(&self, get: js_sys::Function, abort: js_sys::Function) {
        self.state.api.connect(get, abort);
    }

    /// Shown in the browser's own side panel (`sidebar.html?docked`), not in a frame on the page.
    pub fn set_docked(&self) {
        self.state.set_docked();
    }

    /// Docked, and the tab in view is not a Sentry page.
    pub fn show_elsewhere(&self) {
        self.state.show_elsewhere();
    }

    /// The Dock button's request was refused (Firefox): the sidebar says how to dock.
    pub fn explain_docking(&self) {
        self.state.explain_docking();
    }

    /// Forwards `storage.onChanged` (`{key: newValue or null}`), so tabs stay in sync.
    pub fn storage_changed(&self, changes: &str) {
        self.state.investigating.storage_changed(changes);
    }

    /// Adds the next part of a big result to the panel; true when there may be more (call again
    /// in a later task), false once the whole result is shown.
    pub fn render_more(&self) -> bool {
        match self.unshown.take() {
            Some(url) => {
                let page = self.page.borrow().page(url);
                self.state.show_page(page);
                true
            }
            None => self.state.render_more(),
        }
    }

    /// Handles one probe message; returns the URL whose result is shown once `render_more` has
    /// nothing more to add, if any.
    pub fn receive(&self, message: &str) -> Result<Option<String>, JsError> {
        let message: ProbeMessage = serde_json::from_str(message)?;
        Ok(match message.r#type {
            ProbeSays::Page => {
                let url = message
                    .url
                    .ok_or_else(|| JsError::new("a page message without its url"))?;
                self.state.set_theme(message.theme);
                self.state.set_practice(message.practice);
                self.page
                    .borrow_mut()
                    .apply(message.full, &message.gone, message.entries);
                self.unshown.replace(Some(url.clone()));
                Some(url)
            }
            ProbeSays::Theme => {
                self.state.set_theme(message.theme);
                None
            }
            ProbeSays::Toggle => {
                self.state.toggle();
                None
            }
        })
    }
}
