use super::*;
use crate::core::runbook::{Dataset, Runbook};

const TRACE: &str = "0af7651916cd43dd8448eb211c80319c";

fn bundled_recipes() -> Vec<Recipe> {
    Runbook::parse(crate::core::runbook::BUNDLED_MARKDOWN)
        .expect("bundled runbook parses")
        .recipes
}

fn page_values(pivot: &str) -> Option<String> {
    let value = match pivot {
        "trace_id" => TRACE,
        "http.route" => "/mcp/:organizationSlug?",
        "gen_ai.tool.name" => "search_events",
        "app.oauth.grant_revoked.reason" => "user said \"stop\"",
        "user.id" => "42",
        "app.consent.skill" => "project-management",
        "app.resource.type" => "issue",
        "app.upstream.host" => "sentry.example.com",
        _ => return None,
    };
    Some(value.to_owned())
}

use super::url::saas;

/// `(path, decoded parameters)` of a link.
fn split(url: &SafeUrl) -> (String, Vec<(String, String)>) {
    let rest = url
        .as_str()
        .strip_prefix("https://acme.sentry.io")
        .expect("SaaS base");
    let (path, query) = rest.split_once('?').expect("has a query string");
    (
        path.to_owned(),
        form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect(),
    )
}

/// Every link of every bundled recipe for `page_values`: `(recipe id, [(path, "name=value" lines)])`.
/// The parameters are compared decoded, one by one and in order; every link then ends with the
/// scope (`SCOPE_PARAMS`).
const EXPECTED_LINKS: &[(&str, &[(&str, &str)])] = &[
    (
        "trace-log-history-after-opening-a-sentry-event-or-span",
        &[(
            "/explore/logs/",
            r#"
logsQuery=trace:"0af7651916cd43dd8448eb211c80319c"
logsFields=timestamp
logsFields=severity
logsFields=message
logsFields=trace
logsFields=span_id
logsFields=http.route
logsFields=tags[http.response.status_code,number]
logsFields=tags[app.request.duration_ms,number]
logsFields=error.type
logsFields=exception.message
logsSortBys=timestamp
mode=samples
"#,
        )],
    ),
    (
        "captured-errors-for-a-route-tool-or-oauth-symptom",
        &[
            (
                "/explore/discover/homepage/",
                r#"
dataset=errors
queryDataset=error-events
query=http.route:"/mcp/:organizationSlug?" OR gen_ai.tool.name:"search_events" OR app.oauth.grant_revoked.reason:"user said \"stop\""
field=timestamp
field=id
field=trace
field=http.route
field=gen_ai.tool.name
field=app.oauth.grant_revoked.reason
field=error.type
field=error.value
sort=-timestamp
yAxis=count()
"#,
            ),
            (
                "/issues/",
                r#"
query=http.route:"/mcp/:organizationSlug?"
sort=date
"#,
            ),
            (
                "/issues/",
                r#"
query=gen_ai.tool.name:"search_events"
sort=date
"#,
            ),
            (
                "/issues/",
                r#"
query=app.oauth.grant_revoked.reason:"user said \"stop\""
sort=date
"#,
            ),
        ],
    ),
    (
        "http-response-rates-by-route-and-status",
        &[(
            "/explore/metrics/",
            r#"
metric={"metric":{"name":"app.server.response","type":"counter"},"query":"http.route:\"/mcp/:organizationSlug?\"","aggregateFields":[{"yAxes":["sum(value,app.server.response,counter,-)"]},{"groupBy":"http.route"},{"groupBy":"tags[http.response.status_code,number]"}],"aggregateSortBys":[{"field":"sum(value,app.server.response,counter,-)","kind":"desc"}],"mode":"aggregate"}
"#,
        )],
    ),
    (
        "mcp-mode-adoption-by-client-family",
        &[(
            "/explore/metrics/",
            r#"
metric={"metric":{"name":"app.server.response","type":"counter"},"query":"http.route:\"/mcp/:organizationSlug?/:projectSlug?\"","aggregateFields":[{"yAxes":["sum(value,app.server.response,counter,-)"]},{"groupBy":"app.client.family"},{"groupBy":"app.server.mode.agent"},{"groupBy":"app.server.mode.experimental"}],"aggregateSortBys":[{"field":"sum(value,app.server.response,counter,-)","kind":"desc"}],"mode":"aggregate"}
"#,
        )],
    ),
    (
        "local-rate-limit-volume-and-scope",
        &[(
            "/explore/metrics/",
            r#"
metric={"metric":{"name":"app.server.response","type":"counter"},"query":"app.response.reason:local_rate_limit","aggregateFields":[{"yAxes":["sum(value,app.server.response,counter,-)"]},{"groupBy":"http.route"},{"groupBy":"app.rate_limit.scope"}],"aggregateSortBys":[{"field":"sum(value,app.server.response,counter,-)","kind":"desc"}],"mode":"aggregate"}
"#,
        )],
    ),
    (
        "oauth-refresh-outcomes-by-client-family",
        &[(
            "/explore/metrics/",
            r#"
metric={"metric":{"name":"app.oauth.token_exchange","type":"counter"},"query":"","aggregateFields":[{"yAxes":["sum(value,app.oauth.token_exchange,counter,-)"]},{"groupBy":"app.oauth.token_exchange.outcome"},{"groupBy":"app.client.family"}],"aggregateSortBys":[{"field":"sum(value,app.oauth.token_exchange,counter,-)","kind":"desc"}],"mode":"aggregate"}
"#,
        )],
    ),
    (
        "grant-revocations-for-sign-out-reports",
        &[(
            "/explore/metrics/",
            r#"
metric={"metric":{"name":"app.oauth.grant_revoked","type":"counter"},"query":"user.id:\"42\"","aggregateFields":[{"yAxes":["sum(value,app.oauth.grant_revoked,counter,-)"]},{"groupBy":"app.oauth.grant_revoked.reason"},{"groupBy":"app.client.family"}],"aggregateSortBys":[{"field":"sum(value,app.oauth.grant_revoked,counter,-)","kind":"desc"}],"mode":"aggregate"}
"#,
        )],
    ),
    (
        "register-and-callback-volume-by-client-family",
        &[(
            "/explore/metrics/",
            r#"
metric={"metric":{"name":"app.oauth.register","type":"counter"},"query":"","aggregateFields":[{"yAxes":["sum(value,app.oauth.register,counter,-)"]},{"groupBy":"app.client.family"}],"aggregateSortBys":[{"field":"sum(value,app.oauth.register,counter,-)","kind":"desc"}],"mode":"aggregate"}
metric={"metric":{"name":"app.oauth.callback_completed","type":"counter"},"query":"","aggregateFields":[{"yAxes":["sum(value,app.oauth.callback_completed,counter,-)"]},{"groupBy":"app.client.family"}],"aggregateSortBys":[{"field":"sum(value,app.oauth.callback_completed,counter,-)","kind":"desc"}],"mode":"aggregate"}
"#,
        )],
    ),
    (
        "oauth-skill-adoption-by-client-family",
        &[(
            "/explore/metrics/",
            r#"
metric={"metric":{"name":"app.consent.skill_granted","type":"counter"},"query":"","aggregateFields":[{"yAxes":["sum(value,app.consent.skill_granted,counter,-)"]},{"groupBy":"app.consent.skill"},{"groupBy":"app.client.family"}],"aggregateSortBys":[{"field":"sum(value,app.consent.skill_granted,counter,-)","kind":"desc"}],"mode":"aggregate"}
"#,
        )],
    ),
    (
        "zero-result-search-sentry-tools-catalog-discovery-queries",
        &[(
            "/explore/traces/",
            r#"
query=(mcp.tool.name:search_tools OR mcp.tool.name:search_sentry_tools) tags[gen_ai.tool.call.result.count,number]:0
field=timestamp
field=trace
field=span_id
field=mcp.tool.name
field=gen_ai.tool.call.arguments.query
field=tags[gen_ai.tool.call.result.count,number]
field=app.transport
field=app.client.family
field=user.id
sort=-timestamp
mode=samples
"#,
        )],
    ),
    (
        "tool-execution-timeline-for-a-slow-or-failing-tool",
        &[(
            "/explore/traces/",
            r#"
query=gen_ai.tool.name:"search_events" tags[app.consent.skill.project_management.granted,boolean]:true
field=timestamp
field=trace
field=span_id
field=span.op
field=span.duration
field=gen_ai.tool.name
field=app.transport
field=app.client.family
field=app.server.mode.agent
field=tags[app.server.mode.experimental,boolean]
field=app.constraint.organization_slug
field=app.constraint.project_slug
field=gen_ai.tool.call.arguments.organizationSlug
field=gen_ai.tool.call.arguments.projectSlugOrId
field=error.type
sort=-timestamp
mode=samples
"#,
        )],
    ),
    (
        "resource-dispatch-behavior-for-get-sentry-resource",
        &[(
            "/explore/traces/",
            r#"
query=app.resource.type:"issue"
field=timestamp
field=trace
field=span_id
field=span.duration
field=app.resource.type
field=gen_ai.tool.name
field=error.type
sort=-timestamp
mode=samples
"#,
        )],
    ),
    (
        "agent-model-calls-for-provider-token-or-cost-symptoms",
        &[(
            "/explore/traces/",
            r#"
query=has:gen_ai.provider.name OR has:gen_ai.request.model
field=timestamp
field=trace
field=span_id
field=span.duration
field=gen_ai.provider.name
field=gen_ai.request.model
field=gen_ai.operation.name
field=tags[gen_ai.usage.input_tokens,number]
field=tags[gen_ai.usage.output_tokens,number]
field=error.type
sort=-timestamp
mode=samples
"#,
        )],
    ),
    (
        "stdio-sessions-by-configured-host-or-mode",
        &[(
            "/explore/traces/",
            r#"
query=app.transport:stdio app.upstream.host:"sentry.example.com"
field=timestamp
field=trace
field=span_id
field=app.server.version
field=app.server.mode.agent
field=tags[app.server.mode.experimental,boolean]
field=app.url.full
field=error.type
sort=-timestamp
mode=samples
"#,
        )],
    ),
];

