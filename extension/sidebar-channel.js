// This frame's line to its tab's page probe, and its error state (shared by the loader, which
// shows it when the sidebar's modules fail to load, and by the sidebar's boot).
//
// Both directions carry this frame's channel (the hash of our URL; page scripts cannot send extension
// messages) and go through the background's relay (see background.js).
import { showBootError } from "./boot-error.js";

export const api = globalThis.browser ?? globalThis.chrome;
export const channel = location.hash.slice(1);

export function toPage(message) {
  return api.runtime.sendMessage({ type: "pivot-lens:to-page", channel, message }).catch(() => {});
}

/** The frame says it could not start, to the user (with a retry) and to the page (`data-pl-state=error`). */
export function fail(error) {
  showBootError(error, () => location.reload());
  toPage({ type: "error" });
}
