//! Questions the UI asks of a parsed runbook, and the guardrail warnings derived from its notes.

use super::{Dataset, Domain, KeyMatch, KeyPattern, Pivot, Runbook};
use serde::{Deserialize, Serialize};

/// Something worth telling the author that does not make the runbook invalid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunbookWarning {
    pub line: usize,
    pub message: String,
}

/// Phrases by which an Attribute Note says its keys must not be metric dimensions
/// (security.md RB-3). The keys themselves come from the notes.
const NOT_A_DIMENSION_PHRASES: [&str; 3] =
    ["high-cardinality", "do not use in metrics dimensions", "unsuitable for group-bys"];

impl Runbook {
    /// The pivot a concrete key belongs to; an exact pivot wins over a pattern or family.
    pub fn pivot_for_key(&self, key: &str) -> Option<(&Pivot, KeyMatch)> {
        find_pivot(&self.pivots, key)
    }

    /// The domains whose attributes name `key` (exactly, by family or by pattern).
    pub fn known_attribute_domains(&self, key: &str) -> Vec<&Domain> {
        self.domains
            .iter()
            .filter(|domain| domain.attributes.iter().any(|attribute| attribute.matches(key).is_some()))
            .collect()
    }

    /// Known attributes are those named by a domain or requested by a recipe's `fields=`.
    pub fn is_known_attribute(&self, key: &str) -> bool {
        !self.known_attribute_domains(key).is_empty()
            || self.recipes.iter().any(|recipe| recipe.fields.iter().any(|field| field == key))
    }

    /// Recipes that group a metric by an attribute the Attribute Notes call high-cardinality or
    /// rule out as a metrics dimension.
    pub fn warnings(&self) -> Vec<RunbookWarning> {
        let ruled_out: Vec<(KeyPattern, &str)> = self
            .notes
            .iter()
            .filter(|note| {
                let text = note.text.to_lowercase();
                NOT_A_DIMENSION_PHRASES.iter().any(|phrase| text.contains(phrase))
            })
            .flat_map(|note| note.keys.iter().map(|key| (KeyPattern::new(key.clone()), note.text.as_str())))
            .collect();
        let mut warnings = Vec::new();
        for recipe in self.recipes.iter().filter(|recipe| recipe.dataset == Dataset::Tracemetrics) {
            let group_by = recipe.aggregate.iter().flat_map(|aggregate| &aggregate.group_by);
            for key in group_by {
                if let Some((_, note)) = ruled_out.iter().find(|(pattern, _)| pattern.matches(key).is_some()) {
                    warnings.push(RunbookWarning {
                        line: recipe.line,
                        message: format!(
                            "recipe `{}` groups a metric by `{key}`; the Attribute Notes say: {note}",
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
