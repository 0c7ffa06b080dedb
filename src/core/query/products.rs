//! One translation per Sentry page (docs/query-translation.md has the evidence for each rule).

use serde::Serialize;

use super::keys::{metric_type, KeyStyle, Product};
use super::url::{link, Params, Scope};
use super::{recipe_error, Link, QueryError};
use crate::core::query::search::{Expr, FilterValue, Operator, Query, Term};
use crate::core::runbook::{Aggregate, Dataset, Recipe};

pub(super) fn links(
    recipe: &Recipe,
    filled: &Query,
    scope: &Scope,
) -> Result<Vec<Link>, QueryError> {
    match recipe.dataset {
        Dataset::Logs => explore(recipe, filled, scope, &LOGS),
        Dataset::Spans => explore(recipe, filled, scope, &SPANS),
        Dataset::Tracemetrics => metrics(recipe, filled, scope).map(|link| vec![link]),
        Dataset::Errors => discover(recipe, filled, scope).map(|link| vec![link]),
        // The issue stream rejects OR/AND and has no per-event columns or `-timestamp` sort, so the
        // recipe's intent opens in Discover, with one issue-stream link per OR clause besides.
        Dataset::Issues => {
            let mut links = vec![discover(recipe, filled, scope)?];
            links.extend(issue_stream(filled, scope)?);
            Ok(links)
        }
    }
}

/// `field` or `-field`.
fn signed(field: &str, descending: bool) -> String {
    if descending {
        format!("-{field}")
    } else {
        field.to_owned()
    }
}

fn y_axis(style: &KeyStyle, aggregate: &Aggregate) -> String {
    format!("{}({})", aggregate.function, style.key(&aggregate.argument))
}

/// The URL parameter names of an Explore page; logs prefix theirs (docs/sentry-urls.md §3.1, §3.2).
struct ExplorePage {
    product: Product,
    label: &'static str,
    path: &'static str,
    query: &'static str,
    field: &'static str,
    sort: &'static str,
    aggregate_sort: &'static str,
}

const LOGS: ExplorePage = ExplorePage {
    product: Product::Logs,
    label: "Logs",
    path: "/explore/logs/",
    query: "logsQuery",
    field: "logsFields",
    sort: "logsSortBys",
    aggregate_sort: "logsAggregateSortBys",
};

const SPANS: ExplorePage = ExplorePage {
    product: Product::Spans,
    label: "Spans",
    path: "/explore/traces/",
    query: "query",
    field: "field",
    sort: "sort",
    aggregate_sort: "aggregateSort",
};

/// One entry of `aggregateField` (Explore) or `aggregateFields` (metrics).
#[derive(Serialize)]
#[serde(untagged)]
enum AggregateField {
    GroupBy {
        #[serde(rename = "groupBy")]
        group_by: String,
    },
    YAxes {
        #[serde(rename = "yAxes")]
        y_axes: Vec<String>,
    },
}

fn json(value: &impl Serialize) -> Result<String, QueryError> {
    serde_json::to_string(value).map_err(|e| QueryError::UrlRejected(e.to_string()))
}

fn explore(
    recipe: &Recipe,
    filled: &Query,
    scope: &Scope,
    page: &ExplorePage,
) -> Result<Vec<Link>, QueryError> {
    let style = KeyStyle::new(page.product)?;
    let query = style.query(filled).to_string();
    let mut links = Vec::new();
    if recipe.aggregate.is_none() || !recipe.fields.is_empty() {
        let fields = style.keys(&recipe.fields);
        let mut params = Params::default();
        params
            .add(page.query, query.as_str())
            .add_all(page.field, &fields);
        // The page drops the whole sort unless every sort field is a listed column.
        for sort in &recipe.sort {
            let field = style.key(&sort.field);
            if fields.contains(&field) {
                params.add(page.sort, signed(&field, sort.descending));
            }
        }
        params.add("mode", "samples").add_scope(scope);
        links.push(Link {
            label: format!("{} (samples)", page.label),
            url: link(scope, page.path, &params)?,
        });
    }
    if let Some(aggregate) = &recipe.aggregate {
        let y_axis = y_axis(&style, aggregate);
        let mut params = Params::default();
        params
            .add(page.query, query.as_str())
            .add("mode", "aggregate");
        for group_by in style.keys(&aggregate.group_by) {
            params.add(
                "aggregateField",
                json(&AggregateField::GroupBy { group_by })?,
            );
        }
        params.add(
            "aggregateField",
            json(&AggregateField::YAxes {
                y_axes: vec![y_axis.clone()],
            })?,
        );
        params
            .add(page.aggregate_sort, signed(&y_axis, true))
            .add_scope(scope);
        links.push(Link {
            label: format!("{} ({y_axis})", page.label),
            url: link(scope, page.path, &params)?,
        });
    }
    Ok(links)
}

