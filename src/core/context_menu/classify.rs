//! What a text selection anywhere may be (docs/automation-contract.md `pivot-lens:classify`): kinds named by
//! the runbook's pivot keys, plus `issue_short_id` and `sentry_url`. A selection that looks like a
//! secret gets no kinds at all, so nothing downstream can build a link from it.

use percent_encoding::percent_decode_str;
use serde::Serialize;

use crate::core::guard::secrets::{detect_secret, SecretKind};
use crate::core::recognition::ids::{is_issue_short_id, is_numeric_id, HexId};
use crate::core::recognition::known_keys::{canonical_key, is_tool_shaped, KnownKeys};
use crate::core::recognition::page::classify_url_with_hosts;
use crate::core::runbook::Runbook;

/// Selections longer than this (in characters) get no kinds and are not scanned (URL-6).
pub const MAX_SELECTION_CHARS: usize = 2_000;

/// Free-text values (routes, tool names, reasons) longer than this are not query values (URL-1).
const MAX_FREE_TEXT_CHARS: usize = 256;

/// The `app.client.family` buckets, from the runbook's companion OAuth sign-out playbook
/// (`docs/operations/oauth-signout-playbook.md`, "bucketed User-Agent"). The runbook model has no
/// place for attribute values, so a bare word is read as a bucket only when it is one of these;
/// any other value needs the key (`app.client.family:<bucket>`).
const CLIENT_FAMILIES: [&str; 14] = [
    "claude-code",
    "cursor",
    "codex",
    "copilot",
    "claude-desktop",
    "opencode",
    "reactor-netty",
    "java-http-client",
    "go-http-client",
    "python",
    "bun",
    "node",
    "other",
    "unknown",
];

/// Kinds outside the runbook's keys that the contract names.
pub const ISSUE_SHORT_ID: &str = "issue_short_id";
pub const SENTRY_URL: &str = "sentry_url";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SelectionKind {
    /// A runbook pivot key (`trace_id`, `user.id`, …), `issue_short_id` or `sentry_url`.
    pub key: String,
    /// The value in canonical form (ids lowercased, wrappers and quotes removed).
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Classification {
    pub kinds: Vec<SelectionKind>,
    /// Set when the selection looks like a secret; `kinds` is then empty
    /// (the contract answers `{kinds: ["secret"], items: []}`).
    pub secret: Option<SecretKind>,
}

impl Classification {
    /// The contract's `kinds` list: `["secret"]` for a secret, else each distinct kind once.
    pub fn contract_kinds(&self) -> Vec<&str> {
        if self.secret.is_some() {
            return vec!["secret"];
        }
        let mut keys: Vec<&str> = Vec::new();
        for kind in &self.kinds {
            if !keys.contains(&kind.key.as_str()) {
                keys.push(&kind.key);
            }
        }
        keys
    }
}

pub fn classify_selection(text: &str, runbook: &Runbook) -> Classification {
    classify_selection_with_hosts(text, runbook, &[])
}

/// As `classify_selection`, also recognising URLs of the given self-hosted Sentry hosts.
pub fn classify_selection_with_hosts(
    text: &str,
    runbook: &Runbook,
    self_hosted: &[&str],
) -> Classification {
    // Cheap byte check first so a 1 MB selection is never walked character by character.
    if text.len() > MAX_SELECTION_CHARS * 4 || text.chars().count() > MAX_SELECTION_CHARS {
        return Classification::default();
    }
    // A secret inside a URL may be percent-encoded (`?token%3D…`).
    let decoded = percent_decode_str(text).decode_utf8_lossy();
    if let Some(secret) = detect_secret(text).or_else(|| detect_secret(&decoded)) {
        return Classification {
            kinds: Vec::new(),
            secret: Some(secret),
        };
    }
    let known = KnownKeys::new(runbook);
    let selection = unwrap_quotes(text.trim());
    let kinds = if selection.starts_with("https://") || selection.starts_with("http://") {
        url_kinds(selection, self_hosted)
    } else {
        match keyed_value(selection, &known) {
            Some((key, value)) => value_for_key(&key, value)
                .map(|value| SelectionKind { key, value })
                .into_iter()
                .collect(),
            None => bare_value_kinds(selection, &known),
        }
    };
    let offered = |kind: &SelectionKind| {
        kind.key == ISSUE_SHORT_ID || kind.key == SENTRY_URL || known.lookup(&kind.key).is_some()
    };
    Classification {
        kinds: kinds.into_iter().filter(offered).collect(),
        secret: None,
    }
}

/// A Sentry URL and the ids it carries.
fn url_kinds(url: &str, self_hosted: &[&str]) -> Vec<SelectionKind> {
    let Some(page) = classify_url_with_hosts(url, self_hosted) else {
        return Vec::new();
    };
    std::iter::once(kind(SENTRY_URL, url))
        .chain(page.ids.iter().map(|(key, value)| kind(key, value)))
        .collect()
}

/// `key:value`, `key=value`, `key="value"` where the key is one the runbook knows: the key then
/// decides the kind. Unknown keys leave the selection to be read as a bare value.
fn keyed_value<'s>(selection: &'s str, known: &KnownKeys) -> Option<(String, &'s str)> {
    let separator = selection.find([':', '='])?;
    // JSON-ish selections quote the key and the value: `"trace_id": "4bf9…"`.
    let key = canonical_key(selection[..separator].trim().trim_matches(QUOTES))?;
    known.lookup(&key)?;
    Some((
        key,
        selection[separator + 1..]
            .trim()
            .trim_matches(QUOTES)
            .trim(),
    ))
}

