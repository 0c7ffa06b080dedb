//! Hostile pages and secrets (docs/security.md): every value on a Sentry page is attacker-controlled,
//! so on a page full of markup, `javascript:` URLs, control characters, a huge value, a mutation
//! storm and a Sentry user token, nothing runs, nothing links anywhere but Sentry, and the token
//! reaches no link, no clipboard, no storage and no console.

use anyhow::{ensure, Context, Result};
use pivot_lens_e2e::{both_browsers, errors_in, fill, until, workspace_root, Session};
use serde_json::{json, Value};
use thirtyfour::prelude::*;

const HOSTILE_PAGE: &str =
    "acme.sentry.io/issues/6123456799/events/a1b2c3d4e5f60718293a4b5c6d7e8f90/";

/// The page's canary token (`sntryu_` + 64 hex), made fresh by the fixture on every load.
async fn canary(s: &Session) -> Result<String> {
    s.driver.enter_default_frame().await?;
    let token = s
        .driver
        .execute(
            "return document.documentElement.getAttribute('data-fixture-canary');",
            vec![],
        )
        .await?;
    let token = token
        .json()
        .as_str()
        .context("the fixture made no canary")?;
    ensure!(token.len() == 7 + 64, "canary {token}");
    Ok(token.to_owned())
}

/// What the sidebar shows, summed up in one read.
const SIDEBAR_SUMMARY: &str = r#"
    const all = (selector) => [...document.querySelectorAll(selector)];
    return {
      pivots: all('[data-testid="pl-pivot"]').map((p) => ({
        key: p.getAttribute('data-key'), value: p.getAttribute('data-value'), secret: p.getAttribute('data-secret') })),
      secretWarnings: all('[data-testid="pl-warning"][data-kind="secret"]').length,
      javascriptLinks: all('a[href^="javascript:"]').length,
      // Links go to Sentry (https) or to the extension's own pages (the glossary); never javascript: or elsewhere.
      notHttps: all('a[href]').filter((a) => a.protocol !== 'https:' && a.origin !== location.origin).map((a) => a.getAttribute('href')),
      recipeLinks: all('a[data-testid="pl-recipe-open"]').map((a) => a.href),
      handlerAttributes: all('*').flatMap((el) => [...el.attributes].filter((a) => a.name.startsWith('on')).map((a) => a.name)),
      injected: all('img, svg script, body script:not([src]), iframe, object, embed').length,
      pwned: window.__pwned ?? null,
      document: document.documentElement.outerHTML,
      console: window.__plConsole,
    };"#;

