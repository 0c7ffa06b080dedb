//! The options page drives the sidebar: an imported runbook is used at once (and a broken one
//! changes nothing), settings take effect on Sentry pages, and an export re-imports to the same state.

use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use pivot_lens_e2e::{add_tag_row, both_browsers, fill, until, workspace_root, Session};
use serde_json::Value;
use thirtyfour::prelude::*;

const EVENT_PAGE: &str =
    "acme.sentry.io/issues/6123456789/events/7b4c2f9a0c1d4e5f8a9b0c1d2e3f4a5b/";
const NO_ORG_PAGE: &str = "sentry.io/issues/";
/// In the bundled runbook and dropped by renamed.md.
const DROPPED: &str = "local-rate-limit-volume-and-scope";
/// Added by renamed.md.
const ADDED: &str = "indeterminate-access-probes-by-reason";
/// A recipe without placeholders: it always has a link.
const NO_PLACEHOLDERS: &str = "mcp-mode-adoption-by-client-family";

/// Opens a Sentry page in the first tab and the options page in a second; returns both handles.
async fn open_options(s: &Session) -> Result<(WindowHandle, WindowHandle)> {
    s.open(EVENT_PAGE).await?;
    s.wait_ready().await?;
    let base = s.extension_base().await?;
    let sentry_tab = s.driver.window().await?;
    s.open_extension_page(&base, "options.html").await?;
    let options_tab = s.driver.window().await?;
    until(
        s,
        "return !!document.querySelector('[data-testid=\"pl-runbook-apply\"]')",
    )
    .await?;
    Ok((sentry_tab, options_tab))
}

async fn click(s: &Session, testid: &str) -> Result<()> {
    s.driver
        .find(By::Css(format!("[data-testid=\"{testid}\"]")))
        .await?
        .click()
        .await?;
    Ok(())
}

/// The whole of `storage.local`, read from an extension page.
async fn storage(s: &Session) -> Result<Value> {
    Ok(s.driver
        .execute(
            "return (globalThis.browser ?? globalThis.chrome).storage.local.get(null);",
            vec![],
        )
        .await?
        .json()
        .clone())
}

