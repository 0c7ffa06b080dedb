//! The options page: Sentry defaults, follow-up scope, sidebar layout, self-hosted access, the
//! runbook, and moving everything between browsers. Every decision is in the core; this renders
//! it and calls the browser through `Platform` (extension/options.js).

mod runbook;
mod self_hosted;
mod transfer;

use leptos::prelude::*;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::core::config::managed::{
    drop_invalid_runbook, effective_settings, read_policy, Effective,
};
use crate::core::config::settings::{
    join_ids, validate_host, validate_org, validate_period, validate_projects, validate_width,
    Settings, SidebarDefaults,
};
use crate::core::context_menu::followups::reason_message;

#[wasm_bindgen]
extern "C" {
    /// The browser APIs the options page uses (extension/options.js).
    pub type Platform;
    /// `storage.local`: sets the entries of a JSON object, removing those that are `null`.
    #[wasm_bindgen(method)]
    fn write(this: &Platform, entries: &str) -> js_sys::Promise;
    /// Replaces the whole of `storage.local` with a JSON object.
    #[wasm_bindgen(method)]
    fn replace(this: &Platform, storage: &str) -> js_sys::Promise;
    /// The whole of `storage.local`, as JSON.
    #[wasm_bindgen(method)]
    fn storage(this: &Platform) -> js_sys::Promise;
    /// `permissions.request({origins})`; resolves to whether it was granted.
    #[wasm_bindgen(method, js_name = requestOrigins)]
    fn request_origins(this: &Platform, patterns: &str) -> js_sys::Promise;
    #[wasm_bindgen(method, js_name = removeOrigins)]
    fn remove_origins(this: &Platform, patterns: &str) -> js_sys::Promise;
    /// The granted host patterns, as JSON.
    #[wasm_bindgen(method, js_name = grantedOrigins)]
    fn granted_origins(this: &Platform) -> js_sys::Promise;
    /// Brings the self-hosted content script in line with settings and grants.
    #[wasm_bindgen(method, js_name = syncSelfHosted)]
    fn sync_self_hosted(this: &Platform) -> js_sys::Promise;
    #[wasm_bindgen(method)]
    fn download(this: &Platform, name: &str, text: &str);
    #[wasm_bindgen(method, js_name = openShortcuts)]
    fn open_shortcuts(this: &Platform) -> js_sys::Promise;
    /// `chrome` or `firefox`.
    #[wasm_bindgen(method, getter)]
    fn browser(this: &Platform) -> String;
}

/// What every section shares.
#[derive(Clone, Copy)]
struct Context {
    platform: StoredValue<Platform, LocalStorage>,
    /// The user's own settings (what is stored).
    settings: RwSignal<Settings>,
    effective: Memo<Effective>,
}

impl Context {
    fn platform<R>(&self, call: impl FnOnce(&Platform) -> R) -> R {
        self.platform.with_value(call)
    }

    /// Writes `storage.local` entries; a failure is shown, never thrown.
    async fn write(&self, entries: &Value) -> Result<(), String> {
        JsFuture::from(self.platform(|p| p.write(&entries.to_string())))
            .await
            .map(|_| ())
            .map_err(|_| "The browser refused to save; try again.".to_owned())
    }

    fn save_settings(&self) {
        let context = *self;
        leptos::task::spawn_local(async move {
            let settings = context.settings.get_untracked();
            let _ = context
                .write(&serde_json::json!({ "settings": settings }))
                .await;
            // The self-hosted registration follows the configured host.
            let _ = JsFuture::from(context.platform(Platform::sync_self_hosted)).await;
        });
    }
}

/// The file chosen in an `<input type=file>`, from its change event.
fn picked_file(ev: &leptos::ev::Event) -> Option<web_sys::File> {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|input| input.files())
        .and_then(|files| files.get(0))
}

async fn read_text(file: &web_sys::File) -> Option<String> {
    JsFuture::from(file.text())
        .await
        .ok()
        .and_then(|t| t.as_string())
}

/// Mounts the options page from the JSON of `storage.local` and of the team policy.
#[wasm_bindgen]
pub fn mount_options(stored: &str, managed: &str, platform: Platform) {
    crate::ui::panic::install_quiet_panic_hook();
    let stored: Value = serde_json::from_str(stored).unwrap_or_default();
    let managed: Value = serde_json::from_str(managed).unwrap_or_default();
    let (settings, mut notices) = Settings::load(stored.get("settings").unwrap_or(&Value::Null));
    let (mut policy, policy_notices) = read_policy(&managed);
    notices.extend(policy_notices);
    notices.extend(drop_invalid_runbook(&mut policy));
    leptos::mount::mount_to_body(move || {
        let settings = RwSignal::new(settings);
        let effective = Memo::new(move |_| settings.with(|s| effective_settings(s, &policy)));
        let context = Context {
            platform: StoredValue::new_local(platform),
            settings,
            effective,
        };
        view! { <Options context=context stored=stored notices=notices/> }
    });
}

