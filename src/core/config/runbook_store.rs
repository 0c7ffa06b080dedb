//! The imported runbook and its history (security.md RB-1, RB-4): a document is checked (size,
//! secrets, the parser) before it replaces anything, and the previous version is kept for a
//! one-click rollback. Storage keys: `runbook` (the markdown the sidebar reads), `runbook_source`
//! and `runbook_previous`.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::core::guard::secrets::detect_secret;
use crate::core::runbook::{Runbook, RunbookError};

/// Largest runbook accepted (RB-1).
pub const MAX_RUNBOOK_BYTES: usize = 1024 * 1024;
/// Errors listed in the status; the rest are counted.
const LISTED_ERRORS: usize = 5;

/// Where an imported runbook came from, shown next to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunbookSource {
    /// The picked file's name, or "pasted text".
    pub name: String,
    /// ISO 8601 time of the import.
    pub imported_at: String,
    /// SHA-256 of the markdown, hex.
    pub checksum: String,
    /// What it holds, e.g. "12 recipes, 40 pivots, 9 domains".
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedRunbook {
    pub markdown: String,
    pub source: RunbookSource,
}

/// The stored runbook state: the one in use (none = bundled) and the one before it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunbookHistory {
    pub current: Option<ImportedRunbook>,
    pub previous: Option<ImportedRunbook>,
}

/// Why a document was not imported: a human message and the parser's positioned errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRefusal {
    pub message: String,
    pub errors: Vec<RunbookError>,
}

/// Checks a runbook document and describes it; nothing is stored on refusal.
pub fn check_import(
    markdown: &str,
    name: &str,
    imported_at: &str,
) -> Result<ImportedRunbook, ImportRefusal> {
    let refuse = |message: String| ImportRefusal {
        message,
        errors: Vec::new(),
    };
    if markdown.len() > MAX_RUNBOOK_BYTES {
        return Err(refuse(format!(
            "Not imported: the runbook is {} KB, the limit is {} KB.",
            markdown.len() / 1024,
            MAX_RUNBOOK_BYTES / 1024
        )));
    }
    if let Some(kind) = detect_secret(markdown) {
        return Err(refuse(format!(
            "Not imported: the runbook contains what looks like {}. Remove it and import again.",
            kind.describe()
        )));
    }
    let runbook = Runbook::parse(markdown).map_err(refusal_for)?;
    let warnings = runbook.warnings().len();
    let mut summary = format!(
        "{} recipes, {} pivots, {} domains",
        runbook.recipes.len(),
        runbook.pivots.len(),
        runbook.domains.len()
    );
    if warnings > 0 {
        summary.push_str(&format!(", {warnings} warnings"));
    }
    Ok(ImportedRunbook {
        markdown: markdown.to_owned(),
        source: RunbookSource {
            name: display_name(name),
            imported_at: imported_at.to_owned(),
            checksum: checksum(markdown),
            summary,
        },
    })
}

fn refusal_for(errors: Vec<RunbookError>) -> ImportRefusal {
    let mut message = format!(
        "Not imported: {} error{} (nothing was changed). ",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    );
    let listed: Vec<String> = errors
        .iter()
        .take(LISTED_ERRORS)
        .map(|e| e.to_string())
        .collect();
    message.push_str(&listed.join("; "));
    if errors.len() > LISTED_ERRORS {
        message.push_str(&format!("; and {} more", errors.len() - LISTED_ERRORS));
    }
    ImportRefusal { message, errors }
}

/// File names come from the user's disk: bounded and shown as text only.
fn display_name(name: &str) -> String {
    let name = name.trim();
    if name.is_empty() {
        "pasted text".to_owned()
    } else {
        name.chars().filter(|c| !c.is_control()).take(120).collect()
    }
}

