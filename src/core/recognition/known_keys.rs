//! Which keys the runbook knows, and how: the lookup shared by page recognition and the
//! selection classifier. Keys the runbook does not know are never offered as pivots.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::core::guard::text::is_attribute_key;
use crate::core::runbook::{KeyMatch, KeyPattern, Runbook};

/// How a concrete key relates to the runbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunbookMatch {
    pub known_as: KnownAs,
    /// The runbook's pattern or field that matched (`trace_id`, `app.oauth.*`,
    /// `app.consent.skill.<skill>.granted`, `http.request.method`).
    pub pattern: String,
    /// For placeholder patterns: the placeholder's name and the text it matched
    /// (`skill` = `project_management`).
    pub placeholder: Option<(String, String)>,
    /// Ids of the domains (scenarios) whose attributes include the key.
    pub domains: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum KnownAs {
    /// An investigation pivot (the pivots table, or a pivot of "Where To Query"); exact, pattern
    /// or family.
    Pivot,
    /// Named in a domain's attributes or a recipe's fields, but not a pivot.
    Attribute,
}

/// The runbook's keys, indexed once per runbook.
pub struct KnownKeys<'a> {
    runbook: &'a Runbook,
    /// Namespaced recipe fields (`http.request.method`). Bare columns such as `timestamp`,
    /// `message`, `value` or `metric` are display columns, not something to pivot on, which is
    /// why this does not use `Runbook::is_known_attribute` (it counts every field).
    recipe_fields: HashSet<&'a str>,
    tool_names: HashSet<String>,
}

impl<'a> KnownKeys<'a> {
    pub fn new(runbook: &'a Runbook) -> Self {
        let recipe_fields = runbook
            .recipes
            .iter()
            .flat_map(|recipe| recipe.fields.iter())
            .map(String::as_str)
            .filter(|field| field.contains('.'))
            .collect();
        let mut known = Self {
            runbook,
            recipe_fields,
            tool_names: HashSet::new(),
        };
        known.tool_names = known.collect_tool_names();
        known
    }

    /// Every key pattern `lookup` matches against, and the namespaced recipe fields it knows exactly.
    pub fn patterns(
        &self,
    ) -> (
        impl Iterator<Item = &KeyPattern>,
        impl Iterator<Item = &str>,
    ) {
        let runbook = self.runbook;
        let patterns = runbook
            .pivots
            .iter()
            .map(|pivot| &pivot.key)
            .chain(
                runbook
                    .starting_points
                    .iter()
                    .flat_map(|start| &start.pivots),
            )
            .chain(runbook.domains.iter().flat_map(|domain| &domain.attributes));
        (patterns, self.recipe_fields.iter().copied())
    }

    pub fn lookup(&self, key: &str) -> Option<RunbookMatch> {
        let domains = self.runbook.known_attribute_domains(key);
        let domain_ids = domains.iter().map(|domain| domain.id.clone()).collect();
        // The pivots table first (an exact pivot wins), then the pivots "Where To Query" names,
        // which include families such as `app.oauth.*`.
        let pivot = self
            .runbook
            .pivot_for_key(key)
            .map(|(pivot, key_match)| (&pivot.key, key_match))
            .or_else(|| {
                let starting = self
                    .runbook
                    .starting_points
                    .iter()
                    .flat_map(|start| &start.pivots);
                first_match(starting, key)
            });
        let attribute = || {
            let domain = domains.first()?;
            first_match(domain.attributes.iter(), key)
        };
        let found = pivot
            .map(|found| (KnownAs::Pivot, found))
            .or_else(|| attribute().map(|found| (KnownAs::Attribute, found)));
        if let Some((known_as, (pattern, key_match))) = found {
            return Some(RunbookMatch::new(known_as, pattern, key_match, domain_ids));
        }
        self.recipe_fields.contains(key).then(|| RunbookMatch {
            known_as: KnownAs::Attribute,
            pattern: key.to_owned(),
            placeholder: None,
            domains: domain_ids,
        })
    }

