//! The sidebar's components alone, as Leptos's counter example tests its component: each is mounted
//! by itself on signals the test holds, fed a lens the core made from the probe's real report of a
//! fixture page (tests/fixtures/probe-reports), then driven and read through the DOM.
//! (`./build.sh test` runs it in headless Chromium and Firefox, like tests/web.rs.)
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use pivot_lens::core::config::settings::Settings;
use pivot_lens::core::lens::{lens, Lens, LensInput};
use pivot_lens::core::recognition::facts::RawFacts;
use pivot_lens::core::recognition::page_entries::{PageEntries, ProbeEntry};
use pivot_lens::core::runbook::Runbook;
use pivot_lens::ui::sidebar::investigations::Investigating;
use pivot_lens::ui::sidebar::pivots::Pivots;
use pivot_lens::ui::sidebar::recipes::Recipes;
use pivot_lens::ui::sidebar::scenarios::{ScenarioSources, Scenarios};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

mod in_browser;
use in_browser::{document, settle, type_into};

wasm_bindgen_test_configure!(run_in_browser);

#[derive(serde::Deserialize)]
struct Report {
    url: String,
    entries: Vec<ProbeEntry>,
}

/// The page the probe reported, as the sidebar keeps it.
fn page(report: &str) -> RawFacts {
    let report: Report = serde_json::from_str(report).expect("a probe report");
    let mut entries = PageEntries::default();
    entries.apply(true, &[], report.entries);
    entries.page(report.url)
}

fn lens_of(raw: &RawFacts, typed: &BTreeMap<String, String>) -> Lens {
    lens(&LensInput {
        runbook: &Runbook::bundled(),
        settings: &Settings::default(),
        raw,
        typed,
        api: &[],
    })
}

const EVENT: &str = include_str!("fixtures/probe-reports/event.json");
const TRACE: &str = include_str!("fixtures/probe-reports/trace.json");

/// An empty element of its own in the body, to mount one component in.
fn container() -> web_sys::HtmlElement {
    let element: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&element).unwrap();
    element
}

fn all(within: &web_sys::Element, selector: &str) -> Vec<web_sys::Element> {
    let found = within.query_selector_all(selector).unwrap();
    (0..found.length())
        .filter_map(|i| found.item(i))
        .map(|node| node.unchecked_into())
        .collect()
}

fn attribute(element: &web_sys::Element, name: &str) -> String {
    element.get_attribute(name).unwrap_or_default()
}

#[wasm_bindgen_test]
async fn pivots_draw_as_many_rows_as_allowed_and_follow_the_filter() {
    let host = container();
    let shown = lens_of(&page(EVENT), &BTreeMap::new());
    let keys: Vec<String> = shown.pivots.iter().map(|p| p.key.clone()).collect();
    assert!(keys.len() >= 5, "the event page's pivots: {keys:?}");
    let current = RwSignal::new(Some(shown));
    let filter = RwSignal::new(String::new());
    let rows = RwSignal::new(2);
    let _mounted = leptos::mount::mount_to(host.clone(), move || {
        let lens = Memo::new(move |_| current.get());
        view! { <Pivots lens=lens filter=filter rows=rows/> }
    });
    settle().await;
    let shown_keys = || -> Vec<String> {
        all(&host, "[data-testid='pl-pivot']")
            .iter()
            .map(|row| attribute(row, "data-key"))
            .collect()
    };
    assert_eq!(shown_keys(), keys[..2], "only the rows allowed so far");

    rows.set(usize::MAX);
    settle().await;
    assert_eq!(shown_keys(), keys, "every pivot, in the lens's order");

    filter.set("4242".into()); // the user's id, on no other row
    settle().await;
    assert_eq!(
        shown_keys(),
        ["user.id"],
        "the filter narrows to the value's row"
    );

    filter.set(String::new());
    current.set(None);
    settle().await;
    assert!(shown_keys().is_empty(), "no page, no pivots");
}

