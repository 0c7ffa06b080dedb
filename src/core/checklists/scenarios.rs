//! Scenario checklists: each runbook domain turned into the steps that carry an investigation from
//! symptom to cause — confirm the symptom in each metric, check each attribute's distribution,
//! pivot to the trace (and the spans the domain names), read the domain's notes. Every step, link
//! and reference comes from the runbook; only the kinds of step are fixed here. Links are the
//! lens's filled recipes, so a value the page (or the investigation) holds makes a step's link ready.
//!
//! INTERFACE:
//! - `scenarios(input, page, remembered) -> Vec<ScenarioView>`: one per domain, suggested ones
//!   first; `ScenarioPlan::of(runbook).fill(…)` is the same with the runbook's part made once.
//! - `export_markdown(scenario, investigation) -> String`: the ticket text, secrets masked.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::core::checklists::investigation::{Investigation, PivotValue};
use crate::core::guard::secrets::mask;
use crate::core::lens::{by_key, recipes_typed, Lens, LensInput, PivotView, RecipeView};
use crate::core::runbook::slug::slug;
use crate::core::runbook::{Dataset, Domain, KeyPattern, Recipe, Reference, Runbook};

/// The pivot every scenario follows from an aggregate to one affected request.
const TRACE_KEY: &str = "trace_id";
/// At most this many recipes link from one step (the best matches come first).
const LINKS_PER_STEP: usize = 2;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioView {
    /// Contract id: slug of the domain heading.
    pub id: String,
    pub title: String,
    pub symptom: String,
    /// A pivot on the page belongs to this domain.
    pub suggested: bool,
    pub steps: Vec<StepView>,
    pub references: Vec<Reference>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StepKind {
    Metric,
    Attribute,
    Trace,
    Spans,
    Note,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct StepView {
    /// Stable within the scenario (derived from what the step is about, not its position), so
    /// stored progress survives a reordered runbook.
    pub id: String,
    pub kind: StepKind,
    /// Plain text.
    pub title: String,
    /// The metric or attribute the step is about.
    pub key: Option<String>,
    /// The value the page or the investigation already holds for `key`.
    pub value: Option<String>,
    /// Links of the matching recipes that are ready.
    pub links: Vec<StepLink>,
    /// Matching recipes that still need values: (recipe title, pivot keys missing).
    pub waiting: Vec<(String, Vec<String>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct StepLink {
    pub recipe: String,
    pub label: String,
    pub url: String,
}

/// Every domain as a checklist for this page, whose lens (`lens(input)`) is `page`: the sidebar
/// has it already, so a page report computes it once. `remembered` holds, by scenario id, the
/// pivots an open investigation of that scenario collected on earlier pages; they fill recipes
/// the page cannot (the page's own values win).
pub fn scenarios(
    input: &LensInput,
    page: &Lens,
    remembered: &BTreeMap<String, Vec<PivotValue>>,
) -> Vec<ScenarioView> {
    ScenarioPlan::of(input.runbook).fill(input, page, remembered)
}

/// The checklists as the runbook alone decides them (steps, the recipes each links from,
/// references): planned once per runbook, filled at every page report (a live page reports at
/// every append).
#[derive(Debug)]
pub struct ScenarioPlan {
    scenarios: Vec<PlannedScenario>,
}

#[derive(Debug)]
struct PlannedScenario {
    id: String,
    title: String,
    symptom: String,
    steps: Vec<PlannedStep>,
    references: Vec<Reference>,
}

#[derive(Debug)]
struct PlannedStep {
    id: String,
    kind: StepKind,
    title: String,
    key: Option<String>,
    /// The keys whose value (the page's, else the investigation's) the step shows.
    shows_value_of: Option<KeyPattern>,
    /// Ids of the recipes the step links from, best first (at most `LINKS_PER_STEP`; the lens
    /// has a view of every recipe).
    recipes: Vec<String>,
}

impl ScenarioPlan {
    pub fn of(runbook: &Runbook) -> Self {
        let scenarios = runbook
            .domains
            .iter()
            .map(|domain| PlannedScenario {
                id: domain.id.clone(),
                title: domain.title.clone(),
                symptom: domain.symptom.clone(),
                steps: steps(runbook, domain),
                references: references(runbook, domain),
            })
            .collect();
        Self { scenarios }
    }

    /// The checklists for this page (see `scenarios`), suggested ones first.
    pub fn fill(
        &self,
        input: &LensInput,
        page: &Lens,
        remembered: &BTreeMap<String, Vec<PivotValue>>,
    ) -> Vec<ScenarioView> {
        let keys: Vec<&[PivotView]> = by_key(&page.pivots).collect();
        let mut views: Vec<ScenarioView> = self
            .scenarios
            .iter()
            .map(|scenario| {
                let values = remembered
                    .get(&scenario.id)
                    .map(|pivots| values_beyond_page(page, pivots, input.typed))
                    .unwrap_or_default();
                let with_memory = (!values.is_empty()).then(|| {
                    recipes_typed(
                        &LensInput {
                            typed: &values,
                            ..*input
                        },
                        page,
                    )
                });
                let recipes = with_memory.as_deref().unwrap_or(&page.recipes);
                ScenarioView {
                    id: scenario.id.clone(),
                    title: scenario.title.clone(),
                    symptom: scenario.symptom.clone(),
                    // A key's runbook information, and so its domains, is one for all its values.
                    suggested: keys
                        .iter()
                        .any(|values| values[0].info.domains.contains(&scenario.id)),
                    steps: scenario
                        .steps
                        .iter()
                        .map(|step| step.fill(&keys, recipes, &values))
                        .collect(),
                    references: scenario.references.clone(),
                }
            })
            .collect();
        // Stable: the runbook's order within suggested and others.
        views.sort_by_key(|v| !v.suggested);
        views
    }
}

impl PlannedStep {
    fn new(
        id: String,
        kind: StepKind,
        title: String,
        key: Option<String>,
        shows_value_of: Option<KeyPattern>,
        recipes: Vec<&Recipe>,
    ) -> Self {
        Self {
            id,
            kind,
            title,
            key,
            shows_value_of,
            recipes: recipes
                .into_iter()
                .take(LINKS_PER_STEP)
                .map(|r| r.id.clone())
                .collect(),
        }
    }

    fn fill(
        &self,
        keys: &[&[PivotView]],
        filled: &[RecipeView],
        values: &BTreeMap<String, String>,
    ) -> StepView {
        let views: Vec<&RecipeView> = self
            .recipes
            .iter()
            .filter_map(|id| filled.iter().find(|v| &v.id == id))
            .collect();
        StepView {
            id: self.id.clone(),
            kind: self.kind,
            title: self.title.clone(),
            key: self.key.clone(),
            value: self
                .shows_value_of
                .as_ref()
                .and_then(|pattern| value_for(pattern, keys, values)),
            links: views
                .iter()
                .filter(|v| v.ready)
                .flat_map(|v| {
                    v.links.iter().map(|l| StepLink {
                        recipe: v.title.clone(),
                        label: l.label.clone(),
                        url: l.url.clone(),
                    })
                })
                .collect(),
            waiting: views
                .iter()
                .filter(|v| !v.ready && !v.missing.is_empty())
                .map(|v| (v.title.clone(), v.missing.clone()))
                .collect(),
        }
    }
}

/// The remembered values for keys the page has no usable value for, then what was typed.
fn values_beyond_page(
    page: &Lens,
    remembered: &[PivotValue],
    typed: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut values: BTreeMap<String, String> = remembered
        .iter()
        .filter(|r| !page.pivots.iter().any(|p| p.key == r.key && p.is_usable()))
        .map(|r| (r.key.clone(), r.value.clone()))
        .collect();
    values.extend(typed.iter().map(|(k, v)| (k.clone(), v.clone())));
    values
}

fn steps(runbook: &Runbook, domain: &Domain) -> Vec<PlannedStep> {
    let metric_steps = domain.metrics.iter().map(|metric| {
        let recipes = runbook
            .recipes
            .iter()
            .filter(|r| names_metric(r, metric))
            .collect();
        PlannedStep::new(
            format!("metric-{}", slug(metric)),
            StepKind::Metric,
            format!("Confirm the symptom in the metric {metric}"),
            Some(metric.clone()),
            None,
            recipes,
        )
    });
    let attribute_steps = domain.attributes.iter().map(|attribute| {
        PlannedStep::new(
            format!("attribute-{}", slug(attribute.as_str())),
            StepKind::Attribute,
            format!("Check the distribution of {attribute}"),
            Some(attribute.to_string()),
            Some(attribute.clone()),
            distribution_recipes(runbook, attribute),
        )
    });
    let trace_step = PlannedStep::new(
        "trace".into(),
        StepKind::Trace,
        format!("Pivot to the trace of an affected request ({TRACE_KEY})"),
        Some(TRACE_KEY.into()),
        Some(KeyPattern::new(TRACE_KEY)),
        runbook
            .recipes
            .iter()
            .filter(|r| r.bindings.iter().any(|b| b.pivot == TRACE_KEY))
            .collect(),
    );
    let spans_step = domain.spans.as_ref().map(|spans| {
        let recipes = runbook
            .recipes
            .iter()
            .filter(|r| r.dataset == Dataset::Spans && queries_any(r, &domain.attributes))
            .collect();
        PlannedStep::new(
            "spans".into(),
            StepKind::Spans,
            format!("Inspect the spans: {spans}"),
            None,
            None,
            recipes,
        )
    });
    let note_steps = domain.notes.iter().map(|note| {
        let words: String = note
            .split_whitespace()
            .take(8)
            .collect::<Vec<_>>()
            .join(" ");
        PlannedStep::new(
            format!("note-{}", slug(&words)),
            StepKind::Note,
            format!("Read the note: {note}"),
            None,
            None,
            Vec::new(),
        )
    });
    metric_steps
        .chain(attribute_steps)
        .chain(std::iter::once(trace_step))
        .chain(spans_step)
        .chain(note_steps)
        .collect()
}

/// `metric:<name>` as a term of the recipe's query.
fn names_metric(recipe: &Recipe, metric: &str) -> bool {
    let wanted = format!("metric:{metric}");
    recipe
        .query
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .any(|term| term == wanted)
}

/// Recipes that group by the attribute first (its distribution), then those that filter on it.
fn distribution_recipes<'r>(runbook: &'r Runbook, attribute: &KeyPattern) -> Vec<&'r Recipe> {
    let grouped = runbook.recipes.iter().filter(|r| {
        r.aggregate
            .iter()
            .flat_map(|a| &a.group_by)
            .any(|key| attribute.matches(key).is_some())
    });
    let filtered = runbook
        .recipes
        .iter()
        .filter(|r| queries_any(r, std::slice::from_ref(attribute)));
    let mut recipes: Vec<&Recipe> = Vec::new();
    for recipe in grouped.chain(filtered) {
        if !recipes.iter().any(|r| r.id == recipe.id) {
            recipes.push(recipe);
        }
    }
    recipes
}

/// Whether the recipe's query filters on one of `attributes` (a key before `:` in a term).
fn queries_any(recipe: &Recipe, attributes: &[KeyPattern]) -> bool {
    recipe
        .query
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter_map(|term| term.split_once(':').map(|(key, _)| key))
        .any(|key| {
            attributes
                .iter()
                .any(|a| a.matches(key).is_some() || a.as_str() == key)
        })
}

/// The page's usable value for a key the pattern matches, else the remembered one.
fn value_for(
    attribute: &KeyPattern,
    keys: &[&[PivotView]],
    values: &BTreeMap<String, String>,
) -> Option<String> {
    keys.iter()
        .filter(|values| attribute.matches(&values[0].key).is_some())
        .find_map(|values| values.iter().find(|p| p.is_usable()))
        .map(|p| p.value.clone())
        .or_else(|| {
            values
                .iter()
                .find(|(key, _)| attribute.matches(key).is_some())
                .map(|(_, value)| value.clone())
        })
}

/// References whose document name shares a word with the domain's heading ("OAuth And Client
/// Registration" → `oauth-signout-playbook.md`); a repository path is named by its file.
fn references(runbook: &Runbook, domain: &Domain) -> Vec<Reference> {
    let heading = words(&domain.title);
    runbook
        .references
        .iter()
        .filter(|reference| {
            let name = reference
                .title
                .rsplit('/')
                .next()
                .unwrap_or(&reference.title);
            let name = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
            words(name).iter().any(|w| heading.contains(w))
        })
        .cloned()
        .collect()
}

/// Lowercase words of three or more letters, without the connective "and".
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .map(str::to_ascii_lowercase)
        .filter(|w| w.len() >= 3 && w != "and")
        .collect()
}

/// The investigation as Markdown for an incident ticket: scenario, pivots with values, every step
/// (done ones with their links), notes and references. Values and notes pass through the secret
/// mask, so nothing that looks like a secret is exported.
pub fn export_markdown(scenario: &ScenarioView, investigation: &Investigation) -> String {
    let mut out = format!("## {}\n\n", scenario.title);
    out.push_str(&format!("Symptom: {}\n\n", mask(&scenario.symptom)));
    out.push_str(&format!(
        "Started from: {}\n\n",
        mask(&investigation.record.started_from)
    ));
    out.push_str("### Pivots\n\n");
    if investigation.record.pivots.is_empty() {
        out.push_str("(none collected)\n");
    }
    for pivot in &investigation.record.pivots {
        out.push_str(&format!(
            "- {}: {}\n",
            code(&pivot.key),
            code(&mask(&pivot.value))
        ));
    }
    out.push_str("\n### Steps\n\n");
    for step in &scenario.steps {
        let done = investigation.is_done(&step.id);
        out.push_str(&format!(
            "- [{}] {}\n",
            if done { "x" } else { " " },
            mask(&step.title)
        ));
        if done {
            for link in &step.links {
                out.push_str(&format!(
                    "  - [{}]({})\n",
                    link.recipe.replace(['[', ']'], ""),
                    link.url
                ));
            }
        }
        let note = investigation.note(&step.id);
        if !note.trim().is_empty() {
            let note = mask(note.trim()).replace('\n', "\n    ");
            out.push_str(&format!("  - Note: {note}\n"));
        }
    }
    if !scenario.references.is_empty() {
        out.push_str("\n### References\n\n");
        for reference in &scenario.references {
            out.push_str(&format!("- [{}]({})\n", reference.title, reference.url));
        }
    }
    out
}

/// A Markdown code span that holds any text: the fence is one backtick longer than the longest
/// run inside it.
fn code(text: &str) -> String {
    let longest_run = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::checklists::investigation::Investigations;
    use crate::core::config::settings::Settings;
    use crate::core::lens::lens;
    use crate::core::recognition::facts::{FactSource, RawFact, RawFacts};

    const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
    const EVENT_URL: &str =
        "https://acme.sentry.io/issues/6123456789/events/7b4c2f9a0c1d4e5f8a9b0c1d2e3f4a5b/";

    fn page(url: &str, facts: &[(&str, &str)]) -> RawFacts {
        RawFacts {
            url: url.into(),
            facts: facts
                .iter()
                .map(|(key, value)| RawFact {
                    source: FactSource::TestId,
                    key: (*key).into(),
                    value: (*value).into(),
                    section: String::new(),
                })
                .collect(),
            failed_rules: Vec::new(),
        }
    }

    fn views(raw: &RawFacts, remembered: &BTreeMap<String, Vec<PivotValue>>) -> Vec<ScenarioView> {
        let (runbook, settings, typed) = (Runbook::bundled(), Settings::default(), BTreeMap::new());
        let input = LensInput {
            runbook: &runbook,
            settings: &settings,
            raw,
            typed: &typed,
            api: &[],
        };
        scenarios(&input, &lens(&input), remembered)
    }

    fn find<'v>(views: &'v [ScenarioView], id: &str) -> &'v ScenarioView {
        views.iter().find(|v| v.id == id).unwrap()
    }

    fn step<'v>(scenario: &'v ScenarioView, id: &str) -> &'v StepView {
        scenario
            .steps
            .iter()
            .find(|s| s.id == id)
            .unwrap_or_else(|| panic!("no step {id} in {:?}", scenario.steps))
    }

    #[test]
    fn every_domain_is_a_checklist_built_from_its_runbook_entry() {
        let runbook = Runbook::bundled();
        let all = views(
            &page("https://acme.sentry.io/explore/logs/", &[]),
            &BTreeMap::new(),
        );
        let ids: Vec<&str> = all.iter().map(|v| v.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "cloudflare-http-server",
                "oauth-and-client-registration",
                "mcp-tool-execution",
                "resource-resolution",
                "stdio-transport",
                "agent-and-genai"
            ]
        );
        for (view, domain) in all.iter().zip(&runbook.domains) {
            let expected = domain.metrics.len()
                + domain.attributes.len()
                + 1
                + usize::from(domain.spans.is_some())
                + domain.notes.len();
            assert_eq!(view.steps.len(), expected, "{}", view.id);
            let mut ids: Vec<&str> = view.steps.iter().map(|s| s.id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(
                ids.len(),
                view.steps.len(),
                "step ids are unique in {}",
                view.id
            );
        }
        let oauth = find(&all, "oauth-and-client-registration");
        assert_eq!(oauth.title, "OAuth And Client Registration");
        assert!(oauth.symptom.starts_with("Users report sign-outs"));
        assert_eq!(
            step(oauth, "metric-app-oauth-token-exchange").kind,
            StepKind::Metric
        );
        assert_eq!(step(oauth, "attribute-user-id").kind, StepKind::Attribute);
        let tools = find(&all, "mcp-tool-execution");
        assert!(step(tools, "spans").title.contains("tool call spans"));
        assert!(tools
            .steps
            .iter()
            .any(|s| s.kind == StepKind::Note && s.title.contains("zero-result catalog searches")));
        assert!(step(tools, "attribute-app-consent-skill-skill-granted")
            .key
            .is_some());
    }

    #[test]
    fn a_metric_step_links_the_recipes_that_query_that_metric() {
        let all = views(
            &page("https://acme.sentry.io/explore/logs/", &[]),
            &BTreeMap::new(),
        );
        let oauth = find(&all, "oauth-and-client-registration");
        let refresh = step(oauth, "metric-app-oauth-token-exchange");
        assert_eq!(refresh.links.len(), 1, "{refresh:?}");
        assert_eq!(
            refresh.links[0].recipe,
            "OAuth refresh outcomes by client family."
        );
        assert!(refresh.links[0].url.starts_with("https://acme.sentry.io/"));
        // The revocation recipe needs a user id the page does not have: it waits for one.
        let revoked = step(oauth, "metric-app-oauth-grant-revoked");
        assert!(revoked.links.is_empty());
        assert_eq!(
            revoked.waiting,
            [(
                "Grant revocations for sign-out reports.".to_owned(),
                vec!["user.id".to_owned()]
            )]
        );
        // `metric:app.oauth.register OR metric:app.oauth.callback_completed` names both.
        for metric in [
            "metric-app-oauth-register",
            "metric-app-oauth-callback-completed",
        ] {
            assert_eq!(
                step(oauth, metric).links[0].recipe,
                "Register and callback volume by client family."
            );
        }
        // No recipe queries this metric: the step stands without a link.
        let prompted = step(oauth, "metric-app-oauth-consent-prompted");
        assert!(prompted.links.is_empty() && prompted.waiting.is_empty());
    }

    #[test]
    fn values_on_the_page_fill_steps_and_suggest_their_scenarios() {
        let raw = page(
            EVENT_URL,
            &[
                ("user.id", "4242"),
                ("app.oauth.grant_revoked.reason", "upstream_rejected_in_use"),
            ],
        );
        let all = views(&raw, &BTreeMap::new());
        assert_eq!(
            all[0].id, "oauth-and-client-registration",
            "suggested first"
        );
        assert!(all[0].suggested);
        assert!(!find(&all, "stdio-transport").suggested);
        let oauth = &all[0];
        let user = step(oauth, "attribute-user-id");
        assert_eq!(user.value.as_deref(), Some("4242"));
        let revoked = step(oauth, "metric-app-oauth-grant-revoked");
        assert!(revoked.waiting.is_empty());
        assert!(revoked.links[0].url.contains("4242"), "{revoked:?}");
        // The URL's event id is no trace id: the trace step waits for one.
        assert_eq!(step(oauth, "trace").value, None);

        let tools = views(
            &page(EVENT_URL, &[("gen_ai.tool.name", "search_events")]),
            &BTreeMap::new(),
        );
        assert!(find(&tools, "mcp-tool-execution").suggested);
        assert!(!find(&tools, "oauth-and-client-registration").suggested);
    }

    #[test]
    fn an_investigation_remembers_values_for_the_next_page() {
        let remembered = BTreeMap::from([(
            "oauth-and-client-registration".to_owned(),
            vec![
                PivotValue {
                    key: "trace_id".into(),
                    value: TRACE.into(),
                },
                PivotValue {
                    key: "user.id".into(),
                    value: "4242".into(),
                },
            ],
        )]);
        let all = views(
            &page("https://acme.sentry.io/explore/logs/", &[]),
            &remembered,
        );
        let oauth = find(&all, "oauth-and-client-registration");
        let trace = step(oauth, "trace");
        assert_eq!(trace.value.as_deref(), Some(TRACE));
        assert!(trace.links[0].url.contains(TRACE), "{trace:?}");
        assert!(!step(oauth, "metric-app-oauth-grant-revoked")
            .links
            .is_empty());
        // Only that scenario's investigation lends its values.
        assert_eq!(step(find(&all, "stdio-transport"), "trace").value, None);

        // The page's own value wins over a remembered one.
        let other = "0af7651916cd43dd8448eb211c80319c";
        let all = views(
            &page(
                &format!("https://acme.sentry.io/explore/traces/trace/{other}/"),
                &[],
            ),
            &remembered,
        );
        let trace = step(find(&all, "oauth-and-client-registration"), "trace");
        assert_eq!(trace.value.as_deref(), Some(other));
    }

    #[test]
    fn references_follow_the_heading_and_oauth_gets_the_sign_out_playbook() {
        let all = views(
            &page("https://acme.sentry.io/explore/logs/", &[]),
            &BTreeMap::new(),
        );
        let urls = |id: &str| -> Vec<String> {
            find(&all, id)
                .references
                .iter()
                .map(|r| r.url.clone())
                .collect()
        };
        assert!(urls("oauth-and-client-registration").contains(
            &"https://github.com/getsentry/sentry-mcp/blob/main/docs/operations/oauth-signout-playbook.md".to_owned()
        ));
        assert!(!urls("stdio-transport").iter().any(|u| u.contains("oauth")));
        assert!(urls("agent-and-genai")
            .iter()
            .any(|u| u.contains("semconv/gen-ai/")));
    }

    fn investigation_for(scenario: &str) -> Investigations {
        let mut state = Investigations::default();
        let pivots = vec![
            PivotValue {
                key: "user.id".into(),
                value: "4242".into(),
            },
            PivotValue {
                key: "http.route".into(),
                value: "/oauth/`token`".into(),
            },
        ];
        state.start(scenario, EVENT_URL, pivots, 1.0, 1).unwrap();
        state
    }

    #[test]
    fn the_export_is_the_investigation_as_markdown() {
        let scenario_id = "oauth-and-client-registration";
        let mut state = investigation_for(scenario_id);
        let id = state.by_id.keys().next().unwrap().clone();
        state
            .set_step(
                &id,
                "metric-app-oauth-grant-revoked",
                true,
                "3 revocations\nall in use",
                2.0,
            )
            .unwrap();
        state
            .set_step(
                &id,
                "attribute-app-client-family",
                false,
                "cursor only",
                3.0,
            )
            .unwrap();
        let remembered = BTreeMap::from([(
            scenario_id.to_owned(),
            state.by_id[&id].record.pivots.clone(),
        )]);
        let all = views(
            &page("https://acme.sentry.io/explore/logs/", &[]),
            &remembered,
        );
        let markdown = export_markdown(find(&all, scenario_id), &state.by_id[&id]);

        assert!(
            markdown.starts_with("## OAuth And Client Registration\n"),
            "{markdown}"
        );
        assert!(markdown.contains(&format!("Started from: {EVENT_URL}\n")));
        assert!(markdown.contains("- `user.id`: `4242`\n"));
        assert!(
            markdown.contains("- `http.route`: `` /oauth/`token` ``\n"),
            "{markdown}"
        );
        assert!(markdown.contains("- [x] Confirm the symptom in the metric app.oauth.grant_revoked\n  - [Grant revocations for sign-out reports.](https://acme.sentry.io/"));
        assert!(markdown.contains("  - Note: 3 revocations\n    all in use\n"));
        assert!(markdown.contains(
            "- [ ] Check the distribution of app.client.family\n  - Note: cursor only\n"
        ));
        // Open steps carry no links.
        let open = markdown
            .split("- [ ] Confirm the symptom in the metric app.oauth.token_exchange\n")
            .nth(1)
            .unwrap();
        assert!(open.starts_with("- ["), "{open}");
        assert!(markdown.contains("oauth-signout-playbook.md)"));
    }

    #[test]
    fn nothing_secret_is_exported() {
        let scenario_id = "stdio-transport";
        let mut state = investigation_for(scenario_id);
        let id = state.by_id.keys().next().unwrap().clone();
        let token = format!("sntryu_{}", "cd".repeat(32));
        // Storage already refuses a secret note; a tampered one that slipped in is still masked.
        state.by_id.get_mut(&id).unwrap().steps.insert(
            "trace".into(),
            crate::core::checklists::investigation::StepRecord {
                schema: 2,
                done: true,
                note: format!("token {token}"),
                updated_at: 0.0,
            },
        );
        state
            .by_id
            .get_mut(&id)
            .unwrap()
            .record
            .pivots
            .push(PivotValue {
                key: "app.upstream.host".into(),
                value: format!("Bearer {token}"),
            });
        let all = views(
            &page("https://acme.sentry.io/explore/logs/", &[]),
            &BTreeMap::new(),
        );
        let markdown = export_markdown(find(&all, scenario_id), &state.by_id[&id]);
        assert!(!markdown.contains("cdcdcdcd"), "{markdown}");
        assert!(markdown.contains("••••"));
    }
}