fn value_for_key(key: &str, value: &str) -> Option<String> {
    match HexId::for_key(key) {
        Some(id) => id.normalise(value),
        None => is_free_text(value).then(|| value.to_owned()),
    }
}

/// Every reading of a bare value, most specific first.
fn bare_value_kinds(value: &str, known: &KnownKeys) -> Vec<SelectionKind> {
    let mut kinds = Vec::new();
    for id in [HexId::Trace, HexId::Event, HexId::Span] {
        if let Some(canonical) = id.normalise(value) {
            kinds.push(kind(id.key(), &canonical));
        }
    }
    if is_issue_short_id(value) {
        kinds.push(kind(ISSUE_SHORT_ID, value));
    }
    if is_numeric_id(value) {
        kinds.push(kind("user.id", value));
    }
    if is_route_template(value) {
        kinds.push(kind("http.route", value));
    }
    if CLIENT_FAMILIES.contains(&value) {
        kinds.push(kind("app.client.family", value));
    }
    // A runbook key itself (`trace_id`) is snake_case too, but it is not a tool.
    if known.is_known_tool_name(value) || (is_tool_shaped(value) && known.lookup(value).is_none()) {
        kinds.push(kind("gen_ai.tool.name", value));
    }
    kinds
}

fn kind(key: &str, value: &str) -> SelectionKind {
    SelectionKind {
        key: key.to_owned(),
        value: value.to_owned(),
    }
}

/// An `http.route` template such as `/mcp/:organizationSlug?/:projectSlug?`: a path (not `//host`)
/// of visible ASCII without quotes, markup or backslashes.
fn is_route_template(value: &str) -> bool {
    value.starts_with('/')
        && !value.starts_with("//")
        && value.len() <= MAX_FREE_TEXT_CHARS
        && value.bytes().all(|b| {
            b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b'`' | b'<' | b'>' | b'\\')
        })
}

fn is_free_text(value: &str) -> bool {
    !value.is_empty()
        && value.chars().count() <= MAX_FREE_TEXT_CHARS
        && !value.chars().any(char::is_control)
}

const QUOTES: [char; 3] = ['"', '\'', '`'];

