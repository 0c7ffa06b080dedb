//! Practice mode: exercises on the bundled sample pages, one per runbook scenario the page can
//! answer. An exercise knows the pivot (key and value) that answers it and the recipes that query
//! it; the sidebar checks what the engineer copies or opens against it.

use serde::Serialize;

use crate::core::lens::{Lens, PivotView};
use crate::core::runbook::{Domain, Recipe, Runbook};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exercise {
    /// The scenario (runbook domain) id.
    pub scenario_id: String,
    pub scenario: String,
    /// The task, from the scenario's symptom and the pivot's meaning.
    pub prompt: String,
    pub expected_key: String,
    pub expected_value: String,
    /// Recipes that query the expected key (opening or copying one answers the exercise).
    pub recipe_ids: Vec<String>,
}

/// What the engineer did in the sidebar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PracticeAction {
    /// Copied or selected a pivot.
    Pivot { key: String, value: String },
    /// Opened or copied a recipe.
    Recipe { id: String },
}

impl Exercise {
    pub fn is_answered_by(&self, action: &PracticeAction) -> bool {
        match action {
            PracticeAction::Pivot { key, value } => {
                *key == self.expected_key && *value == self.expected_value
            }
            PracticeAction::Recipe { id } => self.recipe_ids.contains(id),
        }
    }
}

/// The exercises this page can answer, the most specific pivot first.
pub fn exercises(runbook: &Runbook, lens: &Lens) -> Vec<Exercise> {
    let mut found: Vec<(usize, Exercise)> = runbook
        .domains
        .iter()
        .filter_map(|domain| {
            let pivot = lens
                .pivots
                .iter()
                .filter(|p| {
                    p.is_usable() && !p.info.meaning.is_empty() && in_domain(domain, &p.key)
                })
                .min_by_key(|p| domains_naming(runbook, &p.key))?;
            Some((
                domains_naming(runbook, &pivot.key),
                exercise(runbook, domain, pivot),
            ))
        })
        .collect();
    found.sort_by_key(|(specificity, _)| *specificity);
    found.into_iter().map(|(_, exercise)| exercise).collect()
}

/// The exercise being worked on: the first not yet solved (by scenario id).
pub fn current<'a>(all: &'a [Exercise], solved: &[String]) -> Option<&'a Exercise> {
    all.iter().find(|e| !solved.contains(&e.scenario_id))
}

fn in_domain(domain: &Domain, key: &str) -> bool {
    domain.attributes.iter().any(|a| a.matches(key).is_some())
}

fn domains_naming(runbook: &Runbook, key: &str) -> usize {
    runbook.domains.iter().filter(|d| in_domain(d, key)).count()
}

fn exercise(runbook: &Runbook, domain: &Domain, pivot: &PivotView) -> Exercise {
    Exercise {
        scenario_id: domain.id.clone(),
        scenario: domain.title.clone(),
        prompt: format!(
            "{} Find the {} (`{}`) on this page, then open or copy a next query that uses it.",
            domain.symptom, pivot.info.meaning, pivot.key
        ),
        expected_key: pivot.key.clone(),
        expected_value: pivot.value.clone(),
        recipe_ids: runbook
            .recipes
            .iter()
            .filter(|r| queries_key(r, &pivot.key))
            .map(|r| r.id.clone())
            .collect(),
    }
}

fn queries_key(recipe: &Recipe, key: &str) -> bool {
    recipe.fields.iter().any(|f| f == key)
        || recipe.bindings.iter().any(|b| b.pivot == key)
        || recipe
            .query
            .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
            .any(|term| {
                term.strip_prefix(key)
                    .is_some_and(|rest| rest.starts_with(':'))
            })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::lens::lens_of;
    use crate::core::recognition::facts::FactSource;

    fn logs_page() -> Lens {
        lens_of(
            "https://acme.sentry.io/explore/logs/?logsQuery=app.client.family%3Acursor",
            &[
                (FactSource::TestId, "app.client.family", "cursor"),
                (
                    FactSource::TestId,
                    "app.oauth.token_exchange.outcome",
                    "refresh_failed",
                ),
            ],
        )
    }

    #[test]
    fn the_sign_out_scenario_asks_for_the_refresh_outcome() {
        let all = exercises(&Runbook::bundled(), &logs_page());
        let first = &all[0];
        assert_eq!(first.scenario_id, "oauth-and-client-registration");
        assert_eq!(first.expected_key, "app.oauth.token_exchange.outcome");
        assert_eq!(first.expected_value, "refresh_failed");
        assert!(
            first.prompt.starts_with("Users report sign-outs"),
            "{}",
            first.prompt
        );
        assert!(
            first.prompt.contains("OAuth refresh outcome"),
            "{}",
            first.prompt
        );
        assert_eq!(
            first.recipe_ids,
            ["oauth-refresh-outcomes-by-client-family"]
        );
        // Another scenario on the same page asks for the client family.
        assert!(all
            .iter()
            .any(|e| e.expected_key == "app.client.family" && e.scenario_id != first.scenario_id));
    }

    #[test]
    fn answers_are_checked_by_pivot_or_recipe() {
        let exercise = &exercises(&Runbook::bundled(), &logs_page())[0];
        let pivot = |key: &str, value: &str| PracticeAction::Pivot {
            key: key.into(),
            value: value.into(),
        };
        assert!(
            exercise.is_answered_by(&pivot("app.oauth.token_exchange.outcome", "refresh_failed"))
        );
        assert!(!exercise.is_answered_by(&pivot("app.oauth.token_exchange.outcome", "success")));
        assert!(!exercise.is_answered_by(&pivot("app.client.family", "cursor")));
        let recipe = |id: &str| PracticeAction::Recipe { id: id.into() };
        assert!(exercise.is_answered_by(&recipe("oauth-refresh-outcomes-by-client-family")));
        assert!(!exercise.is_answered_by(&recipe(
            "trace-log-history-after-opening-a-sentry-event-or-span"
        )));
    }

    #[test]
    fn exercises_are_worked_on_in_order() {
        let all = exercises(&Runbook::bundled(), &logs_page());
        assert!(all.len() >= 2);
        assert_eq!(current(&all, &[]), all.first());
        assert_eq!(current(&all, &[all[0].scenario_id.clone()]), all.get(1));
        let every: Vec<String> = all.iter().map(|e| e.scenario_id.clone()).collect();
        assert_eq!(current(&all, &every), None);
    }

    #[test]
    fn a_page_without_scenario_pivots_has_no_exercise() {
        let mut lens = logs_page();
        lens.pivots.clear();
        assert!(exercises(&Runbook::bundled(), &lens).is_empty());
    }
}