#[wasm_bindgen_test]
async fn a_recipe_card_links_what_the_core_built_and_takes_a_missing_value() {
    let host = container();
    let raw = page(TRACE);
    let shown = lens_of(&raw, &BTreeMap::new());
    let ready = shown
        .recipes
        .iter()
        .find(|r| r.ready && !r.links.is_empty())
        .expect("a ready recipe on the trace page")
        .clone();
    let waiting = shown
        .recipes
        .iter()
        .find(|r| !r.ready && !r.missing.is_empty())
        .expect("a recipe that needs a value the trace page lacks")
        .clone();
    let current = RwSignal::new(Some(shown));
    let filter = RwSignal::new(String::new());
    let typed = RwSignal::new(BTreeMap::<String, String>::new());
    let _mounted = leptos::mount::mount_to(host.clone(), move || {
        let lens = Memo::new(move |_| current.get());
        view! { <Recipes lens=lens filter=filter typed=typed/> }
    });
    settle().await;
    let card = |id: &str| {
        host.query_selector(&format!("[data-testid='pl-recipe'][data-recipe-id='{id}']"))
            .unwrap()
            .unwrap_or_else(|| panic!("no card for {id}"))
    };
    let hrefs: Vec<String> = all(&card(&ready.id), "[data-testid='pl-recipe-open']")
        .iter()
        .map(|a| attribute(a, "href"))
        .collect();
    let built: Vec<String> = ready.links.iter().map(|l| l.url.clone()).collect();
    assert_eq!(hrefs, built, "the card opens what the core built");
    assert_eq!(attribute(&card(&waiting.id), "data-ready"), "false");

    // A value typed for the missing key goes to the shared `typed` map (the lens is rebuilt from it).
    let key = &waiting.missing[0];
    let input: web_sys::HtmlInputElement = card(&waiting.id)
        .query_selector(&format!(
            "[data-testid='pl-recipe-input'][data-key='{key}']"
        ))
        .unwrap()
        .expect("an input for the missing value")
        .unchecked_into();
    type_into(&input, "4242");
    settle().await;
    assert_eq!(
        typed.get_untracked().get(key).map(String::as_str),
        Some("4242")
    );
}

/// A JS callback recording each storage write (`{set, remove}` as JSON) it is given.
fn writes() -> (js_sys::Function, Rc<RefCell<Vec<String>>>) {
    let calls = Rc::new(RefCell::new(Vec::new()));
    let sink = calls.clone();
    let callback = Closure::<dyn Fn(JsValue)>::new(move |write: JsValue| {
        sink.borrow_mut().extend(write.as_string());
    });
    (callback.into_js_value().unchecked_into(), calls)
}

#[wasm_bindgen_test]
async fn a_checklist_step_ticked_is_stored_and_stays_ticked() {
    let host = container();
    let raw = page(EVENT);
    let shown = lens_of(&raw, &BTreeMap::new());
    let investigating = Investigating::load("{}");
    let (writer, stored) = writes();
    investigating.connect(writer);
    let sources = ScenarioSources {
        runbook: Arc::new(Runbook::bundled()),
        settings: Arc::new(Settings::default()),
        raw: RwSignal::new(Some(raw)),
        typed: RwSignal::new(BTreeMap::new()),
        lens: Memo::new(move |_| Some(shown.clone())),
        investigating,
    };
    let _mounted = leptos::mount::mount_to(host.clone(), move || {
        view! { <Scenarios sources=sources cards=RwSignal::new(usize::MAX)/> }
    });
    settle().await;
    let scenario = all(&host, "[data-testid='pl-scenario']")
        .into_iter()
        .next()
        .expect("a scenario card");
    // Steps are built when their card opens (a suggested card starts open).
    let details: web_sys::HtmlDetailsElement = scenario
        .query_selector("details")
        .unwrap()
        .expect("the card's details")
        .unchecked_into();
    details.set_open(true); // its `toggle` event comes in a task of its own
    settle().await;
    settle().await;
    let step = all(&scenario, "[data-testid='pl-step']")
        .into_iter()
        .next()
        .expect("a step in the opened card");
    let step_id = attribute(&step, "data-step-id");
    let checkbox: web_sys::HtmlInputElement = step
        .query_selector("input[type='checkbox']")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert!(!checkbox.checked());
    assert_eq!(attribute(&scenario, "data-investigation"), "", "none yet");
    checkbox.click();
    settle().await;
    // The tick started this scenario's investigation, which the card now shows and keeps ticked.
    assert_ne!(attribute(&scenario, "data-investigation"), "");
    assert!(checkbox.checked(), "the step shows ticked");
    let written = stored.borrow().join("\n");
    assert!(
        written.contains(&step_id),
        "the tick of {step_id} was stored: {written}"
    );
}
