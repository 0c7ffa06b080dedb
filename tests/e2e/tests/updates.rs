//! On-call progress survives what the browser does to the extension (docs/security.md): a reload
//! leaves an orphaned page probe that must go quiet without touching its successor (LIFE-3); an
//! update from the previous version keeps the progress, migrated (LIFE-4); two windows ticking at the
//! same moment both keep their tick (STO-3).

use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, ensure, Context, Result};
use pivot_lens_e2e::{
    add_tag_row, both_browsers, card_with_ticks, dist_dir, tick_script, v1_progress_is_shown,
    Browser, Session,
};
use serde_json::{json, Value};
use thirtyfour::extensions::addons::firefox::FirefoxTools;
use thirtyfour::WindowHandle;

const EVENT_PAGE: &str =
    "acme.sentry.io/issues/6123456789/events/7b4c2f9a0c1d4e5f8a9b0c1d2e3f4a5b/";
/// The span view of the event's trace: the same investigation, another page.
const TRACE_PAGE: &str = "acme.sentry.io/explore/traces/trace/4bf92f3577b34da6a3ce929d0e0e4736/?node=span-00f067aa0ba902b7&source=traces&statsPeriod=24h";
const TOOLS: &str = "mcp-tool-execution";
/// The version the previous build claims to be (the built one is `manifest.json`'s).
const PREVIOUS_VERSION: &str = "0.0.9";
const WAIT: Duration = Duration::from_secs(20);

/// Reloads the extension from one of its pages, as an update or a developer's reload does, and
/// returns to the current tab (the browser closes the extension's own tabs).
async fn reload_extension(s: &Session) -> Result<()> {
    let page = s.driver.window().await?;
    let base = s.extension_base().await?;
    s.open_extension_page(&base, "options.html").await?;
    s.driver
        .execute(
            "const api = globalThis.browser ?? globalThis.chrome;
             setTimeout(() => api.runtime.reload(), 50);",
            vec![],
        )
        .await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    s.driver.switch_to_window(page).await?;
    Ok(())
}

