//! Self-hosted Sentry access (security.md MAN-2): the grant is requested from a click (a user
//! gesture), then the content script is registered for that origin only; "Remove" revokes it.
//! `self_hosted_plan` is also what the background runs when the browser revokes a grant.

use leptos::prelude::*;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::{Context, Platform};
use crate::core::config::managed::{effective_settings, read_policy};
use crate::core::config::self_hosted::{origin_pattern, plan, Registration};
use crate::core::config::settings::Settings;

/// The registration steps (JSON) for `storage.local` and the team policy (JSON), the granted host
/// patterns and the currently registered content scripts.
#[wasm_bindgen]
pub fn self_hosted_plan(
    stored: &str,
    managed: &str,
    granted: &str,
    registered: &str,
) -> Result<String, JsError> {
    let stored: Value = serde_json::from_str(stored)?;
    let (settings, _) = Settings::load(stored.get("settings").unwrap_or(&Value::Null));
    let (policy, _) = read_policy(&serde_json::from_str(managed)?);
    let hosts = effective_settings(&settings, &policy).hosts;
    let granted: Vec<String> = serde_json::from_str(granted)?;
    let registered: Vec<Registration> = serde_json::from_str(registered)?;
    Ok(serde_json::to_string(&plan(&hosts, &granted, &registered))?)
}

#[component]
pub(super) fn SelfHostedSection(context: Context) -> impl IntoView {
    let granted = RwSignal::new(Vec::<String>::new());
    let message = RwSignal::new(None::<String>);
    let refresh = move || {
        leptos::task::spawn_local(async move {
            let _ = JsFuture::from(context.platform(Platform::sync_self_hosted)).await;
            if let Ok(list) = JsFuture::from(context.platform(Platform::granted_origins)).await {
                let list = list.as_string().unwrap_or_default();
                granted.set(serde_json::from_str(&list).unwrap_or_default());
            }
        });
    };
    refresh();
    let hosts = move || context.effective.with(|e| e.hosts.clone());
    let request = move |origin: String| {
        let patterns = serde_json::json!([origin_pattern(&origin)]).to_string();
        // Called synchronously from the click: the browser only asks inside a user gesture.
        let asked = context.platform(|p| p.request_origins(&patterns));
        leptos::task::spawn_local(async move {
            let allowed = JsFuture::from(asked).await.ok().and_then(|v| v.as_bool());
            message.set(Some(match allowed {
                Some(true) => format!("Pivot Lens now works on {origin}."),
                _ => format!("Access to {origin} was not granted; nothing runs there."),
            }));
            refresh();
        });
    };
    let remove = move |origin: String| {
        let patterns = serde_json::json!([origin_pattern(&origin)]).to_string();
        let removed = context.platform(|p| p.remove_origins(&patterns));
        leptos::task::spawn_local(async move {
            let _ = JsFuture::from(removed).await;
            message.set(Some(format!("Pivot Lens no longer runs on {origin}.")));
            refresh();
        });
    };
    view! {
        <section aria-labelledby="pl-self-hosted-heading">
            <h2 id="pl-self-hosted-heading">"Self-hosted Sentry"</h2>
            <p class="pl-muted">"Pivot Lens runs on sentry.io. To use it on your own Sentry, set the Sentry host above, then allow access to exactly that address."</p>
            {move || {
                hosts().into_iter().map(move |origin| {
                    let allowed = granted.with(|g| g.contains(&origin_pattern(&origin)));
                    let (for_request, for_remove) = (origin.clone(), origin.clone());
                    view! {
                        <p class="pl-field" data-testid="pl-self-hosted" data-origin=origin.clone()
                            data-granted=allowed.to_string()>
                            <span>{origin.clone()} {if allowed { " — allowed" } else { " — not allowed" }}</span>
                            {if allowed {
                                view! { <button type="button" class="pl-button" data-testid="pl-self-hosted-remove"
                                    on:click=move |_| remove(for_remove.clone())>"Remove"</button> }.into_any()
                            } else {
                                view! { <button type="button" class="pl-button" data-testid="pl-self-hosted-allow"
                                    on:click=move |_| request(for_request.clone())>"Allow access"</button> }.into_any()
                            }}
                        </p>
                    }
                }).collect_view()
            }}
            // Links to a self-hosted Sentry use syntax an older one reads as free text.
            {move || (!hosts().is_empty()).then(|| view! {
                <p class="pl-muted" data-testid="pl-self-hosted-version">
                    "Follow-up links filter typed span attributes as "<code>"tags[key,number]"</code>
                    " (Sentry 25.1.0 and later) and "<code>"tags[key,boolean]"</code>
                    " (Sentry 26.1.0 and later, January 2026, with its explicit boolean tags flag on). \
                     On an older self-hosted Sentry those filters match nothing: upgrade it, or expect \
                     empty results from the recipes that use them."
                </p>
            })}
            {move || message.get().map(|m| view! { <p class="pl-muted" role="status">{m}</p> })}
        </section>
    }
}
