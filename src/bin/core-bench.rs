//! `core-bench [OUT.json]`: times the core on hostile, huge inputs (release build, native), checks
//! each against its budget and prints one line per case. `./build.sh bench` runs it and folds its
//! JSON into the benchmark report. These budgets replaced timed unit tests: a test asserts what
//! the result is, this measures what it costs. Exits 1 when a budget fails.
//!
//! Budgets: a hostile 1 MB runbook is parsed on import and at each sidebar start, so it must
//! finish within a second; the bundled one within a frame's slack. Page values are at most 4 KB
//! and selections 2,000 characters, so 1 MB inputs prove linearity (100 ns a byte). A selection is
//! classified when the context menu opens (50 ms, under the 100 ms a click may take to answer).
//! `recognise`, the lens and the scenarios run on every page report; 10,000 facts is twice the
//! probe's cap (100 ms each). On a live page most of a report was read before: its lens must cost
//! a frame's slack (10 ms), not a fresh read.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use pivot_lens::core::checklists::investigation::collectible;
use pivot_lens::core::checklists::scenarios::ScenarioPlan;
use pivot_lens::core::config::settings::Settings;
use pivot_lens::core::context_menu::classify::{classify_selection, MAX_SELECTION_CHARS};
use pivot_lens::core::guard::secrets::detect_secret;
use pivot_lens::core::lens::{lens, lens_remembering, LensInput};
use pivot_lens::core::recognition::facts::{recognise, FactMemory, FactSource, RawFact, RawFacts};
use pivot_lens::core::recognition::page::classify_url;
use pivot_lens::core::runbook::Runbook;

const BUNDLED: &str = include_str!("../../runbook/TELEMETRY.md");
const ONE_MB: usize = 1_000_000;
const RUNS: usize = 5;

struct Case {
    name: String,
    budget: Duration,
    /// The slowest of `RUNS` runs: the budget is about the worst case.
    worst: Duration,
}

/// Runs `work` `RUNS` times and keeps the slowest run.
fn time(name: &str, budget_ms: u64, mut work: impl FnMut()) -> Case {
    let worst = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed()
        })
        .max()
        .unwrap_or_default();
    Case {
        name: name.to_owned(),
        budget: Duration::from_millis(budget_ms),
        worst,
    }
}

/// `unit` repeated to fill what is left of 1 MB after the bundled runbook.
fn bundled_plus(unit: &str) -> String {
    let room = ONE_MB - BUNDLED.len() - 1;
    format!("{BUNDLED}\n{}", unit.repeat(room / unit.len()))
}

fn one_mb_of(unit: &str) -> String {
    unit.repeat(ONE_MB / unit.len())
}

/// 10,000 probe facts as a huge trace drawer sends them: mostly unknown attributes, some pivots.
fn ten_thousand_facts() -> RawFacts {
    let facts = (0..10_000)
        .map(|i| {
            let (source, key, value) = match i % 5 {
                0 => (
                    FactSource::TestId,
                    "user.id".to_owned(),
                    format!("user-{i}"),
                ),
                1 => (
                    FactSource::Href,
                    String::new(),
                    format!("https://acme.sentry.io/explore/traces/trace/{i:032x}/"),
                ),
                2 => (
                    FactSource::Json,
                    format!("custom.json_{i}"),
                    "v".repeat(100),
                ),
                _ => (
                    FactSource::HiddenKey,
                    format!("custom.attr_{i}"),
                    format!("value {i}"),
                ),
            };
            RawFact {
                source,
                key,
                value,
                section: "span-attributes".to_owned(),
            }
        })
        .collect();
    RawFacts {
        url: TRACE_URL.to_owned(),
        facts,
        failed_rules: Vec::new(),
    }
}

const TRACE_URL: &str =
    "https://acme.sentry.io/explore/traces/trace/7f7f7f7f0e0e0e0e1d1d1d1d2c2c2c2c/?node=span-a0b1c2d3e4f50617";

