//! The onboarding walkthrough, planned from the runbook and the current page's lens: which parts of
//! the sidebar to point at, which field of the page to outline, and what to say. All field prose
//! comes from the runbook (meanings, attribute notes, starting points, recipes, domains); the UI
//! (`ui/sidebar/tour.rs`) only shows the steps in order.

use serde::{Deserialize, Serialize};

use crate::core::lens::{Lens, PivotView};
use crate::core::runbook::{KeyPattern, Runbook};

/// `storage.local.tour`: whether the tour was seen (closed or finished) and where it stood.
/// `{seen: false}` (the options page's "restart") shows it again from the first step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TourProgress {
    pub seen: bool,
    pub step: usize,
}

impl TourProgress {
    /// The step to show when the tour starts with `steps` steps: where it stood, within bounds.
    pub fn resume_at(self, steps: usize) -> usize {
        self.step.min(steps.saturating_sub(1))
    }
}

/// A field of the page for the probe to outline: the pivot as the lens shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageHighlight {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TourStep {
    /// Stable id of the step (`where-am-i`, `page-field`, …).
    pub id: &'static str,
    pub title: String,
    /// Paragraphs; backticked spans are code (runbook prose).
    pub body: Vec<String>,
    /// CSS selector of the sidebar element the step points at; missing on the page is allowed
    /// (the step is then explained without a target).
    pub target: Option<String>,
    pub highlight: Option<PageHighlight>,
}

/// The steps' ids (the dialog's `data-step`), written only here; the e2e suite reads them too.
pub mod step {
    pub const WHERE_AM_I: &str = "where-am-i";
    pub const PAGE_FIELD: &str = "page-field";
    pub const NAMESPACES: &str = "namespaces";
    pub const STARTING_POINTS: &str = "starting-points";
    pub const RECIPE: &str = "recipe";
    pub const SCENARIO: &str = "scenario";
    pub const FILTER: &str = "filter";
    /// Every step in the order shown; a page without a field or a scenario to show skips theirs.
    pub const IN_ORDER: [&str; 7] = [
        WHERE_AM_I,
        PAGE_FIELD,
        NAMESPACES,
        STARTING_POINTS,
        RECIPE,
        SCENARIO,
        FILTER,
    ];
}

/// Selectors of the sidebar's parts (kept next to the steps that point at them).
pub const WHERE_AM_I: &str = "section[aria-labelledby='pl-where']";
pub const PIVOTS: &str = "section[aria-labelledby='pl-pivots']";
pub const RECIPES: &str = "section[aria-labelledby='pl-recipes']";
pub const STARTING_POINTS: &str = ".pl-starting-points";
pub const FILTER: &str = "[data-testid='pl-filter']";

/// Keys that lead somewhere else first: a page field from this list teaches the pivot best.
const PREFERRED_FIELDS: [&str; 3] = ["trace_id", "span_id", "event_id"];

/// The steps for this page, in order.
pub fn plan(lens: &Lens, runbook: &Runbook) -> Vec<TourStep> {
    let mut steps = vec![where_am_i(lens)];
    steps.extend(page_field(lens, runbook));
    steps.push(namespaces(runbook));
    steps.push(starting_points(lens, runbook));
    steps.push(one_recipe(lens));
    steps.extend(one_scenario(lens, runbook));
    steps.push(TourStep {
        id: step::FILTER,
        title: "Filter".into(),
        body: vec![
            "Type a key, a value or a word of a meaning to narrow the pivots and the next queries."
                .into(),
        ],
        target: Some(FILTER.into()),
        highlight: None,
    });
    steps
}

fn where_am_i(lens: &Lens) -> TourStep {
    let org = if lens.org.is_empty() {
        "no organisation".to_owned()
    } else {
        format!("organisation `{}`", lens.org)
    };
    TourStep {
        id: step::WHERE_AM_I,
        title: "Where am I".into(),
        body: vec![format!(
            "Pivot Lens read this as a {} page of {org}. The runbook's starting points that fit it are listed here.",
            lens.kind.as_str()
        )],
        target: Some(WHERE_AM_I.into()),
        highlight: None,
    }
}

