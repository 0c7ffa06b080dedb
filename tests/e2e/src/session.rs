//! A browser with the extension loaded (and the fixture server), its tabs and extension pages.

use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use serde_json::Value;
use thirtyfour::common::capabilities::firefox::FirefoxPreferences;
use thirtyfour::common::command::FormatRequestData;
use thirtyfour::extensions::addons::firefox::FirefoxTools;
use thirtyfour::prelude::*;
use thirtyfour::{LoggingPrefsLogLevel, RequestData, SessionId};
use tokio::process::{Child, Command};

use crate::server::{free_port, FixtureServer, EVERY_SCHEME_AND_PORT};
use crate::*;

/// Firefox's chrome/content context switch (geckodriver's `moz/context`), needed to open
/// moz-extension pages, which WebDriver navigation refuses.
#[derive(Debug)]
pub struct MozContext(pub &'static str);

impl FormatRequestData for MozContext {
    fn format_request(&self, session_id: &SessionId) -> RequestData {
        RequestData::new(
            http::Method::POST,
            format!("/session/{session_id}/moz/context"),
        )
        .add_body(serde_json::json!({ "context": self.0 }))
    }
}

pub struct Session {
    pub browser: Browser,
    pub driver: WebDriver,
    pub(crate) server: FixtureServer,
    pub(crate) _driver_process: Child,
    /// The browser profile (user data dir), kept so `restart` can reuse it.
    pub(crate) profile: tempfile::TempDir,
    /// Firefox preferences beyond the harness's own (`start_with_firefox_prefs`), kept for `restart`.
    pub(crate) firefox_prefs: Vec<(String, Value)>,
    /// Chromium's extension base once read: an unpacked extension keeps its id for the session,
    /// but its service worker has no target while it is stopped (after `runtime.reload()`, say).
    pub(crate) extension_base: std::sync::OnceLock<String>,
}

/// What the content script reports on the host element (the automation contract).
#[derive(Debug, Clone)]
pub struct HostState {
    pub state: String,
    pub url: String,
    pub ready_ms: Option<f64>,
    pub frame_src: String,
}

impl Session {
    pub async fn start(browser: Browser, extension: &Path) -> Result<Self> {
        Self::start_with(browser, extension, true).await
    }

    /// Starts a browser on a fresh profile; `headless: false` needs a display (the demo uses it).
    pub async fn start_with(browser: Browser, extension: &Path, headless: bool) -> Result<Self> {
        Self::start_with_profile(
            browser,
            extension,
            fresh_profile(browser)?,
            headless,
            Vec::new(),
        )
        .await
    }

    /// Starts a headless browser with the built extension and extra Firefox preferences (ignored
    /// by Chromium), e.g. a short `extensions.background.idle.timeout` to suspend the event page.
    pub async fn start_with_firefox_prefs(
        browser: Browser,
        prefs: &[(&str, Value)],
    ) -> Result<Self> {
        Self::start_with_extension_and_firefox_prefs(browser, &extension_under_test(browser), prefs)
            .await
    }

    /// Like `start_with_firefox_prefs`, with the extension loaded from `extension`.
    pub async fn start_with_extension_and_firefox_prefs(
        browser: Browser,
        extension: &Path,
        prefs: &[(&str, Value)],
    ) -> Result<Self> {
        let prefs = prefs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.clone()))
            .collect();
        Self::start_with_profile(browser, extension, fresh_profile(browser)?, true, prefs).await
    }

    /// Quits the browser and starts it again on the same profile directory, as a user restarting
    /// the browser would (Firefox gets its temporary add-on installed again, with the same UUID).
    pub async fn restart(self) -> Result<Self> {
        let extension = extension_under_test(self.browser);
        self.restart_with_extension(&extension).await
    }

    /// Like `restart`, loading the extension from `extension` (e.g. a directory whose files were
    /// replaced by a newer build while the browser was closed).
    pub async fn restart_with_extension(self, extension: &Path) -> Result<Self> {
        self.restart_editing_profile(extension, |_| Ok(())).await
    }

    /// Like `restart_with_extension`, with `edit` changing the profile directory while the browser
    /// is closed (e.g. what the browser remembers of the extension's granted permissions).
    pub async fn restart_editing_profile(
        self,
        extension: &Path,
        edit: impl FnOnce(&Path) -> Result<()>,
    ) -> Result<Self> {
        let Session {
            browser,
            driver,
            profile,
            firefox_prefs,
            ..
        } = self;
        driver.quit().await?;
        edit(profile.path())?;
        Self::start_with_profile(browser, extension, profile, true, firefox_prefs).await
    }

    async fn start_with_profile(
        browser: Browser,
        extension: &Path,
        profile: tempfile::TempDir,
        headless: bool,
        firefox_prefs: Vec<(String, Value)>,
    ) -> Result<Self> {
        let extension = extension
            .canonicalize()
            .with_context(|| format!("{} is missing: run ./build.sh first", extension.display()))?;
        Self::launch(browser, Some(&extension), profile, headless, firefox_prefs).await
    }

    /// A headless browser on the same fixtures with no extension: the benchmark's baseline.
    pub async fn start_without_extension(browser: Browser) -> Result<Self> {
        Self::launch(browser, None, fresh_profile(browser)?, true, Vec::new()).await
    }

    async fn launch(
        browser: Browser,
        extension: Option<&Path>,
        profile: tempfile::TempDir,
        headless: bool,
        firefox_prefs: Vec<(String, Value)>,
    ) -> Result<Self> {
        let server = FixtureServer::start().await?;
        let port = free_port();
        let (process, driver) = match browser {
            Browser::Chromium => {
                let process = spawn_driver("chromedriver", &[format!("--port={port}")])?;
                let mut caps = DesiredCapabilities::chrome();
                caps.set_binary("/usr/bin/chromium")?;
                if headless {
                    caps.add_arg("--headless=new")?;
                }
                for arg in [
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--ignore-certificate-errors",
                    "--window-size=1400,900",
                ] {
                    caps.add_arg(arg)?;
                }
                // Every name, not only sentry.io's: any https request reaches the fixture server's
                // request log (as Firefox's `network.dns.forceResolve` does); with the proxy (see
                // `log_every_scheme_and_port`) every scheme and port does.
                caps.add_arg(&format!("--host-resolver-rules=MAP * {}", server.address))?;
                if EVERY_SCHEME_AND_PORT.load(Ordering::Relaxed) {
                    caps.add_arg(&format!(
                        "--proxy-server=http://{}:{}",
                        server.address, server.proxy_port
                    ))?;
                }
                caps.add_arg(&format!("--user-data-dir={}", profile.path().display()))?;
                if let Some(extension) = extension {
                    caps.add_arg(&format!("--load-extension={}", extension.display()))?;
                    caps.add_arg(&format!(
                        "--disable-extensions-except={}",
                        extension.display()
                    ))?;
                    caps.add_experimental_option("excludeSwitches", vec!["disable-extensions"])?;
                }
                // Console messages of every frame, for `Session::console_log`.
                caps.set_browser_log_level(LoggingPrefsLogLevel::All)?;
                caps.accept_insecure_certs(true)?;
                let driver = connect(port, caps).await?;
                (process, driver)
            }
            Browser::Firefox => {
                let process = spawn_driver(
                    "geckodriver",
                    &[format!("--port={port}"), "--allow-system-access".into()],
                )?;
                let mut caps = DesiredCapabilities::firefox();
                // A wrapper script may stand in, e.g. to start Gecko's profiler (README, Performance).
                caps.set_firefox_binary(
                    &std::env::var("PL_FIREFOX_BIN").unwrap_or("/usr/bin/firefox-esr".into()),
                )?;
                if headless {
                    caps.add_arg("-headless")?;
                }
                caps.add_arg("--width=1400")?;
                caps.add_arg("--height=900")?;
                caps.add_arg("-profile")?;
                caps.add_arg(&profile.path().to_string_lossy())?;
                caps.accept_insecure_certs(true)?;
                let mut prefs = FirefoxPreferences::new();
                prefs.set("network.dns.forceResolve", server.address.as_str())?;
                if EVERY_SCHEME_AND_PORT.load(Ordering::Relaxed) {
                    prefs.set("network.proxy.type", 1)?;
                    for scheme in ["http", "ssl"] {
                        prefs.set(&format!("network.proxy.{scheme}"), server.address.as_str())?;
                        prefs.set(&format!("network.proxy.{scheme}_port"), server.proxy_port)?;
                    }
                    prefs.set("network.proxy.no_proxies_on", "")?;
                }
                prefs.set("extensions.originControls.grantByDefault", true)?;
                prefs.set(
                    "extensions.webextensions.uuids",
                    format!(r#"{{"{FIREFOX_ADDON_ID}":"{FIREFOX_UUID}"}}"#),
                )?;
                prefs.set("browser.shell.checkDefaultBrowser", false)?;
                // A temporary add-on is uninstalled when Firefox quits; keep its storage and UUID
                // so that a restart on the same profile finds them (`Session::restart`).
                prefs.set("extensions.webextensions.keepStorageOnUninstall", true)?;
                prefs.set("extensions.webextensions.keepUuidOnUninstall", true)?;
                prefs.set("datareporting.policy.dataSubmissionEnabled", false)?;
                for (name, value) in &firefox_prefs {
                    prefs.set(name, value.clone())?;
                }
                caps.set_preferences(prefs)?;
                let driver = connect(port, caps).await?;
                if let Some(extension) = extension {
                    FirefoxTools::new(driver.handle().clone())
                        .install_addon(&extension.to_string_lossy(), Some(true))
                        .await?;
                }
                (process, driver)
            }
        };
        Ok(Self {
            browser,
            driver,
            server,
            _driver_process: process,
            profile,
            firefox_prefs,
            extension_base: std::sync::OnceLock::new(),
        })
    }

    /// The browser's profile directory: its processes name it on their command line.
    pub fn profile_dir(&self) -> &Path {
        self.profile.path()
    }

    pub async fn quit(self) {
        let _ = self.driver.quit().await;
    }

    /// `https://<host_and_path>`, e.g. `acme.sentry.io/issues/1/` (served by this session's fixtures).
    pub fn url(&self, host_and_path: &str) -> String {
        format!("https://{host_and_path}")
    }

    pub async fn open(&self, host_and_path: &str) -> Result<()> {
        self.driver.enter_default_frame().await?;
        self.driver.goto(self.url(host_and_path)).await?;
        Ok(())
    }

    /// Every request the fixture server received so far, oldest first: `{method, path, scheme,
    /// session, Host, Origin, Referer, Sec-Fetch-Site, Sec-Fetch-Dest, Sec-Fetch-Mode,
    /// Authorization, mode}` (absent headers empty; `mode` the `pl-api` failure cookie). With
    /// `log_every_scheme_and_port`, both browsers send everything through the fixture proxy, so this
    /// holds each request to any host on any scheme and port, whoever made it: https on 443 as
    /// served; a CONNECT to another port (`path` = `Host` = `host:port`) and plain http (`scheme`
    /// `http`, `path` the whole URL) as refused.
    pub fn fixture_requests(&self) -> Result<Vec<Value>> {
        std::fs::read_to_string(self.server.request_log.path())?
            .lines()
            .map(|line| Ok(serde_json::from_str(line)?))
            .collect()
    }

    /// Fails when, two seconds from now (time for anything the page started to ask), the fixture
    /// server has seen a request whose path starts with `path`; `why` says when none was expected.
    pub async fn nothing_asked(&self, path: &str, why: &str) -> Result<()> {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let asked: Vec<Value> = self
            .fixture_requests()?
            .into_iter()
            .filter(|r| r["path"].as_str().is_some_and(|p| p.starts_with(path)))
            .collect();
        anyhow::ensure!(asked.is_empty(), "asked {why}: {asked:#?}");
        Ok(())
    }

    /// The extension's base URL (`chrome-extension://<id>/`, `moz-extension://<uuid>/`), where its
    /// pages open: Firefox's is fixed by the test profile, Chromium's is read from its service
    /// worker's target (not from the sidebar frame, which Chromium serves at a per-session origin).
    pub async fn extension_base(&self) -> Result<String> {
        if self.browser == Browser::Firefox {
            return Ok(format!("moz-extension://{FIREFOX_UUID}/"));
        }
        if let Some(base) = self.extension_base.get() {
            return Ok(base.clone());
        }
        let start = Instant::now();
        loop {
            let targets = self
                .driver
                .cdp()
                .send_raw("Target.getTargets", serde_json::json!({}))
                .await?;
            let base = targets["targetInfos"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t["url"].as_str())
                .find_map(|url| {
                    let rest = url.strip_prefix("chrome-extension://")?;
                    Some(format!("chrome-extension://{}/", rest.split('/').next()?))
                });
            if let Some(base) = base {
                return Ok(self.extension_base.get_or_init(|| base).clone());
            }
            if start.elapsed() > READY_TIMEOUT {
                bail!("Chromium shows no extension target");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Writes `storage.local[key] = value` from an extension page (as the options page does), then
    /// returns to the current tab.
    pub async fn write_storage(&self, key: &str, value: Value) -> Result<()> {
        let base = self.extension_base().await?;
        let page = self.driver.window().await?;
        self.open_extension_page(&base, "options.html").await?;
        let start = Instant::now();
        // Firefox switches to the new tab before the page has loaded.
        while self
            .driver
            .execute(
                "const api = globalThis.browser ?? globalThis.chrome;
                 return api?.storage ? api.storage.local.set({ [arguments[0]]: arguments[1] }).then(() => true) : false;",
                vec![Value::from(key), value.clone()],
            )
            .await?
            .json()
            != &Value::Bool(true)
        {
            if start.elapsed() > READY_TIMEOUT {
                bail!("no extension page to write storage.local.{key} from");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.driver.close_window().await?;
        self.driver.switch_to_window(page).await?;
        Ok(())
    }

    /// Opens an extension page (e.g. `options.html`) in a new tab and switches to it.
    pub async fn open_extension_page(&self, base: &str, page: &str) -> Result<()> {
        let url = format!("{base}{page}");
        match self.browser {
            Browser::Chromium => {
                let tab = self.driver.new_tab().await?;
                self.driver.switch_to_window(tab).await?;
                self.driver.goto(&url).await?;
            }
            Browser::Firefox => {
                let before = self.driver.windows().await?;
                self.driver.handle().cmd(MozContext("chrome")).await?;
                self.driver
                    .execute(
                        "gBrowser.selectedTab = gBrowser.addTab(arguments[0], \
                         {triggeringPrincipal: Services.scriptSecurityManager.getSystemPrincipal()});",
                        vec![Value::String(url.clone())],
                    )
                    .await?;
                self.driver.handle().cmd(MozContext("content")).await?;
                let start = Instant::now();
                let tab = loop {
                    let now = self.driver.windows().await?;
                    if let Some(tab) = now.into_iter().find(|w| !before.contains(w)) {
                        break tab;
                    }
                    if start.elapsed() > READY_TIMEOUT {
                        bail!("Firefox did not open {page}");
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                };
                self.driver.switch_to_window(tab).await?;
            }
        }
        // A new tab starts as about:blank; wait until the extension page itself has loaded.
        let start = Instant::now();
        let mut retried = false;
        loop {
            let loaded = self
                .driver
                .execute("return location.href.startsWith(arguments[0]) && document.readyState === 'complete';", vec![Value::String(url.clone())])
                .await?;
            if loaded.json() == true {
                return Ok(());
            }
            if start.elapsed() > READY_TIMEOUT {
                bail!("{page} did not load");
            }
            // Right after an extension reload (updates.rs), Chromium can show its error page for
            // a navigation made while the extension was restarting: navigate once more.
            if self.browser == Browser::Chromium && !retried && start.elapsed() > READY_TIMEOUT / 2
            {
                retried = true;
                self.driver.goto(&url).await?;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs `script` (an async function body; `api` is `browser` or `chrome`, `arguments` the
    /// args) in a fresh `options.html` tab, with the extension APIs, and returns what it resolves
    /// to (a rejection comes back as the string `error: …`).
    pub async fn in_extension_page(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        let base = self.extension_base().await?;
        let first = self.driver.window().await?;
        self.open_extension_page(&base, "options.html").await?;
        let result = self
            .driver
            .execute_async(
                &format!(
                    "const done = arguments[arguments.length - 1];
                     const api = globalThis.browser ?? globalThis.chrome;
                     (async () => {{ {script} }})().then(done, (e) => done('error: ' + e));"
                ),
                args,
            )
            .await?
            .json()
            .clone();
        self.driver.close_window().await?;
        self.driver.switch_to_window(first).await?;
        Ok(result)
    }

    /// Chromium only (`None` in Firefox, whose driver has no log endpoint): the console messages
    /// and uncaught errors of every frame (the extension's included) since the last call.
    pub async fn console_log(&self) -> Result<Option<Vec<thirtyfour::BrowserLogEntry>>> {
        if self.browser != Browser::Chromium {
            return Ok(None);
        }
        Ok(Some(self.driver.browser_log().await?))
    }

    /// The system clipboard's text. Firefox reads it in the sidebar frame; Chromium's frame may
    /// only write (permissions policy), so it is read from an extension tab granted clipboard access.
    pub async fn read_clipboard(&self) -> Result<String> {
        const READ: &str = "return navigator.clipboard.readText().catch(e => 'unreadable: ' + e);";
        let text = match self.browser {
            Browser::Firefox => self.in_sidebar(READ).await?,
            Browser::Chromium => {
                let base = self.extension_base().await?;
                let page = self.driver.window().await?;
                self.driver
                    .cdp()
                    .send_raw(
                        "Browser.grantPermissions",
                        serde_json::json!({ "origin": base.trim_end_matches('/'), "permissions": ["clipboardReadWrite"] }),
                    )
                    .await?;
                self.open_extension_page(&base, "options.html").await?;
                // Headless windows are never focused; readText requires a focused document.
                self.driver
                    .cdp()
                    .send_raw(
                        "Emulation.setFocusEmulationEnabled",
                        serde_json::json!({ "enabled": true }),
                    )
                    .await?;
                let text = self.driver.execute(READ, vec![]).await?.json().clone();
                self.driver.close_window().await?;
                self.driver.switch_to_window(page).await?;
                text
            }
        };
        Ok(text.as_str().unwrap_or_default().to_owned())
    }

    /// Starts recording, inside the sidebar frame, every console error or warning and every
    /// uncaught error or rejection (a wrapper, so it works in both browsers); read with `sidebar_console`.
    pub async fn record_sidebar_console(&self) -> Result<()> {
        let installed = self
            .in_sidebar(include_str!("scripts/record-console.js"))
            .await?;
        ensure!(installed == true, "could not record the sidebar's console");
        Ok(())
    }

    /// What the sidebar frame logged since `record_sidebar_console` (empty: nothing).
    pub async fn sidebar_console(&self) -> Result<Value> {
        self.in_sidebar("return window.__plConsole;").await
    }

    /// The console errors since the last call (Chromium: since the last `console_log` too). Chromium:
    /// every frame's SEVERE entries (`errors_in`). Firefox, from its console service: errors whose
    /// source is one of the extension's files, and every CSP violation (but the blocked favicon,
    /// the browser's own load).
    pub async fn console_errors(&self) -> Result<Vec<String>> {
        if self.browser == Browser::Chromium {
            return Ok(errors_in(&self.console_log().await?.unwrap_or_default()));
        }
        self.driver.enter_default_frame().await?;
        self.driver.handle().cmd(MozContext("chrome")).await?;
        let messages = self
            .driver
            .execute(
                "const errors = [];
                 for (const m of Services.console.getMessageArray()) {
                   if (!(m instanceof Ci.nsIScriptError)) continue;
                   const error = !(m.flags & (Ci.nsIScriptError.warningFlag | Ci.nsIScriptError.infoFlag));
                   // The harness closes extension tabs it used while their promises are pending.
                   const ours = m.sourceName.startsWith('moz-extension://')
                     && !m.errorMessage.startsWith('Promise resolved after context unloaded');
                   const csp = m.category.startsWith('CSP') && m.category.includes('Violation')
                     && !m.errorMessage.includes('/favicon.ico');
                   if ((error && ours) || csp) errors.push(`${m.category} ${m.sourceName}: ${m.errorMessage}`);
                 }
                 Services.console.reset();
                 return errors;",
                vec![],
            )
            .await;
        self.driver.handle().cmd(MozContext("content")).await?;
        Ok(serde_json::from_value(messages?.json().clone())?)
    }

    /// Saves a screenshot of the current page under target/e2e/ (kept for failed tests).
    pub async fn save_screenshot(&self, name: &str) {
        let dir = workspace_root().join("target/e2e/screenshots");
        let _ = std::fs::create_dir_all(&dir);
        let _ = self.driver.enter_default_frame().await;
        if let Ok(png) = self.driver.screenshot_as_png().await {
            let _ = std::fs::write(dir.join(format!("{name}-{:?}.png", self.browser)), png);
        }
    }
}

fn fresh_profile(browser: Browser) -> Result<tempfile::TempDir> {
    Ok(tempfile::Builder::new()
        .prefix(match browser {
            Browser::Chromium => "pl-chromium",
            Browser::Firefox => "pl-firefox",
        })
        .tempdir()?)
}

fn spawn_driver(program: &str, args: &[String]) -> Result<Child> {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("start {program} (./build.sh test installs it)"))
}

async fn connect(port: u16, caps: impl Into<thirtyfour::Capabilities>) -> Result<WebDriver> {
    let caps = caps.into();
    let start = Instant::now();
    loop {
        match WebDriver::new(format!("http://127.0.0.1:{port}"), caps.clone()).await {
            Ok(driver) => return Ok(driver),
            Err(error) if start.elapsed() > Duration::from_secs(30) => return Err(error.into()),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}
