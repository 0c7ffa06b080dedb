//! The runbook compiler: markdown in, the model's JSON out. The sidebar loads this module only when
//! a team or imported runbook is in force; `build.sh` runs it once on the bundled runbook.

use wasm_bindgen::prelude::*;

use crate::core::guard::secrets::detect_secret;
use crate::core::runbook::Runbook;

/// The JSON of the runbook model, or an error naming the first problem (with its position).
#[wasm_bindgen]
pub fn compile_runbook(markdown: &str) -> Result<String, JsError> {
    if detect_secret(markdown).is_some() {
        return Err(JsError::new(
            "the runbook contains what looks like a secret",
        ));
    }
    let runbook = Runbook::parse(markdown).map_err(|errors| {
        JsError::new(&errors.first().map(ToString::to_string).unwrap_or_default())
    })?;
    Ok(serde_json::to_string(&runbook)?)
}
