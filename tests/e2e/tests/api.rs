//! Sentry's own data with the engineer's session (docs/sentry-api.md): the fixture server answers
//! Sentry's API as sentry.io does (session cookie, region host, CORS), from tests/fixtures/api.

use anyhow::{ensure, Context, Result};
use pivot_lens_e2e::{both_browsers, Session};
use serde_json::{json, Value};
use thirtyfour::Cookie;

const EVENT_PAGE: &str =
    "acme.sentry.io/issues/6123456792/events/1a2b3c4d5e6f40718293a4b5c6d7e8f9/";
const SPAN_PAGE: &str = "acme.sentry.io/explore/traces/trace/d099bf9ad5a143cf8f83a98081d0ed3b/?node=span-a1b2c3d4e5f60718&source=traces&statsPeriod=24h";

/// Every pivot as `[key, value, source]`, once `data-api` is `wanted`.
async fn pivots_when(s: &Session, wanted: &str) -> Result<Vec<(String, String, String)>> {
    let value = s
        .sidebar_until(&format!(
            r#"const root = document.querySelector('[data-testid="pl-sidebar"]');
               if (root?.getAttribute('data-api') !== '{wanted}') return null;
               return [...document.querySelectorAll('[data-testid="pl-pivot"]')]
                   .map(p => [p.dataset.key, p.dataset.value, p.dataset.source]);"#
        ))
        .await?;
    Ok(value
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let text = |i: usize| p[i].as_str().unwrap_or_default().to_owned();
            (text(0), text(1), text(2))
        })
        .collect())
}

fn has(pivots: &[(String, String, String)], key: &str, value: &str, source: &str) -> bool {
    pivots
        .iter()
        .any(|(k, v, s)| k == key && v == value && s == source)
}

/// The API requests the server saw: only GETs of `/api/0/` on the page's host or its region,
/// each with the session cookie and no credential of the extension's own.
fn api_requests(s: &Session) -> Result<Vec<Value>> {
    let requests: Vec<Value> = s
        .fixture_requests()?
        .into_iter()
        .filter(|r| r["path"].as_str().is_some_and(|p| p.starts_with("/api/")))
        .collect();
    for request in &requests {
        ensure!(request["method"] == "GET", "not a GET: {request}");
        ensure!(
            ["acme.sentry.io", "us.sentry.io"]
                .contains(&request["Host"].as_str().unwrap_or_default()),
            "an API request to another host: {request}"
        );
        ensure!(
            request["session"] == true,
            "without the session cookie: {request}"
        );
        ensure!(
            request["Authorization"] == "",
            "with a credential of its own: {request}"
        );
    }
    Ok(requests)
}

/// The requests that read the item in view (not the follow-up cards' counts, `/events/`).
fn item_requests(s: &Session) -> Result<Vec<Value>> {
    Ok(api_requests(s)?
        .into_iter()
        .filter(|r| !r["path"].as_str().unwrap_or_default().contains("/events/?"))
        .collect())
}

