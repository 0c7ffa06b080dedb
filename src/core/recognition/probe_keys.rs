//! The keys the page probe reads attribute and tag rows for. Most rows of a big span drawer are
//! custom attributes no runbook names, and reading their values is most of what the probe costs
//! the page; the sidebar sends these with its hello, so the probe skips the rest.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::core::recognition::known_keys::{KnownKeys, ALIASES};
use crate::core::runbook::Runbook;

/// Which raw row keys may name something the runbook knows. A key is read when, trimmed and with
/// a `tags[key,type]` wrapper removed, it is in `exact` or starts with one of `prefixes`: a
/// superset of what `canonical_key` and `KnownKeys::lookup` accept (probe/main.js `takeKeys`).
#[derive(Debug, Default, PartialEq, Eq, Serialize)]
pub struct ProbeKeys {
    pub exact: BTreeSet<String>,
    /// The literal starts of families (`app.oauth.`) and of placeholder patterns.
    pub prefixes: BTreeSet<String>,
}

/// The derived `user` tag reads `id:<x>`, which recognition takes as `user.id` (facts.rs).
const USER_TAG: (&str, &str) = ("user", "user.id");

impl ProbeKeys {
    pub fn of(runbook: &Runbook) -> Self {
        let known = KnownKeys::new(runbook);
        let mut keys = Self::default();
        let (patterns, recipe_fields) = known.patterns();
        for pattern in patterns {
            let (start, whole) = pattern.literal_start();
            let set = if whole {
                &mut keys.exact
            } else {
                &mut keys.prefixes
            };
            set.insert(start.to_owned());
        }
        keys.exact.extend(recipe_fields.map(str::to_owned));
        for (alias, key) in ALIASES.iter().chain([&USER_TAG]) {
            if known.lookup(key).is_some() {
                keys.exact.insert((*alias).to_owned());
            }
        }
        keys
    }

    /// What probe/main.js decides for a row keyed `raw`: the tests' oracle for the rule above.
    #[cfg(test)]
    fn admits(&self, raw: &str) -> bool {
        let key = raw.trim();
        let bare = key
            .strip_prefix("tags[")
            .map_or(key, |inner| inner.split([',', ']']).next().unwrap_or(inner));
        self.exact.contains(bare) || self.prefixes.iter().any(|p| bare.starts_with(p.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::core::recognition::known_keys::canonical_key;

    /// Keys a page could show for each of the runbook's patterns, in every spelling the core reads.
    fn spellings(runbook: &Runbook) -> Vec<String> {
        let known = KnownKeys::new(runbook);
        let (patterns, fields) = known.patterns();
        let mut keys: Vec<String> = patterns
            .map(|pattern| {
                let (start, whole) = pattern.literal_start();
                match pattern.placeholder() {
                    Some((prefix, _, suffix)) => format!("{prefix}value{suffix}"),
                    None if whole => start.to_owned(),
                    None => format!("{start}outcome"),
                }
            })
            .chain(fields.map(str::to_owned))
            .chain(ALIASES.iter().map(|(alias, _)| (*alias).to_owned()))
            .collect();
        let typed: Vec<String> = keys
            .iter()
            .flat_map(|key| [format!("tags[{key},number]"), format!(" {key} ")])
            .collect();
        keys.extend(typed);
        keys
    }

    fn recognised(known: &KnownKeys, raw: &str) -> bool {
        canonical_key(raw).is_some_and(|key| known.lookup(&key).is_some())
    }

    #[test]
    fn every_key_the_bundled_runbook_knows_is_read() {
        let runbook = Runbook::bundled();
        let known = KnownKeys::new(&runbook);
        let probe = ProbeKeys::of(&runbook);
        let keys = spellings(&runbook);
        let recognised_keys: Vec<&String> =
            keys.iter().filter(|key| recognised(&known, key)).collect();
        assert!(recognised_keys.len() > 50, "{recognised_keys:?}");
        for key in recognised_keys {
            assert!(probe.admits(key), "{key:?} is recognised but not read");
        }
        assert!(probe.admits("user"), "the derived user tag");
    }

    #[test]
    fn custom_attributes_are_skipped() {
        let runbook = Runbook::bundled();
        let probe = ProbeKeys::of(&runbook);
        assert!(
            !probe.prefixes.contains(""),
            "a prefix that admits every key"
        );
        for key in [
            "custom.attr_1",
            "db.system",
            "thread.name",
            "tags[custom.attr_1,number]",
        ] {
            assert!(!probe.admits(key), "{key}");
        }
        assert!(probe.admits("app.oauth.probe.reason") && probe.admits("gen_ai.tool.name"));
    }

    #[test]
    fn a_renamed_field_is_read_under_its_new_name_only() {
        let renamed = include_str!("../../../tests/fixtures/runbooks/renamed.md");
        let runbook = Runbook::parse(renamed).expect("renamed.md parses");
        let probe = ProbeKeys::of(&runbook);
        assert!(probe.admits("app.access.probe.reason"));
        assert!(!probe.admits("app.oauth.probe.reason"));
    }

    proptest! {
        /// Keys near the runbook's (a known start with any tail, or any text): whatever the core
        /// recognises, the probe reads.
        #[test]
        fn whatever_is_recognised_is_read(
            start in prop::sample::select(spellings(&Runbook::bundled())),
            tail in "[a-z_.<>\\[\\],]{0,12}",
            cut in 0usize..40,
        ) {
            let runbook = Runbook::bundled();
            let known = KnownKeys::new(&runbook);
            let probe = ProbeKeys::of(&runbook);
            let start: String = start.chars().take(cut.max(1)).collect();
            for key in [format!("{start}{tail}"), tail.clone()] {
                prop_assert!(!recognised(&known, &key) || probe.admits(&key), "{key:?}");
            }
        }
    }
}
