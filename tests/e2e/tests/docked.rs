//! Docked in the browser's own panel (Chrome's side panel, Firefox's sidebar): the same sidebar
//! page and contract, beside Sentry's page instead of over it. The panel shows the page of the
//! active tab, follows tab switches and navigations, says plainly when the tab is not Sentry, and
//! checklists, follow-ups and the tour work there.

use anyhow::{ensure, Context, Result};
use pivot_lens_e2e::{
    both_browsers, card_script, tick_script, until, Browser, PanelReader, Session,
};
use serde_json::Value;

const EVENT_PAGE: &str =
    "acme.sentry.io/issues/6123456789/events/7b4c2f9a0c1d4e5f8a9b0c1d2e3f4a5b/";
const TRACE_PAGE: &str =
    "acme.sentry.io/explore/traces/trace/3d6e9f2a5b8c1e4f7a0b3c6d9e2f5a8b/?source=traces";
const TOOLS: &str = "mcp-tool-execution";

/// Waits until the panel shows a page of `kind` (not the not-Sentry note) and returns what it
/// shows: whether docked and open, the pivots' keys and the follow-up links.
async fn panel_shows(s: &Session, reader: &PanelReader, kind: &str) -> Result<Value> {
    s.panel_until(
        reader,
        &format!(
            r#"const root = document.querySelector('[data-testid="pl-sidebar"]');
               if (root?.getAttribute('data-page-kind') !== '{kind}' || document.querySelector('[data-testid="pl-not-sentry"]')) return null;
               return {{
                 docked: root.getAttribute('data-docked'), open: root.getAttribute('data-open'),
                 pivots: [...document.querySelectorAll('[data-testid="pl-pivot"]')].map((p) => p.getAttribute('data-key')),
                 links: [...document.querySelectorAll('a[data-testid="pl-recipe-open"]')].map((a) => a.href),
               }};"#
        ),
    )
    .await
    .with_context(|| format!("the panel never showed a {kind} page"))
}

/// Docks the sidebar from the event page; returns the page's width before, the panel's reader and
/// what the panel shows.
async fn docked_on_the_event_page(s: &Session) -> Result<(i64, PanelReader, Value)> {
    s.open(EVENT_PAGE).await?;
    s.wait_ready().await?;
    let width_before = s.page_width().await?;
    s.dock().await?;
    let reader = s.open_panel_reader().await?;
    let shown = panel_shows(s, &reader, "event").await?;
    Ok((width_before, reader, shown))
}

