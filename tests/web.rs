//! UI components in a real browser (wasm-bindgen-test; `./build.sh test` runs it in headless
//! Chromium and Firefox).
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use pivot_lens::core::runbook::Runbook;
use pivot_lens::ui::SidebarApp;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

mod in_browser;
use in_browser::{document, settle, type_into};

wasm_bindgen_test_configure!(run_in_browser);

/// A JS callback that records what it is called with.
fn recorder() -> (js_sys::Function, Rc<RefCell<Vec<Vec<String>>>>) {
    let calls = Rc::new(RefCell::new(Vec::new()));
    let sink = calls.clone();
    let callback = Closure::<dyn Fn(JsValue, JsValue)>::new(move |a: JsValue, b: JsValue| {
        sink.borrow_mut()
            .push([a, b].iter().filter_map(JsValue::as_string).collect());
    });
    (callback.into_js_value().unchecked_into(), calls)
}

/// The sidebar with the bundled runbook's model, as `sidebar.js` passes it.
fn sidebar(stored: &str, post: js_sys::Function, save: js_sys::Function) -> SidebarApp {
    let runbook = serde_json::to_string(&Runbook::bundled()).unwrap();
    SidebarApp::new(stored, &runbook, post, save)
}

/// A sidebar in an emptied body, for tests that do not look at what it posts or saves.
fn unobserved_sidebar(stored: &str) -> SidebarApp {
    fresh_body();
    let (post, _) = recorder();
    let (save, _) = recorder();
    sidebar(stored, post, save)
}

/// Shows a received page report as `sidebar.js` does: a part per task until all of it is in.
async fn render_all(app: &SidebarApp) {
    while app.render_more() {
        settle().await;
    }
    settle().await;
}

fn root() -> web_sys::Element {
    document()
        .query_selector("[data-testid='pl-sidebar']")
        .unwrap()
        .expect("the sidebar root is mounted")
}

/// Removes sidebars mounted by earlier tests (the runner's own output lives in the body too).
fn fresh_body() {
    let mounted = document()
        .query_selector_all("[data-testid='pl-sidebar']")
        .unwrap();
    for i in 0..mounted.length() {
        mounted
            .item(i)
            .unwrap()
            .unchecked_into::<web_sys::Element>()
            .remove();
    }
}

#[wasm_bindgen_test]
async fn mounts_collapsed_and_announces_its_layout() {
    fresh_body();
    let (post, posted) = recorder();
    let (save, _) = recorder();
    let _app = sidebar("{}", post, save);
    settle().await;
    assert_eq!(root().get_attribute("data-open").as_deref(), Some("false"));
    let layout = posted.borrow();
    assert!(
        layout[0][0].contains("\"type\":\"layout\"") && layout[0][0].contains("\"open\":false"),
        "{layout:?}"
    );
}

