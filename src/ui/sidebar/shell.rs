//! The sidebar shell: collapsed tab, header, filter, states, and the feature sections.

use leptos::prelude::*;

use super::api_reads::ApiState;
use super::practice::Practice;
use super::previews::PreviewLoader;
use super::scenarios::{ScenarioSources, Scenarios};
use super::state::{part, SidebarState, MAX_WIDTH, MIN_WIDTH, WIDTH_STEP};
use super::tour::{Tour, TourButton, TourPanel};
use super::{
    paste_id::PasteId,
    pivots::Pivots,
    recipes::Recipes,
    where_am_i::{StartingPoints, WhereAmI},
};
use crate::core::lens::Lens;
use crate::core::protocol::Outgoing;

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
    let scenario_sources = ScenarioSources {
        runbook: runbook.clone(),
        settings: settings.clone(),
        raw: state.raw,
        typed,
        lens,
        investigating: state.investigating,
    };
    // The walkthrough, shared by its header button and its dialog.
    let tour = Tour::new(state.tour_progress, lens, runbook.clone());
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
                    <TourButton state=state.clone() tour=tour/>
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
            <TourPanel state=state.clone() tour=tour/>
        </main>
    }
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
            on:click=move |_| state.post(&Outgoing::Dock)>"Dock"</button>
        <button type="button" class="pl-secondary" data-testid="pl-undock" hidden=move || !docked.get()
            title="Show Pivot Lens on the page again"
            on:click=move |_| undock.post(&Outgoing::Undock)>"Undock"</button>
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
