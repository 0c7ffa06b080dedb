// Boots the Leptos sidebar (wasm) and connects it to this tab's page probe (see sidebar-channel.js).
// Only plumbing lives here: the sidebar's decisions are made in Rust. sidebar-loader.js starts it.
import init, { SidebarApp } from "./pkg/sidebar.js";
import bundledRunbook from "./pkg/runbook.js";
import { api, channel, docked, frameKey, fromPageInView, showTab, tabShown, toPage, fail } from "./sidebar-channel.js";
import { policyAtBoot } from "./team-policy.js";
import { ProbeReports } from "./probe-reports.js";

const { RUNTIME, TO_PROBE, TO_SIDEBAR_PAGE } = globalThis.pivotLensShared.MESSAGES; // shared.js, loaded by sidebar-channel.js

const MAX_MEASURES = 1000;

// The frame's boot, milestone by milestone, on its own timeline: ./build.sh bench puts them on the
// page's clock beside `ready`.
const bootMarks = new Set();
function bootMark(milestone) {
  if (bootMarks.has(milestone)) return;
  bootMarks.add(milestone);
  performance.mark(`pivot-lens:boot@${milestone}`);
}
bootMark("modules");

/**
 * The runbook model (JSON) in force: the first team or imported runbook that compiles, else the
 * bundled one (compiled at build time). Only then is the markdown compiler, part of the extension
 * pages' wasm, loaded: the sidebar's own wasm has no parser.
 */
async function runbookInForce(storedJson) {
  const sources = SidebarApp.runbook_sources(storedJson);
  if (sources.length) {
    const pages = await import("./pkg/pages.js");
    await pages.default({ module_or_path: new URL("./pkg/pages_bg.wasm", import.meta.url) });
    for (const markdown of sources) {
      try {
        return pages.compile_runbook(markdown);
      } catch {
        // Not a valid runbook (the options page says why): try the next one.
      }
    }
  }
  return bundledRunbook;
}

async function start() {
  // Everything: investigations live under one key per record and per step (see investigation.rs).
  const [, stored, managed, key] = await Promise.all([
    init({ module_or_path: new URL("./pkg/sidebar_bg.wasm", import.meta.url) }),
    api.storage.local.get(null),
    // A policy that turns out to differ from the one booted on starts the frame again on it.
    policyAtBoot(api, () => location.reload()),
    frameKey,
  ]);
  bootMark("wasm");
  stored.managed = managed;
  const storedJson = JSON.stringify(stored);
  const app = new SidebarApp(storedJson, await runbookInForce(storedJson), (json) => {
    const message = JSON.parse(json);
    if (message.type === TO_SIDEBAR_PAGE.DOCK) dockInTheBrowser(app);
    else if (message.type === TO_SIDEBAR_PAGE.UNDOCK) undock();
    else toPage(message);
  }, (key, value) => api.storage.local.set({ [key]: JSON.parse(value) }));
  if (docked) app.set_docked();
  bootMark("app");
  api.storage.onChanged.addListener((changes, area) => {
    if (area !== "local") return;
    const values = Object.fromEntries(Object.entries(changes).map(([key, change]) => [key, change.newValue ?? null]));
    app.storage_changed(JSON.stringify(values));
  });
  app.connect_storage(async (json) => {
    const { set, remove } = JSON.parse(json);
    if (Object.keys(set).length) await api.storage.local.set(set);
    if (remove.length) await api.storage.local.remove(remove);
  });
  // Sentry's API, asked through the background (the only context whose requests carry the
  // Sentry session); the Rust side decides what to ask and reads the replies.
  let apiRequests = 0;
  const apiInFlight = new Set();
  app.connect_api(
    async (url) => {
      const id = `${channel}:${++apiRequests}`;
      apiInFlight.add(id);
      try {
        const ask = { type: RUNTIME.API_GET, id, url, tabId: tabShown() };
        return JSON.stringify((await api.runtime.sendMessage(ask)) ?? { failure: "unreachable" });
      } catch {
        return JSON.stringify({ failure: "unreachable" });
      } finally {
        apiInFlight.delete(id);
      }
    },
    () => {
      if (!apiInFlight.size) return;
      api.runtime.sendMessage({ type: RUNTIME.API_ABORT, ids: [...apiInFlight], tabId: tabShown() }).catch(() => {});
    },
  );
  // The hello (re)connects this frame to the probe and tells it which row keys the runbook knows.
  const hello = () => toPage({ type: TO_PROBE.HELLO, keys: JSON.parse(app.probe_keys()) });
  document.getElementById("boot")?.remove();
  let measures = 0;
  // The sidebar's work for one task, from its start to the next task (Leptos updates the DOM in a
  // microtask, and the browser may render before the next task, the page's part too). Its
  // `detail.script` runs until the microtasks after the task's script: what is this frame's for
  // certain; its `detail.work` what the task did: read a `report`, `show` a report's result (the
  // lens and the panel's update) or `draw` a further part of the panel. Read by ./build.sh bench:
  // in Firefox this frame shares the page's main thread.
  function measure(start, script, work) {
    measures = (measures + 1) % MAX_MEASURES;
    if (!measures) performance.clearMeasures("pivot-lens:sidebar"); // a live page stays small
    performance.measure("pivot-lens:sidebar", { start, detail: { script: script.end - start, work } });
  }
  /** Notes when the microtasks queued so far (Leptos's DOM updates) have run. */
  function scriptEnd() {
    const script = { end: 0 };
    queueMicrotask(() => (script.end = performance.now()));
    return script;
  }
  // Firefox runs this frame on the page's main thread, so there a big result is added to the panel
  // a part per task (one long render would be a long task of the page's). Chromium gives the frame
  // a process of its own, where cutting it up would only make the page wait longer for `ready`: all
  // of it goes in the task that shows it. The page hears "rendered" (and says ready) in the task
  // after the last part, once Leptos's DOM updates for it have run.
  const partPerTask = api.runtime.getURL("").startsWith("moz-extension:");
  let shownUrl = null;
  let drawing = false;
  let unshown = false; // a report was read since the last `render_more`, which shows it
  function drawRest(start, script, work) {
    setTimeout(() => {
      measure(start, script, work);
      const next = performance.now();
      const nextWork = unshown ? "show" : "draw";
      unshown = false;
      try {
        if (app.render_more()) {
          if (!partPerTask) while (app.render_more());
          return drawRest(next, scriptEnd(), nextWork);
        }
      } catch (error) {
        return fail(error);
      }
      drawing = false;
      if (shownUrl) {
        toPage({ type: TO_PROBE.RENDERED, url: shownUrl });
        bootMark("rendered");
      }
      shownUrl = null;
    }, 0);
  }
  let reports = new ProbeReports();
  api.runtime.onMessage.addListener((envelope, sender) => {
    if (sender.id !== api.runtime.id || !fromPageInView(sender)) return;
    if (envelope?.type === RUNTIME.PROBE_READY && docked) {
      // A page loaded in the tab in view: its probe numbers its reports from 1.
      reports = new ProbeReports();
      return hello();
    }
    if (envelope?.type !== RUNTIME.PAGE || envelope.channel !== channel || envelope.key !== key) return;
    const start = performance.now();
    try {
      const json = reports.read(envelope, hello);
      if (json === null) return;
      shownUrl = app.receive(json) ?? shownUrl;
      unshown = true;
      bootMark("report");
    } catch (error) {
      return fail(error);
    }
    const script = scriptEnd();
    if (drawing) setTimeout(() => measure(start, script, "report"), 0);
    else {
      drawing = true;
      drawRest(start, script, "report");
    }
  });
  if (docked) {
    await followTheTabInView(app, () => {
      reports = new ProbeReports(); // a tab's probe numbers its reports from 1
      shownUrl = null;
    }, hello);
  } else await hello();
}

