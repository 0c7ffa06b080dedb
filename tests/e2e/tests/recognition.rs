//! Recognition end to end: every page kind in both URL styles, newest and older markup, content that
//! arrives later, single-page navigation and a heavy trace page. Each check compares the sidebar's
//! whole set of pivots (contract: `pl-pivot` with `data-key`/`data-value`) with the expected set, so
//! a stale, abbreviated, pseudo-row or portal value fails it as surely as a missing one.

use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use pivot_lens_e2e::{both_browsers, expect_page, shown, Session};
use thirtyfour::prelude::*;

/// The two URL styles one fixture is served under (serve.py strips `/organizations/<org>`).
const STYLES: [&str; 2] = ["acme.sentry.io", "sentry.io/organizations/acme"];

type Pair<'a> = (&'a str, &'a str);

async fn says_nothing_found(s: &Session) -> Result<bool> {
    let found = s
        .in_sidebar("return !!document.querySelector('[data-testid=\"pl-nothing\"]');")
        .await?;
    Ok(found == true)
}

async fn click(s: &Session, selector: &str) -> Result<()> {
    s.driver.enter_default_frame().await?;
    s.driver.find(By::Css(selector)).await?.click().await?;
    Ok(())
}

/// Clicks what selects a span (the page sets `?node=span-<span>` by replaceState and renders the
/// span's details later) and expects the span page with `attribute` read from those details.
async fn select_span(
    s: &Session,
    selector: &str,
    trace: &str,
    span: &str,
    attribute: Pair<'_>,
) -> Result<()> {
    click(s, selector).await?;
    let host = s.wait_ready().await?;
    ensure!(
        host.url.contains(&format!("node=span-{span}")),
        "the replaceState was not followed: {}",
        host.url
    );
    expect_page(
        s,
        "span",
        &[("trace_id", trace), ("span_id", span), attribute],
    )
    .await
}

/// A fixture page, the URL path the tests open it at, its kind and exactly its pivots.
#[derive(serde::Deserialize)]
struct RecognisedPage {
    page: String,
    path: String,
    kind: String,
    pivots: Vec<(String, String)>,
}

/// The recognised pages of tests/fixtures/recognised-pages.json, which the native golden test
/// (tests/probe_reports.rs) expects of the probe's reports too.
fn recognised_pages() -> Vec<RecognisedPage> {
    #[derive(serde::Deserialize)]
    struct File {
        pages: Vec<RecognisedPage>,
    }
    let file: File =
        serde_json::from_str(include_str!("../../fixtures/recognised-pages.json")).expect("JSON");
    file.pages
}

fn pairs(pivots: &[(String, String)]) -> Vec<Pair<'_>> {
    pivots
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// The issue page's pivots while its tags section is collapsed.
fn issue_pivots() -> Vec<(String, String)> {
    recognised_pages()
        .into_iter()
        .find(|p| p.page == "issue.html")
        .expect("issue.html in recognised-pages.json")
        .pivots
}

async fn every_page_kind_in_both_url_styles(s: &Session) -> Result<()> {
    let table = recognised_pages();
    for style in STYLES {
        for RecognisedPage {
            page,
            path,
            kind,
            pivots,
        } in &table
        {
            s.open(&format!("{style}{path}")).await?;
            s.wait_ready().await?;
            expect_page(s, kind, &pairs(pivots))
                .await
                .with_context(|| page.clone())?;
            if pivots.is_empty() {
                ensure!(
                    says_nothing_found(s).await?,
                    "{style}{path}: no pl-nothing message"
                );
            }
        }
    }
    Ok(())
}