async fn an_event_page_with_folded_contexts_shows_the_apis_values(s: &Session) -> Result<()> {
    s.open(EVENT_PAGE).await?;
    s.wait_ready().await?;
    let closed = pivots_when(s, "idle").await?;
    ensure!(
        api_requests(s)?.is_empty(),
        "asked while the panel was closed"
    );
    ensure!(
        !closed.iter().any(|(k, ..)| k == "user.id"),
        "the page itself shows no user.id: {closed:?}"
    );
    s.open_sidebar().await?;
    let pivots = pivots_when(s, "done").await?;
    for (key, value, source) in [
        ("event_id", "1a2b3c4d5e6f40718293a4b5c6d7e8f9", "url"),
        ("http.route", "/mcp", "page"),
        ("user.id", "u-1702", "api"),
        ("trace_id", "6c1f0e2d3b4a59687a6b5c4d3e2f1a0b", "api"),
        ("span_id", "7d8e9f0a1b2c3d4e", "api"),
        ("mcp.session.id", "sess_9QX3", "api"),
        ("gen_ai.tool.name", "search_events", "api"),
        ("app.client.family", "cursor", "api"),
        (
            "gen_ai.tool.call.arguments.query",
            "is:unresolved <b>release:web@1.4.2</b>",
            "api",
        ),
    ] {
        ensure!(
            has(&pivots, key, value, source),
            "{key}={value} ({source}) missing: {pivots:?}"
        );
    }
    // Hostile values from the API are text: the bidi override is written out and marked, the
    // markup is not markup, and the token is masked, warned about and nowhere in the sidebar.
    let checks = s
        .in_sidebar(
            r#"const row = (key) => document.querySelector(`[data-testid="pl-pivot"][data-key="${key}"]`);
               return { misleading: row('app.upstream.host')?.dataset.misleading ?? null,
                        bold: document.querySelectorAll('#pl-panel b').length,
                        secretWarning: !!document.querySelector('[data-testid="pl-warning"][data-kind="secret"]'),
                        referrer: row('app.referrer.family')?.dataset.secret ?? null,
                        token: /sntryu_[0-9a-f]{16}/.test(document.documentElement.outerHTML) };"#,
        )
        .await?;
    ensure!(
        checks["misleading"] == "true",
        "bidi value unmarked: {checks}"
    );
    ensure!(checks["bold"] == 0, "API text became markup: {checks}");
    ensure!(
        checks["secretWarning"] == true && checks["referrer"] == "true" && checks["token"] == false,
        "the token was not masked: {checks}"
    );
    let requests = item_requests(s)?;
    let paths: Vec<(&str, &str)> = requests
        .iter()
        .map(|r| {
            (
                r["Host"].as_str().unwrap_or_default(),
                r["path"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    ensure!(
        paths
            == [
                ("acme.sentry.io", "/api/0/organizations/acme/"),
                (
                    "us.sentry.io",
                    "/api/0/organizations/acme/issues/6123456792/events/1a2b3c4d5e6f40718293a4b5c6d7e8f9/"
                ),
            ],
        "asked {paths:?}"
    );
    // Closing and opening the panel again asks nothing more: the item is kept for the tab's life.
    s.in_sidebar("document.querySelector('.pl-close').click();")
        .await?;
    s.open_sidebar().await?;
    pivots_when(s, "done").await?;
    ensure!(item_requests(s)?.len() == 2, "the item was asked twice");
    Ok(())
}

async fn a_span_page_shows_every_runbook_attribute_of_the_span(s: &Session) -> Result<()> {
    s.open(SPAN_PAGE).await?;
    s.wait_ready().await?;
    s.open_sidebar().await?;
    let pivots = pivots_when(s, "done").await?;
    for (key, value, source) in [
        ("trace_id", "d099bf9ad5a143cf8f83a98081d0ed3b", "url"),
        ("span_id", "a1b2c3d4e5f60718", "url"),
        ("gen_ai.tool.name", "search_events", "page"),
        ("mcp.session.id", "sess_01HZX0A7", "page"),
        ("http.route", "/mcp/:organizationSlug?/:projectSlug?", "api"),
        ("user.id", "u-1701", "api"),
        ("app.transport", "http", "api"),
        ("app.client.family", "claude-code", "api"),
        ("mcp.tool.name", "search_events", "api"),
        ("gen_ai.tool.call.result.count", "0", "api"),
        ("http.response.status_code", "200", "api"),
        ("app.server.mode.agent", "true", "api"),
        (
            "gen_ai.tool.call.arguments.query",
            "<img src=x onerror=\"document.title='hacked'\">",
            "api",
        ),
    ] {
        ensure!(
            has(&pivots, key, value, source),
            "{key}={value} ({source}) missing: {pivots:?}"
        );
    }
    let markup = s
        .in_sidebar("return document.querySelectorAll('#pl-panel img').length + (document.title === 'hacked' ? 100 : 0);")
        .await?;
    ensure!(markup == 0, "the API's markup ran: {markup}");
    let hosts: Vec<String> = item_requests(s)?
        .iter()
        .map(|r| {
            format!(
                "{}{}",
                r["Host"].as_str().unwrap_or_default(),
                r["path"].as_str().unwrap_or_default()
            )
        })
        .collect();
    ensure!(hosts.len() == 3, "three requests for a span: {hosts:?}");
    ensure!(
        hosts[2].starts_with("us.sentry.io/api/0/projects/acme/mcp-server/trace-items/a1b2c3d4e5f60718/?item_type=spans"),
        "{hosts:?}"
    );
    Ok(())
}

/// Picks the fixture API's failure for the next requests (the cookie reaches every sentry.io host).
/// Set through WebDriver, which writes the browser's cookie store before it answers: a
/// `document.cookie` write reaches the store later, and the background's next request could
/// still carry the previous mode (seen: the malformed step answered as the 500 step before it).
async fn fail_with(s: &Session, mode: &str) -> Result<()> {
    s.driver.enter_default_frame().await?;
    let mut cookie = Cookie::new("pl-api", mode);
    cookie.set_domain(".sentry.io");
    cookie.set_path("/");
    cookie.set_secure(true);
    s.driver.add_cookie(cookie).await?;
    Ok(())
}

async fn each_error_reply_gives_its_warning_and_keeps_the_page_pivots(s: &Session) -> Result<()> {
    s.open(EVENT_PAGE).await?;
    s.wait_ready().await?;
    s.open_sidebar().await?; // remembered: the next pages start open, and so ask at once
    pivots_when(s, "done").await?;
    // The 500 step comes last: after a few 5xx replies to one URL, Chromium refuses an extension's
    // next requests to it for a while ("Failed to fetch", nothing sent; dev.chromium.org/throttling),
    // so a step after it would read "could not be reached" whatever its own reply.
    for (mode, words) in [
        ("signed-out", "signed out"),
        ("403", "no access"),
        ("404", "does not know this item"),
        ("429", "rate limiting"),
        ("malformed", "not JSON"),
        ("huge", "larger than 4 MB"),
        ("slow", "did not answer within"),
        ("500", "could not be reached"),
    ] {
        fail_with(s, mode).await?;
        s.open(EVENT_PAGE).await?; // a new frame: nothing cached
        s.wait_ready().await?;
        let pivots = pivots_when(s, "error")
            .await
            .with_context(|| format!("mode {mode}"))?;
        for (key, value) in [
            ("event_id", "1a2b3c4d5e6f40718293a4b5c6d7e8f9"),
            ("http.route", "/mcp"),
            ("app.transport", "stdio"),
        ] {
            ensure!(
                pivots.iter().any(|(k, v, _)| k == key && v == value),
                "{mode}: the page's {key} is gone: {pivots:?}"
            );
        }
        ensure!(
            !pivots.iter().any(|(.., source)| source == "api"),
            "{mode}: API values shown: {pivots:?}"
        );
        let warning = s
            .in_sidebar(r#"return document.querySelector('[data-testid="pl-warning"][data-kind="api"]')?.textContent ?? '';"#)
            .await?;
        let warning = warning.as_str().unwrap_or_default();
        ensure!(
            warning.contains(words),
            "{mode}: the warning says {warning:?}; the API requests: {:?}",
            api_requests(s)?
                .iter()
                .map(|r| format!("{} {} ({})", r["Host"], r["path"], r["mode"]))
                .collect::<Vec<_>>()
        );
    }
    Ok(())
}

async fn with_the_option_off_nothing_is_asked(s: &Session) -> Result<()> {
    s.write_storage("settings", json!({ "api_reads": false }))
        .await?;
    s.open(EVENT_PAGE).await?;
    s.wait_ready().await?;
    s.open_sidebar().await?;
    let pivots = pivots_when(s, "off").await?;
    ensure!(
        pivots.iter().any(|(k, ..)| k == "http.route"),
        "the page's pivots: {pivots:?}"
    );
    s.nothing_asked("/api/", "with the option off").await
}

both_browsers!(
    an_event_page_with_folded_contexts_shows_the_apis_values,
    a_span_page_shows_every_runbook_attribute_of_the_span,
    each_error_reply_gives_its_warning_and_keeps_the_page_pivots,
    with_the_option_off_nothing_is_asked,
);
