use super::*;
use crate::core::runbook::Runbook;

const TRACE: &str = "0af7651916cd43dd8448eb211c80319c";

fn bundled_recipes() -> Vec<Recipe> {
    Runbook::parse(crate::core::runbook::BUNDLED_MARKDOWN).expect("bundled runbook parses").recipes
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

fn saas() -> Scope {
    Scope { deployment: Deployment::SaaS, org: "acme".into(), projects: vec![], period: Period::Relative("24h".into()) }
}

/// `(path, decoded parameters)` of a link.
fn split(url: &SafeUrl) -> (String, Vec<(String, String)>) {
    let rest = url.as_str().strip_prefix("https://acme.sentry.io").expect("SaaS base");
    let (path, query) = rest.split_once('?').expect("has a query string");
    (path.to_owned(), form_urlencoded::parse(query.as_bytes()).into_owned().collect())
}

/// Every link of every bundled recipe for `page_values`: `(recipe id, [(path, "name=value" lines)])`.
/// The parameters are compared decoded, one by one and in order.
const EXPECTED_LINKS: &[(&str, &[(&str, &str)])] = &[
    ("trace-log-history-after-opening-a-sentry-event-or-span", &[
    ("/explore/logs/", r#"
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
project=-1
statsPeriod=24h
"#),
    ]),
    ("captured-errors-for-a-route-tool-or-oauth-symptom", &[
    ("/explore/discover/homepage/", r#"
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
project=-1
statsPeriod=24h
"#),
    ("/issues/", r#"
query=http.route:"/mcp/:organizationSlug?"
sort=date
project=-1
statsPeriod=24h
"#),
    ("/issues/", r#"
query=gen_ai.tool.name:"search_events"
sort=date
project=-1
statsPeriod=24h
"#),
    ("/issues/", r#"
query=app.oauth.grant_revoked.reason:"user said \"stop\""
sort=date
project=-1
statsPeriod=24h
"#),
    ]),
    ("http-response-rates-by-route-and-status", &[
    ("/explore/metrics/", r#"
metric={"metric":{"name":"app.server.response","type":"counter"},"query":"http.route:\"/mcp/:organizationSlug?\"","aggregateFields":[{"yAxes":["sum(value,app.server.response,counter,-)"]},{"groupBy":"http.route"},{"groupBy":"tags[http.response.status_code,number]"}],"aggregateSortBys":[{"field":"sum(value,app.server.response,counter,-)","kind":"desc"}],"mode":"aggregate"}
project=-1
statsPeriod=24h
"#),
    ]),
    ("mcp-mode-adoption-by-client-family", &[
    ("/explore/metrics/", r#"
metric={"metric":{"name":"app.server.response","type":"counter"},"query":"http.route:\"/mcp/:organizationSlug?/:projectSlug?\"","aggregateFields":[{"yAxes":["sum(value,app.server.response,counter,-)"]},{"groupBy":"app.client.family"},{"groupBy":"app.server.mode.agent"},{"groupBy":"app.server.mode.experimental"}],"aggregateSortBys":[{"field":"sum(value,app.server.response,counter,-)","kind":"desc"}],"mode":"aggregate"}
project=-1
statsPeriod=24h
"#),
    ]),
    ("local-rate-limit-volume-and-scope", &[
    ("/explore/metrics/", r#"
metric={"metric":{"name":"app.server.response","type":"counter"},"query":"app.response.reason:local_rate_limit","aggregateFields":[{"yAxes":["sum(value,app.server.response,counter,-)"]},{"groupBy":"http.route"},{"groupBy":"app.rate_limit.scope"}],"aggregateSortBys":[{"field":"sum(value,app.server.response,counter,-)","kind":"desc"}],"mode":"aggregate"}
project=-1
statsPeriod=24h
"#),
    ]),
    ("oauth-refresh-outcomes-by-client-family", &[
    ("/explore/metrics/", r#"
metric={"metric":{"name":"app.oauth.token_exchange","type":"counter"},"query":"","aggregateFields":[{"yAxes":["sum(value,app.oauth.token_exchange,counter,-)"]},{"groupBy":"app.oauth.token_exchange.outcome"},{"groupBy":"app.client.family"}],"aggregateSortBys":[{"field":"sum(value,app.oauth.token_exchange,counter,-)","kind":"desc"}],"mode":"aggregate"}
project=-1
statsPeriod=24h
"#),
    ]),
    ("grant-revocations-for-sign-out-reports", &[
    ("/explore/metrics/", r#"
metric={"metric":{"name":"app.oauth.grant_revoked","type":"counter"},"query":"user.id:\"42\"","aggregateFields":[{"yAxes":["sum(value,app.oauth.grant_revoked,counter,-)"]},{"groupBy":"app.oauth.grant_revoked.reason"},{"groupBy":"app.client.family"}],"aggregateSortBys":[{"field":"sum(value,app.oauth.grant_revoked,counter,-)","kind":"desc"}],"mode":"aggregate"}
project=-1
statsPeriod=24h
"#),
    ]),
    ("register-and-callback-volume-by-client-family", &[
    ("/explore/metrics/", r#"
metric={"metric":{"name":"app.oauth.register","type":"counter"},"query":"","aggregateFields":[{"yAxes":["sum(value,app.oauth.register,counter,-)"]},{"groupBy":"app.client.family"}],"aggregateSortBys":[{"field":"sum(value,app.oauth.register,counter,-)","kind":"desc"}],"mode":"aggregate"}
metric={"metric":{"name":"app.oauth.callback_completed","type":"counter"},"query":"","aggregateFields":[{"yAxes":["sum(value,app.oauth.callback_completed,counter,-)"]},{"groupBy":"app.client.family"}],"aggregateSortBys":[{"field":"sum(value,app.oauth.callback_completed,counter,-)","kind":"desc"}],"mode":"aggregate"}
project=-1
statsPeriod=24h
"#),
    ]),
    ("oauth-skill-adoption-by-client-family", &[
    ("/explore/metrics/", r#"
metric={"metric":{"name":"app.consent.skill_granted","type":"counter"},"query":"","aggregateFields":[{"yAxes":["sum(value,app.consent.skill_granted,counter,-)"]},{"groupBy":"app.consent.skill"},{"groupBy":"app.client.family"}],"aggregateSortBys":[{"field":"sum(value,app.consent.skill_granted,counter,-)","kind":"desc"}],"mode":"aggregate"}
project=-1
statsPeriod=24h
"#),
    ]),
    ("zero-result-search-sentry-tools-catalog-discovery-queries", &[
    ("/explore/traces/", r#"
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
project=-1
statsPeriod=24h
"#),
    ]),
    ("tool-execution-timeline-for-a-slow-or-failing-tool", &[
    ("/explore/traces/", r#"
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
project=-1
statsPeriod=24h
"#),
    ]),
    ("resource-dispatch-behavior-for-get-sentry-resource", &[
    ("/explore/traces/", r#"
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
project=-1
statsPeriod=24h
"#),
    ]),
    ("agent-model-calls-for-provider-token-or-cost-symptoms", &[
    ("/explore/traces/", r#"
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
project=-1
statsPeriod=24h
"#),
    ]),
    ("stdio-sessions-by-configured-host-or-mode", &[
    ("/explore/traces/", r#"
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
project=-1
statsPeriod=24h
"#),
    ]),
];

#[test]
fn every_bundled_recipe_translates_parameter_by_parameter() {
    let recipes = bundled_recipes();
    assert_eq!(recipes.len(), 14);
    assert_eq!(recipes.len(), EXPECTED_LINKS.len());
    for (recipe, (id, expected_links)) in recipes.iter().zip(EXPECTED_LINKS) {
        assert_eq!(recipe.id, *id);
        let links = build_links(recipe, &page_values, &saas()).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert!(links.ready && links.missing.is_empty(), "{id}");
        assert_eq!(links.links.len(), expected_links.len(), "{id}");
        for (link, (expected_path, expected_params)) in links.links.iter().zip(expected_links.iter()) {
            let (path, params) = split(&link.url);
            assert_eq!(path, *expected_path, "{id}");
            let expected: Vec<(String, String)> = expected_params
                .lines()
                .filter(|line| !line.is_empty())
                .map(|line| line.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())).expect("name=value"))
                .collect();
            for (index, (actual, wanted)) in params.iter().zip(&expected).enumerate() {
                assert_eq!(actual, wanted, "{id}: parameter {index} of {}", link.label);
            }
            assert_eq!(params.len(), expected.len(), "{id}: parameter count of {}", link.label);
        }
    }
}