const SCOPE_PARAMS: [(&str, &str); 2] = [("project", "-1"), ("statsPeriod", "24h")];

#[test]
fn every_bundled_recipe_translates_parameter_by_parameter() {
    let recipes = bundled_recipes();
    assert_eq!(recipes.len(), 14);
    assert_eq!(recipes.len(), EXPECTED_LINKS.len());
    for (recipe, (id, expected_links)) in recipes.iter().zip(EXPECTED_LINKS) {
        assert_eq!(recipe.id, *id);
        let links =
            build_links(recipe, &page_values, &saas()).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert!(links.ready && links.missing.is_empty(), "{id}");
        assert_eq!(links.links.len(), expected_links.len(), "{id}");
        for (link, (expected_path, expected_params)) in
            links.links.iter().zip(expected_links.iter())
        {
            let (path, params) = split(&link.url);
            assert_eq!(path, *expected_path, "{id}");
            let expected: Vec<(String, String)> = expected_params
                .lines()
                .filter(|line| !line.is_empty())
                .map(|line| {
                    line.split_once('=')
                        .map(|(k, v)| (k.to_owned(), v.to_owned()))
                        .expect("name=value")
                })
                .collect();
            let (own, scope) = params.split_at(params.len().saturating_sub(SCOPE_PARAMS.len()));
            let scope: Vec<(&str, &str)> = scope
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            assert_eq!(scope, SCOPE_PARAMS, "{id}: scope of {}", link.label);
            for (index, (actual, wanted)) in own.iter().zip(&expected).enumerate() {
                assert_eq!(actual, wanted, "{id}: parameter {index} of {}", link.label);
            }
            assert_eq!(
                own.len(),
                expected.len(),
                "{id}: parameter count of {}",
                link.label
            );
        }
    }
}

