//! Page objects and in-page scripts the tests share: pivots shown, checklist cards, forms, axe.

use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use serde_json::Value;

use crate::*;

pub fn pivot_set(pairs: &[(&str, &str)]) -> Pivots {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Kind, org and pivots the sidebar shows now.
pub async fn shown(s: &Session) -> Result<(String, String, Pivots)> {
    let value = s
        .in_sidebar(
            "const root = document.querySelector('[data-testid=\"pl-sidebar\"]');
             if (!root) return null;
             return { kind: root.getAttribute('data-page-kind'), org: root.getAttribute('data-org'),
                      pivots: [...document.querySelectorAll('[data-testid=\"pl-pivot\"]')]
                          .map(p => [p.getAttribute('data-key'), p.getAttribute('data-value')]) };",
        )
        .await?;
    let pivots = value["pivots"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|pair| {
            (
                pair[0].as_str().unwrap_or_default().to_owned(),
                pair[1].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let text = |name: &str| value[name].as_str().unwrap_or_default().to_owned();
    Ok((text("kind"), text("org"), pivots))
}

/// Waits until the sidebar shows exactly `expected` on a page of `kind` for org `acme`.
pub async fn expect_page(s: &Session, kind: &str, expected: &[(&str, &str)]) -> Result<()> {
    let expected = pivot_set(expected);
    let start = Instant::now();
    loop {
        let (shown_kind, org, pivots) = shown(s).await?;
        for (key, value) in &pivots {
            let abbreviated = value.len() == 8 && value.bytes().all(|b| b.is_ascii_hexdigit());
            ensure!(!abbreviated, "{key} shows an abbreviated id {value}");
            // What Sentry renders where it shows no value (docs/recognition.md "Placeholders").
            let placeholder = [
                "--",
                "—",
                "{}",
                "[]",
                "[Filtered]",
                "(no value)",
                "(empty string)",
            ]
            .contains(&value.as_str())
                || value.contains("[Encrypted]");
            ensure!(!placeholder, "{key} shows Sentry's placeholder {value:?}");
        }
        if shown_kind == kind && org == "acme" && pivots == expected {
            return Ok(());
        }
        if start.elapsed() > READY_TIMEOUT {
            bail!(
                "{}: expected {kind} with {expected:?}; the sidebar shows {shown_kind} (org {org:?}) with {pivots:?}",
                s.driver.current_url().await?
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Retries `script` in the current document until it returns something truthy.
pub async fn until(s: &Session, script: &str) -> Result<Value> {
    let start = Instant::now();
    loop {
        let value = s.driver.execute(script, vec![]).await?.json().clone();
        // JavaScript's falsy answers of `a && b` (null, false, "", 0) all mean "not yet".
        if !(value.is_null() || value == false || value == "" || value == 0) {
            return Ok(value);
        }
        if start.elapsed() > READY_TIMEOUT {
            bail!("timed out waiting for: {script}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Types `value` into the field with `testid` and leaves it (fires `input` and `change`).
pub async fn fill(s: &Session, testid: &str, value: &str) -> Result<()> {
    s.driver
        .execute(
            r#"const el = document.querySelector(`[data-testid="${arguments[0]}"]`);
               el.value = arguments[1];
               el.dispatchEvent(new Event('input', { bubbles: true }));
               el.dispatchEvent(new Event('change', { bubbles: true }));"#,
            vec![testid.into(), value.into()],
        )
        .await?;
    Ok(())
}

/// The state of one scenario card: its investigation, ticked step ids, export text.
pub fn card_script(scenario: &str) -> String {
    format!(
        r#"const card = document.querySelector('[data-testid="pl-scenario"][data-scenario-id="{scenario}"]');
           if (!card) return null;
           const ticked = [...card.querySelectorAll('[data-testid="pl-step"]')]
             .filter(s => s.querySelector('input[type=checkbox]').checked)
             .map(s => s.getAttribute('data-step-id'));
           const exported = card.querySelector('[data-testid="pl-export"]');
           return {{ investigation: card.getAttribute('data-investigation'), ticked,
                    steps: card.querySelectorAll('[data-testid="pl-step"]').length,
                    export: exported ? exported.textContent : null }};"#
    )
}

/// Waits until the card shows exactly `ticked` (in any order) and returns its state.
pub async fn card_with_ticks(s: &Session, scenario: &str, ticked: &[&str]) -> Result<Value> {
    let mut wanted: Vec<String> = ticked.iter().map(|t| (*t).to_owned()).collect();
    wanted.sort();
    let wanted = serde_json::to_string(&wanted)?;
    let script = format!(
        "const state = (() => {{ {} }})();
         return state && JSON.stringify([...state.ticked].sort()) === {wanted:?} ? state : null;",
        card_script(scenario)
    );
    s.sidebar_until(&script)
        .await
        .with_context(|| format!("{scenario} never showed exactly {wanted}"))
}

/// Script statements (for the sidebar) that tick or untick `step` of `scenario`, as a click does.
pub fn tick_script(scenario: &str, step: &str) -> String {
    format!(
        r#"const card = document.querySelector('[data-testid="pl-scenario"][data-scenario-id="{scenario}"]');
           card.querySelector('details').open = true;
           card.querySelector('[data-testid="pl-step"][data-step-id="{step}"] input[type=checkbox]').click();"#
    )
}

pub async fn tick(s: &Session, scenario: &str, step: &str) -> Result<()> {
    s.in_sidebar(&format!("{} return true;", tick_script(scenario, step)))
        .await?;
    Ok(())
}

/// Waits until the sidebar shows the progress of `tests/fixtures/storage/v1.json` (schema 1),
/// migrated: the OAuth checklist's three ticks under the investigation made from it, and the
/// tool checklist's tick.
pub async fn v1_progress_is_shown(s: &Session) -> Result<()> {
    let oauth = card_with_ticks(
        s,
        "oauth-and-client-registration",
        &[
            "metric-app-oauth-grant-revoked",
            "attribute-app-oauth-grant-revoked-reason",
            "trace",
        ],
    )
    .await?;
    ensure!(
        oauth["investigation"] == "v1-oauth-and-client-registration",
        "{oauth}"
    );
    card_with_ticks(s, "mcp-tool-execution", &["attribute-gen-ai-tool-name"]).await?;
    Ok(())
}

/// The axe-core violations of the document the driver is in, for the WCAG 2.2 AA rules (target
/// size included) and axe's best practices: `"<rule> (<nodes>): <first target>"` each.
pub async fn axe_violations(s: &Session) -> Result<Value> {
    let axe = std::fs::read_to_string(workspace_root().join("node_modules/axe-core/axe.min.js"))
        .context("axe-core is installed by ./build.sh (npm ci)")?;
    s.driver.execute(&axe, vec![]).await?;
    Ok(s.driver
        .execute(
            "return axe.run(document, { resultTypes: ['violations'], runOnly: { type: 'tag',
                 values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } })
               .then(r => r.violations.map(v => v.id + ' (' + v.nodes.length + '): ' + v.nodes[0].target.join(' ')));",
            vec![],
        )
        .await?
        .json()
        .clone())
}

/// Appends to the page's tag tree a copy of its first leaf row (trunk rows of dotted keys have no
/// key), keyed `key` (title and hidden full key) with `value`: a change the page probe must notice.
pub async fn add_tag_row(s: &Session, key: &str, value: &str) -> Result<()> {
    s.driver.enter_default_frame().await?;
    s.driver
        .execute(
            include_str!("scripts/add-tag-row.js"),
            vec![Value::from(key), Value::from(value)],
        )
        .await?;
    Ok(())
}

/// The SEVERE entries of a Chromium console log, but the fixture server's missing favicon (the
/// browser's 404, not ours).
pub fn errors_in(log: &[thirtyfour::BrowserLogEntry]) -> Vec<String> {
    log.iter()
        .filter(|entry| entry.level == "SEVERE" && !entry.message.contains("/favicon.ico "))
        .map(|entry| entry.message.clone())
        .collect()
}
