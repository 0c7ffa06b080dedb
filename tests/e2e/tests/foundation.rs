//! The pipeline: the extension installs cleanly, the sidebar mounts in its frame and reaches
//! `ready`, and a sidebar that cannot start says so instead of showing a blank frame.

use anyhow::{ensure, Context, Result};
use pivot_lens_e2e::{
    both_browsers, extension_under_test, run_with_extension, Browser, MozContext, Session,
    FIREFOX_ADDON_ID,
};
use serde_json::Value;

const EVENT_PAGE: &str =
    "acme.sentry.io/issues/6123456789/events/7b4c2f9a0c1d4e5f8a9b0c1d2e3f4a5b/";

async fn event_page_reaches_ready(s: &Session) -> Result<()> {
    s.open(EVENT_PAGE).await?;
    let host = s.wait_ready().await?;
    ensure!(host.url == s.url(EVENT_PAGE), "data-pl-url is {}", host.url);
    ensure!(
        host.ready_ms.is_some_and(|ms| ms > 0.0),
        "data-pl-ready-ms is {:?}",
        host.ready_ms
    );
    let root = s
        .in_sidebar(
            "const r = document.querySelector('[data-testid=\"pl-sidebar\"]');
             return r && { kind: r.getAttribute('data-page-kind'), org: r.getAttribute('data-org') };",
        )
        .await?;
    ensure!(
        root["kind"] == "event" && root["org"] == "acme",
        "sidebar root says {root}"
    );
    // A frame's load is part of its page's: the sidebar's modules must not hold the page's up.
    let boot = s
        .in_sidebar(
            "const load = performance.getEntriesByType('navigation')[0].loadEventStart;
             const modules = performance.getEntriesByName('pivot-lens:boot@modules')[0];
             return { load, modules: modules ? modules.startTime : null };",
        )
        .await?;
    ensure!(
        boot["load"].as_f64().is_some_and(|load| load > 0.0)
            && boot["modules"].as_f64() > boot["load"].as_f64(),
        "the sidebar's modules ran before the frame's load event: {boot}"
    );
    Ok(())
}

/// Chromium: no manifest errors or install warnings, enabled, the toggle command bound.
/// Firefox: installed and active as a temporary add-on. (web-ext lint covers Firefox's warnings.)
async fn extension_installs_cleanly(s: &Session) -> Result<()> {
    match s.browser {
        Browser::Chromium => {
            s.driver.goto("chrome://extensions").await?;
            let info = s
                .driver
                .execute(
                    "return new Promise(done => chrome.developerPrivate.getExtensionsInfo(
                        {includeDisabled: true, includeTerminated: true}, done));",
                    vec![],
                )
                .await?;
            let ours = info
                .json()
                .as_array()
                .and_then(|all| all.iter().find(|e| e["name"] == "Pivot Lens"))
                .context("Pivot Lens is not in chrome://extensions")?
                .clone();
            ensure!(
                ours["manifestErrors"] == Value::Array(vec![]),
                "manifest errors: {}",
                ours["manifestErrors"]
            );
            ensure!(
                ours["installWarnings"] == Value::Array(vec![]),
                "install warnings: {}",
                ours["installWarnings"]
            );
            ensure!(ours["state"] == "ENABLED", "state: {}", ours["state"]);
            let command = ours["commands"]
                .as_array()
                .and_then(|c| c.iter().find(|c| c["name"] == "toggle-sidebar"));
            ensure!(
                command.is_some_and(|c| c["keybinding"] == "Alt+Shift+Y"),
                "toggle-sidebar command: {:?}",
                command
            );
        }
        Browser::Firefox => {
            s.driver.handle().cmd(MozContext("chrome")).await?;
            let addon = s
                .driver
                .execute(
                    "const { AddonManager } = ChromeUtils.importESModule('resource://gre/modules/AddonManager.sys.mjs');
                     return AddonManager.getAddonByID(arguments[0]).then(a => a && { active: a.isActive, type: a.type });",
                    vec![Value::String(FIREFOX_ADDON_ID.into())],
                )
                .await;
            s.driver.handle().cmd(MozContext("content")).await?;
            let addon = addon?.json().clone();
            ensure!(
                addon["active"] == true && addon["type"] == "extension",
                "add-on state: {addon}"
            );
        }
    }
    Ok(())
}

both_browsers!(event_page_reaches_ready, extension_installs_cleanly);

/// A sidebar that cannot start (its wasm does not compile, or a module does not parse) must give
/// an error state with a retry, not a blank frame.
async fn a_broken_sidebar_shows_an_error_state(s: &Session) -> Result<()> {
    s.open(EVENT_PAGE).await?;
    let host = s.wait_state("error").await?;
    ensure!(
        host.url.is_empty(),
        "no result was shown, so no data-pl-url: {host:?}"
    );
    let shown = s
        .in_sidebar(
            "const e = document.querySelector('[data-testid=\"pl-error\"]');
             return e && { text: e.textContent, retry: !!e.querySelector('button') };",
        )
        .await?;
    ensure!(
        shown["text"]
            .as_str()
            .is_some_and(|t| t.contains("could not start"))
            && shown["retry"] == true,
        "error panel: {shown}"
    );
    Ok(())
}

/// Runs the error-state check on a copy of the built extension with `file` overwritten.
async fn with_damaged(browser: Browser, file: &str, contents: &[u8]) {
    let copy = tempfile::Builder::new()
        .prefix("pl-broken")
        .tempdir()
        .expect("temp dir");
    copy_dir(&extension_under_test(browser), copy.path()).expect("copy the built extension");
    std::fs::write(copy.path().join(file), contents).expect("damage the file");
    run_with_extension(browser, copy.path(), |s| {
        Box::pin(a_broken_sidebar_shows_an_error_state(s))
    })
    .await;
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

const BROKEN_WASM: &[u8] = b"\0asm not really";
/// The wasm-bindgen glue, which the sidebar's module imports before it runs at all.
const BROKEN_GLUE: &[u8] = b"export default function (;";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_wasm_chromium() {
    with_damaged(Browser::Chromium, "pkg/sidebar_bg.wasm", BROKEN_WASM).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_wasm_firefox() {
    with_damaged(Browser::Firefox, "pkg/sidebar_bg.wasm", BROKEN_WASM).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_module_chromium() {
    with_damaged(Browser::Chromium, "pkg/sidebar.js", BROKEN_GLUE).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_module_firefox() {
    with_damaged(Browser::Firefox, "pkg/sidebar.js", BROKEN_GLUE).await;
}
