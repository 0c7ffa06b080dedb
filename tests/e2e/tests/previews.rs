//! Answers before the click (docs/query-translation.md "Previews"): every ready follow-up card in
//! view shows what its query finds. The fixture server answers Sentry's events endpoint by
//! evaluating the query it receives over tests/fixtures/api/rows, so a count is right only if the
//! query is.

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use pivot_lens_e2e::{both_browsers, Session};
use serde_json::{json, Value};

const SPAN_PAGE: &str = "acme.sentry.io/explore/traces/trace/4bf92f3577b34da6a3ce929d0e0e4736/?node=span-00f067aa0ba902b7&source=traces&statsPeriod=24h";

/// A recipe's slug, the count its card shows, and its top groups (label, count).
type Expected = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// What the dataset holds for each ready recipe on the span page: the count, and the top groups.
const EXPECTED: &[Expected] = &[
    (
        "trace-log-history-after-opening-a-sentry-event-or-span",
        "3",
        &[],
    ),
    (
        "captured-errors-for-a-route-tool-or-oauth-symptom",
        "2",
        &[],
    ),
    (
        "tool-execution-timeline-for-a-slow-or-failing-tool",
        "4",
        &[],
    ),
    (
        "mcp-mode-adoption-by-client-family",
        "375",
        &[
            ("claude-code · false · false", "200"),
            ("cursor · false · false", "120"),
            ("cursor · true · false", "30"),
            ("vscode · false · false", "15"),
            ("windsurf · false · false", "7"),
        ],
    ),
    ("local-rate-limit-volume-and-scope", "0", &[]),
    (
        "oauth-refresh-outcomes-by-client-family",
        "68",
        &[
            ("success · cursor", "40"),
            ("success · claude-code", "25"),
            ("invalid_grant · cursor", "3"),
        ],
    ),
    (
        "register-and-callback-volume-by-client-family",
        "11",
        &[
            ("app.oauth.register · cursor", "5"),
            ("app.oauth.callback_completed · cursor", "4"),
            ("app.oauth.register · claude-code", "2"),
        ],
    ),
    ("oauth-skill-adoption-by-client-family", "0", &[]),
    (
        "zero-result-search-sentry-tools-catalog-discovery-queries",
        "3",
        &[],
    ),
    (
        "agent-model-calls-for-provider-token-or-cost-symptoms",
        "2",
        &[],
    ),
];

/// Opens the sidebar with every card listed (the "Other queries" too).
async fn open_all_cards(s: &Session) -> Result<()> {
    s.open(SPAN_PAGE).await?;
    s.wait_ready().await?;
    s.open_sidebar().await?;
    s.in_sidebar(
        "for (const more of document.querySelectorAll('details.pl-more')) more.open = true;",
    )
    .await?;
    Ok(())
}

/// Brings one card into view and waits for its preview to be `state`; returns the preview.
async fn preview_of(s: &Session, recipe: &str, state: &str) -> Result<Value> {
    s.sidebar_until(&format!(
        r#"const card = document.querySelector('[data-testid="pl-recipe"][data-recipe-id="{recipe}"]');
           if (!card) return null;
           card.scrollIntoView({{ block: 'center' }});
           const preview = card.querySelector('[data-testid="pl-preview"]');
           if (preview?.dataset.state !== '{state}') return null;
           return {{ count: preview.dataset.count ?? null, zero: preview.dataset.zero ?? null,
                     text: preview.textContent,
                     groups: [...preview.querySelectorAll('[data-testid="pl-preview-group"]')]
                         .map((g) => [g.dataset.group, g.dataset.value]) }};"#
    ))
    .await
    .with_context(|| format!("{recipe}: no {state} preview"))
}