#[component]
fn Options(context: Context, stored: Value, notices: Vec<String>) -> impl IntoView {
    let effective = context.effective;
    let all_notices = move || {
        let mut all = notices.clone();
        all.extend(effective.with(|e| e.notices.clone()));
        all
    };
    view! {
        <main class="pl-options">
            <h1>"Pivot Lens options"</h1>
            <MenuReason/>
            <p><a href="glossary.html" data-testid="pl-glossary-link">"Pivot glossary and practice pages"</a></p>
            {move || all_notices().into_iter().map(|notice| view! {
                <p class="pl-warning" data-testid="pl-options-notice" role="status">{notice}</p>
            }).collect_view()}
            <SentrySection context=context/>
            <self_hosted::SelfHostedSection context=context/>
            <SidebarSection context=context/>
            <runbook::RunbookSection context=context stored=stored/>
            <transfer::TransferSection context=context/>
        </main>
    }
}

#[component]
fn SentrySection(context: Context) -> impl IntoView {
    let settings = context.settings;
    let initial = settings.get_untracked();
    let save = move |update: Box<dyn FnOnce(&mut Settings)>| {
        settings.update(|s| update(s));
        context.save_settings();
    };
    view! {
        <section aria-labelledby="pl-sentry-heading">
            <h2 id="pl-sentry-heading">"Sentry"</h2>
            <SettingField label="Default organisation" testid="pl-setting-org" field="org"
                effective=context.effective
                hint="Used where the page gives none, e.g. a trace id selected in chat."
                value=initial.org validate=validate_org
                on_valid=move |org| save(Box::new(move |s| s.org = org))/>
            <SettingField label="Sentry host" testid="pl-setting-host" field="host"
                effective=context.effective
                hint="Leave empty for sentry.io; a self-hosted Sentry is an https origin."
                value=initial.host validate=validate_host
                on_valid=move |host| save(Box::new(move |s| s.host = host))/>
            <FlagField context=context testid="pl-setting-api" field="api_reads"
                label="Read full values from Sentry's API (uses your Sentry session, read-only)"
                hint="The sidebar asks the Sentry you are on for the event or span in view, so values the page folds or cuts are shown whole. Nothing is sent anywhere else."
                read=|s| s.api_reads write=|s, on| s.api_reads = on/>
            <FlagField context=context testid="pl-setting-previews" field="previews"
                label="Show counts on follow-ups"
                hint="Each follow-up in view asks Sentry how many rows its query finds, and its top groups, before you click. Needs the option above."
                read=|s| s.previews write=|s, on| s.previews = on/>
            <h2>"Follow-up queries"</h2>
            <SettingField label="Default time window" testid="pl-setting-period" field="period"
                effective=context.effective
                hint="Used when the page has no time filter, e.g. 24h, 7d, 2w."
                value=initial.period validate=validate_period
                on_valid=move |period| save(Box::new(move |s| s.period = period))/>
            <SettingField label="Projects" testid="pl-setting-projects" field="projects"
                effective=context.effective
                hint="Numeric project ids, separated by commas, used when the page has no project filter. Empty: all projects."
                value=join_ids(&initial.projects)
                validate=|text| validate_projects(text).map(|ids| join_ids(&ids))
                on_valid=move |text| {
                    let ids = validate_projects(&text).unwrap_or_default();
                    save(Box::new(move |s| s.projects = ids))
                }/>
        </section>
    }
}

#[component]
fn SidebarSection(context: Context) -> impl IntoView {
    let settings = context.settings;
    let initial = settings.get_untracked().sidebar;
    view! {
        <section aria-labelledby="pl-sidebar-heading">
            <h2 id="pl-sidebar-heading">"Sidebar"</h2>
            <p class="pl-muted">"How the sidebar starts, until you move or resize it on a page."</p>
            <div class="pl-field">
                <label for="pl-setting-side-input">"Side"</label>
                <select id="pl-setting-side-input" data-testid="pl-setting-side"
                    on:change=move |ev| {
                        let left = event_target_value(&ev) == "left";
                        settings.update(|s| s.sidebar.left = left);
                        context.save_settings();
                    }>
                    <option value="right" selected=!initial.left>"Right"</option>
                    <option value="left" selected=initial.left>"Left"</option>
                </select>
            </div>
            <SettingField label="Width in pixels" testid="pl-setting-width" field="width"
                effective=context.effective hint="From 280 to 720."
                value=initial.width.to_string()
                validate=|text| validate_width(text).map(|w| w.to_string())
                on_valid=move |text| {
                    let width = validate_width(&text).unwrap_or(initial.width);
                    settings.update(|s| s.sidebar.width = width);
                    context.save_settings();
                }/>
            <LayoutCheck context=context testid="pl-setting-open" label="Start expanded"
                checked=initial.open write=|layout, on| layout.open = on/>
            <LayoutCheck context=context testid="pl-setting-dock" label="Dock in the browser's side panel"
                checked=initial.docked write=|layout, on| layout.docked = on/>
            <p class="pl-muted">"Docked, Pivot Lens sits beside Sentry instead of over its drawers. Open or close it on a Sentry tab with Alt+Shift+Y; in Chrome also from the sidebar's Dock button, in Firefox from the sidebar menu."</p>
        </section>
    }
}

