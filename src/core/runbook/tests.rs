//! Tests of the runbook parser on the bundled runbook, variants of it and small malformed cases.

use super::parse::{MAX_LISTED_ERRORS, MAX_MARKDOWN_BYTES, MAX_RECIPES, REFERENCE_BASE};
use super::*;
use crate::core::query::search;

const RENAMED: &str = include_str!("../../../tests/fixtures/runbooks/renamed.md");
const SKILL_PIVOT_REMOVED: &str =
    include_str!("../../../tests/fixtures/runbooks/invalid-skill-pivot-removed.md");
const SEVERAL_ERRORS: &str =
    include_str!("../../../tests/fixtures/runbooks/invalid-several-errors.md");
const SEED_AS_RECEIVED: &str =
    include_str!("../../../tests/fixtures/runbooks/seed-as-received.txt");

/// The smallest runbook with every required section; malformed cases are edits of it.
const MINIMAL: &str = r#"## Where To Query

| Starting Point | Query Surface | Pivot | Answers | Next Step |
| --- | --- | --- | --- | --- |
| a trace | Traces | `trace_id` | timeline | logs |

## Investigation Pivots

| Pivot | Meaning | Found In | First Query |
| --- | --- | --- | --- |
| `trace_id` | one trace | logs, spans | open trace |
| `http.route` | route | metrics | route health |

## Query Recipes

Trace logs.

```text
dataset=logs query='trace_id:"<trace_id>"'
fields=timestamp,trace_id
sort=-timestamp
```

## Domains

### Tracing

Something is slow.

Attributes: `trace_id`
"#;

fn edited(from: &str, to: &str) -> String {
    assert!(MINIMAL.contains(from), "{from:?} is not in MINIMAL");
    MINIMAL.replacen(from, to, 1)
}

fn error(line: usize, column: usize, message: &str) -> RunbookError {
    RunbookError {
        line,
        column,
        message: message.to_owned(),
    }
}

fn binding(placeholder: &str, pivot: &str) -> Binding {
    Binding {
        placeholder: placeholder.into(),
        pivot: pivot.into(),
        in_key: false,
        transform: None,
    }
}

fn keys(patterns: &[KeyPattern]) -> Vec<&str> {
    patterns.iter().map(KeyPattern::as_str).collect()
}

#[test]
fn bundled_runbook_parses() {
    let runbook = Runbook::parse(BUNDLED_MARKDOWN).unwrap();
    assert_eq!(runbook, Runbook::bundled());
    assert_eq!(runbook.starting_points.len(), 8);
    assert_eq!(runbook.pivots.len(), 35);
    assert_eq!(runbook.recipes.len(), 14);
    assert_eq!(runbook.domains.len(), 6);
    assert_eq!(runbook.settings.len(), 6);
    assert_eq!(runbook.notes.len(), 10);
    assert_eq!(runbook.references.len(), 8);
    assert_eq!(runbook.warnings(), []);
}

#[test]
fn windows_line_endings_parse_the_same() {
    assert_eq!(
        Runbook::parse(&BUNDLED_MARKDOWN.replace('\n', "\r\n")),
        Ok(Runbook::bundled())
    );
}

#[test]
fn bundled_starting_points_and_pivots() {
    let runbook = Runbook::bundled();
    let oauth = &runbook.starting_points[3];
    assert_eq!(oauth.symptom, "OAuth sign-out or refresh symptom");
    assert_eq!(oauth.surface, "Sentry Metrics and Logs");
    assert_eq!(keys(&oauth.pivots), ["app.client.family", "app.oauth.*"]);
    assert!(oauth.pivots[1].is_family());
    assert_eq!(oauth.next_step, "inspect user trace or request logs");
    assert_eq!(
        runbook.starting_points[5].answers,
        "`get_sentry_resource` dispatch behavior"
    );

    let user = &runbook.pivots[3];
    assert_eq!(user.key.as_str(), "user.id");
    assert_eq!(user.found_in, ["events", "logs", "metrics"]);
    assert_eq!(user.first_query, "user request or OAuth history");
    let patterns: Vec<&str> = runbook
        .pivots
        .iter()
        .filter(|p| p.key.placeholder().is_some())
        .map(|p| p.key.as_str())
        .collect();
    assert_eq!(
        patterns,
        [
            "gen_ai.tool.call.arguments.<key>",
            "app.consent.skill.<skill>.granted"
        ]
    );
    assert_eq!(
        runbook.pivots[8].first_query,
        "`mcp`, `oauth`, `chat`, `search`"
    );
}

