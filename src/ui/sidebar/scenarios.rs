//! Scenario checklists (decisions in `core::checklists::scenarios`): the cards, their steps and
//! notes, and the closed investigations. What is remembered, and its storage I/O, is
//! `investigations.rs`.

use std::collections::BTreeMap;
use std::sync::Arc;

use leptos::prelude::*;

use super::clipboard::copy;
use super::investigations::{Investigating, StepChange};
use crate::core::checklists::investigation::{collectible, Investigation, PivotValue};
use crate::core::checklists::scenarios::{export_markdown, ScenarioPlan, ScenarioView, StepView};
use crate::core::config::settings::Settings;
use crate::core::lens::{Lens, LensInput};
use crate::core::recognition::facts::RawFacts;
use crate::core::runbook::Runbook;

/// What the cards need from the page, kept in one place.
#[derive(Clone)]
struct Page {
    url: Signal<String>,
    pivots: Signal<Vec<PivotValue>>,
}

/// The sidebar state the scenarios read (the shell fills it from its state): only thread-safe
/// handles, as reactive closures need.
#[derive(Clone)]
pub struct ScenarioSources {
    pub runbook: Arc<Runbook>,
    pub settings: Arc<Settings>,
    pub raw: RwSignal<Option<RawFacts>>,
    pub typed: RwSignal<BTreeMap<String, String>>,
    pub lens: Memo<Option<Lens>>,
    pub investigating: Investigating,
}

#[component]
pub fn Scenarios(
    sources: ScenarioSources,
    /// How many cards may be in the document yet (see `Drawing`).
    cards: RwSignal<usize>,
) -> impl IntoView {
    let ScenarioSources {
        runbook,
        settings,
        raw,
        typed,
        lens,
        investigating,
    } = sources;
    let page = Page {
        url: Signal::derive(move || {
            lens.with(|l| l.as_ref().map(|l| l.url.clone()).unwrap_or_default())
        }),
        // A memo: every card and the checklists read it at each page report.
        pivots: Memo::new(move |_| {
            lens.with(|l| {
                l.as_ref()
                    .map(|l| collectible(&l.pivots))
                    .unwrap_or_default()
            })
        })
        .into(),
    };
    let board = investigating.board;
    let plan = ScenarioPlan::of(&runbook);
    let views = {
        let page = page.clone();
        Memo::new(move |_| {
            let pivots = page.pivots.get();
            let remembered: BTreeMap<String, Vec<PivotValue>> = runbook
                .domains
                .iter()
                .filter_map(|d| {
                    board
                        .shown(&d.id, &pivots)
                        .map(|i| (d.id.clone(), i.record.pivots))
                })
                .collect();
            raw.with(|raw| {
                lens.with(|page_lens| {
                    let (raw, page_lens) = raw.as_ref().zip(page_lens.as_ref())?;
                    Some(typed.with(|typed| {
                        plan.fill(
                            &LensInput {
                                runbook: &runbook,
                                settings: &settings,
                                raw,
                                typed,
                                api: &[], // the page lens already holds what the API said
                            },
                            page_lens,
                            &remembered,
                        )
                    }))
                })
            })
            .unwrap_or_default()
        })
    };
    let notices = investigating.notices;
    let card_context = (investigating, page.clone());
    view! {
        <section class="pl-section" aria-labelledby="pl-scenarios">
            <h2 id="pl-scenarios">"Scenarios"</h2>
            <div role="status" class="pl-notices">
                {move || notices.get().into_iter().map(|n| view! {
                    <p class="pl-notice" data-testid="pl-storage-notice" data-key=n.key>{n.message}</p>
                }).collect_view()}
            </div>
            <ul class="pl-scenarios">
                <For each=move || views.with(|all| all.iter().take(cards.get()).cloned().collect::<Vec<_>>())
                    key=|v| v.id.clone() children=move |view| {
                    let (investigating, page) = card_context.clone();
                    let id = view.id.clone();
                    // A memo: the card's steps each read it, and a report that leaves the card as
                    // it was wakes none of them.
                    let current = Memo::new(move |_| {
                        views.with(|all| all.iter().find(|v| v.id == id).cloned())
                    })
                    .into();
                    view! { <ScenarioCard initial=view current=current investigating=investigating page=page/> }
                }/>
            </ul>
            <ClosedInvestigations investigating=investigating views=views/>
        </section>
    }
}

