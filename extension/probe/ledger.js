// Pivot Lens page probe, the ledger: what was read, per container or loose element (the key), and
// what the sidebar has yet to hear of. The sidebar keeps a copy of the entries by id, so a report
// carries only what changed. Plain data, no DOM: node's test runner checks it
// (tests/js/probe-ledger.test.mjs). probe/main.js reads the page into it.
globalThis.pivotLensProbeLedger = (() => {
  "use strict";

  /** A ledger whose entries hold at most `maxFacts` facts, each value cut at `maxValue`. */
  function createLedger({ maxFacts, maxValue }) {
    const readings = new Map(); // key → { id, facts, failed }
    const unsent = new Set(); // keys whose entry changed since the last report
    let gone = []; // ids of entries dropped since
    let lastId = 0;
    let full = true; // the next report is whole: the first, or after `forgetAll`/`wholeNext`

    /** What an entry tells the sidebar, as text, made when first compared. */
    const signature = (entry) => (entry.signature ??= JSON.stringify([entry.facts, entry.failed]));

    function forget(key) {
      gone.push(readings.get(key).id);
      readings.delete(key);
    }

    /** Collects what rules read into `fresh` (a map of its own unless given), an entry per key;
     * a rule that threw is recorded with no fact. */
    function recorder(fresh = new Map()) {
      return {
        fresh,
        record(key, ruleName, fact) {
          if (!fresh.has(key)) fresh.set(key, { id: ++lastId, facts: [], failed: [] });
          const entry = fresh.get(key);
          if (!fact) entry.failed.push(ruleName);
          else if (typeof fact.value === "string" && fact.value && entry.facts.length < maxFacts) {
            fact.value = fact.value.slice(0, maxValue);
            entry.facts.push(fact);
          }
        },
      };
    }

    return {
      recorder,
      /** Records straight into the ledger (the whole page's first read, reported whole). */
      direct: () => recorder(readings),
      /** The keys read so far. */
      keys: () => readings.keys(),
      /** Files what was read per key, in place of what `replaced` keys held; notes the entries
       * the sidebar has to hear of (new or changed; an entry read again keeps its id). */
      file(fresh, replaced) {
        for (const key of replaced) if (!fresh.has(key) && readings.has(key)) forget(key);
        for (const [key, entry] of fresh) {
          const old = readings.get(key);
          if (old) entry.id = old.id;
          if (!old || signature(old) !== signature(entry)) unsent.add(key);
          readings.set(key, entry);
        }
      },
      /** Drops the entries of keys `present` says have left the page. */
      forgetGone(present) {
        for (const key of readings.keys()) if (!present(key)) forget(key);
      },
      /** Drops everything: the next report is whole. */
      forgetAll() {
        readings.clear();
        unsent.clear();
        gone = [];
        full = true;
      },
      /** The next report is whole (a sidebar that just connected). */
      wholeNext() {
        full = true;
      },
      /** What the sidebar has to hear: `{full, entries: [[id, facts, failed rules]], gone}`, or
       * null when nothing changed. The ledger then counts it as heard. */
      report() {
        if (!full && !unsent.size && !gone.length) return null;
        const entries = [];
        for (const key of full ? readings.keys() : unsent) {
          const entry = readings.get(key);
          if (entry) entries.push([entry.id, entry.facts, entry.failed]);
        }
        const report = { full, entries, gone };
        unsent.clear();
        gone = [];
        full = false;
        return report;
      },
    };
  }

  return { createLedger };
})();