fn recipe(id: &str) -> Recipe {
    bundled_recipes()
        .into_iter()
        .find(|r| r.id == id)
        .expect("recipe exists")
}

#[test]
fn an_or_keeps_the_branches_the_page_fills_and_names_the_others() {
    let errors = recipe("captured-errors-for-a-route-tool-or-oauth-symptom");
    let only_route = |pivot: &str| (pivot == "http.route").then(|| "/mcp".to_owned());
    let links = build_links(&errors, &only_route, &saas()).expect("builds");
    assert!(links.ready);
    assert_eq!(
        links.dropped,
        ["gen_ai.tool.name", "app.oauth.grant_revoked.reason"]
    );
    // Values typed for these put their branches back.
    assert_eq!(links.missing, ["tool_name", "reason"]);
    assert!(
        links.text.contains(r#"query='http.route:"/mcp"'"#),
        "{}",
        links.text
    );
    // Discover, and the issue stream for the one clause left.
    assert_eq!(links.links.len(), 2, "{:?}", links.links);

    // Nothing filled: the recipe as written, no link.
    let nothing = build_links(&errors, &|_| None, &saas()).expect("builds");
    assert!(!nothing.ready && nothing.links.is_empty() && nothing.dropped.is_empty());
    assert_eq!(nothing.missing, ["route", "tool_name", "reason"]);
    assert!(
        nothing
            .text
            .contains(r#"query='http.route:"<route>" OR gen_ai.tool.name:"<tool_name>""#),
        "{}",
        nothing.text
    );
}

#[test]
fn an_and_filter_the_page_cannot_fill_is_left_out_and_named() {
    let timeline = recipe("tool-execution-timeline-for-a-slow-or-failing-tool");
    let tool = |pivot: &str| (pivot == "gen_ai.tool.name").then(|| "search_events".to_owned());
    let links = build_links(&timeline, &tool, &saas()).expect("builds");
    assert!(links.ready);
    assert_eq!(links.dropped, ["app.consent.skill.<skill>.granted"]);
    assert_eq!(links.missing, ["skill"]);
    assert!(
        links
            .text
            .contains(r#"query='gen_ai.tool.name:"search_events"'"#),
        "{}",
        links.text
    );
    // The page's skill key fills it, as before.
    let both = |pivot: &str| {
        tool(pivot)
            .or_else(|| (pivot == "app.consent.skill").then(|| "project-management".to_owned()))
    };
    let full = build_links(&timeline, &both, &saas()).expect("builds");
    assert!(full.ready && full.dropped.is_empty() && full.missing.is_empty());
    assert!(
        full.text
            .contains("app.consent.skill.project_management.granted:true"),
        "{}",
        full.text
    );
}

/// Every recipe of the bundled and the renamed runbook, with each one of its placeholders known
/// alone: ready, the offered query is valid search syntax with no placeholder left, and every
/// term of another placeholder is named as left out.
#[test]
fn partial_fill_of_every_recipe_of_both_runbooks() {
    let renamed = Runbook::parse(include_str!("../../../tests/fixtures/runbooks/renamed.md"))
        .expect("the renamed runbook parses");
    for recipe in bundled_recipes().iter().chain(&renamed.recipes) {
        let query = search::parse(&recipe.query).expect("recipe parses");
        let uses = query.placeholders();
        let names: Vec<&str> = uses.iter().map(|u| u.name.as_str()).collect();
        for known in &names {
            let binding = recipe
                .bindings
                .iter()
                .find(|b| b.placeholder == *known)
                .expect("bound");
            let value = |pivot: &str| {
                (pivot == binding.pivot).then(|| match pivot {
                    "trace_id" | "event_id" => TRACE.to_owned(),
                    "span_id" => "00f067aa0ba902b7".to_owned(),
                    _ => "value-1".to_owned(),
                })
            };
            let links = build_links(recipe, &value, &saas())
                .unwrap_or_else(|e| panic!("{}: <{known}>: {e}", recipe.id));
            assert!(
                links.ready && !links.links.is_empty(),
                "{}: <{known}>",
                recipe.id
            );
            let offered = links.text.split('\'').nth(1).expect("query in the text");
            let reparsed =
                search::parse(offered).unwrap_or_else(|e| panic!("{}: {offered}: {e}", recipe.id));
            assert!(
                reparsed.placeholders().is_empty(),
                "{}: {offered}",
                recipe.id
            );
            let expected_dropped: Vec<String> = uses
                .iter()
                .filter(|u| u.name != *known)
                .map(|u| u.key.clone())
                .collect();
            assert_eq!(links.dropped, expected_dropped, "{}: <{known}>", recipe.id);
        }
        if !names.is_empty() {
            let none = build_links(recipe, &|_| None, &saas()).expect("builds");
            assert!(!none.ready && none.links.is_empty(), "{}", recipe.id);
        }
    }
}

#[test]
fn a_recipe_whose_only_placeholder_is_scrubbed_is_not_ready() {
    // A scrubbed value is no value (security.md SEC-2).
    let scrubbed = |pivot: &str| (pivot == "trace_id").then(|| "[Filtered]".to_owned());
    let history = recipe("trace-log-history-after-opening-a-sentry-event-or-span");
    assert_eq!(
        build_links(&history, &scrubbed, &saas())
            .expect("builds")
            .missing,
        ["trace_id"]
    );
}

#[test]
fn unusable_values_are_refused() {
    let history = recipe("trace-log-history-after-opening-a-sentry-event-or-span");
    let not_hex = |_: &str| Some("not-a-trace".to_owned());
    assert!(matches!(
        build_links(&history, &not_hex, &saas()),
        Err(QueryError::InvalidValue { placeholder, .. }) if placeholder == "trace_id"
    ));
    let tool = recipe("tool-execution-timeline-for-a-slow-or-failing-tool");
    let bad_skill = |pivot: &str| {
        Some(if pivot == "app.consent.skill" {
            "x) OR (a".into()
        } else {
            "t".into()
        })
    };
    assert!(matches!(
        build_links(&tool, &bad_skill, &saas()),
        Err(QueryError::InvalidValue { placeholder, .. }) if placeholder == "skill"
    ));
    let newline = |pivot: &str| {
        Some(if pivot == "gen_ai.tool.name" {
            "a\nb".into()
        } else {
            "skill".into()
        })
    };
    assert!(matches!(
        build_links(&tool, &newline, &saas()),
        Err(QueryError::InvalidValue { .. })
    ));
}

#[test]
fn scope_sets_base_projects_and_period() {
    let history = recipe("trace-log-history-after-opening-a-sentry-event-or-span");
    let scope = Scope {
        deployment: Deployment::SelfHosted {
            host: "sentry.example.com".into(),
        },
        org: "acme".into(),
        projects: vec![4, 17],
        period: Period::Absolute {
            start: "2026-01-01T00:00:00".into(),
            end: "2026-01-02T00:00:00".into(),
        },
    };
    let links = build_links(&history, &page_values, &scope).expect("builds");
    let url = links.links[0].url.as_str();
    let rest = url
        .strip_prefix("https://sentry.example.com/organizations/acme/explore/logs/?")
        .expect("self-hosted base");
    let params: Vec<(String, String)> = form_urlencoded::parse(rest.as_bytes())
        .into_owned()
        .collect();
    let tail: Vec<(&str, &str)> = params[params.len() - 4..]
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        tail,
        [
            ("project", "4"),
            ("project", "17"),
            ("start", "2026-01-01T00:00:00"),
            ("end", "2026-01-02T00:00:00")
        ]
    );
    let bad_org = Scope {
        org: "acme/../evil".into(),
        ..saas()
    };
    assert!(matches!(
        build_links(&history, &page_values, &bad_org),
        Err(QueryError::InvalidScope(_))
    ));
}

#[test]
fn text_is_the_filled_recipe_in_runbook_format() {
    let tool = recipe("tool-execution-timeline-for-a-slow-or-failing-tool");
    let links = build_links(&tool, &page_values, &saas()).expect("builds");
    let first_line = links.text.lines().next().expect("a line");
    assert_eq!(
        first_line,
        r#"dataset=spans query='gen_ai.tool.name:"search_events" app.consent.skill.project_management.granted:true'"#
    );
    assert!(links.text.ends_with("\nsort=-timestamp"), "{}", links.text);
    let rates = recipe("http-response-rates-by-route-and-status");
    let text = build_links(&rates, &page_values, &saas())
        .expect("builds")
        .text;
    assert!(
        text.ends_with("\naggregate=sum(value) by http.route,http.response.status_code"),
        "{text}"
    );
    // The text parses back as a recipe query.
    let query = first_line
        .split_once(" query='")
        .map(|(_, q)| q.trim_end_matches('\''))
        .expect("query");
    assert!(search::parse(query).is_ok());
}

#[test]
fn metric_recipes_need_a_metric_in_every_clause() {
    let mut rates = recipe("http-response-rates-by-route-and-status");
    rates.query = "metric:a OR http.route:x".into();
    assert!(matches!(
        build_links(&rates, &page_values, &saas()),
        Err(QueryError::Recipe { .. })
    ));
}

#[test]
fn attribute_table_parses_and_types_keys_per_dataset() {
    let spans = keys::KeyStyle::new(keys::Product::Spans).expect("table parses");
    let metrics = keys::KeyStyle::new(keys::Product::Metrics).expect("table parses");
    let discover = keys::KeyStyle::new(keys::Product::Discover).expect("table parses");
    assert_eq!(
        spans.key("app.server.mode.experimental"),
        "tags[app.server.mode.experimental,boolean]"
    );
    assert_eq!(
        metrics.key("app.server.mode.experimental"),
        "app.server.mode.experimental"
    );
    assert_eq!(
        metrics.key("http.response.status_code"),
        "tags[http.response.status_code,number]"
    );
    assert_eq!(
        spans.key("app.consent.skill.a_b.granted"),
        "tags[app.consent.skill.a_b.granted,boolean]"
    );
    assert_eq!(
        discover.key("http.response.status_code"),
        "http.response.status_code"
    );
    assert_eq!(discover.key("event_id"), "id");
    assert_eq!(keys::metric_type("app.server.response"), Ok("counter"));
}

mod round_trip {
    use super::*;
    use crate::core::query::search::{FilterValue, Term};
    use proptest::prelude::*;

    fn params_of(url: &SafeUrl) -> Vec<(String, String)> {
        split(url).1
    }

    fn all<'a>(params: &'a [(String, String)], name: &str) -> Vec<&'a str> {
        params
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// `(key, unescaped value)` of every filter of a search.
    fn filters(query: &str) -> Vec<(String, String)> {
        let parsed = search::parse(query).expect("link query parses");
        parsed
            .terms()
            .into_iter()
            .filter_map(|term| match term {
                Term::Filter(filter) => match &filter.value {
                    FilterValue::Single(value) => Some((filter.key.to_string(), value.unescaped())),
                    FilterValue::List(_) => None,
                },
                _ => None,
            })
            .collect()
    }

    /// Page text with the characters that break naive builders.
    fn page_text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[ a-zA-Z0-9\"\\\\éü☃*<>()\\[\\],:/.&=+#%?'-]{1,24}",
            any::<String>(),
        ]
    }

    /// A value that stands for none (Sentry's placeholders): its filter is left out.
    fn no_value(raw: &str) -> bool {
        crate::core::guard::text::is_placeholder(raw)
    }

    /// What the builder must do with `raw`: `None` when the value is refused or absent.
    fn usable(raw: &str) -> bool {
        !no_value(raw) && search::quote_value(raw).is_ok()
    }

    /// Whether values make a recipe fail outright: one that is a value but cannot be quoted.
    fn refused(values: &[&String]) -> bool {
        values.iter().any(|v| !no_value(v) && !usable(v))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        #[test]
        fn discover_link_keeps_query_fields_and_sort(route in page_text(), tool in page_text(), reason in page_text()) {
            let recipe = recipe("captured-errors-for-a-route-tool-or-oauth-symptom");
            let values = |pivot: &str| match pivot {
                "http.route" => Some(route.clone()),
                "gen_ai.tool.name" => Some(tool.clone()),
                "app.oauth.grant_revoked.reason" => Some(reason.clone()),
                _ => None,
            };
            let built = build_links(&recipe, &values, &saas());
            let branches = [("http.route", &route), ("gen_ai.tool.name", &tool), ("app.oauth.grant_revoked.reason", &reason)];
            let kept: Vec<(String, String)> = branches.iter()
                .filter(|(_, v)| usable(v))
                .map(|(k, v)| ((*k).to_owned(), (*v).clone()))
                .collect();
            if refused(&[&route, &tool, &reason]) || kept.is_empty() {
                prop_assert!(built.map_or(true, |links| !links.ready));
                return Ok(());
            }
            // The OR keeps the branches with a value; the others are named as left out.
            let links = built.map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(links.ready);
            prop_assert_eq!(links.dropped.len(), 3 - kept.len());
            let params = params_of(&links.links[0].url);
            prop_assert_eq!(filters(all(&params, "query")[0]), kept.clone());
            prop_assert_eq!(
                all(&params, "field"),
                ["timestamp", "id", "trace", "http.route", "gen_ai.tool.name", "app.oauth.grant_revoked.reason", "error.type", "error.value"]
            );
            prop_assert_eq!(all(&params, "sort"), ["-timestamp"]);
            // One issue-stream link per OR clause left, each with exactly its own filter.
            prop_assert_eq!(links.links.len(), 1 + kept.len());
            for (link, (_, raw)) in links.links[1..].iter().zip(&kept) {
                let issue_params = params_of(&link.url);
                let clause = filters(all(&issue_params, "query")[0]);
                prop_assert_eq!(clause.len(), 1);
                prop_assert_eq!(&clause[0].1, raw);
            }
        }

        #[test]
        fn spans_link_keeps_key_placeholders_and_values(tool in page_text(), skill in "[a-z0-9-]{1,12}") {
            let recipe = recipe("tool-execution-timeline-for-a-slow-or-failing-tool");
            let values = |pivot: &str| match pivot {
                "gen_ai.tool.name" => Some(tool.clone()),
                "app.consent.skill" => Some(skill.clone()),
                _ => None,
            };
            let built = build_links(&recipe, &values, &saas());
            if !usable(&tool) {
                // The skill filter alone still runs when the tool is no value; not when refused.
                prop_assert!(built.map_or(true, |links| links.ready == no_value(&tool)));
                return Ok(());
            }
            let links = built.map_err(|e| TestCaseError::fail(e.to_string()))?;
            let params = params_of(&links.links[0].url);
            let skill_key = format!("tags[app.consent.skill.{}.granted,boolean]", skill.replace('-', "_"));
            prop_assert_eq!(
                filters(all(&params, "query")[0]),
                vec![("gen_ai.tool.name".to_owned(), tool.clone()), (skill_key, "true".to_owned())]
            );
            prop_assert_eq!(all(&params, "field").len(), recipe.fields.len());
            prop_assert_eq!(all(&params, "sort"), ["-timestamp"]);
        }

        #[test]
        fn metrics_link_keeps_query_and_grouping(user in page_text()) {
            let recipe = recipe("grant-revocations-for-sign-out-reports");
            let values = |pivot: &str| (pivot == "user.id").then(|| user.clone());
            let built = build_links(&recipe, &values, &saas());
            if !usable(&user) {
                prop_assert!(built.map_or(true, |links| !links.ready));
                return Ok(());
            }
            let links = built.map_err(|e| TestCaseError::fail(e.to_string()))?;
            let params = params_of(&links.links[0].url);
            let metric: serde_json::Value = serde_json::from_str(all(&params, "metric")[0]).expect("JSON");
            prop_assert_eq!(&metric["metric"]["name"], "app.oauth.grant_revoked");
            let query = metric["query"].as_str().expect("query string");
            prop_assert_eq!(filters(query), vec![("user.id".to_owned(), user.clone())]);
            let group_by: Vec<&str> = metric["aggregateFields"]
                .as_array()
                .expect("array")
                .iter()
                .filter_map(|field| field["groupBy"].as_str())
                .collect();
            prop_assert_eq!(group_by, ["app.oauth.grant_revoked.reason", "app.client.family"]);
        }
    }
}

