// Pivot Lens background (Chromium service worker / Firefox event page).
// Every listener is registered synchronously at the top level, so events that wake a stopped
// worker are never missed; handlers that need the Rust core await it.
import init, { api_request_json, classify_selection_json, menu_click_json, menu_entries_json, self_hosted_plan } from "./pkg/pages.js";
import { syncSelfHosted } from "./self-hosted.js";
import { policyAtBoot } from "./team-policy.js";
import { fromExtensionPage, relayTarget } from "./senders.js";
import "./shared.js"; // globalThis.pivotLensShared: the limits and message names the core sets

const api = globalThis.browser ?? globalThis.chrome;
const MENU_PARENT = "pivot-lens";
// UTF-16 units: above this the text is not even handed to the core, which has a limit of its own.
const { MAX_SELECTION_UNITS, MESSAGES: { RUNTIME } } = globalThis.pivotLensShared;

api.commands.onCommand.addListener(toggleSidebar);
api.runtime.onMessage.addListener(relay);
api.runtime.onMessage.addListener(answerExtensionPage);
api.runtime.onInstalled.addListener(registerMenu);
api.runtime.onStartup.addListener(registerMenu);
api.storage.onChanged.addListener(reregisterMenuOnRunbookChange);
api.contextMenus.onClicked.addListener(openFollowUp);
// Firefox only: narrow the fixed entries to those that fit the selection (Chrome has no onShown).
api.contextMenus.onShown?.addListener(showFittingEntries);
api.tabs.onUpdated.addListener(offerThePanelOnSentryTabs);
api.runtime.onInstalled.addListener(panelOnlyOnSentryTabs);
api.runtime.onStartup.addListener(panelOnlyOnSentryTabs);
api.storage.onChanged.addListener(rememberDockedChoice);
api.permissions.onAdded.addListener(followGrantedOrigins);
api.permissions.onRemoved.addListener(followGrantedOrigins);

let coreReady;
/** Loads the wasm core once, on first use; a failed load is retried by the next event. */
function core() {
  coreReady ??= init({ module_or_path: new URL("./pkg/pages_bg.wasm", import.meta.url) }).catch((error) => {
    coreReady = undefined;
    throw error;
  });
  return coreReady;
}

let teamPolicy; // read once per wake, without waiting on storage.managed (team-policy.js)

function teamPolicyChanged() {
  teamPolicy = undefined;
  registerMenu();
}

/**
 * What decides the settings and runbook in force, as the core reads it (`StoredConfig`): the
 * stored settings and imported runbook, and the team policy, which wins where it locks.
 */
async function storedConfig() {
  teamPolicy ??= policyAtBoot(api, teamPolicyChanged);
  const [stored, managed] = await Promise.all([api.storage.local.get(["settings", "runbook"]), teamPolicy, core()]);
  return JSON.stringify({ ...stored, managed });
}

function usableSelection(text) {
  return typeof text === "string" && text.length <= MAX_SELECTION_UNITS;
}

async function classify(text, tabUrl) {
  if (!usableSelection(text)) return { kinds: [], items: [], needsOrg: false };
  return JSON.parse(classify_selection_json(text, await storedConfig(), tabUrl ?? ""));
}

let menuRegistration = Promise.resolve();
/**
 * One parent entry on selections with a fixed child per follow-up. Rebuilt from scratch and
 * serialised, so onInstalled, onStartup and a runbook change never collide on duplicate ids.
 */
function registerMenu() {
  menuRegistration = menuRegistration.then(createMenu, createMenu);
  return menuRegistration;
}

async function createMenu() {
  const config = await storedConfig();
  await api.contextMenus.removeAll();
  const create = (properties) =>
    new Promise((resolve) => api.contextMenus.create(properties, () => resolve(api.runtime.lastError)));
  await create({ id: MENU_PARENT, title: "Pivot Lens", contexts: ["selection"] });
  for (const entry of JSON.parse(menu_entries_json(config))) {
    await create({ id: entry.id, parentId: MENU_PARENT, title: entry.title, contexts: ["selection"] });
  }
}

function reregisterMenuOnRunbookChange(changes, area) {
  // A new policy is read as at boot, never with a timeout's {} kept: Chromium's read right after a
  // policy loads can take seconds, and a background that kept {} missed the team policy for good
  // (the managed-policy e2e, 2 of 5 full runs; the browser and the extension's pages had it).
  if (area === "managed") teamPolicyChanged();
  else if (area === "local" && "runbook" in changes) registerMenu();
}

/** A menu click: open the follow-up next to the tab, or explain on the options page why not. */
async function openFollowUp(info, tab) {
  if (!usableSelection(info.selectionText)) return;
  const answer = await classify(info.selectionText, tab?.url);
  const action = JSON.parse(menu_click_json(String(info.menuItemId), JSON.stringify(answer)));
  const url = action.open ?? api.runtime.getURL(`options.html?reason=${encodeURIComponent(action.explain)}`);
  const placement = tab?.id === undefined ? {} : { index: tab.index + 1, openerTabId: tab.id };
  await api.tabs.create({ url, ...placement });
}