    /// MCP tool names the runbook mentions: backticked snake_case names in recipe and domain
    /// prose, and values of `mcp.tool.name:` / `gen_ai.tool.name:` filters in recipe queries.
    pub fn is_known_tool_name(&self, name: &str) -> bool {
        self.tool_names.contains(name)
    }

    fn collect_tool_names(&self) -> HashSet<String> {
        let runbook = self.runbook;
        let prose = runbook
            .recipes
            .iter()
            .flat_map(|recipe| std::iter::once(&recipe.title).chain(recipe.notes.iter()))
            .chain(runbook.domains.iter().flat_map(|domain| {
                [&domain.title, &domain.symptom]
                    .into_iter()
                    .chain(domain.spans.iter())
                    .chain(domain.notes.iter())
            }));
        let backticked = prose.flat_map(|text| text.split('`').skip(1).step_by(2));
        let filtered = runbook.recipes.iter().flat_map(|recipe| {
            let query = recipe.query.as_str();
            ["mcp.tool.name:", "gen_ai.tool.name:"]
                .into_iter()
                .flat_map(move |filter| {
                    query
                        .match_indices(filter)
                        .map(move |(at, _)| &query[at + filter.len()..])
                })
                .map(|rest| {
                    let rest = rest.trim_start_matches('"');
                    &rest[..rest
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .unwrap_or(rest.len())]
                })
        });
        backticked
            .chain(filtered)
            .filter(|name| is_tool_shaped(name) && self.lookup(name).is_none())
            .map(str::to_owned)
            .collect()
    }
}

/// The runbook's spelling of a key: typed keys unwrapped and known aliases mapped. `None` when
/// the text cannot be an attribute key at all.
pub fn canonical_key(raw: &str) -> Option<String> {
    let key = raw.trim();
    // `tags[key,number]` / `tags[key,boolean]` (docs/sentry-urls.md §5 item 9).
    let key = key
        .strip_prefix("tags[")
        .and_then(|typed| typed.strip_suffix(']'))
        .map_or(key, |inner| inner.split(',').next().unwrap_or(inner));
    let key = ALIASES
        .iter()
        .find(|(alias, _)| *alias == key)
        .map_or(key, |(_, runbook_key)| runbook_key);
    is_attribute_key(key).then(|| key.to_owned())
}

/// Other spellings of runbook keys that pages show, and the runbook key each stands for.
pub(crate) const ALIASES: &[(&str, &str)] = &[
    ("trace", "trace_id"),
    ("sentry.trace_id", "trace_id"),
    ("trace.id", "trace_id"),
    ("sentry.span_id", "span_id"),
    ("sentry.event_id", "event_id"),
    ("event.id", "event_id"),
];

/// A snake_case identifier of 3–64 characters with at least one `_`, as MCP tool names are.
pub fn is_tool_shaped(name: &str) -> bool {
    (3..=64).contains(&name.len())
        && name.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && name.contains('_')
        && !name.ends_with('_')
        && !name.contains("__")
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn first_match<'p>(
    mut patterns: impl Iterator<Item = &'p KeyPattern>,
    key: &str,
) -> Option<(&'p KeyPattern, KeyMatch)> {
    patterns.find_map(|pattern| pattern.matches(key).map(|key_match| (pattern, key_match)))
}

impl RunbookMatch {
    fn new(
        known_as: KnownAs,
        pattern: &KeyPattern,
        key_match: KeyMatch,
        domains: Vec<String>,
    ) -> Self {
        let placeholder = match key_match {
            KeyMatch::Placeholder { name, value } => Some((name, value)),
            KeyMatch::Exact | KeyMatch::Family => None,
        };
        Self {
            known_as,
            pattern: pattern.as_str().to_owned(),
            placeholder,
            domains,
        }
    }
}

/// Memoised lookups: a page repeats the same keys many times.
pub struct KeyCache<'k, 'a> {
    known: &'k KnownKeys<'a>,
    seen: HashMap<String, Option<RunbookMatch>>,
}

impl<'k, 'a> KeyCache<'k, 'a> {
    pub fn new(known: &'k KnownKeys<'a>) -> Self {
        Self {
            known,
            seen: HashMap::new(),
        }
    }

