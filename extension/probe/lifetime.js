// Pivot Lens page probe, its lifetime. Orphaned by an extension reload or update (security.md
// LIFE-3), a probe stops: its listeners go with `signal`, its timers and observers with it. Every
// timer goes through `later` or `every`, so none outlives the probe. No DOM: node's test runner
// checks it (tools/probe-lifetime.test.mjs).
globalThis.pivotLensProbeLifetime = (() => {
  "use strict";

  /** A lifetime that ends once `orphaned()` says so, checked by `stopIfOrphaned`. */
  function createLifetime(orphaned) {
    const lifetime = new AbortController();
    const pending = new Set(); // timeouts not yet run
    const undo = []; // what else stopping undoes

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
      undo.push(() => clearInterval(id));
    }
    /** What stopping also undoes (observers, the probe's own host). */
    const atStop = (...work) => undo.push(...work);
    /** Whether this probe is (now) stopped. */
    function stopIfOrphaned() {
      if (!lifetime.signal.aborted && orphaned()) {
        lifetime.abort();
        for (const id of pending) clearTimeout(id);
        for (const work of undo) work();
      }
      return lifetime.signal.aborted;
    }
    return { signal: lifetime.signal, later, cancel, every, atStop, stopIfOrphaned };
  }

  return Object.freeze({ createLifetime });
})();
