//! The end-to-end harness: the built extension (`dist/`) in headless Chromium and Firefox ESR,
//! against fixture pages served over HTTPS at `*.sentry.io` names that the browsers resolve to
//! 127.0.0.1. One test design drives both browsers (chromedriver and geckodriver via thirtyfour).
//!
//! Write a test as `async fn name(s: &Session) -> anyhow::Result<()>` and register it with
//! `both_browsers!(name);`. Tests start as a returning engineer (the walkthrough already seen);
//! `both_browsers!(first_run: name)` starts on a fresh install instead.

use std::collections::{BTreeMap, BTreeSet};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use serde_json::Value;
use thirtyfour::common::capabilities::firefox::FirefoxPreferences;
use thirtyfour::common::command::FormatRequestData;
use thirtyfour::extensions::addons::firefox::FirefoxTools;
use thirtyfour::prelude::*;
use thirtyfour::{LoggingPrefsLogLevel, RequestData, SessionId};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The fixed moz-extension host of the add-on in test profiles, so tests can open its pages.
const FIREFOX_UUID: &str = "5f1c0e7a-3c1b-4d8e-9a60-7e57ab1e0001";
pub const FIREFOX_ADDON_ID: &str = "pivot-lens@pivot-lens.dev";
/// Firefox's name for our `sidebar_action` (its widget id of the add-on id, then `-sidebar-action`).
const FIREFOX_SIDEBAR_ID: &str = "pivot-lens_pivot-lens_dev-sidebar-action";
/// The host element, found even on a page whose named elements shadow `document.querySelector`.
const HOST: &str = "Document.prototype.querySelector.call(document, '[data-pivot-lens]')";
const READY_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Browser {
    Chromium,
    Firefox,
}

/// Registers `async fn $name(s: &Session) -> Result<()>` as one test per browser
/// (`first_run:` before the names: on a fresh install, where the walkthrough starts by itself).
#[macro_export]
macro_rules! both_browsers {
    (first_run: $($name:ident),+ $(,)?) => {
        $crate::both_browsers!(@with $crate::Profile::FirstRun; $($name),+);
    };
    (@with $profile:expr; $($name:ident),+) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn chromium() {
                $crate::run_as($crate::Browser::Chromium, $profile, |s| Box::pin(super::$name(s))).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn firefox() {
                $crate::run_as($crate::Browser::Firefox, $profile, |s| Box::pin(super::$name(s))).await
            }
        }
    )+};
    ($($name:ident),+ $(,)?) => {
        $crate::both_browsers!(@with $crate::Profile::Returning; $($name),+);
    };
    // Every request of the browser through the fixture proxy (`log_every_scheme_and_port`).
    (logging_every_request: $($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn chromium() {
                $crate::log_every_scheme_and_port();
                $crate::run($crate::Browser::Chromium, |s| Box::pin(super::$name(s))).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn firefox() {
                $crate::log_every_scheme_and_port();
                $crate::run($crate::Browser::Firefox, |s| Box::pin(super::$name(s))).await
            }
        }
    )+};
}

/// Who the test starts as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// The walkthrough was seen (`storage.local.tour = {seen: true}`): pages show only the sidebar.
    Returning,
    /// Just installed: the first Sentry page starts the walkthrough.
    FirstRun,
}

type TestFuture<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<()>> + Send + 'a>>;

/// The sidebar's pivots as (data-key, data-value) pairs.
pub type Pivots = BTreeSet<(String, String)>;

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

/// Starts a browser with the built extension and the fixture server, runs the test, always tears down.
pub async fn run<F>(browser: Browser, test: F)
where
    F: for<'a> FnOnce(&'a Session) -> TestFuture<'a>,
{
    run_with_extension(browser, &extension_under_test(browser), test).await
}

/// Like `run`, starting as `profile`.
pub async fn run_as<F>(browser: Browser, profile: Profile, test: F)
where
    F: for<'a> FnOnce(&'a Session) -> TestFuture<'a>,
{
    run_in(
        browser,
        Session::start(browser, &extension_under_test(browser)).await,
        profile,
        test,
    )
    .await
}

/// Like `run`, with the extension loaded from `extension` (e.g. a deliberately damaged copy).
pub async fn run_with_extension<F>(browser: Browser, extension: &Path, test: F)
where
    F: for<'a> FnOnce(&'a Session) -> TestFuture<'a>,
{
    run_in(
        browser,
        Session::start(browser, extension).await,
        Profile::Returning,
        test,
    )
    .await
}

