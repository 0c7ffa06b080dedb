//! The sidebar as an engineer uses it: open and close, remembered width, filter, copy, live theme,
//! and zero axe-core violations.

use anyhow::{ensure, Context, Result};
use pivot_lens_e2e::{axe_violations, both_browsers, fixture_pages, Browser, Session};
use serde_json::Value;
use thirtyfour::prelude::*;

const EVENT_PAGE: &str =
    "acme.sentry.io/issues/6123456789/events/7b4c2f9a0c1d4e5f8a9b0c1d2e3f4a5b/";

async fn open_and_width_are_remembered(s: &Session) -> Result<()> {
    s.open(EVENT_PAGE).await?;
    s.wait_ready().await?;
    s.wait_host_attribute("data-pl-open", "false").await?;
    s.enter_sidebar().await?;
    s.driver.find(By::Css(".pl-tab")).await?.click().await?;
    let handle = s.driver.find(By::Css("[data-testid='pl-resize']")).await?;
    handle.send_keys(Key::Left).await?;
    handle.send_keys(Key::Left).await?;
    let width = handle.attr("aria-valuenow").await?;
    ensure!(
        width.as_deref() == Some("420"),
        "two steps wider than 380: {width:?}"
    );
    s.wait_host_attribute("data-pl-open", "true").await?;

    s.driver.refresh().await?;
    s.wait_ready().await?;
    s.wait_host_attribute("data-pl-open", "true").await?;
    let style = s.host_attribute("style").await?;
    ensure!(
        style.contains("--pl-width: 420px"),
        "width after reload: {style}"
    );

    // The close button collapses it again, and that is remembered too.
    s.enter_sidebar().await?;
    s.driver.find(By::Css(".pl-close")).await?.click().await?;
    s.wait_host_attribute("data-pl-open", "false").await?;
    Ok(())
}

async fn filter_narrows_pivots_and_queries(s: &Session) -> Result<()> {
    s.open(EVENT_PAGE).await?;
    s.wait_ready().await?;
    let count = "return [document.querySelectorAll('[data-testid=\"pl-pivot\"]').length,
                         document.querySelectorAll('[data-testid=\"pl-recipe\"]').length];";
    let before = s.in_sidebar(count).await?;
    s.open_sidebar().await?;
    s.driver
        .find(By::Css("[data-testid='pl-filter']"))
        .await?
        .send_keys("route")
        .await?;
    s.driver.enter_default_frame().await?;
    let after = s
        .sidebar_until(
            "const keys = [...document.querySelectorAll('[data-testid=\"pl-pivot\"]')].map(p => p.dataset.key);
             return keys.length && keys.every(k => k.includes('route')) && keys;",
        )
        .await?;
    let counts = s.in_sidebar(count).await?;
    ensure!(
        counts[0].as_u64() < before[0].as_u64(),
        "pivots {before} → {counts} ({after})"
    );
    ensure!(
        counts[1].as_u64() < before[1].as_u64(),
        "recipes {before} → {counts}"
    );
    Ok(())
}

async fn theme_follows_the_page_live(s: &Session) -> Result<()> {
    s.open(EVENT_PAGE).await?;
    s.wait_ready().await?;
    let theme = "return document.documentElement.dataset.theme;";
    ensure!(
        s.in_sidebar(theme).await? == "light",
        "the event fixture is light"
    );
    s.driver
        .execute("document.querySelector('meta[name=\"color-scheme\"]').setAttribute('content', 'dark');", vec![])
        .await?;
    s.sidebar_until("return document.documentElement.dataset.theme === 'dark';")
        .await?;
    Ok(())
}

async fn copy_puts_the_full_value_on_the_clipboard(s: &Session) -> Result<()> {
    s.open(EVENT_PAGE).await?;
    s.wait_ready().await?;
    s.open_sidebar().await?;
    s.driver
        .find(By::Css(
            "[data-testid='pl-pivot'][data-key='event_id'] .pl-copy",
        ))
        .await?
        .click()
        .await?;
    s.driver.enter_default_frame().await?;
    // "Copied" appears only once the browser has written the clipboard.
    s.sidebar_until(
        "return document.querySelector(\"[data-testid='pl-pivot'][data-key='event_id'] .pl-status\").textContent === 'Copied';",
    )
    .await?;
    let copied = s.read_clipboard().await?;
    ensure!(
        copied == "7b4c2f9a0c1d4e5f8a9b0c1d2e3f4a5b",
        "clipboard holds {copied:?}"
    );
    Ok(())
}

