// Pivot Lens background (Chromium service worker / Firefox event page).
// Every listener is registered synchronously at the top level, so events that wake a stopped
// worker are never missed.
const api = globalThis.browser ?? globalThis.chrome;
const SIDEBAR_PAGE = api.runtime.getURL("sidebar.html");

api.commands.onCommand.addListener(toggleSidebarInActiveTab);
api.runtime.onMessage.addListener(relay);

async function toggleSidebarInActiveTab(command) {
  if (command !== "toggle-sidebar") return;
  const [tab] = await api.tabs.query({ active: true, currentWindow: true });
  if (tab?.id === undefined) return;
  // Tabs without the content script (not a Sentry page) have no receiver: nothing to toggle.
  await api.tabs.sendMessage(tab.id, { type: "pivot-lens:toggle" }, { frameId: 0 }).catch(() => {});
}

/**
 * Relays between a tab's page probe (content.js) and its sidebar frame. Firefox treats an extension
 * frame inside a web page like a content script: it has no tabs API, and runtime messages from the
 * same tab's content script do not reach it, but tabs.sendMessage does. Stateless, so a stopped
 * worker loses nothing.
 */
function relay(envelope, sender) {
  if (sender.id !== api.runtime.id || sender.tab?.id === undefined || typeof envelope?.channel !== "string") return;
  if (envelope.type === "pivot-lens:to-page" && sender.url?.startsWith(SIDEBAR_PAGE)) {
    api.tabs.sendMessage(sender.tab.id, envelope, { frameId: 0 }).catch(() => {});
  } else if (envelope.type === "pivot-lens:page" && sender.frameId === 0) {
    api.tabs.sendMessage(sender.tab.id, envelope).catch(() => {});
  }
}

// Test hook: the e2e suite calls the same handlers the browser would (keyboard commands cannot be
// pressed through WebDriver). It exposes nothing beyond what those events can already do.
globalThis.pivotLens = { toggleSidebarInActiveTab };
