//! What a hostile Sentry page can do besides its values (docs/security.md): talk to us through every
//! page-reachable channel (MSG-1), clobber the DOM names our probe could look up (XSS-4), and serve
//! the strictest CSP there is (CSP-2). The sidebar keeps showing the page's own values, and nothing
//! errors.

use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use pivot_lens_e2e::{add_tag_row, both_browsers, expect_page, until, Session};
use serde_json::{json, Value};
use thirtyfour::prelude::*;

const SPAM_PAGE: &str = "acme.sentry.io/issues/6123456791/events/0a1b2c3d4e5f60718293a4b5c6d7e8f9/";
const SPAM_PAGE_PIVOTS: [(&str, &str); 4] = [
    ("event_id", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"),
    ("trace_id", "1c1c1c1c2d2d2d2d3e3e3e3e4f4f4f4f"),
    ("user.id", "7777"),
    ("gen_ai.tool.name", "find_issues"),
];
/// How long the page spams while the test watches the sidebar.
const SPAM_FOR: Duration = Duration::from_secs(3);

/// The sidebar's state that a page message could change: pivots, page kind, whether it is open,
/// the recipes offered and any error or warning shown.
const SIDEBAR_STATE: &str = r#"
    const root = document.querySelector('[data-testid="pl-sidebar"]');
    const all = (selector) => [...document.querySelectorAll(selector)];
    return {
      kind: root?.getAttribute('data-page-kind'), open: root?.getAttribute('data-open'),
      pivots: all('[data-testid="pl-pivot"]').map((p) => [p.getAttribute('data-key'), p.getAttribute('data-value')]).sort(),
      recipes: all('[data-testid="pl-recipe"]').map((r) => [r.getAttribute('data-recipe-id'), r.getAttribute('data-ready')]).sort(),
      warnings: all('[data-testid="pl-warning"]').map((w) => w.getAttribute('data-kind')),
      text: document.body.textContent,
    };"#;

async fn storage_dump(s: &Session) -> Result<Value> {
    s.in_extension_page(
        "return [await api.storage.local.get(null), await api.storage.sync.get(null)];",
        vec![],
    )
    .await
}

async fn page_attribute(s: &Session, name: &str) -> Result<Value> {
    s.driver.enter_default_frame().await?;
    Ok(s.driver
        .execute(
            "return document.documentElement.getAttribute(arguments[0]);",
            vec![json!(name)],
        )
        .await?
        .json()
        .clone())
}

async fn set_page_attribute(s: &Session, name: &str, value: &str) -> Result<()> {
    s.driver.enter_default_frame().await?;
    s.driver
        .execute(
            "document.documentElement.setAttribute(arguments[0], arguments[1]);",
            vec![json!(name), json!(value)],
        )
        .await?;
    Ok(())
}

/// MSG-1: the page posts every message shape we use (to itself and to the sidebar frame, as objects
/// and as JSON, with the frame's channel read from the open shadow root), forges message events that
/// claim the extension's origin, dispatches look-alike CustomEvents on window, document and our host,
/// writes localStorage and rewrites the host's attributes, every 20 ms. Throughout, the sidebar shows
/// exactly what it showed before, stays closed, and stores nothing; afterwards it still follows the
/// page, and nobody logged an error.
async fn page_messages_change_nothing(s: &Session) -> Result<()> {
    s.open(SPAM_PAGE).await?;
    s.wait_ready().await?;
    expect_page(s, "event", &SPAM_PAGE_PIVOTS).await?;
    s.record_sidebar_console().await?;
    let before = s.in_sidebar(SIDEBAR_STATE).await?;
    ensure!(
        before["open"] == "false",
        "the sidebar starts open: {before}"
    );
    let storage_before = storage_dump(s).await?;
    let windows = s.driver.windows().await?.len();
    s.console_log().await?; // drop what loading logged

    set_page_attribute(s, "data-fixture-spam", "start").await?;
    let watch = Instant::now();
    let mut samples = 0;
    while watch.elapsed() < SPAM_FOR {
        let now = s.in_sidebar(SIDEBAR_STATE).await?;
        ensure!(
            now == before,
            "the sidebar changed under page messages: {before:#} → {now:#}"
        );
        samples += 1;
    }
    set_page_attribute(s, "data-fixture-spam", "stop").await?;
    let rounds: u64 = page_attribute(s, "data-fixture-spam-rounds")
        .await?
        .as_str()
        .context("the page never spammed")?
        .parse()?;
    ensure!(
        rounds >= 20 && samples >= 5,
        "only {rounds} rounds, {samples} samples"
    );
    // The page did rewrite our host (it owns the DOM); the sidebar itself did not follow.
    ensure!(s.host_attribute("data-pl-url").await? == "https://evil.example/");

    ensure!(
        s.in_sidebar(SIDEBAR_STATE).await? == before,
        "the sidebar changed"
    );
    ensure!(
        storage_dump(s).await? == storage_before,
        "page messages changed storage"
    );
    ensure!(
        s.driver.windows().await?.len() == windows,
        "a tab was opened"
    );
    ensure!(
        page_attribute(s, "data-fixture-errors").await?.is_null(),
        "the page saw errors"
    );

    // The probe still works: a real change on the page reaches the sidebar.
    add_tag_row(s, "http.route", "/api/0/after-spam/").await?;
    let mut after = SPAM_PAGE_PIVOTS.to_vec();
    after.push(("http.route", "/api/0/after-spam/"));
    expect_page(s, "event", &after).await?;

    let console = s.sidebar_console().await?;
    ensure!(console == json!([]), "sidebar console: {console}");
    let errors = s.console_errors().await?;
    ensure!(errors.is_empty(), "console errors: {errors:#?}");
    Ok(())
}

/// XSS-4: named elements shadow the document's methods and getters (`document.querySelectorAll` is
/// an `<img>`), globals (`browser`, `chrome`) and a form row's and a form container's own lookups
/// (`closest`, `firstElementChild`, `querySelectorAll`, …). Every pivot is still read with its value,
/// the form row's and the form container's included, and nothing errors.
async fn clobbered_page_is_read_correctly(s: &Session) -> Result<()> {
    s.open("acme.sentry.io/issues/6123456792/events/1f2e3d4c5b6a79881726354453627180/")
        .await?;
    s.wait_ready().await?;
    expect_page(
        s,
        "event",
        &[
            ("event_id", "1f2e3d4c5b6a79881726354453627180"),
            ("trace_id", "2b2b2b2b3c3c3c3c4d4d4d4d5e5e5e5e"),
            ("span_id", "6f6f6f6f7a7a7a7a"),
            ("user.id", "8888"),
            ("gen_ai.tool.name", "get_trace_details"),
            ("http.route", "/api/0/clobbered/"),
            ("app.client.family", "cursor"),
        ],
    )
    .await?;
    let unsupported = s
        .in_sidebar(r#"return document.querySelectorAll('[data-testid="pl-warning"][data-kind="unsupported"]').length;"#)
        .await?;
    ensure!(
        unsupported == 0,
        "a probe rule failed on the clobbered page"
    );
    let errors = s.console_errors().await?;
    ensure!(errors.is_empty(), "console errors: {errors:#?}");
    Ok(())
}

/// CSP-2: a page served with `default-src 'none'; require-trusted-types-for 'script'` (no script,
/// style, frame or image source, Trusted Types enforced) still gets its sidebar, laid out by its
/// styles, ready with the page's values, and nothing logs an error or a CSP violation (Chromium's
/// console log; Firefox's console service).
async fn strict_csp_page_gets_its_sidebar(s: &Session) -> Result<()> {
    s.open("acme.sentry.io/issues/6123456793/events/2a3b4c5d6e7f80918273645546372819/")
        .await?;
    s.wait_ready().await?;
    expect_page(
        s,
        "event",
        &[
            ("event_id", "2a3b4c5d6e7f80918273645546372819"),
            ("trace_id", "3a3a3a3a4b4b4b4b5c5c5c5c6d6d6d6d"),
            ("user.id", "9999"),
            ("gen_ai.tool.name", "search_issues"),
        ],
    )
    .await?;
    // The host's shadow styles applied: fixed to the edge, the collapsed tab's size.
    s.driver.enter_default_frame().await?;
    let layout = s
        .driver
        .execute(
            "const host = document.querySelector('[data-pivot-lens]');
             const frame = host.shadowRoot.querySelector('iframe');
             return [getComputedStyle(host).position, frame.getBoundingClientRect().width];",
            vec![],
        )
        .await?
        .json()
        .clone();
    ensure!(layout == json!(["fixed", 40]), "host layout: {layout}");
    let errors = s.console_errors().await?;
    ensure!(errors.is_empty(), "console errors: {errors:#?}");
    Ok(())
}

/// MSG-3: a page script reads the frame's channel from the open shadow root, frames a second copy
/// of the sidebar at it where it likes and hands the copy a key of its own choosing. The copy
/// boots, but the probe's reports never show in it (no page kind, no pivots: its hello, with the
/// wrong key, is dropped) while the real sidebar carries on.
async fn a_second_copy_of_the_sidebar_gets_nothing(s: &Session) -> Result<()> {
    s.open(SPAM_PAGE).await?;
    s.wait_ready().await?;
    s.open_sidebar().await?;
    expect_page(s, "event", &SPAM_PAGE_PIVOTS).await?;
    s.driver.enter_default_frame().await?;
    s.driver
        .execute(
            r#"const ours = document.querySelector('[data-pivot-lens]').shadowRoot.querySelector('iframe');
               const copy = document.createElement('iframe');
               copy.id = 'pl-copy';
               copy.style.cssText = 'position: fixed; left: 0; top: 0; width: 420px; height: 700px; z-index: 2147483647';
               copy.onload = () => copy.contentWindow.postMessage({ pivotLensKey: 'chosen-by-the-page' }, '*');
               copy.src = ours.src;
               document.body.append(copy);"#,
            vec![],
        )
        .await?;
    s.driver
        .find(By::Id("pl-copy"))
        .await?
        .enter_frame()
        .await?;
    until(
        s,
        r#"return !!document.querySelector('[data-testid="pl-sidebar"] .pl-tab');"#,
    )
    .await
    .context("the copy never booted")?;
    let copy_open = s
        .driver
        .execute(
            r#"return document.querySelector('[data-testid="pl-sidebar"]').getAttribute('data-open');"#,
            vec![],
        )
        .await?;
    if copy_open.json() != "true" {
        s.driver.find(By::Css(".pl-tab")).await?.click().await?;
    }
    let watch = Instant::now();
    while watch.elapsed() < Duration::from_secs(3) {
        let seen = s
            .driver
            .execute(
                r#"return { kind: document.querySelector('[data-testid="pl-sidebar"]').getAttribute('data-page-kind'),
                            pivots: document.querySelectorAll('[data-testid="pl-pivot"]').length };"#,
                vec![],
            )
            .await?
            .json()
            .clone();
        ensure!(
            seen["pivots"] == 0 && seen["kind"] != "event",
            "the copy shows the page: {seen}"
        );
    }
    add_tag_row(s, "http.route", "/api/0/after-the-copy/").await?;
    let mut after = SPAM_PAGE_PIVOTS.to_vec();
    after.push(("http.route", "/api/0/after-the-copy/"));
    expect_page(s, "event", &after).await
}

both_browsers!(
    page_messages_change_nothing,
    clobbered_page_is_read_correctly,
    strict_csp_page_gets_its_sidebar,
    a_second_copy_of_the_sidebar_gets_nothing
);
