//! The context menu and the `pivot-lens:classify` message (docs/automation-contract.md, Background): both
//! answer from the Rust core loaded in the background, in Chromium's service worker and Firefox's
//! event page alike.

use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use pivot_lens_e2e::{both_browsers, until, Session};
use serde_json::{json, Value};

const EVENT_PAGE: &str =
    "acme.sentry.io/issues/6123456789/events/7b4c2f9a0c1d4e5f8a9b0c1d2e3f4a5b/";
const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

/// Opens `options.html` in a new tab (from the Sentry page, which tells us the extension's base).
async fn open_options(s: &Session) -> Result<String> {
    s.open(EVENT_PAGE).await?;
    s.wait_ready().await?;
    let base = s.extension_base().await?;
    s.open_extension_page(&base, "options.html").await?;
    // The options page is an extension page: it has the runtime, storage and tabs APIs.
    until(s, "return typeof chrome === 'object' && !!chrome.tabs")
        .await
        .context("options.html has no extension APIs")?;
    Ok(base)
}

/// Runs `body` (an async function body; `api` is `browser` or `chrome`, `args` the arguments) in the current extension page and returns
/// what it resolves to; WebDriver awaits the returned promise.
async fn in_page(s: &Session, body: &str, args: Vec<Value>) -> Result<Value> {
    let script = format!(
        "const api = globalThis.browser ?? globalThis.chrome;\n\
         return (async (...args) => {{ {body} }})(...arguments);"
    );
    Ok(s.driver.execute(&script, args).await?.json().clone())
}

async fn classify(s: &Session, text: &str) -> Result<Value> {
    in_page(
        s,
        "return await api.runtime.sendMessage({ type: 'pivot-lens:classify', text: args[0] });",
        vec![json!(text)],
    )
    .await
}

