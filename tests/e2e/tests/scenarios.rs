//! Scenario checklists: all six appear, ticks and notes survive a reload, a navigation to another
//! page of the same investigation and a browser restart on the same profile; the Markdown export
//! matches what was ticked; storage written by schema 1 is migrated and bad entries set aside.

use anyhow::{ensure, Context, Result};
use pivot_lens_e2e::{
    both_browsers, card_script, card_with_ticks, extension_under_test, tick, v1_progress_is_shown,
    Browser, Session,
};
use serde_json::Value;

const EVENT_PAGE: &str =
    "acme.sentry.io/issues/6123456789/events/7b4c2f9a0c1d4e5f8a9b0c1d2e3f4a5b/";
/// The span view of the event's trace: the same investigation, another page.
const TRACE_PAGE: &str = "acme.sentry.io/explore/traces/trace/4bf92f3577b34da6a3ce929d0e0e4736/?node=span-00f067aa0ba902b7&source=traces&statsPeriod=24h";
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const TOOLS: &str = "mcp-tool-execution";
const TICKED: [&str; 2] = ["trace", "attribute-gen-ai-tool-name"];

async fn the_six_scenarios_remember_progress(s: &Session) -> Result<()> {
    s.open(EVENT_PAGE).await?;
    s.wait_ready().await?;
    let ids = s
        .in_sidebar(
            r#"return [...document.querySelectorAll('[data-testid="pl-scenario"]')]
                 .map(c => c.getAttribute('data-scenario-id')).sort();"#,
        )
        .await?;
    ensure!(
        ids == serde_json::json!([
            "agent-and-genai",
            "cloudflare-http-server",
            "mcp-tool-execution",
            "oauth-and-client-registration",
            "resource-resolution",
            "stdio-transport"
        ]),
        "scenarios shown: {ids}"
    );
    let suggested = s
        .in_sidebar(&format!(
            r#"return document.querySelector('[data-scenario-id="{TOOLS}"]').getAttribute('data-suggested');"#
        ))
        .await?;
    ensure!(
        suggested == "true",
        "the tool name on the page suggests {TOOLS}"
    );

    for step in TICKED {
        tick(s, TOOLS, step).await?;
    }
    // The note's textarea is built when the note is opened, as a click on "Note" does.
    s.in_sidebar(&format!(
        r#"document.querySelector('[data-scenario-id="{TOOLS}"] [data-step-id="trace"] details.pl-step-note').open = true;
           return true;"#
    ))
    .await?;
    s.sidebar_until(&format!(
        r#"const area = document.querySelector('[data-scenario-id="{TOOLS}"] [data-step-id="trace"] textarea');
           if (!area) return false;
           area.value = 'search_events failed at 14:02';
           area.dispatchEvent(new Event('change', {{ bubbles: true }}));
           return true;"#
    ))
    .await?;
    let card = card_with_ticks(s, TOOLS, &TICKED).await?;
    let investigation = card["investigation"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    ensure!(
        investigation.starts_with(TOOLS),
        "an investigation was started: {card}"
    );

    // The export says what the card says.
    let markdown = s
        .sidebar_until(&format!(
            "const state = (() => {{ {} }})();
             return state && state.export && state.export.includes('Note: search_events') && state.export;",
            card_script(TOOLS)
        ))
        .await?;
    let markdown = markdown.as_str().unwrap_or_default();
    ensure!(
        markdown.starts_with("## MCP Tool Execution\n"),
        "{markdown}"
    );
    ensure!(
        markdown.contains(&format!("- `trace_id`: `{TRACE_ID}`")),
        "{markdown}"
    );
    ensure!(
        markdown.contains("- [x] Pivot to the trace of an affected request (trace_id)\n")
            && markdown.contains("- [x] Check the distribution of gen_ai.tool.name\n")
            && markdown.contains("  - Note: search_events failed at 14:02\n")
            && markdown.contains("- [ ] Check the distribution of mcp.tool.name\n"),
        "{markdown}"
    );
    ensure!(
        markdown.matches("- [x]").count() == TICKED.len(),
        "{markdown}"
    );
    ensure!(
        card["steps"].as_u64()
            == Some(
                (markdown.matches("\n- [x] ").count() + markdown.matches("\n- [ ] ").count())
                    as u64
            ),
        "every step of the card is in the export: {card}"
    );

    s.driver.refresh().await?;
    s.wait_ready().await?;
    let after_reload = card_with_ticks(s, TOOLS, &TICKED).await?;
    ensure!(after_reload["investigation"] == investigation.as_str());

    s.open(TRACE_PAGE).await?;
    s.wait_ready().await?;
    let on_trace = card_with_ticks(s, TOOLS, &TICKED).await?;
    ensure!(
        on_trace["investigation"] == investigation.as_str(),
        "the trace page continues the same investigation: {on_trace}"
    );
    ensure!(
        on_trace["export"]
            .as_str()
            .is_some_and(|e| e.contains("Note: search_events failed at 14:02")),
        "{on_trace}"
    );
    Ok(())
}

async fn older_storage_is_migrated_and_bad_entries_set_aside(s: &Session) -> Result<()> {
    s.open(EVENT_PAGE).await?;
    s.wait_ready().await?;
    let mut seed: Value = serde_json::from_str(include_str!("../../fixtures/storage/v1.json"))?;
    seed["pl.investigation.broken-1"] = serde_json::json!({ "schema": 2, "id": 5 });
    let seeded = s
        .in_extension_page(
            "await api.storage.local.set(arguments[0]); return true;",
            vec![seed],
        )
        .await?;
    ensure!(seeded == true, "seeding storage: {seeded}");

    s.driver.refresh().await?;
    s.wait_ready().await?;
    v1_progress_is_shown(s).await?;
    let notices = s
        .in_sidebar(
            r#"return [...document.querySelectorAll('[data-testid="pl-storage-notice"]')]
                 .map(n => [n.getAttribute('data-key'), n.textContent]);"#,
        )
        .await?;
    let text = notices.to_string();
    ensure!(
        text.contains("Migrated 2 checklist") && text.contains("pl.investigation.broken-1"),
        "notices: {text}"
    );

    // Storage now holds schema 2 only, and the broken entry under its quarantine key.
    let stored = s
        .in_extension_page("return await api.storage.local.get(null);", vec![])
        .await?;
    let keys: Vec<&String> = stored.as_object().context("storage")?.keys().collect();
    ensure!(
        !keys
            .iter()
            .any(|k| *k == "checklists" || *k == "pl.investigation.broken-1"),
        "{keys:?}"
    );
    ensure!(
        keys.iter()
            .any(|k| *k == "pl.quarantine.pl.investigation.broken-1")
            && keys
                .iter()
                .any(|k| *k == "pl.investigation.v1-oauth-and-client-registration"),
        "{keys:?}"
    );
    Ok(())
}

both_browsers!(
    the_six_scenarios_remember_progress,
    older_storage_is_migrated_and_bad_entries_set_aside
);

/// Ticks, quits the browser, starts it again on the same profile: the ticks are still there.
async fn ticks_survive_a_browser_restart(browser: Browser) -> Result<()> {
    let s = Session::start(browser, &extension_under_test(browser)).await?;
    s.open(EVENT_PAGE).await?;
    s.wait_ready().await?;
    for step in TICKED {
        tick(&s, TOOLS, step).await?;
    }
    let before = card_with_ticks(&s, TOOLS, &TICKED).await?;
    let s = s.restart().await?;
    s.open(TRACE_PAGE).await?;
    s.wait_ready().await?;
    let outcome = card_with_ticks(&s, TOOLS, &TICKED).await;
    if outcome.is_err() {
        s.save_screenshot("restart").await;
    }
    let after = outcome?;
    s.quit().await;
    ensure!(
        after["investigation"] == before["investigation"],
        "{before} / {after}"
    );
    Ok(())
}

both_browsers!(own_browser: ticks_survive_a_browser_restart);
