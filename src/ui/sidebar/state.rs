//! The sidebar's state: what it was given (stored preferences, settings, the runbook), what the
//! page reported, what it derives (the lens) and its lines out (to the page probe, to storage).
//! Components read the parts they need; this module knows none of them.

use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use crate::core::config::managed::StoredConfig;
use crate::core::config::settings::{Settings, SidebarDefaults};
use crate::core::lens::{lens_remembering, Lens, LensInput};
use crate::core::onboarding::tour::TourProgress;
use crate::core::protocol::{Outgoing, Side};
use crate::core::recognition::facts::{FactMemory, RawFacts};
use crate::core::runbook::Runbook;
use crate::ui::sidebar::api_reads::{facts_for, ApiReader};
use crate::ui::sidebar::investigations::Investigating;

/// What the engineer chose: remembered across reloads in `storage.local["sidebar"]`.
#[derive(Clone, Copy, Serialize, Deserialize, PartialEq, Debug)]
#[serde(default)]
pub(in crate::ui) struct Preferences {
    pub(in crate::ui) open: bool,
    pub(in crate::ui) width: u16,
    pub(in crate::ui) left: bool,
}

impl Default for Preferences {
    fn default() -> Self {
        Self::from(SidebarDefaults::default())
    }
}

/// Before the engineer moves or resizes the sidebar, it starts as the options say.
impl From<SidebarDefaults> for Preferences {
    fn from(defaults: SidebarDefaults) -> Self {
        Self {
            open: defaults.open,
            width: defaults.width,
            left: defaults.left,
        }
    }
}

/// `storage.local` as the sidebar reads it. Every entry is optional and a bad one falls back to
/// its default, so corrupt storage never breaks the sidebar.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Stored {
    sidebar: Option<Preferences>,
    /// Read field by field (`Settings::load`), so one bad value keeps the others.
    settings: serde_json::Value,
    /// The team policy, which wins over the user's settings.
    managed: serde_json::Value,
    tour: Option<TourProgress>,
}

struct Callbacks {
    post: js_sys::Function,
    save: js_sys::Function,
}

#[derive(Clone)]
pub struct SidebarState {
    pub(in crate::ui) raw: RwSignal<Option<RawFacts>>,
    pub(in crate::ui) typed: RwSignal<BTreeMap<String, String>>,
    pub(in crate::ui) lens: Memo<Option<Lens>>,
    pub(in crate::ui) runbook: Arc<Runbook>,
    pub(in crate::ui) settings: Arc<Settings>,
    pub(in crate::ui) investigating: Investigating,
    pub(in crate::ui) prefs: RwSignal<Preferences>,
    pub(in crate::ui) theme: RwSignal<Theme>,
    callbacks: Rc<Callbacks>,
    /// Where the walkthrough stood when this frame booted (`tour.rs` runs it).
    pub(in crate::ui) tour_progress: TourProgress,
    /// The page is one of the bundled practice pages (an extension page, never a web page).
    pub(in crate::ui) practice: RwSignal<bool>,
    pub(in crate::ui) drawing: Drawing,
    /// Sentry's own record of the item in view (`api_reads.rs`).
    pub(in crate::ui) api: ApiReader,
    /// Shown in the browser's own side panel: always open, sized by the browser.
    pub(in crate::ui) docked: RwSignal<bool>,
    /// Docked, and the tab in view is not a Sentry page we read.
    pub(in crate::ui) elsewhere: RwSignal<bool>,
    /// Why the Dock button could not dock here, and how to (Firefox opens its sidebar only itself).
    pub(in crate::ui) dock_help: RwSignal<Option<&'static str>>,
}

/// How much of a big panel is in the document yet. A first render of hundreds of rows is cut
/// into parts (`render_more`), because Firefox runs this frame on the page's own thread: one long
/// render there is a long task of the page's. `sidebar.js` adds a part per task in Firefox only.
#[derive(Clone, Copy)]
pub(in crate::ui) struct Drawing {
    /// Pivot rows that may be in the document.
    pub(in crate::ui) pivot_rows: RwSignal<usize>,
    /// Checklist cards that may be in the document: they come after the pivots, a few per task,
    /// and then they stay.
    pub(in crate::ui) scenario_cards: RwSignal<usize>,
    /// The page's result is wholly shown (the page has said `ready`): only then does the sidebar
    /// ask Sentry anything, so in Firefox, where this frame shares the page's thread, the API's
    /// replies never delay `ready`.
    pub(in crate::ui) settled: RwSignal<bool>,
}

