// Boots the Leptos sidebar (wasm) and connects it to this tab's page probe.
// Only plumbing lives here: the sidebar's decisions are made in Rust.
//
// Both directions carry this frame's channel (the hash of our URL; page scripts cannot send extension
// messages) and go through the background's relay (see background.js).
import init, { SidebarApp } from "./pkg/pivot_lens.js";
import { showBootError } from "./boot-error.js";
import { readManaged } from "./team-policy.js";

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
  // Everything: investigations live under one key per record and per step (see investigation.rs).
  const stored = await api.storage.local.get(null);
  stored.managed = await readManaged(api);
  const app = new SidebarApp(JSON.stringify(stored), (message) => toPage(JSON.parse(message)),
    (key, value) => api.storage.local.set({ [key]: JSON.parse(value) }));
  api.storage.onChanged.addListener((changes, area) => {
    if (area !== "local") return;
    const values = Object.fromEntries(Object.entries(changes).map(([key, change]) => [key, change.newValue ?? null]));
    app.storage_changed(JSON.stringify(values));
  });
  app.connect_storage(async (json) => {
    const { set, remove } = JSON.parse(json);
    if (Object.keys(set).length) await api.storage.local.set(set);
    if (remove.length) await api.storage.local.remove(remove);
  });
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
