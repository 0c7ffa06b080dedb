//! "Next queries": every runbook recipe filled with this page's values, each with its link(s),
//! copy-as-text, the filters it left out and the inputs that put them back. The recipes this page's
//! pivots fill and that run lead, one click each; the others wait behind "Other queries".

use std::collections::BTreeMap;

use leptos::prelude::*;

use super::clipboard::copy;
use super::previews::PreviewLine;
use super::state::part;
use crate::core::lens::{Lens, RecipeView};

#[component]
pub fn Recipes(
    lens: Memo<Option<Lens>>,
    filter: RwSignal<String>,
    typed: RwSignal<BTreeMap<String, String>>,
) -> impl IntoView {
    let recipes = part(lens, |l| l.recipes.clone());
    // Cards kept by recipe id: a report that changes a recipe's values updates its card in place,
    // so a value being typed in it keeps its text and its focus.
    let ids = move |leading: bool| {
        let needle = filter.get().to_lowercase();
        recipes.with(|r| {
            r.iter()
                .flatten()
                .filter(|r| leads(r) == leading && matches(r, &needle))
                .map(|r| r.id.clone())
                .collect::<Vec<_>>()
        })
    };
    let card = move |id: String| {
        let key = id.clone();
        let recipe =
            Memo::new(move |_| recipes.with(|r| r.iter().flatten().find(|r| r.id == key).cloned()));
        view! { <RecipeCard id=id recipe=recipe typed=typed/> }
    };
    let others = move || ids(false).len();
    view! {
        <section class="pl-section" aria-labelledby="pl-recipes">
            <h2 id="pl-recipes">"Next queries"</h2>
            <ul class="pl-recipes">
                <For each=move || ids(true) key=String::clone children=card/>
            </ul>
            // In the document whether open or not (contract: one `pl-recipe` per recipe offered).
            <details class="pl-more" prop:open=move || !filter.get().is_empty()>
                <summary>{move || format!("Other queries ({})", others())}</summary>
                <ul class="pl-recipes">
                    <For each=move || ids(false) key=String::clone children=card/>
                </ul>
            </details>
        </section>
    }
}

/// Whether a recipe leads the list: it runs with values from this page.
fn leads(recipe: &RecipeView) -> bool {
    recipe.ready && recipe.filled_from_page > 0
}

fn matches(recipe: &RecipeView, needle: &str) -> bool {
    needle.is_empty()
        || [recipe.title.as_str(), recipe.dataset, &recipe.text]
            .iter()
            .any(|f| f.to_lowercase().contains(needle))
}

#[component]
fn RecipeCard(
    id: String,
    recipe: Memo<Option<RecipeView>>,
    typed: RwSignal<BTreeMap<String, String>>,
) -> impl IntoView {
    let status = RwSignal::new("");
    // Title and dataset come from the runbook, which does not change under a mounted card.
    let (title, dataset) = recipe.with_untracked(|r| {
        r.as_ref()
            .map(|r| (r.title.clone(), r.dataset))
            .unwrap_or_default()
    });
    let ready = move || recipe.with(|r| r.as_ref().is_some_and(|r| r.ready));
    let links =
        move || {
            recipe.with(|r| {
                r.as_ref().filter(|r| r.ready).map(|r| {
                    r.links
                    .iter()
                    .map(|link| view! {
                        <a data-testid="pl-recipe-open" class="pl-button" href=link.url.clone()
                            target="_blank" rel="noopener noreferrer">{link.label.clone()}</a>
                    })
                    .collect_view()
                })
            })
        };
    let no_text = move || recipe.with(|r| r.as_ref().is_none_or(|r| r.text.is_empty()));
    let copy_query = move |_| {
        let text = recipe.with_untracked(|r| {
            r.as_ref()
                .map(|r| {
                    std::iter::once(r.text.clone())
                        .chain(r.links.iter().map(|l| l.url.clone()))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default()
        });
        copy(&text, move |s| status.set(s));
    };
    let missing =
        move || recipe.with(|r| r.as_ref().map(|r| r.missing.clone()).unwrap_or_default());
    let dropped =
        move || recipe.with(|r| r.as_ref().map(|r| r.dropped.clone()).unwrap_or_default());
    // Said next to the link: what it does not filter by, since the page had no value for it.
    let without = move || {
        let dropped = dropped();
        (!dropped.is_empty()).then(|| {
            let filters = dropped
                .iter()
                .map(|key| view! { <code>{key.clone()}</code> })
                .collect_view();
            let noun = if dropped.len() == 1 {
                " filter"
            } else {
                " filters"
            };
            view! { <p class="pl-muted pl-dropped">"Without the "{filters}{noun}"."</p> }
        })
    };
    let error = move || {
        recipe
            .with(|r| r.as_ref().and_then(|r| r.error.clone()))
            .map(|error| view! { <p class="pl-error" role="alert">{error}</p> })
    };
    let title_id = format!("pl-recipe-{id}");
    let labelled_by = title_id.clone();
    view! {
        <li class="pl-recipe" data-testid="pl-recipe" data-recipe-id=id
            data-ready=move || ready().to_string() data-dropped=move || dropped().join(" ")
            aria-labelledby=labelled_by>
            <div class="pl-recipe-head">
                <span class="pl-chip">{dataset}</span>
                <span id=title_id class="pl-recipe-title">{title}</span>
            </div>
            <div class="pl-actions">
                {links}
                <button type="button" class="pl-secondary" data-testid="pl-recipe-copy"
                    disabled=no_text on:click=copy_query>"Copy query"</button>
                <span class="pl-status" role="status">{move || status.get()}</span>
            </div>
            <PreviewLine recipe=recipe/>
            {without}
            <For each=missing key=String::clone let:key>
                <MissingInput key=key typed=typed optional=Signal::derive(ready)/>
            </For>
            {error}
        </li>
    }
}

/// A value the page did not provide: typed here, validated like page values by the core. `optional`
/// when the recipe runs without it (its filter was left out and the value puts it back).
#[component]
fn MissingInput(
    key: String,
    typed: RwSignal<BTreeMap<String, String>>,
    optional: Signal<bool>,
) -> impl IntoView {
    let label = format!("Value for {key}");
    let current = typed.with_untracked(|t| t.get(&key).cloned().unwrap_or_default());
    view! {
        <label class="pl-missing">
            <span class="pl-muted">{move || if optional.get() { "Filter by " } else { "Needs " }}<code>{key.clone()}</code></span>
            <input type="text" aria-label=label value=current data-testid="pl-recipe-input" data-key=key.clone()
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    typed.update(|t| { t.insert(key.clone(), value); });
                }/>
        </label>
    }
}
