//! The glossary: every pivot of the runbook with its meaning, where it is found, its first query
//! and the attribute notes that apply, searchable by any of them.

use serde::Serialize;

use crate::core::lens::notes_for;
use crate::core::runbook::Runbook;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GlossaryEntry {
    pub key: String,
    pub meaning: String,
    pub found_in: Vec<String>,
    pub first_query: String,
    pub notes: Vec<String>,
}

pub fn entries(runbook: &Runbook) -> Vec<GlossaryEntry> {
    runbook
        .pivots
        .iter()
        .map(|pivot| GlossaryEntry {
            key: pivot.key.as_str().to_owned(),
            meaning: pivot.meaning.clone(),
            found_in: pivot.found_in.clone(),
            first_query: pivot.first_query.clone(),
            notes: notes_for(runbook, pivot.key.as_str()),
        })
        .collect()
}

/// Whether the entry mentions every word of `query` (case-insensitive) in any of its fields.
pub fn matches(entry: &GlossaryEntry, query: &str) -> bool {
    let haystack = std::iter::once(&entry.key)
        .chain([&entry.meaning, &entry.first_query])
        .chain(&entry.found_in)
        .chain(&entry.notes)
        .map(|field| field.to_lowercase())
        .collect::<Vec<_>>()
        .join("\n");
    query
        .to_lowercase()
        .split_whitespace()
        .all(|word| haystack.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_runbook_pivot_is_an_entry() {
        let runbook = Runbook::bundled();
        let all = entries(&runbook);
        assert_eq!(all.len(), runbook.pivots.len());
        let family = all.iter().find(|e| e.key == "app.client.family").unwrap();
        assert_eq!(family.meaning, "bucketed MCP client family");
        assert_eq!(family.found_in, ["metrics", "spans"]);
        assert_eq!(family.first_query, "client-specific OAuth behavior");
        assert!(family.notes[0].starts_with("`app.*` fields are Sentry MCP application-owned"));
    }

    #[test]
    fn search_matches_every_word_in_any_field() {
        let all = entries(&Runbook::bundled());
        let keys = |query: &str| -> Vec<String> {
            all.iter()
                .filter(|e| matches(e, query))
                .map(|e| e.key.clone())
                .collect()
        };
        assert_eq!(keys("sign-out"), ["app.oauth.grant_revoked.reason"]);
        assert_eq!(keys("TRACE_ID"), ["trace_id"]);
        assert!(keys("oauth refresh").contains(&"app.oauth.token_exchange.outcome".to_owned()));
        assert!(
            keys("semantic").contains(&"gen_ai.tool.name".to_owned()),
            "notes are searched"
        );
        assert_eq!(keys("").len(), all.len());
        assert!(keys("no such words here").is_empty());
    }
}