/// Like `run`, in a browser started with extra Firefox preferences (`Session::start_with_firefox_prefs`).
pub async fn run_with_firefox_prefs<F>(browser: Browser, prefs: &[(&str, Value)], test: F)
where
    F: for<'a> FnOnce(&'a Session) -> TestFuture<'a>,
{
    let session = Session::start_with_firefox_prefs(browser, prefs).await;
    run_in(browser, session, Profile::Returning, test).await
}

async fn run_in<F>(browser: Browser, session: Result<Session>, profile: Profile, test: F)
where
    F: for<'a> FnOnce(&'a Session) -> TestFuture<'a>,
{
    let session = session.expect("start the browser session");
    if profile == Profile::Returning {
        session
            .write_storage("tour", serde_json::json!({ "seen": true, "step": 0 }))
            .await
            .expect("mark the walkthrough as seen");
    }
    let outcome = test(&session).await;
    if outcome.is_err() {
        session.save_screenshot("failure").await;
    }
    session.quit().await;
    if let Err(error) = outcome {
        panic!("{browser:?}: {error:#}");
    }
}

/// `dist/` as built by `./build.sh` (PL_DIST overrides).
pub fn dist_root() -> PathBuf {
    std::env::var_os("PL_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("dist"))
}

/// The built extension for `browser`, as shipped (the bench and the demo load it).
pub fn dist_dir(browser: Browser) -> PathBuf {
    dist_root().join(browser_dir(browser))
}

fn browser_dir(browser: Browser) -> &'static str {
    match browser {
        Browser::Chromium => "chrome",
        Browser::Firefox => "firefox",
    }
}

/// The extension the tests load: a copy of `dist_dir` (in `target/e2e/extension/`) whose
/// background starts from `tests/e2e/extension/test-hooks.js`, which raises the keyboard command
/// and context-menu events WebDriver cannot. The shipped package never carries the hooks.
pub fn extension_under_test(browser: Browser) -> PathBuf {
    static COPIES: [OnceLock<PathBuf>; 2] = [OnceLock::new(), OnceLock::new()];
    COPIES[browser as usize]
        .get_or_init(|| {
            let copy = workspace_root()
                .join("target/e2e/extension")
                .join(browser_dir(browser));
            add_test_hooks(&dist_dir(browser), &copy)
                .unwrap_or_else(|error| panic!("prepare {}: {error:#}", copy.display()));
            copy
        })
        .clone()
}

const TEST_HOOKS: &str = include_str!("../extension/test-hooks.js");

fn add_test_hooks(dist: &Path, copy: &Path) -> Result<()> {
    let mut manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(dist.join("manifest.json"))
            .context("the built extension (run ./build.sh)")?,
    )?;
    let background = &mut manifest["background"];
    if background.get("service_worker").is_some() {
        background["service_worker"] = "test-hooks.js".into();
    } else {
        background["scripts"] = serde_json::json!(["test-hooks.js"]);
    }
    let mut files = BTreeMap::new();
    files.insert(
        PathBuf::from("test-hooks.js"),
        TEST_HOOKS.as_bytes().to_vec(),
    );
    files.insert(
        PathBuf::from("manifest.json"),
        serde_json::to_vec_pretty(&manifest)?,
    );
    for file in files_under(dist)? {
        let relative = file.strip_prefix(dist)?.to_path_buf();
        if let std::collections::btree_map::Entry::Vacant(entry) = files.entry(relative) {
            entry.insert(std::fs::read(&file)?);
        }
    }
    // File by file and only where it differs, each through a rename: a browser another test
    // process started on this copy never reads half a file.
    for stale in files_under(copy).unwrap_or_default() {
        if !files.contains_key(stale.strip_prefix(copy)?) {
            std::fs::remove_file(&stale)?;
        }
    }
    for (relative, bytes) in files {
        let target = copy.join(&relative);
        if std::fs::read(&target).is_ok_and(|old| old == bytes) {
            continue;
        }
        std::fs::create_dir_all(target.parent().context("a file in the copy")?)?;
        let partial = target.with_extension(format!("partial-{}", std::process::id()));
        std::fs::write(&partial, bytes)?;
        std::fs::rename(&partial, &target)?;
    }
    Ok(())
}

