//! Practice mode (bundled sample pages only): the page's exercises, checked against what the
//! engineer copies, opens or selects in the sidebar.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use std::sync::Arc;

use crate::core::lens::Lens;
use crate::core::onboarding::practice::{current, exercises, Exercise, PracticeAction};
use crate::core::runbook::Runbook;
use crate::ui::text::prose;

#[component]
pub fn Practice(
    practice: RwSignal<bool>,
    runbook: Arc<Runbook>,
    lens: Memo<Option<Lens>>,
    /// Scenario ids solved so far (owned by the sidebar, so a re-render keeps them).
    solved: RwSignal<Vec<String>>,
) -> impl IntoView {
    // Only the bundled practice pages have exercises: a live Sentry page never computes them.
    let all = Memo::new(move |_| {
        if !practice.get() {
            return None;
        }
        lens.with(|l| l.as_ref().map(|l| exercises(&runbook, l)))
    });
    move || {
        all.get()
            .map(|all| view! { <Exercises all=all solved=solved/> })
    }
}

/// The exercises of one page, checked against the engineer's clicks in the sidebar.
#[component]
fn Exercises(all: Vec<Exercise>, solved: RwSignal<Vec<String>>) -> impl IntoView {
    let feedback = RwSignal::new(String::new());
    let checked = all.clone();
    let listener = window_event_listener(leptos::ev::click, move |ev| {
        let Some(action) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|clicked| action_of(&clicked))
        else {
            return;
        };
        let Some(exercise) = solved.with_untracked(|done| current(&checked, done).cloned()) else {
            return;
        };
        if exercise.is_answered_by(&action) {
            feedback.set(format!(
                "Right: `{}` = {} answers \"{}\".",
                exercise.expected_key, exercise.expected_value, exercise.scenario
            ));
            solved.update(|done| done.push(exercise.scenario_id));
        } else {
            feedback.set(format!(
                "Not this one: the task of \"{}\" names another field.",
                exercise.scenario
            ));
        }
    });
    on_cleanup(move || listener.remove());
    (!all.is_empty()).then(|| {
        view! {
            <section class="pl-section pl-practice" aria-labelledby="pl-practice">
                <h2 id="pl-practice">"Practice"</h2>
                <ul>
                    {all.iter().map(|exercise| {
                        let id = exercise.scenario_id.clone();
                        let all = all.clone();
                        let state = move || solved.with(|done| {
                            if done.contains(&id) {
                                "done"
                            } else if current(&all, done).is_some_and(|e| e.scenario_id == id) {
                                "current"
                            } else {
                                "open"
                            }
                        });
                        view! {
                            <li class="pl-exercise" data-testid="pl-exercise"
                                data-scenario-id=exercise.scenario_id.clone() data-state=state>
                                <strong>{exercise.scenario.clone()}</strong>
                                <p>{prose(&exercise.prompt)}</p>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <p class="pl-status" role="status" data-testid="pl-exercise-feedback">
                    {move || prose(&feedback.get())}
                </p>
            </section>
        }
    })
}

/// A click on a pivot (its row or its copy button) selects it; a recipe's open or copy uses it.
fn action_of(clicked: &web_sys::Element) -> Option<PracticeAction> {
    if let Some(recipe) = clicked
        .closest("[data-testid='pl-recipe-open'], [data-testid='pl-recipe-copy']")
        .ok()
        .flatten()
        .and_then(|control| control.closest("[data-testid='pl-recipe']").ok().flatten())
    {
        return Some(PracticeAction::Recipe {
            id: recipe.get_attribute("data-recipe-id")?,
        });
    }
    let pivot = clicked.closest("[data-testid='pl-pivot']").ok().flatten()?;
    Some(PracticeAction::Pivot {
        key: pivot.get_attribute("data-key")?,
        value: pivot.get_attribute("data-value")?,
    })
}
