//! Self-hosted Sentry (security.md MAN-2): nothing runs on a self-hosted origin until the engineer
//! grants it, then the sidebar works there as on sentry.io, never on an origin not granted, and
//! stops again when the grant is removed.
//!
//! The grant: Firefox runs the options page's own "Allow access" click, with the browser's prompt
//! answered yes (`extensions.webextOptionalPermissionPrompts` off). Chromium has no way to answer
//! its prompt headless, so its profile is given the grant the prompt would have stored (the host in
//! the extension's granted and active permissions) while the browser is closed; the options page
//! then registers the probe for it as it does after a click.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use pivot_lens_e2e::{both_browsers, extension_under_test, shown, until, Browser, Session};
use serde_json::{json, Value};
use thirtyfour::prelude::*;

const SELF_HOSTED: &str = "https://sentry.acme.test";
const NOT_GRANTED: &str = "https://sentry.other.test";
/// The fixture event page, at the path a self-hosted Sentry uses (organization in the path).
const EVENT_PATH: &str =
    "/organizations/acme/issues/6123456789/events/7b4c2f9a0c1d4e5f8a9b0c1d2e3f4a5b/";
/// How long a page without a sidebar is watched: the probe runs at document_start, so with a
/// grant the host element is there long before.
const WATCH: Duration = Duration::from_secs(3);

async fn no_sidebar_on(s: &Session, origin: &str) -> Result<()> {
    s.driver.enter_default_frame().await?;
    s.driver.goto(format!("{origin}{EVENT_PATH}")).await?;
    let start = Instant::now();
    while start.elapsed() < WATCH {
        ensure!(
            s.host_state().await?.is_none(),
            "{origin} got a sidebar without a grant"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

async fn sidebar_on(s: &Session, origin: &str) -> Result<()> {
    s.driver.enter_default_frame().await?;
    s.driver.goto(format!("{origin}{EVENT_PATH}")).await?;
    s.wait_ready().await?;
    let (kind, org, pivots) = shown(s).await?;
    ensure!(
        kind == "event" && org == "acme" && pivots.iter().any(|(key, _)| key == "event_id"),
        "{origin}: the sidebar shows {kind} (org {org:?}) with {pivots:?}"
    );
    Ok(())
}

/// Opens the options page in a new tab, runs `then` there, and returns to the first tab.
async fn in_options<F>(s: &Session, then: F) -> Result<()>
where
    F: for<'a> FnOnce(
        &'a Session,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<()>> + Send + 'a>,
    >,
{
    let first = s.driver.window().await?;
    s.open_extension_page(&s.extension_base().await?, "options.html")
        .await?;
    let outcome = then(s).await;
    s.driver.close_window().await?;
    s.driver.switch_to_window(first).await?;
    outcome
}

/// The options page's row for `origin`, once it says whether access is granted.
async fn row_granted(s: &Session, origin: &str) -> Result<Value> {
    until(
        s,
        &format!(
            r#"const row = document.querySelector('[data-testid="pl-self-hosted"][data-origin="{origin}"]');
               return row && row.getAttribute('data-granted');"#
        ),
    )
    .await
}

async fn wait_granted(s: &Session, origin: &str, wanted: &str) -> Result<()> {
    let start = Instant::now();
    loop {
        if row_granted(s, origin).await? == wanted {
            return Ok(());
        }
        if start.elapsed() > Duration::from_secs(20) {
            bail!("the options page never showed {origin} as granted={wanted}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What Chromium stores when its permission prompt is accepted: the origin among the extension's
/// granted and active host permissions (`Default/Preferences`).
fn chromium_profile_grants(profile: &Path, extension_id: &str, origin: &str) -> Result<()> {
    let path = profile.join("Default/Preferences");
    let mut prefs: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    let settings = &mut prefs["extensions"]["settings"][extension_id];
    for set in ["granted_permissions", "active_permissions"] {
        for hosts in ["explicit_host", "scriptable_host"] {
            settings[set][hosts]
                .as_array_mut()
                .with_context(|| {
                    format!("no {set}.{hosts} for {extension_id} in {}", path.display())
                })?
                .push(json!(format!("{origin}/*")));
        }
    }
    std::fs::write(&path, serde_json::to_vec(&prefs)?)?;
    Ok(())
}

async fn granted_then_removed(s: Session) -> Result<Session> {
    s.write_storage("tour", json!({ "seen": true, "step": 0 }))
        .await?;
    s.write_storage("settings", json!({ "org": "acme", "host": SELF_HOSTED }))
        .await?;
    no_sidebar_on(&s, SELF_HOSTED).await?;

    let s = match s.browser {
        Browser::Firefox => {
            in_options(&s, |s| {
                Box::pin(async move {
                    ensure!(
                        row_granted(s, SELF_HOSTED).await? == "false",
                        "granted already"
                    );
                    s.driver
                        .find(By::Css(r#"[data-testid="pl-self-hosted-allow"]"#))
                        .await
                        .context("no Allow access button")?
                        .click()
                        .await?;
                    wait_granted(s, SELF_HOSTED, "true").await
                })
            })
            .await?;
            s
        }
        Browser::Chromium => {
            let id = s.extension_base().await?;
            let id = id
                .trim_start_matches("chrome-extension://")
                .trim_end_matches('/')
                .to_owned();
            let extension = extension_under_test(Browser::Chromium);
            let s = s
                .restart_editing_profile(&extension, |profile| {
                    chromium_profile_grants(profile, &id, SELF_HOSTED)
                })
                .await?;
            in_options(&s, |s| Box::pin(wait_granted(s, SELF_HOSTED, "true"))).await?;
            s
        }
    };
    sidebar_on(&s, SELF_HOSTED).await?;
    no_sidebar_on(&s, NOT_GRANTED).await?;

    in_options(&s, |s| {
        Box::pin(async move {
            wait_granted(s, SELF_HOSTED, "true").await?;
            s.driver
                .find(By::Css(r#"[data-testid="pl-self-hosted-remove"]"#))
                .await
                .context("no Remove button")?
                .click()
                .await?;
            wait_granted(s, SELF_HOSTED, "false").await
        })
    })
    .await?;
    no_sidebar_on(&s, SELF_HOSTED).await?;
    Ok(s)
}

async fn a_granted_self_hosted_origin_gets_the_sidebar_and_no_other_does(browser: Browser) {
    let session = match browser {
        Browser::Chromium => Session::start(browser, &extension_under_test(browser)).await,
        Browser::Firefox => {
            Session::start_with_firefox_prefs(
                browser,
                &[("extensions.webextOptionalPermissionPrompts", json!(false))],
            )
            .await
        }
    }
    .expect("start the browser session");
    match granted_then_removed(session).await {
        Ok(s) => s.quit().await,
        Err(error) => panic!("{browser:?}: {error:#}"),
    }
}

both_browsers!(own_browser: a_granted_self_hosted_origin_gets_the_sidebar_and_no_other_does);
