// This frame's line to its tab's page probe, and its error state (shared by the loader, which
// shows it when the sidebar's modules fail to load, and by the sidebar's boot).
//
// Both directions carry this frame's channel (the hash of our URL; page scripts cannot send extension
// messages) and the key the probe gave this frame (sidebar-loader.js), and go through the
// background's relay (see background.js).
import { showBootError } from "./boot-error.js";

export const api = globalThis.browser ?? globalThis.chrome;
export const channel = location.hash.slice(1);

// The probe's own frame has its key at once; a frame without one after this long was not made by
// the probe (a copy a page script framed) and says so instead of loading forever.
const KEY_TIMEOUT_MS = 10_000;
export const frameKey = Promise.race([
  globalThis.pivotLensFrameKey ?? new Promise(() => {}),
  new Promise((_, reject) =>
    setTimeout(() => reject(new Error("This frame was not opened by Pivot Lens on this page.")), KEY_TIMEOUT_MS)),
]);

export async function toPage(message) {
  const key = await frameKey.catch(() => null);
  if (key === null) return; // the probe would drop it
  return api.runtime.sendMessage({ type: "pivot-lens:to-page", channel, key, message }).catch(() => {});
}

/** The frame says it could not start, to the user (with a retry) and to the page (`data-pl-state=error`). */
export function fail(error) {
  showBootError(error, () => location.reload());
  toPage({ type: "error" });
}
