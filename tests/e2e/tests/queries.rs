//! Follow-up queries on real pages: recipes run with what the page has (the filters it cannot fill
//! left out and named), with links to the right Sentry product, lead the sidebar, ask for what
//! puts a filter back, and every recipe copies as text.

use anyhow::{ensure, Context, Result};
use pivot_lens_e2e::{both_browsers, Session};
use serde_json::Value;
use thirtyfour::prelude::*;

const EVENT_PAGE: &str =
    "acme.sentry.io/issues/6123456789/events/7b4c2f9a0c1d4e5f8a9b0c1d2e3f4a5b/";
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

/// `{id: {ready, dropped, links: [href…], inputs: [key…], copy: bool}}` for every recipe in the
/// sidebar.
const RECIPES: &str = "const out = {};
    for (const r of document.querySelectorAll('[data-testid=\"pl-recipe\"]')) {
      out[r.dataset.recipeId] = {
        ready: r.dataset.ready,
        dropped: r.dataset.dropped,
        links: [...r.querySelectorAll('a[data-testid=\"pl-recipe-open\"]')].map(a => a.href),
        inputs: [...r.querySelectorAll('input[data-testid=\"pl-recipe-input\"]')].map(i => i.dataset.key),
        copy: !!r.querySelector('[data-testid=\"pl-recipe-copy\"]'),
      };
    }
    return out;";

fn query_param(href: &str, name: &str) -> Vec<String> {
    let query = href.split_once('?').map(|(_, q)| q).unwrap_or_default();
    form_urlencoded::parse(query.as_bytes())
        .filter(|(key, _)| key == name)
        .map(|(_, v)| v.into_owned())
        .collect()
}

async fn event_page_recipes_are_ready_or_ask(s: &Session) -> Result<()> {
    s.open(EVENT_PAGE).await?;
    s.wait_ready().await?;
    let recipes = s.in_sidebar(RECIPES).await?;
    let recipes = recipes.as_object().context("recipes")?;
    ensure!(
        recipes.len() == 14,
        "all 14 bundled recipes are offered: {}",
        recipes.len()
    );
    ensure!(
        recipes.values().all(|r| r["copy"] == true),
        "every recipe copies as text"
    );

    let logs = &recipes["trace-log-history-after-opening-a-sentry-event-or-span"];
    ensure!(
        logs["ready"] == "true",
        "the trace id on the page fills the trace log recipe: {logs}"
    );
    let href = logs["links"][0].as_str().context("a logs link")?;
    ensure!(
        href.starts_with("https://acme.sentry.io/explore/logs/?"),
        "{href}"
    );
    let logs_query = query_param(href, "logsQuery");
    ensure!(
        logs_query.len() == 1
            && logs_query[0].contains(TRACE_ID)
            && logs_query[0].starts_with("trace:"),
        "{logs_query:?}"
    );
    ensure!(
        query_param(href, "logsFields").contains(&"severity".to_owned()),
        "level becomes severity: {href}"
    );
    ensure!(query_param(href, "logsSortBys") == ["timestamp"], "{href}");

    // Route and tool are on the page, the revocation reason is not: the OR runs with the two
    // branches it can fill and says which it left out; a typed reason puts it back.
    let errors = &recipes["captured-errors-for-a-route-tool-or-oauth-symptom"];
    ensure!(
        errors["ready"] == "true" && errors["dropped"] == "app.oauth.grant_revoked.reason",
        "{errors}"
    );
    let discover = errors["links"][0].as_str().context("a Discover link")?;
    let query = &query_param(discover, "query")[0];
    ensure!(
        query.contains("http.route:\"/mcp/:organizationSlug?/:projectSlug?\"")
            && query.contains("gen_ai.tool.name:\"search_events\"")
            && !query.contains("grant_revoked"),
        "{query}"
    );
    ensure!(
        errors["inputs"] == serde_json::json!(["app.oauth.grant_revoked.reason"]),
        "{errors}"
    );
    // The tool timeline runs without the skill filter (no skill key on this page) and says so.
    let timeline = &recipes["tool-execution-timeline-for-a-slow-or-failing-tool"];
    ensure!(
        timeline["ready"] == "true" && timeline["dropped"] == "app.consent.skill.<skill>.granted",
        "{timeline}"
    );
    let spans = timeline["links"][0].as_str().context("a spans link")?;
    ensure!(
        spans.starts_with("https://acme.sentry.io/explore/traces/?")
            && query_param(spans, "query")[0] == "gen_ai.tool.name:\"search_events\"",
        "{spans}"
    );
    let said = s
        .in_sidebar(
            "return document.querySelector('[data-recipe-id=\"tool-execution-timeline-for-a-slow-or-failing-tool\"] .pl-dropped').textContent;",
        )
        .await?;
    ensure!(
        said == "Without the app.consent.skill.<skill>.granted filter.",
        "{said}"
    );

    // Typing the missing value completes it: Discover plus one issue-stream link per clause.
    s.open_sidebar().await?;
    let input = s
        .driver
        .find(By::Css("[data-recipe-id='captured-errors-for-a-route-tool-or-oauth-symptom'] input[data-key='app.oauth.grant_revoked.reason']"))
        .await?;
    input.scroll_into_view().await?;
    input.send_keys("user_revoked").await?;
    input.send_keys(Key::Tab).await?;
    s.driver.enter_default_frame().await?;
    let done = s
        .sidebar_until(
            "const r = document.querySelector('[data-recipe-id=\"captured-errors-for-a-route-tool-or-oauth-symptom\"]');
             return r.dataset.dropped === '' && [...r.querySelectorAll('a[data-testid=\"pl-recipe-open\"]')].map(a => a.href);",
        )
        .await?;
    let links: Vec<&str> = done
        .as_array()
        .context("links")?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    ensure!(
        links[0].starts_with("https://acme.sentry.io/explore/discover/homepage/?"),
        "{links:?}"
    );
    ensure!(
        query_param(links[0], "query")[0].contains("user_revoked"),
        "{links:?}"
    );
    ensure!(
        links.iter().filter(|l| l.contains("/issues/?")).count() == 3,
        "one issue-stream link per OR clause: {links:?}"
    );
    Ok(())
}