fn event_requests(s: &Session) -> Result<Vec<Value>> {
    Ok(s.fixture_requests()?
        .into_iter()
        .filter(|r| {
            r["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("/api/0/organizations/acme/events/"))
        })
        .collect())
}

async fn every_ready_card_counts_what_its_query_finds(s: &Session) -> Result<()> {
    open_all_cards(s).await?;
    for (recipe, count, groups) in EXPECTED {
        let preview = preview_of(s, recipe, "ok").await?;
        ensure!(preview["count"] == *count, "{recipe}: {preview}");
        ensure!(
            preview["zero"]
                == if *count == "0" {
                    json!("true")
                } else {
                    Value::Null
                },
            "{recipe}: zero is a finding: {preview}"
        );
        let expected: Vec<Value> = groups.iter().map(|(g, v)| json!([g, v])).collect();
        ensure!(
            preview["groups"] == json!(expected),
            "{recipe}: groups {preview}"
        );
    }
    let words = preview_of(s, EXPECTED[0].0, "ok").await?;
    ensure!(
        words["text"]
            .as_str()
            .unwrap_or_default()
            .contains("3 logs in the last 24 hours"),
        "the count in words: {words}"
    );
    // Cards that are not ready ask nothing and show no preview.
    let unready = s
        .in_sidebar(r#"return document.querySelectorAll('[data-testid="pl-recipe"][data-ready="false"] [data-testid="pl-preview"]').length;"#)
        .await?;
    ensure!(unready == 0, "a card that is not ready shows a preview");
    // Every request was the events endpoint at the region, with the session.
    let requests = event_requests(s)?;
    ensure!(
        requests
            .iter()
            .all(|r| r["Host"] == "us.sentry.io" && r["session"] == true && r["method"] == "GET"),
        "{requests:#?}"
    );
    // The refresh control asks again, past the minute's cache.
    let before = requests.len();
    s.in_sidebar(&format!(
        r#"document.querySelector('[data-recipe-id="{}"] .pl-preview-refresh').click();"#,
        EXPECTED[0].0
    ))
    .await?;
    preview_of(s, EXPECTED[0].0, "ok").await?;
    let start = std::time::Instant::now();
    while event_requests(s)?.len() <= before {
        ensure!(
            start.elapsed() < Duration::from_secs(10),
            "refresh asked nothing"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

async fn an_error_shows_on_its_card_only(s: &Session) -> Result<()> {
    s.open(SPAN_PAGE).await?;
    s.driver
        .execute(
            "document.cookie = 'pl-api-events=spans:500; domain=sentry.io; path=/; secure';",
            vec![],
        )
        .await?;
    open_all_cards(s).await?;
    let failed = preview_of(
        s,
        "zero-result-search-sentry-tools-catalog-discovery-queries",
        "error",
    )
    .await?;
    ensure!(
        failed["text"]
            .as_str()
            .unwrap_or_default()
            .contains("could not be reached"),
        "{failed}"
    );
    preview_of(
        s,
        "trace-log-history-after-opening-a-sentry-event-or-span",
        "ok",
    )
    .await?;
    preview_of(s, "oauth-refresh-outcomes-by-client-family", "ok").await?;
    Ok(())
}

async fn with_the_option_off_no_preview_is_asked(s: &Session) -> Result<()> {
    s.write_storage("settings", json!({ "previews": false }))
        .await?;
    open_all_cards(s).await?;
    let off = preview_of(s, EXPECTED[0].0, "off").await?;
    ensure!(off["count"].is_null(), "{off}");
    // Turning reading Sentry's API off turns the previews off as well.
    s.write_storage("settings", json!({ "api_reads": false }))
        .await?;
    s.open(SPAN_PAGE).await?; // the panel stays open: the engineer opened it
    s.wait_ready().await?;
    preview_of(s, EXPECTED[0].0, "off").await?;
    s.nothing_asked("/api/0/organizations/acme/events/", "with previews off")
        .await
}

both_browsers!(
    every_ready_card_counts_what_its_query_finds,
    an_error_shows_on_its_card_only,
    with_the_option_off_no_preview_is_asked,
);
