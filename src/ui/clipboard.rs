//! Copy to the clipboard, with the secret detector as the last gate: nothing that looks like a
//! token leaves through here, whatever called it.

use crate::core::secrets::detect_secret;

/// Copies `text`; returns a short status for the button to show.
pub fn copy(text: &str) -> &'static str {
    if detect_secret(text).is_some() {
        return "Not copied: looks like a secret";
    }
    match web_sys::window() {
        Some(window) => {
            // The promise settles later; a failure (no focus, denied) shows in the browser, not here.
            let _ = window.navigator().clipboard().write_text(text);
            "Copied"
        }
        None => "Copy failed",
    }
}
