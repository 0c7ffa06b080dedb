// Pivot Lens page probe, the watcher: what changed on the page since it was read. It files DOM
// changes by container (a changed container is re-read, an added subtree read whole), notices the
// URL changing (single-page navigation), and asks probe/main.js to read the changes, debounced.
globalThis.pivotLensProbeWatcher = (() => {
  "use strict";

  const RESCAN_DEBOUNCE_MS = 120;
  const RESCAN_MAX_WAIT_MS = 600; // a page that never stops changing (live logs) is still read
  const URL_POLL_MS = 500;
  const OBSERVED = {
    childList: true, subtree: true, characterData: true,
    attributeFilter: ["href", "title", "data-test-id", "aria-hidden"],
  };

  /**
   * A watcher living as long as `lifetime` (probe/lifetime.js), watching the URL at once and the
   * page's elements from `observe`. `flush()` is asked to read what changed (`take()`),
   * `urlMaybeChanged()` whenever the URL may have; `sliced` cuts the filing of a storm of changes
   * into short tasks, as probe/main.js cuts its reads.
   */
  function createWatcher({ lifetime, dom, nearestContainer, sliced, flush, urlMaybeChanged }) {
    const { nodeTypeOf, parentOf } = dom;
    const { signal, later, cancel, every, atStop, stopIfOrphaned } = lifetime;
    const isElement = (node) => nodeTypeOf(node) === Node.ELEMENT_NODE;

    const dirtyContainers = new Set();
    const addedRoots = new Set();
    let removals = false; // elements left the page since `takeRemovals`

    /** Files a changed element: its container is re-read; an added one is read whole. */
    function noteChanged(el, added) {
      const container = nearestContainer(el);
      if (added) addedRoots.add(el);
      if (container && !(added && container === el)) dirtyContainers.add(container);
    }

    let flushTimer = 0;
    let pendingSince = 0;

    /** Asks for a read of the changes after a quiet moment, or at most RESCAN_MAX_WAIT_MS. */
    function scheduleFlush() {
      const now = performance.now();
      if (!pendingSince) pendingSince = now;
      cancel(flushTimer);
      flushTimer = later(() => {
        pendingSince = 0;
        flush();
      }, Math.min(RESCAN_DEBOUNCE_MS, pendingSince + RESCAN_MAX_WAIT_MS - now));
    }

    // Changes are filed in tasks of their own (the observer's callback ends the page's task, long
    // in a storm), a target once per batch.
    let observed = [];
    const observer = new MutationObserver((records) => {
      if (!observed.length) later(fileObserved, 0);
      observed.push(records);
    });
    atStop(() => observer.disconnect());
    function fileObserved() {
      const filing = fileRecords(observed.flat());
      observed = [];
      sliced("observe", () => !filing.next().done, scheduleFlush);
    }

    // Whether a change can alter what its target's container read: added elements are read on
    // their own; a removed container's reading goes with it.
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
        // A container (or uncontained part) re-rendered at once is read whole, not node by node.
        const whole = type === "attributes" || (removed.length > 64 && [target, null].includes(nearestContainer(target)));
        if (whole) noteChanged(target, true);
        else if (!touched.has(target) && (yield* altersContainer(record, pause))) {
          touched.add(target);
          noteChanged(target, false);
        }
        removals ||= removed.length > 0;
        if (whole || type !== "childList") continue;
        for (const el of added) {
          if (pause()) yield;
          if (seen.has(el) || !isElement(el)) continue;
          seen.add(el);
          noteChanged(el, true);
        }
      }
    }

    // The URL from the start; the page's elements once `observe` is called.
    globalThis.navigation?.addEventListener("currententrychange", () => queueMicrotask(urlMaybeChanged), { signal });
    addEventListener("popstate", urlMaybeChanged, { signal });
    // Without the Navigation API, replaceState is invisible here; the poll also notices orphaning.
    every(() => stopIfOrphaned() || urlMaybeChanged(), URL_POLL_MS);

    /** Starts watching the elements of `root`. */
    const observe = (root) => observer.observe(root, OBSERVED);

    /** The containers to re-read and the subtrees to read whole, filed since the last take. */
    function take() {
      const changes = { containers: [...dirtyContainers], added: [...addedRoots] };
      dirtyContainers.clear();
      addedRoots.clear();
      return changes;
    }

    /** Whether changes were filed since the last take. */
    const pending = () => dirtyContainers.size > 0 || addedRoots.size > 0;

    /** Whether elements left the page since the last call. */
    function takeRemovals() {
      const were = removals;
      removals = false;
      return were;
    }

    return { observe, scheduleFlush, take, pending, takeRemovals };
  }

  return Object.freeze({ createWatcher });
})();