#[component]
fn ScenarioCard(
    initial: ScenarioView,
    current: Signal<Option<ScenarioView>>,
    investigating: Investigating,
    page: Page,
) -> impl IntoView {
    let id = initial.id.clone();
    let shown = {
        let (board, id, page) = (investigating.board, id.clone(), page.clone());
        Memo::new(move |_| board.shown(&id, &page.pivots.get()))
    };
    let heading_id = format!("pl-scenario-{id}");
    let labelled_by = heading_id.clone();
    // The card follows the page: whether it is suggested, and its steps, each kept by id so that a
    // report that changes a step's values updates that step in place (its checkbox keeps focus).
    let suggested = move || current.with(|v| v.as_ref().is_some_and(|v| v.suggested));
    let step_ids = move || {
        current.with(|v| {
            v.as_ref()
                .map(|v| v.steps.iter().map(|s| s.id.clone()).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    };
    let export = move || {
        current
            .get()
            .zip(shown.get())
            .map(|(view, investigation)| export_markdown(&view, &investigation))
            .unwrap_or_default()
    };
    let start = {
        let (investigating, id, page) = (investigating, id.clone(), page.clone());
        move |_| {
            investigating.start(&id, &page.url.get_untracked(), &page.pivots.get_untracked());
        }
    };
    let close = {
        move |_| {
            if let Some(i) = shown.get_untracked() {
                investigating.set_closed(&i.record.id, true);
            }
        }
    };
    let copy_status = RwSignal::new("");
    // A closed card renders only its steps' checkboxes (the automation contract); the rest of
    // each step is built when the card opens. Most cards stay closed, and in Firefox the sidebar
    // renders on the page's own thread.
    let open = RwSignal::new(initial.suggested);
    let step_context = (investigating, page.clone(), id.clone());
    view! {
        <li class="pl-scenario" data-testid="pl-scenario" data-scenario-id=id.clone()
            data-suggested=move || suggested().to_string()
            data-investigation=move || shown.get().map(|i| i.record.id).unwrap_or_default()
            aria-labelledby=labelled_by>
            <details open=initial.suggested on:toggle=move |ev| open.set(details_open(&ev))>
                <summary>
                    <span id=heading_id class="pl-scenario-title">{initial.title.clone()}</span>
                    {move || suggested().then(|| view! { <span class="pl-chip">"Suggested"</span> })}
                </summary>
                <p class="pl-muted">{initial.symptom.clone()}</p>
                <div class="pl-actions">
                    {move || match shown.get() {
                        None => view! {
                            <button type="button" class="pl-secondary" on:click=start.clone()>"Start investigation"</button>
                        }.into_any(),
                        Some(i) => view! {
                            <span class="pl-muted">"Investigation from "{i.record.started_from.clone()}</span>
                            <button type="button" class="pl-secondary" on:click=close>"Close investigation"</button>
                        }.into_any(),
                    }}
                </div>
                <ol class="pl-steps">
                    <For each=step_ids key=String::clone children=move |step_id| {
                        let (investigating, page, scenario) = step_context.clone();
                        let id = step_id.clone();
                        let step = Memo::new(move |_| {
                            current.with(|v| v.as_ref().and_then(|v| v.steps.iter().find(|s| s.id == id).cloned()))
                        });
                        view! { <Step step_id=step_id step=step scenario=scenario shown=shown investigating=investigating page=page card_open=open/> }
                    }/>
                </ol>
                {move || shown.get().is_some().then(|| {
                    view! {
                        <div class="pl-actions">
                            <button type="button" class="pl-button" data-testid="pl-export-copy"
                                on:click=move |_| copy(&export(), move |s| copy_status.set(s))>"Copy as Markdown"</button>
                            <span class="pl-status" role="status">{move || copy_status.get()}</span>
                        </div>
                        <details>
                            <summary>"Markdown for the ticket"</summary>
                            <pre class="pl-export" data-testid="pl-export">{export}</pre>
                        </details>
                    }
                })}
                {(!initial.references.is_empty()).then(|| view! {
                    <p class="pl-muted">"References"</p>
                    <ul class="pl-references">
                        {initial.references.iter().map(|r| view! {
                            <li><a href=r.url.clone() target="_blank" rel="noopener noreferrer">{r.title.clone()}</a>
                                " "<span class="pl-muted" data-testid="pl-reference-host">{format!("({})", r.host)}</span></li>
                        }).collect_view()}
                    </ul>
                })}
            </details>
        </li>
    }
}

#[component]
fn Step(
    step_id: String,
    step: Memo<Option<StepView>>,
    scenario: String,
    shown: Memo<Option<Investigation>>,
    investigating: Investigating,
    page: Page,
    card_open: RwSignal<bool>,
) -> impl IntoView {
    let input_id = format!("pl-step-{scenario}-{step_id}");
    let done = {
        let step_id = step_id.clone();
        move || shown.with(|i| i.as_ref().is_some_and(|i| i.is_done(&step_id)))
    };
    let note = {
        let step_id = step_id.clone();
        move || {
            shown.with(|i| {
                i.as_ref()
                    .map(|i| i.note(&step_id).to_owned())
                    .unwrap_or_default()
            })
        }
    };
    let change = {
        let (investigating, scenario, step_id, page) = (
            investigating,
            scenario.clone(),
            step_id.clone(),
            page.clone(),
        );
        move |change: StepChange| {
            investigating.set_step(
                &scenario,
                &step_id,
                change,
                &page.url.get_untracked(),
                &page.pivots.get_untracked(),
            )
        }
    };
    let on_tick = {
        let change = change.clone();
        move |ev| change(StepChange::Done(event_target_checked(&ev)))
    };
    // The step's title and kind come from the runbook, which does not change under a mounted card.
    let (title, kind) = step.with_untracked(|s| {
        s.as_ref()
            .map(|s| (s.title.clone(), format!("{:?}", s.kind).to_lowercase()))
            .unwrap_or_default()
    });
    let note_label = format!("Note for: {title}");
    // A textarea is one of the costliest elements to create: built when its note is opened.
    let note_open = RwSignal::new(false);
    // What the page says about the step: updated in place, apart from the note being written.
    let facts = move || {
        step.with(|step| {
            step.as_ref().map(|step| {
                view! {
                    {step.value.clone().map(|value| view! {
                        <p class="pl-step-value"><code>{step.key.clone().unwrap_or_default()}</code>" = "<code>{value}</code></p>
                    })}
                    {(!step.links.is_empty()).then(|| view! {
                        <div class="pl-actions">
                            {step.links.iter().map(|link| view! {
                                <a class="pl-button" data-testid="pl-step-open" href=link.url.clone() target="_blank"
                                    rel="noopener noreferrer" title=link.recipe.clone()>{link.label.clone()}</a>
                            }).collect_view()}
                        </div>
                    })}
                    {step.waiting.iter().map(|(recipe, missing)| view! {
                        <p class="pl-muted">{format!("{recipe} Needs {}.", missing.join(", "))}</p>
                    }).collect_view()}
                }
            })
        })
    };
    let body = move || {
        card_open.get().then(|| {
            let (note, change, note_label) = (note.clone(), change.clone(), note_label.clone());
            view! {
                {facts}
                <details class="pl-step-note" open=note_open.get_untracked()
                    on:toggle=move |ev| note_open.set(details_open(&ev))>
                    <summary>"Note"</summary>
                    {move || note_open.get().then(|| {
                        let change = change.clone();
                        view! {
                            <textarea aria-label=note_label.clone() prop:value=note.clone()
                                on:change=move |ev| change(StepChange::Note(event_target_value(&ev)))></textarea>
                        }
                    })}
                </details>
            }
        })
    };
    view! {
        <li class="pl-step" data-testid="pl-step" data-step-id=step_id data-kind=kind>
            <div class="pl-step-head">
                <input type="checkbox" id=input_id.clone() prop:checked=done on:change=on_tick/>
                <label for=input_id>{title}</label>
            </div>
            {body}
        </li>
    }
}

/// Whether the `<details>` of a `toggle` event is now open.
fn details_open(ev: &leptos::ev::Event) -> bool {
    ev.target()
        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlDetailsElement>(t).ok())
        .is_some_and(|d| d.open())
}

/// Closed investigations: reopen or delete.
#[component]
fn ClosedInvestigations(
    investigating: Investigating,
    views: Memo<Vec<ScenarioView>>,
) -> impl IntoView {
    let state = investigating.board.state;
    let closed = move || {
        state.with(|s| {
            s.closed()
                .into_iter()
                .map(|i| i.record.clone())
                .collect::<Vec<_>>()
        })
    };
    let title_of = move |scenario: &str| {
        views.with(|all| {
            all.iter()
                .find(|v| v.id == scenario)
                .map_or_else(|| scenario.to_owned(), |v| v.title.clone())
        })
    };
    view! {
        {move || {
            let closed = closed();
            (!closed.is_empty()).then(|| view! {
                <h3>"Closed investigations"</h3>
                <ul class="pl-closed">
                    {closed.into_iter().map(|record| {
                        let (reopen_id, delete_id) = (record.id.clone(), record.id.clone());
                        view! {
                            <li data-testid="pl-closed-investigation" data-investigation=record.id.clone()>
                                <span>{title_of(&record.scenario)}" — "{record.started_from.clone()}</span>
                                <button type="button" class="pl-secondary"
                                    on:click=move |_| investigating.set_closed(&reopen_id, false)>"Reopen"</button>
                                <button type="button" class="pl-secondary"
                                    on:click=move |_| investigating.delete(&delete_id)>"Delete"</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })
        }}
    }
}
