//! The page as the sidebar knows it, from the probe's reports. The probe files what it reads under
//! entries (one per container of the page, or per element outside every container) and reports
//! only the entries that changed since its last report, so a page of thousands of rows is not
//! copied across processes at every change. This keeps the entries and puts the page together.

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;

use crate::core::recognition::facts::{RawFact, RawFacts};

/// Distinct facts a page shows at most: a span with thousands of attributes still shows the last
/// of them, and a page of endless log rows costs bounded work.
pub const MAX_PAGE_FACTS: usize = 5_000;

/// One entry of a report, `[id, facts, failed rule names]`: the probe numbers entries as it first
/// files them and keeps the number when it re-reads one, so ids follow the page's order.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ProbeEntry(pub u64, pub Vec<RawFact>, pub Vec<String>);

#[derive(Debug, Default)]
pub struct PageEntries {
    entries: BTreeMap<u64, (Vec<RawFact>, Vec<String>)>,
}

impl PageEntries {
    /// Applies a report: a `full` one replaces every entry (a new page, or a sidebar that just
    /// connected); otherwise `gone` entries are dropped and `changed` ones replace theirs.
    pub fn apply(&mut self, full: bool, gone: &[u64], changed: Vec<ProbeEntry>) {
        if full {
            self.entries.clear();
        }
        for id in gone {
            self.entries.remove(id);
        }
        for ProbeEntry(id, facts, failed) in changed {
            self.entries.insert(id, (facts, failed));
        }
    }

    /// The page at `url`: its facts in page order, each (source, key, value) once (the first
    /// entry's section wins), at most `MAX_PAGE_FACTS`; and each failed rule once.
    pub fn page(&self, url: String) -> RawFacts {
        let mut seen = HashSet::new();
        let mut facts = Vec::new();
        let mut failed_rules: Vec<String> = Vec::new();
        for (entry_facts, failed) in self.entries.values() {
            for rule in failed {
                if !failed_rules.contains(rule) {
                    failed_rules.push(rule.clone());
                }
            }
            for fact in entry_facts {
                if facts.len() < MAX_PAGE_FACTS
                    && seen.insert((fact.source, fact.key.as_str(), fact.value.as_str()))
                {
                    facts.push(fact.clone());
                }
            }
        }
        RawFacts {
            url,
            facts,
            failed_rules,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::recognition::facts::FactSource;

    fn fact(key: &str, value: &str) -> RawFact {
        RawFact {
            source: FactSource::TestId,
            key: key.into(),
            value: value.into(),
            section: "trace-drawer".into(),
        }
    }

    fn entry(id: u64, facts: &[(&str, &str)], failed: &[&str]) -> ProbeEntry {
        ProbeEntry(
            id,
            facts.iter().map(|(k, v)| fact(k, v)).collect(),
            failed.iter().map(|rule| rule.to_string()).collect(),
        )
    }

    fn values(entries: &PageEntries) -> Vec<String> {
        let page = entries.page("https://acme.sentry.io/".into());
        page.facts.into_iter().map(|fact| fact.value).collect()
    }

    #[test]
    fn changed_entries_replace_theirs_gone_ones_go_and_the_rest_stays_in_page_order() {
        let mut entries = PageEntries::default();
        entries.apply(
            true,
            &[],
            vec![
                entry(1, &[("trace_id", "a")], &[]),
                entry(2, &[("user.id", "7")], &[]),
                entry(3, &[("http.route", "/x")], &[]),
            ],
        );
        assert_eq!(values(&entries), ["a", "7", "/x"]);
        entries.apply(
            false,
            &[],
            vec![entry(2, &[("user.id", "8")], &["tag-tree"])],
        );
        assert_eq!(values(&entries), ["a", "8", "/x"]);
        entries.apply(false, &[1], vec![entry(4, &[("span_id", "b")], &[])]);
        assert_eq!(values(&entries), ["8", "/x", "b"]);
        let page = entries.page("https://acme.sentry.io/issues/1/".into());
        assert_eq!(page.url, "https://acme.sentry.io/issues/1/");
        assert_eq!(page.failed_rules, ["tag-tree"]);
    }

    #[test]
    fn a_full_report_replaces_everything() {
        let mut entries = PageEntries::default();
        entries.apply(true, &[], vec![entry(1, &[("trace_id", "a")], &["json"])]);
        entries.apply(true, &[], vec![]);
        let page = entries.page("https://acme.sentry.io/".into());
        assert!(page.facts.is_empty() && page.failed_rules.is_empty());
        entries.apply(false, &[], vec![entry(2, &[("trace_id", "c")], &[])]);
        assert_eq!(values(&entries), ["c"]);
    }

    #[test]
    fn a_fact_read_twice_is_shown_once_and_the_page_is_bounded() {
        let mut entries = PageEntries::default();
        let many: Vec<(String, String)> = (0..MAX_PAGE_FACTS + 100)
            .map(|i| ("custom.n".to_string(), i.to_string()))
            .collect();
        let mut second = vec![fact("user.id", "7")];
        second.extend(many.iter().map(|(k, v)| fact(k, v)));
        entries.apply(
            true,
            &[],
            vec![
                entry(1, &[("user.id", "7")], &["json"]),
                ProbeEntry(2, second, vec!["json".into()]),
            ],
        );
        let page = entries.page("https://acme.sentry.io/".into());
        assert_eq!(page.facts.len(), MAX_PAGE_FACTS);
        let firsts: Vec<&str> = page.facts[..3].iter().map(|f| f.value.as_str()).collect();
        assert_eq!(firsts, ["7", "0", "1"]);
        assert_eq!(page.failed_rules, ["json"]);
        // The same value from another source is another fact.
        let mut other = fact("user.id", "7");
        other.source = FactSource::Tag;
        entries.apply(
            true,
            &[],
            vec![ProbeEntry(1, vec![fact("user.id", "7"), other], vec![])],
        );
        assert_eq!(values(&entries), ["7", "7"]);
    }

    #[test]
    fn reports_read_from_the_probes_json() {
        let report: Vec<ProbeEntry> = serde_json::from_str(
            r#"[[12, [{"source": "testId", "key": "user.id", "value": "7", "section": ""}], ["tag-tree"]]]"#,
        )
        .unwrap_or_default();
        assert_eq!(report.len(), 1);
        assert_eq!(report[0].0, 12);
        assert_eq!(report[0].1[0].value, "7");
        assert_eq!(report[0].2, ["tag-tree"]);
    }
}
