use super::*;
use crate::core::recognition::facts::recognise_remembering;
use crate::core::recognition::facts::{FactMemory, RawFacts};
use crate::core::recognition::page::classify_url;
use crate::core::runbook::Runbook;

const EVENT_PAGE: &str =
    "https://acme.sentry.io/issues/6123456792/events/1a2b3c4d5e6f40718293a4b5c6d7e8f9/";
const SPAN_PAGE: &str = "https://acme.sentry.io/explore/traces/trace/d099bf9ad5a143cf8f83a98081d0ed3b/?node=span-a1b2c3d4e5f60718";

fn fixture(path: &str) -> String {
    let file = format!("{}/tests/fixtures/api/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn target_of(url: &str) -> Target {
    let page = classify_url(url).unwrap_or_else(|| panic!("not a Sentry URL: {url}"));
    target(&page).unwrap_or_else(|| panic!("no API target for {url}"))
}

fn ok(body: &str) -> Reply {
    Reply {
        status: 200,
        body: body.to_owned(),
        ..Reply::default()
    }
}

fn status(status: u16) -> Reply {
    Reply {
        status,
        body: r#"{"detail": "x"}"#.to_owned(),
        ..Reply::default()
    }
}

fn ask(reads: &ApiReads, target: &Target) -> Request {
    match reads.next(target, 0.0) {
        Next::Ask(request) => request,
        other => panic!("expected a request, got {other:?}"),
    }
}

/// Reads a target to the end against the fixture API's replies, returning the URLs asked.
fn read_all(reads: &mut ApiReads, target: &Target, replies: &[&str]) -> Vec<String> {
    let mut asked = Vec::new();
    for reply in replies {
        let request = ask(reads, target);
        asked.push(request.url.clone());
        reads
            .answer(target, request.ask, &ok(reply), 0.0)
            .unwrap_or_else(|p| panic!("{}: {p:?}", request.url));
    }
    asked
}

fn pairs(facts: &[RawFact]) -> Vec<(&str, &str)> {
    facts
        .iter()
        .map(|f| (f.key.as_str(), f.value.as_str()))
        .collect()
}

#[test]
fn an_event_page_asks_the_organization_then_the_event_at_its_region() {
    let target = target_of(EVENT_PAGE);
    let mut reads = ApiReads::default();
    let asked = read_all(
        &mut reads,
        &target,
        &[
            &fixture("organizations/acme.json"),
            &fixture("events/1a2b3c4d5e6f40718293a4b5c6d7e8f9.json"),
        ],
    );
    assert_eq!(
        asked,
        [
            "https://acme.sentry.io/api/0/organizations/acme/",
            "https://us.sentry.io/api/0/organizations/acme/issues/6123456792/events/1a2b3c4d5e6f40718293a4b5c6d7e8f9/",
        ]
    );
    let Next::Done(facts) = reads.next(&target, 0.0) else {
        panic!("the event was read");
    };
    let facts = pairs(&facts);
    for expected in [
        ("event_id", "1a2b3c4d5e6f40718293a4b5c6d7e8f9"),
        ("user", "id:u-1702"),
        ("user.id", "u-1702"),
        ("trace_id", "6c1f0e2d3b4a59687a6b5c4d3e2f1a0b"),
        ("span_id", "7d8e9f0a1b2c3d4e"),
        ("mcp.session.id", "sess_9QX3"),
        (
            "gen_ai.tool.call.arguments.query",
            "is:unresolved <b>release:web@1.4.2</b>",
        ),
        ("http.route", "/mcp"),
    ] {
        assert!(facts.contains(&expected), "{expected:?} in {facts:?}");
    }
    assert!(
        !facts.iter().any(|(k, _)| k.starts_with("runtime")),
        "contexts other than trace are not read"
    );
}

#[test]
fn an_issue_page_reads_the_recommended_event_also_by_short_id() {
    let target = target_of("https://acme.sentry.io/issues/MCP-SERVER-1A/?project=42");
    assert_eq!(
        target.item,
        Item::Event {
            issue: "MCP-SERVER-1A".into(),
            event: "recommended".into()
        }
    );
    let mut reads = ApiReads::default();
    read_all(&mut reads, &target, &[&fixture("organizations/acme.json")]);
    assert_eq!(
        ask(&reads, &target).url,
        "https://us.sentry.io/api/0/organizations/acme/issues/MCP-SERVER-1A/events/recommended/"
    );
}

#[test]
fn a_span_page_finds_the_project_in_the_trace_then_reads_every_attribute() {
    let target = target_of(SPAN_PAGE);
    let mut reads = ApiReads::default();
    let asked = read_all(
        &mut reads,
        &target,
        &[
            &fixture("organizations/acme.json"),
            &fixture("traces/d099bf9ad5a143cf8f83a98081d0ed3b.json"),
            &fixture("trace-items/mcp-server/a1b2c3d4e5f60718.json"),
        ],
    );
    assert_eq!(asked.len(), MAX_READS_PER_PAGE, "{asked:?}");
    assert_eq!(
        asked[2],
        "https://us.sentry.io/api/0/projects/acme/mcp-server/trace-items/a1b2c3d4e5f60718/?item_type=spans&trace_id=d099bf9ad5a143cf8f83a98081d0ed3b"
    );
    let Next::Done(facts) = reads.next(&target, 0.0) else {
        panic!("the span was read");
    };
    let facts = pairs(&facts);
    for expected in [
        ("span_id", "a1b2c3d4e5f60718"),
        ("app.server.mode.agent", "true"),
        ("gen_ai.tool.call.result.count", "0"),
        ("http.response.status_code", "200"),
        ("precise.start_ts", "1796638364.2"),
        ("trace", "d099bf9ad5a143cf8f83a98081d0ed3b"),
    ] {
        assert!(facts.contains(&expected), "{expected:?} in {facts:?}");
    }
}

#[test]
fn a_second_page_of_the_same_item_asks_nothing() {
    let target = target_of(EVENT_PAGE);
    let mut reads = ApiReads::default();
    read_all(
        &mut reads,
        &target,
        &[
            &fixture("organizations/acme.json"),
            &fixture("events/1a2b3c4d5e6f40718293a4b5c6d7e8f9.json"),
        ],
    );
    let again = target_of(&format!("{EVENT_PAGE}?statsPeriod=7d"));
    assert!(matches!(reads.next(&again, 0.0), Next::Done(_)));
}

#[test]
fn pages_without_an_item_or_an_organization_ask_nothing() {
    for url in [
        "https://acme.sentry.io/explore/logs/",
        "https://acme.sentry.io/explore/traces/trace/d099bf9ad5a143cf8f83a98081d0ed3b/",
        "https://sentry.io/issues/6123456792/",
    ] {
        let page = classify_url(url).expect("a Sentry URL");
        assert_eq!(target(&page), None, "{url}");
    }
}

#[test]
fn each_status_and_failure_names_its_problem() {
    let target = target_of(EVENT_PAGE);
    let cases = [
        (status(401), Problem::SignedOut),
        (status(403), Problem::NoAccess),
        (status(404), Problem::NotFound),
        (status(500), Problem::Unreachable),
        (
            status(302),
            Problem::Unexpected {
                what: "an unexpected HTTP status",
            },
        ),
        (
            Reply {
                failure: Some("timeout".into()),
                ..Reply::default()
            },
            Problem::Slow,
        ),
        (
            Reply {
                failure: Some("unreachable".into()),
                ..Reply::default()
            },
            Problem::Unreachable,
        ),
        (
            Reply {
                failure: Some("too-large".into()),
                ..Reply::default()
            },
            Problem::Unexpected {
                what: "a reply larger than 4 MB",
            },
        ),
        (
            ok(r#"{"tags": [{"key": "user", "value": "#),
            Problem::Unexpected {
                what: "a reply that is not JSON",
            },
        ),
    ];
    for (reply, problem) in cases {
        let mut reads = ApiReads::default();
        assert_eq!(
            reads.answer(&target, Ask::Region, &reply, 0.0),
            Err(problem),
            "{reply:?}"
        );
        assert!(!problem.message().is_empty());
    }
}

#[test]
fn a_429_holds_every_request_until_sentrys_reset() {
    let target = target_of(EVENT_PAGE);
    let mut reads = ApiReads::default();
    let now_ms = 1_000_000.0;
    let limited = Reply {
        status: 429,
        body: r#""You are attempting to use this endpoint too frequently.""#.into(),
        rate_limit_reset: Some("1030".into()),
        ..Reply::default()
    };
    let problem = Problem::RateLimited { retry_after_s: 30 };
    assert_eq!(
        reads.answer(&target, Ask::Region, &limited, now_ms),
        Err(problem)
    );
    assert_eq!(reads.next(&target, now_ms + 29_000.0), Next::Held(problem));
    assert!(matches!(
        reads.next(&target, now_ms + 30_000.0),
        Next::Ask(_)
    ));
    let with_retry_after = Reply {
        retry_after: Some("5".into()),
        ..limited
    };
    assert_eq!(
        reads.answer(&target, Ask::Region, &with_retry_after, now_ms),
        Err(Problem::RateLimited { retry_after_s: 5 })
    );
}

#[test]
fn a_region_elsewhere_is_refused_and_missing_links_mean_the_pages_origin() {
    let target = target_of(EVENT_PAGE);
    for region in [
        "https://evil.example",
        "http://us.sentry.io",
        "https://user@us.sentry.io",
        "https://us.sentry.io/path",
        "https://us.sentry.io.evil.example",
        "javascript:alert(1)",
    ] {
        let body = serde_json::json!({"slug": "acme", "links": {"regionUrl": region}}).to_string();
        let mut reads = ApiReads::default();
        assert!(
            reads.answer(&target, Ask::Region, &ok(&body), 0.0).is_err(),
            "{region}"
        );
    }
    let mut reads = ApiReads::default();
    reads
        .answer(&target, Ask::Region, &ok(r#"{"slug": "acme"}"#), 0.0)
        .expect("an older Sentry without links");
    assert!(ask(&reads, &target)
        .url
        .starts_with("https://acme.sentry.io/api/0/"));
}

#[test]
fn hostile_and_malformed_replies_never_panic_and_are_bounded() {
    let target = target_of(SPAN_PAGE);
    let deep = "[".repeat(10_000) + &"]".repeat(10_000);
    let wide = serde_json::json!({
        "itemId": "a1b2c3d4e5f60718",
        "attributes": (0..5_000).map(|i| serde_json::json!({"name": format!("k{i}"), "type": "str", "value": "v"})).collect::<Vec<_>>(),
    })
    .to_string();
    let bodies = [
        "null",
        "[]",
        "\"a string\"",
        r#"{"attributes": "no"}"#,
        r#"{"attributes": [1, null, {"name": 3, "value": "x"}, {"name": "k"}]}"#,
        deep.as_str(),
        wide.as_str(),
    ];
    for body in bodies {
        for step in [Ask::Region, Ask::Project, Ask::Item] {
            let mut reads = ApiReads::default();
            let _ = reads.answer(&target, step, &ok(body), 0.0);
        }
    }
    let mut reads = ApiReads::default();
    reads
        .answer(&target, Ask::Item, &ok(&wide), 0.0)
        .expect("a wide reply is read");
    let Next::Done(facts) = reads.next(&target, 0.0) else {
        panic!("read");
    };
    assert_eq!(facts.len(), MAX_FACTS_PER_ITEM);
    let event = target_of(EVENT_PAGE);
    let nested = serde_json::json!({"contexts": {"trace": {"data": serde_json::from_str::<Value>(&("{\"a\":".repeat(100) + "1" + &"}".repeat(100))).unwrap_or_default()}}});
    let mut reads = ApiReads::default();
    reads
        .answer(&event, Ask::Item, &ok(&nested.to_string()), 0.0)
        .expect("deep data is cut, not refused");
}

#[test]
fn api_facts_are_read_like_the_pages_and_win_where_the_item_shows_another_form() {
    let runbook = Runbook::bundled();
    let page = classify_url(EVENT_PAGE).expect("a Sentry URL");
    let raw = RawFacts {
        url: EVENT_PAGE.into(),
        facts: vec![
            RawFact {
                source: FactSource::Tag,
                key: "http.route".into(),
                value: "/mcp".into(),
                section: String::new(),
            },
            RawFact {
                source: FactSource::Tag,
                key: "mcp.session.id".into(),
                value: "sess_9Q".into(),
                section: String::new(),
            },
        ],
        failed_rules: Vec::new(),
    };
    let mut reads = ApiReads::default();
    let target = target(&page).expect("an event");
    read_all(
        &mut reads,
        &target,
        &[
            &fixture("organizations/acme.json"),
            &fixture("events/1a2b3c4d5e6f40718293a4b5c6d7e8f9.json").replace(
                "{{TOKEN}}",
                "sntryu_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            ),
        ],
    );
    let Next::Done(api) = reads.next(&target, 0.0) else {
        panic!("read");
    };
    let pivots =
        recognise_remembering(&runbook, &page, &raw, &api, &mut FactMemory::default()).pivots;
    let find = |key: &str| {
        pivots
            .iter()
            .filter(|p| p.key == key)
            .map(|p| (p.value.as_str(), p.source))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        find("http.route"),
        [("/mcp", FactSource::Tag)],
        "agreeing: the page's source"
    );
    assert_eq!(
        find("mcp.session.id"),
        [("sess_9QX3", FactSource::Api)],
        "the API's value wins"
    );
    assert_eq!(
        find("user.id"),
        [("u-1702", FactSource::Api)],
        "only the API had it"
    );
    let referrer = pivots
        .iter()
        .find(|p| p.key == "app.referrer.family")
        .expect("the token-bearing value is a pivot");
    assert!(referrer.secret && !referrer.value.contains("0123456789abcdef0123"));
    assert!(find("user.email").is_empty(), "[Filtered] is a placeholder");
}

#[test]
fn the_background_sends_only_api_gets_to_this_pages_sentry() {
    let page = classify_url(EVENT_PAGE).expect("a Sentry URL");
    for allowed in [
        "https://acme.sentry.io/api/0/organizations/acme/",
        "https://us.sentry.io/api/0/organizations/acme/issues/1/events/recommended/",
    ] {
        assert_eq!(checked_request(allowed, &page), Ok(()), "{allowed}");
    }
    for refused in [
        "https://evil.example/api/0/organizations/acme/",
        "http://us.sentry.io/api/0/organizations/acme/",
        "https://user:pw@us.sentry.io/api/0/organizations/acme/",
        "https://us.sentry.io/organizations/acme/",
        "https://us.sentry.io/api/0/../settings/",
        "https://us.sentry.io:8443/api/0/organizations/acme/",
        "https://us.sentry.io/api/0/organizations/sntryu_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef/",
    ] {
        assert!(checked_request(refused, &page).is_err(), "{refused}");
    }
    let self_hosted = crate::core::recognition::page::classify_url_with_hosts(
        "https://sentry.example.com/organizations/acme/issues/1/",
        &["sentry.example.com"],
    )
    .expect("a self-hosted page");
    assert!(checked_request(
        "https://us.sentry.io/api/0/organizations/acme/",
        &self_hosted
    )
    .is_err());
    assert_eq!(
        checked_request(
            "https://sentry.example.com/api/0/organizations/acme/",
            &self_hosted
        ),
        Ok(())
    );
}
