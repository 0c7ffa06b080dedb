//! The glossary page (`glossary.html`): every pivot of the runbook with its meaning, where it is
//! found and its first query, searchable; links to the practice pages.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::core::config::managed::StoredConfig;
use crate::core::onboarding::glossary::{entries, matches, GlossaryEntry};
use crate::ui::text::prose;

/// The practice pages packaged with the extension (`practice/<name>.html`), with their labels.
const PRACTICE_PAGES: [(&str, &str); 3] = [
    ("logs", "Logs page"),
    ("event", "Event page"),
    ("trace-span", "Trace with a span selected"),
];

/// Mounts the glossary of the runbook in force. `stored` is the JSON of `storage.local` (its
/// `settings` and `runbook`) plus `managed`, the team policy.
#[wasm_bindgen]
pub fn mount_glossary(stored: &str) {
    crate::ui::panic::install_quiet_panic_hook();
    let (_, runbook) = StoredConfig::from_json(stored).in_force();
    let all = entries(&runbook);
    leptos::mount::mount_to_body(move || view! { <Glossary all=all/> });
}

#[component]
fn Glossary(all: Vec<GlossaryEntry>) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let total = all.len();
    let shown = Memo::new(move |_| {
        query.with(|q| {
            all.iter()
                .filter(|entry| matches(entry, q))
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    view! {
        <main class="pl-options pl-glossary">
            <h1>"Pivot glossary"</h1>
            <p class="pl-muted">"Every pivot of the runbook: what it means, where Sentry shows it and the first query to run with it."</p>
            <label class="pl-field">
                <span>"Search pivots"</span>
                <input type="search" data-testid="pl-glossary-search" prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))/>
            </label>
            <p class="pl-muted" role="status">{move || format!("{} of {total} pivots", shown.with(Vec::len))}</p>
            <ul class="pl-glossary-list">
                {move || shown.get().into_iter().map(|entry| view! {
                    <li class="pl-pivot" data-testid="pl-glossary-entry" data-key=entry.key.clone()>
                        <h2 class="pl-glossary-key"><code>{entry.key.clone()}</code></h2>
                        <p class="pl-meaning">{prose(&entry.meaning)}</p>
                        <p class="pl-muted">"Found in: "{entry.found_in.join(", ")}" · first query: "{prose(&entry.first_query)}</p>
                        {entry.notes.first().map(|note| view! { <p class="pl-note">{prose(note)}</p> })}
                    </li>
                }).collect_view()}
            </ul>
            <section aria-labelledby="pl-practice-pages">
                <h2 id="pl-practice-pages">"Practice without Sentry access"</h2>
                <ul>
                    {PRACTICE_PAGES.iter().map(|(name, label)| view! {
                        <li><a href=format!("practice/{name}.html")>{*label}</a></li>
                    }).collect_view()}
                </ul>
            </section>
        </main>
    }
}
