// The background's sender checks (extension/senders.js): a content script, another extension or a
// web page cannot use the extension-page messages or steer the relay. Run: node --test tests/js/
import { test } from "node:test";
import assert from "node:assert/strict";
import "../../target/bindgen/shared.js"; // the message names the build generates from the core
import { fromExtensionPage, relayTarget } from "../../extension/senders.js";

const ID = "pivot-lens-id";
const ORIGIN = "chrome-extension://pivot-lens-id/";
const SIDEBAR = `${ORIGIN}sidebar.html`;
const PAGE = "https://acme.sentry.io/issues/1/";
const tab = { id: 7 };

const contentScript = { id: ID, url: PAGE, tab, frameId: 0 };
const sidebarFrame = { id: ID, url: `${SIDEBAR}#channel`, tab, frameId: 3 };
const optionsPage = { id: ID, url: `${ORIGIN}options.html` };
// Chromium serves the web-accessible sidebar at a per-session origin (use_dynamic_url).
const dynamicFrame = { id: ID, url: "chrome-extension://5f0c3e1a-2b4d-4c6e-8f90-123456789abc/sidebar.html#channel", tab, frameId: 4 };

test("only extension pages may send the classify and test messages", () => {
  assert.equal(fromExtensionPage(optionsPage, ID), true);
  assert.equal(fromExtensionPage(sidebarFrame, ID), true);
  assert.equal(fromExtensionPage(dynamicFrame, ID), true, "the sidebar at its dynamic origin");
  assert.equal(fromExtensionPage(contentScript, ID), false, "a content script (its url is the page)");
  for (const url of [`${PAGE}#${ORIGIN}`, "javascript:chrome-extension://x/", "https://evil.test/chrome-extension://pivot-lens-id/", undefined, 42]) {
    assert.equal(fromExtensionPage({ id: ID, url, tab }, ID), false, String(url));
  }
  assert.equal(fromExtensionPage({ ...optionsPage, id: "another-extension" }, ID), false);
  assert.equal(fromExtensionPage(undefined, ID), false);
});

test("the relay forwards the sidebar's messages to its tab's page and the page's to its tab", () => {
  const toPage = { type: "pivot-lens:to-page", channel: "c", message: {} };
  const fromPage = { type: "pivot-lens:page", channel: "c", message: {} };
  assert.deepEqual(relayTarget(toPage, sidebarFrame, ID), { tabId: 7, options: { frameId: 0 } });
  assert.deepEqual(relayTarget(fromPage, contentScript, ID), { tabId: 7, options: {} });
  assert.deepEqual(relayTarget(toPage, dynamicFrame, ID), { tabId: 7, options: { frameId: 0 } });
});

test("the relay ignores forgeries", () => {
  const toPage = { type: "pivot-lens:to-page", channel: "c", message: {} };
  const fromPage = { type: "pivot-lens:page", channel: "c", message: {} };
  const forged = [
    [toPage, contentScript, "a content script posing as the sidebar"],
    [fromPage, { ...contentScript, frameId: 2 }, "a probe in a sub-frame"],
    [fromPage, { ...contentScript, id: "another-extension" }, "another extension"],
    [fromPage, { ...contentScript, tab: undefined }, "no tab"],
    [toPage, { ...optionsPage }, "an extension page outside a tab"],
    [toPage, { ...optionsPage, tab }, "another page of ours in a tab"],
    [toPage, { ...contentScript, url: `${PAGE}sidebar.html` }, "a web page named like the sidebar"],
    [{ ...fromPage, channel: 5 }, contentScript, "no channel"],
    [{ type: "pivot-lens:classify", channel: "c" }, contentScript, "another message type"],
    [null, contentScript, "no envelope"],
  ];
  for (const [envelope, sender, why] of forged) assert.equal(relayTarget(envelope, sender, ID), null, why);
});
