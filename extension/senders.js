// Who may ask the background for what (security.md MSG-2). Pure functions of the message sender
// (set by the browser, not by the sender), so tests/js/senders.test.mjs checks them under node.

const EXTENSION_SCHEMES = new Set(["chrome-extension:", "moz-extension:"]);
// The message names the core sets (shared.js, which the importer loads first).
const names = () => globalThis.pivotLensShared.MESSAGES.RUNTIME;

/**
 * The URL of the sender when it is a page of this extension, else null. Its origin is not
 * compared with `runtime.getURL("")`: Chromium serves the sidebar frame at a per-session dynamic
 * origin (`use_dynamic_url`, MAN-7) that the background's `getURL` does not return. `sender.id` is
 * ours for our pages and content scripts alone, and a content script's url is the web page's.
 */
function extensionPage(sender, runtimeId) {
  if (sender?.id !== runtimeId || typeof sender.url !== "string") return null;
  try {
    const url = new URL(sender.url);
    return EXTENSION_SCHEMES.has(url.protocol) ? url : null;
  } catch {
    return null;
  }
}

/** A page of this extension (options, sidebar frame), never a content script. */
export function fromExtensionPage(sender, runtimeId) {
  return extensionPage(sender, runtimeId) !== null;
}

/**
 * Where the relay forwards an envelope: the sidebar frame's messages go to its tab's top frame
 * (the page probe), the probe's go to the tab (the sidebar frame listens there). Anything else,
 * including a probe posing as the sidebar or a message from another tab-less context, goes nowhere.
 * @returns {{tabId: number, options: {frameId?: number}} | null} the arguments for tabs.sendMessage
 */
export function relayTarget(envelope, sender, runtimeId) {
  if (sender?.id !== runtimeId || sender.tab?.id === undefined || typeof envelope?.channel !== "string") return null;
  if (envelope.type === names().TO_PAGE && extensionPage(sender, runtimeId)?.pathname === "/sidebar.html") {
    return { tabId: sender.tab.id, options: { frameId: 0 } };
  }
  if (envelope.type === names().PAGE && sender.frameId === 0) return { tabId: sender.tab.id, options: {} };
  return null;
}
