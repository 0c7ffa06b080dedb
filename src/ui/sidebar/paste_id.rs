//! "Paste an ID": any id or value typed or pasted here gets the same follow-ups as the context
//! menu offers for a selection (core::context_menu::followups), scoped to the page the sidebar is on.

use std::sync::Arc;

use leptos::prelude::*;

use crate::core::config::settings::Settings;
use crate::core::context_menu::followups::{offer, reason_message, Offer};
use crate::core::runbook::Runbook;

/// Mounted once: what the engineer typed stays through the page's navigations, and only the
/// follow-ups are worked out again for the new page.
#[component]
pub fn PasteId(
    runbook: Arc<Runbook>,
    settings: Arc<Settings>,
    page_url: Memo<Option<String>>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let answer = Memo::new(move |_| {
        page_url.with(|url| {
            let url = url.as_deref().unwrap_or_default();
            text.with(|text| offer(text, url, &settings, &runbook))
        })
    });
    view! {
        <section class="pl-section" aria-labelledby="pl-paste-heading" data-testid="pl-paste-id">
            <h2 id="pl-paste-heading">"Paste an ID"</h2>
            <label class="pl-filter">
                <span class="pl-visually-hidden">"Trace, span or event id, issue short id, user id, route…"</span>
                <input type="text" data-testid="pl-paste-input" autocomplete="off" spellcheck="false"
                    placeholder="Trace, span or event id, issue, user id, route…"
                    on:input=move |ev| text.set(event_target_value(&ev))/>
            </label>
            {move || answer.with(|answer| follow_ups(answer, text.with(|t| t.trim().is_empty())))}
        </section>
    }
}

fn follow_ups(answer: &Offer, empty: bool) -> AnyView {
    if answer.kinds.iter().any(|kind| kind == "secret") {
        let message = reason_message("secret").unwrap_or_default();
        return view! { <p class="pl-warning" data-testid="pl-warning" data-kind="secret">{message}</p> }
            .into_any();
    }
    if answer.needs_org {
        let message = reason_message("no-org").unwrap_or_default();
        return view! { <p class="pl-muted" role="status">{message}</p> }.into_any();
    }
    if answer.items.is_empty() {
        let message = (!empty).then_some("Nothing Pivot Lens can open for this.");
        return view! { <p class="pl-muted" role="status">{message}</p> }.into_any();
    }
    let kinds = answer.kinds.join(", ");
    view! {
        <p class="pl-muted" data-testid="pl-paste-kinds">{kinds}</p>
        <ul class="pl-paste-items">
            {answer.items.iter().map(|item| view! {
                <li><a data-testid="pl-paste-open" data-followup-id=item.id.clone() href=item.url.clone()
                    target="_blank" rel="noopener noreferrer">{item.title.clone()}</a></li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}
