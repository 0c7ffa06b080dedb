//! What page is this, from the URL alone (docs/sentry-urls.md §1 and §4; docs/recognition.md).
//!
//! URLs are split by a small hand-written splitter instead of the `url` crate, which would cost a
//! large share of the wasm size budget. The splitter is deliberately strict rather than a WHATWG
//! emulation: the input is normally `location.href` (already canonical), so anything unusual —
//! userinfo, backslashes, whitespace or controls, non-ASCII hosts, trailing dots — is rejected
//! instead of being interpreted, and host matching is exact (security.md URL-4).

use serde::Serialize;

use crate::core::guard::secrets::detect_secret;
use crate::core::guard::text::{bounded, MAX_VALUE_CHARS};
use crate::core::recognition::ids::{is_issue_short_id, is_numeric_id, HexId};

/// URLs longer than this are not classified (bounded work, security.md URL-6).
const MAX_URL_LEN: usize = 32 * 1024;

/// Subdomains of sentry.io that serve the API of a region, never an organisation's web UI.
const REGION_SUBDOMAINS: [&str; 4] = ["us", "de", "eu", "www"];

/// The kind of Sentry page (docs/automation-contract.md `data-page-kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PageKind {
    Issue,
    Event,
    Trace,
    /// A trace view with one span selected.
    Span,
    Logs,
    /// The spans explorer table (`/explore/traces/`, `/traces/`).
    Spans,
    Metrics,
    Discover,
    Other,
}

impl PageKind {
    /// The contract's `data-page-kind` value.
    pub fn as_str(self) -> &'static str {
        match self {
            PageKind::Issue => "issue",
            PageKind::Event => "event",
            PageKind::Trace => "trace",
            PageKind::Span => "span",
            PageKind::Logs => "logs",
            PageKind::Spans => "spans",
            PageKind::Metrics => "metrics",
            PageKind::Discover => "discover",
            PageKind::Other => "other",
        }
    }

    /// Pages where Sentry shows attributes, so an empty result is worth saying out loud.
    pub fn shows_pivots(self) -> bool {
        !matches!(
            self,
            PageKind::Other | PageKind::Discover | PageKind::Metrics
        )
    }
}

/// The time range the page shows; `statsPeriod` wins over `start`/`end`, as in Sentry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum TimeWindow {
    StatsPeriod(String),
    Range { start: String, end: String },
    Unset,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageContext {
    pub kind: PageKind,
    pub org: Option<String>,
    /// Lowercase `host[:port]`, without a default `:443`.
    pub host: String,
    pub self_hosted: bool,
    /// Identifiers the URL carries, as `(canonical key, value)`: `trace_id`, `span_id`,
    /// `event_id`, and for issue pages `issue_id` (numeric group id) or `issue_short_id`.
    pub ids: Vec<(String, String)>,
    /// Numeric `project` page filters (`-1` is "all projects").
    pub projects: Vec<i64>,
    pub window: TimeWindow,
    /// The search text of the page (`logsQuery` on logs, `query` elsewhere), bounded; `None` when
    /// absent or when it looks like a secret (SEC-1: it must not be carried into new links).
    pub page_query: Option<String>,
}

/// Classifies a URL on sentry.io or one of its subdomains.
pub fn classify_url(url: &str) -> Option<PageContext> {
    classify_url_with_hosts(url, &[])
}

/// Classifies a URL on sentry.io or on one of the `self_hosted` hosts (`host` or `host:port`,
/// matched exactly and case-insensitively). `None` for other hosts, non-https and unparsable URLs.
pub fn classify_url_with_hosts(url: &str, self_hosted: &[&str]) -> Option<PageContext> {
    if url.len() > MAX_URL_LEN {
        return None;
    }
    let parts = split_url(url)?;
    if !parts.https {
        return None;
    }
    let (host, subdomain_org, is_self_hosted) = recognise_host(&parts.authority, self_hosted)?;
    let segments = path_segments(parts.path);
    let (path_org, route) = match segments.as_slice() {
        ["organizations", org, rest @ ..] if is_org_slug(org) => (Some((*org).to_owned()), rest),
        all => (None, all),
    };
    let params = query_pairs(parts.query);
    let mut ids = ids_in(route, &params);
    let kind = page_kind(route, &ids);
    if let Some(issue) = issue_id(route) {
        ids.push(issue);
    }
    Some(PageContext {
        kind,
        org: subdomain_org.or(path_org),
        host,
        self_hosted: is_self_hosted,
        ids,
        projects: params
            .iter()
            .filter(|(name, _)| name == "project")
            .filter_map(|(_, value)| value.parse().ok())
            .collect(),
        window: time_window(&params),
        page_query: page_query(kind, &params),
    })
}

