//! Export and import of everything Pivot Lens keeps in `storage.local`, as one JSON file. An
//! import is checked as a whole (format, size, secrets, settings, runbook) and applies nothing on
//! any error.

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::core::config::runbook_store::{check_import, ImportedRunbook};
use crate::core::config::settings::Settings;
use crate::core::guard::secrets::{detect_secret, SecretKind};

const FORMAT: &str = "pivot-lens-storage";
const VERSION: u64 = 1;
/// Largest file accepted: a full runbook and its previous version, with room to spare.
pub const MAX_EXPORT_BYTES: usize = 4 * 1024 * 1024;

/// The export file's text for the whole `storage.local` object.
pub fn export(storage: &Value) -> String {
    let document = json!({ "format": FORMAT, "version": VERSION, "storage": storage });
    serde_json::to_string_pretty(&document).unwrap_or_default()
}

/// The `storage.local` object an export file restores, or every reason it cannot be imported.
pub fn import(text: &str) -> Result<Map<String, Value>, Vec<String>> {
    if text.len() > MAX_EXPORT_BYTES {
        return Err(vec![format!(
            "The file is larger than {} MB; it is not a Pivot Lens export.",
            MAX_EXPORT_BYTES / (1024 * 1024)
        )]);
    }
    let document: Value = serde_json::from_str(text)
        .map_err(|e| vec![format!("The file is not JSON (line {}).", e.line())])?;
    if document.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(vec!["The file is not a Pivot Lens settings export.".into()]);
    }
    if document.get("version").and_then(Value::as_u64) != Some(VERSION) {
        return Err(vec![
            "The export was made by another version of Pivot Lens and cannot be read.".into(),
        ]);
    }
    let Some(storage) = document.get("storage").and_then(Value::as_object) else {
        return Err(vec!["The export holds no settings.".into()]);
    };
    if let Some(kind) = detect_secret(text).or_else(|| decoded_secret(&document)) {
        return Err(vec![format!(
            "The file contains what looks like {}; it is not imported.",
            kind.describe()
        )]);
    }
    let mut problems = Vec::new();
    if let Some(settings) = storage.get("settings") {
        let (_, notices) = Settings::load(settings);
        problems.extend(notices);
    }
    match storage.get("runbook") {
        None | Some(Value::Null) => {}
        Some(Value::String(markdown)) => {
            if let Err(refusal) = check_import(markdown, "", "") {
                problems.push(format!("Runbook: {}", refusal.message));
            }
        }
        Some(_) => problems.push("Runbook: not a markdown document.".into()),
    }
    // Rollback restores this slot, so it must pass what the current one passes.
    match storage.get("runbook_previous") {
        None | Some(Value::Null) => {}
        Some(previous) => match ImportedRunbook::deserialize(previous) {
            Ok(previous) => {
                if let Err(refusal) = check_import(&previous.markdown, "", "") {
                    problems.push(format!("Previous runbook: {}", refusal.message));
                }
            }
            Err(_) => problems.push("Previous runbook: not a stored runbook.".into()),
        },
    }
    if problems.is_empty() {
        Ok(storage.clone())
    } else {
        Err(problems)
    }
}

/// The first secret in a decoded string or key: JSON escapes (`\u0061`) hide one from a scan of
/// the file's text. serde_json's nesting limit bounds the recursion.
fn decoded_secret(value: &Value) -> Option<SecretKind> {
    match value {
        Value::String(text) => detect_secret(text),
        Value::Array(items) => items.iter().find_map(decoded_secret),
        Value::Object(entries) => entries
            .iter()
            .find_map(|(key, value)| detect_secret(key).or_else(|| decoded_secret(value))),
        _ => None,
    }
}