/// Pivot rows added per task: about 20 ms in Firefox on the benchmark's machine.
const PIVOT_ROWS_PER_TASK: usize = 50;
/// Checklist cards added per task: the bundled runbook's six in one task took 45 to 87 ms in
/// Firefox on the benchmark's machine (a 1,000-row drawer page).
const SCENARIO_CARDS_PER_TASK: usize = 2;

impl SidebarState {
    /// `runbook_json` is the compiled runbook model (`runbook.json` or a compiled import); an
    /// unreadable one leaves an empty runbook, which the sidebar reports rather than failing.
    pub fn new(
        stored_json: &str,
        runbook_json: &str,
        post: js_sys::Function,
        save: js_sys::Function,
    ) -> Self {
        let stored: Stored = serde_json::from_str(stored_json).unwrap_or_default();
        let effective = StoredConfig {
            settings: stored.settings,
            managed: stored.managed,
            runbook: None, // the runbook in force comes compiled (`runbook_json`)
        }
        .effective();
        let runbook = Arc::new(serde_json::from_str::<Runbook>(runbook_json).unwrap_or_default());
        let prefs = stored
            .sidebar
            .unwrap_or_else(|| Preferences::from(effective.settings.sidebar));
        let api = ApiReader::new(effective.settings.api_reads);
        let settings = Arc::new(effective.settings);
        let raw = RwSignal::new(None::<RawFacts>);
        let typed = RwSignal::new(BTreeMap::new());
        let (lens_runbook, lens_settings, api_facts) =
            (runbook.clone(), settings.clone(), api.facts);
        // A live page reports its new facts among all it reported before: only those are read.
        let memory = StoredValue::new(FactMemory::default());
        let lens = Memo::new(move |_| {
            raw.with(|raw| {
                let raw = raw.as_ref()?;
                let api = facts_for(api_facts, &raw.url);
                typed.with(|typed| {
                    memory.try_update_value(|memory| {
                        lens_remembering(
                            &LensInput {
                                runbook: &lens_runbook,
                                settings: &lens_settings,
                                raw,
                                typed,
                                api: api.as_deref().unwrap_or_default(),
                            },
                            memory,
                        )
                    })
                })
            })
        });
        Self {
            raw,
            typed,
            lens,
            tour_progress: stored.tour.unwrap_or_default(),
            runbook,
            settings,
            investigating: Investigating::load(stored_json),
            prefs: RwSignal::new(prefs),
            theme: RwSignal::new(Theme::default()),
            callbacks: Rc::new(Callbacks { post, save }),
            practice: RwSignal::new(false),
            drawing: Drawing {
                pivot_rows: RwSignal::new(PIVOT_ROWS_PER_TASK),
                scenario_cards: RwSignal::new(0),
                settled: RwSignal::new(false),
            },
            api,
            docked: RwSignal::new(false),
            elsewhere: RwSignal::new(false),
            dock_help: RwSignal::new(None),
        }
    }

    /// Shown in the browser's own panel from now on.
    pub fn set_docked(&self) {
        self.docked.set(true);
    }

    /// Docked: the tab in view is not a Sentry page (what was shown belonged to another tab).
    pub fn show_elsewhere(&self) {
        if !self.elsewhere.get_untracked() {
            self.elsewhere.set(true);
        }
    }

    /// The Dock button could not open the browser's panel from the page.
    pub fn explain_docking(&self) {
        self.dock_help.set(Some(
            "Firefox opens its sidebar only from its own controls: press Alt+Shift+Y after \
             choosing \"Dock in the browser's side panel\" in the options, or pick Pivot Lens in the \
             sidebar menu (View → Sidebar). Pivot Lens then stays docked there.",
        ));
    }

    pub fn show_page(&self, raw: RawFacts) {
        // Set only on a change: the panel's content is rebuilt whenever this signal is set.
        if self.elsewhere.get_untracked() {
            self.elsewhere.set(false);
        }
        // Values typed for one page do not carry over to the next.
        if self
            .raw
            .with_untracked(|old| old.as_ref().is_some_and(|old| old.url != raw.url))
        {
            self.typed.set(BTreeMap::new());
            self.drawing.pivot_rows.set(PIVOT_ROWS_PER_TASK);
            self.drawing.settled.set(false);
        }
        self.raw.set(Some(raw));
    }

