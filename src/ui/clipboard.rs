//! Copy to the clipboard, with the secret detector as the last gate: nothing that looks like a
//! token leaves through here, whatever called it.

use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::core::secrets::detect_secret;

/// Copies `text` and reports the outcome in `status` once the browser has written it (or refused:
/// no focus, no permission), so "Copied" is never shown for a copy that did not happen.
pub fn copy(text: &str, status: RwSignal<&'static str>) {
    if detect_secret(text).is_some() {
        status.set("Not copied: looks like a secret");
        return;
    }
    let Some(window) = web_sys::window() else {
        status.set("Copy failed");
        return;
    };
    let written = JsFuture::from(window.navigator().clipboard().write_text(text));
    status.set("Copying…");
    leptos::task::spawn_local(async move {
        status.set(if written.await.is_ok() {
            "Copied"
        } else {
            "Copy failed"
        });
    });
}