async fn hostile_values_stay_inert_and_the_token_never_leaves(s: &Session) -> Result<()> {
    s.open(HOSTILE_PAGE).await?;
    s.wait_ready().await?;
    s.record_sidebar_console().await?;
    let token = canary(s).await?;
    let secret_part = &token["sntryu_".len()..];
    // The fixture adds its rows at load and never stops mutating: the sidebar still catches up.
    s.sidebar_until(
        r#"return document.querySelectorAll('[data-testid="pl-pivot"][data-key="gen_ai.tool.name"]').length === 2;"#,
    )
    .await?;

    let summary = s.in_sidebar(SIDEBAR_SUMMARY).await?;
    let pivots = summary["pivots"].as_array().context("pivots")?;
    let value_of = |key: &str| -> Vec<&str> {
        pivots
            .iter()
            .filter(|p| p["key"] == key)
            .filter_map(|p| p["value"].as_str())
            .collect()
    };
    // Markup and quotes are shown as the text they are.
    let tools = value_of("gen_ai.tool.name");
    ensure!(
        tools.contains(&r#"<img src=x onerror="window.__pwned=1">"#)
            && tools.contains(&r#""><svg onload=alert(1)><script>alert(2)</script>"#),
        "tool names: {tools:?}"
    );
    ensure!(
        value_of("http.route").contains(&r#"x" OR is:unresolved "\"#),
        "routes: {:?}",
        value_of("http.route")
    );
    // The token is masked (on screen, in data-value, anywhere in the sidebar) and warned about.
    let users: Vec<&Value> = pivots.iter().filter(|p| p["key"] == "user.id").collect();
    ensure!(
        !users.is_empty() && users.iter().all(|p| p["secret"] == "true"),
        "user.id pivots: {users:?}"
    );
    ensure!(
        summary["secretWarnings"].as_u64() >= Some(1),
        "no secret warning"
    );
    let sidebar_html = summary["document"].as_str().context("sidebar document")?;
    ensure!(
        !sidebar_html.contains(secret_part),
        "the token is in the sidebar"
    );
    // Nothing ran, nothing was created from a value, and every link goes to the page's Sentry.
    ensure!(summary["pwned"].is_null(), "a value ran in the sidebar");
    ensure!(
        summary["injected"] == 0,
        "elements made from values: {summary:#}"
    );
    ensure!(
        summary["handlerAttributes"] == json!([]),
        "{}",
        summary["handlerAttributes"]
    );
    ensure!(
        summary["javascriptLinks"] == 0 && summary["notHttps"] == json!([]),
        "links: {}",
        summary["notHttps"]
    );
    let recipe_links = summary["recipeLinks"].as_array().context("recipe links")?;
    ensure!(
        !recipe_links.is_empty(),
        "the event page offers ready recipes"
    );
    ensure!(
        recipe_links.iter().all(|href| href
            .as_str()
            .is_some_and(|h| h.starts_with("https://acme.sentry.io/"))),
        "recipe links: {recipe_links:?}"
    );

    // The page: no dialog, no error, no CSP violation, no script from a value; the storm ran.
    ensure!(s.driver.get_alert_text().await.is_err(), "a dialog is open");
    let page = s
        .driver
        .execute(
            "const host = document.querySelector('[data-pivot-lens]');
             return { seen: JSON.parse(document.documentElement.getAttribute('data-fixture-seen')),
                      pwned: window.__pwned ?? null,
                      frames: Number(document.documentElement.getAttribute('data-fixture-storm-frames')),
                      host: host.outerHTML + host.shadowRoot.innerHTML };",
            vec![],
        )
        .await?
        .json()
        .clone();
    ensure!(
        page["seen"] == json!({ "dialogs": 0, "errors": 0, "cspViolations": 0 }),
        "the page saw {}",
        page["seen"]
    );
    ensure!(page["pwned"].is_null(), "a value ran in the page");
    ensure!(
        page["frames"].as_u64() > Some(10),
        "the storm stalled: {page}"
    );
    ensure!(
        !page["host"]
            .as_str()
            .unwrap_or_default()
            .contains(secret_part),
        "the token is on the host element"
    );

    copy_everything_then_check_the_clipboard(s, secret_part).await?;
    storage_and_classify_never_hold_the_token(s, &token).await?;

    let console = s.sidebar_console().await?;
    ensure!(console == json!([]), "sidebar console: {console}");
    if let Some(log) = s.console_log().await? {
        ensure!(
            log.iter().all(|entry| !entry.message.contains(secret_part)),
            "the token reached the console"
        );
        let errors = errors_in(&log);
        ensure!(errors.is_empty(), "console errors: {errors:#?}");
    }
    only_the_pages_own_requests(s, secret_part)
}

/// The browsers' own service traffic (sign-in, updates, remote settings, the default search
/// engine's start page), made whether or not the extension is installed: set aside by host name.
const BROWSER_SERVICE_HOSTS: [&str; 5] = [
    "google.com",
    "googleapis.com",
    "mozilla.com",
    "mozilla.net",
    "duckduckgo.com",
];

fn browser_service(host: &str) -> bool {
    BROWSER_SERVICE_HOSTS
        .iter()
        .any(|vendor| host == *vendor || host.ends_with(&format!(".{vendor}")))
}

/// SEC-4: every request the browser made while the extension worked on the hostile page (both
/// browsers resolve every host name to the fixture server, which logs each request) is the page's
/// own (its document, its scripts, the browser's favicon), the browser's own service traffic, or
/// the sidebar's GETs of this Sentry's API. None goes to another host or carries the token.
fn only_the_pages_own_requests(s: &Session, secret_part: &str) -> Result<()> {
    let page_path = format!("/{}", HOSTILE_PAGE.split_once('/').context("page path")?.1);
    let requests = s.fixture_requests()?;
    ensure!(
        requests.iter().any(|r| r["path"] == page_path.as_str()),
        "the request log missed the page itself: {requests:#?}"
    );
    let foreign: Vec<&Value> = requests
        .iter()
        .filter(|r| {
            let path = r["path"].as_str().unwrap_or_default();
            let pages_own = r["method"] == "GET"
                && r["Host"] == "acme.sentry.io"
                && (path == page_path
                    || path == "/favicon.ico"
                    || path.starts_with("/__fixtures__/"));
            let browsers_own = browser_service(r["Host"].as_str().unwrap_or_default());
            // The sidebar's reads of Sentry's API (docs/sentry-api.md): GETs of this page's
            // Sentry and its region, from the background, whose Origin names the extension.
            let api_read = r["method"] == "GET"
                && ["acme.sentry.io", "us.sentry.io"]
                    .contains(&r["Host"].as_str().unwrap_or_default())
                && path.starts_with("/api/0/")
                && r["Authorization"] == "";
            let line = r.to_string();
            !(pages_own || browsers_own || api_read)
                || (line.contains("-extension://") && !api_read)
                || line.contains(secret_part)
        })
        .collect();
    ensure!(
        foreign.is_empty(),
        "requests that are not the page's own: {foreign:#?}"
    );
    Ok(())
}

/// Presses the masked pivot's copy button (its `disabled` lifted, so the clipboard's own secret gate
/// is what is tested) and every recipe's: the clipboard never holds the token.
async fn copy_everything_then_check_the_clipboard(s: &Session, secret_part: &str) -> Result<()> {
    s.open_sidebar().await?;
    s.driver
        .execute(
            r#"for (const b of document.querySelectorAll('[data-testid="pl-pivot"][data-key="user.id"] .pl-copy')) b.disabled = false;"#,
            vec![],
        )
        .await?;
    let pivot_copies = s
        .driver
        .find_all(By::Css(
            r#"[data-testid="pl-pivot"][data-key="user.id"] .pl-copy"#,
        ))
        .await?;
    for button in &pivot_copies {
        button.scroll_into_view().await?;
        button.click().await?;
    }
    s.sidebar_until(
        r#"return [...document.querySelectorAll('[data-testid="pl-pivot"][data-key="user.id"] .pl-status')]
             .every((status) => ['Copied', 'Not copied: looks like a secret'].includes(status.textContent));"#,
    )
    .await?;
    let copied = s.read_clipboard().await?;
    ensure!(
        !copied.contains(secret_part),
        "a pivot copy put the token on the clipboard"
    );

    s.enter_sidebar().await?;
    // The recipes that do not lead are behind "Other queries": open it, as the engineer would.
    s.driver
        .execute(
            "for (const more of document.querySelectorAll('details.pl-more')) more.open = true;",
            vec![],
        )
        .await?;
    let recipe_copies = s
        .driver
        .find_all(By::Css(r#"[data-testid="pl-recipe-copy"]:not([disabled])"#))
        .await?;
    ensure!(!recipe_copies.is_empty(), "no recipe to copy");
    for button in &recipe_copies {
        button.scroll_into_view().await?;
        button.click().await?;
    }
    s.sidebar_until(
        r#"return [...document.querySelectorAll('[data-testid="pl-recipe"]')]
             .filter((r) => !r.querySelector('[data-testid="pl-recipe-copy"]').disabled)
             .every((r) => r.querySelector('.pl-status').textContent === 'Copied');"#,
    )
    .await?;
    let copied = s.read_clipboard().await?;
    ensure!(
        !copied.is_empty() && !copied.contains(secret_part),
        "recipe copies: {copied:?}"
    );
    Ok(())
}

/// Ticks a checklist step (so the page's pivots are kept for the investigation), then dumps every
/// storage area; and asks the background to classify a selection holding the token.
async fn storage_and_classify_never_hold_the_token(s: &Session, token: &str) -> Result<()> {
    s.in_sidebar(
        r#"const card = document.querySelector('[data-testid="pl-scenario"]');
           card.querySelector('details').open = true;
           card.querySelector('[data-testid="pl-step"] input[type=checkbox]').click();
           return true;"#,
    )
    .await?;
    let dump = s
        .in_extension_page(
            "const dump = {};
             for (const area of ['local', 'sync', 'session']) {
               if (api.storage[area]) dump[area] = await api.storage[area].get(null);
             }
             return JSON.stringify(dump);",
            vec![],
        )
        .await?;
    let dump = dump.as_str().context("storage dump")?;
    ensure!(
        dump.contains("pl.investigation."),
        "the tick was not stored: {dump}"
    );
    ensure!(
        !dump.contains(&token["sntryu_".len()..]),
        "the token is in storage"
    );

    let answer = s
        .in_extension_page(
            "return await api.runtime.sendMessage({ type: 'pivot-lens:classify', text: arguments[0] });",
            vec![json!(format!("see {token} here"))],
        )
        .await?;
    ensure!(
        answer == json!({ "kinds": ["secret"], "items": [] }),
        "classify: {answer}"
    );
    Ok(())
}

/// SEC-6, the runbook import: a runbook that holds a user token is refused without echoing it, and
/// the token reaches neither storage area nor the console.
async fn an_imported_runbook_never_stores_a_token(s: &Session) -> Result<()> {
    // A fresh token per run, so a match can only come from this import.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_nanos();
    let token = format!("sntryu_{:064x}", nanos);
    let bundled = std::fs::read_to_string(workspace_root().join("runbook/TELEMETRY.md"))?;
    let runbook = format!(
        "{bundled}\n\nAsk the on-call lead for access; the shared token is {token} (rotate it).\n"
    );

    s.open(HOSTILE_PAGE).await?;
    s.wait_ready().await?;
    let base = s.extension_base().await?;
    s.open_extension_page(&base, "options.html").await?;
    until(
        s,
        r#"return !!document.querySelector('[data-testid="pl-runbook-apply"]')"#,
    )
    .await?;
    fill(s, "pl-runbook-import", &runbook).await?;
    s.driver
        .find(By::Css(r#"[data-testid="pl-runbook-apply"]"#))
        .await?
        .click()
        .await?;
    let status = until(
        s,
        r#"const el = document.querySelector('[data-testid="pl-runbook-status"]');
           const state = el.getAttribute('data-state');
           return state && { state, message: el.textContent };"#,
    )
    .await?;
    let secret_part = &token["sntryu_".len()..];
    ensure!(
        status["state"] == "error",
        "the runbook was imported: {status}"
    );
    ensure!(
        !status.to_string().contains(secret_part),
        "the refusal echoes the token: {status}"
    );
    let stored = s
        .driver
        .execute(
            "const api = globalThis.browser ?? globalThis.chrome;
             return Promise.all([api.storage.local.get(null), api.storage.sync.get(null)])
               .then((areas) => JSON.stringify(areas));",
            vec![],
        )
        .await?;
    let stored = stored.json().as_str().context("storage dump")?.to_owned();
    ensure!(stored.contains("tour"), "the dump is not storage: {stored}");
    ensure!(!stored.contains(secret_part), "the token is in storage");
    if let Some(log) = s.console_log().await? {
        ensure!(
            log.iter().all(|entry| !entry.message.contains(secret_part)),
            "the token reached the console"
        );
    }
    Ok(())
}

both_browsers!(
    logging_every_request: hostile_values_stay_inert_and_the_token_never_leaves,
    an_imported_runbook_never_stores_a_token,
    the_request_log_sees_every_scheme_and_port
);

/// MAN-7: Chromium's store id is public, so any website could fetch or frame
/// `chrome-extension://<id>/sidebar.html` to learn that Pivot Lens is installed. The sidebar is
/// web-accessible only at the per-session dynamic URL (`use_dynamic_url`), which the probe alone
/// puts on Sentry's pages; at the static URL a page elsewhere gets nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_website_cannot_load_the_sidebar_at_its_static_url() {
    pivot_lens_e2e::run(pivot_lens_e2e::Browser::Chromium, |s| {
        Box::pin(async move {
            let static_page = format!("{}sidebar.html", s.extension_base().await?);
            s.open(HOSTILE_PAGE).await?;
            let host = s.wait_ready().await?;
            ensure!(
                host.frame_src.starts_with("chrome-extension://")
                    && !host.frame_src.starts_with(&static_page),
                "the sidebar frame is at the static URL: {}",
                host.frame_src
            );

            s.open("shop.example/").await?;
            let tries = s
                .driver
                .execute(
                    r#"const page = arguments[0];
                       const fetched = fetch(page).then(() => "loaded", () => "refused");
                       const framed = new Promise((resolve) => {
                         const frame = document.createElement("iframe");
                         frame.id = "probe-frame";
                         frame.onload = () => resolve("loaded-event");
                         frame.src = page;
                         document.body.append(frame);
                       });
                       return Promise.all([fetched, framed]);"#,
                    vec![Value::from(static_page.clone())],
                )
                .await?;
            ensure!(
                tries.json()[0] == "refused",
                "the page fetched {static_page}: {:?}",
                tries.json()
            );
            // A refused frame still fires `load` (on Chromium's error page); what it holds tells.
            s.driver
                .find(By::Id("probe-frame"))
                .await?
                .enter_frame()
                .await?;
            let inside = s.driver.execute("return location.href;", vec![]).await?;
            ensure!(
                !inside
                    .json()
                    .as_str()
                    .unwrap_or_default()
                    .starts_with("chrome-extension://"),
                "the page framed the sidebar: {:?}",
                inside.json()
            );
            Ok(())
        })
    })
    .await
}

/// The request log behind SEC-4 sees what it must: plain http and https on another port, not only
/// https on 443 (each refused by the fixture proxy, but noted first).
async fn the_request_log_sees_every_scheme_and_port(s: &Session) -> Result<()> {
    for url in [
        "http://plain.example:8080/over-http",
        "https://acme.sentry.io:8443/on-another-port",
    ] {
        // Navigation errors are expected: the proxy refuses both.
        let _ = s.driver.goto(url).await;
    }
    let requests = s.fixture_requests()?;
    let seen = |wanted: &dyn Fn(&Value) -> bool| requests.iter().any(wanted);
    ensure!(
        seen(&|r| r["scheme"] == "http" && r["path"] == "http://plain.example:8080/over-http"),
        "plain http is not in the log: {requests:#?}"
    );
    ensure!(
        seen(&|r| r["method"] == "CONNECT" && r["Host"] == "acme.sentry.io:8443"),
        "https on port 8443 is not in the log: {requests:#?}"
    );
    Ok(())
}
