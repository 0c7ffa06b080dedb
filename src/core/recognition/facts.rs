//! Raw facts from the page probe → the runbook pivots on this page (docs/recognition.md).
//!
//! The probe (JavaScript, another module) reads DOM hooks and sends what it saw, unjudged. Here
//! every fact is normalised (aliases, typed keys, context rows), validated (ids, scrubbed
//! placeholders, abbreviations, secrets), bounded, matched against the runbook and de-duplicated
//! by `(key, value)`, keeping the most reliable source. Page text is hostile input: values are kept
//! as inert text, capped, stripped of control characters; nothing here can panic on them.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::core::guard::secrets::{detect_secret, is_sensitive_key, mask};
use crate::core::guard::text::{bounded, is_attribute_key, is_placeholder, MAX_VALUE_CHARS};
use crate::core::recognition::ids::HexId;
use crate::core::recognition::known_keys::{canonical_key, KeyCache, KnownKeys, RunbookMatch};
use crate::core::recognition::page::{ids_in_link, PageContext};
use crate::core::runbook::Runbook;

/// Facts beyond this many are ignored (a page never legitimately has more; bounded work).
pub const MAX_FACTS: usize = 20_000;

/// What the probe sends: `{ "url": "…", "facts": [ { "source", "key", "value", "section" } ],
/// "failedRules": ["…"] }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawFacts {
    pub url: String,
    #[serde(default)]
    pub facts: Vec<RawFact>,
    /// Names of probe rules that threw on this page (the others still ran).
    #[serde(default)]
    pub failed_rules: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawFact {
    pub source: FactSource,
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub value: String,
    /// Free text naming where on the page the fact was seen (may be empty).
    #[serde(default)]
    pub section: String,
}

/// Where a fact came from, most reliable first (but `Api`): the order decides which source a
/// de-duplicated pivot keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FactSource {
    /// The page URL itself; never sent by the probe.
    #[serde(skip_deserializing)]
    Url,
    /// `data-test-id="tree-key-<original key>"`: the raw attribute name.
    TestId,
    /// The aria-hidden full-key span (prettified: no `sentry.`/`log.` prefix).
    HiddenKey,
    /// A `title` attribute (prettified).
    Title,
    /// Tag and highlight rows.
    Tag,
    /// Context cards: key is `<card title>/<row subject>`.
    Context,
    /// The span drawer's title text, `ID: <16 hex>`.
    DrawerTitle,
    /// A link target; ids are parsed out of it.
    Href,
    /// Table cells (logs and spans tables, the waterfall's pinned attribute): key is the column's
    /// field; ids here are 8-character abbreviations.
    TableCell,
    /// An entry of an expanded structured value (a context's "Data"): key is its dotted path,
    /// a string value may come quoted.
    Json,
    /// Sentry's own record of the item in view, read from its API with the engineer's session
    /// (`sentry_api.rs`); never sent by the probe. Last but one, so a value the page shows too
    /// keeps the page's source and one only the API had is marked as the API's.
    #[serde(skip_deserializing)]
    Api,
    /// A source this version does not know (a newer probe); ignored.
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    High,
    Medium,
    Low,
}

impl FactSource {
    pub fn confidence(self) -> Confidence {
        match self {
            FactSource::Url | FactSource::Api | FactSource::TestId | FactSource::HiddenKey => {
                Confidence::High
            }
            FactSource::Title
            | FactSource::Tag
            | FactSource::Context
            | FactSource::DrawerTitle
            | FactSource::Href => Confidence::Medium,
            FactSource::TableCell | FactSource::Json | FactSource::Unknown => Confidence::Low,
        }
    }
}

/// One distinct `(key, value)` on the page that the runbook knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecognisedPivot {
    /// Canonical key (`trace_id`, `gen_ai.tool.name`, …).
    pub key: String,
    /// The full value, or a masked display string when `secret`.
    pub value: String,
    pub source: FactSource,
    pub confidence: Confidence,
    pub runbook: RunbookMatch,
    /// The value was flagged by the secret detector (or its key is sensitive): `value` is masked
    /// and must never reach a URL or the clipboard.
    pub secret: bool,
    /// The value was longer than `MAX_VALUE_CHARS` and was cut: show it, never query with it.
    pub truncated: bool,
}