async function showFittingEntries(info, tab) {
  if (!info.contexts.includes("selection")) return;
  // Firefox gives the selection only on pages the extension has host access to (Sentry); elsewhere
  // every entry stays visible and the click decides.
  const known = usableSelection(info.selectionText);
  const [answer, config] = await Promise.all([known ? classify(info.selectionText, tab?.url) : null, storedConfig()]);
  const offered = new Set(answer?.items.map((item) => item.id));
  for (const entry of JSON.parse(menu_entries_json(config))) {
    // With nothing to open the parent stays alone and its click explains why (no org, a secret).
    await api.contextMenus.update(entry.id, { visible: !known || offered.has(entry.id) });
  }
  api.contextMenus.refresh();
}

/** Requests of sidebar frames still waiting, by `<tab id>:<request id>`, so a closed panel or a new page can abort them. */
const apiReadsInFlight = new Map();

/**
 * What extension pages may ask, by message type (never a content script: its sender.url is the web
 * page). Each answers through `sendResponse` and returns true while it has yet to.
 */
const ANSWERS = Object.assign(Object.create(null), {
  [RUNTIME.CLASSIFY](message, sender, sendResponse) {
    if (typeof message.text !== "string") return;
    classify(message.text, sender.tab?.url).then(
      ({ kinds, items }) => sendResponse({ kinds, items }),
      () => sendResponse({ kinds: [], items: [] }),
    );
    return true;
  },
  [RUNTIME.API_GET](message, sender, sendResponse) {
    if (typeof message.url !== "string" || typeof message.id !== "string") return;
    sentryApiGet(message, sender).then(sendResponse, () => sendResponse({ failure: "unreachable" }));
    return true;
  },
  [RUNTIME.API_ABORT](message, sender) {
    if (!Array.isArray(message.ids)) return;
    for (const id of message.ids) apiReadsInFlight.get(`${sidebarTab(message, sender)}:${id}`)?.abort("aborted");
  },
  [RUNTIME.DOCK](message, sender, sendResponse) {
    if (sender.tab?.id === undefined) return;
    // Firefox opens its sidebar only from its own controls: the sidebar says how instead.
    if (!api.sidePanel) return sendResponse({ docked: false });
    // Called at once: Chrome opens its panel only while the click's user gesture lasts.
    api.sidePanel.open({ tabId: sender.tab.id }).then(
      () => setDocked(true).then(() => sendResponse({ docked: true })),
      () => sendResponse({ docked: false }),
    );
    return true;
  },
  [RUNTIME.DOCK_CHOSEN]: (message, sender, sendResponse) => chooseDocked(true, sendResponse),
  [RUNTIME.UNDOCK]: (message, sender, sendResponse) => chooseDocked(false, sendResponse),
});

function chooseDocked(on, sendResponse) {
  setDocked(on).then(() => sendResponse({ done: true }));
  return true;
}

function answerExtensionPage(message, sender, sendResponse) {
  if (!fromExtensionPage(sender, api.runtime.id) || !message || typeof message !== "object") return;
  return ANSWERS[message.type]?.(message, sender, sendResponse);
}

/**
 * A GET of Sentry's API for a sidebar frame (core::sentry_api decides what to ask). Only what the
 * core allows for the frame's tab (that page's Sentry and its region, while the setting in force is
 * on), with the engineer's cookies and no header of ours, within the core's time and size limits.
 * Runs here because only the background's requests carry the Sentry session (docs/sentry-api.md).
 * @returns {Promise<{status, body, retryAfter, rateLimitReset} | {failure: string}>}
 */
async function sentryApiGet(message, sender) {
  const { id, url } = message;
  const tabId = sidebarTab(message, sender);
  const tabUrl = sender.tab?.url ?? (tabId === undefined ? "" : (await api.tabs.get(tabId).catch(() => ({}))).url);
  const limits = JSON.parse(api_request_json(url, tabUrl ?? "", await storedConfig()));
  if (limits.refused) return { failure: "refused" };
  const key = `${tabId}:${id}`;
  const controller = new AbortController();
  apiReadsInFlight.set(key, controller);
  const timer = setTimeout(() => controller.abort("timeout"), limits.timeoutMs);
  try {
    const response = await fetch(url, {
      method: "GET",
      credentials: "include",
      redirect: "error",
      cache: "no-store",
      referrerPolicy: "no-referrer",
      signal: controller.signal,
    });
    const body = await textWithin(response, limits.maxBytes);
    if (body === null) return { failure: "too-large" };
    const header = (name) => response.headers.get(name) ?? undefined;
    return { status: response.status, body, retryAfter: header("Retry-After"), rateLimitReset: header("X-Sentry-Rate-Limit-Reset") };
  } catch {
    const reason = controller.signal.reason;
    return { failure: reason === "timeout" ? "timeout" : reason === "aborted" ? "aborted" : "unreachable" };
  } finally {
    clearTimeout(timer);
    apiReadsInFlight.delete(key);
  }
}

