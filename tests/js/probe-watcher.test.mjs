// The page probe's lifetime (extension/probe/lifetime.js) and watcher (extension/probe/watcher.js)
// in node's test runner, the watcher on jsdom with the probe's real rules (their containers): what a
// change on the page asks to be read again, and that a stopped probe leaves no timer or observer.
// Run: node --test tests/js/
import { afterEach, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

const source = (path) => readFileSync(new URL(path, import.meta.url), "utf8");
const PROBE = ["../../target/bindgen/shared.js", "../../extension/probe/dom.js", "../../extension/probe/rules.js", "../../extension/probe/lifetime.js",
  "../../extension/probe/watcher.js"].map(source).join("\n");
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A page holding Sentry's key-value tree (a container of the rules) and a loose link. */
function page() {
  const { window } = new JSDOM(`<body>
    <div data-test-id="attribute-tree-column"><div data-test-id="attribute-tree-row"><span>user.id</span><span id="v">7</span></div></div>
    <p id="loose">nothing yet</p></body>`, { url: "https://acme.sentry.io/issues/1/", runScripts: "outside-only" });
  window.eval(PROBE);
  let orphaned = false;
  const lifetime = window.pivotLensProbeLifetime.createLifetime(() => orphaned);
  const { nearestContainer } = window.pivotLensProbeRules;
  const dom = window.pivotLensProbeDom;
  const flushes = [];
  const sliced = (what, step, done) => {
    while (step());
    done();
  };
  const watcher = window.pivotLensProbeWatcher.createWatcher({
    lifetime, dom, nearestContainer, sliced, flush: () => flushes.push(watcher.take()), urlMaybeChanged: () => {},
  });
  watcher.observe(window.document.body);
  const orphan = () => (orphaned = true);
  pages.push(() => {
    orphan();
    lifetime.stopIfOrphaned();
    window.close();
  });
  return { document: window.document, lifetime, watcher, flushes, orphan };
}
const pages = []; // each stops its probe at the end (its URL poll would keep node running)
afterEach(() => pages.splice(0).forEach((stop) => stop()));

test("an edited value asks for its container to be read again, once, after a quiet moment", async () => {
  const { document, watcher, flushes } = page();
  const row = document.querySelector('[data-test-id="attribute-tree-row"]');
  document.getElementById("v").textContent = "8";
  document.getElementById("v").textContent = "9";
  await wait(200);
  assert.equal(flushes.length, 1);
  // Arrays of the page's realm: compared by their items.
  assert.deepEqual([...flushes[0].containers], [row]);
  assert.deepEqual([...flushes[0].added], []);
  assert.equal(watcher.pending(), false);
});

test("an added element outside any container is read whole; a removal is noted once", async () => {
  const { document, watcher, flushes } = page();
  const link = document.createElement("a");
  link.href = "https://acme.sentry.io/explore/traces/trace/abc/";
  document.getElementById("loose").append(link);
  await wait(200);
  assert.equal(flushes.length, 1);
  assert.ok(flushes[0].added.includes(link), "the new link is read");
  assert.equal(watcher.takeRemovals(), false);
  link.remove();
  await wait(200);
  assert.equal(watcher.takeRemovals(), true);
  assert.equal(watcher.takeRemovals(), false, "taken");
});

test("a stopped probe runs no timer and watches nothing", async () => {
  const { document, lifetime, flushes, orphan } = page();
  let ran = 0;
  lifetime.later(() => (ran += 1), 20);
  document.getElementById("v").textContent = "8"; // a flush is due
  orphan();
  assert.equal(lifetime.stopIfOrphaned(), true);
  assert.equal(lifetime.signal.aborted, true);
  document.getElementById("v").textContent = "9";
  await wait(200);
  assert.equal(ran, 0, "a pending timer was cleared");
  assert.equal(flushes.length, 0, "no change is read after the stop");
});
