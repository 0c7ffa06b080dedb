//! `./build.sh bench`: what Pivot Lens costs a Sentry page. Loads generated fixture pages of growing
//! size (tests/fixtures/pages/bench-*.html) in headless Chromium and Firefox, each load once with
//! the built extension and once in a second browser without it, side by side, and reports:
//! navigation → `data-pl-state=ready`; main-thread cost with/without (Chromium: CDP
//! `Performance.getMetrics` TaskDuration; Firefox: CPU time of the web content processes' main
//! threads, from `/proc`; and the lateness of a 10 ms heartbeat in the page); long tasks after
//! load; the probe's own `pivot-lens:*` measures per scan, rescan and publish; sizes; wasm linear
//! memory; the sidebar frame's boot milestones on the page's clock; and the native core timings
//! of `core-bench` (`dist/bench/core.json`). Writes dist/bench/bench.md and bench.json, prints the
//! table, and exits 1 naming every budget that failed.
//!
//! `PL_BENCH_LOADS` (default 10) sets the loads per page and browser; `PL_BENCH_PAGES` (words
//! separated by `|`) keeps only the pages whose name contains one of them, for quick
//! looks while working (the budgets are then checked only for what ran).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use pivot_lens_e2e::{dist_dir, dist_root, fixture_pages, workspace_root, Browser, Session};
use serde_json::{json, Value};

/// After the page's scripted activity ends: the probe's longest rescan delay (600 ms) and margin.
const SETTLE: Duration = Duration::from_millis(900);
const PAGE_TIMEOUT: Duration = Duration::from_secs(30);

const READY_BUDGET_MS: f64 = 150.0;
const MAIN_THREAD_RATIO_BUDGET: f64 = 1.10;
const LONG_TASK_MS: f64 = 50.0;
/// The probe's code, its files' tokens without comments or indentation (tools/probe-size.mjs;
/// docs/performance.md argues the measure).
const PROBE_CODE_BUDGET: u64 = 40 * 1024;
const WASM_GZIP_BUDGET_BYTES: u64 = 150 * 1024;
/// A rescan after `burst=10` edited rows may read those rows and their links, not the drawer.
const BURST_ROWS: usize = 10;
const RESCAN_ELEMENTS_PER_CHANGED_ROW: f64 = 2.0;

/// The sidebar frame's boot, in order, with what each milestone means (extension/sidebar.js).
const BOOT_MILESTONES: &[(&str, &str)] = &[
    ("frame", "frame's document starts"),
    ("modules", "its modules ran (after its load)"),
    ("wasm", "wasm instantiated, storage read"),
    ("app", "app built"),
    ("report", "first report read"),
    ("rendered", "first report shown"),
];

struct Scenario {
    name: &'static str,
    stem: &'static str,
    query: &'static str,
    heavy: bool,
    /// Its `burst` step edits `BURST_ROWS` rows: the rescan locality check applies.
    burst: bool,
    /// Sentry's API on (the default: the item in view read, the cards' counts asked) or off: the
    /// same page both ways, in one run, is the A/B of what the API reads and previews cost.
    api: bool,
    /// Docked in the browser's own panel instead of a frame on the page: beside the same page
    /// framed, in one run, the A/B of what the frame costs the page.
    docked: bool,
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "trace drawer, 100 rows",
        stem: "bench-trace",
        query: "attrs=100&navigate=1",
        heavy: false,
        burst: true,
        api: true,
        docked: false,
    },
    Scenario {
        name: "trace drawer, 1,000 rows",
        stem: "bench-trace",
        query: "attrs=1000&navigate=1",
        heavy: false,
        burst: true,
        api: true,
        docked: false,
    },
    Scenario {
        name: "trace drawer, 5,000 rows",
        stem: "bench-trace",
        query: "attrs=5000&navigate=1",
        heavy: true,
        burst: true,
        api: true,
        docked: false,
    },
    Scenario {
        name: "waterfall, 2,000 rows",
        stem: "bench-trace",
        query: "attrs=100&waterfall=2000&burst=0",
        heavy: false,
        burst: false,
        api: true,
        docked: false,
    },
    Scenario {
        name: "logs, 200 rows + 10×50 appended",
        stem: "bench-logs",
        query: "rows=200&appends=10&page=50",
        heavy: false,
        burst: false,
        api: true,
        docked: false,
    },
    Scenario {
        name: "trace drawer, 1,000 rows, API off",
        stem: "bench-trace",
        query: "attrs=1000&navigate=1",
        heavy: false,
        burst: true,
        api: false,
        docked: false,
    },
    Scenario {
        name: "logs, 200 rows + 10×50 appended, API off",
        stem: "bench-logs",
        query: "rows=200&appends=10&page=50",
        heavy: false,
        burst: false,
        api: false,
        docked: false,
    },
    Scenario {
        name: "mutation storm, 10,000",
        stem: "bench-trace",
        query: "attrs=1000&waterfall=2000&burst=0&storm=10000",
        heavy: false,
        burst: false,
        api: true,
        docked: false,
    },
    Scenario {
        name: "trace drawer, 1,000 rows, docked",
        stem: "bench-trace",
        query: "attrs=1000&navigate=1",
        heavy: false,
        burst: true,
        api: true,
        docked: true,
    },
    Scenario {
        name: "logs, 200 rows + 10×50 appended, docked",
        stem: "bench-logs",
        query: "rows=200&appends=10&page=50",
        heavy: false,
        burst: false,
        api: true,
        docked: true,
    },
];

