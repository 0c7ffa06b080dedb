//! The sidebar shell: collapsed tab, header, filter, states, and the feature sections.

use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use super::api_reads::{facts_for, ApiReader, ApiState};
use super::practice::Practice;
use super::previews::PreviewLoader;
use super::scenarios::{Investigating, ScenarioSources, Scenarios};
use super::sidebar_app::Theme;
use super::tour::{Tour, TourButton, TourPanel};
use super::{
    paste_id::PasteId,
    pivots::Pivots,
    recipes::Recipes,
    where_am_i::{StartingPoints, WhereAmI},
};
use crate::core::facts::{FactMemory, RawFacts};
use crate::core::lens::{lens_remembering, Lens, LensInput};
use crate::core::managed::StoredConfig;
use crate::core::runbook::Runbook;
use crate::core::settings::{Settings, SidebarDefaults};
use crate::core::tour::TourProgress;

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
    pub(super) raw: RwSignal<Option<RawFacts>>,
    pub(super) typed: RwSignal<BTreeMap<String, String>>,
    pub(super) lens: Memo<Option<Lens>>,
    pub(super) runbook: Arc<Runbook>,
    pub(super) settings: Arc<Settings>,
    pub(super) investigating: Investigating,
    prefs: RwSignal<Preferences>,
    theme: RwSignal<Theme>,
    callbacks: Rc<Callbacks>,
    pub(super) tour: Tour,
    /// The page is one of the bundled practice pages (an extension page, never a web page).
    pub(super) practice: RwSignal<bool>,
    pub(super) drawing: Drawing,
    /// Sentry's own record of the item in view (`api_reads.rs`).
    pub(super) api: ApiReader,
    /// Shown in the browser's own side panel: always open, sized by the browser.
    pub(super) docked: RwSignal<bool>,
    /// Docked, and the tab in view is not a Sentry page we read.
    pub(super) elsewhere: RwSignal<bool>,
    /// Why the Dock button could not dock here, and how to (Firefox opens its sidebar only itself).
    pub(super) dock_help: RwSignal<Option<&'static str>>,
}