/**
 * Docked: shows the page of the active tab of this window, asking it afresh when the panel opens,
 * the tab changes or its page loads (a message sent before the panel existed is lost). A tab whose
 * URL is hidden from us (no host permission) is not a Sentry page we read.
 */
async function followTheTabInView(app, forgetTab, hello) {
  const here = await api.windows.getCurrent();
  let shown;
  const show = (tab) => {
    if (tab?.id !== shown) forgetTab();
    shown = tab?.id;
    const sentry = tab?.url !== undefined && tab.url.startsWith("https://");
    showTab(sentry ? tab.id : null);
    if (sentry) hello();
    else app.show_elsewhere();
  };
  api.tabs.onActivated.addListener(({ tabId, windowId }) => {
    if (windowId === here.id) api.tabs.get(tabId).then(show, () => {});
  });
  api.tabs.onUpdated.addListener((tabId, change, tab) => {
    // A new page announces itself (probe-ready); only leaving Sentry is learnt here.
    if (tabId === shown && change.url !== undefined) show(tab);
  });
  const [active] = await api.tabs.query({ active: true, windowId: here.id });
  show(active);
  // Opening the panel is the engineer's choice of mode: pages stop adding their own frame.
  await api.runtime.sendMessage({ type: RUNTIME.DOCK_CHOSEN }).catch(() => {});
}

/**
 * The header's Dock button, on a page: Chrome opens its side panel for this tab (the click's user
 * gesture survives one message to the background); Firefox opens its sidebar only from the
 * browser's own controls, so the sidebar says how.
 */
function dockInTheBrowser(app) {
  api.runtime.sendMessage({ type: RUNTIME.DOCK }).then(
    (answer) => answer?.docked || app.explain_docking(),
    () => app.explain_docking(),
  );
}

/**
 * The docked panel's Undock button: pages frame the sidebar again (the background writes the
 * setting, which outlives this page), and the panel closes while the click still counts as the
 * user's (Firefox closes its sidebar only then).
 */
function undock() {
  api.runtime.sendMessage({ type: RUNTIME.UNDOCK }).catch(() => {});
  if (api.sidebarAction) api.sidebarAction.close().catch(() => {}); // a click that no longer counts
  else window.close();
}

start().catch(fail);
