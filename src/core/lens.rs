//! What the sidebar shows for one page, decided in one place: the page, the runbook's starting
//! points that fit it, its pivots with their meaning, and every recipe filled with the page's values.
//! The UI only renders this.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use crate::core::config::settings::Settings;
use crate::core::guard::text::visibly_escaped;
use crate::core::previews::PreviewPlan;
use crate::core::query::{build_links, Deployment, Period, Scope};
use crate::core::recognition::facts::{
    recognise_remembering, FactMemory, FactSource, RawFact, RawFacts, RecognisedPivot,
};
use crate::core::recognition::page::{classify_url_with_hosts, PageContext, PageKind, TimeWindow};
use crate::core::runbook::{KeyMatch, Recipe, Runbook, StartingPoint};
use crate::core::sentry_api::{target, Target};

#[derive(Debug, Clone, PartialEq)]
pub struct Lens {
    pub url: String,
    pub kind: PageKind,
    pub org: String,
    /// `host[:port]` of the page's Sentry (empty when it is not one).
    pub host: String,
    pub starting_points: Vec<StartingPointView>,
    pub pivots: Vec<PivotView>,
    /// The most useful for this page first: ready recipes filled from the page's pivots (the more
    /// of them, the earlier), then those the page fills but that are not ready, then the rest.
    pub recipes: Vec<RecipeView>,
    /// What the recipes were filled with from the page.
    pub values: PageValues,
    pub warnings: Vec<Warning>,
    /// Probe rules that failed on this page (the others still ran).
    pub failed_rules: Vec<String>,
    /// The item in view, as Sentry's API can be asked for it (none on most pages).
    pub api_target: Option<Target>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StartingPointView {
    pub symptom: String,
    pub surface: String,
    pub pivots: Vec<String>,
    pub answers: String,
    pub next_step: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PivotView {
    pub key: String,
    /// The full value; masked when `secret`.
    pub value: String,
    /// How to show the value when it would mislead as it is (bidi, invisible or look-alike
    /// characters, written `\u{…}`); the UI marks such a value.
    pub escaped: Option<String>,
    /// Where the value came from (contract v2 `data-source`): `url`, `api` or `page`.
    pub source: &'static str,
    pub secret: bool,
    pub truncated: bool,
    /// What the runbook says about the key: one copy shared by all of the key's values, so the
    /// lens of a logs page with 700 trace ids is not 700 copies of the same paragraphs to clone,
    /// compare and drop at every report.
    pub info: Arc<KeyInfo>,
}

/// The runbook on one key.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct KeyInfo {
    /// The runbook's entry: its meaning, where it is found and its first query (empty for
    /// attributes the runbook names only in domains or recipe fields).
    pub meaning: String,
    pub found_in: Vec<String>,
    pub first_query: String,
    /// The attribute notes that apply: the namespace rule first, then notes naming the key.
    pub notes: Vec<String>,
    /// The scenarios (runbook domains) whose attributes include the key.
    pub domains: Vec<String>,
}

impl PivotView {
    /// Whether the value may be copied or put in a query.
    pub fn is_usable(&self) -> bool {
        !self.secret && !self.truncated
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RecipeView {
    pub id: String,
    pub title: String,
    pub dataset: &'static str,
    pub ready: bool,
    pub links: Vec<LinkView>,
    /// Pivot keys the recipe still needs a value for (the UI asks for them): when ready, those
    /// of the filters left out, whose value puts them back.
    pub missing: Vec<String>,
    /// The filters left out of the offered query because the page has no value for them, by key
    /// as the runbook writes it (contract v2 `data-dropped`).
    pub dropped: Vec<String>,
    /// The filled abstract recipe, for an MCP client or a ticket.
    pub text: String,
    /// Why no link could be built (an invalid typed value, a scope problem).
    pub error: Option<String>,
    /// How many of its placeholders the page filled.
    pub filled_from_page: usize,
    /// What the card asks Sentry to show what its first link finds (ready recipes only).
    pub preview: Option<PreviewPlan>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LinkView {
    pub label: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    /// The contract's `data-kind`: `secret`, `cardinality` or `unsupported`.
    pub kind: &'static str,
    pub message: String,
}

/// Everything the lens needs, none of it from the DOM.
pub struct LensInput<'a> {
    pub runbook: &'a Runbook,
    pub settings: &'a Settings,
    pub raw: &'a RawFacts,
    /// Values the engineer typed for missing placeholders, by pivot key.
    pub typed: &'a BTreeMap<String, String>,
    /// What Sentry's API said about the item in view (`sentry_api`), if it was read.
    pub api: &'a [RawFact],
}

pub fn lens(input: &LensInput) -> Lens {
    lens_remembering(input, &mut FactMemory::default())
}

/// `lens`, reading only the facts `memory` has not seen (see `FactMemory`): the sidebar keeps one
/// across the reports of a page.
pub fn lens_remembering(input: &LensInput, memory: &mut FactMemory) -> Lens {
    let Some(page) = page_of(input) else {
        return unsupported(input.raw);
    };
    let recognition = recognise_remembering(input.runbook, &page, input.raw, input.api, memory);
    let org = page
        .org
        .clone()
        .unwrap_or_else(|| input.settings.org.clone());
    let pivots = pivot_views(input.runbook, &recognition.pivots);
    let mut warnings: Vec<Warning> = recognition
        .pivots
        .iter()
        .filter(|p| p.secret)
        .map(|p| Warning {
            kind: "secret",
            message: format!(
                "{} holds what looks like a secret; it is masked and never used in a query.",
                p.key
            ),
        })
        .collect();
    let scope = scope(&page, &org, input.settings);
    if scope.is_none() {
        warnings.push(Warning {
            kind: "unsupported",
            message: "No Sentry organisation is known for this page: set a default organisation in the options to get links."
                .into(),
        });
    }
    let values = PageValues::of(&recognition.pivots);
    let recipes = recipes(input, &values, scope.as_ref());
    Lens {
        url: input.raw.url.clone(),
        kind: page.kind,
        host: page.host.clone(),
        org,
        starting_points: starting_points(input.runbook, &pivots),
        pivots,
        recipes,
        values,
        warnings,
        failed_rules: input.raw.failed_rules.clone(),
        api_target: target(&page),
    }
}

/// The recipes of `page`'s lens filled with `input.typed` instead (a checklist's remembered
/// values): nothing else of the lens depends on what was typed.
pub fn recipes_typed(input: &LensInput, page: &Lens) -> Vec<RecipeView> {
    match page_of(input) {
        Some(context) => recipes(
            input,
            &page.values,
            scope(&context, &page.org, input.settings).as_ref(),
        ),
        None => page.recipes.clone(),
    }
}

/// The classification of the page's URL, with the configured self-hosted host.
fn page_of(input: &LensInput) -> Option<PageContext> {
    let self_hosted = self_hosted_authority(input.settings);
    let hosts: Vec<&str> = self_hosted.iter().map(String::as_str).collect();
    classify_url_with_hosts(&input.raw.url, &hosts)
}

/// A page Pivot Lens cannot read as Sentry (it should not be injected there at all).
fn unsupported(raw: &RawFacts) -> Lens {
    Lens {
        url: raw.url.clone(),
        kind: PageKind::Other,
        org: String::new(),
        host: String::new(),
        starting_points: Vec::new(),
        pivots: Vec::new(),
        recipes: Vec::new(),
        values: PageValues::default(),
        warnings: vec![Warning {
            kind: "unsupported",
            message: "This page is not a Sentry page Pivot Lens knows.".into(),
        }],
        failed_rules: raw.failed_rules.clone(),
        api_target: None,
    }
}

/// `sentry.example.com[:port]` from the configured `https://` origin.
pub(crate) fn self_hosted_authority(settings: &Settings) -> Option<String> {
    settings
        .host
        .strip_prefix("https://")
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
}

pub(crate) fn scope(page: &PageContext, org: &str, settings: &Settings) -> Option<Scope> {
    if org.is_empty() {
        return None;
    }
    let deployment = if page.self_hosted {
        Deployment::SelfHosted {
            host: page.host.clone(),
        }
    } else {
        match self_hosted_authority(settings) {
            // On sentry.io itself links stay on sentry.io, whatever the default host is.
            Some(host) if !page.host.ends_with("sentry.io") => Deployment::SelfHosted { host },
            _ => Deployment::SaaS,
        }
    };
    let period = match &page.window {
        TimeWindow::StatsPeriod(period) => Period::Relative(period.clone()),
        TimeWindow::Range { start, end } => Period::Absolute {
            start: start.clone(),
            end: end.clone(),
        },
        TimeWindow::Unset => Period::Relative(settings.period.clone()),
    };
    // The page's own project filter wins; `-1` ("all projects") is a choice, not an absence.
    let projects = if page.projects.is_empty() {
        settings.projects.clone()
    } else {
        page.projects
            .iter()
            .filter_map(|&p| u64::try_from(p).ok())
            .collect()
    };
    Some(Scope {
        deployment,
        org: org.to_owned(),
        projects,
        period,
    })
}

/// The lens's pivots key by key (`pivot_views` keeps a key's values together), so what depends on
/// the key alone is looked at once, not once a value: a logs page has 700 values of one key.
pub(crate) fn by_key(pivots: &[PivotView]) -> impl Iterator<Item = &[PivotView]> {
    pivots.chunk_by(|a, b| a.key == b.key)
}

/// The page's pivots with a key's values together, keys in the order the page shows them first
/// (the sidebar explains a key once, above its values).
fn pivot_views(runbook: &Runbook, recognised: &[RecognisedPivot]) -> Vec<PivotView> {
    let mut groups: Vec<Vec<PivotView>> = Vec::new();
    let mut group_of: BTreeMap<&str, usize> = BTreeMap::new();
    for pivot in recognised {
        let group = *group_of.entry(&pivot.key).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        let values = &mut groups[group];
        let info = values.first().map_or_else(
            || Arc::new(key_info(runbook, pivot)),
            |first| first.info.clone(),
        );
        values.push(PivotView {
            key: pivot.key.clone(),
            value: pivot.value.clone(),
            escaped: visibly_escaped(&pivot.value),
            source: match pivot.source {
                FactSource::Url => "url",
                FactSource::Api => "api",
                _ => "page",
            },
            secret: pivot.secret,
            truncated: pivot.truncated,
            info,
        });
    }
    groups.into_iter().flatten().collect()
}

/// Read once per key and page (the runbook lookup matches the key against every pattern).
fn key_info(runbook: &Runbook, pivot: &RecognisedPivot) -> KeyInfo {
    let entry = runbook.pivot_for_key(&pivot.key).map(|(entry, _)| entry);
    KeyInfo {
        meaning: entry.map(|e| e.meaning.clone()).unwrap_or_default(),
        found_in: entry.map(|e| e.found_in.clone()).unwrap_or_default(),
        first_query: entry.map(|e| e.first_query.clone()).unwrap_or_default(),
        notes: notes_for(runbook, &pivot.key),
        domains: pivot.runbook.domains.clone(),
    }
}

/// The namespace rule (`http.*`, `gen_ai.*`, `mcp.*`, `app.*`) first, then notes naming the key.
pub(crate) fn notes_for(runbook: &Runbook, key: &str) -> Vec<String> {
    let in_namespace = |pattern: &str| {
        pattern
            .strip_suffix('*')
            .is_some_and(|prefix| key.starts_with(prefix))
    };
    let namespace = runbook
        .notes
        .iter()
        .filter(|n| n.keys.iter().any(|k| in_namespace(k)));
    let named = runbook
        .notes
        .iter()
        .filter(|n| n.keys.iter().any(|k| k == key));
    let mut notes: Vec<String> = Vec::new();
    for note in namespace.chain(named) {
        if !notes.contains(&note.text) {
            notes.push(note.text.clone());
        }
    }
    notes
}

/// The runbook's starting points whose keys are on this page, those that fit more of its keys
/// first (the runbook's order among equals).
fn starting_points(runbook: &Runbook, pivots: &[PivotView]) -> Vec<StartingPointView> {
    let keys: Vec<&str> = by_key(pivots)
        .map(|values| values[0].key.as_str())
        .collect();
    let mut fitting: Vec<(usize, &StartingPoint)> = runbook
        .starting_points
        .iter()
        .map(|point| {
            (
                keys.iter().filter(|key| starts_here(point, key)).count(),
                point,
            )
        })
        .filter(|(fit, _)| *fit > 0)
        .collect();
    fitting.sort_by_key(|(fit, _)| std::cmp::Reverse(*fit));
    fitting
        .into_iter()
        .map(|(_, point)| StartingPointView {
            symptom: point.symptom.clone(),
            surface: point.surface.clone(),
            pivots: point.pivots.iter().map(|k| k.as_str().to_owned()).collect(),
            answers: point.answers.clone(),
            next_step: point.next_step.clone(),
        })
        .collect()
}

fn starts_here(point: &StartingPoint, key: &str) -> bool {
    point
        .pivots
        .iter()
        .any(|pattern| pattern.matches(key).is_some())
        || point
            .symptom
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .any(|word| word == key)
}

/// The page's values as recipes take them: each key's first usable value, keys in the order the
/// page first shows a usable value. A logs page holds hundreds of values of one key; recipes ask
/// per key.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PageValues {
    first: Vec<(String, String)>,
}

impl PageValues {
    fn of(page: &[RecognisedPivot]) -> Self {
        let mut seen = HashSet::new();
        let first = page
            .iter()
            .filter(|p| p.is_usable() && seen.insert(p.key.as_str()))
            .map(|p| (p.key.clone(), p.value.clone()))
            .collect();
        Self { first }
    }