/// The issue page's pivots once its tags section is open, with this user agent.
fn opened(agent: &str) -> Vec<(String, String)> {
    let mut pivots = issue_pivots();
    pivots.extend(
        [
            ("app.consent.skill.project_management.granted", "true"),
            ("app.client.family", "cursor"),
            ("user_agent.original", agent),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    pivots
}

/// A section opened later is read; without a navigation the sidebar then hears only what changed:
/// an edited value replaces the old one, and the section closed again takes its pivots with it.
async fn a_section_opened_edited_and_closed_is_followed(s: &Session) -> Result<()> {
    s.open("acme.sentry.io/issues/6123456790/").await?;
    s.wait_ready().await?;
    expect_page(s, "issue", &pairs(&issue_pivots())).await?;
    click(s, "[data-fixture='open-tags']").await?;
    expect_page(s, "issue", &pairs(&opened("Cursor/1.2.3 (darwin)"))).await?;
    s.driver
        .execute(
            "const value = [...document.querySelectorAll(\"[data-test-id='tag-tree-row'] [data-sentry-element='TreeValue'] span\")]
               .find((el) => el.textContent === 'Cursor/1.2.3 (darwin)');
             value.textContent = 'Cursor/2.0.0 (linux)';",
            vec![],
        )
        .await?;
    expect_page(s, "issue", &pairs(&opened("Cursor/2.0.0 (linux)"))).await?;
    click(s, "[data-fixture='open-tags']").await?;
    expect_page(s, "issue", &pairs(&issue_pivots())).await
}

/// The probe files what its observer saw in a task of its own: the observer's callback ends the
/// page's task, which a storm (here 5,000 edits of one value in one task) makes long already. The
/// value the storm left is the one shown.
async fn a_storm_is_filed_after_the_pages_task(s: &Session) -> Result<()> {
    s.open("acme.sentry.io/issues/6123456790/").await?;
    s.wait_ready().await?;
    click(s, "[data-fixture='open-tags']").await?;
    expect_page(s, "issue", &pairs(&opened("Cursor/1.2.3 (darwin)"))).await?;
    let start = s
        .driver
        .execute(
            "const value = [...document.querySelectorAll(\"[data-test-id='tag-tree-row'] [data-sentry-element='TreeValue'] span\")]
               .find((el) => el.textContent === 'Cursor/1.2.3 (darwin)').firstChild;
             const start = performance.now();
             setTimeout(() => { window.__nextTask = performance.now(); }, 0);
             for (let i = 0; i < 5000; i += 1) value.data = `Cursor/${i} (storm)`;
             value.data = 'Cursor/2.0.0 (linux)';
             return start;",
            vec![],
        )
        .await?
        .json()
        .clone();
    expect_page(s, "issue", &pairs(&opened("Cursor/2.0.0 (linux)"))).await?;
    let filed = s
        .driver
        .execute(
            "return { next: window.__nextTask, filed: performance.getEntriesByName('pivot-lens:observe')
               .filter((m) => m.startTime >= arguments[0]).map((m) => m.startTime) };",
            vec![start],
        )
        .await?
        .json()
        .clone();
    let starts: Vec<f64> = serde_json::from_value(filed["filed"].clone())?;
    // A timer the page set before the storm runs in the first task after the page's.
    let next = filed["next"].as_f64().context("the page's next task")?;
    ensure!(
        !starts.is_empty() && starts.iter().all(|&start| start >= next),
        "the storm's changes were filed at {starts:?}, the page's next task began at {next}"
    );
    Ok(())
}

async fn span_drawer_fetched_after_selecting_a_row(s: &Session) -> Result<()> {
    let trace = "3d6e9f2a5b8c1e4f7a0b3c6d9e2f5a8b";
    s.open(&format!(
        "acme.sentry.io/explore/traces/trace/{trace}/?source=traces"
    ))
    .await?;
    s.wait_ready().await?;
    expect_page(s, "trace", &[("trace_id", trace)]).await?;
    select_span(
        s,
        "[data-fixture='select-span']",
        trace,
        "c4d5e6f708192a3b",
        ("mcp.tool.name", "search_events"),
    )
    .await
}

async fn navigation_never_shows_the_previous_page(s: &Session) -> Result<()> {
    let event = "e5e5e5e5a1a1a1a1b2b2b2b2c3c3c3c3";
    let trace = "6a6a6a6a7b7b7b7b8c8c8c8c9d9d9d9d";
    s.open(&format!("acme.sentry.io/issues/6123456791/events/{event}/"))
        .await?;
    s.wait_ready().await?;
    expect_page(
        s,
        "event",
        &[
            ("event_id", event),
            // The "Open trace" link is a trace link on the event page.
            ("trace_id", trace),
            ("gen_ai.tool.name", "get_sentry_resource"),
            ("user.id", "old-user"),
        ],
    )
    .await?;
    click(s, "[data-fixture='navigate']").await?;
    let new_url = s.url(&format!("acme.sentry.io/explore/traces/trace/{trace}/"));
    // Until the new content arrives (600 ms) and for a while after, whatever is shown for the new
    // URL must hold nothing of the event page.
    let watch = Instant::now();
    let mut seen_ready = false;
    while watch.elapsed() < Duration::from_millis(2500) {
        if let Some(host) = s.host_state().await? {
            if host.url == new_url && host.state == "ready" {
                seen_ready = true;
                let (kind, _, pivots) = shown(s).await?;
                ensure!(
                    kind == "trace",
                    "the sidebar shows kind {kind} for {new_url}"
                );
                let stale: Vec<_> = pivots
                    .iter()
                    .filter(|(_, v)| {
                        [event, "get_sentry_resource", "old-user"].contains(&v.as_str())
                    })
                    .collect();
                ensure!(
                    stale.is_empty(),
                    "pivots of the previous page after navigation: {stale:?}"
                );
            } else {
                ensure!(
                    host.url != new_url || host.state == "loading",
                    "host says {host:?}"
                );
            }
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    ensure!(seen_ready, "the sidebar never became ready for {new_url}");
    expect_page(s, "trace", &[("trace_id", trace)]).await?;
    select_span(
        s,
        "[data-fixture='select']",
        trace,
        "d1d2d3d4e5e6e7e8",
        ("app.client.family", "claude-code"),
    )
    .await
}

/// A drawer re-rendered whole (a single-page navigation to another span replaces its 300 rows in
/// one change) is read again as it changes: its new values are shown, none of the old ones, before
/// the untouched rest of the page (the drawer's title) is taken for the new URL 2 s later. The
/// sidebar goes from the old drawer to the new one in one step: the URL changed in the task that
/// re-rendered it, so no report in between shows the new URL without its drawer (the tool's pivot
/// gone, the checklist it suggests moved away and back).
async fn a_re_rendered_drawer_is_read_whole(s: &Session) -> Result<()> {
    let trace = "b0b0b0b0c1c1c1c1d2d2d2d2e3e3e3e3";
    s.open(&format!(
        "acme.sentry.io/explore/traces/trace/{trace}/?node=span-b0b1c2d3e4f50617&attrs=300&burst=0"
    ))
    .await?;
    s.wait_ready().await?;
    let before = [
        ("trace_id", trace),
        ("span_id", "b0b1c2d3e4f50617"),
        ("gen_ai.tool.name", "bench_tool"),
    ];
    expect_page(s, "span", &before).await?;
    let suggested = s
        .sidebar_until(
            "const ids = [...document.querySelectorAll('[data-testid=\"pl-scenario\"][data-suggested=\"true\"]')]
                 .map(c => c.getAttribute('data-scenario-id')).join(' ');
             if (!ids) return null;
             const tool = () => document.querySelector('[data-testid=\"pl-pivot\"][data-key=\"gen_ai.tool.name\"]');
             window.plGaps = [];
             new MutationObserver(() => {
                 const now = [...document.querySelectorAll('[data-testid=\"pl-scenario\"][data-suggested=\"true\"]')]
                     .map(c => c.getAttribute('data-scenario-id')).join(' ');
                 if (!tool()) window.plGaps.push('no gen_ai.tool.name pivot');
                 if (now !== ids) window.plGaps.push(`suggested: ${now || 'none'}`);
             }).observe(document.body, { subtree: true, childList: true, attributes: true });
             return ids;",
        )
        .await?;
    s.driver.execute("benchNavigate();", vec![]).await?;
    expect_page(
        s,
        "span",
        &[
            ("trace_id", trace),
            ("span_id", "c0c1c2c3c4c5c6c7"),
            ("gen_ai.tool.name", "other 0"),
        ],
    )
    .await?;
    let gaps = s.in_sidebar("return [...new Set(window.plGaps)];").await?;
    ensure!(
        gaps.as_array().is_some_and(Vec::is_empty),
        "between the two drawers the sidebar showed {gaps} (suggested before: {suggested})"
    );
    // The drawer's title still names the first span: untouched, it is read for the new URL too.
    expect_page(
        s,
        "span",
        &[
            ("trace_id", trace),
            ("span_id", "c0c1c2c3c4c5c6c7"),
            ("span_id", "b0b1c2d3e4f50617"),
            ("gen_ai.tool.name", "other 0"),
        ],
    )
    .await
}

async fn heavy_trace_page(s: &Session) -> Result<()> {
    let trace = "7f7f7f7f0e0e0e0e1d1d1d1d2c2c2c2c";
    let span = "a0b1c2d3e4f50617";
    s.open(&format!(
        "acme.sentry.io/explore/traces/trace/{trace}/?node=span-{span}"
    ))
    .await?;
    s.wait_ready().await?;
    // The known keys come after 3,000 unknown attribute rows, one of them 1.5 s after load, while
    // 1,000 waterfall rows (about 15,000 elements) are re-rendered every 100 ms. Typed rows (`tags[key,type]`) of a
    // runbook key or pattern are read too.
    expect_page(
        s,
        "span",
        &[
            ("trace_id", trace),
            ("span_id", span),
            ("gen_ai.tool.name", "heavy_tool"),
            ("gen_ai.tool.call.result.count", "3"),
            ("app.consent.skill.issues.granted", "true"),
            ("mcp.session.id", "sess_heavy_late"),
        ],
    )
    .await
}

both_browsers!(
    every_page_kind_in_both_url_styles,
    a_re_rendered_drawer_is_read_whole,
    a_section_opened_edited_and_closed_is_followed,
    a_storm_is_filed_after_the_pages_task,
    span_drawer_fetched_after_selecting_a_row,
    navigation_never_shows_the_previous_page,
    heavy_trace_page,
);
