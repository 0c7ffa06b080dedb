//! Questions the UI asks of a parsed runbook, and the guardrail warnings derived from its notes.

use super::{Dataset, Domain, KeyMatch, KeyPattern, Pivot, Runbook};
use serde::{Deserialize, Serialize};

/// Something worth telling the author that does not make the runbook invalid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunbookWarning {
    pub line: usize,
    pub message: String,
}

/// Phrases by which an Attribute Note rules its keys out as group-by keys (security.md RB-3), and
/// whether the rule is about metrics only. The keys themselves come from the notes.
const GROUPING_RULES: [(&str, bool); 3] = [
    ("high-cardinality", false),
    ("unsuitable for group-bys", false),
    ("do not use in metrics dimensions", true),
];

impl Runbook {
    /// The pivot a concrete key belongs to; an exact pivot wins over a pattern or family.
    pub fn pivot_for_key(&self, key: &str) -> Option<(&Pivot, KeyMatch)> {
        find_pivot(&self.pivots, key)
    }

    /// The domains whose attributes name `key` (exactly, by family or by pattern).
    pub fn known_attribute_domains(&self, key: &str) -> Vec<&Domain> {
        self.domains
            .iter()
            .filter(|domain| {
                domain
                    .attributes
                    .iter()
                    .any(|attribute| attribute.matches(key).is_some())
            })
            .collect()
    }

    /// Known attributes are those named by a domain or requested by a recipe's `fields=`.
    pub fn is_known_attribute(&self, key: &str) -> bool {
        !self.known_attribute_domains(key).is_empty()
            || self
                .recipes
                .iter()
                .any(|recipe| recipe.fields.iter().any(|field| field == key))
    }

    /// Recipes that group by an attribute the Attribute Notes call high-cardinality or unsuitable
    /// for group-bys, or that group a metric by one they rule out as a metrics dimension.
    pub fn warnings(&self) -> Vec<RunbookWarning> {
        // (key, the rule is for metrics only, the note's text)
        let ruled_out: Vec<(KeyPattern, bool, &str)> = self
            .notes
            .iter()
            .filter_map(|note| {
                let text = note.text.to_lowercase();
                let rules: Vec<bool> = GROUPING_RULES
                    .iter()
                    .filter(|(phrase, _)| text.contains(phrase))
                    .map(|&(_, metrics_only)| metrics_only)
                    .collect();
                // A note with several rules is as broad as its broadest one.
                (!rules.is_empty()).then(|| (note, rules.iter().all(|&metrics_only| metrics_only)))
            })
            .flat_map(|(note, metrics_only)| {
                note.keys.iter().map(move |key| {
                    (
                        KeyPattern::new(key.clone()),
                        metrics_only,
                        note.text.as_str(),
                    )
                })
            })
            .collect();
        let mut warnings = Vec::new();
        for recipe in &self.recipes {
            let is_metric = recipe.dataset == Dataset::Tracemetrics;
            let grouped = if is_metric { "a metric" } else { "its results" };
            for key in recipe
                .aggregate
                .iter()
                .flat_map(|aggregate| &aggregate.group_by)
            {
                let rule = ruled_out.iter().find(|(pattern, metrics_only, _)| {
                    (is_metric || !metrics_only) && pattern.matches(key).is_some()
                });
                if let Some((_, _, note)) = rule {
                    warnings.push(RunbookWarning {
                        line: recipe.line,
                        message: format!(
                            "recipe `{}` groups {grouped} by `{key}`; the Attribute Notes say: {note}",
                            recipe.id
                        ),
                    });
                }
            }
        }
        warnings
    }
}

/// See [`Runbook::pivot_for_key`]; usable while the runbook is still being parsed.
pub(super) fn find_pivot<'p>(pivots: &'p [Pivot], key: &str) -> Option<(&'p Pivot, KeyMatch)> {
    let mut first_pattern_match = None;
    for pivot in pivots {
        match pivot.key.matches(key) {
            Some(KeyMatch::Exact) => return Some((pivot, KeyMatch::Exact)),
            Some(other) => {
                first_pattern_match.get_or_insert((pivot, other));
            }
            None => {}
        }
    }
    first_pattern_match
}