fn item_ids(answer: &Value) -> Vec<&str> {
    answer["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|i| i["id"].as_str()).collect())
        .unwrap_or_default()
}

async fn classify_message_answers_extension_pages(s: &Session) -> Result<()> {
    open_options(s).await?;
    // No default organisation and not on a Sentry page: kinds, but no link to a guessed org.
    let no_org = classify(s, TRACE).await?;
    ensure!(
        no_org == json!({ "kinds": ["trace_id", "event_id"], "items": [] }),
        "without an org: {no_org}"
    );
    in_page(
        s,
        "await api.storage.local.set({ settings: { org: 'acme', host: '' } }); return true;",
        vec![],
    )
    .await?;
    let trace = classify(s, &format!(" {} ", TRACE.to_uppercase())).await?;
    ensure!(
        trace["kinds"] == json!(["trace_id", "event_id"]),
        "trace kinds: {trace}"
    );
    ensure!(
        item_ids(&trace)
            == [
                "open-trace",
                "find-event",
                "trace-log-history-after-opening-a-sentry-event-or-span"
            ],
        "trace items: {trace}"
    );
    ensure!(
        trace["items"][0]
            == json!({ "id": "open-trace", "title": "Open trace",
                       "url": format!("https://acme.sentry.io/explore/traces/trace/{TRACE}/") }),
        "open-trace item: {trace}"
    );
    // A tool name offers every recipe that filters on it, each naming the filters it left out.
    let tool = classify(s, "search_events").await?;
    ensure!(
        tool["kinds"] == json!(["gen_ai.tool.name"])
            && item_ids(&tool)
                == [
                    "captured-errors-for-a-route-tool-or-oauth-symptom",
                    "tool-execution-timeline-for-a-slow-or-failing-tool"
                ],
        "tool: {tool}"
    );
    ensure!(
        tool["items"][0]["dropped"] == json!(["http.route", "app.oauth.grant_revoked.reason"])
            && tool["items"][1]["dropped"] == json!(["app.consent.skill.<skill>.granted"]),
        "tool items' dropped filters: {tool}"
    );
    let find_event = trace["items"][1]["url"].as_str().unwrap_or_default();
    ensure!(
        find_event.contains("project=-1") && find_event.contains("statsPeriod="),
        "Find event searches every project over the period: {find_event}"
    );
    let span = classify(s, "00f067aa0ba902b7").await?;
    ensure!(
        span["kinds"] == json!(["span_id"]) && item_ids(&span) == ["find-span"],
        "span: {span}"
    );
    let token = format!("sntryu_{}", "ab12".repeat(16));
    let secret = classify(s, &token).await?;
    ensure!(
        secret == json!({ "kinds": ["secret"], "items": [] }),
        "secret: {secret}"
    );
    for nothing in ["hello world".to_owned(), "a".repeat(2_001)] {
        let answer = classify(s, &nothing).await?;
        ensure!(
            answer == json!({ "kinds": [], "items": [] }),
            "{:.20}…: {answer}",
            nothing
        );
    }
    // Malformed messages get no answer at all.
    let malformed = in_page(
        s,
        "return await api.runtime.sendMessage({ type: 'pivot-lens:classify', text: 42 }) ?? null;",
        vec![],
    )
    .await?;
    ensure!(
        malformed.is_null(),
        "malformed message answered: {malformed}"
    );
    Ok(())
}

/// The tab whose URL (or pending URL) satisfies `wanted`, polled until it appears.
async fn wait_tab(s: &Session, wanted: &str) -> Result<Value> {
    let start = Instant::now();
    loop {
        let tab = in_page(
            s,
            "const tabs = await api.tabs.query({});
             const t = tabs.find((t) => (t.url || t.pendingUrl || '').includes(args[0]));
             return t ? { id: t.id, index: t.index, opener: t.openerTabId ?? null, url: t.url || t.pendingUrl } : null;",
            vec![json!(wanted)],
        )
        .await?;
        if !tab.is_null() {
            return Ok(tab);
        }
        if start.elapsed() > Duration::from_secs(10) {
            bail!("no tab with {wanted} opened");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn click(s: &Session, entry: &str, selection: &str, tab_id: &Value) -> Result<()> {
    let answer = in_page(
        s,
        "return await api.runtime.sendMessage({ type: 'pivot-lens:test-menu-click',
             menuItemId: args[0], selectionText: args[1], tabId: args[2] });",
        vec![json!(entry), json!(selection), tab_id.clone()],
    )
    .await?;
    ensure!(answer == json!({ "done": true }), "menu click: {answer}");
    Ok(())
}

async fn menu_click_opens_the_follow_up_next_to_the_tab(s: &Session) -> Result<()> {
    let base = open_options(s).await?;
    let sentry = wait_tab(s, EVENT_PAGE).await?;
    // The org comes from the Sentry tab; no default is configured.
    click(s, "open-trace", TRACE, &sentry["id"]).await?;
    let opened = wait_tab(s, &format!("acme.sentry.io/explore/traces/trace/{TRACE}/")).await?;
    ensure!(
        opened["index"].as_i64() == sentry["index"].as_i64().map(|i| i + 1),
        "opened at {opened}, Sentry tab {sentry}"
    );
    ensure!(
        opened["opener"] == sentry["id"],
        "opener of {opened} is not {sentry}"
    );

    // A secret opens only the explanation, and never a URL holding it.
    let token = format!("sntryu_{}", "cd34".repeat(16));
    click(s, "open-trace", &token, &sentry["id"]).await?;
    wait_tab(s, "options.html?reason=secret").await?;
    let leaked = in_page(
        s,
        "return (await api.tabs.query({})).some((t) => (t.url || t.pendingUrl || '').includes(args[0]));",
        vec![json!(&token[..20])],
    )
    .await?;
    ensure!(leaked == json!(false), "the secret reached a tab URL");

    // Not on a Sentry page and no default org: the options page says why.
    let options = in_page(s, "return (await api.tabs.getCurrent()).id;", vec![]).await?;
    click(s, "open-trace", TRACE, &options).await?;
    let explained = wait_tab(s, "options.html?reason=no-org").await?;
    ensure!(
        explained["opener"] == options,
        "explanation not opened next to its tab: {explained}"
    );
    // Chromedriver does not list tabs an extension opened on its own pages, so the page the
    // menu opened is checked by opening the same URL.
    s.open_extension_page(&base, "options.html?reason=no-org")
        .await?;
    let start = Instant::now();
    loop {
        let reason = s
            .driver
            .execute(
                "const p = document.querySelector('[data-testid=\"pl-options-reason\"]'); return p && p.textContent;",
                vec![],
            )
            .await?;
        if let Some(text) = reason.json().as_str() {
            ensure!(
                text.contains("default organisation"),
                "the options page says {text}"
            );
            return Ok(());
        }
        if start.elapsed() > Duration::from_secs(10) {
            bail!("the options page shows no reason");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Whether a menu entry with `id` exists: updating a missing one fails.
async fn entry_exists(s: &Session, id: &str) -> Result<bool> {
    let answer = in_page(
        s,
        "return await new Promise((resolve) => chrome.contextMenus.update(args[0], {},
             () => resolve(chrome.runtime.lastError ? false : true)));",
        vec![json!(id)],
    )
    .await?;
    answer.as_bool().context("update answered no boolean")
}

async fn menu_entries_exist_after_install_and_restart(s: &Session) -> Result<()> {
    open_options(s).await?;
    let entries = [
        "pivot-lens",
        "open-trace",
        "find-event",
        "open-issue",
        "find-span",
        "trace-log-history-after-opening-a-sentry-event-or-span",
        "grant-revocations-for-sign-out-reports",
    ];
    for id in entries {
        ensure!(
            entry_exists(s, id).await?,
            "{id} is not registered at install"
        );
    }
    ensure!(
        !entry_exists(s, "no-such-entry").await?,
        "the existence probe cannot fail"
    );
    // onStartup after onInstalled (a restarted background), even racing: no duplicates, no loss.
    let restarted = in_page(
        s,
        "const register = () => api.runtime.sendMessage({ type: 'pivot-lens:test-register-menu' });
         return await Promise.all([register(), register()]);",
        vec![],
    )
    .await?;
    ensure!(
        restarted == json!([{ "done": true }, { "done": true }]),
        "re-registration: {restarted}"
    );
    for id in entries {
        ensure!(entry_exists(s, id).await?, "{id} is gone after a restart");
    }
    Ok(())
}

both_browsers!(
    classify_message_answers_extension_pages,
    menu_click_opens_the_follow_up_next_to_the_tab,
    menu_entries_exist_after_install_and_restart
);
