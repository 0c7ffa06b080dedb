// Who may ask the background for what (security.md MSG-2). Pure functions of the message sender
// (set by the browser, not by the sender), so tools/senders.test.mjs checks them under node.

/** A page of this extension (options, sidebar frame), never a content script: its url is the web page. */
export function fromExtensionPage(sender, runtimeId, extensionOrigin) {
  return sender?.id === runtimeId && typeof sender.url === "string" && sender.url.startsWith(extensionOrigin);
}

/**
 * Where the relay forwards an envelope: the sidebar frame's messages go to its tab's top frame
 * (the page probe), the probe's go to the tab (the sidebar frame listens there). Anything else,
 * including a probe posing as the sidebar or a message from another tab-less context, goes nowhere.
 * @returns {{tabId: number, options: {frameId?: number}} | null} the arguments for tabs.sendMessage
 */
export function relayTarget(envelope, sender, runtimeId, sidebarPage) {
  if (sender?.id !== runtimeId || sender.tab?.id === undefined || typeof envelope?.channel !== "string") return null;
  if (envelope.type === "pivot-lens:to-page" && typeof sender.url === "string" && sender.url.startsWith(sidebarPage)) {
    return { tabId: sender.tab.id, options: { frameId: 0 } };
  }
  if (envelope.type === "pivot-lens:page" && sender.frameId === 0) return { tabId: sender.tab.id, options: {} };
  return null;
}