#[derive(Serialize)]
struct MetricId<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
}

#[derive(Serialize)]
struct SortBy {
    field: String,
    kind: &'static str,
}

/// The JSON of one `metric` parameter (docs/sentry-urls.md §3.3).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MetricQuery<'a> {
    metric: MetricId<'a>,
    query: String,
    aggregate_fields: Vec<AggregateField>,
    aggregate_sort_bys: Vec<SortBy>,
    mode: &'static str,
}

/// `metric:<name>` as written in the runbook: a plain, positive equality.
fn metric_name(term: &Term) -> Option<String> {
    match term {
        Term::Filter(filter)
            if !filter.negated
                && filter.operator == Operator::Equals
                && filter.key.as_literal() == Some("metric") =>
        {
            match &filter.value {
                FilterValue::Single(value) => Some(value.unescaped()),
                FilterValue::List(_) => None,
            }
        }
        _ => None,
    }
}

/// One OR clause of a metrics recipe: its metric, the metric's type, and the rest of its filters.
struct MetricClause {
    name: String,
    kind: &'static str,
    rest: Query,
}

/// The backend aggregates one metric per query, and `metric` is no search key, so each OR
/// clause's `metric:<name>` comes out of the query (into the link's JSON, into the aggregate).
fn metric_clauses(recipe: &Recipe, filled: &Query) -> Result<Vec<MetricClause>, QueryError> {
    filled
        .or_clauses()
        .into_iter()
        .map(|clause| {
            let (rest, taken) = clause.take_top_level(&|term| metric_name(term).is_some());
            let name = match taken.as_slice() {
                [term] => metric_name(term).unwrap_or_default(),
                _ => {
                    return Err(recipe_error(
                        recipe,
                        "every OR clause needs exactly one metric:<name> outside parentheses",
                    ))
                }
            };
            let kind = metric_type(&name)?;
            Ok(MetricClause { name, kind, rest })
        })
        .collect()
}

/// `sum(value,<metric>,<type>,-)`: the metric, its type and any unit, inside the aggregate.
fn metric_y_axis(aggregate: &Aggregate, name: &str, kind: &str) -> String {
    format!(
        "{}({},{name},{kind},-)",
        aggregate.function, aggregate.argument
    )
}

fn sum_of_value() -> Aggregate {
    Aggregate {
        function: "sum".into(),
        argument: "value".into(),
        group_by: Vec::new(),
    }
}

/// One `metric` parameter per metric (`metric_clauses`).
fn metrics(recipe: &Recipe, filled: &Query, scope: &Scope) -> Result<Link, QueryError> {
    let style = KeyStyle::new(Product::Metrics)?;
    let sum_of_value = sum_of_value();
    let aggregate = recipe.aggregate.as_ref().unwrap_or(&sum_of_value);
    // Grouping by `metric` is what the split per metric already does.
    let group_by: Vec<String> = aggregate
        .group_by
        .iter()
        .filter(|g| *g != "metric")
        .map(|g| style.key(g))
        .collect();
    let mut params = Params::default();
    let mut names = Vec::new();
    for MetricClause { name, kind, rest } in metric_clauses(recipe, filled)? {
        let y_axis = metric_y_axis(aggregate, &name, kind);
        let mut aggregate_fields = vec![AggregateField::YAxes {
            y_axes: vec![y_axis.clone()],
        }];
        aggregate_fields.extend(group_by.iter().map(|g| AggregateField::GroupBy {
            group_by: g.clone(),
        }));
        let metric = MetricQuery {
            metric: MetricId { name: &name, kind },
            query: style.query(&rest).to_string(),
            aggregate_fields,
            aggregate_sort_bys: vec![SortBy {
                field: y_axis,
                kind: "desc",
            }],
            mode: if recipe.aggregate.is_some() {
                "aggregate"
            } else {
                "samples"
            },
        };
        params.add("metric", json(&metric)?);
        names.push(name);
    }
    params.add_scope(scope);
    Ok(Link {
        label: format!("Metrics: {}", names.join(", ")),
        url: link(scope, "/explore/metrics/", &params)?,
    })
}

