// Boots the Leptos glossary page (src/ui/pages/glossary.rs) with the runbook in force (the team's, an
// imported one, or the bundled one).
import init, { mount_glossary } from "./pkg/pages.js";
import { showBootError } from "./boot-error.js";
import { policyAtBoot } from "./team-policy.js";

const api = globalThis.browser ?? globalThis.chrome;

async function start() {
  await init({ module_or_path: new URL("./pkg/pages_bg.wasm", import.meta.url) });
  const [stored, managed] = await Promise.all([api.storage.local.get(["settings", "runbook"]), policyAtBoot(api, () => location.reload())]);
  document.getElementById("boot")?.remove();
  mount_glossary(JSON.stringify({ ...stored, managed }));
}

start().catch((error) => showBootError(error, () => location.reload()));
