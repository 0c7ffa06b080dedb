// The background's sender checks (extension/senders.js): a content script, another extension or a
// web page cannot use the extension-page messages or steer the relay. Run: node --test tools/
import { test } from "node:test";
import assert from "node:assert/strict";
import { fromExtensionPage, relayTarget } from "../extension/senders.js";

const ID = "pivot-lens-id";
const ORIGIN = "chrome-extension://pivot-lens-id/";
const SIDEBAR = `${ORIGIN}sidebar.html`;
const PAGE = "https://acme.sentry.io/issues/1/";
const tab = { id: 7 };

const contentScript = { id: ID, url: PAGE, tab, frameId: 0 };
const sidebarFrame = { id: ID, url: `${SIDEBAR}#channel`, tab, frameId: 3 };
const optionsPage = { id: ID, url: `${ORIGIN}options.html` };

test("only extension pages may send the classify and test messages", () => {
  assert.equal(fromExtensionPage(optionsPage, ID, ORIGIN), true);
  assert.equal(fromExtensionPage(sidebarFrame, ID, ORIGIN), true);
  assert.equal(fromExtensionPage(contentScript, ID, ORIGIN), false, "a content script (its url is the page)");
  for (const url of [`${PAGE}#${ORIGIN}`, "chrome-extension://other-id/options.html", "https://evil.test/chrome-extension://pivot-lens-id/", undefined, 42]) {
    assert.equal(fromExtensionPage({ id: ID, url, tab }, ID, ORIGIN), false, String(url));
  }
  assert.equal(fromExtensionPage({ ...optionsPage, id: "another-extension" }, ID, ORIGIN), false);
  assert.equal(fromExtensionPage(undefined, ID, ORIGIN), false);
});

test("the relay forwards the sidebar's messages to its tab's page and the page's to its tab", () => {
  const toPage = { type: "pivot-lens:to-page", channel: "c", message: {} };
  const fromPage = { type: "pivot-lens:page", channel: "c", message: {} };
  assert.deepEqual(relayTarget(toPage, sidebarFrame, ID, SIDEBAR), { tabId: 7, options: { frameId: 0 } });
  assert.deepEqual(relayTarget(fromPage, contentScript, ID, SIDEBAR), { tabId: 7, options: {} });
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
    [{ ...fromPage, channel: 5 }, contentScript, "no channel"],
    [{ type: "pivot-lens:classify", channel: "c" }, contentScript, "another message type"],
    [null, contentScript, "no envelope"],
  ];
  for (const [envelope, sender, why] of forged) assert.equal(relayTarget(envelope, sender, ID, SIDEBAR), null, why);
});
