//! The walkthrough: the steps planned by `core::onboarding::tour`, shown one at a time over the open sidebar.
//! It outlines the sidebar part each step is about and asks the page probe to outline the page's
//! own field (`{type: "highlight", key, value}`). Esc closes, arrows move, Tab stays inside while
//! it is open, and focus goes back where it was. Progress lives in `storage.local.tour`.

use crate::core::protocol::{Field, Outgoing};
use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::state::SidebarState;
use crate::core::lens::Lens;
use crate::core::onboarding::tour::{plan, PageHighlight, TourProgress, TourStep};
use crate::core::runbook::Runbook;
use crate::ui::text::prose;

/// How long a step waits for its target to appear (late content) before it is explained without.
const TARGET_ATTEMPTS: u32 = 8;
const TARGET_RETRY: Duration = Duration::from_millis(120);
const TARGET_CLASS: &str = "pl-tour-target";

/// The tour's state, made by the sidebar shell for its button and its dialog.
#[derive(Clone, Copy)]
pub struct Tour {
    /// The steps for the page shown now.
    steps: Memo<Vec<TourStep>>,
    progress: RwSignal<TourProgress>,
    /// The step shown; `None` while the tour is closed.
    current: RwSignal<Option<usize>>,
    /// What had focus before the tour opened.
    restore_focus: StoredValue<Option<web_sys::Element>, LocalStorage>,
    /// The sidebar element outlined for the current step.
    outlined: StoredValue<Option<web_sys::Element>, LocalStorage>,
    /// The target of the current step did not appear in time.
    target_missing: RwSignal<bool>,
    /// Bumped on every step change, so retries of an earlier step stop.
    generation: StoredValue<u32>,
}

impl Tour {
    pub fn new(progress: TourProgress, lens: Memo<Option<Lens>>, runbook: Arc<Runbook>) -> Self {
        let progress = RwSignal::new(progress);
        let current = RwSignal::new(None);
        Self {
            // Planned only while the tour may show: once seen and closed, a live page's reports
            // no longer plan it (each plan matches every pivot against every scenario).
            steps: Memo::new(move |_| {
                if progress.with(|p| p.seen) && current.with(Option::is_none) {
                    return Vec::new();
                }
                lens.with(|lens| {
                    lens.as_ref()
                        .map(|lens| plan(lens, &runbook))
                        .unwrap_or_default()
                })
            }),
            progress,
            current,
            restore_focus: StoredValue::new_local(None),
            outlined: StoredValue::new_local(None),
            target_missing: RwSignal::new(false),
            generation: StoredValue::new(0),
        }
    }
}

/// Moves through the steps and remembers where it stands. Copy, so every handler gets one (the
/// sidebar state itself is not `Send`, reactive views need that).
#[derive(Clone, Copy)]
struct Driver {
    state: StoredValue<SidebarState, LocalStorage>,
    tour: Tour,
    steps: Memo<Vec<TourStep>>,
}

impl Driver {
    fn new(state: &SidebarState, tour: Tour) -> Self {
        Self {
            state: StoredValue::new_local(state.clone()),
            tour,
            steps: tour.steps,
        }
    }

    fn tour(&self) -> Tour {
        self.tour
    }

    fn start(&self, step: usize) {
        let tour = self.tour();
        if tour.current.get_untracked().is_none() {
            tour.restore_focus.set_value(document().active_element());
        }
        self.state.with_value(SidebarState::open);
        self.show(step);
    }

    fn show(&self, step: usize) {
        let progress = TourProgress { seen: false, step };
        self.tour().progress.set(progress);
        self.state.with_value(|s| s.save("tour", &progress));
        self.tour().current.set(Some(step));
    }

    fn next(&self) {
        let Some(step) = self.tour().current.get_untracked() else {
            return;
        };
        if step + 1 < self.steps.with_untracked(Vec::len) {
            self.show(step + 1);
        } else {
            self.close();
        }
    }

    fn back(&self) {
        if let Some(step) = self.tour().current.get_untracked() {
            self.show(step.saturating_sub(1));
        }
    }

    fn close(&self) {
        let tour = self.tour();
        let step = tour.current.get_untracked().unwrap_or_default();
        let progress = TourProgress { seen: true, step };
        tour.progress.set(progress);
        self.state.with_value(|s| s.save("tour", &progress));
        tour.current.set(None);
        if let Some(element) = tour.restore_focus.get_value() {
            if let Ok(element) = element.dyn_into::<web_sys::HtmlElement>() {
                let _ = element.focus();
            }
        }
    }
}

/// "Take the tour", in the sidebar header.
#[component]
pub fn TourButton(state: SidebarState, tour: Tour) -> impl IntoView {
    let driver = Driver::new(&state, tour);
    view! {
        <button type="button" class="pl-secondary" data-testid="pl-tour-start"
            on:click=move |_| driver.start(0)>"Take the tour"</button>
    }
}