/// Waits until the stored settings have `key` = `value` (saving is asynchronous).
async fn stored_setting(s: &Session, key: &str, value: Value) -> Result<()> {
    let start = Instant::now();
    while storage(s).await?["settings"][key] != value {
        if start.elapsed() > Duration::from_secs(20) {
            bail!(
                "settings.{key} never became {value}: {}",
                storage(s).await?["settings"]
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

/// Puts a runbook into the import textarea, typed (`Typed`) or through the file picker (`File`).
enum Runbook<'a> {
    Typed(&'a str),
    File(&'a std::path::Path),
}

/// Fills the importer, applies and waits for the status; returns (state, message).
async fn import_runbook(s: &Session, runbook: Runbook<'_>) -> Result<(String, String)> {
    let before = storage(s).await?;
    match runbook {
        Runbook::Typed(markdown) => fill(s, "pl-runbook-import", markdown).await?,
        Runbook::File(path) => {
            s.driver
                .find(By::Css("[data-testid=\"pl-runbook-file\"]"))
                .await?
                .send_keys(path.to_string_lossy())
                .await?;
            until(s, r#"return document.querySelector('[data-testid="pl-runbook-import"]').value.length > 0"#).await?;
        }
    }
    // Editing clears the previous result, so the status read below is this apply's.
    until(
        s,
        r#"return !document.querySelector('[data-testid="pl-runbook-status"]').getAttribute('data-state')"#,
    )
    .await?;
    click(s, "pl-runbook-apply").await?;
    let status = until(
        s,
        r#"const el = document.querySelector('[data-testid="pl-runbook-status"]');
           const state = el.getAttribute('data-state');
           return state && { state, message: el.textContent };"#,
    )
    .await?;
    let state = status["state"].as_str().unwrap_or_default().to_owned();
    if state == "ok" {
        let start = Instant::now();
        while storage(s).await? == before && start.elapsed() < Duration::from_secs(20) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    Ok((
        state,
        status["message"].as_str().unwrap_or_default().to_owned(),
    ))
}

/// The recipe ids the sidebar offers on `page`, opened afresh in the Sentry tab.
async fn recipes_on(s: &Session, sentry_tab: &WindowHandle, page: &str) -> Result<Vec<String>> {
    s.driver.switch_to_window(sentry_tab.clone()).await?;
    s.open(page).await?;
    s.wait_ready().await?;
    let ids = s
        .in_sidebar(
            r#"return [...document.querySelectorAll('[data-testid="pl-recipe"]')]
                 .map((r) => r.getAttribute('data-recipe-id'));"#,
        )
        .await?;
    Ok(serde_json::from_value(ids)?)
}

/// Rows for the OAuth probe reason under the bundled name and under renamed.md's (`app.access.*`),
/// the second also as a typed tag key: added to `EVENT_PAGE`'s tags after it is shown, so the
/// probe reads them with the row keys of the runbook in force. Returns the pivot keys then shown,
/// once `wanted` is among them.
async fn probe_reason_pivots(
    s: &Session,
    sentry_tab: &WindowHandle,
    wanted: &str,
) -> Result<Vec<String>> {
    s.driver.switch_to_window(sentry_tab.clone()).await?;
    s.open(EVENT_PAGE).await?;
    s.wait_ready().await?;
    add_tag_row(s, "app.oauth.probe.reason", "upstream_timeout").await?;
    add_tag_row(s, "app.access.probe.reason", "upstream_timeout").await?;
    add_tag_row(s, "tags[app.access.probe.status_code,number]", "503").await?;
    let keys = s
        .sidebar_until(&format!(
            r#"const keys = [...document.querySelectorAll('[data-testid="pl-pivot"]')].map((p) => p.getAttribute('data-key'));
               return keys.includes('{wanted}') && keys;"#
        ))
        .await
        .with_context(|| format!("no {wanted} pivot"))?;
    Ok(serde_json::from_value(keys)?)
}

async fn runbook_import_applies_refuses_and_resets(s: &Session) -> Result<()> {
    let fixtures = workspace_root().join("tests/fixtures/runbooks");
    let invalid = std::fs::read_to_string(fixtures.join("invalid-several-errors.md"))?;
    let (sentry_tab, options_tab) = open_options(s).await?;
    let bundled = recipes_on(s, &sentry_tab, EVENT_PAGE).await?;
    ensure!(bundled.iter().any(|id| id == DROPPED) && !bundled.iter().any(|id| id == ADDED));
    let keys = probe_reason_pivots(s, &sentry_tab, "app.oauth.probe.reason").await?;
    ensure!(
        !keys.iter().any(|key| key.starts_with("app.access.")),
        "keys only renamed.md knows are pivots under the bundled runbook: {keys:?}"
    );

    s.driver.switch_to_window(options_tab.clone()).await?;
    let (state, message) = import_runbook(s, Runbook::File(&fixtures.join("renamed.md"))).await?;
    ensure!(state == "ok", "renamed.md was refused: {message}");
    ensure!(
        message.contains("renamed.md") && message.contains("recipes"),
        "the status gives no source or counts: {message}"
    );
    // The page read under the bundled runbook is still open: a sidebar frame reloaded there brings
    // the imported runbook's keys, and the probe reads the page again for them.
    s.driver.switch_to_window(sentry_tab.clone()).await?;
    s.in_sidebar("setTimeout(() => location.reload(), 0);")
        .await?;
    s.sidebar_until(
        r#"const keys = [...document.querySelectorAll('[data-testid="pl-pivot"]')].map((p) => p.getAttribute('data-key'));
           return keys.includes('app.access.probe.status_code') && !keys.includes('app.oauth.probe.reason');"#,
    )
    .await
    .context("a reloaded sidebar's keys did not make the probe read the page again")?;
    let imported = recipes_on(s, &sentry_tab, EVENT_PAGE).await?;
    ensure!(
        imported.iter().any(|id| id == ADDED) && !imported.iter().any(|id| id == DROPPED),
        "the sidebar does not use the imported runbook: {imported:?}"
    );
    // The probe reads rows by the imported runbook's keys, not the bundled one's.
    let keys = probe_reason_pivots(s, &sentry_tab, "app.access.probe.reason").await?;
    ensure!(
        keys.iter().any(|key| key == "app.access.probe.status_code")
            && !keys.iter().any(|key| key.starts_with("app.oauth.")),
        "the pivots do not follow the imported runbook's keys: {keys:?}"
    );

    s.driver.switch_to_window(options_tab.clone()).await?;
    let stored = storage(s).await?;
    let (state, message) = import_runbook(s, Runbook::Typed(&invalid)).await?;
    ensure!(
        state == "error",
        "the invalid runbook was accepted: {message}"
    );
    ensure!(
        message.contains("line "),
        "the error names no line: {message}"
    );
    ensure!(
        storage(s).await? == stored,
        "a refused runbook changed storage"
    );
    ensure!(recipes_on(s, &sentry_tab, EVENT_PAGE).await? == imported);

    s.driver.switch_to_window(options_tab).await?;
    click(s, "pl-runbook-reset").await?;
    until(s, r#"return document.querySelector('[data-testid="pl-runbook-status"]').getAttribute('data-state') === 'ok'"#).await?;
    let start = Instant::now();
    while !storage(s).await?["runbook"].is_null() {
        ensure!(
            start.elapsed() < Duration::from_secs(20),
            "reset left the runbook stored"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    ensure!(
        recipes_on(s, &sentry_tab, EVENT_PAGE).await? == bundled,
        "reset did not restore the bundled recipes"
    );
    Ok(())
}

async fn settings_take_effect_and_export_round_trips(s: &Session) -> Result<()> {
    let (sentry_tab, options_tab) = open_options(s).await?;
    fill(s, "pl-setting-org", "globex").await?;
    fill(s, "pl-setting-period", "7d").await?;
    fill(s, "pl-setting-width", "500").await?;
    s.driver
        .execute(
            r#"const side = document.querySelector('[data-testid="pl-setting-side"]');
               side.value = 'left'; side.dispatchEvent(new Event('change', { bubbles: true }));"#,
            vec![],
        )
        .await?;
    click(s, "pl-setting-open").await?;
    let api_on = until(
        s,
        r#"const on = (id) => document.querySelector(`[data-testid="${id}"]`)?.checked;
           return on('pl-setting-api') && on('pl-setting-previews');"#,
    )
    .await;
    ensure!(
        api_on.is_ok(),
        "reading Sentry's API and counts are not on by default"
    );
    click(s, "pl-setting-api").await?;
    fill(s, "pl-setting-period", "forever").await?;
    until(s, "return document.querySelector('[data-testid=\"pl-setting-period\"]').getAttribute('aria-invalid') === 'true'").await?;
    stored_setting(s, "org", "globex".into()).await?;
    stored_setting(s, "period", "7d".into()).await?;
    stored_setting(s, "api_reads", false.into()).await?;
    stored_setting(
        s,
        "sidebar",
        serde_json::json!({ "open": true, "left": true, "width": 500, "docked": false }),
    )
    .await?;

    s.driver.switch_to_window(sentry_tab.clone()).await?;
    // Nobody toggled the sidebar on the first page, so no layout of the engineer's own overrides these.
    s.open(NO_ORG_PAGE).await?;
    s.wait_ready().await?;
    let seen = s
        .in_sidebar(&format!(
            r#"const root = document.querySelector('[data-testid="pl-sidebar"]');
               const link = document.querySelector('[data-recipe-id="{NO_PLACEHOLDERS}"] a[data-testid="pl-recipe-open"]');
               return {{ org: root.getAttribute('data-org'), href: link && link.href }};"#
        ))
        .await?;
    ensure!(
        seen["org"] == "globex",
        "the default organisation is not used: {seen}"
    );
    let href = seen["href"]
        .as_str()
        .context("no link for a recipe without placeholders")?;
    ensure!(
        href.contains("statsPeriod=7d") && href.contains("globex"),
        "link ignores the settings: {href}"
    );
    let layout = s
        .driver
        .execute(
            "const h = document.querySelector('[data-pivot-lens]');
             return [h.getAttribute('data-pl-side'), h.getAttribute('data-pl-open'), h.style.getPropertyValue('--pl-width')];",
            vec![],
        )
        .await?
        .json()
        .clone();
    ensure!(
        layout == serde_json::json!(["left", "true", "500px"]),
        "the sidebar starts as {layout}"
    );

    // Export, change something, import the export: the stored state is what it was.
    s.driver.switch_to_window(options_tab).await?;
    let exported_state = storage(s).await?;
    s.driver
        .execute(
            "window.plExports = [];
             const create = URL.createObjectURL;
             URL.createObjectURL = (blob) => { window.plExports.push(blob); return create(blob); };
             HTMLAnchorElement.prototype.click = function () {};",
            vec![],
        )
        .await?;
    click(s, "pl-settings-export").await?;
    until(s, "return window.plExports.length === 1").await?;
    let text = s
        .driver
        .execute("return window.plExports[0].text();", vec![])
        .await?
        .json()
        .clone();
    let text = text.as_str().context("the export is not text")?;
    fill(s, "pl-setting-org", "initech").await?;
    stored_setting(s, "org", "initech".into()).await?;
    let file = tempfile::Builder::new().suffix(".json").tempfile()?;
    std::fs::write(file.path(), text)?;
    s.driver
        .find(By::Css("[data-testid=\"pl-settings-import\"]"))
        .await?
        .send_keys(file.path().to_string_lossy())
        .await?;
    let start = Instant::now();
    while storage(s).await.unwrap_or_default() != exported_state {
        ensure!(
            start.elapsed() < Duration::from_secs(20),
            "the import did not restore the exported state"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    until(
        s,
        r#"return document.querySelector('[data-testid="pl-setting-org"]')?.value === 'globex'"#,
    )
    .await?;
    Ok(())
}

async fn team_policy_locks_settings(s: &Session) -> Result<()> {
    let (_, _) = open_options(s).await?;
    // The page's own boot, fed a policy instead of the browser's managed storage (the test shim).
    s.driver
        .execute(
            r#"const policy = { org: "acme-team", period: "7d", runbook_url: "https://example.com/r.md", api_reads: false, previews: false };
               return import("./options.js").then((page) => {
                 document.body.replaceChildren();
                 return page.start(async () => policy);
               });"#,
            vec![],
        )
        .await?;
    let org = until(
        s,
        r#"const org = document.querySelector('[data-testid="pl-setting-org"]');
           return org && { value: org.value, disabled: org.disabled, locked: org.getAttribute('data-locked') };"#,
    )
    .await?;
    ensure!(
        org == serde_json::json!({ "value": "acme-team", "disabled": true, "locked": "true" }),
        "the policy's org is not shown locked: {org}"
    );
    let page = s
        .driver
        .execute(
            r#"return {
                 period: document.querySelector('[data-testid="pl-setting-period"]').value,
                 host_locked: document.querySelector('[data-testid="pl-setting-host"]').disabled,
                 api: [document.querySelector('[data-testid="pl-setting-api"]')].map((c) => ({ checked: c.checked, disabled: c.disabled }))[0],
                 previews: [document.querySelector('[data-testid="pl-setting-previews"]')].map((c) => ({ checked: c.checked, disabled: c.disabled }))[0],
                 reasons: document.querySelectorAll('[data-testid="pl-setting-locked"]').length,
                 notices: [...document.querySelectorAll('[data-testid="pl-options-notice"]')].map((n) => n.textContent),
               };"#,
            vec![],
        )
        .await?
        .json()
        .clone();
    ensure!(
        page["period"] == "7d" && page["host_locked"] == false,
        "{page}"
    );
    ensure!(
        page["api"] == serde_json::json!({ "checked": false, "disabled": true }),
        "the policy's api_reads is not shown locked: {page}"
    );
    ensure!(
        page["previews"] == serde_json::json!({ "checked": false, "disabled": true }),
        "the policy's previews is not shown locked: {page}"
    );
    ensure!(page["reasons"] == 4, "each locked field says why: {page}");
    ensure!(
        page["notices"].to_string().contains("not fetched"),
        "the runbook URL is not explained: {page}"
    );
    Ok(())
}

async fn corrupt_stored_settings_fall_back_with_a_notice(s: &Session) -> Result<()> {
    let (sentry_tab, _) = open_options(s).await?;
    s.driver
        .execute(
            r#"return (globalThis.browser ?? globalThis.chrome).storage.local.set(
                 { settings: { org: "globex", period: 5, sidebar: "wide" } });"#,
            vec![],
        )
        .await?;
    s.driver.refresh().await?;
    let page = until(
        s,
        r#"const period = document.querySelector('[data-testid="pl-setting-period"]');
           return period && {
             org: document.querySelector('[data-testid="pl-setting-org"]').value,
             period: period.value,
             notices: document.querySelectorAll('[data-testid="pl-options-notice"]').length,
           };"#,
    )
    .await?;
    ensure!(
        page == serde_json::json!({ "org": "globex", "period": "24h", "notices": 2 }),
        "bad values must fall back, good ones stay, each with a notice: {page}"
    );
    s.driver.switch_to_window(sentry_tab).await?;
    s.open(NO_ORG_PAGE).await?;
    s.wait_ready().await?;
    let org = s
        .in_sidebar(r#"return document.querySelector('[data-testid="pl-sidebar"]').getAttribute('data-org');"#)
        .await?;
    ensure!(org == "globex", "the sidebar lost the good setting: {org}");
    Ok(())
}

/// A self-hosted host set: the options page says which Sentry versions read the links' typed
/// filters (docs/query-translation.md "The oldest Sentry each syntax needs"); none on sentry.io.
async fn a_self_hosted_host_says_which_sentry_it_needs(s: &Session) -> Result<()> {
    let (_, _) = open_options(s).await?;
    let note = "return document.querySelector('[data-testid=\"pl-self-hosted-version\"]')?.textContent ?? null;";
    ensure!(
        s.driver.execute(note, vec![]).await?.json().is_null(),
        "a version note without a self-hosted host"
    );
    fill(s, "pl-setting-host", "https://sentry.example.com").await?;
    let said = until(s, note).await?;
    let said = said.as_str().context("the note's text")?;
    ensure!(
        said.contains("tags[key,boolean]") && said.contains("26.1.0") && said.contains("25.1.0"),
        "{said}"
    );
    Ok(())
}

/// A settings file that would send every follow-up to another Sentry is applied only after the
/// engineer says yes (security.md RB-5); cancelled, nothing changes.
async fn an_import_that_moves_the_sentry_host_asks_first(s: &Session) -> Result<()> {
    let _ = open_options(s).await?;
    let before = storage(s).await?;
    let file = tempfile::Builder::new().suffix(".json").tempfile()?;
    let export = serde_json::json!({
        "format": "pivot-lens-storage", "version": 1,
        "storage": { "settings": { "org": "acme", "host": "https://sentry.evil.example" } },
    });
    std::fs::write(file.path(), export.to_string())?;
    let pick = || async {
        s.driver
            .find(By::Css("[data-testid=\"pl-settings-import\"]"))
            .await?
            .send_keys(file.path().to_string_lossy())
            .await
    };
    pick().await?;
    let asked = until(
        s,
        r#"return document.querySelector('[data-testid="pl-settings-confirm"]')?.textContent;"#,
    )
    .await?;
    let asked = asked.as_str().unwrap_or_default();
    ensure!(
        asked.contains("https://sentry.evil.example") && asked.contains("sentry.io"),
        "the question does not name both Sentries: {asked}"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    ensure!(
        storage(s).await? == before,
        "applied before the engineer said yes"
    );
    click(s, "pl-settings-confirm-cancel").await?;
    until(
        s,
        r#"return document.querySelector('[data-testid="pl-settings-status"]')?.dataset.state === 'error';"#,
    )
    .await?;
    ensure!(
        storage(s).await? == before,
        "a cancelled import changed something"
    );
    // Picked again and confirmed: applied.
    s.driver
        .execute(
            "document.querySelector('[data-testid=\"pl-settings-import\"]').value = '';",
            vec![],
        )
        .await?;
    pick().await?;
    until(
        s,
        r#"return !!document.querySelector('[data-testid="pl-settings-confirm-apply"]');"#,
    )
    .await?;
    click(s, "pl-settings-confirm-apply").await?;
    let start = Instant::now();
    while storage(s).await.unwrap_or_default()["settings"]["host"] != "https://sentry.evil.example"
    {
        ensure!(
            start.elapsed() < Duration::from_secs(20),
            "the confirmed import was not applied"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

both_browsers!(
    an_import_that_moves_the_sentry_host_asks_first,
    a_self_hosted_host_says_which_sentry_it_needs,
    corrupt_stored_settings_fall_back_with_a_notice,
    runbook_import_applies_refuses_and_resets,
    settings_take_effect_and_export_round_trips,
    team_policy_locks_settings
);