async fn metrics_recipes_open_the_metrics_explorer(s: &Session) -> Result<()> {
    s.open(EVENT_PAGE).await?;
    s.wait_ready().await?;
    let recipes = s.in_sidebar(RECIPES).await?;
    let rates = &recipes["http-response-rates-by-route-and-status"];
    ensure!(
        rates["ready"] == "true",
        "the route on the page fills it: {rates}"
    );
    let href = rates["links"][0].as_str().context("a metrics link")?;
    ensure!(
        href.starts_with("https://acme.sentry.io/explore/metrics/?"),
        "{href}"
    );
    let metric: Value = serde_json::from_str(&query_param(href, "metric")[0])?;
    ensure!(
        metric["metric"]["name"] == "app.server.response" && metric["metric"]["type"] == "counter",
        "{metric}"
    );
    ensure!(metric["mode"] == "aggregate", "{metric}");
    let register = &recipes["register-and-callback-volume-by-client-family"];
    let href = register["links"][0].as_str().context("register link")?;
    ensure!(
        query_param(href, "metric").len() == 2,
        "metric:A OR metric:B becomes two metric params: {href}"
    );
    Ok(())
}

async fn copy_gives_the_filled_recipe_and_its_link(s: &Session) -> Result<()> {
    s.open(EVENT_PAGE).await?;
    s.wait_ready().await?;
    s.open_sidebar().await?;
    let copy = s
        .driver
        .find(By::Css(
            "[data-recipe-id='trace-log-history-after-opening-a-sentry-event-or-span'] [data-testid='pl-recipe-copy']",
        ))
        .await?;
    copy.scroll_into_view().await?;
    copy.click().await?;
    s.driver.enter_default_frame().await?;
    s.sidebar_until(
        "const r = document.querySelector('[data-recipe-id=\"trace-log-history-after-opening-a-sentry-event-or-span\"]');
         return r.querySelector('.pl-status').textContent === 'Copied';",
    )
    .await?;
    let copied = s.read_clipboard().await?;
    ensure!(
        copied.starts_with("dataset=logs query='trace_id:\""),
        "{copied}"
    );
    ensure!(
        copied.contains(TRACE_ID) && copied.contains("\nhttps://acme.sentry.io/explore/logs/?"),
        "{copied}"
    );
    Ok(())
}

/// `{first: {id, ready, href}, values: [pivot value…]}` of the sidebar's first recipe and the page's
/// pivots.
const FIRST_RECIPE: &str = "const first = document.querySelector('[data-testid=\"pl-recipe\"]');
    return { id: first?.dataset.recipeId, ready: first?.dataset.ready,
      href: first?.querySelector('a[data-testid=\"pl-recipe-open\"]')?.href ?? '',
      values: [...document.querySelectorAll('[data-testid=\"pl-pivot\"]')].map(p => p.dataset.value) };";

/// On every fixture page with pivots, the first follow-up shown runs with one of them.
async fn the_first_follow_up_is_filled_from_the_page(s: &Session) -> Result<()> {
    for page in [
        EVENT_PAGE,
        "acme.sentry.io/issues/6123456790/",
        "acme.sentry.io/issues/6123456791/events/9f8e7d6c5b4a39281706f5e4d3c2b1a0/",
        "acme.sentry.io/explore/traces/trace/4bf92f3577b34da6a3ce929d0e0e4736/?node=span-00f067aa0ba902b7&source=traces&statsPeriod=24h",
        "acme.sentry.io/explore/traces/trace/3d6e9f2a5b8c1e4f7a0b3c6d9e2f5a8b/?source=traces",
        "acme.sentry.io/explore/logs/?logsQuery=app.client.family%3Acursor&logsFields=timestamp&mode=samples",
        "acme.sentry.io/explore/traces/?query=gen_ai.tool.name%3Asearch_events&field=id&field=span.op&field=gen_ai.tool.name&field=mcp.tool.name&field=app.transport&field=app.client.family&field=user.id&field=trace&field=timestamp&mode=samples",
        "acme.sentry.io/explore/traces/trace/6a1b2c3d4e5f60718293a4b5c6d7e8f9/?pinnedAttribute=mcp.session.id&source=traces&statsPeriod=24h",
    ] {
        s.open(page).await?;
        s.wait_ready().await?;
        let first = s.in_sidebar(FIRST_RECIPE).await?;
        let href = first["href"].as_str().unwrap_or_default();
        let decoded: String = form_urlencoded::parse(href.split_once('?').map_or("", |(_, q)| q).as_bytes())
            .map(|(_, v)| v.into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        let values: Vec<&str> = first["values"]
            .as_array()
            .context("values")?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        ensure!(
            first["ready"] == "true" && values.iter().any(|v| decoded.contains(v) || href.contains(v)),
            "{page}: the first follow-up is not filled from the page: {first}"
        );
    }
    Ok(())
}

both_browsers!(
    the_first_follow_up_is_filled_from_the_page,
    event_page_recipes_are_ready_or_ask,
    metrics_recipes_open_the_metrics_explorer,
    copy_gives_the_filled_recipe_and_its_link,
);
