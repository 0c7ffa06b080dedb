// Boots the Leptos glossary page (src/ui/glossary.rs) with the imported runbook, if any.
import init, { mount_glossary } from "./pkg/pages.js";
import { showBootError } from "./boot-error.js";

const api = globalThis.browser ?? globalThis.chrome;

async function start() {
  await init({ module_or_path: new URL("./pkg/pages_bg.wasm", import.meta.url) });
  const stored = await api.storage.local.get(["runbook"]);
  document.getElementById("boot")?.remove();
  mount_glossary(JSON.stringify(stored));
}

start().catch((error) => showBootError(error, () => location.reload()));