    /// The value for a recipe binding's pivot key. A key pattern's placeholder counts too:
    /// `app.consent.skill.<skill>.granted` on the page gives `app.consent.skill` its value.
    fn value_for(&self, key: &str, runbook: &Runbook) -> Option<String> {
        let exact = self.first.iter().find(|(k, _)| k == key);
        exact.map(|(_, value)| value.clone()).or_else(|| {
            self.first
                .iter()
                .filter_map(|(k, _)| runbook.pivot_for_key(k))
                .find_map(|(entry, matched)| match matched {
                    KeyMatch::Placeholder { value, .. } => {
                        let (prefix, _, _) = entry.key.placeholder()?;
                        (prefix.trim_end_matches('.') == key).then_some(value)
                    }
                    _ => None,
                })
        })
    }
}

fn recipes(input: &LensInput, page: &PageValues, scope: Option<&Scope>) -> Vec<RecipeView> {
    let mut views: Vec<RecipeView> = input
        .runbook
        .recipes
        .iter()
        .map(|recipe| recipe_view(recipe, input, page, scope))
        .collect();
    // Stable: within each group the runbook's order stays. A recipe filled from the page never
    // comes after one that uses none of its pivots (contract v2 "Order").
    views.sort_by_key(|v| {
        (
            v.filled_from_page == 0,
            !v.ready,
            std::cmp::Reverse(v.filled_from_page),
        )
    });
    views
}

fn recipe_view(
    recipe: &Recipe,
    input: &LensInput,
    page: &PageValues,
    scope: Option<&Scope>,
) -> RecipeView {
    let from_page = |key: &str| page.value_for(key, input.runbook);
    let value = |key: &str| {
        input
            .typed
            .get(key)
            .filter(|v| !v.trim().is_empty())
            .cloned()
            .or_else(|| from_page(key))
    };
    let filled_from_page = recipe
        .bindings
        .iter()
        .filter(|b| from_page(&b.pivot).is_some())
        .count();
    let base = RecipeView {
        id: recipe.id.clone(),
        title: recipe.title.clone(),
        dataset: recipe.dataset.name(),
        ready: false,
        links: Vec::new(),
        missing: Vec::new(),
        dropped: Vec::new(),
        text: String::new(),
        error: None,
        filled_from_page,
        preview: None,
    };
    let Some(scope) = scope else {
        return RecipeView {
            error: Some("Set a default organisation to build links.".into()),
            ..base
        };
    };
    match build_links(recipe, &value, scope) {
        Ok(links) => RecipeView {
            ready: links.ready,
            links: links
                .links
                .iter()
                .map(|l| LinkView {
                    label: l.label.clone(),
                    url: l.url.as_str().to_owned(),
                })
                .collect(),
            missing: links
                .missing
                .iter()
                .map(|placeholder| pivot_of(recipe, placeholder))
                .collect(),
            dropped: links.dropped,
            text: links.text,
            preview: PreviewPlan::new(links.previews, recipe.dataset, &scope.period),
            ..base
        },
        Err(error) => RecipeView {
            error: Some(error.to_string()),
            ..base
        },
    }
}

/// The pivot key a placeholder binds to (what the engineer is asked for).
fn pivot_of(recipe: &Recipe, placeholder: &str) -> String {
    recipe
        .bindings
        .iter()
        .find(|b| b.placeholder == placeholder)
        .map_or_else(|| placeholder.to_owned(), |b| b.pivot.clone())
}

/// The lens of a page with these probe facts, with the bundled runbook and default settings.
#[cfg(test)]
pub(crate) fn lens_of(
    url: &str,
    facts: &[(crate::core::recognition::facts::FactSource, &str, &str)],
) -> Lens {
    let raw = RawFacts {
        url: url.into(),
        facts: facts
            .iter()
            .map(
                |(source, key, value)| crate::core::recognition::facts::RawFact {
                    source: *source,
                    key: (*key).into(),
                    value: (*value).into(),
                    section: String::new(),
                },
            )
            .collect(),
        failed_rules: Vec::new(),
    };
    lens(&LensInput {
        runbook: &Runbook::bundled(),
        settings: &Settings::default(),
        raw: &raw,
        typed: &BTreeMap::new(),
        api: &[],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::guard::text::MAX_VALUE_CHARS;
    use crate::core::recognition::facts::{FactSource, RawFact};

    fn fact(source: FactSource, key: &str, value: &str) -> RawFact {
        RawFact {
            source,
            key: key.into(),
            value: value.into(),
            section: String::new(),
        }
    }

    fn raw(url: &str, facts: Vec<RawFact>) -> RawFacts {
        RawFacts {
            url: url.into(),
            facts,
            failed_rules: Vec::new(),
        }
    }

    fn run(raw: &RawFacts, settings: &Settings, typed: &BTreeMap<String, String>) -> Lens {
        lens(&LensInput {
            runbook: &Runbook::bundled(),
            settings,
            raw,
            typed,
            api: &[],
        })
    }

    const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

    fn recipe<'a>(lens: &'a Lens, id: &str) -> &'a RecipeView {
        lens.recipes
            .iter()
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("no recipe {id}"))
    }