/// Identifiers carried by a link target found on a page: relative (`/explore/…`) or absolute
/// (any host — the ids are validated, the host is not trusted for anything).
pub fn ids_in_link(href: &str) -> Vec<(String, String)> {
    if href.len() > MAX_URL_LEN {
        return Vec::new();
    }
    let (path, query) = if href.starts_with('/') && !href.starts_with("//") {
        let without_fragment = href.split('#').next().unwrap_or_default();
        without_fragment
            .split_once('?')
            .unwrap_or((without_fragment, ""))
    } else {
        match split_url(href) {
            Some(parts) => (parts.path, parts.query),
            None => return Vec::new(),
        }
    };
    ids_in(&path_segments(path), &query_pairs(query))
}

struct UrlParts<'a> {
    https: bool,
    /// Lowercased, default port removed.
    authority: String,
    path: &'a str,
    query: &'a str,
}

/// The authority (`host[:port]`, lowercase, no default port) of an `https://` origin given
/// alone (an empty path or `/`, nothing after it); `None` for anything else, userinfo included.
pub(crate) fn https_origin_authority(origin: &str) -> Option<String> {
    let parts = split_url(origin)?;
    let bare =
        matches!(parts.path, "" | "/") && parts.query.is_empty() && !origin.contains(['?', '#']);
    (parts.https && bare).then_some(parts.authority)
}

/// `http(s)://host[:port]/path?query#fragment`, strictly.
fn split_url(url: &str) -> Option<UrlParts<'_>> {
    if url
        .bytes()
        .any(|b| b.is_ascii_control() || b == b' ' || b == b'\\')
    {
        return None;
    }
    let (scheme, rest) = url.split_once("://")?;
    let https = scheme.eq_ignore_ascii_case("https");
    if !https && !scheme.eq_ignore_ascii_case("http") {
        return None;
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, rest) = rest.split_at(authority_end);
    let rest = rest.split('#').next().unwrap_or_default();
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    Some(UrlParts {
        https,
        authority: normalise_authority(authority)?,
        path,
        query,
    })
}

