// Boots the Leptos sidebar (wasm) and connects it to this tab's page probe.
// Only plumbing lives here: the sidebar's decisions are made in Rust.
//
// Both directions carry this frame's channel (the hash of our URL; page scripts cannot send extension
// messages) and go through the background's relay (see background.js).
import init, { SidebarApp } from "./pkg/pivot_lens.js";
import { showBootError } from "./boot-error.js";

const api = globalThis.browser ?? globalThis.chrome;
const channel = location.hash.slice(1);

function toPage(message) {
  return api.runtime.sendMessage({ type: "pivot-lens:to-page", channel, message }).catch(() => {});
}

function fail(error) {
  showBootError(error, () => location.reload());
  toPage({ type: "error" });
}

async function start() {
  await init({ module_or_path: new URL("./pkg/pivot_lens_bg.wasm", import.meta.url) });
  const stored = await api.storage.local.get(["sidebar", "runbook", "settings", "tour"]);
  const app = new SidebarApp(JSON.stringify(stored), (message) => toPage(JSON.parse(message)),
    (key, value) => api.storage.local.set({ [key]: JSON.parse(value) }));
  document.getElementById("boot")?.remove();
  let lastSequence = 0;
  api.runtime.onMessage.addListener((envelope, sender) => {
    if (sender.id !== api.runtime.id || envelope?.type !== "pivot-lens:page" || envelope.channel !== channel) return;
    // Chromium delivers the probe's message directly and again through the background's relay.
    if (!(envelope.sequence > lastSequence)) return;
    lastSequence = envelope.sequence;
    try {
      const rendered = app.receive(JSON.stringify(envelope.message));
      // Leptos updates the DOM in a microtask; report "rendered" once that has run.
      if (rendered) setTimeout(() => toPage({ type: "rendered", url: rendered }), 0);
    } catch (error) {
      fail(error);
    }
  });
  await toPage({ type: "hello" });
}

start().catch(fail);
