//! On-call progress survives what the browser does to the extension (docs/security.md): a reload
//! leaves an orphaned page probe that must go quiet without touching its successor (LIFE-3); an
//! update from the previous version keeps the progress, migrated (LIFE-4); two windows ticking at the
//! same moment both keep their tick (STO-3).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, ensure, Context, Result};
use pivot_lens_e2e::{
    add_tag_row, both_browsers, card_script, card_with_ticks, extension_under_test, tick_script,
    v1_progress_is_shown, Browser, Session,
};
use serde_json::{json, Value};
use thirtyfour::extensions::addons::firefox::FirefoxTools;
use thirtyfour::WindowHandle;

const EVENT_PAGE: &str =
    "acme.sentry.io/issues/6123456789/events/7b4c2f9a0c1d4e5f8a9b0c1d2e3f4a5b/";
/// The span view of the event's trace: the same investigation, another page.
const TRACE_PAGE: &str = "acme.sentry.io/explore/traces/trace/4bf92f3577b34da6a3ce929d0e0e4736/?node=span-00f067aa0ba902b7&source=traces&statsPeriod=24h";
const TOOLS: &str = "mcp-tool-execution";
/// The version the previous build claims to be (the built one is `manifest.json`'s).
const PREVIOUS_VERSION: &str = "0.0.9";
const WAIT: Duration = Duration::from_secs(20);

/// Reloads the extension from one of its pages, as an update or a developer's reload does, and
/// returns to the current tab (the browser closes the extension's own tabs).
async fn reload_extension(s: &Session) -> Result<()> {
    let page = s.driver.window().await?;
    let base = s.extension_base().await?;
    s.open_extension_page(&base, "options.html").await?;
    s.driver
        .execute(
            "const api = globalThis.browser ?? globalThis.chrome;
             setTimeout(() => api.runtime.reload(), 50);",
            vec![],
        )
        .await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    s.driver.switch_to_window(page).await?;
    Ok(())
}

