//! The onboarding walkthrough: shown once on a fresh install, next/close/keyboard, progress kept in
//! `storage.local.tour` (the options page's restart honoured), steps that follow the page, the
//! page field outlined, practice mode on a bundled sample page, and axe-core clean tour and glossary.

use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Result};
use pivot_lens::core::onboarding::tour::step;
use pivot_lens_e2e::{axe_violations, both_browsers, Session};
use serde_json::{json, Value};
use thirtyfour::prelude::*;

const EVENT_PAGE: &str =
    "acme.sentry.io/issues/6123456789/events/7b4c2f9a0c1d4e5f8a9b0c1d2e3f4a5b/";
const TRACE_SPAN_PAGE: &str = "acme.sentry.io/explore/traces/trace/4bf92f3577b34da6a3ce929d0e0e4736/?node=span-00f067aa0ba902b7&source=traces&statsPeriod=24h";
const LOGS_PAGE: &str = "acme.sentry.io/explore/logs/?logsQuery=app.client.family%3Acursor&logsFields=timestamp&logsFields=message&logsFields=trace&mode=samples";
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

/// The shown step's id, or null when the tour is not shown.
const SHOWN_STEP: &str =
    "const t = document.querySelector('[data-testid=\"pl-tour\"]'); return t && t.dataset.step;";

async fn shown_step(s: &Session) -> Result<Option<String>> {
    Ok(s.in_sidebar(SHOWN_STEP).await?.as_str().map(str::to_owned))
}

async fn wait_step(s: &Session, wanted: &str) -> Result<()> {
    s.sidebar_until(&format!(
        "const t = document.querySelector('[data-testid=\"pl-tour\"]'); return !!t && t.dataset.step === {wanted:?};"
    ))
    .await
    .map(drop)
}

/// Clicks a tour control (WebDriver click, in the sidebar frame).
async fn click_in_sidebar(s: &Session, selector: &str) -> Result<()> {
    s.enter_sidebar().await?;
    s.driver.find(By::Css(selector)).await?.click().await?;
    s.driver.enter_default_frame().await?;
    Ok(())
}

/// What the probe outlined on the page: its text and link, or null.
async fn page_highlight(s: &Session) -> Result<Value> {
    s.driver.enter_default_frame().await?;
    Ok(s.driver
        .execute(
            "const h = document.querySelectorAll('[data-pl-highlight]');
             if (h.length !== 1) return h.length ? 'several' : null;
             return { text: h[0].textContent.trim(), href: h[0].href || '', outline: h[0].style.outlineStyle };",
            vec![],
        )
        .await?
        .json()
        .clone())
}

