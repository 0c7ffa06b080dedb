// Pivot Lens page probe, its main part: with the rules (probe/rules.js), the only code reading
// Sentry's DOM (through probe/dom.js). It reads the page and its changes with the rules into the ledger
// (probe/ledger.js) and reports raw facts to the sidebar, an extension frame or the browser's panel
// where Rust decides everything. The other parts, each a content script of this isolated world:
// probe/lifetime.js (timers and stop), probe/channel.js (the host, the frame, the line to the
// sidebar), probe/watcher.js (what changed) and probe/outline.js (the tour's outline). No wasm
// here: Chromium applies the page's CSP to a content script's wasm (docs/architecture.md).
(() => {
  "use strict";
  const api = globalThis.browser ?? globalThis.chrome;
  // From the core (shared.js): a span with thousands of attributes reports its last ones.
  const { MAX_PAGE_FACTS: MAX_FACTS, MESSAGES: { FROM_PROBE } } = globalThis.pivotLensShared;

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

  const lifetime = globalThis.pivotLensProbeLifetime.createLifetime(() => {
    try { return !api.runtime?.id; } catch { return true; }
  });
  const { signal, later, cancel, atStop, stopIfOrphaned } = lifetime;

  // ---- Raw facts: the rules (probe/rules.js), each isolated so one failure never stops the rest.
  const { MAX_VALUE, PORTALS, RULES, RULE_SELECTOR, nearestContainer } = globalThis.pivotLensProbeRules;
  const dom = globalThis.pivotLensProbeDom; // the page read through the prototypes (probe/dom.js)
  const { queryAll, closest, matches, contains, connected } = dom;
  const pageRoot = () => document.body ?? document.documentElement;

  // Row keys the runbook may know (probe_keys.rs, sent with the hello): one regex test per row.
  let runbookKeys = null;
  const anyOf = (keys) => (keys?.length ? keys.map((key) => key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|") : "(?!)");
  /** What the rules may ask of the page: whether the runbook may know a key, the URL read. */
  const page = { knows: (key) => runbookKeys.test(key), url: pageUrl };

  // ---- What was read, per container or loose element (probe/ledger.js), and where each value
  // was read (probe/outline.js: the tour outlines it).

  const ledger = globalThis.pivotLensProbeLedger.createLedger({ maxFacts: MAX_FACTS, maxValue: MAX_VALUE });
  let readSinceForgotten = new WeakSet(); // also those that held nothing (skipped rows)
  const outline = globalThis.pivotLensProbeOutline.createOutline({ dom, pageRoot, maxSources: MAX_FACTS });

  // ---- The reading's state (every name declared before the functions below use it).

  let parsed = false; // the page's scan ran (until then it is not reported)
  let currentUrl = pageUrl();
  const readyUrls = new Map(); // url → performance.now() when first shown
  const toReread = new Map(); // element → how to read it (rereadContainer or readAdded)
  let rereading = false;
  let reading = null; // a root read over several steps, dropped with the page
  // What was on the page when the URL changed is the previous page's until React replaces it;
  // untouched this long, it is the new URL's too.
  const STALE_GRACE_MS = 2000;
  let graceTimer = 0;
  // Work is cut into tasks (and measures) of at most SLICE_MS.
  const SLICE_MS = 10;
  const MANY_ROOTS = 200; // past it, one page-wide portal query beats two per root
  let taskPortals = null;
  // The sidebar boots while the page loads; the page is read once parsed and the keys have come.
  const domParsed = new Promise((done) => (document.readyState === "loading"
    ? document.addEventListener("DOMContentLoaded", done, { once: true, signal }) : done()));
  // What changed on the page (probe/watcher.js): it asks for `flushChanges` when the page changed.
  const watcher = globalThis.pivotLensProbeWatcher.createWatcher({
    lifetime, dom, nearestContainer, sliced, flush: flushChanges, urlMaybeChanged: onUrlMaybeChanged,
  });

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
        outline.readFrom(fact.value, el);
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

  // ---- The line to the sidebar (probe/channel.js), and what of its messages concerns the page.

  const channel = globalThis.pivotLensProbeChannel.createChannel({
    api, lifetime, practice: PRACTICE,
    receive: {
      hello(message) {
        takeKeys(message.keys);
        ledger.wholeNext();
        publish();
      },
      rendered(message) {
        if (typeof message.url !== "string" || message.url !== pageUrl()) return; // a page we already left
        if (!readyUrls.has(message.url)) readyUrls.set(message.url, performance.now());
        channel.mark({ url: message.url, "ready-ms": Math.round(readyUrls.get(message.url)), state: "ready" });
      },
      highlight: (message) => outline.show(typeof message.value === "string" ? message.value : ""),
    },
  });

  /** Reports changed entries and the ids of gone ones, or all entries when the ledger is due a whole report. */
  function publish() {
    if (!channel.isReady() || !parsed) return;
    measured("publish", () => {
      if (watcher.takeRemovals()) ledger.forgetGone(connected);
      const report = ledger.report();
      if (report) channel.send({ type: FROM_PROBE.PAGE, theme: pageTheme(), practice: PRACTICE, url: pageUrl(), ...report });
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

  // ---- Change: single-page navigation and late content (probe/watcher.js files them).

  /** Drops what was read: the sidebar's next full report replaces all of it. */
  function forgetPage() {
    ledger.forgetAll();
    toReread.clear(); // changes noted before too
    reading = null;
    outline.forget();
    readSinceForgotten = new WeakSet();
  }

  function onUrlMaybeChanged() {
    if (pageUrl() === currentUrl) return;
    currentUrl = pageUrl();
    if (!parsed) return; // the first scan reads the page as it is then
    forgetPage();
    channel.mark({ state: "loading" });
    cancel(graceTimer);
    graceTimer = later(readUnread, STALE_GRACE_MS);
    watcher.scheduleFlush(); // reported with the changes it came with, not empty first
  }

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

  /** Reads what changed since the last flush. */
  function flushChanges() {
    if (stopIfOrphaned()) return;
    onUrlMaybeChanged();
    // Changes during a rescan wait for the next.
    if (rereading) return;
    const { containers, added } = watcher.take();
    for (const container of containers) toReread.set(container, rereadContainer);
    for (const root of added) toReread.set(root, readAdded);
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
      if (watcher.pending()) watcher.scheduleFlush();
    });
  }

  const sendTheme = () => channel.send({ type: FROM_PROBE.THEME, theme: pageTheme() });
  const themeObserver = new MutationObserver(sendTheme);
  atStop(() => themeObserver.disconnect());

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
    watcher.observe(pageRoot());
    themeObserver.observe(document.head ?? document.documentElement, { childList: true, subtree: true, attributeFilter: ["content"] });
    matchMedia("(prefers-color-scheme: dark)").addEventListener("change", sendTheme, { signal });
  }

})();
