//! The end-to-end harness: the built extension (`dist/`) in headless Chromium and Firefox ESR,
//! against fixture pages served over HTTPS at `*.sentry.io` names that the browsers resolve to
//! 127.0.0.1. One test design drives both browsers (chromedriver and geckodriver via thirtyfour).
//!
//! Write a test as `async fn name(s: &Session) -> anyhow::Result<()>` and register it with
//! `both_browsers!(name);`. Tests start as a returning engineer (the walkthrough already seen);
//! `both_browsers!(first_run: name)` starts on a fresh install instead.
//!
//! The harness is split by role: `session` starts and stops a browser with the extension and
//! drives its tabs and extension pages; `sidebar` and `panel` read and drive the injected sidebar
//! and the docked panel; `pages` holds the page objects and in-page scripts tests share; `server`
//! runs the fixture server (tests/fixtures/serve.py); `extension` prepares what the browsers load.

mod extension;
mod pages;
mod panel;
mod server;
mod session;
mod sidebar;

pub use extension::{dist_dir, dist_root, extension_under_test};
pub use pages::*;
pub use panel::PanelReader;
pub use server::{fixture_pages, log_every_scheme_and_port};
pub use session::{HostState, MozContext, Session};

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use serde_json::Value;

/// The fixed moz-extension host of the add-on in test profiles, so tests can open its pages.
pub(crate) const FIREFOX_UUID: &str = "5f1c0e7a-3c1b-4d8e-9a60-7e57ab1e0001";
pub const FIREFOX_ADDON_ID: &str = "pivot-lens@pivot-lens.dev";
/// Firefox's name for our `sidebar_action` (its widget id of the add-on id, then `-sidebar-action`).
pub(crate) const FIREFOX_SIDEBAR_ID: &str = "pivot-lens_pivot-lens_dev-sidebar-action";
/// The host element, found even on a page whose named elements shadow `document.querySelector`.
pub(crate) const HOST: &str =
    "Document.prototype.querySelector.call(document, '[data-pivot-lens]')";
pub(crate) const READY_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Browser {
    Chromium,
    Firefox,
}

/// What an `own_browser:` test returns: nothing (it fails by panicking) or a result.
pub trait Finish {
    fn finish(self, browser: Browser);
}

impl Finish for () {
    fn finish(self, _: Browser) {}
}

impl Finish for Result<()> {
    fn finish(self, browser: Browser) {
        if let Err(error) = self {
            panic!("{browser:?}: {error:#}");
        }
    }
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
    // Tests that start their browser themselves (prefs, restarts, updates): `$name(browser)`,
    // returning nothing (failures panic) or a `Result`.
    (own_browser: $($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn chromium() {
                $crate::Finish::finish(super::$name($crate::Browser::Chromium).await, $crate::Browser::Chromium)
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn firefox() {
                $crate::Finish::finish(super::$name($crate::Browser::Firefox).await, $crate::Browser::Firefox)
            }
        }
    )+};
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

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}