    #[test]
    fn event_page_fills_the_trace_log_recipe_first() {
        let page = raw(
            "https://acme.sentry.io/issues/6123456789/events/7b4c2f9a0c1d4e5f8a9b0c1d2e3f4a5b/?project=42&statsPeriod=7d",
            vec![
                fact(FactSource::Context, "Trace Details/Trace ID", TRACE),
                fact(FactSource::Tag, "http.route", "/mcp/:organizationSlug?/:projectSlug?"),
                fact(FactSource::Tag, "gen_ai.tool.name", "search_events"),
            ],
        );
        let lens = run(&page, &Settings::default(), &BTreeMap::new());
        assert_eq!(lens.kind, PageKind::Event);
        assert_eq!(lens.org, "acme");
        let keys: Vec<&str> = lens.pivots.iter().map(|p| p.key.as_str()).collect();
        for key in ["event_id", "trace_id", "http.route", "gen_ai.tool.name"] {
            assert!(keys.contains(&key), "{key} missing from {keys:?}");
        }
        let trace = lens.pivots.iter().find(|p| p.key == "trace_id").unwrap();
        assert_eq!(
            trace.info.meaning,
            "one request, tool call, or agent run trace"
        );
        assert_eq!(trace.info.first_query, "open trace");

        let first = &lens.recipes[0];
        assert!(first.ready && first.filled_from_page > 0, "{first:?}");
        let logs = recipe(
            &lens,
            "trace-log-history-after-opening-a-sentry-event-or-span",
        );
        assert!(logs.ready);
        let url = &logs.links[0].url;
        assert!(
            url.starts_with("https://acme.sentry.io/explore/logs/?"),
            "{url}"
        );
        assert!(
            url.contains("project=42") && url.contains("statsPeriod=7d"),
            "the page's scope is kept: {url}"
        );
        assert!(logs.text.contains(TRACE));

        // The event page's own pivots point at the runbook's first two starting points.
        assert!(
            lens.starting_points.iter().any(|s| s.pivots == ["span_id"]),
            "{:?}",
            lens.starting_points
        );
        // Recipes still needing a value say which.
        let revocations = recipe(&lens, "grant-revocations-for-sign-out-reports");
        assert!(!revocations.ready && revocations.links.is_empty());
        assert_eq!(revocations.missing, ["user.id"]);
    }

