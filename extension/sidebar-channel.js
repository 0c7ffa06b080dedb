// This frame's line to the page probe, and its error state (shared by the loader, which shows it
// when the sidebar's modules fail to load, and by the sidebar's boot).
//
// Both directions carry a channel and a key. On a page, the channel is the hash of our URL and the
// key is the one the probe posted to the frame it made (sidebar-loader.js); messages go through
// the background's relay (see background.js). Docked in the browser's own panel (`?docked`), this
// page makes both and names them in its hello to the tab in view, which it messages directly.
import { showBootError } from "./boot-error.js";
import "./shared.js"; // globalThis.pivotLensShared: the message names the core sets

const { RUNTIME, TO_PROBE } = globalThis.pivotLensShared.MESSAGES;

export const api = globalThis.browser ?? globalThis.chrome;
export const docked = new URLSearchParams(location.search).has("docked");
export const channel = docked ? crypto.randomUUID() : location.hash.slice(1);

// The probe's own frame has its key at once; a frame without one after this long was not made by
// the probe (a copy a page script framed) and says so instead of loading forever.
const KEY_TIMEOUT_MS = 10_000;
export const frameKey = docked
  ? Promise.resolve(crypto.randomUUID())
  : Promise.race([
    globalThis.pivotLensFrameKey ?? new Promise(() => {}),
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error("This frame was not opened by Pivot Lens on this page.")), KEY_TIMEOUT_MS)),
  ]);

/** Docked: the tab whose page this panel shows (null: none, or not a Sentry page). */
let tabInView = null;
export function showTab(tabId) {
  tabInView = tabId;
}

/** Docked: the tab in view, which requests made for it name (a frame's are its own tab's). */
export const tabShown = () => (docked ? tabInView : undefined);

/** Whether a probe message comes from the page this frame shows. */
export function fromPageInView(sender) {
  return !docked || (sender.tab?.id === tabInView && sender.frameId === 0);
}

export async function toPage(message) {
  const key = await frameKey.catch(() => null);
  if (key === null) return; // the probe would drop it
  const envelope = { type: RUNTIME.TO_PAGE, channel, key, message };
  if (!docked) return api.runtime.sendMessage(envelope).catch(() => {});
  if (tabInView === null) return;
  return api.tabs.sendMessage(tabInView, envelope, { frameId: 0 }).catch(() => {});
}

/** The frame says it could not start, to the user (with a retry) and to the page (`data-pl-state=error`). */
export function fail(error) {
  showBootError(error, () => location.reload());
  toPage({ type: TO_PROBE.ERROR });
}