pub fn checksum(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

impl RunbookHistory {
    /// The new runbook is used; the one it replaces (if any) becomes the rollback target.
    pub fn apply(&self, imported: ImportedRunbook) -> RunbookHistory {
        RunbookHistory {
            previous: self.current.clone().or_else(|| self.previous.clone()),
            current: Some(imported),
        }
    }

    /// Back to the bundled runbook; the imported one stays available for rollback.
    pub fn reset(&self) -> RunbookHistory {
        RunbookHistory {
            previous: self.current.clone().or_else(|| self.previous.clone()),
            current: None,
        }
    }

    /// Swaps in the previous version once it passes the import checks again: the stored slot
    /// may come from a settings file, an older version or a hand edit (security.md RB-4).
    pub fn rollback(&self) -> Result<RunbookHistory, ImportRefusal> {
        let Some(previous) = self.previous.clone() else {
            return Err(ImportRefusal {
                message: "Not rolled back: there is no previous runbook.".into(),
                errors: Vec::new(),
            });
        };
        if let Err(mut refusal) = check_import(&previous.markdown, "", "") {
            // Every refusal of `check_import` starts so; nothing is being imported here.
            refusal.message = refusal
                .message
                .replacen("Not imported:", "Not rolled back:", 1);
            return Err(refusal);
        }
        Ok(RunbookHistory {
            current: Some(previous),
            previous: self.current.clone(),
        })
    }

    /// The `storage.local` entries this state is stored as (`null` = remove the key).
    pub fn storage_entries(&self) -> serde_json::Value {
        serde_json::json!({
            "runbook": self.current.as_ref().map(|c| &c.markdown),
            "runbook_source": self.current.as_ref().map(|c| &c.source),
            "runbook_previous": self.previous,
        })
    }

    /// Reads the stored state. A current runbook without its source record (written by an older
    /// version or by hand) still counts, described as such.
    pub fn from_storage(stored: &serde_json::Value) -> RunbookHistory {
        let current = stored
            .get("runbook")
            .and_then(|v| v.as_str())
            .map(|markdown| {
                let source = stored
                    .get("runbook_source")
                    .and_then(|v| serde_json::from_value::<RunbookSource>(v.clone()).ok())
                    .filter(|source| source.checksum == checksum(markdown))
                    .unwrap_or_else(|| RunbookSource {
                        name: "unknown source".into(),
                        imported_at: String::new(),
                        checksum: checksum(markdown),
                        summary: String::new(),
                    });
                ImportedRunbook {
                    markdown: markdown.to_owned(),
                    source,
                }
            });
        let previous = stored
            .get("runbook_previous")
            .and_then(|v| serde_json::from_value::<ImportedRunbook>(v.clone()).ok());
        RunbookHistory { current, previous }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::runbook::BUNDLED_MARKDOWN;

    const RENAMED: &str = include_str!("../../../tests/fixtures/runbooks/renamed.md");
    const INVALID: &str =
        include_str!("../../../tests/fixtures/runbooks/invalid-several-errors.md");

    #[test]
    fn a_valid_runbook_is_described() {
        let imported = check_import(RENAMED, "renamed.md", "2026-01-02T03:04:05Z").unwrap();
        let recipes = Runbook::parse(RENAMED).unwrap().recipes.len();
        assert_eq!(imported.markdown, RENAMED);
        assert_eq!(imported.source.name, "renamed.md");
        assert_eq!(imported.source.imported_at, "2026-01-02T03:04:05Z");
        assert!(imported
            .source
            .summary
            .starts_with(&format!("{recipes} recipes, ")));
        assert_eq!(imported.source.checksum.len(), 64);
        assert_ne!(imported.source.checksum, checksum(BUNDLED_MARKDOWN));
        assert_eq!(
            checksum("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn an_invalid_runbook_reports_its_lines() {
        let refusal = check_import(INVALID, "bad.md", "t").unwrap_err();
        let errors = Runbook::parse(INVALID).unwrap_err();
        assert_eq!(refusal.errors, errors);
        assert!(refusal.message.starts_with("Not imported:"));
        assert!(
            refusal
                .message
                .contains(&format!("line {}", errors[0].line)),
            "{}",
            refusal.message
        );
    }

    #[test]
    fn a_runbook_with_a_secret_is_refused_without_echoing_it() {
        let token = format!("sntryu_{}", "ab12".repeat(16));
        let markdown = format!("{RENAMED}\nUse `{token}` to query.\n");
        let refusal = check_import(&markdown, "leak.md", "t").unwrap_err();
        assert!(
            refusal.message.contains("Sentry user auth token"),
            "{}",
            refusal.message
        );
        assert!(!refusal.message.contains(&token));
    }

    #[test]
    fn oversized_runbooks_are_refused_before_parsing() {
        let huge = "x".repeat(MAX_RUNBOOK_BYTES + 1);
        assert!(check_import(&huge, "", "t")
            .unwrap_err()
            .message
            .contains("limit"));
    }

    #[test]
    fn file_names_are_bounded_text() {
        let imported = check_import(RENAMED, "a\u{0}b\n.md", "t").unwrap();
        assert_eq!(imported.source.name, "ab.md");
        assert_eq!(
            check_import(RENAMED, "  ", "t").unwrap().source.name,
            "pasted text"
        );
    }

    #[test]
    fn import_two_versions_roll_back_and_reset() {
        let first = check_import(BUNDLED_MARKDOWN, "v1.md", "t1").unwrap();
        let second = check_import(RENAMED, "v2.md", "t2").unwrap();
        let empty = RunbookHistory::default();
        assert!(empty.rollback().is_err());
        let one = empty.apply(first.clone());
        let two = one.apply(second.clone());
        assert_eq!(two.current.as_ref(), Some(&second));
        let rolled = two.rollback().unwrap();
        assert_eq!(
            rolled.current, one.current,
            "rollback restores the state before"
        );
        assert_eq!(rolled.previous.as_ref(), Some(&second), "and can be undone");
        let reset = two.reset();
        assert_eq!(reset.current, None);
        assert_eq!(reset.rollback().unwrap().current.as_ref(), Some(&second));
    }

    /// A stored previous slot is not trusted: storage may have been written by an import of an
    /// older version, by hand or by a settings file, so Rollback checks it like an import.
    #[test]
    fn rollback_rechecks_the_runbook_it_restores() {
        let token = format!("sntryu_{}", "ab12".repeat(16));
        let current = check_import(RENAMED, "v2.md", "t2").unwrap();
        let stored = |markdown: String| RunbookHistory {
            current: Some(current.clone()),
            previous: Some(ImportedRunbook {
                source: RunbookSource {
                    name: "old.md".into(),
                    imported_at: "t1".into(),
                    checksum: checksum(&markdown),
                    summary: String::new(),
                },
                markdown,
            }),
        };
        let leaky = stored(format!("{RENAMED}\nUse `{token}`.\n"));
        let refusal = leaky.rollback().unwrap_err();
        assert!(
            refusal.message.starts_with("Not rolled back:")
                && refusal.message.contains("Sentry user auth token")
                && !refusal.message.contains(&token),
            "{}",
            refusal.message
        );
        let invalid = stored(INVALID.to_owned()).rollback().unwrap_err();
        assert_eq!(invalid.errors, Runbook::parse(INVALID).unwrap_err());
        assert!(invalid.message.contains("line "), "{}", invalid.message);
        let fine = stored(BUNDLED_MARKDOWN.to_owned()).rollback().unwrap();
        assert_eq!(fine.current.unwrap().source.name, "old.md");
    }

    #[test]
    fn storage_round_trip() {
        let history = RunbookHistory::default()
            .apply(check_import(BUNDLED_MARKDOWN, "v1.md", "t1").unwrap())
            .apply(check_import(RENAMED, "v2.md", "t2").unwrap());
        let entries = history.storage_entries();
        assert_eq!(entries["runbook"], RENAMED);
        assert_eq!(RunbookHistory::from_storage(&entries), history);
        let reset = history.reset().storage_entries();
        assert!(reset["runbook"].is_null() && reset["runbook_source"].is_null());
    }

    #[test]
    fn a_hand_written_runbook_entry_is_still_listed() {
        let stored = serde_json::json!({ "runbook": RENAMED, "runbook_source": { "name": "x" } });
        let history = RunbookHistory::from_storage(&stored);
        let current = history.current.unwrap();
        assert_eq!(current.source.name, "unknown source");
        assert_eq!(current.source.checksum, checksum(RENAMED));
    }
}