/** The body as text, or null (and the rest not downloaded) once it passes `maxBytes`. */
async function textWithin(response, maxBytes) {
  if (Number(response.headers.get("Content-Length")) > maxBytes || !response.body) {
    response.body?.cancel().catch(() => {});
    return response.body ? null : "";
  }
  const reader = response.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const decoder = new TextDecoder();
  return chunks.map((chunk) => decoder.decode(chunk, { stream: true })).join("") + decoder.decode();
}

/**
 * The tab a sidebar's request is for: the frame's own tab, or, for the docked panel (an extension
 * page outside any tab), the tab it shows, which it names.
 */
function sidebarTab(message, sender) {
  return sender.tab?.id ?? (Number.isInteger(message.tabId) ? message.tabId : undefined);
}

// ---- Docking (the browser's own panel instead of a frame on the page).

/** The engineer's choice, kept here so the keyboard command can act while its gesture lasts. */
let dockedChoice = null;
api.storage.local.get("settings").then(({ settings }) => (dockedChoice ??= settings?.sidebar?.docked === true), () => {});

function rememberDockedChoice(changes, area) {
  if (area === "local" && "settings" in changes) dockedChoice = changes.settings.newValue?.sidebar?.docked === true;
}

async function setDocked(docked) {
  const { settings = {} } = await api.storage.local.get("settings");
  if ((settings.sidebar?.docked === true) === docked) return;
  await api.storage.local.set({ settings: { ...settings, sidebar: { ...settings.sidebar, docked } } });
}

const PANEL = "sidebar.html?docked";

// Chrome: the windows where Pivot Lens's side panel is open (with the tab it was opened for), so
// the command closes what it would open. Seeded on wake from `runtime.getContexts`, which answers
// after the command that woke the worker: that one press opens (a no-op on an open panel).
const openPanels = new Map(); // windowId → { tabId }
if (api.sidePanel?.onOpened) {
  api.sidePanel.onOpened.addListener(({ windowId, tabId }) => openPanels.set(windowId, { tabId }));
  api.sidePanel.onClosed.addListener(({ windowId }) => openPanels.delete(windowId));
  api.runtime.getContexts({ contextTypes: ["SIDE_PANEL"] }).then((contexts) => {
    for (const { windowId, tabId } of contexts) {
      if (!openPanels.has(windowId)) openPanels.set(windowId, { tabId: tabId >= 0 ? tabId : undefined });
    }
  }, () => {});
}

/** Chrome: the side panel exists only on Sentry tabs (off for the window, on per tab). */
async function panelOnlyOnSentryTabs() {
  if (!api.sidePanel) return;
  await api.sidePanel.setOptions({ enabled: false });
  for (const tab of await api.tabs.query({})) offerThePanelOnSentryTabs(tab.id, { url: tab.url }, tab);
}

/** A tab whose URL we may read (sentry.io, a granted self-hosted Sentry) is a Sentry tab. */
function offerThePanelOnSentryTabs(tabId, change, tab) {
  if (!api.sidePanel || (change.url === undefined && change.status !== "loading")) return;
  const sentry = typeof tab.url === "string" && tab.url.startsWith("https://");
  api.sidePanel.setOptions({ tabId, path: PANEL, enabled: sentry }).catch(() => {});
}

/** The keyboard command; browsers pass the tab it was pressed in (older ones do not: ask). */
async function toggleSidebar(command, tab) {
  if (command !== "toggle-sidebar") return;
  if (dockedChoice) {
    // At once, while the key press still counts as the user's (closing needs no gesture).
    if (api.sidebarAction) return api.sidebarAction.toggle().catch(() => {});
    const open = tab && openPanels.get(tab.windowId);
    if (open) return api.sidePanel.close(open.tabId === undefined ? { windowId: tab.windowId } : { tabId: open.tabId }).catch(() => {});
    if (tab?.id !== undefined) return api.sidePanel.open({ tabId: tab.id }).catch(() => {});
  }
  tab ??= (await api.tabs.query({ active: true, currentWindow: true }))[0];
  if (tab?.id === undefined) return;
  // Tabs without the content script (not a Sentry page) have no receiver: nothing to toggle.
  await api.tabs.sendMessage(tab.id, { type: RUNTIME.TOGGLE }, { frameId: 0 }).catch(() => {});
}

/**
 * Relays between a tab's page probe (probe/channel.js) and its sidebar frame. Firefox treats an extension
 * frame inside a web page like a content script: it has no tabs API, and runtime messages from the
 * same tab's content script do not reach it, but tabs.sendMessage does. Stateless, so a stopped
 * worker loses nothing.
 */
function relay(envelope, sender) {
  const target = relayTarget(envelope, sender, api.runtime.id);
  if (!target) return;
  api.tabs.sendMessage(target.tabId, envelope, target.options).catch(() => {});
}

/**
 * A self-hosted origin granted or revoked outside the options page (the browser's own extension
 * settings): its content script comes or goes with it.
 */
async function followGrantedOrigins() {
  await core();
  await syncSelfHosted(api, self_hosted_plan);
}

// The handlers of browser events WebDriver cannot raise (keyboard commands, context menus), for the
// e2e suite's hooks (tests/e2e/extension/test-hooks.js), which only the tests' copy of the extension
// carries.
export { openFollowUp, registerMenu, toggleSidebar };
