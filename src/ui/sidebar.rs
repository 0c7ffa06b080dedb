//! The sidebar shell: collapsed tab, header, theme, and the page result sections.

use std::rc::Rc;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use super::Theme;

/// What the engineer chose: remembered across reloads in `storage.local["sidebar"]`.
#[derive(Clone, Copy, Serialize, Deserialize, PartialEq, Debug)]
#[serde(default)]
struct Preferences {
    open: bool,
    width: u16,
    left: bool,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            open: false,
            width: 380,
            left: false,
        }
    }
}

#[derive(Deserialize, Default)]
struct Stored {
    #[serde(default)]
    sidebar: Option<Preferences>,
}

/// The page result the sidebar shows.
#[derive(Clone, Default, PartialEq)]
pub struct PageView {
    pub url: String,
    pub kind: String,
    pub org: String,
    pub facts: usize,
}

struct Callbacks {
    post: js_sys::Function,
    save: js_sys::Function,
}

#[derive(Clone)]
pub struct SidebarState {
    page: RwSignal<Option<PageView>>,
    prefs: RwSignal<Preferences>,
    theme: RwSignal<Theme>,
    callbacks: Rc<Callbacks>,
}

impl SidebarState {
    pub fn new(stored: &str, post: js_sys::Function, save: js_sys::Function) -> Self {
        // Bad stored preferences fall back to defaults rather than breaking the sidebar.
        let stored: Stored = serde_json::from_str(stored).unwrap_or_default();
        Self {
            page: RwSignal::new(None),
            prefs: RwSignal::new(stored.sidebar.unwrap_or_default()),
            theme: RwSignal::new(Theme::default()),
            callbacks: Rc::new(Callbacks { post, save }),
        }
    }

    pub fn show_page(&self, url: &str, raw: &serde_json::Value) {
        let facts = raw
            .get("facts")
            .and_then(|f| f.as_array())
            .map_or(0, Vec::len);
        self.page.set(Some(PageView {
            url: url.to_owned(),
            kind: "other".into(),
            org: String::new(),
            facts,
        }));
    }

    pub fn set_theme(&self, theme: Theme) {
        self.theme.set(theme);
    }

    pub fn toggle(&self) {
        self.prefs.update(|p| p.open = !p.open);
        self.remember();
    }

    /// Tells the page probe how big the frame should be.
    pub fn announce_layout(&self) {
        let prefs = self.prefs.get_untracked();
        let message = serde_json::json!({
            "type": "layout", "open": prefs.open, "width": prefs.width,
            "side": if prefs.left { "left" } else { "right" },
        });
        self.post(&message);
    }

    fn remember(&self) {
        self.announce_layout();
        let prefs = serde_json::to_string(&self.prefs.get_untracked()).unwrap_or_default();
        let _ = self
            .callbacks
            .save
            .call2(&JsValue::NULL, &"sidebar".into(), &prefs.into());
    }

    fn post(&self, message: &serde_json::Value) {
        let _ = self
            .callbacks
            .post
            .call1(&JsValue::NULL, &message.to_string().into());
    }
}

#[component]
pub fn Sidebar(state: SidebarState) -> impl IntoView {
    let page = state.page;
    let prefs = state.prefs;
    let theme = state.theme;
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-theme", theme.get().as_str());
        }
    });
    let toggle = {
        let state = state.clone();
        move |_| state.toggle()
    };
    let kind = move || page.with(|p| p.as_ref().map(|p| p.kind.clone()).unwrap_or_default());
    let org = move || page.with(|p| p.as_ref().map(|p| p.org.clone()).unwrap_or_default());
    view! {
        <div class="pl-root" data-testid="pl-sidebar" data-page-kind=kind data-org=org
            data-open=move || prefs.get().open.to_string()>
            <button class="pl-tab" type="button" on:click=toggle.clone()
                aria-expanded=move || prefs.get().open.to_string()
                aria-controls="pl-panel" title="Pivot Lens (Alt+Shift+Y)">
                <span class="pl-tab-label">"Pivot Lens"</span>
            </button>
            <main id="pl-panel" class="pl-panel" aria-label="Pivot Lens">
                <header class="pl-header">
                    <h1>"Pivot Lens"</h1>
                    <button type="button" class="pl-close" on:click=toggle aria-label="Collapse the sidebar">"×"</button>
                </header>
                {move || match page.get() {
                    None => view! { <p class="pl-muted" role="status">"Reading this page…"</p> }.into_any(),
                    Some(p) => view! {
                        <section aria-label="Where am I">
                            <p><strong>{p.kind.clone()}</strong>" page · "{p.facts}" facts"</p>
                        </section>
                    }.into_any(),
                }}
            </main>
        </div>
    }
}
