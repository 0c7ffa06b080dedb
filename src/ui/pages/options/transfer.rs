//! Moving Pivot Lens between browsers: export and import of all of `storage.local` as one JSON
//! file, the tour restart, and where to change the keyboard shortcut.

use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::{picked_file, read_text, Context, Platform};
use crate::core::config::transfer::{export, host_change, import};

#[component]
pub(super) fn TransferSection(context: Context) -> impl IntoView {
    let status = RwSignal::new(None::<(bool, String)>);
    // An import that would send every follow-up to another Sentry waits for the engineer's yes:
    // (the storage to write, the Sentry now, the Sentry after).
    let pending = RwSignal::new(None::<(String, String, String)>);
    let apply = move |json: String| {
        leptos::task::spawn_local(async move {
            if JsFuture::from(context.platform(|p| p.replace(&json)))
                .await
                .is_ok()
            {
                let _ = JsFuture::from(context.platform(Platform::sync_self_hosted)).await;
                // Every section reads storage at start: show the imported state.
                let _ = window().location().reload();
            } else {
                status.set(Some((
                    false,
                    "The browser refused to save; nothing was changed.".into(),
                )));
            }
        });
    };
    let export_all = move |_| {
        leptos::task::spawn_local(async move {
            let stored = JsFuture::from(context.platform(Platform::storage))
                .await
                .ok()
                .and_then(|v| v.as_string());
            match stored.and_then(|s| serde_json::from_str(&s).ok()) {
                Some(storage) => {
                    context.platform(|p| p.download("pivot-lens-settings.json", &export(&storage)))
                }
                None => status.set(Some((false, "The settings could not be read.".into()))),
            }
        });
    };
    let import_file = move |ev: leptos::ev::Event| {
        let Some(file) = picked_file(&ev) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let text = read_text(&file).await.unwrap_or_default();
            match import(&text) {
                Ok(storage) => {
                    let current = JsFuture::from(context.platform(Platform::storage))
                        .await
                        .ok()
                        .and_then(|v| v.as_string())
                        .and_then(|s| serde_json::from_str(&s).ok())
                        .unwrap_or_default();
                    let change = host_change(&current, &storage);
                    let json = serde_json::Value::Object(storage).to_string();
                    match change {
                        Some((now, after)) => pending.set(Some((json, now, after))),
                        None => apply(json),
                    }
                }
                Err(problems) => status.set(Some((
                    false,
                    format!("Not imported, nothing was changed: {}", problems.join(" ")),
                ))),
            }
        });
    };
    let restart_tour = move |_| {
        leptos::task::spawn_local(async move {
            let written = context
                .write(&serde_json::json!({ "tour": { "seen": false } }))
                .await;
            status.set(Some(match written {
                Ok(()) => (
                    true,
                    "The tour starts again on the next Sentry page you open.".into(),
                ),
                Err(message) => (false, message),
            }));
        });
    };
    let shortcuts_page = if context.platform(Platform::browser) == "firefox" {
        "about:addons (gear menu, Manage Extension Shortcuts)"
    } else {
        "chrome://extensions/shortcuts"
    };
    let open_shortcuts = move |_| {
        let _ = context.platform(Platform::open_shortcuts);
    };
    view! {
        <section aria-labelledby="pl-transfer-heading">
            <h2 id="pl-transfer-heading">"Shortcut, tour and backup"</h2>
            <p class="pl-muted" data-testid="pl-shortcut-hint">
                "Alt+Shift+Y shows or hides the sidebar. Change it at " <code>{shortcuts_page}</code> ". "
                <button type="button" class="pl-link" on:click=open_shortcuts>"Open shortcut settings"</button>
            </p>
            <div class="pl-actions">
                <button type="button" class="pl-button" data-testid="pl-tour-restart" on:click=restart_tour>"Restart the tour"</button>
                <button type="button" class="pl-button" data-testid="pl-settings-export" on:click=export_all>"Export all settings"</button>
                <label class="pl-button">
                    "Import settings…"
                    <input type="file" accept=".json,application/json" class="pl-visually-hidden"
                        data-testid="pl-settings-import" on:change=import_file/>
                </label>
            </div>
            {move || pending.get().map(|(json, now, after)| view! {
                <div class="pl-warning" data-testid="pl-settings-confirm" role="alertdialog"
                    aria-labelledby="pl-settings-confirm-text">
                    <p id="pl-settings-confirm-text">"This file sends every follow-up link and every request to "
                        <strong>{after}</strong>" instead of "<strong>{now}</strong>
                        ". Import it only if you expect that Sentry."</p>
                    <div class="pl-actions">
                        <button type="button" class="pl-button" data-testid="pl-settings-confirm-apply"
                            on:click=move |_| { pending.set(None); apply(json.clone()); }>"Import and use it"</button>
                        <button type="button" class="pl-secondary" data-testid="pl-settings-confirm-cancel"
                            on:click=move |_| {
                                pending.set(None);
                                status.set(Some((false, "Not imported, nothing was changed.".into())));
                            }>"Cancel"</button>
                    </div>
                </div>
            })}
            {move || status.get().map(|(ok, message)| view! {
                <p data-testid="pl-settings-status" data-state=if ok { "ok" } else { "error" } role="status"
                    class=if ok { "pl-muted" } else { "pl-error" }>{message}</p>
            })}
        </section>
    }
}