/// How much of a big panel is in the document yet. A first render of hundreds of rows is cut
/// into parts (`render_more`), because Firefox runs this frame on the page's own thread: one long
/// render there is a long task of the page's. `sidebar.js` adds a part per task in Firefox only.
#[derive(Clone, Copy)]
pub(super) struct Drawing {
    /// Pivot rows that may be in the document.
    pub(super) pivot_rows: RwSignal<usize>,
    /// Checklist cards that may be in the document: they come after the pivots, a few per task,
    /// and then they stay.
    pub(super) scenario_cards: RwSignal<usize>,
    /// The page's result is wholly shown (the page has said `ready`): only then does the sidebar
    /// ask Sentry anything, so in Firefox, where this frame shares the page's thread, the API's
    /// replies never delay `ready`.
    pub(super) settled: RwSignal<bool>,
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
            tour: Tour::new(stored.tour.unwrap_or_default(), lens, runbook.clone()),
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
    fn resize(&self, delta: i32) {
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
    pub(super) fn open(&self) {
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
        self.post(&serde_json::json!({
            "type": "layout", "open": prefs.open, "width": prefs.width,
            "side": if prefs.left { "left" } else { "right" },
        }));
    }

    fn remember(&self) {
        self.announce_layout();
        self.save("sidebar", &self.prefs.get_untracked());
    }

    /// Writes one `storage.local` entry.
    pub(super) fn save(&self, key: &str, value: &impl Serialize) {
        let json = serde_json::to_string(value).unwrap_or_default();
        let _ = self
            .callbacks
            .save
            .call2(&JsValue::NULL, &key.into(), &json.into());
    }

    /// Gives focus back to the page (Esc).
    fn release_focus(&self) {
        self.post(&serde_json::json!({ "type": "blur" }));
    }

    pub(super) fn post(&self, message: &serde_json::Value) {
        let _ = self
            .callbacks
            .post
            .call1(&JsValue::NULL, &message.to_string().into());
    }
}

const MIN_WIDTH: u16 = 280;
const MAX_WIDTH: u16 = 720;
const WIDTH_STEP: i32 = 20;

fn clamp_width(width: i32) -> u16 {
    u16::try_from(width.clamp(i32::from(MIN_WIDTH), i32::from(MAX_WIDTH))).unwrap_or(MIN_WIDTH)
}

#[component]
pub fn Sidebar(state: SidebarState) -> impl IntoView {
    let SidebarState {
        lens,
        prefs,
        theme,
        typed,
        runbook,
        settings,
        ..
    } = state.clone();
    let filter = RwSignal::new(String::new());
    let scenario_sources = ScenarioSources::of(&state);
    let practice = state.practice;
    let drawing = state.drawing;
    // Solved exercises outlive re-renders of the lens.
    let solved = RwSignal::new(Vec::<String>::new());
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-theme", theme.get().as_str());
        }
    });
    let toggle = {
        let state = state.clone();
        move |_| state.toggle()
    };
    let on_keydown = {
        let state = state.clone();
        move |ev: leptos::ev::KeyboardEvent| {
            // The tour handles its own Esc (and prevents the default) first.
            if ev.key() == "Escape" && !ev.default_prevented() {
                state.release_focus();
            }
        }
    };
    let kind = move || {
        lens.with(|l| {
            l.as_ref()
                .map(|l| l.kind.as_str().to_owned())
                .unwrap_or_default()
        })
    };
    let org = move || lens.with(|l| l.as_ref().map(|l| l.org.clone()).unwrap_or_default());
    let docked = state.docked;
    let open = move || (docked.get() || prefs.get().open).to_string();
    let api = state.api.clone();
    let api_state = api.state;
    // Follow-up cards count what their query finds while in view (the same rules as the API).
    let shows_previews = settings.shows_previews() && api.enabled();
    let preview_page = Memo::new(move |_| {
        lens.with(|l| {
            l.as_ref()
                .filter(|l| !l.host.is_empty() && !l.org.is_empty())
                .map(|l| (l.host.clone(), l.org.clone()))
        })
    });
    provide_context(StoredValue::new_local(PreviewLoader::new(
        api.clone(),
        drawing.settled.into(),
        Signal::derive(move || {
            if !shows_previews {
                Some("Counts are off (options).")
            } else if practice.get() {
                Some("No counts on practice pages.")
            } else {
                None
            }
        }),
        preview_page,
    )));
    // Sentry's API is asked about the item in view while the panel is open (never on practice
    // pages, which stand for a Sentry the engineer may not be signed in to).
    let api_target = part(lens, |l| (l.url.clone(), l.api_target.clone()));
    let settled = drawing.settled;
    Effect::new(move |_| {
        let Some((url, target)) = api_target.get() else {
            return;
        };
        if !settled.get() {
            return;
        }
        let open = prefs.with(|p| p.open) && !practice.get();
        api.follow(&url, target, open);
    });
    let reading = Memo::new(move |_| lens.with(Option::is_none));
    let (elsewhere, dock_help) = (state.elsewhere, state.dock_help);
    let no_page = Memo::new(|_| None::<String>);
    let page_url = part(lens, |l| l.url.clone());
    // The checklists mount once their first cards are due; adding cards is their own business.
    let checklists_due = Memo::new(move |_| drawing.scenario_cards.get() > 0);
    view! {
        // One landmark and one heading whether collapsed or open (the panel hides when collapsed).
        <main class="pl-root" data-testid="pl-sidebar" data-page-kind=kind data-org=org data-open=open
            data-docked=move || docked.get().to_string()
            data-api=move || api_state.get().as_str()
            aria-label="Pivot Lens" on:keydown=on_keydown>
            <h1 class="pl-visually-hidden">"Pivot Lens"</h1>
            <button class="pl-tab" type="button" data-testid="pl-toggle" on:click=toggle.clone() aria-expanded=open
                aria-controls="pl-panel" title="Pivot Lens (Alt+Shift+Y)">
                <span class="pl-tab-label">"Pivot Lens"</span>
            </button>
            <div id="pl-panel" class="pl-panel">
                <ResizeHandle state=state.clone()/>
                <header class="pl-header">
                    <span class="pl-title" aria-hidden="true">"Pivot Lens"</span>
                    <a class="pl-header-link" href="glossary.html" target="_blank" rel="noopener">"Glossary"</a>
                    <TourButton state=state.clone()/>
                    <DockButton state=state.clone()/>
                    <button type="button" class="pl-close" data-testid="pl-toggle" on:click=toggle aria-label="Collapse the sidebar">"×"</button>
                </header>
                {move || dock_help.get().map(|help| view! {
                    <p class="pl-muted" role="status" data-testid="pl-dock-help">{help}</p>
                })}
                // Built once the page is first read; from then on each section follows only its
                // part of the lens, so a live page (logs appending) re-renders what changed, and the
                // filter and typed inputs keep their focus.
                {move || if elsewhere.get() {
                    view! {
                        <p class="pl-muted" role="status" data-testid="pl-not-sentry">
                            "This tab is not a Sentry page. Switch to a Sentry tab, or paste an id below."
                        </p>
                        <PasteId runbook=runbook.clone() settings=settings.clone() page_url=no_page/>
                    }.into_any()
                } else if reading.get() {
                    view! { <p class="pl-muted" role="status">"Reading this page…"</p> }.into_any()
                } else {
                    let (paste_runbook, paste_settings) = (runbook.clone(), settings.clone());
                    let scenario_sources = scenario_sources.clone();
                    view! {
                        <label class="pl-filter">
                            <span class="pl-visually-hidden">"Filter pivots and queries"</span>
                            <input type="search" placeholder="Filter pivots and queries" data-testid="pl-filter"
                                prop:value=move || filter.get()
                                on:input=move |ev| filter.set(event_target_value(&ev))/>
                        </label>
                        <Warnings lens=lens api=api_state/>
                        <Practice practice=practice runbook=runbook.clone() lens=lens solved=solved/>
                        // The next hop first: where this is, then the queries it fills.
                        <WhereAmI lens=lens/>
                        <Recipes lens=lens filter=filter typed=typed/>
                        <Pivots lens=lens filter=filter rows=drawing.pivot_rows/>
                        <StartingPoints lens=lens/>
                        <PasteId runbook=paste_runbook.clone() settings=paste_settings.clone() page_url=page_url/>
                        {move || checklists_due.get().then(|| view! {
                            <Scenarios sources=scenario_sources.clone() cards=drawing.scenario_cards/>
                        })}
                    }.into_any()
                }}
            </div>
            <TourPanel state=state.clone()/>
        </main>
    }
}

