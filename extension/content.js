// Pivot Lens page probe, its main part (probe-rules.js says how Sentry's DOM is read, probe-ledger.js
// keeps what was read): with the rules, the only code touching Sentry's DOM. It runs the rules over
// the page and its changes and hands raw facts to the sidebar, an extension frame where Rust decides
// everything. No wasm here: Chromium applies the page's CSP to a content script's wasm
// (docs/architecture.md).
(() => {
  "use strict";
  const api = globalThis.browser ?? globalThis.chrome;
  const SIDEBAR_PAGE = api.runtime.getURL("sidebar.html");
  // From the core (shared.js): a span with thousands of attributes reports its last ones.
  const { MAX_PAGE_FACTS: MAX_FACTS, SIDEBAR_WIDTH_MIN, SIDEBAR_WIDTH_MAX } = globalThis.pivotLensShared;
  const RESCAN_DEBOUNCE_MS = 120;
  const RESCAN_MAX_WAIT_MS = 600; // a page that never stops changing (live logs) is still read
  const URL_POLL_MS = 500;
  const CONNECT_TIMEOUT_MS = 15000;

  // Practice pages are bundled extension pages naming the Sentry URL they stand for in a
  // `<!-- URL: https://… -->` comment, as the fixtures do.
  const PRACTICE = !location.protocol.startsWith("http");
  const PRACTICE_URL = PRACTICE ? practiceUrl() : null;
  const pageUrl = () => PRACTICE_URL ?? location.href;

  function practiceUrl() {
    const comments = document.createTreeWalker(document, NodeFilter.SHOW_COMMENT);
    while (comments.nextNode()) {
      const match = comments.currentNode.data.match(/^\s*URL:\s*(https:\/\/\S+)\s*$/);
      if (match) return match[1].replaceAll("&amp;", "&");
    }
    return null;
  }

  // ---- The probe's lifetime. Orphaned by an extension reload or update (security.md LIFE-3), this
  // instance stops: its listeners go with `signal`, its timers and observers with it, and it removes
  // its own host, never one found by query (maybe a new instance's). Every timer goes through
  // `later` or `every`, so none outlives the probe.
  const lifetime = new AbortController();
  const { signal } = lifetime;
  const pending = new Set(); // timeouts not yet run
  const atStop = []; // what else stopping undoes
  /** Runs `work` once after `ms` unless the probe stops first; `cancel(id)` drops it. */
  function later(work, ms) {
    const id = setTimeout(() => {
      pending.delete(id);
      work();
    }, ms);
    pending.add(id);
    return id;
  }
  function cancel(id) {
    clearTimeout(id);
    pending.delete(id);
  }
  /** Runs `work` every `ms` until the probe stops. */
  function every(work, ms) {
    const id = setInterval(work, ms);
    atStop.push(() => clearInterval(id));
  }
  const orphaned = () => {
    try { return !api.runtime?.id; } catch { return true; }
  };
  /** Whether this instance is (now) stopped. */
  function stopIfOrphaned() {
    if (!signal.aborted && orphaned()) {
      lifetime.abort();
      for (const id of pending) clearTimeout(id);
      for (const undo of atStop) undo();
    }
    return signal.aborted;
  }

  // A content script orphaned by an extension reload or update leaves no second sidebar.
  for (const stale of document.querySelectorAll("[data-pivot-lens]")) stale.remove();

  // The sidebar's line: a channel and a key. For the frame we make, the channel is readable in the
  // open shadow root, so a page script can frame a second copy of the sidebar at it; the key is
  // not: it reaches only our frame (a message addressed to the extension's origin, which no page
  // can read), and every message both ways carries it (security.md MSG-3). Docked, the browser's
  // panel names both in its hello.
  let channel = "";
  let frameKey = "";
  // The origin of the sidebar's document: Chromium redirects the per-session URL the page sees
  // (`use_dynamic_url`, security.md MAN-7) to the extension's own origin, named by its id.
  const EXTENSION_ORIGIN = SIDEBAR_PAGE.startsWith("chrome-extension:")
    ? `chrome-extension://${api.runtime.id}`
    : new URL(SIDEBAR_PAGE).origin;
  const host = document.createElement("div");
  /** Sets the host's `data-pl-*` hooks (docs/automation-contract.md). */
  const mark = (hooks) => Object.entries(hooks).forEach(([name, value]) => host.setAttribute(`data-pl-${name}`, value));
  host.setAttribute("data-pivot-lens", "");
  mark({ state: "loading", open: false, side: "right" });
  const shadow = host.attachShadow({ mode: "open" });
  const style = document.createElement("style");
  style.textContent = `
  :host { all: initial; position: fixed; top: 0; z-index: 2147483000; display: block; }
  :host([data-pl-side="right"]) { right: 0; }
  :host([data-pl-side="left"]) { left: 0; }
  iframe { border: 0; display: block; background: transparent; color-scheme: normal; }
  :host([data-pl-open="false"]) iframe { width: 40px; height: 132px; margin-top: 40vh; }
  :host([data-pl-open="true"]) iframe { width: var(--pl-width, 380px); height: 100vh;
    box-shadow: 0 0 0 1px rgba(0,0,0,.12), 0 8px 24px rgba(0,0,0,.18); }`;
  shadow.append(style);
  document.documentElement.append(host);
  atStop.push(() => host.remove());

  // ---- Where the sidebar is: a frame on the page, or docked in the browser's own panel (the
  // engineer's choice, `settings.sidebar.docked`), followed live. Practice pages always frame it.
  let frame = null;
  let docked = null; // unknown until storage answers
  let connectWatchdog = 0; // marks an error when no sidebar says hello in time

  function addFrame() {
    channel = crypto.randomUUID();
    frameKey = crypto.randomUUID();
    const made = document.createElement("iframe");
    made.title = "Pivot Lens";
    // Named, not 'src': in Chromium the document the frame ends at is not at the URL it was given.
    made.allow = `clipboard-write ${EXTENSION_ORIGIN}`;
    made.src = `${SIDEBAR_PAGE}#${channel}`;
    // On every load (the frame reloads itself after a failure); a later `load` the page
    // dispatches reaches the same frame, and only while it holds an extension page.
    const key = frameKey;
    made.addEventListener("load", () => made.contentWindow?.postMessage({ pivotLensKey: key }, EXTENSION_ORIGIN));
    shadow.append(made);
    frame = made;
  }

  function setDocked(on) {
    if (on === docked) return;
    docked = on;
    sidebarReady = false;
    cancel(connectWatchdog);
    frame?.remove();
    frame = null;
    channel = frameKey = ""; // until the panel's hello names them
    mark({ mode: on ? "docked" : "frame", open: false });
    // A docked panel showing this tab asks for the page once it hears this one is there.
    if (on) return api.runtime.sendMessage({ type: "pivot-lens:probe-ready" }).catch(() => {});
    addFrame();
    connectWatchdog = later(() => mark({ state: "error" }), CONNECT_TIMEOUT_MS);
  }

  // ---- Raw facts: the rules (probe-rules.js), each isolated so one failure never stops the rest.
  const { MAX_VALUE, dom, PORTALS, RULES, RULE_SELECTOR, nearestContainer } = globalThis.pivotLensProbeRules;
  const { query, queryAll, closest, matches, contains, childrenOf, textContentOf, nodeTypeOf, connected, parentOf } = dom;
  const isElement = (node) => nodeTypeOf(node) === Node.ELEMENT_NODE;

  // Row keys the runbook may know (probe_keys.rs, sent with the hello): one regex test per row.
  let runbookKeys = null;
  const anyOf = (keys) => (keys?.length ? keys.map((key) => key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|") : "(?!)");
  /** What the rules may ask of the page: whether the runbook may know a key, the URL read. */
  const page = { knows: (key) => runbookKeys.test(key), url: pageUrl };

  // ---- What was read, per container or loose element (probe-ledger.js).

  const ledger = globalThis.pivotLensProbeLedger.createLedger({ maxFacts: MAX_FACTS, maxValue: MAX_VALUE });
  let readSinceForgotten = new WeakSet(); // also those that held nothing (skipped rows)
  const sourceElements = new Map(); // fact value → element last read from (the tour outlines it)

  // ---- Self-measurement (./build.sh bench): `pivot-lens:<what>` measures (detail: elements read);
  // old ones are dropped.
  const MAX_MEASURES = 1000;
  const measureCounts = new Map(); // name → measures left on the timeline
  let elementsRead = 0;
  function measured(what, work) {
    const start = performance.now();
    elementsRead = 0;
    work();
    const name = `pivot-lens:${what}`;
    const count = (measureCounts.get(name) ?? 0) + 1;
    measureCounts.set(name, count % MAX_MEASURES);
    if (count === MAX_MEASURES) performance.clearMeasures(name); // only ours, never the page's
    try { performance.measure(name, { start, detail: { elements: elementsRead } }); } catch { /* no User Timing */ }
  }

  const pageRoot = () => document.body ?? document.documentElement;
  const MANY_ROOTS = 200; // past it, one page-wide portal query beats two per root
  let taskPortals = null;

  /** Starts a task's reads; with many roots, portals are found once. */
  function beginTask() {
    taskPortals = toReread.size > MANY_ROOTS ? [...queryAll(pageRoot(), PORTALS)] : null;
  }

  /** Runs the rule matching `el`, isolated, filing what it read under `owner ?? el`. */
  function readElement(el, owner, record, portals) {
    if (portals.some((portal) => contains(portal, el))) return;
    elementsRead += 1;
    readSinceForgotten.add(owner ?? el);
    const rule = RULES.find((r) => matches(el, r.selector));
    if (!rule) return;
    try {
      rule.each(el, (fact) => {
        record(owner ?? el, rule.name, fact);
        if (!fact?.value) return;
        if (sourceElements.size >= MAX_FACTS) sourceElements.delete(sourceElements.keys().next().value); // oldest first
        sourceElements.set(fact.value, el);
      }, page);
    } catch {
      record(owner ?? el, rule.name, null); // reported to the sidebar, never to the page's console
    }
  }

  // Reads the elements of `root` (itself included) that rules match and `accept(owner, el)` picks,
  // each under its nearest container (or null), if still there. Yields every 32 elements.
  function* read(root, accept, record) {
    let portals = taskPortals;
    if (!portals) {
      if (closest(root, PORTALS)) return;
      portals = [...queryAll(root, PORTALS)];
    }
    const found = queryAll(root, RULE_SELECTOR);
    let count = 0;
    for (const el of matches(root, RULE_SELECTOR) ? [root, ...found] : found) {
      const owner = nearestContainer(el);
      if (connected(el) && accept(owner, el)) readElement(el, owner, record, portals);
      if (++count % 32 === 0) yield;
    }
  }

  let sweep = false; // elements left the page since

  /** Reads what `accept` picks in `root` again; forgets what `root` held before. */
  function* reread(root, accept) {
    const { fresh, record } = ledger.recorder();
    yield* read(root, accept, record);
    ledger.file(fresh, [root]);
  }
  /** Re-reads one container. */
  const rereadContainer = (container) => reread(container, (owner) => owner === container);
  /** Reads an added subtree whole, each fact under its own container (or none). */
  const readAdded = (root) => reread(root, (owner) => !owner || owner === root || contains(root, owner));

  /** Reads, slice by slice, what was not read since the page was forgotten. */
  function readUnread() {
    const [forgotten, { fresh, record }] = [readSinceForgotten, ledger.recorder()];
    const all = read(pageRoot(), (owner, el) => !forgotten.has(owner ?? el), record);
    sliced("navigation", () => forgotten === readSinceForgotten && !all.next().done, () => {
      if (forgotten !== readSinceForgotten) return; // a later navigation reads for itself
      for (const key of ledger.keys()) fresh.delete(key); // a rescan re-read it since: newer
      ledger.file(fresh, []);
      publish();
    });
  }

  // ---- Theme: Sentry portals <meta name="color-scheme">; then the page background; then the OS.

  function pageTheme() {
    const meta = document.querySelector("meta[name='color-scheme']")?.content ?? "";
    const [dark, light] = [/\bdark\b/.test(meta), /\blight\b/.test(meta)];
    if (dark !== light) return dark ? "dark" : "light";
    const bg = getComputedStyle(pageRoot()).backgroundColor.match(/\d+(\.\d+)?/g);
    if (bg && (bg.length < 4 || Number(bg[3]) > 0)) {
      const [r, g, b] = bg.map(Number);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b < 128 ? "dark" : "light";
    }
    return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  // ---- The channel to the sidebar: extension messages (no page script can send one), relayed by
  // the background (in Firefox a tab's messages do not reach its extension frame).

  let sidebarReady = false;
  let parsed = false; // the page's scan ran (until then it is not reported)
  let currentUrl = pageUrl();
  const readyUrls = new Map(); // url → performance.now() when first shown

  let sequence = 0;
  function send(message) {
    if (!sidebarReady) return;
    sequence += 1;
    api.runtime.sendMessage({ type: "pivot-lens:page", channel, key: frameKey, sequence, message }).catch(() => {});
  }

  /** Reports changed entries and the ids of gone ones, or all entries when the ledger is due a whole report. */
  function publish() {
    if (!sidebarReady || !parsed) return;
    measured("publish", () => {
      if (sweep) ledger.forgetGone(connected);
      sweep = false;
      const report = ledger.report();
      if (report) send({ type: "page", theme: pageTheme(), practice: PRACTICE, url: pageUrl(), ...report });
    });
  }

  /** The runbook's keys: the first start the reading, others (a reloaded sidebar) a new read. */
  function takeKeys(keys) {
    // As ProbeKeys::admits: `tags[key,type]` unwrapped, then an exact key or a prefix.
    const known = new RegExp(`^(?:tags\\[)?(?:(?:${anyOf(keys?.exact)})(?:$|[,\\]])|${anyOf(keys?.prefixes)})`);
    if (known.source === runbookKeys?.source) return;
    const first = !runbookKeys;
    runbookKeys = known;
    if (first) domParsed.then(startReading);
    else if (parsed) {
      forgetPage();
      scanPage();
    }
  }

  function onSidebarMessage(message) {
    if (!message || typeof message !== "object") return;
    if (message.type === "hello") {
      sidebarReady = true;
      cancel(connectWatchdog);
      takeKeys(message.keys);
      ledger.wholeNext();
      publish();
    } else if (message.type === "rendered" && typeof message.url === "string") {
      if (message.url !== pageUrl()) return; // a result for a page we already left
      if (!readyUrls.has(message.url)) readyUrls.set(message.url, performance.now());
      mark({ url: message.url, "ready-ms": Math.round(readyUrls.get(message.url)), state: "ready" });
    } else if (message.type === "layout") {
      mark({ open: message.open === true, side: message.side === "left" ? "left" : "right" });
      const width = Number(message.width);
      if (Number.isFinite(width)) host.style.setProperty("--pl-width", `${Math.min(Math.max(width, SIDEBAR_WIDTH_MIN), SIDEBAR_WIDTH_MAX)}px`);
    } else if (message.type === "error") {
      cancel(connectWatchdog);
      mark({ state: "error", open: true });
    } else if (message.type === "blur") {
      frame?.blur();
      window.focus();
    } else if (message.type === "highlight") {
      outline(typeof message.value === "string" ? message.value : "");
    }
  }

  // ---- The tour outlines the element a pivot was read from; the next step removes it.

  let outlined = null; // { el, outline, offset } as they were before

  function outline(value) {
    if (outlined) {
      outlined.el.style.outline = outlined.outline;
      outlined.el.style.outlineOffset = outlined.offset;
      outlined.el.removeAttribute("data-pl-highlight");
      outlined = null;
    }
    const el = value && elementShowing(value);
    if (!el) return;
    outlined = { el, outline: el.style.outline, offset: el.style.outlineOffset };
    el.style.outline = "3px solid #6c47ff";
    el.style.outlineOffset = "2px";
    el.setAttribute("data-pl-highlight", "");
    el.scrollIntoView({ block: "center" });
  }

  /** The innermost element showing `value`, else a link to it, else where it was read. */
  function elementShowing(value) {
    const source = sourceElements.get(value);
    const root = source && connected(source) ? source : pageRoot();
    const candidates = root === source ? [source, ...queryAll(source, "*")] : queryAll(root, "*");
    for (const el of candidates) {
      if (!childrenOf(el).length && textContentOf(el).trim() === value) return el;
    }
    return [...queryAll(root, "a[href]")].find((a) => a.href.includes(value)) ?? (root === source ? source : null);
  }

  /** The docked panel: a page of ours outside any tab (only extension pages can message us). */
  function fromPanel(sender) {
    try {
      return !sender.tab && new URL(sender.url).pathname === "/sidebar.html";
    } catch {
      return false;
    }
  }

  api.runtime.onMessage.addListener((envelope, sender) => {
    // Only the background relays to us (and on a practice page, our sidebar frame), or the panel.
    const direct = PRACTICE && sender.url?.startsWith(SIDEBAR_PAGE);
    if (sender.id !== api.runtime.id || (sender.tab && !direct)) return;
    if (envelope?.type === "pivot-lens:to-page" && docked && fromPanel(sender) && envelope.message?.type === "hello"
        && typeof envelope.channel === "string" && typeof envelope.key === "string") {
      // The panel now in view of this tab: its line replaces any earlier panel's.
      channel = envelope.channel;
      frameKey = envelope.key;
    }
    const ours = channel !== "" && envelope?.channel === channel && envelope.key === frameKey;
    if (envelope?.type === "pivot-lens:to-page" && ours) onSidebarMessage(envelope.message);
    else if (envelope?.type === "pivot-lens:toggle") send({ type: "toggle" });
  });

  if (PRACTICE) setDocked(false);
  else {
    api.storage.local.get("settings").then(
      ({ settings }) => setDocked(settings?.sidebar?.docked === true),
      () => setDocked(false),
    );
    api.storage.onChanged.addListener((changes, area) => {
      if (area === "local" && "settings" in changes && docked !== null) {
        setDocked(changes.settings.newValue?.sidebar?.docked === true);
      }
    });
  }

  // ---- Change: single-page navigation and late content.

  // What was on the page when the URL changed is the previous page's until React replaces it;
  // untouched this long, it is the new URL's too.
  const STALE_GRACE_MS = 2000;
  let graceTimer = 0;

  /** Drops what was read: the sidebar's next full report replaces all of it. */
  function forgetPage() {
    ledger.forgetAll();
    toReread.clear(); // changes noted before too
    reading = null;
    sourceElements.clear();
    readSinceForgotten = new WeakSet();
  }

  function onUrlMaybeChanged() {
    if (pageUrl() === currentUrl) return;
    currentUrl = pageUrl();
    if (!parsed) return; // the first scan reads the page as it is then
    forgetPage();
    mark({ state: "loading" });
    cancel(graceTimer);
    graceTimer = later(readUnread, STALE_GRACE_MS);
    scheduleFlush(); // reported with the changes it came with, not empty first
  }

  // ---- Change: the URL (single-page navigation) and the DOM.

  globalThis.navigation?.addEventListener("currententrychange", () => queueMicrotask(onUrlMaybeChanged), { signal });
  addEventListener("popstate", onUrlMaybeChanged, { signal });
  // Without the Navigation API, replaceState is invisible here; the poll also notices orphaning.
  every(() => stopIfOrphaned() || onUrlMaybeChanged(), URL_POLL_MS);

  const dirtyContainers = new Set();
  const addedRoots = new Set();

  /** Files a changed element: its container is re-read; an added one is read whole. */
  function noteChanged(el, added) {
    const container = nearestContainer(el);
    if (added) addedRoots.add(el);
    if (container && !(added && container === el)) dirtyContainers.add(container);
  }

  let rescanTimer = 0;
  let pendingSince = 0;

  function scheduleFlush() {
    const now = performance.now();
    if (!pendingSince) pendingSince = now;
    cancel(rescanTimer);
    rescanTimer = later(flushChanges, Math.min(RESCAN_DEBOUNCE_MS, pendingSince + RESCAN_MAX_WAIT_MS - now));
  }

  // Work is cut into tasks (and measures) of at most SLICE_MS.
  const SLICE_MS = 10;

  /** Calls `step()` while it returns true, in tasks of at most SLICE_MS; then `done()`. */
  function sliced(what, step, done) {
    const run = () => {
      if (stopIfOrphaned()) return;
      let more = true;
      measured(what, () => {
        beginTask();
        const end = performance.now() + SLICE_MS;
        while ((more = step()) && performance.now() < end);
      });
      if (more) later(run, 0);
      else done();
    };
    run();
  }

  const toReread = new Map(); // element → how to read it (rereadContainer or readAdded)
  let rereading = false;
  let reading = null; // a root read over several steps, dropped with the page

  function flushChanges() {
    if (stopIfOrphaned()) return;
    pendingSince = 0;
    onUrlMaybeChanged();
    // Changes during a rescan wait for the next.
    if (rereading) return;
    for (const container of dirtyContainers) toReread.set(container, rereadContainer);
    for (const root of addedRoots) toReread.set(root, readAdded);
    dirtyContainers.clear();
    addedRoots.clear();
    rereading = true;
    // One live iterator: a new one per step would skip every deleted entry again.
    const queue = toReread.entries();
    sliced("rescan", () => {
      if (reading?.next().done === false) return true;
      const next = queue.next();
      if (next.done) return false;
      const [el, reader] = next.value;
      toReread.delete(el);
      reading = connected(el) ? reader(el) : null;
      return true;
    }, () => {
      rereading = false;
      publish();
      if (dirtyContainers.size || addedRoots.size) scheduleFlush();
    });
  }

  // Changes are filed in tasks of their own (the observer's callback ends the page's task, long in
  // a storm), a target once per batch.
  let observed = [];
  const observer = new MutationObserver((records) => {
    if (!observed.length) later(fileObserved, 0);
    observed.push(records);
  });
  function fileObserved() {
    const filing = fileRecords(observed.flat());
    observed = [];
    sliced("observe", () => !filing.next().done, scheduleFlush);
  }

  // Whether a change can alter what its target's container read: added elements are read on their
  // own; a removed container's reading goes with it.
  function* altersContainer(record, pause) {
    if (record.type !== "childList") return true;
    for (const node of record.addedNodes) {
      if (pause()) yield;
      if (!isElement(node)) return true;
    }
    for (const node of record.removedNodes) {
      if (pause()) yield;
      if (!isElement(node) || nearestContainer(node) !== node) return true;
    }
    return false;
  }

  /** Files records, pausing every 64 records or nodes. */
  function* fileRecords(records) {
    const [seen, touched] = [new Set(), new Set()]; // nodes filed / targets noted
    let count = 0;
    const pause = () => ++count % 64 === 0;
    for (const record of records) {
      if (pause()) yield;
      const { type, target: node } = record;
      if (type !== "childList") {
        if (seen.has(node)) continue;
        seen.add(node);
      }
      const target = isElement(node) ? node : parentOf(node);
      if (!target) continue;
      const { addedNodes: added, removedNodes: removed } = record;
      // A container (or uncontained part) re-rendered at once is read whole, not filed node by node.
      const whole = type === "attributes" || (removed.length > 64 && [target, null].includes(nearestContainer(target)));
      if (whole) noteChanged(target, true);
      else if (!touched.has(target) && (yield* altersContainer(record, pause))) {
        touched.add(target);
        noteChanged(target, false);
      }
      sweep ||= removed.length > 0;
      if (whole || type !== "childList") continue;
      for (const el of added) {
        if (pause()) yield;
        if (seen.has(el) || !isElement(el)) continue;
        seen.add(el);
        noteChanged(el, true);
      }
    }
  }

  const sendTheme = () => send({ type: "theme", theme: pageTheme() });
  const themeObserver = new MutationObserver(sendTheme);
  atStop.push(() => observer.disconnect(), () => themeObserver.disconnect());

  /** Reads the page whole, then reports it whole (until then, not at all). */
  function scanPage() {
    parsed = false;
    // Filed straight into the ledger: a change meanwhile re-reads its container whole.
    const { record } = ledger.direct();
    const scan = read(pageRoot(), () => true, record);
    sliced("scan", () => !scan.next().done, () => {
      parsed = true;
      publish();
    });
  }

  /** The first read; from then on only changes are read. */
  function startReading() {
    if (stopIfOrphaned()) return;
    scanPage();
    observer.observe(pageRoot(), {
      childList: true, subtree: true, characterData: true,
      attributeFilter: ["href", "title", "data-test-id", "aria-hidden"],
    });
    themeObserver.observe(document.head ?? document.documentElement, { childList: true, subtree: true, attributeFilter: ["content"] });
    matchMedia("(prefers-color-scheme: dark)").addEventListener("change", sendTheme, { signal });
  }

  // The sidebar boots while the page loads; the page is read once parsed and the keys have come.
  const domParsed = new Promise((done) => (document.readyState === "loading"
    ? document.addEventListener("DOMContentLoaded", done, { once: true, signal }) : done()));
})();