async fn docked_panel_follows_the_tab_in_view(s: &Session) -> Result<()> {
    let (width_before, reader, shown) = docked_on_the_event_page(s).await?;
    ensure!(
        shown["docked"] == "true" && shown["open"] == "true",
        "the panel does not say it is docked and open: {shown}"
    );
    ensure!(
        shown["pivots"]
            .as_array()
            .is_some_and(|p| p.iter().any(|k| k == "event_id")),
        "no pivots: {shown}"
    );
    ensure!(
        shown["links"].as_array().is_some_and(|l| !l.is_empty()
            && l.iter().all(|u| u
                .as_str()
                .unwrap_or_default()
                .starts_with("https://acme.sentry.io/"))),
        "follow-ups: {shown}"
    );
    // Follow-up cards count what their query finds, docked too (through the tab the panel shows).
    s.panel_until(
        &reader,
        r#"return document.querySelector('[data-testid="pl-preview"][data-state="ok"]')?.getAttribute('data-count');"#,
    )
    .await
    .context("no follow-up count in the panel")?;
    // The page reflows beside the panel instead of lying under a frame.
    let width_docked = s.page_width().await?;
    ensure!(
        width_docked < width_before,
        "the page did not make room: {width_before} → {width_docked}"
    );
    // The page still says when its result is shown (the automation contract, docked too).
    s.wait_ready().await?;

    // A checklist tick in the panel survives a reload of the page.
    s.in_panel(
        &reader,
        &format!("{} return true;", tick_script(TOOLS, "trace")),
    )
    .await?;
    let trace_ticked = format!(
        "const c = (() => {{ {} }})(); return c && c.ticked.includes('trace');",
        card_script(TOOLS)
    );
    s.panel_until(&reader, &trace_ticked)
        .await
        .context("the tick did not show")?;
    s.driver.refresh().await?;
    s.wait_ready().await?;
    s.panel_until(&reader, &trace_ticked)
        .await
        .context("the tick did not survive the reload")?;

    // Navigation within the tab: the panel shows the new page, which (the choice remembered)
    // adds no frame of its own.
    s.open(TRACE_PAGE).await?;
    panel_shows(s, &reader, "trace").await?;
    ensure!(
        host_mode(s).await? == "docked:no frame",
        "a new page framed the sidebar while docked"
    );

    // A second Sentry tab, then a tab that is not Sentry, then back.
    let first = s.driver.window().await?;
    s.open_tab_beside_the_panel(&reader, &s.url(EVENT_PAGE))
        .await?;
    panel_shows(s, &reader, "event").await?;
    s.open_tab_beside_the_panel(&reader, "https://shop.example/")
        .await?;
    let elsewhere = s
        .panel_until(&reader, "return document.querySelector('[data-testid=\"pl-not-sentry\"]') && !!document.querySelector('[data-testid=\"pl-paste-id\"]');")
        .await
        .context("the panel did not say the tab is not Sentry")?;
    ensure!(elsewhere == true, "{elsewhere}");
    // Chrome shows its panel on Sentry tabs only; Firefox's sidebar belongs to the window.
    let width_elsewhere = s.page_width().await?;
    match s.browser {
        Browser::Chromium => ensure!(
            width_elsewhere == width_before,
            "Chrome kept the panel on a tab that is not Sentry ({width_elsewhere} px wide)"
        ),
        Browser::Firefox => ensure!(width_elsewhere == width_docked, "{width_elsewhere}"),
    }
    s.driver.switch_to_window(first).await?;
    panel_shows(s, &reader, "trace").await?;

    // The walkthrough runs in the panel.
    s.in_panel(
        &reader,
        "document.querySelector('[data-testid=\"pl-tour-start\"]').click(); return true;",
    )
    .await?;
    s.panel_until(
        &reader,
        "return !!document.querySelector('[data-testid=\"pl-tour\"]');",
    )
    .await
    .context("the tour did not start in the panel")?;

    // Undock: pages frame the sidebar again, at once.
    s.in_panel(
        &reader,
        "document.querySelector('[data-testid=\"pl-undock\"]').click(); return true;",
    )
    .await?;
    until(s, &format!("return ({HOST_MODE})() === 'frame:framed';"))
        .await
        .context("undocking did not bring the frame back")?;
    s.wait_ready().await?;
    Ok(())
}

/// Chrome's keyboard command closes the docked panel where it is open. It opens it too, but only a
/// real key press carries the user gesture `sidePanel.open` needs, which the test hook cannot;
/// closing needs none. (Firefox's `sidebarAction.toggle` needs the gesture both ways.)
async fn the_command_closes_chromes_docked_panel(s: &Session) -> Result<()> {
    let (width_before, reader, _) = docked_on_the_event_page(s).await?;
    ensure!(
        s.page_width().await? < width_before,
        "the panel did not open"
    );
    let answer = s
        .in_panel(
            &reader,
            "return api.tabs.query({ url: '*://acme.sentry.io/*' }).then(([tab]) =>
               api.runtime.sendMessage({ type: 'pivot-lens:test-command', command: 'toggle-sidebar', tabId: tab.id }));",
        )
        .await?;
    ensure!(answer["done"] == true, "command: {answer}");
    until(s, &format!("return innerWidth === {width_before};"))
        .await
        .context("the command left the docked panel open")?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_closes_chromes_docked_panel_chromium() {
    pivot_lens_e2e::run(Browser::Chromium, |s| {
        Box::pin(the_command_closes_chromes_docked_panel(s))
    })
    .await;
}

/// The page's host element: its mode and whether it holds our frame.
const HOST_MODE: &str = "() => { const h = document.querySelector('[data-pivot-lens]');
    return h && `${h.getAttribute('data-pl-mode')}:${h.shadowRoot.querySelector('iframe') ? 'framed' : 'no frame'}`; }";

async fn host_mode(s: &Session) -> Result<Value> {
    s.driver.enter_default_frame().await?;
    Ok(s.driver
        .execute(&format!("return ({HOST_MODE})();"), vec![])
        .await?
        .json()
        .clone())
}

both_browsers!(docked_panel_follows_the_tab_in_view);