    pub fn lookup(&mut self, key: &str) -> Option<RunbookMatch> {
        if let Some(found) = self.seen.get(key) {
            return found.clone();
        }
        let found = self.known.lookup(key);
        self.seen.insert(key.to_owned(), found.clone());
        found
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::core::runbook::{Dataset, Domain, Pivot, Recipe, StartingPoint};

    /// A hand-built runbook with the pivots, domains and recipes these tests rely on, shaped like
    /// the bundled TELEMETRY.md (until the parser lands, runbooks are built by hand in tests).
    pub(crate) fn test_runbook() -> Runbook {
        let pivot = |key: &str| Pivot {
            key: KeyPattern::new(key),
            meaning: String::new(),
            found_in: Vec::new(),
            first_query: String::new(),
        };
        let recipe = |title: &str, query: &str, fields: &[&str]| Recipe {
            id: crate::core::runbook::slug::slug(title),
            title: title.to_owned(),
            dataset: Dataset::Spans,
            query: query.to_owned(),
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            sort: Vec::new(),
            aggregate: None,
            bindings: Vec::new(),
            notes: Vec::new(),
            line: 1,
        };
        let domain = |title: &str, attributes: &[&str]| Domain {
            id: crate::core::runbook::slug::slug(title),
            title: title.to_owned(),
            symptom: String::new(),
            metrics: Vec::new(),
            spans: None,
            attributes: attributes.iter().map(|a| KeyPattern::new(*a)).collect(),
            notes: Vec::new(),
        };
        let mut resource = domain(
            "Resource Resolution",
            &[
                "app.resource.type",
                "gen_ai.tool.name",
                "trace_id",
                "span_id",
            ],
        );
        resource.symptom =
            "`get_sentry_resource` routes a URL or ID to the wrong resource handler".to_owned();
        Runbook {
            starting_points: vec![StartingPoint {
                symptom: "OAuth sign-out or refresh symptom".to_owned(),
                surface: String::new(),
                pivots: vec![KeyPattern::new("app.client.family"), KeyPattern::new("app.oauth.*")],
                answers: String::new(),
                next_step: String::new(),
            }],
            pivots: [
                "trace_id",
                "span_id",
                "event_id",
                "user.id",
                "http.route",
                "mcp.session.id",
                "gen_ai.tool.name",
                "gen_ai.tool.call.arguments.<key>",
                "app.client.family",
                "app.consent.skill.<skill>.granted",
                "app.oauth.token_exchange.outcome",
            ]
            .into_iter()
            .map(pivot)
            .collect(),
            recipes: vec![
                recipe(
                    "Trace log history after opening a Sentry event or span.",
                    "trace_id:\"<trace_id>\"",
                    &["timestamp", "level", "message", "trace_id", "http.route", "error.type"],
                ),
                recipe(
                    "Zero-result `search_sentry_tools` catalog discovery queries.",
                    "(mcp.tool.name:search_tools OR mcp.tool.name:search_sentry_tools) gen_ai.tool.call.result.count:0",
                    &["timestamp", "trace", "span_id", "mcp.tool.name", "gen_ai.tool.call.result.count", "user.id"],
                ),
            ],
            domains: vec![
                domain("Cloudflare HTTP Server", &["http.request.method", "http.route", "app.client.family"]),
                domain("MCP Tool Execution", &["gen_ai.tool.name", "gen_ai.tool.call.arguments.<key>", "user.id"]),
                resource,
            ],
            settings: Vec::new(),
            notes: Vec::new(),
            references: Vec::new(),
        }
    }

    #[test]
    fn pivots_attributes_and_unknown_keys() {
        let runbook = test_runbook();
        let known = KnownKeys::new(&runbook);

        let trace = known.lookup("trace_id").expect("pivot");
        assert_eq!(trace.known_as, KnownAs::Pivot);
        assert_eq!(trace.domains, vec!["resource-resolution"]);

        let skill = known
            .lookup("app.consent.skill.project_management.granted")
            .expect("pattern");
        assert_eq!(skill.pattern, "app.consent.skill.<skill>.granted");
        assert_eq!(
            skill.placeholder,
            Some(("skill".into(), "project_management".into()))
        );

        let family = known.lookup("app.oauth.probe.reason").expect("family");
        assert_eq!(
            (family.known_as, family.pattern.as_str()),
            (KnownAs::Pivot, "app.oauth.*")
        );
        // Exact wins over the family it is also in.
        assert_eq!(
            known
                .lookup("app.oauth.token_exchange.outcome")
                .expect("exact")
                .pattern,
            "app.oauth.token_exchange.outcome"
        );

        let method = known
            .lookup("http.request.method")
            .expect("domain attribute");
        assert_eq!(method.known_as, KnownAs::Attribute);
        assert_eq!(method.domains, vec!["cloudflare-http-server"]);
        assert_eq!(
            known.lookup("error.type").expect("recipe field").known_as,
            KnownAs::Attribute
        );

        for unknown in [
            "timestamp",
            "message",
            "trace",
            "sentry.environment",
            "span.op",
            "",
        ] {
            assert_eq!(known.lookup(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn key_normalisation_table() {
        let cases = [
            ("trace", Some("trace_id")),
            ("sentry.trace_id", Some("trace_id")),
            ("trace.id", Some("trace_id")),
            ("trace_id", Some("trace_id")),
            ("sentry.span_id", Some("span_id")),
            ("event.id", Some("event_id")),
            (
                "tags[gen_ai.tool.call.result.count,number]",
                Some("gen_ai.tool.call.result.count"),
            ),
            (
                "tags[app.consent.skill.x.granted,boolean]",
                Some("app.consent.skill.x.granted"),
            ),
            (" http.route ", Some("http.route")),
            ("a b", None),
            ("<img src=x>", None),
            ("", None),
        ];
        for (raw, expected) in cases {
            assert_eq!(canonical_key(raw).as_deref(), expected, "{raw}");
        }
    }

    #[test]
    fn tool_names_from_prose_and_queries() {
        let runbook = test_runbook();
        let known = KnownKeys::new(&runbook);
        for tool in ["search_sentry_tools", "search_tools", "get_sentry_resource"] {
            assert!(known.is_known_tool_name(tool), "{tool}");
        }
        assert!(!known.is_known_tool_name("trace_id"));
        assert!(is_tool_shaped("search_events"));
        for bad in [
            "search",
            "Search_events",
            "_a_b",
            "a_",
            "a__b",
            "a-b_c",
            "ab",
        ] {
            assert!(!is_tool_shaped(bad), "{bad}");
        }
    }

    #[test]
    fn the_bundled_runbook() {
        let runbook = Runbook::bundled();
        let known = KnownKeys::new(&runbook);
        let known_as = |key: &str| {
            known
                .lookup(key)
                .map(|found| (found.known_as, found.pattern))
        };
        let pivot = |pattern: &str| Some((KnownAs::Pivot, pattern.to_owned()));
        assert_eq!(known_as("trace_id"), pivot("trace_id"));
        assert_eq!(
            known_as("app.oauth.probe.reason"),
            pivot("app.oauth.probe.reason")
        );
        assert_eq!(known_as("app.oauth.grant.shape"), pivot("app.oauth.*"));
        assert_eq!(known_as("gen_ai.usage.input_tokens"), pivot("gen_ai.*"));
        assert_eq!(
            known_as("app.consent.skill.project_management.granted"),
            pivot("app.consent.skill.<skill>.granted")
        );
        assert_eq!(
            known_as("http.request.method"),
            Some((KnownAs::Attribute, "http.request.method".to_owned()))
        );
        assert_eq!(known_as("timestamp"), None);
        let tool = known.lookup("gen_ai.tool.name").expect("pivot");
        assert!(tool.domains.contains(&"mcp-tool-execution".to_owned()));
        for name in ["search_sentry_tools", "search_tools", "get_sentry_resource"] {
            assert!(known.is_known_tool_name(name), "{name}");
        }
    }
}