impl RecognisedPivot {
    /// Whether the value may be put into a query or copied: complete and not secret.
    pub fn is_usable(&self) -> bool {
        !self.secret && !self.truncated
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Recognition {
    /// In order of first appearance (URL ids first).
    pub pivots: Vec<RecognisedPivot>,
}

/// The runbook pivots on a page: its URL ids plus the probe's facts. `page` is the
/// classification of `raw.url` (the caller classifies it, with its self-hosted allowlist, and
/// should drop a report whose URL is no longer the tab's URL after a single-page navigation).
pub fn recognise(runbook: &Runbook, page: &PageContext, raw: &RawFacts) -> Recognition {
    recognise_remembering(runbook, page, raw, &[], &mut FactMemory::default())
}

/// What recognition made of each fact of the last page it read. A live page (a logs table that
/// appends rows) reports a few new facts among thousands it reported before: with the memory
/// only the new ones are read, the rest is de-duplication.
#[derive(Debug, Default)]
pub struct FactMemory {
    /// What the remembered readings depend on besides the fact: the runbook (by address; one
    /// sidebar keeps one).
    read_with: Option<usize>,
    /// Each fact of the last page → its candidate pivots, and whether this page still has it.
    readings: HashMap<RawFact, (Arc<[RecognisedPivot]>, bool)>,
}

/// `recognise`, reading only the facts `memory` has not seen; it then remembers this page's.
/// `api` is what Sentry's API said about the item in view (`sentry_api`), read like the page's.
pub fn recognise_remembering(
    runbook: &Runbook,
    page: &PageContext,
    raw: &RawFacts,
    api: &[RawFact],
    memory: &mut FactMemory,
) -> Recognition {
    let read_with = Some(std::ptr::from_ref(runbook) as usize);
    if memory.read_with != read_with {
        *memory = FactMemory {
            read_with,
            readings: HashMap::new(),
        };
    }
    // The runbook's key index is built only if a fact is new.
    let known = OnceCell::new();
    let mut keys = None;
    let mut read = |source, raw_key: &str, raw_value: &str| {
        let keys = keys
            .get_or_insert_with(|| KeyCache::new(known.get_or_init(|| KnownKeys::new(runbook))));
        read_candidate(keys, source, raw_key, raw_value)
    };
    let url_pivots: Vec<RecognisedPivot> = page
        .ids
        .iter()
        .filter_map(|(key, value)| read(FactSource::Url, key, value))
        .collect();
    for (_, still_there) in memory.readings.values_mut() {
        *still_there = false;
    }
    // The facts' readings in page order, each fact looked up once.
    let mut readings: Vec<Arc<[RecognisedPivot]>> = Vec::new();
    for fact in raw.facts.iter().take(MAX_FACTS).chain(api) {
        if let Some((reading, still_there)) = memory.readings.get_mut(fact) {
            *still_there = true;
            readings.push(reading.clone());
        } else {
            let reading: Arc<[RecognisedPivot]> = candidates(fact)
                .into_iter()
                .filter_map(|(key, value)| read(fact.source, &key, &value))
                .collect();
            readings.push(reading.clone());
            memory.readings.insert(fact.clone(), (reading, true));
        }
    }
    memory.readings.retain(|_, (_, still_there)| *still_there);

    let mut pivots: Vec<RecognisedPivot> = Vec::new();
    let mut index: HashMap<(&str, &str), usize> = HashMap::new();
    for candidate in url_pivots
        .iter()
        .chain(readings.iter().flat_map(|r| r.iter()))
    {
        match index.get(&(candidate.key.as_str(), candidate.value.as_str())) {
            Some(&at) => {
                let existing = &mut pivots[at];
                if candidate.source < existing.source {
                    existing.source = candidate.source;
                    existing.confidence = candidate.confidence;
                }
            }
            None => {
                index.insert((&candidate.key, &candidate.value), pivots.len());
                pivots.push(candidate.clone());
            }
        }
    }
    prefer_the_api(&mut pivots);
    Recognition { pivots }
}

impl FactSource {
    /// Read from the item's own panels (attribute trees, tags, context cards, the drawer's title),
    /// which show the item the API describes; tables, links and the URL show other items too.
    fn shows_the_item(self) -> bool {
        matches!(
            self,
            FactSource::TestId
                | FactSource::HiddenKey
                | FactSource::Title
                | FactSource::Tag
                | FactSource::Context
                | FactSource::DrawerTitle
                | FactSource::Json
        )
    }
}

/// Where the API gave a key's value, the item's panels showing another value for that key show a
/// display form of it (cut, prettified, formatted): the API's value is the one shown (contract v2
/// `data-source`). Values that agree were already merged into the API's pivot.
fn prefer_the_api(pivots: &mut Vec<RecognisedPivot>) {
    let api_keys: HashSet<String> = pivots
        .iter()
        .filter(|p| p.source == FactSource::Api)
        .map(|p| p.key.clone())
        .collect();
    if !api_keys.is_empty() {
        pivots.retain(|p| !(p.source.shows_the_item() && api_keys.contains(&p.key)));
    }
}

/// One `(key, value)` candidate as a pivot, if its key is the runbook's and its value is one.
fn read_candidate(
    keys: &mut KeyCache,
    source: FactSource,
    raw_key: &str,
    raw_value: &str,
) -> Option<RecognisedPivot> {
    let key = canonical_key(raw_key)?;
    let runbook = keys.lookup(&key)?;
    let value = clean_value(&key, raw_value)?;
    Some(RecognisedPivot {
        key,
        value: value.text,
        source,
        confidence: source.confidence(),
        runbook,
        secret: value.secret,
        truncated: value.truncated,
    })
}

/// The `(key, value)` candidates one fact offers, before normalisation and validation.
fn candidates(fact: &RawFact) -> Vec<(String, String)> {
    let one = |key: &str, value: &str| vec![(key.to_owned(), value.to_owned())];
    match fact.source {
        FactSource::TestId | FactSource::HiddenKey | FactSource::Title | FactSource::TableCell => {
            one(&fact.key, &fact.value)
        }
        FactSource::Json => one(&fact.key, strip_quotes(fact.value.trim())),
        FactSource::Tag | FactSource::Api => {
            match (fact.key.trim(), fact.value.trim().strip_prefix("id:")) {
                // The derived `user` tag reads `id:<x>` (also `email:…`, `ip:…`, which are not pivots);
                // the API's event tags carry it as the page shows it.
                ("user", Some(id)) => one("user.id", id),
                ("user", None) => Vec::new(),
                _ => one(&fact.key, &fact.value),
            }
        }
        FactSource::Context => {
            context_row_key(&fact.key).map_or_else(Vec::new, |key| one(&key, &fact.value))
        }
        FactSource::Href => ids_in_link(fact.value.trim()),
        FactSource::DrawerTitle => {
            drawer_span_id(&fact.value).map_or_else(Vec::new, |id| one("span_id", id))
        }
        FactSource::Url | FactSource::Unknown => Vec::new(),
    }
}

/// Context card rows (`<card title>/<row subject>`; the Highlights' context rows read
/// `Trace: Trace ID`, so `Trace/Trace ID`) that name a pivot; other subjects count only when they
/// are attribute keys themselves (custom keys are shown verbatim). An untitled card's trace and
/// span ids still count; its `ID` says nothing of what it identifies.
fn context_row_key(card_and_subject: &str) -> Option<String> {
    let (card, subject) = card_and_subject.split_once('/')?;
    let (card, subject) = (card.trim().to_ascii_lowercase(), subject.trim());
    let known = match (card.as_str(), subject.to_ascii_lowercase().as_str()) {
        ("trace details" | "trace" | "", "trace id") => Some("trace_id"),
        ("trace details" | "trace" | "", "span id") => Some("span_id"),
        ("user", "id") => Some("user.id"),
        _ => None,
    };
    known
        .map(str::to_owned)
        .or_else(|| is_attribute_key(subject).then(|| subject.to_owned()))
}

/// `Span … ID: 00f067aa0ba902b7` → the 16-hex id after `ID:`.
fn drawer_span_id(title: &str) -> Option<&str> {
    let after = title.split_once("ID:")?.1.trim_start();
    let id = after.get(..16)?;
    let ends_there = after[16..]
        .chars()
        .next()
        .is_none_or(|c| !c.is_ascii_hexdigit());
    ends_there.then_some(id)
}

fn strip_quotes(value: &str) -> &str {
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value)
}

struct CleanValue {
    text: String,
    secret: bool,
    truncated: bool,
}

/// A value fit to keep, or `None` for what is not a value: empty, Sentry's placeholders (scrubbed
/// markers, `--`, folded JSON), display truncations (`…`), and ids that fail validation (which
/// includes 8-character abbreviations).
fn clean_value(key: &str, raw: &str) -> Option<CleanValue> {
    if let Some(id) = HexId::for_key(key) {
        return id.normalise(raw.trim()).map(|text| CleanValue {
            text,
            secret: false,
            truncated: false,
        });
    }
    // Scan a little past the cap so a secret straddling the cut is still recognised.
    let (wide, _) = bounded(raw, MAX_VALUE_CHARS + 600);
    let wide = wide.trim();
    if is_placeholder(wide) || wide.ends_with('…') {
        return None;
    }
    let (text, truncated) = bounded(wide, MAX_VALUE_CHARS);
    if is_sensitive_key(key) {
        return Some(CleanValue {
            text: "••••".to_owned(),
            secret: true,
            truncated,
        });
    }
    if detect_secret(wide).is_some() {
        let (text, _) = bounded(&mask(wide), MAX_VALUE_CHARS);
        return Some(CleanValue {
            text,
            secret: true,
            truncated,
        });
    }
    Some(CleanValue {
        text,
        secret: false,
        truncated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::guard::secrets::tests::synthetic_secrets;
    use crate::core::recognition::known_keys::tests::test_runbook;
    use crate::core::recognition::known_keys::KnownAs;
    use crate::core::recognition::page::{classify_url, PageKind};

    const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
    const SPAN: &str = "00f067aa0ba902b7";
    const EVENT: &str = "7b4c2f9a1d3e4f5a8b6c0d1e2f3a4b5c";

    fn fact(source: FactSource, key: &str, value: &str) -> RawFact {
        RawFact {
            source,
            key: key.to_owned(),
            value: value.to_owned(),
            section: String::new(),
        }
    }

    fn page(url: &str) -> PageContext {
        classify_url(url).unwrap_or_else(|| panic!("not a Sentry URL: {url}"))
    }

    fn recognise_on(url: &str, facts: Vec<RawFact>) -> Vec<RecognisedPivot> {
        recognise_with(&test_runbook(), url, facts)
    }

    fn recognise_with(runbook: &Runbook, url: &str, facts: Vec<RawFact>) -> Vec<RecognisedPivot> {
        let raw = RawFacts {
            url: url.to_owned(),
            facts,
            failed_rules: Vec::new(),
        };
        recognise(runbook, &page(url), &raw).pivots
    }

    /// `(key, value, source)` of each pivot, in order, for whole-result assertions.
    fn triples(pivots: &[RecognisedPivot]) -> Vec<(&str, &str, FactSource)> {
        pivots
            .iter()
            .map(|p| (p.key.as_str(), p.value.as_str(), p.source))
            .collect()
    }

    fn pairs(pivots: &[RecognisedPivot]) -> Vec<(&str, &str)> {
        pivots
            .iter()
            .map(|p| (p.key.as_str(), p.value.as_str()))
            .collect()
    }

    const ISSUE_URL: &str = "https://acme.sentry.io/issues/123/";

    #[test]
    fn parses_the_probe_json_shape() {
        let json = r#"{ "url": "https://acme.sentry.io/x", "facts": [
            { "source": "testId", "key": "gen_ai.tool.name", "value": "search_events", "section": "span-attributes" },
            { "source": "drawerTitle", "value": "ID: 00f067aa0ba902b7" },
            { "source": "somethingNew", "key": "k", "value": "v", "section": "" },
            { "source": "url", "key": "trace_id", "value": "x" } ] }"#;
        let raw: RawFacts = serde_json::from_str(json).expect("probe JSON parses");
        let sources: Vec<FactSource> = raw.facts.iter().map(|f| f.source).collect();
        assert_eq!(
            sources,
            [
                FactSource::TestId,
                FactSource::DrawerTitle,
                FactSource::Unknown,
                FactSource::Unknown
            ]
        );
        assert_eq!(raw.facts[0].section, "span-attributes");
        assert_eq!(raw.facts[1].key, "");
        assert!(
            serde_json::from_str::<RawFacts>(r#"{"facts": []}"#).is_err(),
            "url is required"
        );
    }

    #[test]
    fn each_source_kind() {
        let url = format!("https://acme.sentry.io/explore/traces/trace/{TRACE}/");
        let facts = vec![
            fact(FactSource::TestId, "gen_ai.tool.name", "search_events"),
            fact(FactSource::HiddenKey, "mcp.session.id", "sess_01HZX0A7"),
            fact(FactSource::Title, "app.client.family", "cursor"),
            fact(FactSource::Tag, "user", "id:42"),
            fact(FactSource::Tag, "user", "email:a@b.test"),
            fact(
                FactSource::Tag,
                "http.route",
                "/mcp/:organizationSlug?/:projectSlug?",
            ),
            fact(FactSource::Context, "User/ID", "43"),
            fact(
                FactSource::Context,
                "Trace Details/Span ID",
                "1111222233334444",
            ),
            fact(
                FactSource::Context,
                "Trace Details/Operation Name",
                "http.server",
            ),
            fact(FactSource::Href, "", &format!("/issues/1/events/{EVENT}/")),
            fact(FactSource::DrawerTitle, "", &format!("Span ID: {SPAN}")),
            fact(FactSource::Json, "http.request.method", "\"GET\""),
            fact(FactSource::TableCell, "trace", "4bf92f35"),
            fact(
                FactSource::TableCell,
                "gen_ai.tool.name",
                "get_sentry_resource",
            ),
            fact(FactSource::Unknown, "user.id", "44"),
        ];
        let pivots = recognise_on(&url, facts);
        let got: Vec<(&str, &str, FactSource)> = pivots
            .iter()
            .map(|p| (p.key.as_str(), p.value.as_str(), p.source))
            .collect();
        assert_eq!(
            got,
            [
                ("trace_id", TRACE, FactSource::Url),
                ("gen_ai.tool.name", "search_events", FactSource::TestId),
                ("mcp.session.id", "sess_01HZX0A7", FactSource::HiddenKey),
                ("app.client.family", "cursor", FactSource::Title),
                ("user.id", "42", FactSource::Tag),
                (
                    "http.route",
                    "/mcp/:organizationSlug?/:projectSlug?",
                    FactSource::Tag
                ),
                ("user.id", "43", FactSource::Context),
                ("span_id", "1111222233334444", FactSource::Context),
                ("event_id", EVENT, FactSource::Href),
                ("span_id", SPAN, FactSource::DrawerTitle),
                ("http.request.method", "GET", FactSource::Json),
                (
                    "gen_ai.tool.name",
                    "get_sentry_resource",
                    FactSource::TableCell
                ),
            ]
        );
        assert_eq!(pivots[0].confidence, Confidence::High);
        assert_eq!(pivots[10].confidence, Confidence::Low);
        assert_eq!(pivots[10].runbook.known_as, KnownAs::Attribute);
    }

    #[test]
    fn dedupe_prefers_the_most_reliable_source() {
        let facts = vec![
            fact(FactSource::Json, "gen_ai.tool.name", "search_events"),
            fact(FactSource::Tag, "gen_ai.tool.name", "search_events"),
            fact(FactSource::TestId, "gen_ai.tool.name", "search_events"),
            fact(FactSource::Title, "gen_ai.tool.name", "search_events"),
            fact(FactSource::Href, "", &format!("/trace/{TRACE}/")),
            fact(
                FactSource::Context,
                "Trace Details/Trace ID",
                &TRACE.to_uppercase(),
            ),
            fact(FactSource::TestId, "sentry.trace_id", TRACE),
        ];
        let pivots = recognise_on(ISSUE_URL, facts);
        assert_eq!(
            pairs(&pivots),
            [("gen_ai.tool.name", "search_events"), ("trace_id", TRACE)]
        );
        assert_eq!(pivots[0].source, FactSource::TestId);
        assert_eq!(pivots[1].source, FactSource::TestId);
        assert_eq!(pivots[1].confidence, Confidence::High);
    }

    #[test]
    fn url_ids_come_first_with_the_highest_confidence() {
        let url = format!("https://acme.sentry.io/explore/traces/trace/{TRACE}/?node=span-{SPAN}");
        let pivots = recognise_on(&url, vec![fact(FactSource::TestId, "trace", TRACE)]);
        assert_eq!(pairs(&pivots), [("trace_id", TRACE), ("span_id", SPAN)]);
        assert!(pivots.iter().all(|p| p.source == FactSource::Url));
        // The issue id is in the page context but the runbook has no such pivot.
        let issue = recognise_on(ISSUE_URL, Vec::new());
        assert!(issue.is_empty());
    }

    #[test]
    fn non_values_are_skipped() {
        let facts = vec![
            fact(FactSource::TestId, "gen_ai", ""), // pseudo row
            fact(FactSource::TestId, "user.id", "   "),
            fact(FactSource::TestId, "user.id", "[Filtered]"),
            fact(FactSource::TestId, "user.id", "[redacted]"),
            fact(FactSource::TestId, "user.id", "********"),
            fact(
                FactSource::TestId,
                "gen_ai.tool.call.arguments.query",
                "a long prompt cut by the UI…",
            ),
            fact(FactSource::TableCell, "span_id", "00f067aa"),
            fact(FactSource::TableCell, "trace", "4bf92f35"),
            fact(
                FactSource::TestId,
                "trace_id",
                "00000000000000000000000000000000",
            ),
            fact(FactSource::TestId, "trace_id", &TRACE[..31]),
            fact(FactSource::TestId, "span_id", TRACE),
            fact(FactSource::TestId, "event_id", "not-an-id"),
            fact(FactSource::TestId, "sentry.environment", "production"), // not in the runbook
            fact(FactSource::TestId, "span.op", "http.server"),
        ];
        assert!(recognise_on(ISSUE_URL, facts).is_empty());
    }

    #[test]
    fn ids_are_lowercased_other_values_are_not() {
        let facts = vec![
            fact(FactSource::TestId, "span_id", "00F067AA0BA902B7"),
            fact(
                FactSource::TestId,
                "gen_ai.tool.call.arguments.organizationSlug",
                "ACME",
            ),
            fact(
                FactSource::TestId,
                "event_id",
                "7B4C2F9A-1D3E-4F5A-8B6C-0D1E2F3A4B5C",
            ),
        ];
        let pivots = recognise_on(ISSUE_URL, facts);
        assert_eq!(
            pairs(&pivots),
            [
                ("span_id", SPAN),
                ("gen_ai.tool.call.arguments.organizationSlug", "ACME"),
                ("event_id", EVENT)
            ]
        );
        assert_eq!(
            pivots[1].runbook.placeholder,
            Some(("key".into(), "organizationSlug".into()))
        );
    }

    #[test]
    fn hostile_values_stay_inert_text() {
        let long = "x".repeat(10_000);
        let hostile = [
            "<img src=x onerror=alert(1)>",
            "\"><svg onload=alert(1)>",
            "javascript:alert(1)",
            " java\tscript:alert(2)",
            "quote \" backslash \\ apostrophe '",
            "x\" OR is:unresolved \"",
            "\u{202e}rtl",
            "{{7*7}} ${7*7}",
        ];
        let mut facts: Vec<RawFact> = hostile
            .iter()
            .map(|value| {
                fact(
                    FactSource::TestId,
                    "gen_ai.tool.call.arguments.query",
                    value,
                )
            })
            .collect();
        facts.push(fact(
            FactSource::TestId,
            "http.route",
            &format!("/a\u{0}b\u{7}c\u{85}d\r\n{long}"),
        ));
        let pivots = recognise_on(ISSUE_URL, facts);
        assert_eq!(pivots.len(), hostile.len() + 1);
        for (pivot, value) in pivots.iter().zip(hostile) {
            let expected: String = value.chars().filter(|c| !c.is_control()).collect();
            assert_eq!(pivot.value, expected.trim());
            assert!(!pivot.secret && !pivot.truncated && pivot.is_usable());
        }
        let route = &pivots[hostile.len()];
        assert!(route.value.starts_with("/abcd"));
        assert_eq!(route.value.chars().count(), MAX_VALUE_CHARS);
        assert!(route.truncated && !route.is_usable());
        assert!(route.value.chars().all(|c| !c.is_control()));
    }

    /// Keys, context subjects and JSON keys come from page text too: markup, huge strings and
    /// control characters are never keys, so they never reach a pivot or a query.
    #[test]
    fn hostile_keys_are_not_keys() {
        let huge = format!("gen_ai.{}", "a".repeat(10_000));
        let hostile_keys = [
            "<img src=x onerror=alert(1)>",
            "user.id<script>",
            "user.id\u{0}",
            "user\u{7}.id",
            "user.id\u{202e}",
            "tags[user.id,number",
            "\"user.id\"",
            huge.as_str(),
        ];
        let mut facts = Vec::new();
        for key in hostile_keys {
            facts.push(fact(FactSource::TestId, key, "42"));
            facts.push(fact(FactSource::Json, key, "42"));
            facts.push(fact(FactSource::TableCell, key, "42"));
            facts.push(fact(FactSource::Context, &format!("Custom/{key}"), "42"));
        }
        facts.push(fact(FactSource::Context, &format!("{huge}/ID"), "42"));
        facts.push(fact(FactSource::Context, "no separator", "42"));
        assert!(recognise_on(ISSUE_URL, facts).is_empty());
        // A key with surrounding spaces is still the key (probe text is not trimmed everywhere).
        let spaced = recognise_on(ISSUE_URL, vec![fact(FactSource::Title, " user.id ", "42")]);
        assert_eq!(pairs(&spaced), [("user.id", "42")]);
    }

    /// What the probe sends from a structured-data "Data" row that is not strict JSON: each
    /// `"key": value` pair, strings still quoted.
    #[test]
    fn json_pairs_keep_quoted_text_and_numbers() {
        let facts = vec![
            fact(FactSource::Json, "http.route", "\"/oauth/token\""),
            fact(FactSource::Json, "http.response.status_code", "502"),
            fact(FactSource::Json, "user.id", "\"\""),
            fact(FactSource::Json, "a", "1"),
        ];
        let raw = RawFacts {
            url: ISSUE_URL.to_owned(),
            facts,
            failed_rules: Vec::new(),
        };
        let pivots = recognise(&Runbook::bundled(), &page(ISSUE_URL), &raw).pivots;
        assert_eq!(
            pairs(&pivots),
            [
                ("http.route", "/oauth/token"),
                ("http.response.status_code", "502")
            ]
        );
        assert!(pivots.iter().all(|p| p.confidence == Confidence::Low));
    }

    #[test]
    fn secrets_are_masked_and_flagged() {
        let mut facts: Vec<RawFact> = synthetic_secrets(3)
            .into_iter()
            .map(|(_, text, _)| {
                fact(
                    FactSource::TestId,
                    "gen_ai.tool.call.arguments.query",
                    &text,
                )
            })
            .collect();
        facts.push(fact(
            FactSource::TestId,
            "gen_ai.tool.call.arguments.token",
            "plain-looking",
        ));
        // A secret straddling the value cap is still caught.
        let (_, token, secret) = synthetic_secrets(3).swap_remove(0);
        facts.push(fact(
            FactSource::TestId,
            "http.route",
            &format!("{}{token}", "a ".repeat(MAX_VALUE_CHARS / 2 - 10)),
        ));
        let pivots = recognise_on(ISSUE_URL, facts);
        assert_eq!(pivots.len(), synthetic_secrets(3).len() + 2);
        for pivot in &pivots {
            assert!(pivot.secret && !pivot.is_usable(), "{pivot:?}");
            assert!(pivot.value.contains("••••"));
        }
        assert!(!pivots
            .iter()
            .any(|p| p.value.contains(&secret) || p.value.contains("plain-looking")));
    }

    const TRACE_URL: &str =
        "https://acme.sentry.io/explore/traces/trace/4bf92f3577b34da6a3ce929d0e0e4736/";
    const LOGS_URL: &str = "https://acme.sentry.io/explore/logs/";

    /// Facts of every source, pivots and not, for the memory's tests: the same pivot from two
    /// sources, a secret, an abbreviation, a placeholder, unknown keys.
    fn fact_pool() -> Vec<RawFact> {
        let (_, secret, _) = synthetic_secrets(5).swap_remove(0);
        vec![
            fact(FactSource::TestId, "trace_id", TRACE),
            fact(FactSource::Tag, "trace", TRACE),
            fact(FactSource::Tag, "http.route", "--"),
            fact(
                FactSource::Href,
                "",
                &format!("/explore/traces/trace/{EVENT}/?node=span-{SPAN}"),
            ),
            fact(FactSource::TableCell, "trace", &TRACE[..8]),
            fact(FactSource::TableCell, "message", "tool call 7 finished"),
            fact(FactSource::HiddenKey, "gen_ai.tool.name", "search_events"),
            fact(FactSource::Json, "gen_ai.tool.name", "\"search_events\""),
            fact(FactSource::Tag, "user", "id:42"),
            fact(FactSource::Context, "Trace Details/Span ID", SPAN),
            fact(FactSource::DrawerTitle, "", &format!("Span ID: {SPAN}")),
            fact(
                FactSource::TestId,
                "gen_ai.tool.call.arguments.query",
                &secret,
            ),
            fact(FactSource::TestId, "http.route", "/oauth/token"),
            fact(FactSource::Unknown, "http.route", "/never"),
        ]
    }

    proptest::proptest! {
        /// One memory across a sequence of reports (facts coming and going, other page kinds,
        /// another runbook) gives what reading each report afresh gives.
        #[test]
        fn remembering_reads_like_reading_afresh(
            reports in proptest::collection::vec(
                (0usize..3, proptest::bool::ANY, proptest::collection::vec(0usize..14, 0..20)),
                1..8,
            )
        ) {
            let (pool, runbooks) = (fact_pool(), [test_runbook(), Runbook::bundled()]);
            let mut memory = FactMemory::default();
            for (url, other_runbook, picks) in reports {
                let url = [TRACE_URL, ISSUE_URL, LOGS_URL][url];
                let runbook = &runbooks[usize::from(other_runbook)];
                let raw = RawFacts {
                    url: url.to_owned(),
                    facts: picks.iter().map(|&i| pool[i].clone()).collect(),
                    failed_rules: Vec::new(),
                };
                let remembered = recognise_remembering(runbook, &page(url), &raw, &[], &mut memory);
                proptest::prop_assert_eq!(remembered, recognise(runbook, &page(url), &raw));
                proptest::prop_assert!(memory.readings.len() <= raw.facts.len());
            }
        }
    }

    #[test]
    fn remembered_facts_are_not_read_again_until_the_runbook_changes() {
        let runbook = test_runbook();
        let user = fact(FactSource::TestId, "user.id", "7");
        let trace = fact(FactSource::Context, "Trace/Trace ID", TRACE);
        let raw = |url: &str| RawFacts {
            url: url.to_owned(),
            facts: vec![user.clone(), trace.clone()],
            failed_rules: Vec::new(),
        };
        let mut memory = FactMemory::default();
        let values = |memory: &mut FactMemory, runbook: &Runbook, url: &str| {
            let pivots = recognise_remembering(runbook, &page(url), &raw(url), &[], memory).pivots;
            pivots.into_iter().map(|p| p.value).collect::<Vec<_>>()
        };
        assert_eq!(values(&mut memory, &runbook, TRACE_URL), [TRACE, "7"]);
        // A reading the memory holds is used as it is: forge one to see it.
        let forged = |memory: &mut FactMemory| {
            let (reading, _) = memory.readings.get_mut(&user).expect("remembered");
            let mut forged = reading.to_vec();
            forged[0].value = "forged".into();
            *reading = forged.into();
        };
        forged(&mut memory);
        assert_eq!(values(&mut memory, &runbook, TRACE_URL), [TRACE, "forged"]);
        assert_eq!(values(&mut memory, &runbook, ISSUE_URL), ["forged", TRACE]);
        // Another runbook reads every fact again.
        assert_eq!(
            values(&mut memory, &Runbook::bundled(), ISSUE_URL),
            ["7", TRACE]
        );
        // Facts that left the page are forgotten.
        let only_user = RawFacts {
            facts: vec![user.clone()],
            ..raw(ISSUE_URL)
        };
        recognise_remembering(&runbook, &page(ISSUE_URL), &only_user, &[], &mut memory);
        assert_eq!(memory.readings.len(), 1);
    }

    #[test]
    fn ten_thousand_facts_are_handled_linearly() {
        let facts: Vec<RawFact> = (0..10_000)
            .map(|i| match i % 4 {
                0 => fact(FactSource::TestId, "user.id", &i.to_string()),
                1 => fact(
                    FactSource::Href,
                    "",
                    &format!("/trace/{TRACE}/?node=span-{:016x}", i + 1),
                ),
                2 => fact(FactSource::Tag, "gen_ai.tool.name", "search_events"),
                _ => fact(FactSource::Json, "unknown.key", &"v".repeat(100)),
            })
            .collect();
        let pivots = recognise_on(ISSUE_URL, facts);
        // 2,500 user ids + 2,500 span ids + one trace id + one tool name.
        assert_eq!(pivots.len(), 5_002);

        let too_many = vec![fact(FactSource::TestId, "user.id", "1"); MAX_FACTS + 5];
        assert_eq!(recognise_on(ISSUE_URL, too_many).len(), 1);
    }

    #[test]
    fn serialises_camel_case() {
        let pivots = recognise_on(
            ISSUE_URL,
            vec![fact(
                FactSource::HiddenKey,
                "app.oauth.probe.reason",
                "timeout",
            )],
        );
        let json = serde_json::to_value(&pivots[0]).expect("serialises");
        assert_eq!(json["source"], "hiddenKey");
        assert_eq!(json["confidence"], "high");
        assert_eq!(json["runbook"]["knownAs"], "pivot");
        assert_eq!(json["runbook"]["pattern"], "app.oauth.*");
    }

    /// The span page fixture (`trace-span.html`), as the probe reports it.
    #[test]
    fn trace_view_fixture_with_the_bundled_runbook() {
        let url = format!(
            "https://acme.sentry.io/explore/traces/trace/{TRACE}/?node=span-{SPAN}&source=traces&statsPeriod=24h"
        );
        let facts = vec![
            fact(FactSource::DrawerTitle, "", &format!("Span ID: {SPAN}")),
            fact(FactSource::HiddenKey, "gen_ai.tool.name", "search_events"),
            fact(FactSource::Title, "gen_ai.tool.name", "search_events"),
            fact(FactSource::TestId, "gen_ai.tool.name", "search_events"),
            fact(FactSource::HiddenKey, "mcp.session.id", "sess_01HZX0A7"),
            fact(FactSource::TestId, "mcp.session.id", "sess_01HZX0A7"),
            fact(FactSource::HiddenKey, "environment", "production"),
            fact(FactSource::TestId, "sentry.environment", "production"),
        ];
        let page = page(&url);
        assert_eq!(page.kind, PageKind::Span);
        let pivots = recognise_with(&Runbook::bundled(), &url, facts);
        let got = triples(&pivots);
        assert_eq!(
            got,
            [
                ("trace_id", TRACE, FactSource::Url),
                ("span_id", SPAN, FactSource::Url),
                ("gen_ai.tool.name", "search_events", FactSource::TestId),
                ("mcp.session.id", "sess_01HZX0A7", FactSource::TestId),
            ]
        );
    }

    /// The event page fixture (`event.html`), as the probe reports it
    /// (`tests/js/probe-rules.test.mjs` reads the same page).
    #[test]
    fn event_page_fixture_with_the_bundled_runbook() {
        let event = "7b4c2f9a0c1d4e5f8a9b0c1d2e3f4a5b";
        let route = "/mcp/:organizationSlug?/:projectSlug?";
        let url = format!("https://acme.sentry.io/issues/6123456789/events/{event}/");
        let trace_link =
            format!("https://acme.sentry.io/explore/traces/trace/{TRACE}/?statsPeriod=14d");
        let facts = vec![
            fact(FactSource::Href, "", &trace_link),
            fact(
                FactSource::Href,
                "",
                &format!("https://acme.sentry.io/issues/trace/{TRACE}/?groupId=6123456789&source=issue_details"),
            ),
            fact(
                FactSource::Href,
                "",
                &format!(
                    "https://us.sentry.io/api/0/projects/acme/mcp-server/events/{event}/json/"
                ),
            ),
            fact(FactSource::Tag, "app.transport", "http"),
            fact(FactSource::Tag, "environment", "production"),
            fact(FactSource::Tag, "gen_ai.tool.name", "search_events"),
            fact(FactSource::Tag, "http.route", route),
            fact(FactSource::Context, "Trace/Trace ID", TRACE),
            fact(FactSource::Context, "User/ID", "4242"),
            fact(FactSource::Json, "http.response.status_code", "500"),
            fact(FactSource::Json, "http.route", route),
            fact(FactSource::Context, "Trace Details/Span ID", SPAN),
            fact(FactSource::Context, "Trace Details/Trace ID", TRACE),
            fact(FactSource::Context, "User/ID", "4242"),
        ];
        let page = page(&url);
        assert_eq!(page.kind, PageKind::Event);
        let pivots = recognise_with(&Runbook::bundled(), &url, facts);
        let got = triples(&pivots);
        assert_eq!(
            got,
            [
                ("event_id", event, FactSource::Url),
                ("trace_id", TRACE, FactSource::Context),
                ("app.transport", "http", FactSource::Tag),
                ("gen_ai.tool.name", "search_events", FactSource::Tag),
                ("http.route", route, FactSource::Tag),
                ("user.id", "4242", FactSource::Context),
                ("http.response.status_code", "500", FactSource::Json),
                ("span_id", SPAN, FactSource::Context),
            ]
        );
    }

    /// Sentry's placeholders give no pivot, from whichever rule they come (`event-contexts.html`).
    #[test]
    fn placeholders_are_never_pivots() {
        let url =
            "https://acme.sentry.io/issues/6123456791/events/9f8e7d6c5b4a39281706f5e4d3c2b1a0/";
        let facts = vec![
            fact(FactSource::Tag, "mcp.session.id", "--"),
            fact(FactSource::Tag, "app.client.family", "[Filtered]"),
            fact(FactSource::Context, "User/ID", "u-[Encrypted]-1"),
            fact(
                FactSource::Context,
                "Trace Details/gen_ai.tool.call.arguments",
                "{}",
            ),
            fact(FactSource::TestId, "gen_ai.tool.call.result", "[]"),
            fact(FactSource::TableCell, "mcp.tool.name", "(no value)"),
            fact(FactSource::TableCell, "mcp.session.id", "—"),
            fact(FactSource::TableCell, "mcp.session.id", "Multiple values"),
            fact(
                FactSource::Context,
                "Trace Details/mcp.session.id",
                "sess_9QX2",
            ),
        ];
        let pivots = recognise_with(&Runbook::bundled(), url, facts);
        assert_eq!(
            pairs(&pivots),
            [
                ("event_id", "9f8e7d6c5b4a39281706f5e4d3c2b1a0"),
                ("mcp.session.id", "sess_9QX2")
            ]
        );
    }

    #[test]
    fn an_untitled_cards_trace_and_span_ids_count_its_id_does_not() {
        let facts = vec![
            fact(FactSource::Context, "/Trace ID", TRACE),
            fact(FactSource::Context, "/Span ID", SPAN),
            fact(FactSource::Context, "/ID", "42"),
        ];
        assert_eq!(
            pairs(&recognise_on(ISSUE_URL, facts)),
            [("trace_id", TRACE), ("span_id", SPAN)]
        );
    }
}
