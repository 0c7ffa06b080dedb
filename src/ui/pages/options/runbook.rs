//! Runbook import (contract: `pl-runbook-import`, `pl-runbook-apply`, `pl-runbook-status`,
//! `pl-runbook-reset`): paste or pick a file, validate, store; reset to the bundled runbook; roll
//! back to the previous import.

use leptos::prelude::*;
use serde_json::Value;

use super::{picked_file, read_text, Context};
use crate::core::config::runbook_store::{check_import, ImportedRunbook, RunbookHistory};

#[derive(Clone, PartialEq)]
struct Status {
    ok: bool,
    message: String,
}

#[component]
pub(super) fn RunbookSection(context: Context, stored: Value) -> impl IntoView {
    let history = RwSignal::new(RunbookHistory::from_storage(&stored));
    let text = RwSignal::new(String::new());
    let file_name = RwSignal::new(String::new());
    let status = RwSignal::new(None::<Status>);
    let locked = context
        .effective
        .with_untracked(|e| e.reason_locked("runbook"));

    let store = move |next: RunbookHistory, ok_message: String| {
        leptos::task::spawn_local(async move {
            status.set(Some(match context.write(&next.storage_entries()).await {
                Ok(()) => {
                    history.set(next);
                    Status {
                        ok: true,
                        message: ok_message,
                    }
                }
                Err(message) => Status { ok: false, message },
            }));
        });
    };
    let apply = move |_| {
        let now = js_sys::Date::new_0()
            .to_iso_string()
            .as_string()
            .unwrap_or_default();
        match check_import(&text.get_untracked(), &file_name.get_untracked(), &now) {
            Ok(imported) => {
                let message = format!(
                    "Imported {}: {}.",
                    imported.source.name, imported.source.summary
                );
                store(history.get_untracked().apply(imported), message);
            }
            Err(refusal) => status.set(Some(Status {
                ok: false,
                message: refusal.message,
            })),
        }
    };
    let reset = move |_| {
        store(
            history.get_untracked().reset(),
            "The bundled runbook is in use.".into(),
        )
    };
    let rollback = move |_| match history.get_untracked().rollback() {
        Ok(previous) => {
            let name = previous
                .current
                .as_ref()
                .map(|c| c.source.name.clone())
                .unwrap_or_default();
            store(previous, format!("Rolled back to {name}."));
        }
        Err(refusal) => status.set(Some(Status {
            ok: false,
            message: refusal.message,
        })),
    };
    // The status describes the last apply, not the text being edited.
    let edited = move |contents: String, name: String| {
        text.set(contents);
        file_name.set(name);
        status.set(None);
    };
    let pick_file = move |ev: leptos::ev::Event| {
        let Some(file) = picked_file(&ev) else {
            return;
        };
        leptos::task::spawn_local(async move {
            match read_text(&file).await {
                Some(contents) => edited(contents, file.name()),
                None => status.set(Some(Status {
                    ok: false,
                    message: "The file could not be read as text.".into(),
                })),
            }
        });
    };
    view! {
        <section aria-labelledby="pl-runbook-heading">
            <h2 id="pl-runbook-heading">"Runbook"</h2>
            {locked.clone().map(|reason| view! {
                <p class="pl-muted" data-testid="pl-setting-locked">"🔒 Your team's runbook is in use. " {reason}</p>
            })}
            <p class="pl-muted">"In use: " {move || history.with(|h| describe(h.current.as_ref()))}</p>
            <div class="pl-field">
                <label for="pl-runbook-import">"Import a runbook (markdown, same format as TELEMETRY.md)"</label>
                <input type="file" accept=".md,.markdown,text/markdown,text/plain" data-testid="pl-runbook-file"
                    aria-label="Pick a runbook file" on:change=pick_file/>
                <textarea id="pl-runbook-import" data-testid="pl-runbook-import" rows="8" spellcheck="false"
                    prop:value=move || text.get()
                    on:input=move |ev| edited(event_target_value(&ev), String::new())/>
            </div>
            <div class="pl-actions">
                <button type="button" class="pl-button" data-testid="pl-runbook-apply" on:click=apply>"Validate and use"</button>
                <button type="button" class="pl-button" data-testid="pl-runbook-reset" on:click=reset
                    disabled=move || history.with(|h| h.current.is_none())>"Use the bundled runbook"</button>
                <button type="button" class="pl-button" data-testid="pl-runbook-rollback" on:click=rollback
                    disabled=move || history.with(|h| h.previous.is_none())>
                    {move || history.with(|h| format!("Roll back to {}", describe(h.previous.as_ref())))}
                </button>
            </div>
            <p data-testid="pl-runbook-status" role="status"
                data-state=move || status.with(|s| match s { Some(s) if s.ok => "ok", Some(_) => "error", None => "" })
                class=move || status.with(|s| if s.as_ref().is_some_and(|s| !s.ok) { "pl-error" } else { "pl-muted" })>
                {move || status.with(|s| s.as_ref().map(|s| s.message.clone()).unwrap_or_default())}
            </p>
        </section>
    }
}

/// "renamed.md, imported 2026-…, SHA-256 ab12…" or "the bundled runbook".
fn describe(runbook: Option<&ImportedRunbook>) -> String {
    match runbook {
        None => "the bundled runbook".into(),
        Some(r) => {
            let when = if r.source.imported_at.is_empty() {
                String::new()
            } else {
                format!(", imported {}", r.source.imported_at)
            };
            format!("{}{when}, SHA-256 {}", r.source.name, r.source.checksum)
        }
    }
}