fn files_under(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            files.extend(files_under(&path)?);
        } else {
            files.push(path);
        }
    }
    Ok(files)
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// A self-signed certificate for sentry.io and *.sentry.io, made once per run.
fn certificate() -> &'static (PathBuf, PathBuf) {
    static CERT: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    CERT.get_or_init(|| {
        let dir = workspace_root().join("target/e2e");
        std::fs::create_dir_all(&dir).expect("create target/e2e");
        let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
        if !cert.exists() || !key.exists() {
            let status = std::process::Command::new("openssl")
                .args([
                    "req",
                    "-x509",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-days",
                    "30",
                    "-subj",
                    "/CN=sentry.io",
                ])
                .args(["-addext", "subjectAltName=DNS:sentry.io,DNS:*.sentry.io"])
                .arg("-keyout")
                .arg(&key)
                .arg("-out")
                .arg(&cert)
                .stderr(Stdio::null())
                .status()
                .expect("run openssl");
            assert!(
                status.success(),
                "openssl could not make the fixture certificate"
            );
        }
        (cert, key)
    })
}

/// The bundled sample pages: `(file stem, host and path)` from each fixture's `<!-- URL: … -->`.
pub fn fixture_pages() -> Result<Vec<(String, String)>> {
    let dir = workspace_root().join("tests/fixtures/pages");
    let mut pages = Vec::new();
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let text = std::fs::read_to_string(&path)?;
        let Some(url) = text
            .split("<!-- URL: https://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
        else {
            continue;
        };
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        pages.push((stem, url.replace("&amp;", "&")));
    }
    pages.sort();
    Ok(pages)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The fixture HTTPS server (tests/fixtures/serve.py) on port 443, so page URLs look exactly like
/// Sentry's (no port). Each session gets its own loopback address (127.0.0.N) and maps the
/// sentry.io names to it, so tests run in parallel. Binding 443 needs root (as in CI) or
/// `net.ipv4.ip_unprivileged_port_start=443`.
struct FixtureServer {
    _child: Child,
    address: String,
    /// The browsers' forward proxy (serve.py `Proxy`): plain http and https on any port reach
    /// the request log too, not only https on 443.
    proxy_port: u16,
    /// Every request the server received, one JSON line each (`Session::fixture_requests`).
    request_log: tempfile::NamedTempFile,
}

impl FixtureServer {
    async fn start() -> Result<Self> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let first = std::process::id() % 200;
        let mut last_error = None;
        for _ in 0..32 {
            let address = format!(
                "127.0.0.{}",
                2 + (first + NEXT.fetch_add(1, Ordering::Relaxed)) % 250
            );
            match Self::start_on(&address).await {
                Ok(server) => return Ok(server),
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error.unwrap_or_else(|| anyhow::anyhow!("no loopback address was free")))
    }

    async fn start_on(address: &str) -> Result<Self> {
        let (cert, key) = certificate();
        let request_log = tempfile::NamedTempFile::new()?;
        let mut child = Command::new("python3")
            .arg(workspace_root().join("tests/fixtures/serve.py"))
            .args([cert, key])
            .args([address, "443"])
            .env("PL_REQUEST_LOG", request_log.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context("start tests/fixtures/serve.py")?;
        let stdout = child.stdout.take().context("fixture server stdout")?;
        let mut line = String::new();
        tokio::time::timeout(
            Duration::from_secs(10),
            BufReader::new(stdout).read_line(&mut line),
        )
        .await??;
        let proxy_port = line
            .strip_prefix("LISTENING ")
            .and_then(|rest| rest.split_whitespace().nth(2))
            .and_then(|port| port.parse().ok())
            .with_context(|| format!("the fixture server could not listen on {address}:443"))?;
        Ok(Self {
            _child: child,
            address: address.to_owned(),
            proxy_port,
            request_log,
        })
    }
}

/// Whether the browsers of this test process send everything through the fixture proxy.
static EVERY_SCHEME_AND_PORT: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// From now on, this test process's browsers send every request through the fixture server's
/// forward proxy, so the request log holds plain http and https on any port too (the security
/// tests). Off by default: the other tests connect directly, as a user's browser does.
pub fn log_every_scheme_and_port() {
    EVERY_SCHEME_AND_PORT.store(true, Ordering::Relaxed);
}

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

/// The extension page (in a second window) that reads the docked panel, and the first window.
pub struct PanelReader {
    pub main: WindowHandle,
    reader: WindowHandle,
}

pub struct Session {
    pub browser: Browser,
    pub driver: WebDriver,
    server: FixtureServer,
    _driver_process: Child,
    /// The browser profile (user data dir), kept so `restart` can reuse it.
    profile: tempfile::TempDir,
    /// Firefox preferences beyond the harness's own (`start_with_firefox_prefs`), kept for `restart`.
    firefox_prefs: Vec<(String, Value)>,
    /// Chromium's extension base once read: an unpacked extension keeps its id for the session,
    /// but its service worker has no target while it is stopped (after `runtime.reload()`, say).
    extension_base: std::sync::OnceLock<String>,
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

    pub async fn host_state(&self) -> Result<Option<HostState>> {
        self.driver.enter_default_frame().await?;
        let ret = self
            .driver
            .execute(
                r#"const h = Document.prototype.querySelectorAll.call(document, '[data-pivot-lens]');
                   if (h.length !== 1) return h.length ? 'duplicate' : null;
                   const f = h[0].shadowRoot && h[0].shadowRoot.querySelector('iframe');
                   return { state: h[0].getAttribute('data-pl-state'), url: h[0].getAttribute('data-pl-url'),
                            readyMs: h[0].getAttribute('data-pl-ready-ms'), src: f ? f.src : '' };"#,
                vec![],
            )
            .await?;
        let value = ret.json();
        if value.is_null() {
            return Ok(None);
        }
        if value == "duplicate" {
            bail!("more than one [data-pivot-lens] host on the page");
        }
        Ok(Some(HostState {
            state: value["state"].as_str().unwrap_or_default().to_owned(),
            url: value["url"].as_str().unwrap_or_default().to_owned(),
            ready_ms: value["readyMs"].as_str().and_then(|s| s.parse().ok()),
            frame_src: value["src"].as_str().unwrap_or_default().to_owned(),
        }))
    }

    /// Waits until the host says `ready` for the page's current URL.
    pub async fn wait_ready(&self) -> Result<HostState> {
        self.wait_state("ready").await
    }

    pub async fn wait_state(&self, wanted: &str) -> Result<HostState> {
        let start = Instant::now();
        loop {
            let current: String = self.driver.current_url().await?.to_string();
            let host = self.host_state().await?;
            if let Some(host) = &host {
                if host.state == wanted && (wanted != "ready" || host.url == current) {
                    return Ok(host.clone());
                }
            }
            if start.elapsed() > READY_TIMEOUT {
                bail!("the sidebar did not reach {wanted:?} for {current}; host: {host:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Switches WebDriver into the sidebar frame (leave with `driver.enter_default_frame()`).
    pub async fn enter_sidebar(&self) -> Result<()> {
        self.driver.enter_default_frame().await?;
        let frame = self
            .driver
            .execute(
                &format!("return {HOST}.shadowRoot.querySelector('iframe')"),
                vec![],
            )
            .await?
            .element()?;
        frame.enter_frame().await?;
        Ok(())
    }

    /// Opens the collapsed sidebar by clicking its tab like a user, waits for the frame to grow,
    /// and stays inside the frame.
    pub async fn open_sidebar(&self) -> Result<()> {
        self.enter_sidebar().await?;
        self.driver.find(By::Css(".pl-tab")).await?.click().await?;
        if let Err(error) = self.wait_host_attribute("data-pl-open", "true").await {
            // Whether the click reached the sidebar tells a lost click from a lost message.
            let sidebar = self
                .in_sidebar("const r = document.querySelector('[data-testid=\"pl-sidebar\"]'); return r && { open: r.dataset.open, api: r.dataset.api };")
                .await
                .unwrap_or_default();
            bail!("{error}; the sidebar shows {sidebar}");
        }
        self.enter_sidebar().await
    }

    /// An attribute of the host element (`data-pl-open`, `style`, …); empty when absent.
    pub async fn host_attribute(&self, name: &str) -> Result<String> {
        self.driver.enter_default_frame().await?;
        let value = self
            .driver
            .execute(
                &format!("return {HOST}.getAttribute(arguments[0]);"),
                vec![Value::from(name)],
            )
            .await?;
        Ok(value.json().as_str().unwrap_or_default().to_owned())
    }

    pub async fn wait_host_attribute(&self, name: &str, wanted: &str) -> Result<()> {
        let start = Instant::now();
        loop {
            let value = self.host_attribute(name).await?;
            if value == wanted {
                return Ok(());
            }
            if start.elapsed() > READY_TIMEOUT {
                bail!("host {name} never became {wanted:?} (is {value:?})");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs `script` (a function body; `return` a JSON value) inside the sidebar's iframe.
    pub async fn in_sidebar(&self, script: &str) -> Result<Value> {
        self.enter_sidebar().await?;
        let result = self
            .driver
            .execute(script, vec![])
            .await
            .map(|r| r.json().clone());
        self.driver.enter_default_frame().await?;
        Ok(result?)
    }

    /// Like `in_sidebar`, retrying until `script` returns something other than null/false.
    pub async fn sidebar_until(&self, script: &str) -> Result<Value> {
        let start = Instant::now();
        loop {
            let value = self.in_sidebar(script).await?;
            if !(value.is_null() || value == false) {
                return Ok(value);
            }
            if start.elapsed() > READY_TIMEOUT {
                bail!("timed out waiting in the sidebar for: {script}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
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

    /// Opens the browser's own panel with Pivot Lens docked in it, as the engineer would: Chromium
    /// from the injected sidebar's Dock button (the click's gesture reaches `sidePanel.open`),
    /// Firefox from its sidebar controls (`SidebarController.show`, what the sidebar menu calls;
    /// its Dock button only says how). Waits until the page's frame has gone.
    pub async fn dock(&self) -> Result<()> {
        // The panel may be open already (a remembered layout): then its tab is hidden.
        let open = self
            .in_sidebar(r#"return document.querySelector('[data-testid="pl-sidebar"]')?.getAttribute('data-open');"#)
            .await?;
        if open == "true" {
            self.enter_sidebar().await?;
        } else {
            self.open_sidebar().await?;
        }
        self.driver
            .find(By::Css(r#"[data-testid="pl-dock"]"#))
            .await?
            .click()
            .await?;
        if self.browser == Browser::Firefox {
            self.sidebar_until(
                r#"return document.querySelector('[data-testid="pl-dock-help"]')?.textContent;"#,
            )
            .await?;
            self.driver.enter_default_frame().await?;
            self.driver.handle().cmd(MozContext("chrome")).await?;
            let shown = self
                .driver
                .execute(
                    // Shown afresh: a sidebar left open by an earlier undock boots again, as
                    // reopening it does for the engineer.
                    "SidebarController.hide(); return SidebarController.show(arguments[0]).then(() => true);",
                    vec![Value::from(FIREFOX_SIDEBAR_ID)],
                )
                .await;
            self.driver.handle().cmd(MozContext("content")).await?;
            ensure!(
                shown?.json() == true,
                "Firefox did not show the Pivot Lens sidebar"
            );
        }
        self.driver.enter_default_frame().await?;
        until(
            self,
            &format!(
                "const h = {HOST}; return h && h.getAttribute('data-pl-mode') === 'docked' && !h.shadowRoot.querySelector('iframe');"
            ),
        )
        .await
        .context("the page kept its frame")?;
        Ok(())
    }

    /// Firefox only: the whole browser window (its sidebar included), from the chrome context.
    pub async fn browser_window_png(&self) -> Result<Vec<u8>> {
        ensure!(
            self.browser == Browser::Firefox,
            "only Firefox shoots its whole window"
        );
        self.driver.handle().cmd(MozContext("chrome")).await?;
        let png = self.driver.screenshot_as_png().await;
        self.driver.handle().cmd(MozContext("content")).await?;
        Ok(png?)
    }

    /// A second window with an extension page, from which the docked panel is read (its
    /// `extension.getViews()`): a page of ours in the first window would be the tab in view.
    /// Firefox copies an open sidebar into new windows: that copy is closed.
    pub async fn open_panel_reader(&self) -> Result<PanelReader> {
        let main = self.driver.window().await?;
        let window = self.driver.new_window().await?;
        self.driver.switch_to_window(window).await?;
        if self.browser == Browser::Firefox {
            self.driver.handle().cmd(MozContext("chrome")).await?;
            let hidden = self
                .driver
                .execute("SidebarController.hide(); return true;", vec![])
                .await;
            self.driver.handle().cmd(MozContext("content")).await?;
            hidden?;
        }
        self.open_extension_page(&self.extension_base().await?, "options.html")
            .await?;
        let reader = self.driver.window().await?;
        self.driver.switch_to_window(main.clone()).await?;
        Ok(PanelReader { main, reader })
    }

    /// Runs `script` (its `document` is the docked panel's) and returns to the tab that was in use.
    pub async fn in_panel(&self, reader: &PanelReader, script: &str) -> Result<Value> {
        let current = self.driver.window().await?;
        self.driver.switch_to_window(reader.reader.clone()).await?;
        let value = self
            .driver
            .execute(
                &format!(
                    "const api = globalThis.browser ?? globalThis.chrome;
                     // Chrome keeps one panel per Sentry tab (hidden with its tab): the one shown.
                     const panels = api.extension.getViews().filter((v) => v.location.href.includes('sidebar.html?docked'));
                     const panel = panels.find((v) => v.document.visibilityState === 'visible') ?? panels[0];
                     if (!panel) return {{ noPanel: true }};
                     const document = panel.document;
                     return (() => {{ {script} }})();"
                ),
                vec![],
            )
            .await;
        self.driver.switch_to_window(current).await?;
        let value = value?.json().clone();
        ensure!(value.get("noPanel").is_none(), "no docked panel is open");
        Ok(value)
    }

    /// Opens `url` in a new active tab of the first window (WebDriver's own new tab may land in
    /// the reader's window) and makes it the driver's current tab.
    pub async fn open_tab_beside_the_panel(
        &self,
        reader: &PanelReader,
        url: &str,
    ) -> Result<WindowHandle> {
        let before = self.driver.windows().await?;
        self.driver.switch_to_window(reader.reader.clone()).await?;
        self.driver
            .execute(
                "const api = globalThis.browser ?? globalThis.chrome;
                 const url = arguments[0];
                 return (async () => {
                   const here = await api.windows.getCurrent();
                   const main = (await api.windows.getAll()).find((w) => w.id !== here.id);
                   await api.tabs.create({ windowId: main.id, url, active: true });
                   return true;
                 })();",
                vec![Value::from(url)],
            )
            .await?;
        let start = Instant::now();
        let tab = loop {
            if let Some(tab) = self
                .driver
                .windows()
                .await?
                .into_iter()
                .find(|w| !before.contains(w))
            {
                break tab;
            }
            if start.elapsed() > READY_TIMEOUT {
                bail!("no tab opened for {url}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        self.driver.switch_to_window(tab.clone()).await?;
        Ok(tab)
    }

    /// Polls `script` in the docked panel until it returns something truthy.
    pub async fn panel_until(&self, reader: &PanelReader, script: &str) -> Result<Value> {
        let start = Instant::now();
        loop {
            let value = self.in_panel(reader, script).await?;
            if !(value.is_null() || value == false || value == "" || value == 0) {
                return Ok(value);
            }
            if start.elapsed() > READY_TIMEOUT {
                let shown = self
                    .in_panel(
                        reader,
                        "return document.querySelector('main')?.outerHTML.slice(0, 600);",
                    )
                    .await?;
                bail!("timed out waiting in the docked panel for: {script}\nit shows: {shown}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
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
            .in_sidebar(
                r#"window.__plConsole = [];
                   for (const level of ['error', 'warn']) {
                     const original = console[level];
                     console[level] = (...args) => { window.__plConsole.push(level + ': ' + args.join(' ')); original.apply(console, args); };
                   }
                   addEventListener('error', (e) => window.__plConsole.push('uncaught: ' + e.message));
                   addEventListener('unhandledrejection', (e) => window.__plConsole.push('rejection: ' + e.reason));
                   return true;"#,
            )
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
            r#"const row = document.querySelector('[data-test-id="tag-tree-row"]:has([title])').cloneNode(true);
               row.querySelector('[title]').setAttribute('title', arguments[0]);
               const hidden = row.querySelector('[aria-hidden="true"]');
               if (hidden) hidden.textContent = arguments[0];
               row.querySelector('[data-sentry-element="TreeValue"]').textContent = arguments[1];
               document.querySelector('[data-test-id="tag-tree-column"]').append(row);"#,
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
