// The order of the page probe's reports in the sidebar frame (extension/probe-reports.js): a report
// carries only what changed, so a missed one must never be papered over. Run: node --test tests/js/
import { test } from "node:test";
import assert from "node:assert/strict";
import { ProbeReports } from "../../extension/probe-reports.js";

const page = (full, entries = []) => ({ type: "page", url: "https://acme.sentry.io/issues/1/", full, entries, gone: [] });

/** A ProbeReports fed through `read(sequence, message)`, counting the resyncs it asks for. */
function receiver() {
  const reports = new ProbeReports();
  const counts = { resyncs: 0 };
  const read = (sequence, message) => reports.read({ sequence, message }, () => { counts.resyncs += 1; });
  return { read, counts };
}

test("each report reaches the wasm once, as JSON; repeats are dropped", () => {
  const { read, counts } = receiver();
  const full = page(true, [[1, [{ source: "testId", key: "user.id", value: "7", section: "" }], []]]);
  assert.deepEqual(JSON.parse(read(1, full)), full);
  assert.equal(read(1, full), null, "the relay's copy of report 1");
  assert.deepEqual(JSON.parse(read(2, page(false))), page(false));
  assert.equal(read(3, { type: "toggle" }), '{"type":"toggle"}');
  assert.equal(read(2, page(false)), null, "a late copy");
  assert.equal(counts.resyncs, 0);
});

test("after a missed report nothing partial is shown: it asks once for everything and waits for it", () => {
  const { read, counts } = receiver();
  read(1, page(true));
  // Report 2 (say, a container that left the page) never arrives.
  assert.equal(read(3, page(false)), null);
  assert.equal(counts.resyncs, 1);
  assert.equal(read(4, page(false)), null, "still waiting for the full report");
  assert.equal(read(5, { type: "theme", theme: "dark" }), '{"type":"theme","theme":"dark"}', "other messages still pass");
  assert.equal(counts.resyncs, 1, "asked once");
  assert.notEqual(read(6, page(true)), null);
  assert.notEqual(read(7, page(false)), null);
  assert.equal(counts.resyncs, 1);
});

test("a frame that (re)loads while the probe runs ignores reports until the full one its hello asks for", () => {
  const { read, counts } = receiver();
  assert.equal(read(40, page(false)), null);
  assert.notEqual(read(42, page(true)), null);
  assert.notEqual(read(43, page(false)), null);
  assert.equal(counts.resyncs, 0, "its own hello asks already");
});