    #[test]
    fn a_keys_values_are_listed_together_and_share_what_the_runbook_says() {
        let other_trace = "0af7651916cd43dd8448eb211c80319c";
        let page = raw(
            "https://acme.sentry.io/explore/logs/",
            vec![
                fact(FactSource::TableCell, "trace", TRACE),
                fact(FactSource::TableCell, "gen_ai.tool.name", "search_events"),
                fact(FactSource::TableCell, "trace", other_trace),
            ],
        );
        let lens = run(&page, &Settings::default(), &BTreeMap::new());
        let shown: Vec<(&str, &str)> = lens
            .pivots
            .iter()
            .map(|p| (p.key.as_str(), p.value.as_str()))
            .collect();
        assert_eq!(
            shown,
            [
                ("trace_id", TRACE),
                ("trace_id", other_trace),
                ("gen_ai.tool.name", "search_events")
            ]
        );
        let [first, second, tool] = &lens.pivots[..] else {
            panic!("three pivots: {shown:?}");
        };
        assert!(Arc::ptr_eq(&first.info, &second.info), "read once per key");
        assert_eq!(
            first.info.meaning,
            "one request, tool call, or agent run trace"
        );
        assert!(tool.info.notes[0].contains("OpenTelemetry semantic"));
    }

    #[test]
    fn typed_values_complete_a_recipe_and_invalid_ones_are_refused() {
        let page = raw("https://acme.sentry.io/explore/logs/", vec![]);
        let mut typed = BTreeMap::new();
        typed.insert("user.id".to_owned(), "4242".to_owned());
        let lens = run(&page, &Settings::default(), &typed);
        let revocations = recipe(&lens, "grant-revocations-for-sign-out-reports");
        assert!(revocations.ready, "{revocations:?}");
        assert!(revocations.links[0].url.contains("4242"));

        typed.insert("user.id".to_owned(), "x\" OR is:unresolved \\".to_owned());
        let lens = run(&page, &Settings::default(), &typed);
        let revocations = recipe(&lens, "grant-revocations-for-sign-out-reports");
        assert!(
            !revocations.ready && revocations.links.is_empty() && revocations.error.is_some(),
            "{revocations:?}"
        );
    }