async fn wait_page_highlight(s: &Session, present: bool) -> Result<Value> {
    let start = Instant::now();
    loop {
        let highlight = page_highlight(s).await?;
        if highlight.is_null() != present {
            return Ok(highlight);
        }
        if start.elapsed() > Duration::from_secs(10) {
            bail!("page highlight never became present={present}: {highlight}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn host_open(s: &Session) -> Result<String> {
    s.driver.enter_default_frame().await?;
    Ok(s.driver
        .execute(
            "return document.querySelector('[data-pivot-lens]').getAttribute('data-pl-open');",
            vec![],
        )
        .await?
        .json()
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

async fn shows_once_and_the_restart_shows_it_again(s: &Session) -> Result<()> {
    s.open(EVENT_PAGE).await?;
    s.wait_ready().await?;
    wait_step(s, step::WHERE_AM_I).await?;
    ensure!(host_open(s).await? == "true", "the tour opens the sidebar");

    // Next: the page's own trace id, outlined on the page and in the sidebar.
    click_in_sidebar(s, "[data-testid='pl-tour-next']").await?;
    wait_step(s, step::PAGE_FIELD).await?;
    let outlined = wait_page_highlight(s, true).await?;
    ensure!(
        outlined["outline"] == "solid"
            && (outlined["text"] == TRACE_ID
                || outlined["href"]
                    .as_str()
                    .is_some_and(|h| h.contains(TRACE_ID))),
        "the trace id is outlined on the page: {outlined}"
    );
    let target = s
        .in_sidebar("return document.querySelector('.pl-tour-target')?.dataset.key ?? null;")
        .await?;
    ensure!(target == "trace_id", "sidebar target: {target}");

    // Next again removes the page outline.
    click_in_sidebar(s, "[data-testid='pl-tour-next']").await?;
    wait_step(s, step::NAMESPACES).await?;
    wait_page_highlight(s, false).await?;

    click_in_sidebar(s, "[data-testid='pl-tour-close']").await?;
    s.sidebar_until("return !document.querySelector('[data-testid=\"pl-tour\"]');")
        .await?;

    // Seen: a reload shows only the sidebar.
    s.driver.refresh().await?;
    s.wait_ready().await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    ensure!(
        shown_step(s).await?.is_none(),
        "the tour came back after a reload"
    );

    // The options page's restart: storage.local.tour = {seen: false}.
    s.write_storage("tour", json!({ "seen": false })).await?;
    s.driver.refresh().await?;
    s.wait_ready().await?;
    wait_step(s, step::WHERE_AM_I).await?;
    Ok(())
}

async fn keyboard_moves_traps_focus_and_closes(s: &Session) -> Result<()> {
    s.open(EVENT_PAGE).await?;
    s.wait_ready().await?;
    wait_step(s, step::WHERE_AM_I).await?;
    s.enter_sidebar().await?;
    // Focus starts on Next (wait for the frame that focuses it).
    let start = Instant::now();
    while s
        .driver
        .active_element()
        .await?
        .attr("data-testid")
        .await?
        .as_deref()
        != Some("pl-tour-next")
    {
        ensure!(
            start.elapsed() < Duration::from_secs(5),
            "Next never got focus"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    s.driver
        .active_element()
        .await?
        .send_keys(Key::Right)
        .await?;
    wait_step(s, step::PAGE_FIELD).await?;
    s.enter_sidebar().await?;
    // Tab from the last control (Close) wraps to the first (Back).
    s.driver
        .find(By::Css("[data-testid='pl-tour-close']"))
        .await?
        .focus()
        .await?;
    s.driver.active_element().await?.send_keys(Key::Tab).await?;
    let focused = s.driver.active_element().await?.text().await?;
    ensure!(focused == "Back", "Tab left the tour: focus on {focused:?}");
    s.driver
        .active_element()
        .await?
        .send_keys(Key::Left)
        .await?;
    wait_step(s, step::WHERE_AM_I).await?;
    s.enter_sidebar().await?;
    s.driver
        .active_element()
        .await?
        .send_keys(Key::Escape)
        .await?;
    s.sidebar_until("return !document.querySelector('[data-testid=\"pl-tour\"]');")
        .await?;
    Ok(())
}

/// From the header button on pages of other kinds: every step is shown, the page field is the
/// page's own, and the last step finishes the tour.
async fn follows_trace_and_logs_pages(s: &Session) -> Result<()> {
    for (page, field) in [(TRACE_SPAN_PAGE, "trace_id"), (LOGS_PAGE, "trace_id")] {
        s.open(page).await?;
        s.wait_ready().await?;
        ensure!(shown_step(s).await?.is_none(), "seen: not shown by itself");
        s.in_sidebar(
            "document.querySelector('[data-testid=\"pl-tour-start\"]').click(); return true;",
        )
        .await?;
        wait_step(s, step::WHERE_AM_I).await?;
        let mut seen = Vec::new();
        while let Some(shown) = shown_step(s).await? {
            if shown == step::PAGE_FIELD {
                let key = s
                    .sidebar_until("return document.querySelector('.pl-tour-target')?.dataset.key;")
                    .await?;
                ensure!(key == field, "{page}: the field step points at {key}");
                wait_page_highlight(s, true).await?;
            }
            seen.push(shown);
            click_in_sidebar(s, "[data-testid='pl-tour-next']").await?;
            tokio::time::sleep(Duration::from_millis(100)).await;
            ensure!(seen.len() < 20, "the tour never ended: {seen:?}");
        }
        ensure!(
            seen.iter().map(String::as_str).eq(step::IN_ORDER),
            "{page}: steps {seen:?}"
        );
    }
    Ok(())
}

async fn practice_mode_checks_an_exercise(s: &Session) -> Result<()> {
    let base = s.extension_base().await?;
    s.open_extension_page(&base, "practice/logs.html").await?;
    let start = Instant::now();
    loop {
        let host = s.host_state().await?;
        if host.as_ref().is_some_and(|h| h.state == "ready") {
            let url = host.map(|h| h.url).unwrap_or_default();
            ensure!(
                url == s.url(LOGS_PAGE),
                "the practice page stands for {url}"
            );
            break;
        }
        ensure!(
            start.elapsed() < Duration::from_secs(20),
            "practice page never ready: {host:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let exercise = "[data-testid='pl-exercise'][data-scenario-id='oauth-and-client-registration']";
    let task = s
        .sidebar_until(&format!(
            "const e = document.querySelector(\"{exercise}\"); return e && [e.dataset.state, e.textContent];"
        ))
        .await?;
    ensure!(
        task[0] == "current"
            && task[1]
                .as_str()
                .is_some_and(|t| t.contains("OAuth refresh outcome")),
        "exercise: {task}"
    );
    // A wrong pivot is not the answer.
    click_in_sidebar(s, "[data-testid='pl-pivot'][data-key='trace_id'] .pl-copy").await?;
    let feedback = s
        .sidebar_until(
            "return document.querySelector('[data-testid=\"pl-exercise-feedback\"]').textContent;",
        )
        .await?;
    ensure!(
        feedback
            .as_str()
            .is_some_and(|f| f.starts_with("Not this one")),
        "{feedback}"
    );
    // The refresh outcome is.
    click_in_sidebar(
        s,
        "[data-testid='pl-pivot'][data-key='app.oauth.token_exchange.outcome'] .pl-copy",
    )
    .await?;
    s.sidebar_until(&format!(
        "return document.querySelector(\"{exercise}\").dataset.state === 'done';"
    ))
    .await?;
    let feedback = s
        .in_sidebar(
            "return document.querySelector('[data-testid=\"pl-exercise-feedback\"]').textContent;",
        )
        .await?;
    ensure!(
        feedback
            .as_str()
            .is_some_and(|f| f.contains("refresh_failed")),
        "{feedback}"
    );
    Ok(())
}

async fn axe_finds_nothing_on_the_tour_and_the_glossary(s: &Session) -> Result<()> {
    s.open(EVENT_PAGE).await?;
    s.wait_ready().await?;
    wait_step(s, step::WHERE_AM_I).await?;
    click_in_sidebar(s, "[data-testid='pl-tour-next']").await?;
    wait_step(s, step::PAGE_FIELD).await?;
    s.enter_sidebar().await?;
    let violations = axe_violations(s).await?;
    ensure!(violations == json!([]), "tour: axe violations {violations}");

    let base = s.extension_base().await?;
    s.open_extension_page(&base, "glossary.html").await?;
    let count = "return document.querySelectorAll('[data-testid=\"pl-glossary-entry\"]').length;";
    let start = Instant::now();
    while s
        .driver
        .execute(count, vec![])
        .await?
        .json()
        .as_u64()
        .unwrap_or(0)
        < 30
    {
        ensure!(
            start.elapsed() < Duration::from_secs(20),
            "the glossary lists every pivot"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    s.driver
        .find(By::Css("[data-testid='pl-glossary-search']"))
        .await?
        .send_keys("sign-out")
        .await?;
    let keys = s
        .driver
        .execute(
            "return [...document.querySelectorAll('[data-testid=\"pl-glossary-entry\"]')].map(e => e.dataset.key);",
            vec![],
        )
        .await?;
    ensure!(
        keys.json() == &json!(["app.oauth.grant_revoked.reason"]),
        "search: {}",
        keys.json()
    );
    let violations = axe_violations(s).await?;
    ensure!(
        violations == json!([]),
        "glossary: axe violations {violations}"
    );
    Ok(())
}

both_browsers!(
    first_run: shows_once_and_the_restart_shows_it_again,
    keyboard_moves_traps_focus_and_closes,
    axe_finds_nothing_on_the_tour_and_the_glossary,
);
both_browsers!(
    follows_trace_and_logs_pages,
    practice_mode_checks_an_exercise
);
