//! Browser glue: the wasm entry points and the Leptos components. Everything here is thin: it
//! turns messages into core calls and core results into DOM. One feature per file.

mod background;
mod clipboard;
mod glossary;
mod options;
mod panic;
mod paste_id;
mod pivots;
mod practice;
mod recipes;
mod scenarios;
mod sidebar;
mod text;
mod tour;
mod where_am_i;

use leptos::prelude::*;
use serde::Deserialize;
use wasm_bindgen::prelude::*;

pub use sidebar::SidebarState;

use crate::core::facts::RawFacts;

/// Messages from this tab's page probe (extension/content.js).
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
enum ProbeMessage {
    Page {
        theme: Theme,
        /// Sent by the probe only on the bundled practice pages (extension pages).
        #[serde(default)]
        practice: bool,
        #[serde(flatten)]
        raw: RawFacts,
    },
    Theme {
        theme: Theme,
    },
    Toggle,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug, Default)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

impl Theme {
    fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// The sidebar as seen from `sidebar.js`: it feeds probe messages in, and gets layout changes and
/// storage writes out through the two callbacks.
#[wasm_bindgen]
pub struct SidebarApp {
    state: SidebarState,
}

#[wasm_bindgen]
impl SidebarApp {
    /// `stored` is the JSON of `storage.local` (sidebar preferences, imported runbook).
    #[wasm_bindgen(constructor)]
    pub fn new(stored: &str, post: js_sys::Function, save: js_sys::Function) -> SidebarApp {
        panic::install_quiet_panic_hook();
        let state = SidebarState::new(stored, post, save);
        let mounted = state.clone();
        leptos::mount::mount_to_body(move || view! { <sidebar::Sidebar state=mounted/> });
        state.announce_layout();
        SidebarApp { state }
    }

    /// Gives the investigations their storage writer: `write(json)` with `{set, remove}` returns
    /// the promise of `storage.local.set` then `remove`. Writes that finish a migration go first.
    pub fn connect_storage(&self, write: js_sys::Function) {
        self.state.investigating.connect(write);
    }

    /// Forwards `storage.onChanged` (`{key: newValue or null}`), so tabs stay in sync.
    pub fn storage_changed(&self, changes: &str) {
        self.state.investigating.storage_changed(changes);
    }

    /// Handles one probe message; returns the URL whose result is now shown, if any.
    pub fn receive(&self, message: &str) -> Result<Option<String>, JsError> {
        let message: ProbeMessage = serde_json::from_str(message)?;
        Ok(match message {
            ProbeMessage::Page {
                theme,
                practice,
                raw,
            } => {
                let url = raw.url.clone();
                self.state.set_theme(theme);
                self.state.set_practice(practice);
                self.state.show_page(raw);
                Some(url)
            }
            ProbeMessage::Theme { theme } => {
                self.state.set_theme(theme);
                None
            }
            ProbeMessage::Toggle => {
                self.state.toggle();
                None
            }
        })
    }
}