/// One page load, as the page and the probe saw it.
#[derive(Default)]
struct Load {
    ready_ms: Option<f64>,
    /// The page's own `loadEventEnd`: the probe reads the page once it is parsed, so `ready` (which
    /// shows the page's content) cannot come much before it.
    load_ms: f64,
    /// The page's own `domContentLoadedEventEnd`: its scripts have built its content (the bench
    /// pages build every row before it), the earliest moment anything could read and show it.
    content_ms: f64,
    /// Chromium: CDP TaskDuration (ms); Firefox: CPU time of the page process's main thread (ms).
    main_thread_ms: f64,
    /// Time a 10 ms heartbeat in the page was late (ms): wall-clock blocking, which on a busy
    /// machine also counts waiting for a core.
    heartbeat_blocked_ms: f64,
    long_tasks_after_load: usize,
    /// The probe's measures, by `<kind>` or `<kind>@<step>` (e.g. `rescan@burst`): (ms, elements).
    measures: Vec<(String, f64, f64)>,
    /// The sidebar frame's boot milestones (`BOOT_MILESTONES`), in ms from the page's navigation.
    boot: Vec<(String, f64)>,
}

#[derive(Default)]
struct Row {
    browser: String,
    scenario: &'static str,
    heavy: bool,
    burst: bool,
    ready: Vec<f64>,
    /// `ready` minus the same load's `content_ms`: the extension's own delay once the content exists.
    ready_after_content: Vec<f64>,
    content_without: Vec<f64>,
    load_with: Vec<f64>,
    load_without: Vec<f64>,
    with_ms: Vec<f64>,
    without_ms: Vec<f64>,
    heartbeat_with: Vec<f64>,
    heartbeat_without: Vec<f64>,
    long_with: usize,
    long_without: usize,
    measures: BTreeMap<String, Vec<(f64, f64)>>,
    boot: BTreeMap<String, Vec<f64>>,
    memory_bytes: Option<f64>,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let loads: usize = std::env::var("PL_BENCH_LOADS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10);
    let out = dist_root().join("bench");
    std::fs::create_dir_all(&out)?;
    let pages: BTreeMap<String, String> = fixture_pages()?.into_iter().collect();

    let mut rows = Vec::new();
    for browser in [Browser::Chromium, Browser::Firefox] {
        println!("==> {browser:?}: {loads} loads per page, with and without the extension");
        rows.extend(bench_browser(browser, &pages, loads).await?);
    }
    let sizes = sizes()?;
    let core = std::fs::read_to_string(out.join("core.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .unwrap_or(Value::Null);

    let (markdown, json, failures) = report(&rows, &sizes, &core, loads);
    std::fs::write(out.join("bench.md"), &markdown)?;
    std::fs::write(out.join("bench.json"), serde_json::to_string_pretty(&json)?)?;
    println!("\n{markdown}");
    println!(
        "Written: {}, {}",
        out.join("bench.md").display(),
        out.join("bench.json").display()
    );
    if !failures.is_empty() {
        eprintln!(
            "bench: {} budget(s) failed:\n  {}",
            failures.len(),
            failures.join("\n  ")
        );
        std::process::exit(1);
    }
    Ok(())
}

async fn bench_browser(
    browser: Browser,
    pages: &BTreeMap<String, String>,
    loads: usize,
) -> Result<Vec<Row>> {
    let with = Session::start(browser, &dist_dir(browser)).await?;
    returning_engineer(&with).await?;
    let without = Session::start_without_extension(browser).await?;
    let result = bench_scenarios(&with, &without, pages, loads).await;
    if result.is_err() {
        with.save_screenshot("bench-failure").await;
    }
    with.quit().await;
    without.quit().await;
    result
}

/// Measures the sidebar as an engineer uses it day to day: the walkthrough, which a fresh install
/// shows on every page until it is closed, was seen, and the panel is open.
async fn returning_engineer(s: &Session) -> Result<()> {
    s.write_storage("tour", json!({ "seen": true, "step": 0 }))
        .await?;
    s.write_storage("sidebar", json!({ "open": true })).await
}

async fn bench_scenarios(
    with: &Session,
    without: &Session,
    pages: &BTreeMap<String, String>,
    loads: usize,
) -> Result<Vec<Row>> {
    let wanted: Vec<String> = std::env::var("PL_BENCH_PAGES")
        .map(|pages| pages.split('|').map(str::to_owned).collect())
        .unwrap_or_default();
    let mut rows = Vec::new();
    for scenario in SCENARIOS
        .iter()
        .filter(|s| wanted.is_empty() || wanted.iter().any(|w| s.name.contains(w.as_str())))
    {
        let base = pages
            .get(scenario.stem)
            .with_context(|| format!("fixture page {} is missing", scenario.stem))?;
        let url = format!("{base}&{}", scenario.query);
        // Reading Sentry's API and the previews as the scenario says (both on by default).
        with.write_storage(
            "settings",
            json!({ "api_reads": scenario.api, "previews": scenario.api }),
        )
        .await?;
        let mut baseline_width = None;
        if scenario.docked {
            // Docked as the engineer docks it, from the page's sidebar; it stays for the loads.
            with.open(&url).await?;
            with.wait_ready().await?;
            with.dock().await?;
            // The panel takes its width from the page: the baseline lays the page out as narrow,
            // or it would do more layout work than the docked page and flatter the ratio.
            baseline_width = Some(match_inner_width(without, with.page_width().await?).await?);
        }
        let mut row = Row {
            browser: format!("{:?}", with.browser),
            scenario: scenario.name,
            heavy: scenario.heavy,
            burst: scenario.burst,
            ..Row::default()
        };
        for _ in 0..loads {
            let load = measure_load(with, &url, Some(scenario.docked)).await?;
            let baseline = measure_load(without, &url, None).await?;
            row.ready.extend(load.ready_ms);
            row.ready_after_content
                .extend(load.ready_ms.map(|ready| ready - load.content_ms));
            row.content_without.push(baseline.content_ms);
            row.load_with.push(load.load_ms);
            row.load_without.push(baseline.load_ms);
            row.with_ms.push(load.main_thread_ms);
            row.without_ms.push(baseline.main_thread_ms);
            row.heartbeat_with.push(load.heartbeat_blocked_ms);
            row.heartbeat_without.push(baseline.heartbeat_blocked_ms);
            row.long_with += load.long_tasks_after_load;
            row.long_without += baseline.long_tasks_after_load;
            for (name, ms, elements) in load.measures {
                row.measures.entry(name).or_default().push((ms, elements));
            }
            for (milestone, ms) in load.boot {
                row.boot.entry(milestone).or_default().push(ms);
            }
        }
        if let Some(width) = baseline_width {
            match_inner_width(without, width).await?;
        }
        if scenario.heavy {
            row.memory_bytes = wasm_memory(with).await?;
        }
        println!(
            "    {:<34} ready median {:>7.1} ms, {:>6.1} ms after DOMContentLoaded (page load with / without {:>6.1} / {:>6.1} ms), main thread ×{:.2}",
            scenario.name,
            median(&row.ready),
            median(&row.ready_after_content),
            median(&row.load_with),
            median(&row.load_without),
            ratio(&row)
        );
        rows.push(row);
    }
    Ok(rows)
}

/// Resizes the window so its page is `width` wide; returns the width the page had before.
async fn match_inner_width(s: &Session, width: i64) -> Result<i64> {
    let before = s.page_width().await?;
    let rect = s.driver.get_window_rect().await?;
    s.driver
        .set_window_rect(
            rect.x,
            rect.y,
            u32::try_from(rect.width + width - before)?,
            u32::try_from(rect.height)?,
        )
        .await?;
    let now = s.page_width().await?;
    if now != width {
        bail!("the baseline window's page is {now} px wide, not {width}");
    }
    Ok(before)
}

/// `docked`: None without the extension, else whether the sidebar is docked (no frame to read).
async fn measure_load(s: &Session, url: &str, docked: Option<bool>) -> Result<Load> {
    let with_extension = docked.is_some();
    let before = main_thread_clock(s).await?;
    s.open(url).await?;
    let ready_ms = if with_extension {
        s.wait_ready().await?.ready_ms
    } else {
        None
    };
    let started = Instant::now();
    while s
        .driver
        .execute("return window.__bench?.done === true;", vec![])
        .await?
        .json()
        != &json!(true)
    {
        if started.elapsed() > PAGE_TIMEOUT {
            bail!("the page's scripted activity never finished: {url}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(SETTLE).await;
    let page = s
        .driver
        .execute(
            r#"const nav = performance.getEntriesByType("navigation")[0];
               const measures = performance.getEntriesByType("measure")
                 .filter((m) => m.name.startsWith("pivot-lens:"))
                 .map((m) => ({ name: m.name.slice("pivot-lens:".length), start: m.startTime,
                                duration: m.duration, elements: m.detail?.elements ?? 0 }));
               return { bench: window.__bench, measures, loadEnd: nav ? nav.loadEventEnd : 0,
                        contentEnd: nav ? nav.domContentLoadedEventEnd : 0, origin: performance.timeOrigin };"#,
            vec![],
        )
        .await?
        .json()
        .clone();
    let main_thread_ms = main_thread_ms_since(s, &before).await?;
    let heartbeat_blocked_ms = page["bench"]["blockedMs"].as_f64().unwrap_or_default();
    let load_end = page["loadEnd"].as_f64().unwrap_or_default();
    let long_tasks_after_load = page["bench"]["longTasks"]
        .as_array()
        .map(|tasks| {
            tasks
                .iter()
                .filter(|t| t["start"].as_f64().unwrap_or_default() >= load_end)
                .filter(|t| t["duration"].as_f64().unwrap_or_default() >= LONG_TASK_MS)
                .count()
        })
        .unwrap_or_default();
    let steps: Vec<(String, f64)> = page["bench"]["steps"]
        .as_array()
        .map(|steps| {
            steps
                .iter()
                .map(|s| {
                    (
                        s["name"].as_str().unwrap_or_default().to_owned(),
                        s["at"].as_f64().unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let measures = page["measures"]
        .as_array()
        .map(|measures| {
            measures
                .iter()
                .map(|m| {
                    let kind = m["name"].as_str().unwrap_or_default();
                    let start = m["start"].as_f64().unwrap_or_default();
                    // Filed under the page step that ran last before it (none: the page's load).
                    let step = steps
                        .iter()
                        .rev()
                        .find(|(_, at)| *at <= start)
                        .map(|(name, _)| name.as_str());
                    let name = match step {
                        Some(step) if kind != "scan" => format!("{kind}@{step}"),
                        _ => kind.to_owned(),
                    };
                    (
                        name,
                        m["duration"].as_f64().unwrap_or_default(),
                        m["elements"].as_f64().unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mut measures: Vec<(String, f64, f64)> = measures;
    let mut boot = Vec::new();
    if docked == Some(false) {
        // The sidebar's own work per task (its frame has its own timeline, so it is not put down
        // to the page's steps), to the next task and its script alone, also by what it did.
        let sidebar = s
            .in_sidebar(
                r#"return {
                     tasks: performance.getEntriesByName("pivot-lens:sidebar").map((m) => [m.duration, m.detail?.script ?? 0, m.detail?.work ?? ""]),
                     boot: performance.getEntriesByType("mark").filter((m) => m.name.startsWith("pivot-lens:boot@"))
                       .map((m) => [m.name.slice("pivot-lens:boot@".length), m.startTime]),
                     origin: performance.timeOrigin,
                   };"#,
            )
            .await?;
        // The frame's clock starts when its document does: on the page's clock, at the difference
        // of the two time origins.
        let frame_start = sidebar["origin"].as_f64().unwrap_or_default()
            - page["origin"].as_f64().unwrap_or_default();
        boot.push(("frame".to_owned(), frame_start));
        for mark in sidebar["boot"].as_array().into_iter().flatten() {
            let milestone = mark[0].as_str().unwrap_or_default().to_owned();
            boot.push((
                milestone,
                frame_start + mark[1].as_f64().unwrap_or_default(),
            ));
        }
        for task in sidebar["tasks"].as_array().into_iter().flatten() {
            let ms = |i: usize| task[i].as_f64().unwrap_or_default();
            measures.push(("sidebar".to_owned(), ms(0), 0.0));
            measures.push(("sidebar script".to_owned(), ms(1), 0.0));
            let work = task[2].as_str().unwrap_or_default();
            measures.push((format!("sidebar script@{work}"), ms(1), 0.0));
        }
    }
    Ok(Load {
        ready_ms,
        load_ms: load_end,
        content_ms: page["contentEnd"].as_f64().unwrap_or_default(),
        main_thread_ms,
        heartbeat_blocked_ms,
        long_tasks_after_load,
        measures,
        boot,
    })
}

/// The page's main-thread time counters at one moment.
enum MainThreadClock {
    /// CDP TaskDuration of the page's renderer (ms).
    Chromium(f64),
    /// CPU time of each web content process's main thread (ms, by process id).
    Firefox(BTreeMap<u32, f64>),
}

async fn main_thread_clock(s: &Session) -> Result<MainThreadClock> {
    Ok(match s.browser {
        Browser::Chromium => MainThreadClock::Chromium(task_duration_ms(s).await?),
        Browser::Firefox => MainThreadClock::Firefox(firefox_page_main_threads(s.profile_dir())?),
    })
}

/// Main-thread time of the page since `before` (ms).
async fn main_thread_ms_since(s: &Session, before: &MainThreadClock) -> Result<f64> {
    Ok(match (before, main_thread_clock(s).await?) {
        // A navigation that moved to a new renderer process starts its counters at zero.
        (MainThreadClock::Chromium(before), MainThreadClock::Chromium(after))
            if after >= *before =>
        {
            after - before
        }
        // After a load the page has its process (a Firefox without site isolation names its
        // processes otherwise: measured as nothing, it would pass every budget).
        (MainThreadClock::Firefox(_), MainThreadClock::Firefox(after)) if after.is_empty() => {
            bail!("no Firefox web content process holds the page")
        }
        (MainThreadClock::Firefox(before), MainThreadClock::Firefox(after)) => after
            .iter()
            .map(|(pid, ms)| ms - before.get(pid).unwrap_or(&0.0))
            .sum(),
        (_, MainThreadClock::Chromium(after)) => after,
        (_, MainThreadClock::Firefox(_)) => bail!("the browser changed within a load"),
    })
}

/// Firefox's counterpart of TaskDuration: the CPU time (user and system, ms) of the main thread
/// of each web content process of the browser using `profile`, by process id. Firefox runs the
/// page, its content script and the sidebar frame on that thread (a profile of the bench shows
/// them on one `GeckoMain`); CPU time, unlike a heartbeat's lateness, does not count time the
/// thread waited for a core on a busy machine. Linux `/proc`; 10 ms resolution (clock ticks).
fn firefox_page_main_threads(profile: &Path) -> Result<BTreeMap<u32, f64>> {
    let processes: Vec<(u32, u32, String, f64)> = std::fs::read_dir("/proc")?
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            // `pid (comm) state ppid … utime stime …`; comm may hold spaces and parentheses.
            let stat = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/stat")).ok()?;
            let (head, rest) = stat.rsplit_once(')')?;
            let comm = head.split_once('(')?.1.to_owned();
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
            // After the comm: state is field 0, ppid 1, utime 11, stime 12.
            let cpu_ms = (ticks(11)? + ticks(12)?) * 1000.0 / clock_ticks_per_second();
            Some((pid, fields.get(1)?.parse().ok()?, comm, cpu_ms))
        })
        .collect();
    let parent = processes
        .iter()
        .map(|(pid, ..)| *pid)
        .find(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|cmdline| {
                let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
                args.contains(&profile.as_os_str().as_encoded_bytes())
                    && !args.contains(&b"-contentproc".as_slice())
            })
        })
        .context("no Firefox process runs the session's profile")?;
    // Content processes are forked by the parent's fork server: children or grandchildren.
    let parent_of: BTreeMap<u32, u32> = processes
        .iter()
        .map(|(pid, ppid, ..)| (*pid, *ppid))
        .collect();
    let descends = |pid: u32| {
        let up = parent_of.get(&pid).copied();
        up == Some(parent) || up.and_then(|p| parent_of.get(&p)) == Some(&parent)
    };
    Ok(processes
        .into_iter()
        .filter(|(pid, _, comm, _)| comm.starts_with("Isolated Web") && descends(*pid))
        .map(|(pid, _, _, cpu_ms)| (pid, cpu_ms))
        .collect())
}

/// `getconf CLK_TCK`: the unit of `/proc` CPU times (100 on Linux).
fn clock_ticks_per_second() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|out| String::from_utf8(out.stdout).ok()?.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// Chromium's cumulative main-thread task time of the page's renderer, in ms.
async fn task_duration_ms(s: &Session) -> Result<f64> {
    s.driver
        .cdp()
        .send_raw("Performance.enable", json!({}))
        .await?;
    let metrics = s
        .driver
        .cdp()
        .send_raw("Performance.getMetrics", json!({}))
        .await?;
    let seconds = metrics["metrics"]
        .as_array()
        .and_then(|all| all.iter().find(|m| m["name"] == "TaskDuration"))
        .and_then(|m| m["value"].as_f64())
        .context("CDP Performance.getMetrics has no TaskDuration")?;
    Ok(seconds * 1000.0)
}

/// The sidebar's wasm linear memory in bytes: the wasm-bindgen glue's default export returns the
/// already-initialised instance's exports, `memory` among them (nothing new exposed).
async fn wasm_memory(s: &Session) -> Result<Option<f64>> {
    // WebDriver waits for a returned promise.
    let bytes = s
        .in_sidebar(
            "return import(new URL('pkg/sidebar.js', location.href).href)
               .then((glue) => glue.default())
               .then((wasm) => wasm.memory.buffer.byteLength, () => null);",
        )
        .await?;
    Ok(bytes.as_f64())
}

struct Size {
    name: String,
    raw: u64,
    gzip: u64,
    /// JavaScript only: its tokens' characters, one separator each (tools/probe-size.mjs).
    code: Option<u64>,
}

fn sizes() -> Result<Vec<Size>> {
    let chrome = dist_dir(Browser::Chromium);
    // The probe's own files, as the manifest's content script loads them (shared.js is data).
    let probe: Vec<Value> = {
        let out = std::process::Command::new("node")
            .arg(workspace_root().join("tools/probe-size.mjs"))
            .arg(&chrome)
            .output()
            .context("run node tools/probe-size.mjs")?;
        if !out.status.success() {
            bail!(
                "tools/probe-size.mjs: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        serde_json::from_slice(&out.stdout)?
    };
    let probe_file = |file: &Value| file["name"].as_str().unwrap_or_default().to_owned();
    let probe_files: Vec<String> = probe.iter().map(probe_file).collect();
    let mut sizes = vec![size(
        &chrome,
        format!("page probe ({} files)", probe_files.len()),
        &probe_files,
        Some(probe.iter().filter_map(|f| f["code"].as_u64()).sum()),
    )?];
    for file in &probe {
        sizes.push(size(
            &chrome,
            format!("· {}", probe_file(file)),
            &[probe_file(file)],
            file["code"].as_u64(),
        )?);
    }
    for (name, file) in [
        ("sidebar wasm (wasm-opt -Oz)", "pkg/sidebar_bg.wasm"),
        (
            "sidebar wasm-bindgen glue (pkg/sidebar.js)",
            "pkg/sidebar.js",
        ),
        ("bundled runbook model (pkg/runbook.js)", "pkg/runbook.js"),
        ("sidebar bootstrap (sidebar.js)", "sidebar.js"),
        (
            "extension pages wasm, not loaded by the sidebar (pages_bg.wasm)",
            "pkg/pages_bg.wasm",
        ),
    ] {
        sizes.push(size(&chrome, name.to_owned(), &[file.to_owned()], None)?);
    }
    Ok(sizes)
}

/// Files loaded together count together: one gzip stream, as a store package compresses them.
fn size(dir: &Path, name: String, files: &[String], code: Option<u64>) -> Result<Size> {
    let mut bytes = Vec::new();
    for file in files {
        bytes.extend(std::fs::read(dir.join(file)).with_context(|| format!("read {file}"))?);
    }
    Ok(Size {
        name,
        raw: bytes.len() as u64,
        gzip: gzip_size(&bytes)?,
        code,
    })
}

fn gzip_size(bytes: &[u8]) -> Result<u64> {
    use std::io::Write;
    let mut child = std::process::Command::new("gzip")
        .arg("-9c")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .context("run gzip")?;
    // Written from a thread: gzip's output would fill its pipe before a large input is all in.
    let mut stdin = child.stdin.take().context("gzip's stdin")?;
    let input = bytes.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().context("run gzip")?;
    writer
        .join()
        .map_err(|_| anyhow::anyhow!("gzip's input thread panicked"))??;
    Ok(out.stdout.len() as u64)
}

fn median(values: &[f64]) -> f64 {
    percentile(values, 0.5)
}

/// A measure's whole time per page load: what the probe costs a load, however it is sliced.
fn per_load(values: &[f64], loads: usize) -> f64 {
    values.iter().sum::<f64>() / loads.max(1) as f64
}

fn percentile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Median main-thread cost with the extension over the median without it.
fn ratio(row: &Row) -> f64 {
    median(&row.with_ms) / median(&row.without_ms)
}

fn report(
    rows: &[Row],
    sizes: &[Size],
    core: &Value,
    loads: usize,
) -> (String, Value, Vec<String>) {
    let mut md = String::new();
    let mut failures = Vec::new();
    let mut check = |pass: bool, what: String| {
        if !pass {
            failures.push(what.clone());
        }
        format!("{} {what}", if pass { "PASS" } else { "FAIL" })
    };
    let mut checks = Vec::new();

    let _ = writeln!(
        md,
        "## Page loads ({loads} per page and browser, each with and without the extension)\n"
    );
    let _ = writeln!(md, "Main thread: Chromium = CDP `Performance.getMetrics` TaskDuration of the page's renderer; Firefox = CPU time (`/proc`, 10 ms ticks) of the main thread of the browser's web content processes, which in Firefox also runs the sidebar frame (Chromium runs it in another process). Heartbeat: time a 10 ms timer in the page was late, wall-clock blocking that on a busy machine also counts waiting for a core (the measure of runs before 2026-12-02 in Firefox). Long tasks ≥ 50 ms after `load`: Chromium `longtask` observer, Firefox heartbeat gaps (total over all loads).\n");
    let _ = writeln!(md, "| browser | page | ready median | ready p95 | ready after the page's DOMContentLoaded (median) | page's DOMContentLoaded without the extension (median) | page load with / without the extension (median) | main thread with / without (median ms) | ratio | heartbeat late with / without (median ms) | long tasks with / without |");
    let _ = writeln!(md, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        let _ = writeln!(
            md,
            "| {} | {} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} / {:.1} ms | {:.1} / {:.1} | {:.2} | {:.1} / {:.1} | {} / {} |",
            row.browser,
            row.scenario,
            median(&row.ready),
            percentile(&row.ready, 0.95),
            median(&row.ready_after_content),
            median(&row.content_without),
            median(&row.load_with),
            median(&row.load_without),
            median(&row.with_ms),
            median(&row.without_ms),
            ratio(row),
            median(&row.heartbeat_with),
            median(&row.heartbeat_without),
            row.long_with,
            row.long_without
        );
        if row.heavy {
            if row.browser == "Chromium" {
                // The budget counts from navigation, so the page's own parsing is in it: say how much.
                checks.push(check(median(&row.ready) <= READY_BUDGET_MS, format!(
                    "ready median on the heavy page ({}) in Chromium: {:.1} ms ≤ {READY_BUDGET_MS} ms \
                     (the page alone reaches DOMContentLoaded at {:.1} ms; ready comes {:.1} ms after it)",
                    row.scenario, median(&row.ready), median(&row.content_without),
                    median(&row.ready_after_content))));
            }
            checks.push(check(
                ratio(row) <= MAIN_THREAD_RATIO_BUDGET,
                format!(
                    "main-thread ratio on the heavy page in {}: {:.2} ≤ {MAIN_THREAD_RATIO_BUDGET}",
                    row.browser,
                    ratio(row)
                ),
            ));
        }
    }

    let _ = writeln!(
        md,
        "\n## The sidebar's boot (median ms from the page's navigation)\n"
    );
    let _ = writeln!(md, "Marks on the sidebar frame's timeline, put on the page's clock by the difference of the two documents' `performance.timeOrigin`; `ready` is the page's `data-pl-ready-ms`. Chromium runs the frame in another process, Firefox on the page's main thread.\n");
    let _ = writeln!(
        md,
        "| browser | page | {} | ready |",
        BOOT_MILESTONES
            .iter()
            .map(|(_, what)| *what)
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let _ = writeln!(
        md,
        "|---|---|{}---:|",
        "---:|".repeat(BOOT_MILESTONES.len())
    );
    for row in rows {
        let milestones: Vec<String> = BOOT_MILESTONES
            .iter()
            .map(|(name, _)| match row.boot.get(*name) {
                Some(ms) => format!("{:.0}", median(ms)),
                None => "–".to_owned(),
            })
            .collect();
        let _ = writeln!(
            md,
            "| {} | {} | {} | {:.0} |",
            row.browser,
            row.scenario,
            milestones.join(" | "),
            median(&row.ready)
        );
    }

    let _ = writeln!(md, "\n## The probe's own work (`pivot-lens:*` measures: median ms / max ms / ms per load / median elements read)\n");
    let _ = writeln!(md, "`scan` = first read at load; `rescan@<step>` = re-reads after the page's step (`burst`: 10 attribute values edited; `navigate`: single-page navigation re-rendering the drawer; `storm`; `append`); `publish` = snapshot, compare and send; `observe` = filing observed changes (in tasks of at most 10 ms after the observer's callback); `sidebar` = the sidebar's work for one task (reading a report, or adding a part of its result to the panel), from its start to the next task (its own frame: Chromium runs it in another process, Firefox on the page's main thread, where this span also holds whatever rendering and other tasks came before the next); `sidebar script` = the same task until the microtasks after its script (Leptos's DOM updates) had run, the part that is the sidebar's for certain; `sidebar script@<work>` = the same by what the task did (`report`: read a probe report; `show`: computed its result and updated the panel; `draw`: added a further part of a big result, 50 pivot rows or two checklist cards).\n");
    let _ = writeln!(
        md,
        "| browser | page | measure | median ms | max ms | ms per load | elements (median) | count |"
    );
    let _ = writeln!(md, "|---|---|---|---:|---:|---:|---:|---:|");
    let mut longest_probe_task = (0.0_f64, String::new());
    for row in rows {
        for (name, samples) in &row.measures {
            let ms: Vec<f64> = samples.iter().map(|s| s.0).collect();
            let elements: Vec<f64> = samples.iter().map(|s| s.1).collect();
            let max = ms.iter().copied().fold(0.0, f64::max);
            // Chromium runs the sidebar frame in its own process; Firefox on the page's thread.
            let on_page_thread = !name.starts_with("sidebar") || row.browser == "Firefox";
            if on_page_thread && max > longest_probe_task.0 {
                longest_probe_task = (max, format!("{} {} {name}", row.browser, row.scenario));
            }
            let _ = writeln!(
                md,
                "| {} | {} | {name} | {:.2} | {:.2} | {:.1} | {:.0} | {} |",
                row.browser,
                row.scenario,
                median(&ms),
                max,
                per_load(&ms, loads),
                median(&elements),
                samples.len()
            );
            if row.burst && name == "rescan@burst" {
                let read = elements.iter().copied().fold(0.0, f64::max);
                let allowed = BURST_ROWS as f64 * RESCAN_ELEMENTS_PER_CHANGED_ROW;
                checks.push(check(read <= allowed, format!(
                    "rescan after editing {BURST_ROWS} rows reads only them ({} {}): {read:.0} elements ≤ {allowed:.0}",
                    row.browser, row.scenario)));
            }
        }
    }
    checks.push(check(
        longest_probe_task.0 < LONG_TASK_MS,
        format!(
            "no extension task ≥ {LONG_TASK_MS} ms on the page's main thread (the probe; in Firefox also the sidebar): longest {:.1} ms ({})",
            longest_probe_task.0, longest_probe_task.1
        ),
    ));

    let _ = writeln!(
        md,
        "\n## Sizes\n\n| file | raw | gzip -9 | code (tokens) |\n|---|---:|---:|---:|"
    );
    for size in sizes {
        let code = size.code.map(|c| format!("{c}")).unwrap_or_default();
        let _ = writeln!(
            md,
            "| {} | {} B | {} B | {code} |",
            size.name, size.raw, size.gzip
        );
    }
    if let Some(probe) = sizes.iter().find(|s| s.name.starts_with("page probe")) {
        let code = probe.code.unwrap_or(u64::MAX);
        checks.push(check(
            code <= PROBE_CODE_BUDGET,
            format!(
                "page probe code: {code} ≤ {PROBE_CODE_BUDGET} (raw {} B)",
                probe.raw
            ),
        ));
    }
    if let Some(wasm) = sizes.iter().find(|s| s.name.starts_with("sidebar wasm")) {
        checks.push(check(
            wasm.gzip <= WASM_GZIP_BUDGET_BYTES,
            format!(
                "sidebar wasm gzip: {} B ≤ {WASM_GZIP_BUDGET_BYTES} B",
                wasm.gzip
            ),
        ));
    }
    for row in rows.iter().filter(|r| r.memory_bytes.is_some()) {
        let _ = writeln!(md, "\nWasm linear memory after {} in {} (`memory.buffer.byteLength` of the sidebar's instance): {:.0} KiB",
            row.scenario, row.browser, row.memory_bytes.unwrap_or_default() / 1024.0);
    }

    let _ = writeln!(
        md,
        "\n## The core, native release build (`core-bench`, slowest of 5 runs)\n"
    );
    let _ = writeln!(md, "| case | worst ms | budget ms |\n|---|---:|---:|");
    match core.as_array() {
        Some(cases) => {
            for case in cases {
                let name = case["name"].as_str().unwrap_or_default();
                let worst = case["worst_ms"].as_f64().unwrap_or_default();
                let budget = case["budget_ms"].as_f64().unwrap_or_default();
                let _ = writeln!(md, "| {name} | {worst:.2} | {budget} |");
                checks.push(check(
                    case["pass"] == true,
                    format!("core: {name}: {worst:.2} ms ≤ {budget} ms"),
                ));
            }
        }
        None => checks.push(check(
            false,
            "core timings: dist/bench/core.json is missing (run core-bench)".into(),
        )),
    }

    let _ = writeln!(md, "\n## Budgets\n");
    for line in &checks {
        let _ = writeln!(md, "- {line}");
    }
    let json = json!({
        "loads": loads,
        "pages": rows.iter().map(|row| json!({
            "browser": row.browser, "page": row.scenario,
            "ready_median_ms": median(&row.ready), "ready_p95_ms": percentile(&row.ready, 0.95),
            "ready_after_content_median_ms": median(&row.ready_after_content),
            "content_without_median_ms": median(&row.content_without),
            "load_without_median_ms": median(&row.load_without),
            "load_with_median_ms": median(&row.load_with),
            "main_thread_with_ms": median(&row.with_ms), "main_thread_without_ms": median(&row.without_ms),
            "main_thread_ratio": ratio(row),
            "heartbeat_late_with_ms": median(&row.heartbeat_with), "heartbeat_late_without_ms": median(&row.heartbeat_without),
            "long_tasks_with": row.long_with, "long_tasks_without": row.long_without,
            "probe": row.measures.iter().map(|(name, s)| (name.clone(), json!({
                "median_ms": median(&s.iter().map(|x| x.0).collect::<Vec<_>>()),
                "median_elements": median(&s.iter().map(|x| x.1).collect::<Vec<_>>()),
                "per_load_ms": per_load(&s.iter().map(|x| x.0).collect::<Vec<_>>(), loads),
                "count": s.len(),
            }))).collect::<serde_json::Map<_, _>>(),
            "boot_median_ms": row.boot.iter().map(|(name, ms)| (name.clone(), json!(median(ms))))
                .collect::<serde_json::Map<_, _>>(),
            "wasm_memory_bytes": row.memory_bytes,
        })).collect::<Vec<_>>(),
        "sizes": sizes.iter().map(|s| json!({"file": s.name, "raw": s.raw, "gzip": s.gzip, "code": s.code})).collect::<Vec<_>>(),
        "core": core,
        "budgets": checks,
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or_default(),
    });
    (md, json, failures)
}
