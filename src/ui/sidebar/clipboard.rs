//! Copy to the clipboard, with the secret detector as the last gate: nothing that looks like a
//! token leaves through here, whatever called it.

use wasm_bindgen_futures::JsFuture;

use crate::core::guard::secrets::detect_secret;

/// Copies `text` and reports the outcome to `report` once the browser has written it (or refused:
/// no focus, no permission), so "Copied" is never shown for a copy that did not happen.
pub fn copy(text: &str, report: impl Fn(&'static str) + 'static) {
    if detect_secret(text).is_some() {
        report("Not copied: looks like a secret");
        return;
    }
    let Some(window) = web_sys::window() else {
        report("Copy failed");
        return;
    };
    let written = JsFuture::from(window.navigator().clipboard().write_text(text));
    report("Copying…");
    leptos::task::spawn_local(async move {
        report(if written.await.is_ok() {
            "Copied"
        } else {
            "Copy failed"
        });
    });
}
