// The page probe's ledger (extension/probe/ledger.js) in node's test runner: what it reports to the
// sidebar, whole or as changes, after reads, re-reads and removals. Run: node --test tests/js/
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import vm from "node:vm";

// The ledger is a classic content script: it leaves its API on globalThis.
const context = vm.createContext({});
vm.runInContext(readFileSync(new URL("../../extension/probe/ledger.js", import.meta.url), "utf8"), context);
const ledger = (limits = { maxFacts: 3, maxValue: 8 }) => context.pivotLensProbeLedger.createLedger(limits);

const fact = (key, value) => ({ source: "testId", key, value, section: "" });
/** Reads `facts` per key (a rule named `tree` read them) and files them in place of `replaced`. */
function read(l, byKey, replaced = Object.keys(byKey)) {
  const { fresh, record } = l.recorder();
  for (const [key, facts] of Object.entries(byKey)) for (const f of facts) record(key, "tree", f);
  l.file(fresh, replaced);
}
const plain = (value) => JSON.parse(JSON.stringify(value)); // across the vm's realm

test("the first report is whole; nothing new, no report", () => {
  const l = ledger();
  read(l, { a: [fact("user.id", "7")], b: [fact("trace", "abc")] });
  assert.deepEqual(plain(l.report()), {
    full: true,
    entries: [[1, [fact("user.id", "7")], []], [2, [fact("trace", "abc")], []]],
    gone: [],
  });
  assert.equal(l.report(), null);
});

test("a re-read reports only a changed entry, under its first id", () => {
  const l = ledger();
  read(l, { a: [fact("user.id", "7")], b: [fact("trace", "abc")] });
  l.report();
  read(l, { a: [fact("user.id", "7")] });
  assert.equal(l.report(), null, "the same facts again are not news");
  read(l, { b: [fact("trace", "def")] });
  assert.deepEqual(plain(l.report()), { full: false, entries: [[2, [fact("trace", "def")], []]], gone: [] });
});

test("a replaced key that read nothing this time is gone, by id", () => {
  const l = ledger();
  read(l, { a: [fact("user.id", "7")], b: [fact("trace", "abc")] });
  l.report();
  read(l, {}, ["a"]);
  assert.deepEqual(plain(l.report()), { full: false, entries: [], gone: [1] });
});

test("entries keep at most maxFacts facts, values cut at maxValue; a rule that threw is named", () => {
  const l = ledger();
  const { fresh, record } = l.recorder();
  for (const value of ["1", "2", "3", "4"]) record("a", "tree", fact("k", value));
  record("a", "tree", fact("k", "")); // empty: not a fact
  record("b", "tree", fact("k", "0123456789abcdef"));
  record("c", "links", null);
  l.file(fresh, []);
  const { entries } = plain(l.report());
  assert.deepEqual(entries[0][1].map((f) => f.value), ["1", "2", "3"]);
  assert.equal(entries[1][1][0].value, "01234567");
  assert.deepEqual(entries[2], [3, [], ["links"]]);
});

test("keys that left the page are forgotten and reported gone", () => {
  const l = ledger();
  read(l, { a: [fact("user.id", "7")], b: [fact("trace", "abc")] });
  l.report();
  l.forgetGone((key) => key !== "b");
  assert.deepEqual(plain(l.report()), { full: false, entries: [], gone: [2] });
});

test("after forgetAll the next report is whole, with only what was read since", () => {
  const l = ledger();
  read(l, { a: [fact("user.id", "7")] });
  l.report();
  l.forgetAll();
  read(l, { c: [fact("span", "s1")] });
  assert.deepEqual(plain(l.report()), { full: true, entries: [[2, [fact("span", "s1")], []]], gone: [] });
});

test("a sidebar that connects again hears everything (wholeNext); the direct recorder files at once", () => {
  const l = ledger();
  const { record } = l.direct();
  record("a", "tree", fact("user.id", "7"));
  assert.deepEqual(plain(l.report()).entries, [[1, [fact("user.id", "7")], []]]);
  assert.equal(l.report(), null);
  l.wholeNext();
  assert.deepEqual(plain(l.report()), { full: true, entries: [[1, [fact("user.id", "7")], []]], gone: [] });
});