fn main() -> ExitCode {
    let runbook = Runbook::bundled();
    let mut cases = Vec::new();

    for (what, unit) in [
        ("deep block quotes", "> "),
        ("unclosed links", "[a]("),
        ("unbalanced emphasis", "*a **"),
        ("backtick runs", "`` ` ```"),
        ("a word per line", "x\n"),
        (
            "endless titled blocks",
            "t\n```\ndataset=logs query='a'\n```\n",
        ),
        ("endless table rows", "| `trace_id` | a | b | c |\n"),
    ] {
        let markdown = bundled_plus(unit);
        cases.push(time(
            &format!("runbook parse, 1 MB of {what}"),
            1000,
            || {
                let _ = Runbook::parse(&markdown);
            },
        ));
    }
    cases.push(time("runbook parse, bundled TELEMETRY.md", 10, || {
        let _ = Runbook::parse(BUNDLED);
    }));

    for (what, unit) in [
        ("`a:`", "a:"),
        ("`=`", "="),
        ("`://`", "://"),
        ("`eyJ`", "eyJ"),
        ("`bearer `", "bearer "),
        ("`sntryu_`", "sntryu_"),
        ("`a`", "a"),
    ] {
        let text = one_mb_of(unit);
        cases.push(time(&format!("detect_secret, 1 MB of {what}"), 100, || {
            let _ = detect_secret(&text);
        }));
    }

    let huge_selection = one_mb_of("7f7f7f7f0e0e0e0e1d1d1d1d2c2c2c2c ");
    cases.push(time("classify_selection, 1 MB", 5, || {
        let _ = classify_selection(&huge_selection, &runbook);
    }));
    let longest_selection: String = one_mb_of("span-a0b1c2d3e4f50617 ")
        .chars()
        .take(MAX_SELECTION_CHARS)
        .collect();
    cases.push(time(
        &format!("classify_selection, {MAX_SELECTION_CHARS} chars (longest read)"),
        50,
        || {
            let _ = classify_selection(&longest_selection, &runbook);
        },
    ));

    let raw = ten_thousand_facts();
    let Some(page) = classify_url(TRACE_URL) else {
        eprintln!("core-bench: the trace URL is not recognised");
        return ExitCode::FAILURE;
    };
    cases.push(time("recognise, 10,000 facts", 100, || {
        let _ = recognise(&runbook, &page, &raw);
    }));
    // What the sidebar computes for every page report: the lens and the scenario checklists.
    let (settings, typed) = (Settings::default(), BTreeMap::new());
    let input = LensInput {
        runbook: &runbook,
        settings: &settings,
        raw: &raw,
        typed: &typed,
        api: &[],
    };
    cases.push(time("lens, 10,000 facts", 100, || {
        let _ = lens(&input);
    }));
    // A live page (logs appending): each report brings 50 new facts among the 10,000 it brought
    // before, and the sidebar remembers what it read of those.
    let reports: Vec<RawFacts> = (0..RUNS)
        .map(|run| {
            let mut report = raw.clone();
            report.facts.extend((0..50).map(|i| RawFact {
                source: FactSource::TestId,
                key: "user.id".to_owned(),
                value: format!("appended-{run}-{i}"),
                section: "logs-table".to_owned(),
            }));
            report
        })
        .collect();
    let mut memory = FactMemory::default();
    let _ = lens_remembering(&input, &mut memory);
    let mut next_report = reports.iter();
    cases.push(time(
        "lens, 50 new facts among 10,000 read before",
        10,
        || {
            if let Some(raw) = next_report.next() {
                let _ = lens_remembering(&LensInput { raw, ..input }, &mut memory);
            }
        },
    ));
    let page_lens = lens(&input);
    // The sidebar plans the checklists once per runbook and fills them at every report.
    let plan = ScenarioPlan::of(&runbook);
    cases.push(time(
        "scenarios, planned, filled for 10,000 facts",
        100,
        || {
            let _ = plan.fill(&input, &page_lens, &BTreeMap::new());
        },
    ));
    // The checklists' page values, also at every report: a logs table brings a value per row.
    cases.push(time(
        &format!("collectible, {} pivots", page_lens.pivots.len()),
        5,
        || {
            let _ = collectible(&page_lens.pivots);
        },
    ));

    report(&cases)
}

fn report(cases: &[Case]) -> ExitCode {
    let mut failed = 0;
    let mut json = Vec::new();
    for case in cases {
        let pass = case.worst <= case.budget;
        failed += usize::from(!pass);
        let worst_ms = case.worst.as_secs_f64() * 1000.0;
        let budget_ms = case.budget.as_secs_f64() * 1000.0;
        println!(
            "  {:<4} {:<58} {worst_ms:>9.2} ms  (budget {budget_ms} ms)",
            if pass { "ok" } else { "FAIL" },
            case.name
        );
        json.push(serde_json::json!({
            "name": case.name, "worst_ms": worst_ms, "budget_ms": budget_ms, "pass": pass,
        }));
    }
    if let Some(path) = std::env::args().nth(1) {
        let text = serde_json::to_string_pretty(&json).unwrap_or_default();
        if let Err(error) = std::fs::write(&path, text) {
            eprintln!("core-bench: cannot write {path}: {error}");
            return ExitCode::from(2);
        }
    }
    if failed > 0 {
        println!("core-bench: {failed} budget(s) failed");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