/// One on/off choice of the sidebar's layout, saved on change.
#[component]
fn LayoutCheck(
    context: Context,
    testid: &'static str,
    label: &'static str,
    checked: bool,
    write: fn(&mut SidebarDefaults, bool),
) -> impl IntoView {
    view! {
        <label class="pl-check">
            <input type="checkbox" data-testid=testid checked=checked
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    context.settings.update(|s| write(&mut s.sidebar, on));
                    context.save_settings();
                }/>
            " "{label}
        </label>
    }
}

/// One on/off setting of Sentry's API: shown as in force, disabled with the reason when the team
/// policy locks `field`.
#[component]
fn FlagField(
    context: Context,
    testid: &'static str,
    field: &'static str,
    label: &'static str,
    hint: &'static str,
    read: fn(&Settings) -> bool,
    write: fn(&mut Settings, bool),
) -> impl IntoView {
    let (settings, effective) = (context.settings, context.effective);
    let locked = move || effective.with(|e| e.reason_locked(field));
    view! {
        <label class="pl-check">
            <input type="checkbox" data-testid=testid
                checked=move || effective.with(|e| read(&e.settings))
                disabled=move || locked().is_some()
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    settings.update(|s| write(s, on));
                    context.save_settings();
                }/>
            " "{label}
        </label>
        <p class="pl-muted">{hint}</p>
        {move || locked().map(|reason| view! { <p class="pl-muted" data-testid="pl-setting-locked">"🔒 " {reason}</p> })}
    }
}

/// One text setting: validated on change, saved only when valid, with the reason shown otherwise.
/// A setting the team policy locks is shown read-only with its reason.
#[component]
fn SettingField(
    label: &'static str,
    testid: &'static str,
    /// The settings field name, as the team policy's lock names it.
    field: &'static str,
    effective: Memo<Effective>,
    hint: &'static str,
    value: String,
    validate: fn(&str) -> Result<String, String>,
    on_valid: impl Fn(String) + 'static,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let id = format!("{testid}-input");
    let hint_id = format!("{testid}-hint");
    let locked = move || effective.with(|e| e.reason_locked(field));
    // A locked field shows the value in force, not the user's. The policy is fixed while the page
    // is open, so this is decided once.
    let shown = effective.with_untracked(|e| match field {
        "org" if e.is_locked(field) => e.settings.org.clone(),
        "host" if e.is_locked(field) => e.settings.host.clone(),
        "period" if e.is_locked(field) => e.settings.period.clone(),
        _ => value,
    });
    view! {
        <div class="pl-field">
            <label for=id.clone()>{label}</label>
            <input id=id type="text" data-testid=testid value=shown aria-describedby=hint_id.clone()
                disabled=move || locked().is_some()
                data-locked=move || locked().is_some().to_string()
                aria-invalid=move || error.get().is_some().to_string()
                on:change=move |ev| match validate(&event_target_value(&ev)) {
                    Ok(valid) => { error.set(None); on_valid(valid) }
                    Err(message) => error.set(Some(message)),
                }/>
            <p id=hint_id class="pl-muted">{hint}</p>
            {move || locked().map(|reason| view! { <p class="pl-muted" data-testid="pl-setting-locked">"🔒 " {reason}</p> })}
            {move || error.get().map(|message| view! { <p class="pl-error" role="alert">{message}</p> })}
        </div>
    }
}

/// Why the context menu opened this page (`?reason=no-org`), in one line; nothing otherwise.
#[component]
fn MenuReason() -> impl IntoView {
    let search = window().location().search().unwrap_or_default();
    let reason = form_urlencoded::parse(search.trim_start_matches('?').as_bytes())
        .find(|(name, _)| name == "reason")
        .and_then(|(_, value)| reason_message(&value));
    reason.map(|message| {
        view! { <p class="pl-warning" role="status" data-testid="pl-options-reason">{message}</p> }
    })
}