/// Removes up to two layers of matching quotes or backticks (`"…"`, `'…'`, `` `…` ``).
fn unwrap_quotes(text: &str) -> &str {
    let mut text = text;
    for _ in 0..2 {
        let unwrapped = QUOTES
            .into_iter()
            .find_map(|quote| text.strip_prefix(quote).and_then(|t| t.strip_suffix(quote)));
        match unwrapped {
            Some(inner) => text = inner.trim(),
            None => break,
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::guard::secrets::tests::synthetic_secrets;
    use crate::core::recognition::known_keys::tests::test_runbook;

    const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
    const SPAN: &str = "00f067aa0ba902b7";

    fn kinds_of(text: &str) -> Vec<(String, String)> {
        let classification =
            classify_selection_with_hosts(text, &test_runbook(), &["sentry.example.com"]);
        assert_eq!(classification.secret, None, "{text}");
        classification
            .kinds
            .into_iter()
            .map(|k| (k.key, k.value))
            .collect()
    }

    fn expect(text: &str, expected: &[(&str, &str)]) {
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(kinds_of(text), expected, "{text:?}");
    }

    #[test]
    fn ids() {
        expect(TRACE, &[("trace_id", TRACE), ("event_id", TRACE)]);
        expect(
            &format!("  \"{}\"\n", TRACE.to_uppercase()),
            &[("trace_id", TRACE), ("event_id", TRACE)],
        );
        expect(
            "4bf92f35-77b3-4da6-a3ce-929d0e0e4736",
            &[("event_id", TRACE)],
        );
        expect(SPAN, &[("span_id", SPAN)]);
        expect(&format!("`{SPAN}`"), &[("span_id", SPAN)]);
        expect("MCP-41", &[("issue_short_id", "MCP-41")]);
        expect("SENTRY-MCP-1A2", &[("issue_short_id", "SENTRY-MCP-1A2")]);
        expect("12345", &[("user.id", "12345")]);
        // Both readings when shapes overlap.
        expect(
            "1234567890123456",
            &[
                ("span_id", "1234567890123456"),
                ("user.id", "1234567890123456"),
            ],
        );
        // An all-zero span id is invalid; as digits it still reads as a numeric user id.
        expect("0000000000000000", &[("user.id", "0000000000000000")]);
        for not_an_id in [
            "4bf92f35",
            &TRACE[..31],
            "00000000000000000000000000000000",
            "mcp-41",
            "12a",
        ] {
            expect(not_an_id, &[]);
        }
    }

    #[test]
    fn routes_tools_and_buckets() {
        expect(
            "/mcp/:organizationSlug?/:projectSlug?",
            &[("http.route", "/mcp/:organizationSlug?/:projectSlug?")],
        );
        expect("'/oauth/token'", &[("http.route", "/oauth/token")]);
        expect(
            "search_sentry_tools",
            &[("gen_ai.tool.name", "search_sentry_tools")],
        );
        expect("search_events", &[("gen_ai.tool.name", "search_events")]);
        expect(
            "app.client.family:cursor",
            &[("app.client.family", "cursor")],
        );
        expect(
            "app.client.family=\"claude-code\"",
            &[("app.client.family", "claude-code")],
        );
        for not_a_kind in [
            "//evil.test/x",
            "/a b",
            "/<img>",
            "trace_id",
            "span_id",
            "search",
            "Search_Events",
            "Cursor",
            "vscode",
            "hello world",
            "10:02",
            "",
        ] {
            expect(not_a_kind, &[]);
        }
    }

    #[test]
    fn key_value_wrappers_let_the_key_decide() {
        expect(&format!("trace_id={TRACE}"), &[("trace_id", TRACE)]);
        expect(&format!("trace:{TRACE}"), &[("trace_id", TRACE)]);
        expect(&format!("event_id: \"{TRACE}\""), &[("event_id", TRACE)]);
        expect(&format!("span_id = {SPAN}"), &[("span_id", SPAN)]);
        expect(
            "user.id:\"abc@example.com\"",
            &[("user.id", "abc@example.com")],
        );
        expect(
            "http.route:\"/mcp/:organizationSlug?/:projectSlug?\"",
            &[("http.route", "/mcp/:organizationSlug?/:projectSlug?")],
        );
        expect(
            "gen_ai.tool.name:search_events",
            &[("gen_ai.tool.name", "search_events")],
        );
        expect(
            "tags[gen_ai.tool.call.arguments.query,string]:errors",
            &[("gen_ai.tool.call.arguments.query", "errors")],
        );
        expect(
            "app.consent.skill.project_management.granted:true",
            &[("app.consent.skill.project_management.granted", "true")],
        );
        expect(
            &format!("\"trace_id\": \"{TRACE}\""),
            &[("trace_id", TRACE)],
        );
        expect(&format!("'span_id':'{SPAN}'"), &[("span_id", SPAN)]);
        // A known key with an invalid value gives nothing rather than a guess.
        expect("trace_id=4bf92f35", &[]);
        expect("span_id:", &[]);
        // An unknown key: the whole text is read as a bare value.
        expect("foo:bar", &[]);
    }

    #[test]
    fn sentry_urls_and_their_ids() {
        let url = format!("https://acme.sentry.io/explore/traces/trace/{TRACE}/?node=span-{SPAN}");
        expect(
            &url,
            &[("sentry_url", &url), ("trace_id", TRACE), ("span_id", SPAN)],
        );
        let issue = "https://sentry.example.com/organizations/acme/issues/MCP-41/";
        expect(
            issue,
            &[("sentry_url", issue), ("issue_short_id", "MCP-41")],
        );
        expect(
            "https://acme.sentry.io/explore/logs/",
            &[("sentry_url", "https://acme.sentry.io/explore/logs/")],
        );
        for not_sentry in [
            "https://evil-sentry.io/issues/",
            "https://sentry.io@evil.test/",
            "http://acme.sentry.io/",
            "javascript:alert(1)",
        ] {
            expect(not_sentry, &[]);
        }
    }

    #[test]
    fn kinds_are_limited_to_runbook_keys() {
        let mut runbook = test_runbook();
        runbook
            .pivots
            .retain(|pivot| pivot.key.as_str() != "span_id");
        runbook
            .domains
            .retain(|domain| domain.id != "resource-resolution");
        runbook.recipes.clear();
        let classification = classify_selection(SPAN, &runbook);
        assert!(classification.kinds.is_empty());
    }

    #[test]
    fn secrets_get_no_kinds() {
        for (kind, text, _) in synthetic_secrets(11) {
            let classification = classify_selection(&text, &test_runbook());
            assert_eq!(classification.secret, Some(kind), "{text}");
            assert!(classification.kinds.is_empty());
        }
        let encoded = classify_selection(
            "https://acme.sentry.io/issues/?query=password%3Dhunter2",
            &test_runbook(),
        );
        assert_eq!(encoded.secret, Some(SecretKind::SensitiveKeyValue));
        assert_eq!(encoded.contract_kinds(), ["secret"]);
        let keyed = classify_selection("gen_ai.tool.call.arguments.token=abc123", &test_runbook());
        assert_eq!(keyed.secret, Some(SecretKind::SensitiveKeyValue));
        let json = serde_json::to_value(&keyed).expect("serialises");
        assert_eq!(json["secret"], "sensitive_key_value");
    }

    #[test]
    fn hostile_and_huge_selections() {
        for hostile in [
            "<img src=x onerror=alert(1)>",
            "<script>alert(1)</script>",
            " javascript:alert(1)",
            "x\" OR is:unresolved \"",
            "\u{0}\u{7}",
            "\u{202e}MCP-41",
            "４bf92f3577b34da6a3ce929d0e0e4736",
            "((((((((((",
        ] {
            expect(hostile, &[]);
        }
        expect(&"a".repeat(MAX_SELECTION_CHARS + 1), &[]);
        // Their cost is measured by the benchmark (`./build.sh bench`), not asserted here.
        for huge in [
            format!("{TRACE} ").repeat(200_000),
            "é".repeat(1_000_000),
            "a:".repeat(500_000),
        ] {
            assert_eq!(
                classify_selection(&huge, &test_runbook()),
                Classification::default()
            );
        }
    }

    #[test]
    fn contract_kinds_with_the_bundled_runbook() {
        let runbook = Runbook::bundled();
        let keys = |text: &str| -> Vec<String> {
            classify_selection(text, &runbook)
                .kinds
                .into_iter()
                .map(|kind| kind.key)
                .collect()
        };
        assert_eq!(keys(TRACE), ["trace_id", "event_id"]);
        assert_eq!(
            classify_selection(TRACE, &runbook).contract_kinds(),
            ["trace_id", "event_id"]
        );
        assert_eq!(keys(SPAN), ["span_id"]);
        assert_eq!(keys("MCP-41"), ["issue_short_id"]);
        assert_eq!(keys("12345"), ["user.id"]);
        assert_eq!(
            keys("/mcp/:organizationSlug?/:projectSlug?"),
            ["http.route"]
        );
        assert_eq!(keys("get_sentry_resource"), ["gen_ai.tool.name"]);
        assert_eq!(keys("app.client.family=cursor"), ["app.client.family"]);
        assert_eq!(
            keys("app.oauth.grant_revoked.reason:\"user_revoked\""),
            ["app.oauth.grant_revoked.reason"]
        );
        let url = format!("https://acme.sentry.io/issues/1/events/{TRACE}/");
        assert_eq!(keys(&url), ["sentry_url", "event_id"]);
        let secret = classify_selection(&format!("sntryu_{}", "ab".repeat(32)), &runbook);
        assert_eq!(
            (secret.kinds.len(), secret.secret),
            (0, Some(SecretKind::SentryUserToken))
        );
    }
}