/// Discover's name for an aggregate column in `sort`: `count()` → `count`, `sum(x.y)` → `sum_x_y`.
fn discover_alias(function: &str, argument: &str) -> String {
    let argument: String = argument
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if argument.is_empty() {
        function.to_owned()
    } else {
        format!("{function}_{argument}")
    }
}

/// Event rows in Discover's errors dataset (docs/sentry-urls.md §3.4 (a)).
fn discover(recipe: &Recipe, filled: &Query, scope: &Scope) -> Result<Link, QueryError> {
    let style = KeyStyle::new(Product::Discover)?;
    let (fields, sort, y_axis) = match &recipe.aggregate {
        Some(aggregate) => {
            let y_axis = y_axis(&style, aggregate);
            let mut fields = style.keys(&aggregate.group_by);
            fields.push(y_axis.clone());
            let alias = discover_alias(&aggregate.function, &style.key(&aggregate.argument));
            (fields, Some(signed(&alias, true)), y_axis)
        }
        None => {
            let fields = style.keys(&recipe.fields);
            // Discover keeps only one sort, and only on a selected column.
            let sort = recipe
                .sort
                .iter()
                .map(|s| (style.key(&s.field), s.descending))
                .find(|(field, _)| fields.contains(field))
                .map(|(field, descending)| signed(&field, descending));
            (fields, sort, "count()".to_owned())
        }
    };
    let mut params = Params::default();
    params
        .add("dataset", "errors")
        .add("queryDataset", "error-events")
        .add("query", style.query(filled).to_string())
        .add_all("field", &fields);
    if let Some(sort) = sort {
        params.add("sort", sort);
    }
    params.add("yAxis", y_axis).add_scope(scope);
    Ok(Link {
        label: "Discover (errors)".to_owned(),
        url: link(scope, "/explore/discover/homepage/", &params)?,
    })
}

fn contains_or(expr: &Expr) -> bool {
    match expr {
        Expr::Or(_) => true,
        Expr::And(children) => children.iter().any(contains_or),
        Expr::Group(inner) => contains_or(inner),
        Expr::Term(_) => false,
    }
}

/// One issue-stream link per OR clause; a clause that still holds an OR cannot be expressed.
fn issue_stream(filled: &Query, scope: &Scope) -> Result<Vec<Link>, QueryError> {
    let style = KeyStyle::new(Product::IssueStream)?;
    let mut links = Vec::new();
    for clause in filled.or_clauses() {
        if clause.root.as_ref().is_some_and(contains_or) {
            continue;
        }
        let query = style.query(&clause).to_string();
        let mut params = Params::default();
        params
            .add("query", query.as_str())
            .add("sort", "date")
            .add_scope(scope);
        links.push(Link {
            label: format!("Issues: {query}"),
            url: link(scope, "/issues/", &params)?,
        });
    }
    Ok(links)
}

/// What one preview request reads from its reply (`core::previews`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Reading {
    /// The first row's `value` column: the total.
    Total { value: String },
    /// Each row's `value` under the label its `columns` make (a fixed part stands for a group the
    /// request cannot return, the metric of a split metrics recipe).
    Groups {
        value: String,
        columns: Vec<GroupPart>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GroupPart {
    Column(String),
    Fixed(String),
}

/// One request of a card's preview: the events endpoint Sentry's own Explore and Discover pages
/// call for the aggregate view of the same query (docs/query-translation.md "Previews").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PreviewAsk {
    /// `/api/0/organizations/{org}/events/?…`, asked at the organization's API origin.
    pub path: String,
    pub reading: Reading,
}