/// `(path, decoded parameters)` of a preview request.
fn split_ask(ask: &PreviewAsk) -> (String, Vec<(String, String)>) {
    let (path, query) = ask.path.split_once('?').expect("has a query string");
    (
        path.to_owned(),
        form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect(),
    )
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    params
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// A card never counts another query than its link opens: every preview request of every bundled
/// recipe carries the first link's query text, projects and period, on the dataset that link shows.
#[test]
fn every_preview_asks_for_the_query_its_link_opens() {
    let scope = Scope {
        projects: vec![42, 7],
        period: Period::Relative("7d".into()),
        ..saas()
    };
    for recipe in bundled_recipes() {
        let links = build_links(&recipe, &page_values, &scope).expect("builds");
        assert!(!links.previews.is_empty(), "{}", recipe.id);
        let (_, link) = split(&links.links[0].url);
        let link_queries: Vec<String> = match recipe.dataset {
            Dataset::Logs => param(&link, "logsQuery")
                .iter()
                .map(|q| (*q).to_owned())
                .collect(),
            Dataset::Tracemetrics => param(&link, "metric")
                .iter()
                .map(|m| {
                    serde_json::from_str::<serde_json::Value>(m).expect("metric JSON")["query"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned()
                })
                .collect(),
            _ => param(&link, "query")
                .iter()
                .map(|q| (*q).to_owned())
                .collect(),
        };
        for ask in &links.previews {
            let (path, params) = split_ask(ask);
            assert_eq!(path, "/api/0/organizations/acme/events/", "{}", recipe.id);
            let query = param(&params, "query");
            assert!(
                query.len() == 1 && link_queries.iter().any(|q| q == query[0]),
                "{}: preview query {query:?} is not the link's {link_queries:?}",
                recipe.id
            );
            assert_eq!(param(&params, "project"), ["42", "7"], "{}", recipe.id);
            assert_eq!(param(&params, "statsPeriod"), ["7d"], "{}", recipe.id);
            let dataset = param(&params, "dataset");
            let expected = match recipe.dataset {
                Dataset::Logs => "ourlogs",
                Dataset::Spans => "spans",
                Dataset::Tracemetrics => "tracemetrics",
                Dataset::Errors | Dataset::Issues => "errors",
            };
            assert_eq!(dataset, [expected], "{}", recipe.id);
            let value = match &ask.reading {
                Reading::Total { value } | Reading::Groups { value, .. } => value,
            };
            assert!(
                param(&params, "field").contains(&value.as_str()),
                "{}",
                recipe.id
            );
        }
    }
}

#[test]
fn a_grouped_metrics_recipe_asks_a_total_and_its_top_groups_per_metric() {
    let links = build_links(
        &recipe("register-and-callback-volume-by-client-family"),
        &page_values,
        &saas(),
    )
    .expect("builds");
    let asks: Vec<(Vec<(String, String)>, &Reading)> = links
        .previews
        .iter()
        .map(|ask| (split_ask(ask).1, &ask.reading))
        .collect();
    assert_eq!(
        asks.len(),
        4,
        "a total and the groups for each of two metrics"
    );
    let (groups, reading) = &asks[1];
    assert_eq!(
        param(groups, "field"),
        [
            "app.client.family",
            "sum(value,app.oauth.register,counter,-)"
        ]
    );
    assert_eq!(
        param(groups, "sort"),
        ["-sum(value,app.oauth.register,counter,-)"]
    );
    assert_eq!(param(groups, "per_page"), ["5"]);
    assert_eq!(
        **reading,
        Reading::Groups {
            value: "sum(value,app.oauth.register,counter,-)".into(),
            columns: vec![
                GroupPart::Fixed("app.oauth.register".into()),
                GroupPart::Column("app.client.family".into())
            ],
        }
    );
    let (total, _) = &asks[0];
    assert_eq!(param(total, "per_page"), ["1"]);
    assert!(param(total, "sort").is_empty());
}

#[test]
fn a_recipe_that_is_not_ready_asks_nothing() {
    let links = build_links(
        &recipe("trace-log-history-after-opening-a-sentry-event-or-span"),
        &|_| None,
        &saas(),
    )
    .expect("builds");
    assert!(!links.ready && links.previews.is_empty());
}
