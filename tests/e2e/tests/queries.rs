//! Follow-up queries on real pages: recipes the page fills are ready with links to the right
//! Sentry product, the others ask for what they need, and every recipe copies as text.

use anyhow::{ensure, Context, Result};
use pivot_lens_e2e::{both_browsers, Session};
use serde_json::Value;
use thirtyfour::prelude::*;

const EVENT_PAGE: &str =
    "acme.sentry.io/issues/6123456789/events/7b4c2f9a0c1d4e5f8a9b0c1d2e3f4a5b/";
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

/// `{id: {ready, links: [href…], inputs: [key…], copy: bool}}` for every recipe in the sidebar.
const RECIPES: &str = "const out = {};
    for (const r of document.querySelectorAll('[data-testid=\"pl-recipe\"]')) {
      out[r.dataset.recipeId] = {
        ready: r.dataset.ready,
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

    // Route and tool are on the page; the revocation reason is not: the recipe asks for it.
    let errors = &recipes["captured-errors-for-a-route-tool-or-oauth-symptom"];
    ensure!(
        errors["ready"] == "false" && errors["links"] == Value::Array(vec![]),
        "{errors}"
    );
    ensure!(
        errors["inputs"] == serde_json::json!(["app.oauth.grant_revoked.reason"]),
        "{errors}"
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
             return r.dataset.ready === 'true' && [...r.querySelectorAll('a[data-testid=\"pl-recipe-open\"]')].map(a => a.href);",
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

both_browsers!(
    event_page_recipes_are_ready_or_ask,
    metrics_recipes_open_the_metrics_explorer,
    copy_gives_the_filled_recipe_and_its_link,
);