/// WCAG 2.2 AA (target size included), in both themes (the event page is light, the span page
/// dark), with the panel open and collapsed: each page is scanned as it opens, then again after
/// the visible `pl-toggle` (the tab or the close button) switched the panel.
async fn axe_reports_no_violations(s: &Session) -> Result<()> {
    let span_page = "acme.sentry.io/explore/traces/trace/4bf92f3577b34da6a3ce929d0e0e4736/?node=span-00f067aa0ba902b7&source=traces&statsPeriod=24h";
    let mut scanned = Vec::new();
    for page in [EVENT_PAGE, span_page] {
        s.open(page).await?;
        s.wait_ready().await?;
        for _ in 0..2 {
            let open = s.host_attribute("data-pl-open").await?;
            s.enter_sidebar().await?;
            let violations = axe_violations(s).await?;
            let theme = s
                .driver
                .execute("return document.documentElement.dataset.theme;", vec![])
                .await?
                .json()
                .clone();
            ensure!(
                violations == Value::Array(vec![]),
                "{page} open={open} theme={theme}: axe violations {violations}"
            );
            scanned.push(format!("{theme}/{open}"));
            for toggle in s
                .driver
                .find_all(By::Css("[data-testid='pl-toggle']"))
                .await?
            {
                if toggle.is_displayed().await? {
                    toggle.click().await?;
                    break;
                }
            }
            let other = if open == "true" { "false" } else { "true" };
            s.wait_host_attribute("data-pl-open", other).await?;
        }
    }
    scanned.sort();
    scanned.dedup();
    ensure!(
        scanned
            == [
                "\"dark\"/false",
                "\"dark\"/true",
                "\"light\"/false",
                "\"light\"/true"
            ],
        "both themes, open and collapsed: {scanned:?}"
    );
    Ok(())
}

/// The keyboard command (Alt+Shift+Y) cannot be pressed through WebDriver, so the test calls the
/// same background handler the browser's `commands.onCommand` calls, for the Sentry tab.
async fn command_toggles_the_sidebar(s: &Session) -> Result<()> {
    s.open(EVENT_PAGE).await?;
    s.wait_ready().await?;
    s.wait_host_attribute("data-pl-open", "false").await?;
    let page = s.driver.window().await?;
    let base = s.extension_base().await?;
    s.open_extension_page(&base, "options.html").await?;
    let answer = s
        .driver
        .execute(
            "const api = globalThis.browser ?? globalThis.chrome;
             return api.tabs.query({ url: '*://acme.sentry.io/*' }).then(([tab]) =>
               api.runtime.sendMessage({ type: 'pivot-lens:test-command', command: 'toggle-sidebar', tabId: tab.id }));",
            vec![],
        )
        .await?;
    ensure!(
        answer.json() == &serde_json::json!({ "done": true }),
        "command: {}",
        answer.json()
    );
    s.driver.close_window().await?;
    s.driver.switch_to_window(page).await?;
    s.wait_host_attribute("data-pl-open", "true").await?;
    s.sidebar_until(
        "return document.querySelector('[data-testid=\"pl-sidebar\"]').dataset.open === 'true';",
    )
    .await?;
    Ok(())
}