/// Lowercase `host[:port]` with `:443` dropped; `None` for userinfo, IP-literal brackets,
/// non-ASCII or empty labels (which also rejects a trailing dot) and malformed ports.
fn normalise_authority(authority: &str) -> Option<String> {
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let valid_label = |label: &str| {
        !label.is_empty()
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if !host.split('.').all(valid_label) {
        return None;
    }
    let host = host.to_ascii_lowercase();
    match port {
        None | Some("443") => Some(host),
        Some(port) if (1..=5).contains(&port.len()) && port.bytes().all(|b| b.is_ascii_digit()) => {
            Some(format!("{host}:{port}"))
        }
        Some(_) => None,
    }
}

/// `(host, org from the subdomain, self-hosted)` for a Sentry host.
fn recognise_host(authority: &str, self_hosted: &[&str]) -> Option<(String, Option<String>, bool)> {
    if authority == "sentry.io" {
        return Some((authority.to_owned(), None, false));
    }
    if let Some(subdomain) = authority.strip_suffix(".sentry.io") {
        // `normalise_authority` guarantees the labels; a port makes it a different origin.
        if authority.contains(':') {
            return None;
        }
        let org = (!subdomain.contains('.')
            && !REGION_SUBDOMAINS.contains(&subdomain)
            && is_org_slug(subdomain))
        .then(|| subdomain.to_owned());
        return Some((authority.to_owned(), org, false));
    }
    self_hosted
        .iter()
        .filter_map(|host| normalise_authority(host))
        .any(|host| host == authority)
        .then(|| (authority.to_owned(), None, true))
}

/// Sentry's org slug rule: `[a-zA-Z0-9][a-zA-Z0-9-]*`, not ending in `-`, not all digits.
fn is_org_slug(slug: &str) -> bool {
    slug.len() <= 64
        && slug
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
        && !slug.ends_with('-')
        && slug.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !slug.bytes().all(|b| b.is_ascii_digit())
}

fn path_segments(path: &str) -> Vec<&str> {
    path.split('/')
        .filter(|segment| !segment.is_empty())
        .collect()
}

fn query_pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// Trace, span and event ids in a path and its query, deduplicated, in order of appearance.
fn ids_in(segments: &[&str], params: &[(String, String)]) -> Vec<(String, String)> {
    let mut ids = Vec::new();
    let mut push = |id: HexId, raw: &str| {
        if let Some(value) = id.normalise(raw) {
            let pair = (id.key().to_owned(), value);
            if !ids.contains(&pair) {
                ids.push(pair);
            }
        }
    };
    for pair in segments.windows(2) {
        match pair {
            ["trace", trace] => push(HexId::Trace, trace),
            ["events", event] => push(HexId::Event, event),
            // Discover's event slug is `<project>:<eventId>`.
            ["discover", slug] => {
                if let Some((_, event)) = slug.split_once(':') {
                    push(HexId::Event, event);
                }
            }
            // The span drawer's JSON link: `…/trace-items/<spanId>/?item_type=spans&trace_id=…`.
            ["trace-items", item] => {
                if param(params, "item_type").is_none_or(|kind| kind == "spans") {
                    push(HexId::Span, item);
                }
                if let Some(trace) = param(params, "trace_id") {
                    push(HexId::Trace, trace);
                }
            }
            _ => {}
        }
    }
    for (name, value) in params {
        match name.as_str() {
            "node" => {
                if let Some(span) = value.strip_prefix("span-") {
                    push(HexId::Span, span);
                }
            }
            "targetId" => push(HexId::Span, value),
            _ => {}
        }
    }
    ids
}

fn has_key(ids: &[(String, String)], id: HexId) -> bool {
    ids.iter().any(|(key, _)| key == id.key())
}

fn page_kind(route: &[&str], ids: &[(String, String)]) -> PageKind {
    let on_trace_view = route
        .windows(2)
        .any(|pair| pair[0] == "trace" && HexId::Trace.normalise(pair[1]).is_some());
    if on_trace_view {
        return if has_key(ids, HexId::Span) {
            PageKind::Span
        } else {
            PageKind::Trace
        };
    }
    let is_issue = |id: &str| is_numeric_id(id) || is_issue_short_id(id);
    match route {
        ["issues", issue, "events", _, ..] if is_issue(issue) => PageKind::Event,
        ["issues", issue, ..] if is_issue(issue) => PageKind::Issue,
        ["projects", _, "events", _, ..] if has_key(ids, HexId::Event) => PageKind::Event,
        ["explore", "discover", _] | ["discover", _] if has_key(ids, HexId::Event) => {
            PageKind::Event
        }
        ["explore", "discover", "homepage" | "results" | "queries"]
        | ["discover", "homepage" | "results" | "queries"] => PageKind::Discover,
        ["explore", "logs"] => PageKind::Logs,
        ["explore", "traces"] | ["traces"] => PageKind::Spans,
        ["explore", "metrics"] => PageKind::Metrics,
        _ => PageKind::Other,
    }
}

/// The issue of an issue or event page: a numeric group id or a short id.
fn issue_id(route: &[&str]) -> Option<(String, String)> {
    match route {
        ["issues", id, ..] if is_numeric_id(id) => Some(("issue_id".to_owned(), (*id).to_owned())),
        ["issues", id, ..] if is_issue_short_id(id) => {
            Some(("issue_short_id".to_owned(), (*id).to_owned()))
        }
        _ => None,
    }
}

fn time_window(params: &[(String, String)]) -> TimeWindow {
    // The trace view keeps its own range in `pageStart`/`pageEnd`/`pageStatsPeriod`.
    let first = |names: [&str; 2]| names.into_iter().find_map(|name| param(params, name));
    if let Some(period) = first(["statsPeriod", "pageStatsPeriod"]).filter(|p| is_stats_period(p)) {
        return TimeWindow::StatsPeriod(period.to_owned());
    }
    match (first(["start", "pageStart"]), first(["end", "pageEnd"])) {
        (Some(start), Some(end)) if is_datetime_text(start) && is_datetime_text(end) => {
            TimeWindow::Range {
                start: start.to_owned(),
                end: end.to_owned(),
            }
        }
        _ => TimeWindow::Unset,
    }
}

/// Sentry's `^(\d+)([hdmsw])?(-\w+)?$`.
fn is_stats_period(period: &str) -> bool {
    let digits = period.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &period[digits..];
    let rest = rest.strip_prefix(['h', 'd', 'm', 's', 'w']).unwrap_or(rest);
    period.len() <= 32
        && digits > 0
        && (rest.is_empty()
            || rest.strip_prefix('-').is_some_and(|word| {
                !word.is_empty() && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            }))
}

/// A moment-parsable date text; only its character set is checked (`+` arrives as a space).
fn is_datetime_text(text: &str) -> bool {
    (1..=40).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'.' | b'-' | b'+' | b' '))
}