/// The page's own field: an id the runbook pivots on, preferably, else any usable pivot.
fn page_field(lens: &Lens, runbook: &Runbook) -> Option<TourStep> {
    let usable = || lens.pivots.iter().filter(|p| p.is_usable());
    let pivot = PREFERRED_FIELDS
        .iter()
        .find_map(|key| usable().find(|p| p.key == *key))
        .or_else(|| usable().next())?;
    let mut body = vec![format!(
        "This is the `{}` Sentry shows here ({}); Pivot Lens found it on the page.",
        pivot.key,
        meaning(pivot)
    )];
    let offered = recipes_using(lens, runbook, &pivot.key);
    if !offered.is_empty() {
        // Recipe titles are sentences with their own full stop.
        body.push(format!(
            "It fills these next queries: {}",
            offered.join(" ")
        ));
    }
    if !pivot.info.first_query.is_empty() {
        body.push(format!(
            "The runbook's first query for it: {}.",
            pivot.info.first_query
        ));
    }
    Some(TourStep {
        id: step::PAGE_FIELD,
        title: format!("A field of this page: {}", pivot.key),
        body,
        target: Some(format!(
            "[data-testid='pl-pivot'][data-key='{}']",
            css_string(&pivot.key)
        )),
        highlight: Some(PageHighlight {
            key: pivot.key.clone(),
            value: pivot.value.clone(),
        }),
    })
}

fn meaning(pivot: &PivotView) -> &str {
    if pivot.info.meaning.is_empty() {
        "an attribute the runbook names"
    } else {
        &pivot.info.meaning
    }
}

/// Titles of the ready recipes the pivot fills.
fn recipes_using(lens: &Lens, runbook: &Runbook, key: &str) -> Vec<String> {
    lens.recipes
        .iter()
        .filter(|view| view.ready)
        .filter(|view| {
            runbook
                .recipe(&view.id)
                .is_some_and(|r| r.bindings.iter().any(|b| b.pivot == key))
        })
        .map(|view| view.title.clone())
        .collect()
}

/// The attribute notes that state a namespace rule (`http.*`, `mcp.*`, `app.*`, …).
fn namespaces(runbook: &Runbook) -> TourStep {
    let body: Vec<String> = runbook
        .notes
        .iter()
        .filter(|note| note.keys.iter().any(|k| k.ends_with(".*")))
        .map(|note| note.text.clone())
        .collect();
    TourStep {
        id: step::NAMESPACES,
        title: "Whose attribute is it?".into(),
        body,
        target: Some(PIVOTS.into()),
        highlight: None,
    }
}

/// The "Where To Query" table: the rows that fit this page, else the whole table's first rows.
fn starting_points(lens: &Lens, runbook: &Runbook) -> TourStep {
    const SHOWN: usize = 3;
    let rows: Vec<String> = if lens.starting_points.is_empty() {
        runbook
            .starting_points
            .iter()
            .take(SHOWN)
            .map(|p| row(&p.symptom, &p.surface, &p.pivots, &p.next_step))
            .collect()
    } else {
        lens.starting_points
            .iter()
            .take(SHOWN)
            .map(|p| {
                let pivots: Vec<KeyPattern> = p.pivots.iter().map(KeyPattern::new).collect();
                row(&p.symptom, &p.surface, &pivots, &p.next_step)
            })
            .collect()
    };
    let mut body = vec![format!(
        "The runbook has {} starting points: a symptom, where to query it, what to pivot on and what to do next.",
        runbook.starting_points.len()
    )];
    body.extend(rows);
    TourStep {
        id: step::STARTING_POINTS,
        title: "Starting points".into(),
        body,
        target: Some(STARTING_POINTS.into()),
        highlight: None,
    }
}

fn row(symptom: &str, surface: &str, pivots: &[KeyPattern], next_step: &str) -> String {
    let pivots: Vec<String> = pivots.iter().map(|k| format!("`{}`", k.as_str())).collect();
    if pivots.is_empty() {
        format!("{symptom} → {surface} → {next_step}")
    } else {
        format!(
            "{symptom} → {surface} → pivot on {} → {next_step}",
            pivots.join(", ")
        )
    }
}