/// The Sentry an import would point every follow-up at, when it is not the one in use now:
/// `(now, after)`, each an origin, `sentry.io` for none. The options page asks before applying it.
pub fn host_change(current: &Value, imported: &Map<String, Value>) -> Option<(String, String)> {
    let host_of = |settings: Option<&Value>| {
        let (settings, _) = Settings::load(settings.unwrap_or(&Value::Null));
        settings.host
    };
    let (now, after) = (
        host_of(current.get("settings")),
        host_of(imported.get("settings")),
    );
    let named = |host: String| {
        if host.is_empty() {
            "sentry.io".to_owned()
        } else {
            host
        }
    };
    (now != after).then(|| (named(now), named(after)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RENAMED: &str = include_str!("../../../tests/fixtures/runbooks/renamed.md");

    #[test]
    fn an_import_that_changes_the_sentry_host_is_named() {
        let now = storage();
        let same = import(&export(&now)).expect("imports");
        assert_eq!(host_change(&now, &same), None);
        let mut elsewhere = now.clone();
        elsewhere["settings"]["host"] = json!("https://sentry.evil.example");
        let moved = import(&export(&elsewhere)).expect("imports");
        assert_eq!(
            host_change(&now, &moved),
            Some(("sentry.io".into(), "https://sentry.evil.example".into()))
        );
        assert_eq!(
            host_change(&elsewhere, &same),
            Some(("https://sentry.evil.example".into(), "sentry.io".into()))
        );
    }

    fn storage() -> Value {
        json!({
            "settings": { "org": "acme", "host": "", "period": "7d", "projects": [42],
                          "sidebar": { "open": true, "left": false, "width": 400 } },
            "sidebar": { "open": false, "width": 380, "left": true },
            "runbook": RENAMED,
            "tour": { "seen": true },
        })
    }

    #[test]
    fn export_then_import_restores_the_same_storage() {
        let text = export(&storage());
        assert_eq!(Value::Object(import(&text).unwrap()), storage());
    }

    #[test]
    fn foreign_or_broken_files_are_refused() {
        assert!(import("not json").unwrap_err()[0].contains("not JSON"));
        assert!(import("{}").unwrap_err()[0].contains("not a Pivot Lens"));
        let future = json!({ "format": FORMAT, "version": 2, "storage": {} }).to_string();
        assert!(import(&future).unwrap_err()[0].contains("another version"));
    }

    #[test]
    fn invalid_content_is_refused_as_a_whole() {
        let mut bad = storage();
        bad["settings"]["period"] = json!("forever");
        bad["runbook"] = json!("# Telemetry\n\nnot a runbook");
        let problems = import(&export(&bad)).unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("period") && problems[1].starts_with("Runbook:"));
    }

    /// JSON escapes hide a token from a scan of the file's text; the decoded values are scanned.
    #[test]
    fn an_escaped_secret_is_refused_wherever_it_is() {
        let token = format!("sntryu_{}", "ab12".repeat(16));
        // Every `a` escaped, so that no run of the raw text looks like a token either.
        let escape = |text: String| text.replace(&token, &token.replace('a', "\\u0061"));
        let leaky_runbook = format!("{RENAMED}\nUse `{token}`.\n");
        let mut in_value = storage();
        in_value["tour"]["note"] = json!(token);
        let mut in_key = storage();
        in_key["tour"][&token] = json!(true);
        let mut in_previous = storage();
        in_previous["runbook_previous"] =
            json!({ "markdown": leaky_runbook, "source": { "name": "old.md" } });
        for file in [in_value, in_key, in_previous].map(|s| escape(export(&s))) {
            assert!(!file.contains(&token));
            let problems = import(&file).unwrap_err();
            assert!(
                problems[0].contains("Sentry user auth token"),
                "{problems:?}"
            );
        }
    }

    /// The previous slot is what Rollback restores, so it is validated as the current one is.
    #[test]
    fn every_stored_runbook_is_validated() {
        let mut bad = storage();
        bad["runbook_previous"] = json!({
            "markdown": "# Telemetry\n\nnot a runbook",
            "source": { "name": "old.md", "imported_at": "t", "checksum": "", "summary": "" },
        });
        let problems = import(&export(&bad)).unwrap_err();
        assert!(problems[0].starts_with("Previous runbook:"), "{problems:?}");
        bad["runbook_previous"] = json!("not an object");
        let problems = import(&export(&bad)).unwrap_err();
        assert!(problems[0].starts_with("Previous runbook:"), "{problems:?}");
        bad["runbook_previous"] = json!({ "markdown": RENAMED, "source": { "name": "old.md",
            "imported_at": "t", "checksum": "", "summary": "" } });
        assert!(import(&export(&bad)).is_ok());
    }

    #[test]
    fn a_file_with_a_secret_is_refused() {
        let mut bad = storage();
        bad["notes"] = json!(format!("sntryu_{}", "ab12".repeat(16)));
        let problems = import(&export(&bad)).unwrap_err();
        assert!(
            problems[0].contains("Sentry user auth token"),
            "{problems:?}"
        );
    }
}