    #[test]
    fn namespace_notes_and_skill_patterns() {
        let page = raw(
            "https://acme.sentry.io/explore/traces/trace/4bf92f3577b34da6a3ce929d0e0e4736/?node=span-00f067aa0ba902b7",
            vec![
                fact(FactSource::TestId, "gen_ai.tool.name", "search_events"),
                fact(FactSource::TestId, "app.consent.skill.project_management.granted", "true"),
            ],
        );
        let lens = run(&page, &Settings::default(), &BTreeMap::new());
        assert_eq!(lens.kind, PageKind::Span);
        let tool = lens
            .pivots
            .iter()
            .find(|p| p.key == "gen_ai.tool.name")
            .unwrap();
        assert!(
            tool.info.notes[0].contains("OpenTelemetry semantic"),
            "{:?}",
            tool.info.notes
        );
        let timeline = recipe(&lens, "tool-execution-timeline-for-a-slow-or-failing-tool");
        assert!(
            timeline.ready,
            "the skill comes from the pattern key: {timeline:?}"
        );
        assert!(
            timeline.links[0].url.contains("project_management.granted"),
            "{}",
            timeline.links[0].url
        );
    }

    #[test]
    fn no_org_means_a_warning_not_broken_links() {
        let page = raw("https://sentry.io/issues/", vec![]);
        let lens = run(&page, &Settings::default(), &BTreeMap::new());
        assert!(lens.warnings.iter().any(|w| w.kind == "unsupported"));
        assert!(lens.recipes.iter().all(|r| r.links.is_empty()));
        let with_default = Settings {
            org: "acme".into(),
            ..Settings::default()
        };
        let lens = run(&page, &with_default, &BTreeMap::new());
        assert_eq!(lens.org, "acme");
        assert!(lens.recipes.iter().any(|r| r.ready));
    }