/// The part of the lens one section shows, as a memo of its own: the section re-renders only when
/// that part changes (None until the page is first read).
pub(super) fn part<T>(
    lens: Memo<Option<Lens>>,
    pick: impl Fn(&Lens) -> T + Send + Sync + 'static,
) -> Memo<Option<T>>
where
    T: PartialEq + Send + Sync + 'static,
{
    Memo::new(move |_| lens.with(|l| l.as_ref().map(&pick)))
}

/// Guardrail messages (contract: `pl-warning` with `data-kind`), and why Sentry's API could not
/// be read (`api`).
#[component]
fn Warnings(lens: Memo<Option<Lens>>, api: RwSignal<ApiState>) -> impl IntoView {
    let shown = part(lens, |l| (l.warnings.clone(), l.failed_rules.clone()));
    move || {
        let api_problem = match api.get() {
            ApiState::Error(problem) => Some(problem.message()),
            _ => None,
        };
        let (warnings, failed_rules) = shown.get().unwrap_or_default();
        let failed = (!failed_rules.is_empty()).then(|| {
            format!(
                "Some of this page could not be read ({}); the rest is shown.",
                failed_rules.join(", ")
            )
        });
        view! {
            <div class="pl-warnings" role="status">
                {warnings.into_iter().map(|w| view! {
                    <p class="pl-warning" data-testid="pl-warning" data-kind=w.kind>{w.message}</p>
                }).collect_view()}
                {failed.map(|message| view! { <p class="pl-warning" data-testid="pl-warning" data-kind="unsupported">{message}</p> })}
                {api_problem.map(|message| view! { <p class="pl-warning" data-testid="pl-warning" data-kind="api">{message}</p> })}
            </div>
        }
    }
}

/// Moves the sidebar between the page and the browser's own panel: "Dock" on a page (Chrome opens
/// its side panel; Firefox gets told how), "Undock" in the panel.
#[component]
fn DockButton(state: SidebarState) -> impl IntoView {
    let docked = state.docked;
    let undock = state.clone();
    view! {
        <button type="button" class="pl-secondary" data-testid="pl-dock" hidden=move || docked.get()
            title="Show Pivot Lens in the browser's side panel, beside the page"
            on:click=move |_| state.post(&serde_json::json!({ "type": "dock" }))>"Dock"</button>
        <button type="button" class="pl-secondary" data-testid="pl-undock" hidden=move || !docked.get()
            title="Show Pivot Lens on the page again"
            on:click=move |_| undock.post(&serde_json::json!({ "type": "undock" }))>"Undock"</button>
    }
}

/// The panel's edge: drag it, or focus it and use the arrow keys, to change the width.
#[component]
fn ResizeHandle(state: SidebarState) -> impl IntoView {
    let prefs = state.prefs;
    let drag_from = RwSignal::new(None::<i32>);
    let keys = state.clone();
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let grow_left = !prefs.get_untracked().left;
        let delta = match ev.key().as_str() {
            "ArrowLeft" => WIDTH_STEP,
            "ArrowRight" => -WIDTH_STEP,
            _ => return,
        };
        ev.prevent_default();
        keys.resize(if grow_left { delta } else { -delta });
    };
    let moved = state.clone();
    view! {
        <div class="pl-resize" role="separator" aria-orientation="vertical" tabindex="0"
            aria-label="Sidebar width" aria-valuemin=MIN_WIDTH aria-valuemax=MAX_WIDTH
            aria-valuenow=move || prefs.get().width data-testid="pl-resize"
            on:keydown=on_keydown
            on:pointerdown=move |ev| {
                if let Some(target) = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok()) {
                    let _ = target.set_pointer_capture(ev.pointer_id());
                }
                drag_from.set(Some(ev.screen_x()));
            }
            on:pointermove=move |ev| {
                if let Some(from) = drag_from.get_untracked() {
                    let delta = from - ev.screen_x();
                    if delta.abs() >= 4 {
                        drag_from.set(Some(ev.screen_x()));
                        moved.resize(if prefs.get_untracked().left { -delta } else { delta });
                    }
                }
            }
            on:pointerup=move |_| drag_from.set(None)></div>
    }
}