    /// Adds the next part of the panel, if any is missing; true when it added one (call again in
    /// a later task), false when the whole result is shown.
    pub fn render_more(&self) -> bool {
        let Some(pivots) = self
            .lens
            .with_untracked(|l| l.as_ref().map(|l| l.pivots.len()))
        else {
            return false;
        };
        let drawing = self.drawing;
        if drawing.pivot_rows.get_untracked() < pivots {
            drawing
                .pivot_rows
                .update(|rows| *rows += PIVOT_ROWS_PER_TASK);
            return true;
        }
        if drawing.scenario_cards.get_untracked() < self.runbook.domains.len() {
            drawing
                .scenario_cards
                .update(|cards| *cards += SCENARIO_CARDS_PER_TASK);
            return true;
        }
        if !drawing.settled.get_untracked() {
            drawing.settled.set(true);
        }
        false
    }

    pub fn set_theme(&self, theme: Theme) {
        self.theme.set(theme);
    }

    /// Resizes by `delta` pixels (the frame grows leftwards on the right side).
    pub(in crate::ui) fn resize(&self, delta: i32) {
        self.prefs
            .update(|p| p.width = clamp_width(i32::from(p.width) + delta));
        self.remember();
    }

    /// Practice pages show the panel open without changing the engineer's preference.
    pub fn set_practice(&self, practice: bool) {
        self.practice.set(practice);
        if practice && !self.prefs.get_untracked().open {
            self.prefs.update(|p| p.open = true);
            self.announce_layout();
        }
    }

    /// Opens the panel (the tour needs it); remembered like the tab's toggle.
    pub(in crate::ui) fn open(&self) {
        if !self.prefs.get_untracked().open {
            self.toggle();
        }
    }

    pub fn toggle(&self) {
        self.prefs.update(|p| p.open = !p.open);
        self.remember();
    }

    /// Tells the page probe how big the frame should be (docked, the browser decides).
    pub fn announce_layout(&self) {
        if self.docked.get_untracked() {
            return;
        }
        let prefs = self.prefs.get_untracked();
        self.post(&Outgoing::Layout {
            open: prefs.open,
            width: prefs.width,
            side: if prefs.left { Side::Left } else { Side::Right },
        });
    }

    fn remember(&self) {
        self.announce_layout();
        self.save("sidebar", &self.prefs.get_untracked());
    }

    /// Writes one `storage.local` entry.
    pub(in crate::ui) fn save(&self, key: &str, value: &impl Serialize) {
        let json = serde_json::to_string(value).unwrap_or_default();
        let _ = self
            .callbacks
            .save
            .call2(&JsValue::NULL, &key.into(), &json.into());
    }

    /// Gives focus back to the page (Esc).
    pub(in crate::ui) fn release_focus(&self) {
        self.post(&Outgoing::Blur);
    }

    pub(in crate::ui) fn post(&self, message: &Outgoing) {
        let json = serde_json::to_string(message).unwrap_or_default();
        let _ = self.callbacks.post.call1(&JsValue::NULL, &json.into());
    }
}

pub(in crate::ui) const MIN_WIDTH: u16 = 280;
pub(in crate::ui) const MAX_WIDTH: u16 = 720;
pub(in crate::ui) const WIDTH_STEP: i32 = 20;

fn clamp_width(width: i32) -> u16 {
    u16::try_from(width.clamp(i32::from(MIN_WIDTH), i32::from(MAX_WIDTH))).unwrap_or(MIN_WIDTH)
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug, Default)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

impl Theme {
    pub(in crate::ui) fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// The part of the lens one section shows, as a memo of its own: the section re-renders only when
/// that part changes (None until the page is first read).
pub(in crate::ui) fn part<T>(
    lens: Memo<Option<Lens>>,
    pick: impl Fn(&Lens) -> T + Send + Sync + 'static,
) -> Memo<Option<T>>
where
    T: PartialEq + Send + Sync + 'static,
{
    Memo::new(move |_| lens.with(|l| l.as_ref().map(&pick)))
}