    #[test]
    fn secrets_on_the_page_are_masked_and_warned_about() {
        let token = format!("sntryu_{}", "ab12".repeat(16));
        let page = raw(
            "https://acme.sentry.io/explore/logs/",
            vec![fact(FactSource::TestId, "user.id", &token)],
        );
        let lens = run(&page, &Settings::default(), &BTreeMap::new());
        assert!(lens.warnings.iter().any(|w| w.kind == "secret"));
        // Every field, the shared key information included.
        let everything = format!("{lens:?}");
        assert!(
            !everything.contains(&token),
            "the token leaked into the lens"
        );
    }

    /// A value that reads as another (a bidi override, an invisible or a look-alike character) is
    /// shown escaped; its real value is still the pivot's, and where it came from is said.
    #[test]
    fn misleading_values_are_shown_escaped_and_sources_named() {
        let trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        let page = raw(
            &format!("https://acme.sentry.io/explore/traces/trace/{trace}/"),
            vec![
                fact(
                    FactSource::TestId,
                    "gen_ai.tool.name",
                    "find_issues\u{202E}txt.exe",
                ),
                fact(FactSource::TestId, "mcp.tool.name", "search_events"),
            ],
        );
        let lens = run(&page, &Settings::default(), &BTreeMap::new());
        let shown: Vec<(&str, &str, Option<&str>, &str)> = lens
            .pivots
            .iter()
            .map(|p| {
                (
                    p.key.as_str(),
                    p.value.as_str(),
                    p.escaped.as_deref(),
                    p.source,
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("trace_id", trace, None, "url"),
                (
                    "gen_ai.tool.name",
                    "find_issues\u{202E}txt.exe",
                    Some("find_issues\\u{202E}txt.exe"),
                    "page"
                ),
                ("mcp.tool.name", "search_events", None, "page"),
            ]
        );
    }

    #[test]
    fn recipes_take_each_keys_first_usable_value() {
        let token = format!("sntryu_{}", "ab12".repeat(16));
        let long = "7".repeat(MAX_VALUE_CHARS + 1);
        let page = raw(
            "https://acme.sentry.io/explore/logs/",
            [token.as_str(), &long, "4242", "5353"]
                .iter()
                .map(|id| fact(FactSource::TestId, "user.id", id))
                .collect(),
        );
        let lens = run(&page, &Settings::default(), &BTreeMap::new());
        assert_eq!(lens.pivots.len(), 4);
        let revocations = recipe(&lens, "grant-revocations-for-sign-out-reports");
        assert!(revocations.ready, "{revocations:?}");
        let url = &revocations.links[0].url;
        assert!(url.contains("4242") && !url.contains("5353"), "{url}");
    }

    #[test]
    fn self_hosted_pages_link_to_their_own_host() {
        let settings = Settings {
            host: "https://sentry.example.com".into(),
            ..Settings::default()
        };
        let page = raw(
            &format!("https://sentry.example.com/organizations/acme/explore/traces/trace/{TRACE}/"),
            vec![],
        );
        let lens = run(&page, &settings, &BTreeMap::new());
        assert_eq!(lens.kind, PageKind::Trace);
        let logs = recipe(
            &lens,
            "trace-log-history-after-opening-a-sentry-event-or-span",
        );
        assert!(
            logs.links[0]
                .url
                .starts_with("https://sentry.example.com/organizations/acme/explore/logs/"),
            "{logs:?}"
        );
    }

    #[test]
    fn settings_scope_links_when_the_page_names_no_window_or_project() {
        let settings = Settings {
            org: "acme".into(),
            period: "7d".into(),
            projects: vec![42],
            ..Settings::default()
        };
        let logs_link = |url: &str| {
            let lens = run(&raw(url, vec![]), &settings, &BTreeMap::new());
            lens.recipes
                .iter()
                .find(|r| r.id == "trace-log-history-after-opening-a-sentry-event-or-span")
                .map(|r| r.links.first().map(|l| l.url.clone()).unwrap_or_default())
                .unwrap()
        };
        let trace_page =
            format!("https://sentry.io/organizations/acme/explore/traces/trace/{TRACE}/");
        let link = logs_link(&trace_page);
        assert!(
            link.contains("statsPeriod=7d") && link.contains("project=42"),
            "{link}"
        );
        let link = logs_link(&format!("{trace_page}?statsPeriod=1h&project=-1"));
        assert!(
            link.contains("statsPeriod=1h") && link.contains("project=-1"),
            "{link}"
        );
    }
}
