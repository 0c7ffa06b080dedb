//! "Pivots on this page": each recognised key and value, with the runbook's meaning, where it is
//! found, its first query and the namespace rule that applies.

use std::collections::BTreeSet;

use leptos::prelude::*;

use super::clipboard::copy;
use super::sidebar::part;
use super::text::prose;
use crate::core::lens::{Lens, PivotView};

/// Values longer than this are elided on screen; `data-value` always holds the full value.
const SHOWN_CHARS: usize = 80;

#[component]
pub fn Pivots(
    lens: Memo<Option<Lens>>,
    filter: RwSignal<String>,
    /// How many rows may be in the document yet (see `Drawing`).
    rows: RwSignal<usize>,
) -> impl IntoView {
    let pivots = part(lens, |l| l.pivots.clone());
    let looked_for = part(lens, |l| l.kind.shows_pivots().then_some(l.kind.as_str()));
    let empty = move || pivots.with(|p| p.as_ref().is_some_and(Vec::is_empty));
    // Keyed rows: a page that adds values (logs appending) adds rows; the others stay as they are.
    // A key's meaning is explained at its first value only: a logs table of 700 trace ids is one
    // explanation and 700 values, not 700 copies of the same paragraph.
    let shown = move || {
        let needle = filter.get().to_lowercase();
        pivots.with(|p| {
            let mut explained = BTreeSet::new();
            p.iter()
                .flatten()
                .filter(|p| matches(p, &needle))
                .take(rows.get())
                .map(|p| (p.clone(), explained.insert(p.key.clone())))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="pl-section" aria-labelledby="pl-pivots">
            <h2 id="pl-pivots">"Pivots on this page"</h2>
            {move || empty().then(|| view! {
                <p class="pl-muted" data-testid="pl-nothing" role="status">
                    "Nothing recognised here yet. "
                    {looked_for.get().flatten().map(|kind| format!(
                        "On a{} {kind} page Pivot Lens reads attribute and tag rows, context cards, the span drawer and id links; \
                         open a span, expand a row or a section and it will pick them up.",
                        if kind.starts_with(['a', 'e', 'i', 'o', 'u']) { "n" } else { "" }))}
                </p>
            })}
            <ul class="pl-pivots">
                <For each=shown key=Clone::clone let:((pivot, explain))>
                    <PivotRow pivot=pivot explain=explain/>
                </For>
            </ul>
        </section>
    }
}

fn matches(pivot: &PivotView, needle: &str) -> bool {
    needle.is_empty()
        || [&pivot.key, &pivot.value, &pivot.meaning]
            .iter()
            .any(|field| field.to_lowercase().contains(needle))
}

/// One value; with `explain`, also what its key means, where it is found and its first query.
#[component]
fn PivotRow(pivot: PivotView, explain: bool) -> impl IntoView {
    let status = RwSignal::new("");
    let shown: String = if pivot.value.chars().count() > SHOWN_CHARS {
        pivot.value.chars().take(SHOWN_CHARS).chain(['…']).collect()
    } else {
        pivot.value.clone()
    };
    let usable = pivot.is_usable();
    let value = pivot.value.clone();
    let found_in = pivot.found_in.join(", ");
    view! {
        <li class="pl-pivot" data-testid="pl-pivot" data-key=pivot.key.clone() data-value=pivot.value.clone()
            data-secret=pivot.secret.to_string()>
            <div class="pl-pivot-head">
                <code class="pl-key">{pivot.key.clone()}</code>
                <span class="pl-value" title=value.clone()>{shown}</span>
                <button type="button" class="pl-copy" disabled=!usable
                    aria-label=format!("Copy the value of {}", pivot.key)
                    on:click=move |_| copy(&value, status)>"Copy"</button>
                <span class="pl-status" role="status">{move || status.get()}</span>
            </div>
            {(explain && !pivot.meaning.is_empty()).then(|| view! {
                <p class="pl-meaning">{prose(&pivot.meaning)}
                    {(!found_in.is_empty()).then(|| view! { <span class="pl-muted">" · found in "{found_in.clone()}</span> })}
                    {(!pivot.first_query.is_empty()).then(|| view! { <span class="pl-muted">" · first: "{pivot.first_query.clone()}</span> })}
                </p>
            })}
            {pivot.notes.first().filter(|_| explain).map(|note| view! { <p class="pl-note">{prose(note)}</p> })}
        </li>
    }
}