fn page_query(kind: PageKind, params: &[(String, String)]) -> Option<String> {
    let name = if kind == PageKind::Logs {
        "logsQuery"
    } else {
        "query"
    };
    param(params, name)
        .map(|query| bounded(query, MAX_VALUE_CHARS).0)
        .filter(|query| !query.trim().is_empty() && detect_secret(query).is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
    const SPAN: &str = "00f067aa0ba902b7";
    const EVENT: &str = "7b4c2f9a1d3e4f5a8b6c0d1e2f3a4b5c";
    const SELF_HOSTED: &[&str] = &["sentry.example.com", "errors.internal:9000"];

    /// The three base URL styles of docs/sentry-urls.md §1, each with org `acme`.
    fn bases() -> [String; 3] {
        [
            "https://acme.sentry.io".to_owned(),
            "https://sentry.io/organizations/acme".to_owned(),
            "https://sentry.example.com/organizations/acme".to_owned(),
        ]
    }

    fn classify(url: &str) -> Option<PageContext> {
        classify_url_with_hosts(url, SELF_HOSTED)
    }

    type Ids = Vec<(String, String)>;

    fn pair(key: &str, value: &str) -> (String, String) {
        (key.to_owned(), value.to_owned())
    }

    #[test]
    fn page_kinds_in_every_url_style() {
        let table: Vec<(String, PageKind, Ids)> = vec![
            (
                "/issues/12345/".into(),
                PageKind::Issue,
                vec![pair("issue_id", "12345")],
            ),
            (
                "/issues/MCP-41/activity/".into(),
                PageKind::Issue,
                vec![pair("issue_short_id", "MCP-41")],
            ),
            (
                format!("/issues/12345/events/{EVENT}/"),
                PageKind::Event,
                vec![pair("event_id", EVENT), pair("issue_id", "12345")],
            ),
            (
                "/issues/12345/events/latest/".into(),
                PageKind::Event,
                vec![pair("issue_id", "12345")],
            ),
            (
                "/issues/12345/events/recommended/".into(),
                PageKind::Event,
                vec![pair("issue_id", "12345")],
            ),
            (
                format!("/projects/mcp-server/events/{EVENT}/"),
                PageKind::Event,
                vec![pair("event_id", EVENT)],
            ),
            (
                format!("/explore/discover/mcp-server:{EVENT}/"),
                PageKind::Event,
                vec![pair("event_id", EVENT)],
            ),
            (
                format!("/explore/traces/trace/{TRACE}/"),
                PageKind::Trace,
                vec![pair("trace_id", TRACE)],
            ),
            (
                format!("/explore/traces/trace/{TRACE}"),
                PageKind::Trace,
                vec![pair("trace_id", TRACE)],
            ),
            (
                format!("/performance/trace/{TRACE}/"),
                PageKind::Trace,
                vec![pair("trace_id", TRACE)],
            ),
            (
                format!("/issues/trace/{TRACE}/?groupId=1"),
                PageKind::Trace,
                vec![pair("trace_id", TRACE)],
            ),
            (
                format!("/insights/mcp/trace/{TRACE}/"),
                PageKind::Trace,
                vec![pair("trace_id", TRACE)],
            ),
            (
                format!("/explore/logs/trace/{TRACE}/?tab=logs"),
                PageKind::Trace,
                vec![pair("trace_id", TRACE)],
            ),
            (
                format!(
                    "/explore/traces/trace/{TRACE}/?node=span-{SPAN}&source=traces&statsPeriod=24h"
                ),
                PageKind::Span,
                vec![pair("trace_id", TRACE), pair("span_id", SPAN)],
            ),
            (
                format!("/performance/trace/{TRACE}/?node=span-{SPAN}&statsPeriod=24h"),
                PageKind::Span,
                vec![pair("trace_id", TRACE), pair("span_id", SPAN)],
            ),
            (
                format!("/traces/trace/{TRACE}/?targetId={SPAN}"),
                PageKind::Span,
                vec![pair("trace_id", TRACE), pair("span_id", SPAN)],
            ),
            (
                "/explore/logs/?logsQuery=trace%3Aabc".into(),
                PageKind::Logs,
                vec![],
            ),
            (
                "/explore/traces/?query=gen_ai.tool.name%3Asearch_events".into(),
                PageKind::Spans,
                vec![],
            ),
            ("/traces/".into(), PageKind::Spans, vec![]),
            (
                "/traces/?query=gen_ai.tool.name%3Anothing_matches&mode=samples".into(),
                PageKind::Spans,
                vec![],
            ),
            (
                "/explore/metrics/?project=-1&statsPeriod=24h".into(),
                PageKind::Metrics,
                vec![],
            ),
            ("/explore/metrics/".into(), PageKind::Metrics, vec![]),
            (
                "/explore/discover/homepage/?dataset=errors".into(),
                PageKind::Discover,
                vec![],
            ),
            ("/discover/results/".into(), PageKind::Discover, vec![]),
            // Must not match the kinds above.
            ("/issues/".into(), PageKind::Other, vec![]),
            ("/issues/views/123/".into(), PageKind::Other, vec![]),
            ("/issues/searches/7/".into(), PageKind::Other, vec![]),
            ("/issues/errors-outages/".into(), PageKind::Other, vec![]),
            ("/explore/traces/compare/".into(), PageKind::Other, vec![]),
            (
                "/explore/traces/trace/4bf92f35/".into(),
                PageKind::Other,
                vec![],
            ),
            (
                "/explore/traces/trace/00000000000000000000000000000000/".into(),
                PageKind::Other,
                vec![],
            ),
            ("/dashboards/".into(), PageKind::Other, vec![]),
        ];
        for base in bases() {
            for (path, kind, ids) in &table {
                let url = format!("{base}{path}");
                let page = classify(&url).unwrap_or_else(|| panic!("not classified: {url}"));
                assert_eq!(page.kind, *kind, "{url}");
                assert_eq!(&page.ids, ids, "{url}");
                assert_eq!(page.org.as_deref(), Some("acme"), "{url}");
            }
        }
    }

    #[test]
    fn hosts_and_orgs() {
        let cases: &[(&str, Option<&str>, bool, &str)] = &[
            (
                "https://acme.sentry.io/issues/",
                Some("acme"),
                false,
                "acme.sentry.io",
            ),
            (
                "https://ACME.Sentry.IO/issues/",
                Some("acme"),
                false,
                "acme.sentry.io",
            ),
            (
                "https://acme.sentry.io:443/issues/",
                Some("acme"),
                false,
                "acme.sentry.io",
            ),
            (
                "https://sentry.io/organizations/acme/issues/",
                Some("acme"),
                false,
                "sentry.io",
            ),
            ("https://sentry.io/issues/", None, false, "sentry.io"),
            ("https://us.sentry.io/api/0/", None, false, "us.sentry.io"),
            (
                "https://de.sentry.io/organizations/acme/",
                Some("acme"),
                false,
                "de.sentry.io",
            ),
            ("https://www.sentry.io/", None, false, "www.sentry.io"),
            ("https://eu.sentry.io/issues/", None, false, "eu.sentry.io"),
            ("https://a.b.sentry.io/", None, false, "a.b.sentry.io"),
            (
                "https://sentry.example.com/organizations/acme/",
                Some("acme"),
                true,
                "sentry.example.com",
            ),
            (
                "https://errors.internal:9000/organizations/x1/",
                Some("x1"),
                true,
                "errors.internal:9000",
            ),
            (
                "https://sentry.io/organizations/123/",
                None,
                false,
                "sentry.io",
            ),
            (
                "https://sentry.io/organizations/ac%2Fme/",
                None,
                false,
                "sentry.io",
            ),
        ];
        for (url, org, self_hosted, host) in cases {
            let page = classify(url).unwrap_or_else(|| panic!("not classified: {url}"));
            assert_eq!(page.org.as_deref(), *org, "{url}");
            assert_eq!(page.self_hosted, *self_hosted, "{url}");
            assert_eq!(page.host, *host, "{url}");
        }
    }

    #[test]
    fn lookalike_and_malformed_urls_are_not_sentry() {
        let rejected = [
            "https://evil-sentry.io/issues/",
            "https://sentry.io.evil.test/issues/",
            "https://sentry.io@evil.test/issues/",
            "https://acme.sentry.io@evil.test/",
            "https://evil.test#sentry.io",
            "https://evil.test/?x=.sentry.io",
            "https://evil.test\\@sentry.io",
            "https://sentry.io./issues/",
            "https://xn--sentry-abc.io/",
            "https://sentrу.io/", // Cyrillic у
            "http://sentry.io/issues/",
            "http://acme.sentry.io/issues/",
            "https://sentry.io:444/issues/",
            "https://sentry.io:0/",
            "https://acme.sentry.io:8443/",
            "//sentry.io/issues/",
            "https:\\\\sentry.io",
            "https:sentry.io",
            "https://127.0.0.1/",
            "https://[::1]/",
            "javascript:alert(1)//sentry.io",
            " https://acme.sentry.io/issues/",
            "https://acme.sentry.io/iss\tues/",
            "https://sentry.example.com.evil.test/organizations/acme/",
            "https://errors.internal/organizations/acme/", // allowlisted only with its port
            "",
            "not a url",
        ];
        for url in rejected {
            assert_eq!(classify(url), None, "{url:?}");
        }
        assert_eq!(
            classify_url("https://sentry.example.com/organizations/acme/"),
            None
        );
        assert_eq!(
            classify_url(&format!(
                "https://acme.sentry.io/?q={}",
                "a".repeat(MAX_URL_LEN)
            )),
            None
        );
    }

    #[test]
    fn projects_window_and_query() {
        let page = classify(
            "https://acme.sentry.io/explore/logs/?logsQuery=trace%3Aabc+level%3Aerror&query=ignored&project=1&project=-1&project=slug&statsPeriod=24h&start=2026-01-01T00:00:00&end=2026-01-02T00:00:00",
        )
        .expect("logs page");
        assert_eq!(page.projects, vec![1, -1]);
        assert_eq!(page.window, TimeWindow::StatsPeriod("24h".into()));
        assert_eq!(page.page_query.as_deref(), Some("trace:abc level:error"));

        let page = classify("https://acme.sentry.io/explore/traces/?query=gen_ai.tool.name%3Asearch_events&start=2026-01-01T00:00:00&end=2026-01-02T00:00:00%2B00:00")
            .expect("spans page");
        assert_eq!(
            page.window,
            TimeWindow::Range {
                start: "2026-01-01T00:00:00".into(),
                end: "2026-01-02T00:00:00+00:00".into()
            }
        );
        assert_eq!(
            page.page_query.as_deref(),
            Some("gen_ai.tool.name:search_events")
        );

        let page = classify(&format!("https://acme.sentry.io/explore/traces/trace/{TRACE}/?pageStart=2026-01-01&pageEnd=2026-01-02"))
            .expect("trace page");
        assert_eq!(
            page.window,
            TimeWindow::Range {
                start: "2026-01-01".into(),
                end: "2026-01-02".into()
            }
        );

        let secret = classify("https://acme.sentry.io/issues/?query=password%3Dhunter2").unwrap();
        assert_eq!(secret.page_query, None);

        for bad in [
            "statsPeriod=24x",
            "statsPeriod=h",
            "statsPeriod=24h-",
            "start=2026-01-01",
            "start=%3Cimg%3E&end=x",
        ] {
            let page =
                classify(&format!("https://acme.sentry.io/issues/?{bad}")).expect("issues page");
            assert_eq!(page.window, TimeWindow::Unset, "{bad}");
        }
        assert!(is_stats_period("14d") && is_stats_period("90") && is_stats_period("1h-foo_bar"));
    }

    #[test]
    fn link_ids() {
        let cases: &[(String, Ids)] = &[
            (
                format!("/explore/logs/trace/{TRACE}/?source=logs"),
                vec![pair("trace_id", TRACE)],
            ),
            (
                format!("/explore/traces/trace/{TRACE}/?node=span-{SPAN}&amp;source=traces"),
                vec![pair("trace_id", TRACE), pair("span_id", SPAN)],
            ),
            (
                format!("https://us.sentry.io/api/0/projects/acme/mcp/events/{EVENT}/json/"),
                vec![pair("event_id", EVENT)],
            ),
            (
                format!("/issues/123/events/{EVENT}/"),
                vec![pair("event_id", EVENT)],
            ),
            (
                format!(
                    "/api/0/projects/acme/mcp/trace-items/{SPAN}/?item_type=spans&trace_id={TRACE}"
                ),
                vec![pair("span_id", SPAN), pair("trace_id", TRACE)],
            ),
            (
                format!(
                    "/api/0/projects/acme/mcp/trace-items/{SPAN}/?item_type=logs&trace_id={TRACE}"
                ),
                vec![pair("trace_id", TRACE)],
            ),
            (
                format!("/trace/{}/", TRACE.to_uppercase()),
                vec![pair("trace_id", TRACE)],
            ),
            (
                format!("/trace/{TRACE}/#span-{SPAN}"),
                vec![pair("trace_id", TRACE)],
            ),
            ("/explore/traces/trace/4bf92f35/".into(), vec![]),
            (format!("javascript:alert('/trace/{TRACE}/')"), vec![]),
            (format!("//evil.test/trace/{TRACE}/"), vec![]),
            (String::new(), vec![]),
        ];
        for (href, ids) in cases {
            assert_eq!(&ids_in_link(href), ids, "{href}");
        }
    }

    #[test]
    fn serialises_kind_lowercase() {
        let page = classify(&format!(
            "https://acme.sentry.io/explore/traces/trace/{TRACE}/?node=span-{SPAN}"
        ))
        .expect("span");
        let json = serde_json::to_value(&page).expect("serialises");
        assert_eq!(json["kind"], "span");
        assert_eq!(json["selfHosted"], false);
        assert_eq!(json["ids"][1][0], "span_id");
    }
}

#[cfg(test)]
mod kind_names {
    use super::PageKind;

    #[test]
    fn as_str_is_the_serde_name() {
        for kind in [
            PageKind::Issue,
            PageKind::Event,
            PageKind::Trace,
            PageKind::Span,
            PageKind::Logs,
            PageKind::Spans,
            PageKind::Metrics,
            PageKind::Discover,
            PageKind::Other,
        ] {
            assert_eq!(
                serde_json::to_string(&kind).unwrap(),
                format!("\"{}\"", kind.as_str())
            );
        }
    }
}