/// The version of the installed extension, once it answers again.
async fn installed_version(s: &Session) -> Result<String> {
    let start = Instant::now();
    loop {
        let answer = s
            .in_extension_page("return api.runtime.getManifest().version;", vec![])
            .await;
        if let Ok(Value::String(version)) = answer {
            return Ok(version);
        }
        if start.elapsed() > WAIT {
            bail!("the extension never answered after the update: {answer:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The page probe's `pivot-lens:rescan` measures on the page's timeline (every instance's).
async fn rescans(s: &Session) -> Result<u64> {
    s.driver.enter_default_frame().await?;
    s.driver
        .execute(
            "return performance.getEntriesByName('pivot-lens:rescan').length;",
            vec![],
        )
        .await?
        .json()
        .as_u64()
        .context("rescan count")
}

async fn shows_route(s: &Session, route: &str) -> Result<()> {
    s.sidebar_until(&format!(
        r#"return !!document.querySelector('[data-testid="pl-pivot"][data-key="http.route"][data-value="{route}"]');"#
    ))
    .await
    .with_context(|| format!("the sidebar never showed the route {route}"))?;
    Ok(())
}

/// LIFE-3. After a reload the old probe is orphaned: Chromium keeps it running in the open tab
/// (and injects no new one), Firefox unloads it and injects a new one. The orphan must remove its
/// own sidebar and stop reading the page (no rescan after a change: its observer and timers are
/// gone); a new instance (Chromium: injected like an update's re-injection) then owns the page
/// alone, follows its changes, and nothing logs an error.
async fn an_orphaned_probe_stops_and_leaves_the_new_one_alone(s: &Session) -> Result<()> {
    s.open(EVENT_PAGE).await?;
    let old = s.wait_ready().await?;
    s.console_log().await?; // drop what loading logged
    reload_extension(s).await?;

    let start = Instant::now();
    let replaced = loop {
        match s.host_state().await? {
            None => break false,
            Some(host) if host.frame_src != old.frame_src => break true,
            Some(_) if start.elapsed() > Duration::from_secs(5) => {
                bail!("the orphaned probe kept its sidebar")
            }
            Some(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    };
    if !replaced {
        // Only the orphan is in the page: a change must not wake it.
        let before = rescans(s).await?;
        add_tag_row(s, "http.route", "/api/0/orphaned/").await?;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        ensure!(
            rescans(s).await? == before,
            "the orphaned probe still rescans"
        );
        let injected = s
            .in_extension_page(
                "const [tab] = await api.tabs.query({ url: 'https://acme.sentry.io/*' });
                 await api.scripting.executeScript({ target: { tabId: tab.id }, files: api.runtime.getManifest().content_scripts[0].js });
                 return true;",
                vec![],
            )
            .await?;
        ensure!(injected == true, "injecting the new probe: {injected}");
    }
    let new = s.wait_ready().await?; // fails on two hosts
    ensure!(new.frame_src != old.frame_src, "the old sidebar is back");
    add_tag_row(s, "http.route", "/api/0/new-probe/").await?;
    shows_route(s, "/api/0/new-probe/").await?;
    let errors = s.console_errors().await?;
    ensure!(errors.is_empty(), "console errors: {errors:#?}");
    Ok(())
}

/// The event page in a first window and the trace page in a second (pages of one investigation:
/// they share the trace id), both ready.
async fn two_windows(s: &Session) -> Result<[WindowHandle; 2]> {
    s.open(EVENT_PAGE).await?;
    s.wait_ready().await?;
    let first = s.driver.window().await?;
    let second = s.driver.new_window().await?;
    s.driver.switch_to_window(second.clone()).await?;
    s.open(TRACE_PAGE).await?;
    s.wait_ready().await?;
    Ok([first, second])
}

/// Ticks `steps[i]` of the tool scenario in `windows[i]`, all at one planned moment; returns once
/// every window shows `shown`, checking that the ticks really ran less than 250 ms apart.
async fn tick_at_once(
    s: &Session,
    windows: &[WindowHandle; 2],
    steps: [&str; 2],
    shown: &[&str],
) -> Result<Vec<Value>> {
    let at = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis() + 1500;
    for (window, step) in windows.iter().zip(steps) {
        s.driver.switch_to_window(window.clone()).await?;
        s.in_sidebar(&format!(
            "setTimeout(() => {{ window.__plTickedAt = Date.now(); {} }}, {at} - Date.now());
             return true;",
            tick_script(TOOLS, step)
        ))
        .await?;
    }
    let (mut cards, mut ticked_at) = (Vec::new(), Vec::new());
    for window in windows {
        s.driver.switch_to_window(window.clone()).await?;
        cards.push(card_with_ticks(s, TOOLS, shown).await?);
        ticked_at.push(s.in_sidebar("return window.__plTickedAt;").await?);
    }
    let [Some(a), Some(b)] = [ticked_at[0].as_i64(), ticked_at[1].as_i64()] else {
        bail!("a tick did not run: {ticked_at:?}");
    };
    ensure!(
        (a - b).abs() < 250,
        "the ticks were {} ms apart",
        (a - b).abs()
    );
    Ok(cards)
}

/// Starts an investigation of the tool scenario by ticking `trace` in the first window; returns its
/// id once both windows show it with that tick.
async fn one_investigation_in_both(s: &Session, windows: &[WindowHandle; 2]) -> Result<String> {
    s.driver.switch_to_window(windows[0].clone()).await?;
    s.in_sidebar(&format!("{} return true;", tick_script(TOOLS, "trace")))
        .await?;
    let mut investigations = Vec::new();
    for window in windows {
        s.driver.switch_to_window(window.clone()).await?;
        investigations.push(card_with_ticks(s, TOOLS, &["trace"]).await?["investigation"].clone());
    }
    match investigations[0].as_str() {
        Some(id) if investigations[0] == investigations[1] => Ok(id.to_owned()),
        _ => bail!("the windows show different investigations: {investigations:?}"),
    }
}

/// STO-3. The same investigation open in two windows (started by a first tick in the first window,
/// then shown by both); each sidebar ticks another step at one planned moment. Both ticks are
/// stored, one key each under that investigation, and both sidebars show all three.
async fn two_windows_tick_at_once(s: &Session) -> Result<()> {
    let windows = two_windows(s).await?;
    let investigation = one_investigation_in_both(s, &windows).await?;
    let all = ["trace", "attribute-gen-ai-tool-name", "spans"];
    tick_at_once(s, &windows, ["attribute-gen-ai-tool-name", "spans"], &all).await?;

    let stored = s
        .in_extension_page("return await api.storage.local.get(null);", vec![])
        .await?;
    for step in all {
        let key = format!("pl.step.{investigation}.{step}");
        ensure!(
            stored[&key]["done"] == true,
            "{key} is not stored as done: {stored}"
        );
    }
    Ok(())
}

/// STO-3, the race: no investigation yet, and both windows tick a first step of the same scenario
/// at one planned moment, so each starts an investigation. The twins fold into one
/// (`Investigations::fold_twins`): both windows end up showing one investigation with both ticks,
/// and storage holds one record.
async fn two_windows_start_one_investigation_at_once(s: &Session) -> Result<()> {
    let windows = two_windows(s).await?;
    let cards = tick_at_once(s, &windows, ["trace", "spans"], &["trace", "spans"]).await?;
    ensure!(
        cards[0]["investigation"] == cards[1]["investigation"],
        "the windows show different investigations: {cards:?}"
    );
    let stored = s
        .in_extension_page("return await api.storage.local.get(null);", vec![])
        .await?;
    let records: Vec<&String> = stored
        .as_object()
        .map(|all| {
            all.keys()
                .filter(|k| k.starts_with("pl.investigation."))
                .collect()
        })
        .unwrap_or_default();
    ensure!(records.len() == 1, "investigations stored: {records:?}");
    Ok(())
}

/// How many steps the long checklist adds to the tool scenario (the bundled cards have 6 to 16).
const MANY_STEPS: usize = 100;

/// The bundled runbook with `MANY_STEPS` more attributes in the tool scenario, each a step of its
/// checklist (`attribute-app-checklist-step-000`, …).
fn runbook_with_long_checklist() -> Result<(String, Vec<String>)> {
    let bundled = include_str!("../../../runbook/TELEMETRY.md");
    let next_domain = "\n### Resource Resolution\n";
    ensure!(
        bundled.matches(next_domain).count() == 1,
        "the bundled runbook no longer has one {next_domain:?}"
    );
    let attributes: Vec<String> = (0..MANY_STEPS)
        .map(|n| format!("`app.checklist.step_{n:03}`"))
        .collect();
    let markdown = bundled.replacen(
        next_domain,
        &format!("\nAttributes: {}\n{next_domain}", attributes.join(", ")),
        1,
    );
    let steps = (0..MANY_STEPS)
        .map(|n| format!("attribute-app-checklist-step-{n:03}"))
        .collect();
    Ok((markdown, steps))
}

/// Schedules in the current window's sidebar a tick (a click) of each of `steps` of the tool
/// scenario from the planned moment `at` (ms since the epoch), one tick per task so that the other
/// window's storage changes can arrive between them. `window.__plBurst` notes when each tick ran
/// and which boxes were already ticked before their click. Returns how many ms before `at` the plan
/// was made (negative: too late).
async fn plan_ticks(s: &Session, steps: &[String], at: u128) -> Result<i64> {
    let ticks: Vec<String> = steps
        .iter()
        .map(|step| format!("() => {{ {} }}", tick_script(TOOLS, step)))
        .collect();
    let delay = s
        .in_sidebar(&format!(
            r#"const steps = {steps};
               const ticks = [{ticks}];
               const checked = (step) => document.querySelector(
                 `[data-testid="pl-scenario"][data-scenario-id="{TOOLS}"] [data-step-id="${{step}}"] input[type=checkbox]`).checked;
               const burst = window.__plBurst = {{ times: [], done: false, wasTicked: [] }};
               const run = (i) => {{
                 burst.times.push(Date.now());
                 if (checked(steps[i])) burst.wasTicked.push(steps[i]);
                 ticks[i]();
                 if (i + 1 < ticks.length) setTimeout(() => run(i + 1), 0);
                 else burst.done = true;
               }};
               const delay = {at} - Date.now();
               setTimeout(() => run(0), delay);
               return delay;"#,
            steps = serde_json::to_string(steps)?,
            ticks = ticks.join(",\n"),
        ))
        .await?;
    delay.as_i64().context("the plan's delay")
}

/// What `plan_ticks` noted in one window, once its ticks all ran.
#[derive(Debug, Default)]
struct Burst {
    /// `Date.now()` at each tick.
    times: Vec<i64>,
    /// The steps whose box was already ticked when clicked (so the click unticked them).
    was_ticked: Vec<String>,
}

impl Burst {
    fn start(&self) -> i64 {
        self.times.first().copied().unwrap_or_default()
    }

    fn end(&self) -> i64 {
        self.times.last().copied().unwrap_or_default()
    }

    /// How many of these ticks ran while `other`'s were running (between its first and last).
    fn ticks_during(&self, other: &Burst) -> usize {
        let during = other.start()..=other.end();
        self.times.iter().filter(|t| during.contains(t)).count()
    }
}

async fn bursts(s: &Session, windows: &[WindowHandle; 2]) -> Result<[Burst; 2]> {
    let mut out = [Burst::default(), Burst::default()];
    for (window, slot) in windows.iter().zip(&mut out) {
        s.driver.switch_to_window(window.clone()).await?;
        let burst = s
            .sidebar_until("const b = window.__plBurst; return b && b.done && b;")
            .await
            .context("the planned ticks did not all run")?;
        *slot = Burst {
            times: serde_json::from_value(burst["times"].clone())?,
            was_ticked: serde_json::from_value(burst["wasTicked"].clone())?,
        };
    }
    Ok(out)
}

/// The stored investigation records and step entries: `(record keys, step → done)`, steps of
/// every investigation, keyed `<investigation>.<step>`.
async fn stored_progress(s: &Session) -> Result<(Vec<String>, BTreeMap<String, Value>)> {
    let stored = s
        .in_extension_page("return await api.storage.local.get(null);", vec![])
        .await?;
    let stored = stored.as_object().context("storage.local")?;
    let records = stored
        .keys()
        .filter(|k| k.starts_with("pl.investigation."))
        .cloned()
        .collect();
    let steps = stored
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("pl.step.")?.to_owned(), v["done"].clone())))
        .collect();
    Ok((records, steps))
}

/// What each window's sidebar said that it should not have: console errors and warnings,
/// uncaught errors (since `record_sidebar_console`) and storage notices ("could not be saved").
async fn sidebar_complaints(s: &Session, windows: &[WindowHandle; 2]) -> Result<Vec<Value>> {
    let mut complaints = Vec::new();
    for window in windows {
        s.driver.switch_to_window(window.clone()).await?;
        complaints.push(json!({
            "console": s.sidebar_console().await?,
            "notices": s.in_sidebar(
                r#"return [...document.querySelectorAll('[data-testid="pl-storage-notice"]')].map(n => n.textContent);"#,
            ).await?,
        }));
    }
    Ok(complaints
        .into_iter()
        .filter(|c| c["console"] != json!([]) || c["notices"] != json!([]))
        .collect())
}

/// Waits until both windows' tool card shows exactly `ticked`; otherwise says, per window and for
/// storage, which ticks are missing and which are extra.
async fn shown_in_both(s: &Session, windows: &[WindowHandle; 2], ticked: &[&str]) -> Result<()> {
    let mut failed = false;
    for window in windows {
        s.driver.switch_to_window(window.clone()).await?;
        if card_with_ticks(s, TOOLS, ticked).await.is_err() {
            failed = true;
            break;
        }
    }
    if !failed {
        return Ok(());
    }
    let differ = |have: Vec<String>| {
        let missing: Vec<&&str> = ticked
            .iter()
            .filter(|t| !have.iter().any(|h| h == **t))
            .collect();
        let extra: Vec<&String> = have
            .iter()
            .filter(|h| !ticked.contains(&h.as_str()))
            .collect();
        format!("missing {missing:?}, extra {extra:?}")
    };
    let mut report = Vec::new();
    for (n, window) in windows.iter().enumerate() {
        s.driver.switch_to_window(window.clone()).await?;
        let card = s.in_sidebar(&card_script(TOOLS)).await?;
        let have = serde_json::from_value(card["ticked"].clone()).unwrap_or_default();
        report.push(format!("window {}: {}", n + 1, differ(have)));
    }
    let (records, steps) = stored_progress(s).await?;
    let done = steps
        .iter()
        .filter(|(_, done)| **done == true)
        .filter_map(|(key, _)| Some(key.split_once('.')?.1.to_owned()))
        .collect();
    report.push(format!("storage ({records:?}): {}", differ(done)));
    bail!("the windows do not show the ticks: {}", report.join("; "))
}

/// STO-3 at the checklist's size. A runbook whose tool scenario has 100 more steps; one open
/// investigation of it in two windows (started by `trace` in the first). At one planned moment
/// the first window ticks the even steps and the second the odd ones, one tick per task, so the
/// two bursts overlap and each window's writes interleave with the other's changes arriving.
/// Storage must then hold all 100 (one key each, done) under that one investigation and both
/// windows show all 101 ticked. Then both windows click one same unticked step at one moment, until
/// both clicks land before either window shows the other's tick: one entry, done, both windows
/// show it, nothing is written again afterwards, and no error or storage notice anywhere.
async fn two_windows_tick_100_steps_and_the_same_step_at_once(s: &Session) -> Result<()> {
    let (markdown, many) = runbook_with_long_checklist()?;
    // Stored where the options page's import puts a runbook; the sidebars compile it when they load.
    s.write_storage("runbook", json!(markdown)).await?;
    let windows = two_windows(s).await?;
    let investigation = one_investigation_in_both(s, &windows).await?;
    for window in &windows {
        s.driver.switch_to_window(window.clone()).await?;
        // The stored runbook is in force (not the bundled one): the card lists the 100 steps.
        let listed = s
            .in_sidebar(&format!(
                r#"return [...document.querySelectorAll('[data-testid="pl-scenario"][data-scenario-id="{TOOLS}"] [data-testid="pl-step"]')]
                     .map(s => s.getAttribute('data-step-id'));"#
            ))
            .await?;
        let listed: Vec<String> = serde_json::from_value(listed)?;
        let absent: Vec<&String> = many.iter().filter(|m| !listed.contains(m)).collect();
        ensure!(absent.is_empty(), "the card lacks {absent:?}: {listed:?}");
        s.record_sidebar_console().await?;
    }
    s.console_errors().await?; // drop what loading logged

    // 100 steps, the even ones from the first window and the odd ones from the second.
    let halves: [Vec<String>; 2] = [0, 1].map(|parity| {
        many.iter()
            .enumerate()
            .filter(|(n, _)| n % 2 == parity)
            .map(|(_, step)| step.clone())
            .collect()
    });
    let at = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis() + 1500;
    for (window, half) in windows.iter().zip(&halves) {
        s.driver.switch_to_window(window.clone()).await?;
        let ahead = plan_ticks(s, half, at).await?;
        ensure!(ahead > 0, "the plan was made {} ms too late", -ahead);
    }
    let mut all: Vec<&str> = many.iter().map(String::as_str).collect();
    all.push("trace");
    shown_in_both(s, &windows, &all).await?;
    let shown_after = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis() - at;
    let [a, b] = bursts(s, &windows).await?;
    ensure!(
        a.was_ticked.is_empty() && b.was_ticked.is_empty(),
        "boxes were ticked before their click (which unticked them): {a:?} {b:?}"
    );
    // At once: the window that ticked for less time did at least a quarter of its ticks while the
    // other was ticking. Timers and speeds differ between windows (measured: Chromium once started
    // the second window's ticks 462 ms late, its two sidebars sharing one thread; Firefox once took
    // 1037 ms for the first window's 50 ticks and 274 ms for the second's, and once, with the other
    // browser's tests beside it, overlapped by only 23 and 20 of 50), so neither the start times
    // nor both windows' shares can be required; ticks one after the other would fail this.
    let at = at as i64;
    let interleaved = [a.ticks_during(&b), b.ticks_during(&a)];
    let (shorter, longer) = if a.end() - a.start() <= b.end() - b.start() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    ensure!(
        shorter.ticks_during(longer) >= shorter.times.len() / 4,
        "the windows did not tick at once: first {}..{} ms, second {}..{} ms after the planned \
         moment; ticks while the other window ticked: {interleaved:?}",
        a.start() - at,
        a.end() - at,
        b.start() - at,
        b.end() - at
    );
    let (records, steps) = stored_progress(s).await?;
    ensure!(records.len() == 1, "investigations stored: {records:?}");
    let expected: BTreeMap<String, Value> = all
        .iter()
        .map(|step| (format!("{investigation}.{step}"), json!(true)))
        .collect();
    ensure!(
        steps == expected,
        "stored steps differ: missing or not done {:?}, unexpected {:?}",
        expected
            .iter()
            .filter(|(k, v)| steps.get(*k) != Some(*v))
            .map(|(k, _)| k)
            .collect::<Vec<_>>(),
        steps
            .keys()
            .filter(|k| !expected.contains_key(*k))
            .collect::<Vec<_>>()
    );
    eprintln!(
        "{:?}: {MANY_STEPS} ticks from two windows at once (first {}..{} ms, second {}..{} ms after \
         the planned moment; {interleaved:?} of their 50 ran while the other window ticked), all \
         stored and shown in both {shown_after} ms after it",
        s.browser,
        a.start() - at,
        a.end() - at,
        b.start() - at,
        b.end() - at
    );

    // The same step from both windows at one moment. Each click toggles what its window shows, so
    // a window that already shows the other's tick unticks it: Chromium runs both sidebars on one
    // thread and may deliver the other's change before the second planned click, Firefox fires a
    // timer up to ~130 ms late (measured). Every attempt must end consistent (one entry, as both
    // windows show it); attempts go on until both clicks ticked an unticked box.
    let same = "spans";
    let key = format!("{investigation}.{same}");
    let mut attempts = 0;
    let apart = loop {
        attempts += 1;
        let at = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis() + 1500;
        for window in &windows {
            s.driver.switch_to_window(window.clone()).await?;
            let ahead = plan_ticks(s, &[same.to_owned()], at).await?;
            ensure!(ahead > 0, "the plan was made {} ms too late", -ahead);
        }
        let [a, b] = bursts(s, &windows).await?;
        let apart = (a.start() - b.start()).abs();
        // Neither window showed the other's tick when clicking: both ticked (at once, whatever
        // the ms between). One did: its click unticked the other's tick.
        let seen = [&a, &b].iter().filter(|w| !w.was_ticked.is_empty()).count();
        ensure!(
            seen < 2,
            "both windows showed the step ticked before any click: {a:?} {b:?}"
        );
        let ticked = seen == 0;
        let mut shown = all.clone();
        if ticked {
            shown.push(same);
        }
        shown_in_both(s, &windows, &shown).await?;
        let (records, steps) = stored_progress(s).await?;
        ensure!(records.len() == 1, "investigations stored: {records:?}");
        let entries: Vec<(&String, &Value)> = steps
            .iter()
            .filter(|(k, _)| k.ends_with(&format!(".{same}")))
            .collect();
        ensure!(
            entries == [(&key, &json!(ticked))] && steps.len() == MANY_STEPS + 2,
            "the step clicked in both windows ({}) is stored as {entries:?} among {} steps",
            if ticked {
                "both ticked"
            } else {
                "one unticked the other's tick"
            },
            steps.len()
        );
        if ticked {
            all.push(same);
            break apart;
        }
        // Measured: about half the attempts in Chromium and a third in Firefox are not at once.
        ensure!(
            attempts < 15,
            "in {attempts} attempts the two windows never clicked before seeing the other's tick"
        );
    };
    // Settled: neither window writes it again on hearing the other's write (no echo loop).
    let before = s
        .in_extension_page("return await api.storage.local.get(null);", vec![])
        .await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = s
        .in_extension_page("return await api.storage.local.get(null);", vec![])
        .await?;
    ensure!(
        before == after,
        "storage still changes: {before} then {after}"
    );
    shown_in_both(s, &windows, &all).await?;
    eprintln!(
        "{:?}: the same step ticked from both windows {apart} ms apart (attempt {attempts}): \
         stored once, shown in both",
        s.browser
    );

    let complaints = sidebar_complaints(s, &windows).await?;
    ensure!(
        complaints.is_empty(),
        "the sidebars complained: {complaints:#?}"
    );
    let errors = s.console_errors().await?;
    ensure!(errors.is_empty(), "console errors: {errors:#?}");
    Ok(())
}

both_browsers!(
    an_orphaned_probe_stops_and_leaves_the_new_one_alone,
    two_windows_tick_at_once,
    two_windows_start_one_investigation_at_once,
    two_windows_tick_100_steps_and_the_same_step_at_once
);

/// A copy of the built extension that claims to be the previous version.
fn previous_build(browser: Browser) -> Result<tempfile::TempDir> {
    let dir = tempfile::Builder::new().prefix("pl-previous").tempdir()?;
    copy_into(&extension_under_test(browser), dir.path())?;
    let manifest = dir.path().join("manifest.json");
    let mut json: Value = serde_json::from_str(&std::fs::read_to_string(&manifest)?)?;
    json["version"] = json!(PREVIOUS_VERSION);
    std::fs::write(&manifest, serde_json::to_string_pretty(&json)?)?;
    Ok(dir)
}

/// Copies the contents of `from` over `to` (`cp -r from/. to`).
fn copy_into(from: &Path, to: &Path) -> Result<()> {
    let status = std::process::Command::new("cp")
        .arg("-r")
        .arg(from.join("."))
        .arg(to)
        .status()?;
    ensure!(status.success(), "cp {} {}", from.display(), to.display());
    Ok(())
}

/// LIFE-4. Installs the previous version with progress stored in schema 1 (as the first release
/// stored it), updates it to the built version in place, and finds the progress migrated and shown.
/// Firefox: the same add-on id is installed again, which Firefox treats as an update. Chromium:
/// `runtime.reload()` of an unpacked extension re-reads its files but keeps the manifest it started
/// with (measured: `getManifest().version` stays the old one), so the directory's files are replaced
/// and the browser started again on the same profile and directory, as when Chromium applies at
/// startup an update it could not apply while running.
async fn an_update_keeps_progress_migrated(browser: Browser) -> Result<()> {
    let previous = previous_build(browser)?;
    // The harness keeps a Firefox add-on's storage even when it is uninstalled (for restarts); here
    // an uninstall must lose it, so that only a real update can keep the progress.
    let s = Session::start_with_extension_and_firefox_prefs(
        browser,
        previous.path(),
        &[(
            "extensions.webextensions.keepStorageOnUninstall",
            json!(false),
        )],
    )
    .await?;
    s.write_storage("tour", json!({ "seen": true, "step": 0 }))
        .await?;
    ensure!(installed_version(&s).await? == PREVIOUS_VERSION);
    let seed: Value = serde_json::from_str(include_str!("../../fixtures/storage/v1.json"))?;
    for (key, value) in seed.as_object().context("v1.json")? {
        s.write_storage(key, value.clone()).await?;
    }

    let s = match browser {
        Browser::Chromium => {
            copy_into(&extension_under_test(browser), previous.path())?;
            s.restart_with_extension(previous.path()).await?
        }
        Browser::Firefox => {
            FirefoxTools::new(s.driver.handle().clone())
                .install_addon(&extension_under_test(browser).to_string_lossy(), Some(true))
                .await?;
            s
        }
    };
    let outcome = progress_is_migrated(&s).await;
    if outcome.is_err() {
        s.save_screenshot("update").await;
    }
    s.quit().await;
    outcome
}

async fn progress_is_migrated(s: &Session) -> Result<()> {
    let start = Instant::now();
    while installed_version(s).await? == PREVIOUS_VERSION {
        ensure!(start.elapsed() < WAIT, "the update was not installed");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    s.open(EVENT_PAGE).await?;
    s.wait_ready().await?;
    v1_progress_is_shown(s).await?;
    let stored = s
        .in_extension_page("return await api.storage.local.get(null);", vec![])
        .await?;
    let stored = stored.as_object().context("storage")?;
    ensure!(
        !stored.contains_key("checklists")
            && stored.contains_key("pl.investigation.v1-oauth-and-client-registration"),
        "storage after the update: {:?}",
        stored.keys().collect::<Vec<_>>()
    );
    Ok(())
}

both_browsers!(own_browser: an_update_keeps_progress_migrated);
