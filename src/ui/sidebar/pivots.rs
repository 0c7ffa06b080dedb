//! "Pivots on this page": a compact list of each recognised key and value with a copy button; the
//! runbook's meaning, where it is found and its first query on demand under each key, and each
//! namespace rule that applies once, under the list.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::clipboard::copy;
use super::state::part;
use crate::core::lens::{Lens, PivotView};
use crate::ui::text::prose;

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
    // The namespace rule of each key (its first note), each rule once.
    let notes = part(lens, |l| {
        let mut notes: Vec<String> = Vec::new();
        for note in l.pivots.iter().filter_map(|p| p.info.notes.first()) {
            if !notes.contains(note) {
                notes.push(note.clone());
            }
        }
        notes
    });
    // The lens lists a key's values together. A key is named and explained at its first shown
    // value; its further values are compact rows: a logs table of 700 trace ids is one
    // explanation and 700 short rows, not 700 copies of the key and its paragraph.
    let shown = move || {
        let needle = filter.get().to_lowercase();
        pivots.with(|p| {
            let mut previous_key = None;
            p.iter()
                .flatten()
                .filter(|p| matches(p, &needle))
                .take(rows.get())
                .map(|p| {
                    let first = previous_key != Some(&p.key);
                    previous_key = Some(&p.key);
                    (p.clone(), first)
                })
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
            <p class="pl-visually-hidden pl-pivots-status" role="status"></p>
            // Keyed by what a row shows (not by the whole view, which would hash the runbook's
            // text at every report): a page that adds values adds rows, the others stay.
            <ul class="pl-pivots" on:click=move |ev| copy_clicked(&ev, pivots)>
                <For each=shown
                    key=|(p, first)| (p.key.clone(), p.value.clone(), p.secret, p.truncated, *first)
                    let:((pivot, first))>
                    <PivotRow pivot=pivot first=first/>
                </For>
            </ul>
            {move || notes.get().filter(|n| !n.is_empty()).map(|notes| view! {
                <div class="pl-notes">{notes.iter().map(|note| view! { <p class="pl-note">{prose(note)}</p> }).collect_view()}</div>
            })}
        </section>
    }
}

fn matches(pivot: &PivotView, needle: &str) -> bool {
    needle.is_empty()
        || [&pivot.key, &pivot.value, &pivot.info.meaning]
            .iter()
            .any(|field| field.to_lowercase().contains(needle))
}

/// A copy button pressed in the list: copies its row's value, if that is a pivot of the current
/// lens (a row may be on its way out), and says how that went in the row's status. One
/// listener for the list, instead of a closure and a reactive status per row: a live logs page
/// adds rows at every append, and in Firefox building them is the page's own main-thread time.
fn copy_clicked(ev: &leptos::ev::MouseEvent, pivots: Memo<Option<Vec<PivotView>>>) {
    let closest = |element: &web_sys::Element, selector| element.closest(selector).ok().flatten();
    let Some(row) = ev
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        .and_then(|target| closest(&target, "button.pl-copy"))
        .and_then(|button| closest(&button, "[data-testid='pl-pivot']"))
    else {
        return;
    };
    let (Some(key), Some(value)) = (
        row.get_attribute("data-key"),
        row.get_attribute("data-value"),
    ) else {
        return;
    };
    let current = pivots.with_untracked(|pivots| {
        pivots
            .iter()
            .flatten()
            .any(|p| p.key == key && p.value == value)
    });
    if !current {
        return;
    }
    let Some(status) = row_status(&row) else {
        return;
    };
    let announcer = announcer(&row);
    copy(&value, move |message| {
        status.set_text_content(Some(message));
        if let Some(announcer) = &announcer {
            announcer.set_text_content(Some(&format!("{key}: {message}")));
        }
    });
}

/// The row's visible outcome of its last copy, added at its first: rows are built by the hundred
/// and copied one at a time. Leptos never writes into it, so it is ours to add.
fn row_status(row: &web_sys::Element) -> Option<web_sys::Element> {
    if let Ok(Some(status)) = row.query_selector(".pl-status") {
        return Some(status);
    }
    let status = row.owner_document()?.create_element("span").ok()?;
    status.set_class_name("pl-status");
    let button = row.query_selector("button.pl-copy").ok().flatten()?;
    button.after_with_node_1(&status).ok()?;
    Some(status)
}

/// The list's one live region: screen readers hear a copy's outcome from it, not from a live
/// region per row (a logs page has hundreds).
fn announcer(row: &web_sys::Element) -> Option<web_sys::Element> {
    row.closest("[aria-labelledby='pl-pivots']")
        .ok()
        .flatten()?
        .query_selector(".pl-pivots-status")
        .ok()
        .flatten()
}

/// One value. The `first` shown value of its key also names the key and says what it means,
/// where it is found and its first query.
#[component]
fn PivotRow(pivot: PivotView, first: bool) -> impl IntoView {
    // A value that would read as another is shown with its hidden characters written out.
    let text = pivot.escaped.as_ref().unwrap_or(&pivot.value);
    let elided = text.chars().count() > SHOWN_CHARS;
    let shown: String = if elided {
        text.chars().take(SHOWN_CHARS).chain(['…']).collect()
    } else {
        text.clone()
    };
    let misleading = pivot.escaped.is_some().then(|| view! {
        <span class="pl-misleading" data-testid="pl-misleading"
            title="This value holds invisible, direction-changing or look-alike characters, written out here.">
            "Hidden characters"
        </span>
    });
    // The full value as a tooltip only where the row elides it: a live logs page builds hundreds
    // of rows, and each attribute is a call out of wasm with the value's text.
    let from_api = (pivot.source == "api").then(|| view! {
        <span class="pl-from-api" title="Read from Sentry's API with your session: the page does not show this value whole.">"API"</span>
    });
    let value_and_copy = view! {
        {misleading}
        {from_api}
        <span class="pl-value" title=elided.then(|| text.clone())>{shown}</span>
        // Pressed: see `copy_clicked`, which also adds the row's status.
        <button type="button" class="pl-copy" disabled=!pivot.is_usable()
            aria-label=format!("Copy the value of {}", pivot.key)>"Copy"</button>
    };
    let row = |class, content| {
        view! {
            <li class=class data-testid="pl-pivot" data-key=pivot.key.clone() data-value=pivot.value.clone()
                data-source=pivot.source data-secret=pivot.secret.to_string()
                data-misleading=pivot.escaped.is_some().then_some("true")>{content}</li>
        }
    };
    if !first {
        return row("pl-pivot pl-pivot-more", value_and_copy.into_any());
    }
    let info = pivot.info.clone();
    let found_in = info.found_in.join(", ");
    let has_about = !info.meaning.is_empty() || info.notes.len() > 1;
    let about = has_about.then(|| {
        view! {
            <details class="pl-about">
                <summary>"About"<span class="pl-visually-hidden">" "{pivot.key.clone()}</span></summary>
                {(!info.meaning.is_empty()).then(|| view! {
                    <p class="pl-meaning">{prose(&info.meaning)}
                        {(!found_in.is_empty()).then(|| view! { <span class="pl-muted">" · found in "{found_in}</span> })}
                        {(!info.first_query.is_empty()).then(|| view! { <span class="pl-muted">" · first: "{info.first_query.clone()}</span> })}
                    </p>
                })}
                // The namespace rule is said once under the list; notes on this key are said here.
                {info.notes.iter().skip(1).map(|note| view! { <p class="pl-note">{prose(note)}</p> }).collect_view()}
            </details>
        }
    });
    row(
        "pl-pivot",
        view! {
            <div class="pl-pivot-head">
                <code class="pl-key">{pivot.key.clone()}</code>
                {value_and_copy}
            </div>
            {about}
        }
        .into_any(),
    )
}
