// Pivot Lens background (Chromium service worker / Firefox event page).
// Every listener is registered synchronously at the top level, so events that wake a stopped
// worker are never missed.
import init, { self_hosted_plan } from "./pkg/pivot_lens.js";
import { syncSelfHosted } from "./self-hosted.js";

const api = globalThis.browser ?? globalThis.chrome;
const SIDEBAR_PAGE = api.runtime.getURL("sidebar.html");

api.commands.onCommand.addListener(toggleSidebarInActiveTab);
api.runtime.onMessage.addListener(relay);
api.permissions.onRemoved.addListener(unregisterRevokedOrigins);

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

/** A self-hosted origin revoked in the browser's settings: its content script goes too. */
async function unregisterRevokedOrigins() {
  await init({ module_or_path: new URL("./pkg/pivot_lens_bg.wasm", import.meta.url) });
  await syncSelfHosted(api, self_hosted_plan);
}

// Test hook: the e2e suite calls the same handlers the browser would (keyboard commands cannot be
// pressed through WebDriver). It exposes nothing beyond what those events can already do.
globalThis.pivotLens = { toggleSidebarInActiveTab };
