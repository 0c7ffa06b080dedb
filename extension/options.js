// Boots the Leptos options page. Storage access is passed in as callbacks; decisions are in Rust.
import init, { mount_options } from "./pkg/pivot_lens.js";
import { showBootError } from "./boot-error.js";

const api = globalThis.browser ?? globalThis.chrome;

async function start() {
  await init({ module_or_path: new URL("./pkg/pivot_lens_bg.wasm", import.meta.url) });
  const stored = await api.storage.local.get(null);
  document.getElementById("boot")?.remove();
  mount_options(JSON.stringify(stored), (key, value) => api.storage.local.set({ [key]: JSON.parse(value) }));
}

start().catch((error) => showBootError(error, () => location.reload()));