/// The tour dialog; starts by itself on the first page until the tour has been seen.
#[component]
pub fn TourPanel(state: SidebarState, tour: Tour) -> impl IntoView {
    let driver = Driver::new(&state, tour);
    let (tour, steps) = (driver.tour, driver.steps);
    // Once, on the first page with steps; a tour seen before this frame booted waits for its
    // button (and its steps are not planned until then).
    if !tour.progress.get_untracked().seen {
        Effect::new(move |started: Option<bool>| {
            if started == Some(true) {
                return true;
            }
            let ready = !steps.with(Vec::is_empty);
            if ready {
                let progress = tour.progress.get_untracked();
                driver.start(progress.resume_at(steps.with_untracked(Vec::len)));
            }
            ready
        });
    }

    let next_button = NodeRef::<leptos::html::Button>::new();
    let dialog = NodeRef::<leptos::html::Div>::new();
    let last_highlight = StoredValue::new(None::<PageHighlight>);
    Effect::new(move |_| {
        let step = tour
            .current
            .get()
            .and_then(|i| steps.with(|s| s.get(i).cloned()));
        driver
            .state
            .with_value(|state| highlight_on_page(state, last_highlight, step.as_ref()));
        point_at(tour, step.and_then(|s| s.target));
        request_animation_frame(move || {
            if let Some(button) = next_button.get_untracked() {
                let _ = button.focus();
            }
        });
    });

    let on_keydown = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Escape" => {
            ev.prevent_default();
            driver.close();
        }
        "ArrowRight" | "ArrowDown" => {
            ev.prevent_default();
            driver.next();
        }
        "ArrowLeft" | "ArrowUp" => {
            ev.prevent_default();
            driver.back();
        }
        "Tab" => {
            if let Some(dialog) = dialog.get_untracked() {
                keep_focus_inside(&dialog, &ev);
            }
        }
        _ => {}
    };

    move || {
        let index = tour.current.get()?;
        let (step, count) = steps.with(|s| s.get(index).cloned().map(|step| (step, s.len())))?;
        let last = index + 1 == count;
        Some(view! {
            <div class="pl-tour" role="dialog" aria-modal="true" aria-labelledby="pl-tour-title"
                aria-describedby="pl-tour-body" data-testid="pl-tour" data-step=step.id
                node_ref=dialog on:keydown=on_keydown>
                <p class="pl-muted">{format!("Step {} of {count}", index + 1)}</p>
                <h2 id="pl-tour-title" class="pl-tour-title">{step.title}</h2>
                <div id="pl-tour-body">
                    {step.body.iter().map(|paragraph| view! { <p>{prose(paragraph)}</p> }).collect_view()}
                    {move || tour.target_missing.get().then(|| view! {
                        <p class="pl-muted" data-testid="pl-tour-untargeted">
                            "This part is not on this page; it appears when the page has what it needs."
                        </p>
                    })}
                </div>
                <div class="pl-actions">
                    <button type="button" class="pl-secondary" disabled=index == 0
                        on:click=move |_| driver.back()>"Back"</button>
                    <button type="button" class="pl-button" data-testid="pl-tour-next" node_ref=next_button
                        on:click=move |_| driver.next()>{if last { "Finish" } else { "Next" }}</button>
                    <button type="button" class="pl-secondary" data-testid="pl-tour-close"
                        on:click=move |_| driver.close()>"Close tour"</button>
                </div>
            </div>
        })
    }
}

/// Asks the probe to outline the step's page field, or to remove the outline.
fn highlight_on_page(
    state: &SidebarState,
    last: StoredValue<Option<PageHighlight>>,
    step: Option<&TourStep>,
) {
    let wanted = step.and_then(|s| s.highlight.clone());
    if last.with_value(|last| *last == wanted) {
        return;
    }
    state.post(&Outgoing::Highlight {
        field: wanted.as_ref().map(|h| Field {
            key: h.key.clone(),
            value: h.value.clone(),
        }),
    });
    last.set_value(wanted);
}

/// Outlines the step's sidebar target, waiting briefly for it to appear.
fn point_at(tour: Tour, selector: Option<String>) {
    if let Some(old) = tour.outlined.get_value() {
        let _ = old.class_list().remove_1(TARGET_CLASS);
    }
    tour.outlined.set_value(None);
    tour.target_missing.set(false);
    tour.generation.update_value(|g| *g += 1);
    if let Some(selector) = selector {
        look_for(tour, selector, tour.generation.get_value(), 0);
    }
}

fn look_for(tour: Tour, selector: String, generation: u32, attempt: u32) {
    if tour.generation.get_value() != generation {
        return;
    }
    match document().query_selector(&selector).ok().flatten() {
        Some(target) => {
            let _ = target.class_list().add_1(TARGET_CLASS);
            // Centred: the sticky header covers the top and the tour dialog the bottom.
            let options = web_sys::ScrollIntoViewOptions::new();
            options.set_block(web_sys::ScrollLogicalPosition::Center);
            target.scroll_into_view_with_scroll_into_view_options(&options);
            tour.outlined.set_value(Some(target));
        }
        None if attempt + 1 < TARGET_ATTEMPTS => set_timeout(
            move || look_for(tour, selector, generation, attempt + 1),
            TARGET_RETRY,
        ),
        None => tour.target_missing.set(true),
    }
}

/// Tab and Shift+Tab cycle through the dialog's controls.
fn keep_focus_inside(dialog: &web_sys::HtmlDivElement, ev: &leptos::ev::KeyboardEvent) {
    let Ok(controls) = dialog.query_selector_all("button:not([disabled]), a[href], input") else {
        return;
    };
    let control = |i: u32| {
        controls
            .item(i)
            .and_then(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
    };
    let (Some(first), Some(last)) = (control(0), control(controls.length().saturating_sub(1)))
    else {
        return;
    };
    let active = document().active_element();
    let inside = active.as_ref().is_some_and(|a| dialog.contains(Some(a)));
    let at = |edge: &web_sys::HtmlElement| active.as_ref().is_some_and(|a| a == edge.as_ref());
    let wrap_to = if ev.shift_key() && (at(&first) || !inside) {
        Some(last)
    } else if !ev.shift_key() && (at(&last) || !inside) {
        Some(first)
    } else {
        None
    };
    if let Some(target) = wrap_to {
        ev.prevent_default();
        let _ = target.focus();
    }
}
