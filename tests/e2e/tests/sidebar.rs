//! The sidebar as an engineer uses it: open and close, remembered width, filter, copy, live theme,
//! and zero axe-core violations.

use anyhow::{ensure, Context, Result};
use pivot_lens_e2e::{both_browsers, workspace_root, Session};
use serde_json::Value;
use thirtyfour::prelude::*;

const EVENT_PAGE: &str =
    "acme.sentry.io/issues/6123456789/events/7b4c2f9a0c1d4e5f8a9b0c1d2e3f4a5b/";

async fn host_attribute(s: &Session, name: &str) -> Result<String> {
    s.driver.enter_default_frame().await?;
    let value = s
        .driver
        .execute(
            "return document.querySelector('[data-pivot-lens]').getAttribute(arguments[0]);",
            vec![Value::from(name)],
        )
        .await?;
    Ok(value.json().as_str().unwrap_or_default().to_owned())
}

async fn wait_host_attribute(s: &Session, name: &str, wanted: &str) -> Result<()> {
    for _ in 0..100 {
        if host_attribute(s, name).await? == wanted {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    anyhow::bail!(
        "host {name} never became {wanted:?} (is {:?})",
        host_attribute(s, name).await?
    )
}

/// Opens the collapsed sidebar with its tab, waits for the frame to grow, and stays in the frame.
async fn open_sidebar(s: &Session) -> Result<()> {
    s.enter_sidebar().await?;
    s.driver.find(By::Css(".pl-tab")).await?.click().await?;
    wait_host_attribute(s, "data-pl-open", "true").await?;
    s.enter_sidebar().await
}

async fn open_and_width_are_remembered(s: &Session) -> Result<()> {
    s.open(EVENT_PAGE).await?;
    s.wait_ready().await?;
    wait_host_attribute(s, "data-pl-open", "false").await?;
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
    wait_host_attribute(s, "data-pl-open", "true").await?;

    s.driver.refresh().await?;
    s.wait_ready().await?;
    wait_host_attribute(s, "data-pl-open", "true").await?;
    let style = host_attribute(s, "style").await?;
    ensure!(
        style.contains("--pl-width: 420px"),
        "width after reload: {style}"
    );

    // The close button collapses it again, and that is remembered too.
    s.enter_sidebar().await?;
    s.driver.find(By::Css(".pl-close")).await?.click().await?;
    wait_host_attribute(s, "data-pl-open", "false").await?;
    Ok(())
}

async fn filter_narrows_pivots_and_queries(s: &Session) -> Result<()> {
    s.open(EVENT_PAGE).await?;
    s.wait_ready().await?;
    let count = "return [document.querySelectorAll('[data-testid=\"pl-pivot\"]').length,
                         document.querySelectorAll('[data-testid=\"pl-recipe\"]').length];";
    let before = s.in_sidebar(count).await?;
    open_sidebar(s).await?;
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
    open_sidebar(s).await?;
    s.driver
        .find(By::Css(
            "[data-testid='pl-pivot'][data-key='event_id'] .pl-copy",
        ))
        .await?
        .click()
        .await?;
    let status = s
        .driver
        .find(By::Css(
            "[data-testid='pl-pivot'][data-key='event_id'] .pl-status",
        ))
        .await?;
    ensure!(
        status.text().await? == "Copied",
        "status: {}",
        status.text().await?
    );
    s.driver.enter_default_frame().await?;
    let copied = s.read_clipboard().await?;
    ensure!(
        copied == "7b4c2f9a0c1d4e5f8a9b0c1d2e3f4a5b",
        "clipboard holds {copied:?}"
    );
    Ok(())
}

async fn axe_reports_no_violations(s: &Session) -> Result<()> {
    let axe = std::fs::read_to_string(workspace_root().join("node_modules/axe-core/axe.min.js"))
        .context("axe-core is installed by ./build.sh (npm ci)")?;
    for open in [false, true] {
        s.open(EVENT_PAGE).await?;
        s.wait_ready().await?;
        if open {
            open_sidebar(s).await?;
        } else {
            s.enter_sidebar().await?;
        }
        s.driver.execute(&axe, vec![]).await?;
        let violations = s
            .driver
            .execute(
                "return axe.run(document, { resultTypes: ['violations'] })
                   .then(r => r.violations.map(v => v.id + ' (' + v.nodes.length + '): ' + v.nodes[0].target.join(' ')));",
                vec![],
            )
            .await?;
        s.driver.enter_default_frame().await?;
        ensure!(
            violations.json() == &Value::Array(vec![]),
            "open={open}: axe violations {}",
            violations.json()
        );
    }
    Ok(())
}

both_browsers!(
    open_and_width_are_remembered,
    filter_narrows_pivots_and_queries,
    theme_follows_the_page_live,
    copy_puts_the_full_value_on_the_clipboard,
    axe_reports_no_violations,
);