/// The first recipe the page fills; without one, the section and what its first recipe needs.
fn one_recipe(lens: &Lens) -> TourStep {
    let Some(recipe) = lens.recipes.iter().find(|r| r.ready) else {
        let needs = lens
            .recipes
            .first()
            .map(|r| match (&r.error, r.missing.is_empty()) {
                (Some(error), _) => format!("{}: {error}", r.title),
                (None, false) => format!(
                    "{} needs {}: type it in its card and the link appears.",
                    r.title,
                    r.missing
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                (None, true) => r.title.clone(),
            });
        return TourStep {
            id: step::RECIPE,
            title: "Next queries".into(),
            body: needs.into_iter().collect(),
            target: Some(RECIPES.into()),
            highlight: None,
        };
    };
    TourStep {
        id: step::RECIPE,
        title: "Next queries".into(),
        body: vec![
            format!("{} ({} dataset)", recipe.title, recipe.dataset),
            recipe.text.clone(),
            "Open runs it in Sentry; Copy query gives the text for an MCP client or a ticket."
                .into(),
        ],
        target: Some(format!(
            "[data-testid='pl-recipe'][data-recipe-id='{}']",
            css_string(&recipe.id)
        )),
        highlight: None,
    }
}

/// The scenario whose attributes the page's pivots match most.
fn one_scenario(lens: &Lens, runbook: &Runbook) -> Option<TourStep> {
    let matching = |attributes: &[KeyPattern]| {
        lens.pivots
            .iter()
            .filter(|p| attributes.iter().any(|a| a.matches(&p.key).is_some()))
            .count()
    };
    // The first of the best: ties keep the runbook's order.
    let domain = runbook
        .domains
        .iter()
        .rev()
        .max_by_key(|d| matching(&d.attributes))?;
    let attributes: Vec<String> = domain
        .attributes
        .iter()
        .map(|a| format!("`{}`", a.as_str()))
        .collect();
    Some(TourStep {
        id: step::SCENARIO,
        title: format!("Scenario: {}", domain.title),
        body: vec![
            domain.symptom.clone(),
            format!("Its attributes: {}.", attributes.join(", ")),
        ],
        target: Some(format!(
            "[data-testid='pl-scenario'][data-scenario-id='{}']",
            css_string(&domain.id)
        )),
        highlight: None,
    })
}

/// A value safe inside a single-quoted CSS attribute selector.
fn css_string(value: &str) -> String {
    value.replace('\\', "\\\\").replace('\'', "\\'")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::lens::lens_of as lens_for;
    use crate::core::recognition::facts::FactSource;

    const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

    fn ids(steps: &[TourStep]) -> Vec<&str> {
        steps.iter().map(|s| s.id).collect()
    }

    fn step_of<'a>(steps: &'a [TourStep], id: &str) -> &'a TourStep {
        steps.iter().find(|s| s.id == id).unwrap()
    }

    #[test]
    fn event_page_teaches_its_trace_id_and_the_queries_it_fills() {
        let lens = lens_for(
            "https://acme.sentry.io/issues/6123456789/events/7b4c2f9a0c1d4e5f8a9b0c1d2e3f4a5b/",
            &[
                (FactSource::Context, "Trace Details/Trace ID", TRACE),
                (
                    FactSource::Tag,
                    "http.route",
                    "/mcp/:organizationSlug?/:projectSlug?",
                ),
            ],
        );
        let steps = plan(&lens, &Runbook::bundled());
        assert_eq!(ids(&steps), step::IN_ORDER);
        let field = step_of(&steps, step::PAGE_FIELD);
        assert_eq!(
            field.highlight,
            Some(PageHighlight {
                key: "trace_id".into(),
                value: TRACE.into()
            })
        );
        assert_eq!(
            field.target.as_deref(),
            Some("[data-testid='pl-pivot'][data-key='trace_id']")
        );
        let text = field.body.join(" ");
        assert!(
            text.contains("one request, tool call, or agent run trace")
                && text.contains(
                    "It fills these next queries: Trace log history after opening a Sentry event or span. "
                ),
            "{text}"
        );
        assert!(
            step_of(&steps, step::WHERE_AM_I).body[0].contains("event page of organisation `acme`")
        );
    }

    #[test]
    fn namespaces_come_from_the_runbooks_attribute_notes() {
        let runbook = Runbook::bundled();
        let steps = plan(
            &lens_for("https://acme.sentry.io/explore/logs/", &[]),
            &runbook,
        );
        let body = &step_of(&steps, step::NAMESPACES).body;
        assert_eq!(body.len(), 3, "{body:?}");
        for (text, namespace) in body.iter().zip(["`http.*`", "`mcp.*`", "`app.*`"]) {
            assert!(text.starts_with(namespace), "{text}");
            assert!(runbook.notes.iter().any(|n| &n.text == text));
        }

        // Another runbook's notes are what the tour says.
        let mut edited = runbook.clone();
        edited
            .notes
            .retain(|n| !n.keys.iter().any(|k| k == "mcp.*"));
        let steps = plan(
            &lens_for("https://acme.sentry.io/explore/logs/", &[]),
            &edited,
        );
        assert_eq!(step_of(&steps, step::NAMESPACES).body.len(), 2);
    }

    #[test]
    fn a_page_without_pivots_skips_the_field_step_and_shows_a_recipe_needing_no_value() {
        let lens = lens_for("https://acme.sentry.io/explore/logs/", &[]);
        let steps = plan(&lens, &Runbook::bundled());
        assert!(
            !ids(&steps).contains(&step::PAGE_FIELD),
            "{:?}",
            ids(&steps)
        );
        let recipe = &step_of(&steps, step::RECIPE).body;
        assert!(
            recipe[0].starts_with("MCP mode adoption by client family") && !recipe[1].contains('<'),
            "{recipe:?}"
        );
        // The starting points fall back to the runbook's table.
        let points = &step_of(&steps, step::STARTING_POINTS).body;
        assert!(
            points[1].starts_with("`trace_id` from an issue"),
            "{points:?}"
        );
        assert!(points[0].contains("8 starting points"), "{points:?}");
    }

    #[test]
    fn logs_page_field_and_scenario_follow_its_pivots() {
        let lens = lens_for(
            "https://acme.sentry.io/explore/logs/",
            &[
                (FactSource::TestId, "app.client.family", "cursor"),
                (
                    FactSource::TestId,
                    "app.oauth.token_exchange.outcome",
                    "refresh_failed",
                ),
            ],
        );
        let steps = plan(&lens, &Runbook::bundled());
        let field = step_of(&steps, step::PAGE_FIELD);
        assert_eq!(field.highlight.as_ref().unwrap().key, "app.client.family");
        let scenario = step_of(&steps, step::SCENARIO);
        assert_eq!(scenario.title, "Scenario: OAuth And Client Registration");
        assert_eq!(
            scenario.target.as_deref(),
            Some("[data-testid='pl-scenario'][data-scenario-id='oauth-and-client-registration']")
        );
    }

    #[test]
    fn without_a_ready_recipe_the_step_points_at_the_section_and_says_why() {
        let lens = lens_for("https://sentry.io/issues/", &[]);
        let steps = plan(&lens, &Runbook::bundled());
        let recipe = step_of(&steps, step::RECIPE);
        assert_eq!(recipe.target.as_deref(), Some(RECIPES));
        assert!(
            recipe.body[0].ends_with("Set a default organisation to build links."),
            "{:?}",
            recipe.body
        );
    }

    #[test]
    fn secrets_are_never_highlighted() {
        let token = format!("sntryu_{}", "ab12".repeat(16));
        let lens = lens_for(
            "https://acme.sentry.io/explore/logs/",
            &[(FactSource::TestId, "user.id", &token)],
        );
        let steps = plan(&lens, &Runbook::bundled());
        assert!(steps.iter().all(|s| s.highlight.is_none()));
        assert!(!serde_json::to_string(&steps).unwrap().contains(&token));
    }

    #[test]
    fn progress_resumes_within_bounds() {
        let stored: TourProgress = serde_json::from_str(r#"{"seen":false}"#).unwrap();
        assert_eq!(stored, TourProgress::default());
        assert_eq!(
            TourProgress {
                seen: false,
                step: 3
            }
            .resume_at(7),
            3
        );
        assert_eq!(
            TourProgress {
                seen: false,
                step: 30
            }
            .resume_at(7),
            6
        );
        assert_eq!(
            TourProgress {
                seen: false,
                step: 2
            }
            .resume_at(0),
            0
        );
    }

    #[test]
    fn selectors_quote_hostile_keys() {
        assert_eq!(css_string(r"a'b\c"), r"a\'b\\c");
    }
}
