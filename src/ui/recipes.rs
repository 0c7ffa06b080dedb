//! "Next queries": every runbook recipe filled with this page's values, the ones the page fills
//! first, each with its link(s), copy-as-text and the inputs it still needs.

use std::collections::BTreeMap;

use leptos::prelude::*;

use super::clipboard::copy;
use super::sidebar::part;
use crate::core::lens::{Lens, RecipeView};

#[component]
pub fn Recipes(
    lens: Memo<Option<Lens>>,
    filter: RwSignal<String>,
    typed: RwSignal<BTreeMap<String, String>>,
) -> impl IntoView {
    let recipes = part(lens, |l| l.recipes.clone());
    // Keyed cards: a card whose recipe did not change keeps its DOM (and an input its focus).
    let shown = move || {
        let needle = filter.get().to_lowercase();
        recipes.with(|r| {
            r.iter()
                .flatten()
                .filter(|r| matches(r, &needle))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="pl-section" aria-labelledby="pl-recipes">
            <h2 id="pl-recipes">"Next queries"</h2>
            <ul class="pl-recipes">
                <For each=shown key=RecipeView::clone let:recipe>
                    <RecipeCard recipe=recipe typed=typed/>
                </For>
            </ul>
        </section>
    }
}

fn matches(recipe: &RecipeView, needle: &str) -> bool {
    needle.is_empty()
        || [recipe.title.as_str(), recipe.dataset, &recipe.text]
            .iter()
            .any(|f| f.to_lowercase().contains(needle))
}

#[component]
fn RecipeCard(recipe: RecipeView, typed: RwSignal<BTreeMap<String, String>>) -> impl IntoView {
    let status = RwSignal::new("");
    let clipboard_text = std::iter::once(recipe.text.clone())
        .chain(recipe.links.iter().map(|l| l.url.clone()))
        .collect::<Vec<_>>()
        .join("\n");
    let title_id = format!("pl-recipe-{}", recipe.id);
    let labelled_by = title_id.clone();
    view! {
        <li class="pl-recipe" data-testid="pl-recipe" data-recipe-id=recipe.id.clone()
            data-ready=recipe.ready.to_string() aria-labelledby=labelled_by>
            <div class="pl-recipe-head">
                <span class="pl-chip">{recipe.dataset}</span>
                <span id=title_id class="pl-recipe-title">{recipe.title.clone()}</span>
            </div>
            <div class="pl-actions">
                {recipe.ready.then(|| recipe.links.iter().map(|link| view! {
                    <a data-testid="pl-recipe-open" class="pl-button" href=link.url.clone()
                        target="_blank" rel="noopener noreferrer">{link.label.clone()}</a>
                }).collect_view())}
                <button type="button" class="pl-secondary" data-testid="pl-recipe-copy"
                    disabled=recipe.text.is_empty()
                    on:click=move |_| copy(&clipboard_text, move |s| status.set(s))>"Copy query"</button>
                <span class="pl-status" role="status">{move || status.get()}</span>
            </div>
            {recipe.missing.iter().map(|key| view! { <MissingInput key=key.clone() typed=typed/> }).collect_view()}
            {recipe.error.clone().map(|error| view! { <p class="pl-error" role="alert">{error}</p> })}
        </li>
    }
}

/// A value the page did not provide: typed here, validated like page values by the core.
#[component]
fn MissingInput(key: String, typed: RwSignal<BTreeMap<String, String>>) -> impl IntoView {
    let label = format!("Value for {key}");
    let current = typed.with_untracked(|t| t.get(&key).cloned().unwrap_or_default());
    view! {
        <label class="pl-missing">
            <span class="pl-muted">"Needs "<code>{key.clone()}</code></span>
            <input type="text" aria-label=label value=current data-testid="pl-recipe-input" data-key=key.clone()
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    typed.update(|t| { t.insert(key.clone(), value); });
                }/>
        </label>
    }
}