/// Esc inside the sidebar hands focus back to the page.
async fn escape_returns_focus_to_the_page(s: &Session) -> Result<()> {
    s.open(EVENT_PAGE).await?;
    s.wait_ready().await?;
    s.open_sidebar().await?;
    let filter = s.driver.find(By::Css("[data-testid='pl-filter']")).await?;
    filter.click().await?;
    s.driver.enter_default_frame().await?;
    let focus_in_sidebar =
        "return document.activeElement === document.querySelector('[data-pivot-lens]');";
    ensure!(
        s.driver.execute(focus_in_sidebar, vec![]).await?.json() == true,
        "the filter has focus first"
    );
    s.enter_sidebar().await?;
    s.driver
        .find(By::Css("[data-testid='pl-filter']"))
        .await?
        .send_keys(Key::Escape)
        .await?;
    s.driver.enter_default_frame().await?;
    for _ in 0..100 {
        let focus = s
            .driver
            .execute(
                "return document.activeElement === document.querySelector('[data-pivot-lens]');",
                vec![],
            )
            .await?;
        if focus.json() == false {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    anyhow::bail!("focus stayed in the sidebar after Esc")
}

/// A live page (a logs table growing by infinite scroll) adds rows to the sidebar without rebuilding
/// it: the rows already shown are the same elements, and the filter being typed in keeps its focus
/// and text. Its many trace ids explain `trace_id` once.
async fn a_live_page_adds_rows_without_rebuilding(s: &Session) -> Result<()> {
    let pages: std::collections::BTreeMap<String, String> = fixture_pages()?.into_iter().collect();
    let logs = pages.get("bench-logs").context("the bench-logs fixture")?;
    s.open(&format!("{logs}&rows=20&appends=0")).await?;
    s.wait_ready().await?;
    s.open_sidebar().await?;
    s.driver
        .find(By::Css("[data-testid='pl-filter']"))
        .await?
        .send_keys("trace")
        .await?;
    let pivots = "document.querySelectorAll('[data-testid=\"pl-pivot\"]')";
    // One trace id per row (the fixture's first row has the all-zero id, which is no trace id).
    let before = s
        .driver
        .execute(
            &format!("const rows = {pivots}; rows[0].plKept = true; return rows.length;"),
            vec![],
        )
        .await?
        .json()
        .as_u64()
        .unwrap_or_default();
    ensure!(before == 19, "trace id pivots before: {before}");
    s.driver.enter_default_frame().await?;
    // The fixture's own appender (bench-logs.js), as its infinite scroll would call it.
    s.driver.execute("appendLogRows(5);", vec![]).await?;
    let kept = s
        .sidebar_until(&format!(
            "const rows = {pivots};
             return rows.length === {before} + 5 && {{ kept: rows[0].plKept === true,
               focused: document.activeElement?.dataset.testid ?? null,
               filter: document.querySelector('[data-testid=\"pl-filter\"]').value,
               explained: document.querySelectorAll('.pl-pivots .pl-meaning').length }};"
        ))
        .await?;
    ensure!(
        kept == serde_json::json!({ "kept": true, "focused": "pl-filter", "filter": "trace", "explained": 1 }),
        "after 5 appended rows: {kept}"
    );
    Ok(())
}

/// Firefox runs the sidebar frame on the page's main thread, so a big result goes into the panel a
/// part per task there (`draw` tasks: 50 pivot rows or two checklist cards each); Chromium gives
/// the frame its own process, so it shows all of it in the task that shows the report, and the
/// page's `ready` does not wait for a rendering per part.
async fn a_big_result_comes_in_parts_only_on_the_pages_thread(s: &Session) -> Result<()> {
    let pages: std::collections::BTreeMap<String, String> = fixture_pages()?.into_iter().collect();
    let logs = pages.get("bench-logs").context("the bench-logs fixture")?;
    s.open(&format!("{logs}&rows=120&appends=0")).await?;
    s.wait_ready().await?;
    let shown = s
        .in_sidebar(
            r#"return {
                 pivots: document.querySelectorAll('[data-testid="pl-pivot"]').length,
                 cards: document.querySelectorAll('[data-testid="pl-scenario"]').length,
                 draws: performance.getEntriesByName("pivot-lens:sidebar")
                   .filter((m) => m.detail?.work === "draw").length,
               };"#,
        )
        .await?;
    let count = |key: &str| shown[key].as_u64().unwrap_or_default();
    ensure!(
        count("pivots") > 100 && count("cards") == 6,
        "the whole result is in the panel at ready: {shown}"
    );
    let draws = count("draws");
    match s.browser {
        Browser::Chromium => ensure!(draws == 0, "tasks that added a part later: {shown}"),
        // At least two more pivot parts and three of two checklist cards.
        Browser::Firefox => ensure!(draws >= 5, "tasks that added a part: {shown}"),
    }
    Ok(())
}

both_browsers!(
    a_big_result_comes_in_parts_only_on_the_pages_thread,
    a_live_page_adds_rows_without_rebuilding,
    command_toggles_the_sidebar,
    escape_returns_focus_to_the_page,
    open_and_width_are_remembered,
    filter_narrows_pivots_and_queries,
    theme_follows_the_page_live,
    copy_puts_the_full_value_on_the_clipboard,
    axe_reports_no_violations,
);
