// Brings the self-hosted content script in line with the settings and the granted origins. The
// decision is Rust's (`self_hosted_plan`, src/core/config/self_hosted.rs); this only gathers its inputs
// and makes the browser calls. Used by the options page and by the background when a grant changes.
import { readManaged } from "./team-policy.js";

export async function syncSelfHosted(api, plan) {
  try {
    await applyPlan(api, plan);
  } catch {
    // The options page and the background both follow a grant made there; a step the other
    // context took first fails here (a duplicate or missing id), and the plan made again is
    // whatever is left to do, if anything.
    await applyPlan(api, plan);
  }
}

async function applyPlan(api, plan) {
  const stored = await api.storage.local.get("settings");
  const managed = await readManaged(api);
  const { origins = [] } = await api.permissions.getAll();
  const registered = await api.scripting.getRegisteredContentScripts();
  const steps = JSON.parse(plan(JSON.stringify(stored), JSON.stringify(managed), JSON.stringify(origins),
    JSON.stringify(registered)));
  for (const step of steps) {
    if (step.op === "unregister") await api.scripting.unregisterContentScripts({ ids: [step.id] });
    else await api.scripting.registerContentScripts([{ ...step.script, runAt: "document_start" }]);
  }
}