#[wasm_bindgen_test]
async fn toggle_opens_remembers_and_tells_the_page() {
    fresh_body();
    let (post, posted) = recorder();
    let (save, saved) = recorder();
    let app = sidebar(
        r#"{"sidebar":{"open":false,"width":420,"left":true}}"#,
        post,
        save,
    );
    assert_eq!(app.receive(r#"{"type":"toggle"}"#).unwrap(), None);
    settle().await;
    assert_eq!(root().get_attribute("data-open").as_deref(), Some("true"));
    let last = posted.borrow().last().cloned().unwrap();
    assert!(
        last[0].contains("\"open\":true")
            && last[0].contains("\"width\":420")
            && last[0].contains("\"left\"")
    );
    let saved = saved.borrow();
    assert_eq!(saved[0][0], "sidebar");
    assert!(saved[0][1].contains("\"open\":true"), "{saved:?}");
}

#[wasm_bindgen_test]
async fn a_page_message_is_shown_for_its_url_and_the_theme_follows() {
    let app = unobserved_sidebar("{}");
    let url = "https://acme.sentry.io/issues/1/events/7b4c2f9a0c1d4e5f8a9b0c1d2e3f4a5b/";
    let message =
        format!(r#"{{"type":"page","url":"{url}","theme":"dark","full":true,"entries":[]}}"#);
    assert_eq!(app.receive(&message).unwrap().as_deref(), Some(url));
    render_all(&app).await;
    assert_eq!(
        document()
            .document_element()
            .unwrap()
            .get_attribute("data-theme")
            .as_deref(),
        Some("dark")
    );
    assert_eq!(
        root().get_attribute("data-page-kind").as_deref(),
        Some("event")
    );
    assert_eq!(root().get_attribute("data-org").as_deref(), Some("acme"));
    let event = document()
        .query_selector("[data-testid='pl-pivot'][data-key='event_id']")
        .unwrap()
        .expect("the event id from the URL is a pivot");
    assert_eq!(
        event.get_attribute("data-value").as_deref(),
        Some("7b4c2f9a0c1d4e5f8a9b0c1d2e3f4a5b")
    );
}

#[wasm_bindgen_test]
async fn hostile_values_render_as_text() {
    let app = unobserved_sidebar("{}");
    let hostile = "<img src=x onerror=alert(1)>";
    let message = serde_json::json!({
        "type": "page", "url": "https://acme.sentry.io/explore/logs/", "theme": "light",
        "full": true, "entries": [[1, [{"source": "testId", "key": "http.route", "value": hostile}], []]],
    });
    app.receive(&message.to_string()).unwrap();
    render_all(&app).await;
    let row = document()
        .query_selector("[data-testid='pl-pivot'][data-key='http.route']")
        .unwrap()
        .unwrap();
    assert_eq!(row.get_attribute("data-value").as_deref(), Some(hostile));
    assert_eq!(
        row.query_selector("img").unwrap(),
        None,
        "markup stayed text"
    );
}

/// A pivot row carries no status until its value is copied; then the row shows the outcome and
/// the list's one live region announces it with the key. Only an elided value has a tooltip.
#[wasm_bindgen_test]
async fn a_copy_shows_its_outcome_in_the_row_and_announces_it_once() {
    let app = unobserved_sidebar("{}");
    let long = format!("/{}", "segment/".repeat(20));
    let message = serde_json::json!({
        "type": "page", "url": "https://acme.sentry.io/explore/logs/", "theme": "light", "full": true,
        "entries": [[1, [{"source": "testId", "key": "http.route", "value": "/short"},
                         {"source": "testId", "key": "http.route", "value": long}], []]],
    });
    app.receive(&message.to_string()).unwrap();
    render_all(&app).await;
    let row = |value: &str| {
        document()
            .query_selector(&format!(
                "[data-testid='pl-pivot'][data-key='http.route'][data-value='{value}']"
            ))
            .unwrap()
            .unwrap_or_else(|| panic!("a row for {value}"))
    };
    let tooltip = |value: &str| {
        row(value)
            .query_selector(".pl-value")
            .unwrap()
            .unwrap()
            .get_attribute("title")
    };
    assert_eq!(tooltip("/short"), None);
    assert_eq!(tooltip(&long).as_deref(), Some(long.as_str()));
    assert_eq!(
        document()
            .query_selector_all(".pl-pivots .pl-status")
            .unwrap()
            .length(),
        0
    );

    click("[data-testid='pl-pivot'][data-value='/short'] button.pl-copy");
    let outcomes = ["Copying…", "Copied", "Copy failed"];
    let status = row("/short")
        .query_selector(".pl-status")
        .unwrap()
        .expect("a status");
    assert!(outcomes.contains(&status.text_content().unwrap_or_default().as_str()));
    assert_eq!(row(&long).query_selector(".pl-status").unwrap(), None);
    let announced = document()
        .query_selector(".pl-pivots-status[role='status']")
        .unwrap()
        .expect("the list's live region")
        .text_content()
        .unwrap_or_default();
    assert!(announced.starts_with("http.route: "), "{announced}");
    assert_eq!(
        document()
            .query_selector_all(".pl-pivots [role='status']")
            .unwrap()
            .length(),
        0
    );
}

/// A report of hundreds of values goes into the panel over several tasks, and a report that
/// arrives before the last one was shown replaces it.
#[wasm_bindgen_test]
async fn a_big_report_is_shown_a_part_per_task() {
    let app = unobserved_sidebar("{}");
    let report = |routes: usize| {
        let facts: Vec<_> = (0..routes)
            .map(|i| serde_json::json!({"source": "testId", "key": "http.route", "value": format!("/api/{i}")}))
            .collect();
        serde_json::json!({"type": "page", "url": "https://acme.sentry.io/explore/logs/", "full": true, "entries": [[1, facts, []]]})
            .to_string()
    };
    let count = |selector: &str| document().query_selector_all(selector).unwrap().length();
    app.receive(&report(10)).unwrap();
    app.receive(&report(300)).unwrap();
    settle().await;
    assert_eq!(
        count("[data-testid='pl-pivot']"),
        0,
        "a report is shown in the task after it is read"
    );
    assert!(app.render_more());
    settle().await;
    let first = count("[data-testid='pl-pivot']");
    assert!(
        (1..300).contains(&first),
        "the first task shows part of the rows: {first}"
    );
    assert_eq!(
        count("[data-testid='pl-scenario']"),
        0,
        "the checklists come after the pivots"
    );
    // The pivots, a part per task, then the checklists, a few cards per task.
    let mut cards_per_task = Vec::new();
    while app.render_more() {
        settle().await;
        let cards = count("[data-testid='pl-scenario']");
        if cards > 0 {
            cards_per_task.push(cards);
        }
    }
    settle().await;
    assert_eq!(
        count("[data-testid='pl-pivot']"),
        300,
        "only the latest report is shown, all of it"
    );
    let scenarios = Runbook::bundled().domains.len() as u32;
    assert_eq!(count("[data-testid='pl-scenario']"), scenarios);
    assert!(
        cards_per_task.len() > 1 && cards_per_task.windows(2).all(|w| w[0] < w[1]),
        "the checklists come over several tasks: {cards_per_task:?}"
    );
    assert!(!app.render_more(), "nothing is left to add");
}

/// The probe reports only the entries that changed: the panel shows them with what it held.
#[wasm_bindgen_test]
async fn a_report_of_changes_updates_what_is_shown() {
    let app = unobserved_sidebar("{}");
    let fact = |key: &str, value: &str| serde_json::json!({"source": "testId", "key": key, "value": value});
    let report = |full: bool, gone: &[u64], entries: serde_json::Value| {
        serde_json::json!({"type": "page", "url": "https://acme.sentry.io/explore/logs/", "full": full, "gone": gone, "entries": entries})
            .to_string()
    };
    let shown = || {
        let rows = document()
            .query_selector_all("[data-testid='pl-pivot']")
            .unwrap();
        let mut pairs: Vec<String> = (0..rows.length())
            .filter_map(|i| rows.item(i))
            .map(|row| {
                let row: web_sys::Element = row.unchecked_into();
                format!(
                    "{}={}",
                    row.get_attribute("data-key").unwrap_or_default(),
                    row.get_attribute("data-value").unwrap_or_default()
                )
            })
            .collect();
        pairs.sort();
        pairs
    };
    let entries = serde_json::json!([
        [1, [fact("http.route", "/a")], []],
        [2, [fact("user.id", "7")], []]
    ]);
    app.receive(&report(true, &[], entries)).unwrap();
    render_all(&app).await;
    assert_eq!(shown(), ["http.route=/a", "user.id=7"]);
    let changes = serde_json::json!([
        [2, [fact("user.id", "8")], []],
        [3, [fact("http.route", "/b")], []]
    ]);
    app.receive(&report(false, &[1], changes)).unwrap();
    render_all(&app).await;
    assert_eq!(shown(), ["http.route=/b", "user.id=8"]);
    app.receive(&report(true, &[], serde_json::json!([])))
        .unwrap();
    render_all(&app).await;
    assert_eq!(
        shown(),
        Vec::<String>::new(),
        "a full report replaces everything"
    );
}

#[wasm_bindgen_test]
async fn a_typed_value_completes_a_recipe() {
    let app = unobserved_sidebar("{}");
    let message = r#"{"type":"page","url":"https://acme.sentry.io/explore/logs/","theme":"light","full":true,"entries":[]}"#;
    app.receive(message).unwrap();
    render_all(&app).await;
    let recipe =
        "[data-testid='pl-recipe'][data-recipe-id='grant-revocations-for-sign-out-reports']";
    let card = document().query_selector(recipe).unwrap().unwrap();
    assert_eq!(card.get_attribute("data-ready").as_deref(), Some("false"));
    let input: web_sys::HtmlInputElement = card
        .query_selector("input[data-key='user.id']")
        .unwrap()
        .unwrap()
        .unchecked_into();
    type_into(&input, "4242");
    settle().await;
    let card = document().query_selector(recipe).unwrap().unwrap();
    assert_eq!(card.get_attribute("data-ready").as_deref(), Some("true"));
    let link = card
        .query_selector("a[data-testid='pl-recipe-open']")
        .unwrap()
        .unwrap();
    assert!(link.get_attribute("href").unwrap().contains("4242"));
}

#[wasm_bindgen_test]
async fn a_pasted_id_keeps_its_text_and_follows_the_page_it_is_on() {
    let app = unobserved_sidebar("{}");
    let page = |url: &str| format!(r#"{{"type":"page","url":"{url}","full":true,"entries":[]}}"#);
    let links = || {
        let links = document()
            .query_selector_all("a[data-testid='pl-paste-open']")
            .unwrap();
        (0..links.length())
            .filter_map(|i| links.item(i))
            .map(|a| {
                a.unchecked_into::<web_sys::Element>()
                    .get_attribute("href")
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
    };
    let input = || -> web_sys::HtmlInputElement {
        document()
            .query_selector("[data-testid='pl-paste-input']")
            .unwrap()
            .expect("the paste box is shown")
            .unchecked_into()
    };
    let trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    app.receive(&page("https://acme.sentry.io/explore/logs/"))
        .unwrap();
    render_all(&app).await;
    input().set_value(trace);
    input()
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    settle().await;
    let on_acme = links();
    assert!(!on_acme.is_empty(), "a trace id has follow-ups");
    assert!(on_acme
        .iter()
        .all(|href| href.starts_with("https://acme.sentry.io/") && href.contains(trace)));

    // The page navigates (here, to another org): the typed id stays, its links follow the page.
    app.receive(&page("https://beta.sentry.io/issues/"))
        .unwrap();
    render_all(&app).await;
    assert_eq!(
        input().value(),
        trace,
        "what was typed survives the navigation"
    );
    let on_beta = links();
    assert_eq!(on_beta.len(), on_acme.len());
    assert!(on_beta
        .iter()
        .all(|href| href.starts_with("https://beta.sentry.io/") && href.contains(trace)));

    // Anything that looks like a token is refused, with no link to follow.
    input().set_value("sntryu_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    input()
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    settle().await;
    assert!(links().is_empty());
    assert!(document()
        .query_selector(
            "[data-testid='pl-paste-id'] [data-testid='pl-warning'][data-kind='secret']"
        )
        .unwrap()
        .is_some());
}

#[wasm_bindgen_test]
async fn a_checklist_follows_the_page_without_rebuilding_its_steps() {
    let app = unobserved_sidebar("{}");
    let tools = "[data-testid='pl-scenario'][data-scenario-id='mcp-tool-execution']";
    let report = |full: bool, url: &str, tool: Option<&str>| {
        let facts: Vec<_> = tool
            .map(|tool| serde_json::json!({"source": "testId", "key": "gen_ai.tool.name", "value": tool}))
            .into_iter()
            .collect();
        serde_json::json!({"type": "page", "url": url, "full": full, "gone": [], "entries": [[1, facts, []]]})
            .to_string()
    };
    let steps = || {
        let steps = document()
            .query_selector_all(&format!("{tools} [data-testid='pl-step']"))
            .unwrap();
        (0..steps.length())
            .filter_map(|i| steps.item(i))
            .map(|step| step.unchecked_into::<web_sys::Element>())
            .collect::<Vec<_>>()
    };
    let showing = |steps: &[web_sys::Element], value: &str| {
        steps
            .iter()
            .position(|step| step.text_content().unwrap_or_default().contains(value))
    };
    let trace = "https://acme.sentry.io/explore/traces/trace/4bf92f3577b34da6a3ce929d0e0e4736/";
    app.receive(&report(true, trace, Some("search_events")))
        .unwrap();
    render_all(&app).await;
    let card = || document().query_selector(tools).unwrap().unwrap();
    assert_eq!(
        card().get_attribute("data-suggested").as_deref(),
        Some("true")
    );
    let before = steps();
    let step = showing(&before, "search_events").expect("a step shows the tool on the page");

    // The same page reports another tool: the step shows it, and no step was built again (a
    // focused checkbox keeps its focus).
    app.receive(&report(false, trace, Some("get_issue_details")))
        .unwrap();
    render_all(&app).await;
    let after = steps();
    assert_eq!(showing(&after, "get_issue_details"), Some(step));
    assert!(
        before.iter().all(|step| step.is_connected()),
        "the steps were updated in place"
    );

    // A page without a tool: the card stays, no longer suggested.
    app.receive(&report(true, "https://acme.sentry.io/explore/logs/", None))
        .unwrap();
    render_all(&app).await;
    assert_eq!(
        card().get_attribute("data-suggested").as_deref(),
        Some("false")
    );
    assert!(card().query_selector("summary .pl-chip").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn a_query_card_follows_new_values_in_place() {
    let app = unobserved_sidebar("{}");
    let report = |full: bool, trace: &str| {
        serde_json::json!({"type": "page", "url": "https://acme.sentry.io/explore/logs/", "full": full, "gone": [],
            "entries": [[1, [{"source": "testId", "key": "trace_id", "value": trace}], []]]})
        .to_string()
    };
    let (first, second) = (
        "4bf92f3577b34da6a3ce929d0e0e4736",
        "0af7651916cd43dd8448eb211c80319c",
    );
    app.receive(&report(true, first)).unwrap();
    render_all(&app).await;
    let card = document()
        .query_selector(&format!(
            "[data-testid='pl-recipe']:has(a[data-testid='pl-recipe-open'][href*='{first}'])"
        ))
        .unwrap()
        .expect("a query opens the trace id on the page");
    let recipe_id = card.get_attribute("data-recipe-id").unwrap();

    app.receive(&report(false, second)).unwrap();
    render_all(&app).await;
    assert!(card.is_connected(), "the card was updated in place");
    assert_eq!(card.get_attribute("data-recipe-id"), Some(recipe_id));
    let href = card
        .query_selector("a[data-testid='pl-recipe-open']")
        .unwrap()
        .unwrap()
        .get_attribute("href")
        .unwrap();
    assert!(href.contains(second) && !href.contains(first), "{href}");
}

#[wasm_bindgen_test]
fn malformed_messages_are_errors_not_panics() {
    let app = unobserved_sidebar("not json at all");
    assert!(app.receive("{\"type\":\"page\"}").is_err());
    assert!(app.receive("[]").is_err());
}

fn click(selector: &str) {
    document()
        .query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("{selector} is shown"))
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
}

const EVENT_PAGE_MESSAGE: &str = r#"{"type":"page","url":"https://acme.sentry.io/issues/1/events/7b4c2f9a0c1d4e5f8a9b0c1d2e3f4a5b/","theme":"light","full":true,"entries":[]}"#;
const TOUR: &str = "[data-testid='pl-tour']";

#[wasm_bindgen_test]
async fn the_tour_starts_on_the_first_page_outlines_the_field_and_is_remembered() {
    fresh_body();
    let (post, posted) = recorder();
    let (save, saved) = recorder();
    let app = sidebar("{}", post, save);
    app.receive(EVENT_PAGE_MESSAGE).unwrap();
    render_all(&app).await;
    let tour = document()
        .query_selector(TOUR)
        .unwrap()
        .expect("the tour starts");
    assert_eq!(
        tour.get_attribute("data-step").as_deref(),
        Some("where-am-i")
    );
    assert_eq!(
        root().get_attribute("data-open").as_deref(),
        Some("true"),
        "it opens the sidebar"
    );
    assert!(saved
        .borrow()
        .iter()
        .any(|s| s[0] == "tour" && s[1] == r#"{"seen":false,"step":0}"#));

    click("[data-testid='pl-tour-next']");
    settle().await;
    let step = document().query_selector(TOUR).unwrap().unwrap();
    assert_eq!(
        step.get_attribute("data-step").as_deref(),
        Some("page-field")
    );
    let highlight = posted.borrow().last().cloned().unwrap();
    assert!(
        highlight[0].contains(r#""type":"highlight""#)
            && highlight[0].contains(r#""key":"event_id""#)
            && highlight[0].contains("7b4c2f9a0c1d4e5f8a9b0c1d2e3f4a5b"),
        "{highlight:?}"
    );

    click("[data-testid='pl-tour-close']");
    settle().await;
    assert!(document().query_selector(TOUR).unwrap().is_none());
    assert_eq!(
        saved.borrow().last().cloned().unwrap(),
        ["tour", r#"{"seen":true,"step":1}"#]
    );
    assert_eq!(
        posted.borrow().last().cloned().unwrap(),
        [r#"{"type":"highlight"}"#],
        "the page outline is removed"
    );
}

#[wasm_bindgen_test]
async fn a_seen_tour_stays_closed_until_asked_for() {
    let app = unobserved_sidebar(r#"{"tour":{"seen":true,"step":2}}"#);
    app.receive(EVENT_PAGE_MESSAGE).unwrap();
    render_all(&app).await;
    assert!(document().query_selector(TOUR).unwrap().is_none());
    assert_eq!(root().get_attribute("data-open").as_deref(), Some("false"));
    click("[data-testid='pl-tour-start']");
    settle().await;
    let tour = document()
        .query_selector(TOUR)
        .unwrap()
        .expect("the button starts it");
    assert_eq!(
        tour.get_attribute("data-step").as_deref(),
        Some("where-am-i")
    );
    assert_eq!(root().get_attribute("data-open").as_deref(), Some("true"));
}
