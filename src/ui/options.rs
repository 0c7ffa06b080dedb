//! The options page: default organisation and Sentry host, saved when a field changes.

use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::core::settings::{validate_host, validate_org, Settings};

#[derive(serde::Deserialize, Default)]
struct Stored {
    #[serde(default)]
    settings: Option<Settings>,
}

/// Mounts the options page. `save(key, json)` writes one `storage.local` entry.
#[wasm_bindgen]
pub fn mount_options(stored: &str, save: js_sys::Function) {
    console_error_panic_hook::set_once();
    let settings = serde_json::from_str::<Stored>(stored)
        .unwrap_or_default()
        .settings
        .unwrap_or_default();
    let save = Rc::new(save);
    leptos::mount::mount_to_body(move || view! { <Options initial=settings save=save/> });
}

#[component]
fn Options(initial: Settings, save: Rc<js_sys::Function>) -> impl IntoView {
    let settings = RwSignal::new(initial.clone());
    let persist = move || {
        let json = serde_json::to_string(&settings.get_untracked()).unwrap_or_default();
        let _ = save.call2(&JsValue::NULL, &"settings".into(), &json.into());
    };
    let persist_org = persist.clone();
    view! {
        <main class="pl-options">
            <h1>"Pivot Lens options"</h1>
            <p><a href="glossary.html" data-testid="pl-glossary-link">"Pivot glossary and practice pages"</a></p>
            <section aria-labelledby="pl-sentry-heading">
                <h2 id="pl-sentry-heading">"Sentry"</h2>
                <SettingField label="Default organisation" testid="pl-setting-org"
                    hint="Used where the page gives none, e.g. a trace id selected in chat."
                    value=initial.org validate=validate_org
                    on_valid=move |org| { settings.update(|s| s.org = org); persist_org() }/>
                <SettingField label="Sentry host" testid="pl-setting-host"
                    hint="Leave empty for sentry.io; a self-hosted Sentry is an https origin."
                    value=initial.host validate=validate_host
                    on_valid=move |host| { settings.update(|s| s.host = host); persist() }/>
            </section>
        </main>
    }
}

/// One text setting: validated on change, saved only when valid, with the reason shown otherwise.
#[component]
fn SettingField(
    label: &'static str,
    testid: &'static str,
    hint: &'static str,
    value: String,
    validate: fn(&str) -> Result<String, String>,
    on_valid: impl Fn(String) + 'static,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let id = format!("{testid}-input");
    let hint_id = format!("{testid}-hint");
    view! {
        <div class="pl-field">
            <label for=id.clone()>{label}</label>
            <input id=id type="text" data-testid=testid value=value aria-describedby=hint_id.clone()
                aria-invalid=move || error.get().is_some().to_string()
                on:change=move |ev| match validate(&event_target_value(&ev)) {
                    Ok(valid) => { error.set(None); on_valid(valid) }
                    Err(message) => error.set(Some(message)),
                }/>
            <p id=hint_id class="pl-muted">{hint}</p>
            {move || error.get().map(|message| view! { <p class="pl-error" role="alert">{message}</p> })}
        </div>
    }
}