#[test]
fn bundled_recipes_are_structured_queries_with_bindings() {
    let runbook = Runbook::bundled();
    let first = &runbook.recipes[0];
    assert_eq!(
        first.id,
        "trace-log-history-after-opening-a-sentry-event-or-span"
    );
    assert_eq!(
        first.title,
        "Trace log history after opening a Sentry event or span."
    );
    assert_eq!(first.dataset, Dataset::Logs);
    assert_eq!(first.query, r#"trace_id:"<trace_id>""#);
    assert_eq!(first.fields.len(), 10);
    assert_eq!(
        first.sort,
        [SortKey {
            field: "timestamp".into(),
            descending: false
        }]
    );
    assert_eq!(first.line, 71);
    assert_eq!(first.bindings, [binding("trace_id", "trace_id")]);

    let expected_bindings: [(&str, &[(&str, &str)]); 6] = [
        (
            "captured-errors-for-a-route-tool-or-oauth-symptom",
            &[
                ("route", "http.route"),
                ("tool_name", "gen_ai.tool.name"),
                ("reason", "app.oauth.grant_revoked.reason"),
            ],
        ),
        (
            "http-response-rates-by-route-and-status",
            &[("route", "http.route")],
        ),
        (
            "grant-revocations-for-sign-out-reports",
            &[("user_id", "user.id")],
        ),
        (
            "resource-dispatch-behavior-for-get-sentry-resource",
            &[("resource_type", "app.resource.type")],
        ),
        (
            "stdio-sessions-by-configured-host-or-mode",
            &[("host", "app.upstream.host")],
        ),
        ("mcp-mode-adoption-by-client-family", &[]),
    ];
    for (id, expected) in expected_bindings {
        let recipe = runbook
            .recipe(id)
            .unwrap_or_else(|| panic!("no recipe {id}"));
        let expected: Vec<Binding> = expected.iter().map(|(p, k)| binding(p, k)).collect();
        assert_eq!(recipe.bindings, expected, "{id}");
    }

    let tool = runbook
        .recipe("tool-execution-timeline-for-a-slow-or-failing-tool")
        .unwrap();
    assert_eq!(
        tool.bindings,
        [
            binding("tool_name", "gen_ai.tool.name"),
            Binding {
                placeholder: "skill".into(),
                pivot: "app.consent.skill".into(),
                in_key: true,
                transform: Some(Replace {
                    from: "-".into(),
                    to: "_".into()
                }),
            },
        ]
    );
    assert_eq!(tool.notes.len(), 1);
    assert!(tool.notes[0].starts_with("Use the skill id with `-` replaced by `_`"));

    let rates = runbook
        .recipe("http-response-rates-by-route-and-status")
        .unwrap();
    assert_eq!(
        rates.aggregate,
        Some(Aggregate {
            function: "sum".into(),
            argument: "value".into(),
            group_by: vec!["http.route".into(), "http.response.status_code".into()],
        })
    );
    let zero = runbook
        .recipe("zero-result-search-sentry-tools-catalog-discovery-queries")
        .unwrap();
    assert_eq!(
        zero.title,
        "Zero-result `search_sentry_tools` catalog discovery queries."
    );
    assert_eq!(
        zero.sort,
        [SortKey {
            field: "timestamp".into(),
            descending: true
        }]
    );

    // Every recipe's query is a structured query, and only the tool timeline has a note.
    for recipe in &runbook.recipes {
        assert!(search::parse(&recipe.query).is_ok(), "{}", recipe.id);
        assert_eq!(
            recipe.notes.is_empty(),
            recipe.id != tool.id,
            "{}",
            recipe.id
        );
    }
}

#[test]
fn bundled_domains_settings_notes_references() {
    let runbook = Runbook::bundled();
    let oauth = runbook.domain("oauth-and-client-registration").unwrap();
    assert_eq!(oauth.title, "OAuth And Client Registration");
    assert_eq!(
        oauth.symptom,
        "Users report sign-outs, refresh loops, DCR churn, or callback/register imbalance."
    );
    assert_eq!(oauth.metrics.len(), 7);
    assert_eq!(oauth.attributes.len(), 8);
    assert_eq!(oauth.spans, None);

    let tools = runbook.domain("mcp-tool-execution").unwrap();
    assert_eq!(
        tools.spans.as_deref(),
        Some("tool call spans and downstream Sentry API spans")
    );
    assert_eq!(tools.notes.len(), 1);
    assert!(tools
        .attributes
        .contains(&KeyPattern::new("app.consent.skill.<skill>.granted")));
    let cloudflare = runbook.domain("cloudflare-http-server").unwrap();
    assert_eq!(
        cloudflare.attributes.len(),
        11,
        "prose inside Attributes: keeps its keys"
    );
    assert_eq!(
        runbook
            .domain("resource-resolution")
            .unwrap()
            .spans
            .as_deref(),
        Some("`get_sentry_resource` tool span and downstream resource tool span")
    );

    assert_eq!(
        runbook.settings[4],
        Setting {
            name: "SENTRY_HOST".into(),
            controls: "upstream Sentry host and `app.upstream.host`".into(),
            default: "sentry.io".into(),
        }
    );

    assert_eq!(
        runbook.notes[1].keys,
        [
            "mcp.*",
            "mcp.method.name",
            "mcp.protocol.version",
            "mcp.resource.uri",
            "mcp.session.id"
        ]
    );
    assert_eq!(
        runbook.notes[4].keys,
        ["mcp.tool.name"],
        "tool names and paths are not keys"
    );
    assert_eq!(runbook.notes[9].keys, Vec::<String>::new());

    assert_eq!(
        runbook.references[0],
        Reference {
            title: "docs/operations/monitoring.md".into(),
            url: format!("{REFERENCE_BASE}docs/operations/monitoring.md"),
            host: "github.com".into(),
        }
    );
    assert_eq!(
        runbook.references[7],
        Reference {
            title: "OpenTelemetry MCP semantic conventions".into(),
            url: "https://opentelemetry.io/docs/specs/semconv/gen-ai/mcp/".into(),
            host: "opentelemetry.io".into(),
        }
    );
}

#[test]
fn lookups_for_the_ui() {
    let runbook = Runbook::bundled();
    let (pivot, found) = runbook
        .pivot_for_key("app.consent.skill.project_management.granted")
        .unwrap();
    assert_eq!(pivot.key.as_str(), "app.consent.skill.<skill>.granted");
    assert_eq!(
        found,
        KeyMatch::Placeholder {
            name: "skill".into(),
            value: "project_management".into()
        }
    );
    // `gen_ai.tool.call.result` is a pivot of its own, and no pattern swallows it.
    let (pivot, found) = runbook.pivot_for_key("gen_ai.tool.call.result").unwrap();
    assert_eq!(
        (pivot.key.as_str(), found),
        ("gen_ai.tool.call.result", KeyMatch::Exact)
    );
    assert!(runbook.pivot_for_key("span.duration").is_none());

    let ids = |key| {
        runbook
            .known_attribute_domains(key)
            .into_iter()
            .map(|d| d.id.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids("user.id"),
        ["oauth-and-client-registration", "mcp-tool-execution"]
    );
    assert_eq!(
        ids("gen_ai.tool.call.arguments.query"),
        ["mcp-tool-execution"]
    );
    assert_eq!(ids("span.duration"), Vec::<&str>::new());
    assert!(
        runbook.is_known_attribute("span.duration"),
        "named by recipe fields"
    );
    assert!(!runbook.is_known_attribute("not.a.key"));
}

/// Each case edits [`MINIMAL`] and expects exactly these errors, in order.
/// A reference is a link the on-call engineer trusts by its title, so it may only point at an
/// allowlisted host, and the UI shows that host: userinfo, IP literals and other ports are refused.
#[test]
fn references_link_only_to_allowlisted_hosts() {
    let cases: [(&str, Result<&str, &str>); 17] = [
        ("https://docs.sentry.io/product/", Ok("docs.sentry.io")),
        ("https://sentry.io/welcome/", Ok("sentry.io")),
        ("https://acme.sentry.io/issues/", Ok("acme.sentry.io")),
        (
            "https://GitHub.com:443/getsentry/sentry-mcp",
            Ok("github.com"),
        ),
        ("docs/operations/monitoring.md", Ok("github.com")),
        ("https://sentry.io@evil.example/x", Err("user name")),
        ("https://user:pw@docs.sentry.io/", Err("user name")),
        (
            "https://evil.example/sentry.io",
            Err("`evil.example`, which is not"),
        ),
        ("https://sentry.io.evil.example/", Err("which is not")),
        ("https://evilsentry.io/", Err("which is not")),
        ("https://docs.sentry.io:8443/", Err("port 8443")),
        ("https://93.184.216.34/", Err("IP address")),
        ("https://[::1]/", Err("IP address")),
        ("https://docs.sentry.io\\evil.example/", Err("which is not")),
        ("https://xn--sentr-7ra.io/", Err("which is not")),
        ("http://docs.sentry.io/", Err("neither an https link")),
        ("https:///docs", Err("which is not")),
    ];
    for (target, expected) in cases {
        let markdown = format!("{MINIMAL}\n## References\n\n- [Sentry docs]({target})\n");
        match (Runbook::parse(&markdown), expected) {
            (Ok(runbook), Ok(host)) => assert_eq!(runbook.references[0].host, host, "{target}"),
            (Err(errors), Err(fragment)) => {
                assert_eq!(errors.len(), 1, "{target}: {errors:?}");
                assert_eq!(errors[0].line, 34, "{target}");
                assert!(errors[0].message.contains(fragment), "{target}: {errors:?}");
            }
            (got, _) => panic!("{target}: expected {expected:?}, got {got:?}"),
        }
    }
}

#[test]
fn malformed_runbooks_name_line_and_column() {
    let cases: Vec<(&str, String, Vec<RunbookError>)> = vec![
        (
            "unknown dataset",
            edited("dataset=logs", "dataset=metrics"),
            vec![error(
                19,
                9,
                "unknown dataset `metrics` (expected one of logs, spans, tracemetrics, issues, errors)",
            )],
        ),
        (
            "unterminated double quote inside the query",
            edited(r#"trace_id:"<trace_id>"'"#, r#"trace_id:"<trace_id>'"#),
            vec![error(19, 30, "query: unterminated quote")],
        ),
        (
            "unterminated single quote around the query",
            edited(r#"trace_id:"<trace_id>"'"#, r#"trace_id:"<trace_id>""#),
            vec![error(19, 20, "unterminated quote: `'` is never closed")],
        ),
        (
            "recipe block without a title",
            edited("Trace logs.\n\n", ""),
            vec![error(
                16,
                1,
                "recipe block has no title: put its description in a paragraph just before it",
            )],
        ),
        (
            "table with a missing column (its placeholder then binds to nothing too)",
            edited("| Found In |", "| Seen In |"),
            vec![
                error(9, 1, "table in `## Investigation Pivots` is missing column(s) `Found In`"),
                error(19, 31, "placeholder `<trace_id>` in `trace_id` binds to no pivot of the runbook"),
            ],
        ),
        (
            "duplicated pivot",
            edited("| route health |\n", "| route health |\n| `trace_id` | again | logs | x |\n"),
            vec![error(13, 1, "duplicated pivot `trace_id` (first on line 11)")],
        ),
        (
            "value placeholder whose key is no pivot",
            edited(r#"trace_id:"<trace_id>""#, r#"span_id:"<span_id>""#),
            vec![error(19, 30, "placeholder `<span_id>` in `span_id` binds to no pivot of the runbook")],
        ),
        (
            "free-text placeholder",
            edited(r#"trace_id:"<trace_id>""#, "<anything>"),
            vec![error(19, 21, "placeholder `<anything>` in free text binds to no pivot of the runbook")],
        ),
        (
            "key placeholder whose prefix is no pivot",
            edited(r#"trace_id:"<trace_id>""#, "app.skill.<skill>.on:true"),
            vec![error(
                19,
                31,
                "placeholder `<skill>` in `app.skill.<skill>.on` binds to no pivot of the runbook",
            )],
        ),
        (
            "missing required section",
            edited("## Domains", "## Scenarios"),
            vec![error(1, 1, "missing required section `## Domains`")],
        ),
        (
            "section given twice",
            format!("{MINIMAL}\n## Domains\n"),
            vec![error(32, 1, "section `## Domains` appears more than once")],
        ),
        (
            "field that is not a key",
            edited("fields=timestamp,trace_id", "fields=timestamp,trace id!"),
            vec![error(20, 18, "`trace id!` is not an attribute key")],
        ),
        (
            "unknown recipe parameter",
            edited("sort=", "order="),
            vec![error(
                21,
                1,
                "unknown recipe parameter `order=` (expected dataset, query, fields, sort, aggregate)",
            )],
        ),
        (
            "parameter given twice",
            edited("sort=-timestamp", "sort=-timestamp sort=trace_id"),
            vec![error(21, 17, "`sort=` is given twice")],
        ),
        (
            "malformed aggregate",
            edited("sort=-timestamp", "aggregate=sum value"),
            vec![error(21, 11, "aggregate `sum value` is not of the form `fn(arg) by a,b`")],
        ),
        (
            "recipe titles that make the same id",
            edited(
                "```\n\n## Domains",
                "```\n\nTrace logs!\n\n```text\ndataset=logs query='a:b'\n```\n\n## Domains",
            ),
            vec![error(26, 1, "duplicated recipe id `trace-logs` (first on line 18)")],
        ),
        (
            "domain without symptom",
            edited("Something is slow.\n\n", ""),
            vec![error(26, 1, "domain `Tracing` has no symptom paragraph")],
        ),
        (
            "reference that is neither https nor a repository path",
            format!("{MINIMAL}\n## References\n\n- [run me](javascript:alert(1))\n"),
            vec![error(
                34,
                1,
                "reference `javascript:alert(1)` is neither an https link nor a repository path",
            )],
        ),
    ];
    for (name, markdown, expected) in cases {
        assert_eq!(Runbook::parse(&markdown), Err(expected), "{name}");
    }
}

#[test]
fn minimal_runbook_parses_and_tables_are_read_by_header_name() {
    let minimal = Runbook::parse(MINIMAL).unwrap();
    assert_eq!(minimal.recipes[0].id, "trace-logs");
    // Columns reordered and headers in another case, sections reordered: the same runbook.
    let reordered_columns = MINIMAL
        .replacen(
            "| Pivot | Meaning | Found In | First Query |",
            "| first query | FOUND IN | Pivot | Meaning |",
            1,
        )
        .replacen(
            "| `trace_id` | one trace | logs, spans | open trace |",
            "| open trace | logs, spans | `trace_id` | one trace |",
            1,
        )
        .replacen(
            "| `http.route` | route | metrics | route health |",
            "| route health | metrics | `http.route` | route |",
            1,
        );
    let domains_at = MINIMAL.find("## Domains").unwrap();
    let reordered_sections = format!("{}\n{}", &MINIMAL[domains_at..], &MINIMAL[..domains_at]);
    for variant in [reordered_columns, reordered_sections] {
        let mut parsed = Runbook::parse(&variant).unwrap();
        parsed
            .recipes
            .iter_mut()
            .for_each(|recipe| recipe.line = minimal.recipes[0].line);
        assert_eq!(parsed, minimal);
    }
}

#[test]
fn every_error_of_a_full_runbook_is_reported() {
    assert_eq!(
        Runbook::parse(SEVERAL_ERRORS),
        Err(vec![
            error(33, 1, "duplicated pivot `span_id` (first on line 32)"),
            error(
                73,
                9,
                "unknown dataset `metrics` (expected one of logs, spans, tracemetrics, issues, errors)"
            ),
            error(86, 1, "recipe block has no title: put its description in a paragraph just before it"),
            error(178, 60, "query: unterminated quote"),
        ])
    );
    assert_eq!(
        Runbook::parse(SKILL_PIVOT_REMOVED),
        Err(vec![error(
            151,
            71,
            "placeholder `<skill>` in `app.consent.skill.<skill>.granted` binds to no pivot of the runbook"
        )])
    );
}

#[test]
fn bounds_of_security_rb1() {
    let huge = format!("{MINIMAL}{}", " ".repeat(MAX_MARKDOWN_BYTES));
    assert_eq!(
        Runbook::parse(&huge),
        Err(vec![error(1, 1, "runbook is larger than 1000000 bytes")])
    );

    let recipe = "\nTrace logs.\n\n```text\ndataset=logs query='trace_id:\"<trace_id>\"'\n```\n";
    let recipes: String = (0..=MAX_RECIPES)
        .map(|n| recipe.replace("Trace logs.", &format!("Trace logs {n}.")))
        .collect();
    let too_many = MINIMAL.replacen("## Domains", &format!("{recipes}\n## Domains"), 1);
    let errors = Runbook::parse(&too_many).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].message, "more than 500 recipes");

    let many_fields = vec!["a"; 101].join(",");
    let errors = Runbook::parse(&edited(
        "fields=timestamp,trace_id",
        &format!("fields={many_fields}"),
    ))
    .unwrap_err();
    assert_eq!(errors, [error(20, 208, "more than 100 keys")]);

    let many_placeholders: String = (0..21).map(|n| format!("trace_id:\"<t{n}>\" ")).collect();
    let query = format!("dataset=logs query='{}'", many_placeholders.trim_end());
    let errors = Runbook::parse(&edited(
        r#"dataset=logs query='trace_id:"<trace_id>"'"#,
        &query,
    ))
    .unwrap_err();
    assert_eq!(
        errors,
        [error(19, 21, "query has more than 20 placeholders")]
    );

    let rows: String = (0..1_001)
        .map(|n| format!("| `k{n}` | a | b | c |\n"))
        .collect();
    let errors = Runbook::parse(&edited(
        "| route health |\n",
        &format!("| route health |\n{rows}"),
    ))
    .unwrap_err();
    assert_eq!(
        errors[0],
        error(
            1011,
            1,
            "table in `## Investigation Pivots` has more than 1000 rows"
        )
    );

    let long_field = "f".repeat(201);
    let errors =
        Runbook::parse(&edited("fields=timestamp", &format!("fields={long_field}"))).unwrap_err();
    assert_eq!(
        errors,
        [error(
            20,
            8,
            &format!("`{long_field}` is not an attribute key")
        )]
    );
}

/// Inputs near the 1 MB limit on which quadratic work takes many seconds (one did, before the
/// fix); the time bound only catches that. The error list stays bounded however broken the file is.
#[test]
fn pathological_inputs_stay_bounded() {
    // As many copies of `unit` as fit in the room left by MINIMAL.
    let fill = |unit: &str| unit.repeat((MAX_MARKDOWN_BYTES - MINIMAL.len() - 100) / unit.len());
    let in_block = |filler: String| edited("sort=-timestamp", &filler);
    let in_recipes = |filler: String| edited("## Domains", &format!("{filler}\n## Domains"));
    let at_end = |filler: String| format!("{MINIMAL}\n{filler}");
    let cases = [
        (
            "one long line of spaces in a block",
            in_block(format!("sort=-timestamp{}x", fill(" "))),
        ),
        ("a word on every line of a block", in_block(fill("x\n"))),
        ("endless unknown parameters", in_block(fill("a= "))),
        ("endless untitled blocks", in_recipes(fill("```\n```\n"))),
        (
            "endless titled blocks",
            in_recipes(fill("t\n```\ndataset=logs query='a'\n```\n")),
        ),
        (
            "endless duplicated pivots",
            edited("| route health |\n", &fill("| `trace_id` | a | b | c |\n")),
        ),
        ("deep block quotes", at_end(fill("> "))),
        ("unclosed links", at_end(fill("[a]("))),
        ("unbalanced emphasis", at_end(fill("*a **"))),
        ("backtick runs", at_end(fill("`` ` ```"))),
    ];
    for (name, markdown) in cases {
        assert!(markdown.len() <= MAX_MARKDOWN_BYTES, "{name}");
        // How long this takes is measured by the benchmark (`./build.sh bench`), not asserted here.
        let result = Runbook::parse(&markdown);
        if let Err(errors) = result {
            assert!(
                errors.len() <= MAX_LISTED_ERRORS + 1,
                "{name}: {} errors",
                errors.len()
            );
        }
    }
}

#[test]
fn warnings_come_from_the_attribute_notes() {
    // The bundled notes call `gen_ai.tool.call.result` high-cardinality and rule out
    // `gen_ai.tool.call.result.count` as a metrics dimension.
    let grouped = BUNDLED_MARKDOWN.replacen(
        "aggregate=sum(value) by app.consent.skill,app.client.family",
        "aggregate=sum(value) by app.consent.skill,gen_ai.tool.call.result.count,gen_ai.tool.call.result",
        1,
    );
    let warnings = Runbook::parse(&grouped).unwrap().warnings();
    assert_eq!(warnings.len(), 2);
    assert_eq!(warnings[0].line, 135);
    assert!(warnings[0].message.starts_with(
        "recipe `oauth-skill-adoption-by-client-family` groups a metric by `gen_ai.tool.call.result.count`; the Attribute Notes say: `gen_ai.tool.call.result.count` is a span-level"
    ));
    assert!(warnings[1]
        .message
        .contains("by `gen_ai.tool.call.result`;"));

    // Another team's notes, another key; high-cardinality keys are bad group-bys in any dataset.
    let notes = "\n## Attribute Notes\n\n- `http.route` is high-cardinality here.\n";
    let metric = edited("dataset=logs", "dataset=tracemetrics").replacen(
        "sort=-timestamp",
        "aggregate=count() by http.route",
        1,
    );
    let warnings = Runbook::parse(&format!("{metric}{notes}"))
        .unwrap()
        .warnings();
    assert_eq!(
        warnings,
        [RunbookWarning {
            line: 18,
            message: "recipe `trace-logs` groups a metric by `http.route`; the Attribute Notes say: `http.route` is high-cardinality here.".into(),
        }]
    );
    let spans = metric.replacen("dataset=tracemetrics", "dataset=spans", 1);
    let warnings = Runbook::parse(&format!("{spans}{notes}"))
        .unwrap()
        .warnings();
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0]
        .message
        .starts_with("recipe `trace-logs` groups its results by `http.route`;"));

    // "Do not use in metrics dimensions" is about metrics only.
    let notes = "\n## Attribute Notes\n\n- `http.route`: do not use in metrics dimensions.\n";
    assert_eq!(
        Runbook::parse(&format!("{spans}{notes}"))
            .unwrap()
            .warnings(),
        []
    );
    assert_eq!(
        Runbook::parse(&format!("{metric}{notes}"))
            .unwrap()
            .warnings()
            .len(),
        1
    );
}

#[test]
fn renamed_fixture_follows_the_data() {
    let runbook = Runbook::parse(RENAMED).unwrap();
    assert_eq!(runbook.recipes.len(), 14);
    assert!(
        runbook
            .recipe("local-rate-limit-volume-and-scope")
            .is_none(),
        "dropped recipe"
    );
    let added = runbook
        .recipe("indeterminate-access-probes-by-reason")
        .unwrap();
    assert_eq!(
        added.bindings,
        [binding("probe_reason", "app.access.probe.reason")]
    );
    assert_eq!(
        keys(&runbook.starting_points[3].pivots),
        ["app.client.family", "app.access.*"]
    );
    assert!(runbook
        .pivot_for_key("app.access.token_exchange.outcome")
        .is_some());
    assert!(runbook
        .pivot_for_key("app.oauth.token_exchange.outcome")
        .is_none());
    let captured = runbook
        .recipe("captured-errors-for-a-route-tool-or-oauth-symptom")
        .unwrap();
    assert_eq!(
        captured.bindings[2],
        binding("reason", "app.access.grant_revoked.reason")
    );
    assert!(!RENAMED.contains("app.oauth."));
}

/// The seed as first delivered is a lossy text export of TELEMETRY.md: every heading is gone
/// (section names and the six domain names appear nowhere in it), code fences and backticks were
/// stripped, table rows are broken across lines and the notes run together ("andgen_ai.*fields").
/// Recipe blocks and domain ids cannot be recovered from it, so it is rightly rejected, and the
/// errors say what is missing.
#[test]
fn seed_as_received_is_rejected_for_its_lost_structure() {
    assert_eq!(
        Runbook::parse(SEED_AS_RECEIVED),
        Err(vec![
            error(1, 1, "missing required section `## Where To Query`"),
            error(1, 1, "missing required section `## Investigation Pivots`"),
            error(1, 1, "missing required section `## Query Recipes`"),
            error(1, 1, "missing required section `## Domains`"),
        ])
    );
}

#[test]
fn check_report_summarises_or_lists_errors() {
    let summary = check_report(BUNDLED_MARKDOWN).unwrap();
    assert!(summary.starts_with(
        "8 starting points, 35 pivots, 14 recipes, 6 domains, 6 settings, 10 attribute notes, 8 references\nrecipes:\n"
    ));
    assert!(summary.contains(
        "  tool-execution-timeline-for-a-slow-or-failing-tool [spans, line 151]: <tool_name> <- gen_ai.tool.name, <skill> <- app.consent.skill (in key) with `-` replaced by `_`\n"
    ));
    assert!(summary.contains(
        "  mcp-mode-adoption-by-client-family [tracemetrics, line 95]: no placeholders\n"
    ));
    assert!(summary.ends_with("no warnings\n"));
    let grouped =
        BUNDLED_MARKDOWN.replacen("by app.consent.skill,", "by gen_ai.tool.call.result,", 1);
    assert!(check_report(&grouped).unwrap().ends_with(
        "warnings:\n  line 135: recipe `oauth-skill-adoption-by-client-family` groups a metric by `gen_ai.tool.call.result`; the Attribute Notes say: `gen_ai.tool.call.result` is the full JSON tool result payload on spans. Use for targeted inspection only; it is high-cardinality and unsuitable for group-bys or metrics.\n"
    ));
    assert_eq!(
        check_report(SKILL_PIVOT_REMOVED),
        Err("line 151, column 71: placeholder `<skill>` in `app.consent.skill.<skill>.granted` binds to no pivot of the runbook\n".into())
    );
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;
    use proptest::sample::Index;

    #[derive(Debug, Clone)]
    enum Mutation {
        DeleteLine(Index),
        DuplicateLine(Index),
        InsertChar(Index, Index, char),
    }

    fn mutation() -> impl Strategy<Value = Mutation> {
        // Characters that carry markdown or recipe meaning are the interesting insertions.
        let interesting = prop::sample::select(vec![
            '|', '`', '\'', '"', '<', '>', '#', '\n', '-', '=', '*', '\\', ' ', 'é',
        ]);
        prop_oneof![
            any::<Index>().prop_map(Mutation::DeleteLine),
            any::<Index>().prop_map(Mutation::DuplicateLine),
            (
                any::<Index>(),
                any::<Index>(),
                prop_oneof![interesting, any::<char>()]
            )
                .prop_map(|(line, at, c)| Mutation::InsertChar(line, at, c)),
        ]
    }

    fn mutate(mutations: &[Mutation]) -> String {
        let mut lines: Vec<String> = BUNDLED_MARKDOWN.lines().map(String::from).collect();
        for mutation in mutations {
            if lines.is_empty() {
                break;
            }
            match mutation {
                Mutation::DeleteLine(line) => {
                    lines.remove(line.index(lines.len()));
                }
                Mutation::DuplicateLine(line) => {
                    let at = line.index(lines.len());
                    lines.insert(at, lines[at].clone());
                }
                Mutation::InsertChar(line, at, c) => {
                    let count = lines.len();
                    let line = &mut lines[line.index(count)];
                    let boundaries: Vec<usize> = line
                        .char_indices()
                        .map(|(i, _)| i)
                        .chain([line.len()])
                        .collect();
                    line.insert(boundaries[at.index(boundaries.len())], *c);
                }
            }
        }
        lines.join("\n")
    }

    fn check(markdown: &str) {
        if let Err(errors) = Runbook::parse(markdown) {
            assert!(!errors.is_empty());
            let lines = markdown.split('\n').count();
            assert!(
                errors
                    .iter()
                    .all(|e| e.line >= 1 && e.line <= lines && e.column >= 1),
                "{errors:?}"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(50_000))]
        #[test]
        fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2_000)) {
            check(&String::from_utf8_lossy(&bytes));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(30_000))]
        #[test]
        fn markdown_like_text(text in "[#|`'\"<>=.,:()\\[\\]\n a-z_*-]{0,400}") {
            check(&text);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        #[test]
        fn mutated_bundled_runbook(mutations in prop::collection::vec(mutation(), 1..6)) {
            check(&mutate(&mutations));
        }
    }
}