/// The version of the installed extension, once it answers again.
async fn installed_version(s: &Session) -> Result<String> {
    let start = Instant::now();
    loop {
        let answer = s
            .in_extension_page("return api.runtime.getManifest().version;", vec![])
            .await;
        if let Ok(Value::String(version)) = answer {
            return Ok(version);
        }
        if start.elapsed() > WAIT {
            bail!("the extension never answered after the update: {answer:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The page probe's `pivot-lens:rescan` measures on the page's timeline (every instance's).
async fn rescans(s: &Session) -> Result<u64> {
    s.driver.enter_default_frame().await?;
    s.driver
        .execute(
            "return performance.getEntriesByName('pivot-lens:rescan').length;",
            vec![],
        )
        .await?
        .json()
        .as_u64()
        .context("rescan count")
}

async fn shows_route(s: &Session, route: &str) -> Result<()> {
    s.sidebar_until(&format!(
        r#"return !!document.querySelector('[data-testid="pl-pivot"][data-key="http.route"][data-value="{route}"]');"#
    ))
    .await
    .with_context(|| format!("the sidebar never showed the route {route}"))?;
    Ok(())
}

/// LIFE-3. After a reload the old probe is orphaned: Chromium keeps it running in the open tab
/// (and injects no new one), Firefox unloads it and injects a new one. The orphan must remove its
/// own sidebar and stop reading the page (no rescan after a change: its observer and timers are
/// gone); a new instance (Chromium: injected like an update's re-injection) then owns the page
/// alone, follows its changes, and nothing logs an error.
async fn an_orphaned_probe_stops_and_leaves_the_new_one_alone(s: &Session) -> Result<()> {
    s.open(EVENT_PAGE).await?;
    let old = s.wait_ready().await?;
    s.console_log().await?; // drop what loading logged
    reload_extension(s).await?;

    let start = Instant::now();
    let replaced = loop {
        match s.host_state().await? {
            None => break false,
            Some(host) if host.frame_src != old.frame_src => break true,
            Some(_) if start.elapsed() > Duration::from_secs(5) => {
                bail!("the orphaned probe kept its sidebar")
            }
            Some(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    };
    if !replaced {
        // Only the orphan is in the page: a change must not wake it.
        let before = rescans(s).await?;
        add_tag_row(s, "http.route", "/api/0/orphaned/").await?;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        ensure!(
            rescans(s).await? == before,
            "the orphaned probe still rescans"
        );
        let injected = s
            .in_extension_page(
                "const [tab] = await api.tabs.query({ url: 'https://acme.sentry.io/*' });
                 await api.scripting.executeScript({ target: { tabId: tab.id }, files: api.runtime.getManifest().content_scripts[0].js });
                 return true;",
                vec![],
            )
            .await?;
        ensure!(injected == true, "injecting the new probe: {injected}");
    }
    let new = s.wait_ready().await?; // fails on two hosts
    ensure!(new.frame_src != old.frame_src, "the old sidebar is back");
    add_tag_row(s, "http.route", "/api/0/new-probe/").await?;
    shows_route(s, "/api/0/new-probe/").await?;
    let errors = s.console_errors().await?;
    ensure!(errors.is_empty(), "console errors: {errors:#?}");
    Ok(())
}

/// The event page in a first window and the trace page in a second (pages of one investigation:
/// they share the trace id), both ready.
async fn two_windows(s: &Session) -> Result<[WindowHandle; 2]> {
    s.open(EVENT_PAGE).await?;
    s.wait_ready().await?;
    let first = s.driver.window().await?;
    let second = s.driver.new_window().await?;
    s.driver.switch_to_window(second.clone()).await?;
    s.open(TRACE_PAGE).await?;
    s.wait_ready().await?;
    Ok([first, second])
}

/// Ticks `steps[i]` of the tool scenario in `windows[i]`, all at one planned moment; returns once
/// every window shows `shown`, checking that the ticks really ran less than 250 ms apart.
async fn tick_at_once(
    s: &Session,
    windows: &[WindowHandle; 2],
    steps: [&str; 2],
    shown: &[&str],
) -> Result<Vec<Value>> {
    let at = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis() + 1500;
    for (window, step) in windows.iter().zip(steps) {
        s.driver.switch_to_window(window.clone()).await?;
        s.in_sidebar(&format!(
            "setTimeout(() => {{ window.__plTickedAt = Date.now(); {} }}, {at} - Date.now());
             return true;",
            tick_script(TOOLS, step)
        ))
        .await?;
    }
    let (mut cards, mut ticked_at) = (Vec::new(), Vec::new());
    for window in windows {
        s.driver.switch_to_window(window.clone()).await?;
        cards.push(card_with_ticks(s, TOOLS, shown).await?);
        ticked_at.push(s.in_sidebar("return window.__plTickedAt;").await?);
    }
    let [Some(a), Some(b)] = [ticked_at[0].as_i64(), ticked_at[1].as_i64()] else {
        bail!("a tick did not run: {ticked_at:?}");
    };
    ensure!(
        (a - b).abs() < 250,
        "the ticks were {} ms apart",
        (a - b).abs()
    );
    Ok(cards)
}

/// STO-3. The same investigation open in two windows (started by a first tick in the first window,
/// then shown by both); each sidebar ticks another step at one planned moment. Both ticks are
/// stored, one key each under that investigation, and both sidebars show all three.
async fn two_windows_tick_at_once(s: &Session) -> Result<()> {
    let windows = two_windows(s).await?;
    s.driver.switch_to_window(windows[0].clone()).await?;
    s.in_sidebar(&format!("{} return true;", tick_script(TOOLS, "trace")))
        .await?;
    let mut investigations = Vec::new();
    for window in &windows {
        s.driver.switch_to_window(window.clone()).await?;
        investigations.push(card_with_ticks(s, TOOLS, &["trace"]).await?["investigation"].clone());
    }
    ensure!(
        investigations[0] == investigations[1] && investigations[0].is_string(),
        "the windows show different investigations: {investigations:?}"
    );
    let all = ["trace", "attribute-gen-ai-tool-name", "spans"];
    tick_at_once(s, &windows, ["attribute-gen-ai-tool-name", "spans"], &all).await?;

    let stored = s
        .in_extension_page("return await api.storage.local.get(null);", vec![])
        .await?;
    let investigation = investigations[0].as_str().unwrap_or_default();
    for step in all {
        let key = format!("pl.step.{investigation}.{step}");
        ensure!(
            stored[&key]["done"] == true,
            "{key} is not stored as done: {stored}"
        );
    }
    Ok(())
}

/// STO-3, the race: no investigation yet, and both windows tick a first step of the same scenario
/// at one planned moment, so each starts an investigation. The twins fold into one
/// (`Investigations::fold_twins`): both windows end up showing one investigation with both ticks,
/// and storage holds one record.
async fn two_windows_start_one_investigation_at_once(s: &Session) -> Result<()> {
    let windows = two_windows(s).await?;
    let cards = tick_at_once(s, &windows, ["trace", "spans"], &["trace", "spans"]).await?;
    ensure!(
        cards[0]["investigation"] == cards[1]["investigation"],
        "the windows show different investigations: {cards:?}"
    );
    let stored = s
        .in_extension_page("return await api.storage.local.get(null);", vec![])
        .await?;
    let records: Vec<&String> = stored
        .as_object()
        .map(|all| {
            all.keys()
                .filter(|k| k.starts_with("pl.investigation."))
                .collect()
        })
        .unwrap_or_default();
    ensure!(records.len() == 1, "investigations stored: {records:?}");
    Ok(())
}

both_browsers!(
    an_orphaned_probe_stops_and_leaves_the_new_one_alone,
    two_windows_tick_at_once,
    two_windows_start_one_investigation_at_once
);

/// A copy of the built extension that claims to be the previous version.
fn previous_build(browser: Browser) -> Result<tempfile::TempDir> {
    let dir = tempfile::Builder::new().prefix("pl-previous").tempdir()?;
    copy_into(&dist_dir(browser), dir.path())?;
    let manifest = dir.path().join("manifest.json");
    let mut json: Value = serde_json::from_str(&std::fs::read_to_string(&manifest)?)?;
    json["version"] = json!(PREVIOUS_VERSION);
    std::fs::write(&manifest, serde_json::to_string_pretty(&json)?)?;
    Ok(dir)
}

/// Copies the contents of `from` over `to` (`cp -r from/. to`).
fn copy_into(from: &Path, to: &Path) -> Result<()> {
    let status = std::process::Command::new("cp")
        .arg("-r")
        .arg(from.join("."))
        .arg(to)
        .status()?;
    ensure!(status.success(), "cp {} {}", from.display(), to.display());
    Ok(())
}

/// LIFE-4. Installs the previous version with progress stored in schema 1 (as the first release
/// stored it), updates it to the built version in place, and finds the progress migrated and shown.
/// Firefox: the same add-on id is installed again, which Firefox treats as an update. Chromium:
/// `runtime.reload()` of an unpacked extension re-reads its files but keeps the manifest it started
/// with (measured: `getManifest().version` stays the old one), so the directory's files are replaced
/// and the browser started again on the same profile and directory, as when Chromium applies at
/// startup an update it could not apply while running.
async fn an_update_keeps_progress_migrated(browser: Browser) -> Result<()> {
    let previous = previous_build(browser)?;
    // The harness keeps a Firefox add-on's storage even when it is uninstalled (for restarts); here
    // an uninstall must lose it, so that only a real update can keep the progress.
    let s = Session::start_with_extension_and_firefox_prefs(
        browser,
        previous.path(),
        &[(
            "extensions.webextensions.keepStorageOnUninstall",
            json!(false),
        )],
    )
    .await?;
    s.write_storage("tour", json!({ "seen": true, "step": 0 }))
        .await?;
    ensure!(installed_version(&s).await? == PREVIOUS_VERSION);
    let seed: Value = serde_json::from_str(include_str!("../../fixtures/storage/v1.json"))?;
    for (key, value) in seed.as_object().context("v1.json")? {
        s.write_storage(key, value.clone()).await?;
    }

    let s = match browser {
        Browser::Chromium => {
            copy_into(&dist_dir(browser), previous.path())?;
            s.restart_with_extension(previous.path()).await?
        }
        Browser::Firefox => {
            FirefoxTools::new(s.driver.handle().clone())
                .install_addon(&dist_dir(browser).to_string_lossy(), Some(true))
                .await?;
            s
        }
    };
    let outcome = progress_is_migrated(&s).await;
    if outcome.is_err() {
        s.save_screenshot("update").await;
    }
    s.quit().await;
    outcome
}

async fn progress_is_migrated(s: &Session) -> Result<()> {
    let start = Instant::now();
    while installed_version(s).await? == PREVIOUS_VERSION {
        ensure!(start.elapsed() < WAIT, "the update was not installed");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    s.open(EVENT_PAGE).await?;
    s.wait_ready().await?;
    v1_progress_is_shown(s).await?;
    let stored = s
        .in_extension_page("return await api.storage.local.get(null);", vec![])
        .await?;
    let stored = stored.as_object().context("storage")?;
    ensure!(
        !stored.contains_key("checklists")
            && stored.contains_key("pl.investigation.v1-oauth-and-client-registration"),
        "storage after the update: {:?}",
        stored.keys().collect::<Vec<_>>()
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_keeps_progress_migrated_chromium() {
    an_update_keeps_progress_migrated(Browser::Chromium)
        .await
        .expect("Chromium");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_keeps_progress_migrated_firefox() {
    an_update_keeps_progress_migrated(Browser::Firefox)
        .await
        .expect("Firefox");
}