/// The requests that answer "how many, and which" for the query the recipe's first link opens:
/// the same query text, period and projects. A row count for lists (logs, spans, errors), the
/// aggregate for a recipe that has one, and its top five groups when it groups.
pub(super) fn previews(
    recipe: &Recipe,
    filled: &Query,
    scope: &Scope,
) -> Result<Vec<PreviewAsk>, QueryError> {
    let events = |params: &Params| -> String {
        let path = format!("/api/0/organizations/{}/events/", scope.org);
        format!("{path}?{}", params.encoded())
    };
    let mut asks = Vec::new();
    // One total, and the top five groups when grouped, for one query.
    let mut ask =
        |dataset: &str, referrer: &str, query: String, value: String, groups: Vec<GroupPart>| {
            let mut total = Params::default();
            total
                .add("dataset", dataset)
                .add("field", value.as_str())
                .add("query", query.as_str())
                .add("per_page", "1")
                .add("referrer", referrer)
                .add_scope(scope);
            asks.push(PreviewAsk {
                path: events(&total),
                reading: Reading::Total {
                    value: value.clone(),
                },
            });
            let columns: Vec<&String> = groups
                .iter()
                .filter_map(|g| match g {
                    GroupPart::Column(c) => Some(c),
                    GroupPart::Fixed(_) => None,
                })
                .collect();
            if columns.is_empty() && groups.is_empty() {
                return;
            }
            let mut grouped = Params::default();
            grouped
                .add("dataset", dataset)
                .add_all("field", columns)
                .add("field", value.as_str())
                .add("query", query.as_str())
                .add("sort", signed(&value, true))
                .add("per_page", PREVIEW_GROUPS.to_string())
                .add("referrer", referrer)
                .add_scope(scope);
            asks.push(PreviewAsk {
                path: events(&grouped),
                reading: Reading::Groups {
                    value,
                    columns: groups,
                },
            });
        };
    let explore_page =
        |product: Product, count: &str| -> Result<(String, String, Vec<GroupPart>), QueryError> {
            let style = KeyStyle::new(product)?;
            let (value, groups) = match &recipe.aggregate {
                Some(aggregate) => (
                    y_axis(&style, aggregate),
                    style
                        .keys(&aggregate.group_by)
                        .into_iter()
                        .map(GroupPart::Column)
                        .collect(),
                ),
                None => (count.to_owned(), Vec::new()),
            };
            Ok((style.query(filled).to_string(), value, groups))
        };
    match recipe.dataset {
        Dataset::Logs => {
            let (query, value, groups) = explore_page(Product::Logs, "count(message)")?;
            ask(
                "ourlogs",
                "api.explore.logs-table-aggregates",
                query,
                value,
                groups,
            );
        }
        Dataset::Spans => {
            let (query, value, groups) = explore_page(Product::Spans, "count(span.duration)")?;
            ask(
                "spans",
                "api.explore.spans-aggregates-table",
                query,
                value,
                groups,
            );
        }
        Dataset::Errors | Dataset::Issues => {
            let (query, value, groups) = explore_page(Product::Discover, "count()")?;
            ask("errors", "api.discover.query-table", query, value, groups);
        }
        Dataset::Tracemetrics => {
            let style = KeyStyle::new(Product::Metrics)?;
            let sum_of_value = sum_of_value();
            let aggregate = recipe.aggregate.as_ref().unwrap_or(&sum_of_value);
            for MetricClause { name, kind, rest } in metric_clauses(recipe, filled)? {
                let groups = aggregate
                    .group_by
                    .iter()
                    .map(|g| {
                        if g == "metric" {
                            GroupPart::Fixed(name.clone())
                        } else {
                            GroupPart::Column(style.key(g))
                        }
                    })
                    .collect();
                ask(
                    "tracemetrics",
                    "api.explore.metric-aggregates-table",
                    style.query(&rest).to_string(),
                    metric_y_axis(aggregate, &name, kind),
                    groups,
                );
            }
        }
    }
    Ok(asks)
}

/// Groups a preview shows.
pub const PREVIEW_GROUPS: usize = 5;
