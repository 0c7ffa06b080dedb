//! The background stops when idle (Chromium's service worker, Firefox's event page) and nothing is
//! lost (security.md LIFE-1, LIFE-2): a new page's sidebar still reaches ready through the relay,
//! the classify message is still answered, and the context menu exists exactly once.

use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Result};
use pivot_lens_e2e::{both_browsers, Browser, MozContext, Session, FIREFOX_ADDON_ID};
use serde_json::json;

const EVENT_PAGE: &str =
    "acme.sentry.io/issues/6123456789/events/7b4c2f9a0c1d4e5f8a9b0c1d2e3f4a5b/";
const TRACE_PAGE: &str =
    "acme.sentry.io/explore/traces/trace/4bf92f3577b34da6a3ce929d0e0e4736/?node=span-00f067aa0ba902b7&source=traces&statsPeriod=24h";
const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
/// Firefox suspends an idle event page after this long (the default is 30 s).
const IDLE_TIMEOUT_MS: u64 = 1_000;

/// Whether the extension's background is running: Chromium lists its service worker as a target;
/// Firefox's add-on manager knows its event page's state (`running`, `suspending`, `stopped`, …).
async fn background_running(s: &Session) -> Result<bool> {
    match s.browser {
        Browser::Chromium => {
            let base = s.extension_base().await?;
            let targets = s
                .driver
                .cdp()
                .send_raw("Target.getTargets", json!({}))
                .await?;
            Ok(targets["targetInfos"].as_array().is_some_and(|all| {
                all.iter().any(|t| {
                    t["type"] == "service_worker"
                        && t["url"].as_str().is_some_and(|u| u.starts_with(&base))
                })
            }))
        }
        Browser::Firefox => {
            s.driver.handle().cmd(MozContext("chrome")).await?;
            let state = s
                .driver
                .execute(
                    "return WebExtensionPolicy.getByID(arguments[0]).extension.backgroundState;",
                    vec![json!(FIREFOX_ADDON_ID)],
                )
                .await;
            s.driver.handle().cmd(MozContext("content")).await?;
            Ok(state?.json() == "running")
        }
    }
}

/// Stops the background the way the browser does when it is idle, and waits until it is gone.
async fn stop_background(s: &Session) -> Result<()> {
    if s.browser == Browser::Chromium {
        s.driver
            .cdp()
            .send_raw("ServiceWorker.enable", json!({}))
            .await?;
    }
    // Firefox: the short idle timeout suspends the event page by itself.
    let start = Instant::now();
    for poll in 0.. {
        // Chromium: a worker still starting (woken by the last event) survives the stop, and with
        // the driver attached it is never stopped for idleness: stop it again until it is gone.
        if s.browser == Browser::Chromium && poll % 5 == 0 {
            s.driver
                .cdp()
                .send_raw("ServiceWorker.stopAllWorkers", json!({}))
                .await?;
        }
        if !background_running(s).await? {
            break;
        }
        if start.elapsed() > Duration::from_secs(15) {
            bail!("the background never stopped");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

async fn stopped_background_keeps_state(s: &Session) -> Result<()> {
    s.open(EVENT_PAGE).await?;
    s.wait_ready().await?;
    ensure!(
        background_running(s).await?,
        "the relay runs in the background"
    );
    s.in_extension_page(
        "await api.storage.local.set({ settings: { org: 'acme', host: '' } }); return true;",
        vec![],
    )
    .await?;

    stop_background(s).await?;
    // A new page: its sidebar is connected by the relay, which the page's first message wakes.
    s.open(TRACE_PAGE).await?;
    s.wait_ready().await?;
    let trace = s
        .in_sidebar(r#"return document.querySelector('[data-testid="pl-pivot"][data-key="trace_id"]')?.getAttribute('data-value') ?? null;"#)
        .await?;
    ensure!(
        trace == TRACE,
        "after the restart the sidebar shows {trace}"
    );

    stop_background(s).await?;
    // The classify message wakes it too and answers from the stored settings.
    let answer = s
        .in_extension_page(
            "return await api.runtime.sendMessage({ type: 'pivot-lens:classify', text: arguments[0] });",
            vec![json!(TRACE)],
        )
        .await?;
    ensure!(
        answer["kinds"] == json!(["trace_id", "event_id"])
            && answer["items"][0]["url"]
                == format!("https://acme.sentry.io/explore/traces/trace/{TRACE}/"),
        "classify after a restart: {answer}"
    );

    stop_background(s).await?;
    menu_exists_exactly_once(s).await
}

/// The menu's parent entry exists after the background restarted (updating it succeeds), survives
/// being registered again, and a second entry under its id cannot be made.
async fn menu_exists_exactly_once(s: &Session) -> Result<()> {
    let outcome = s
        .in_extension_page(
            "const menus = api.contextMenus;
             const lastError = () => api.runtime.lastError?.message ?? null;
             const update = () => new Promise((done) => menus.update('pivot-lens', {}, () => done(lastError())));
             const create = () => new Promise((done) => menus.create({ id: 'pivot-lens', title: 'again', contexts: ['selection'] }, () => done(lastError())));
             const before = await update();
             const registered = await api.runtime.sendMessage({ type: 'pivot-lens:test-register-menu' });
             const again = await api.runtime.sendMessage({ type: 'pivot-lens:test-register-menu' });
             return { before, registered, again, after: await update(), duplicate: await create() };",
            vec![],
        )
        .await?;
    ensure!(
        outcome["before"].is_null() && outcome["after"].is_null(),
        "the menu is missing: {outcome}"
    );
    ensure!(
        outcome["registered"] == json!({ "done": true })
            && outcome["again"] == json!({ "done": true }),
        "registering the menu again failed: {outcome}"
    );
    ensure!(
        outcome["duplicate"]
            .as_str()
            .is_some_and(|e| e.to_lowercase().contains("id")),
        "a second menu entry with the parent's id was made: {outcome}"
    );
    Ok(())
}

async fn state_survives_a_stopped_background(browser: Browser) {
    let prefs = [("extensions.background.idle.timeout", json!(IDLE_TIMEOUT_MS))];
    pivot_lens_e2e::run_with_firefox_prefs(browser, &prefs, |s| {
        Box::pin(stopped_background_keeps_state(s))
    })
    .await
}

both_browsers!(own_browser: state_survives_a_stopped_background);
