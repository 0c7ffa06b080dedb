// Boots the Leptos options page. The browser APIs it needs are passed in as one object; every
// decision is made in Rust (src/ui/pages/options/, src/core/).
import init, { mount_options, self_hosted_plan } from "./pkg/pages.js";
import { syncSelfHosted } from "./self-hosted.js";
import { readManaged } from "./team-policy.js";

const api = globalThis.browser ?? globalThis.chrome;
const isFirefox = api.runtime.getURL("").startsWith("moz-extension:");

const platform = {
  browser: isFirefox ? "firefox" : "chrome",
  async write(entries) {
    const parsed = JSON.parse(entries);
    const removed = Object.keys(parsed).filter((key) => parsed[key] === null);
    for (const key of removed) delete parsed[key];
    await api.storage.local.set(parsed);
    await api.storage.local.remove(removed);
  },
  async replace(storage) {
    const next = JSON.parse(storage);
    const old = await api.storage.local.get(null);
    await api.storage.local.set(next);
    await api.storage.local.remove(Object.keys(old).filter((key) => !(key in next)));
  },
  storage: async () => JSON.stringify(await api.storage.local.get(null)),
  requestOrigins: (patterns) => api.permissions.request({ origins: JSON.parse(patterns) }),
  removeOrigins: (patterns) => api.permissions.remove({ origins: JSON.parse(patterns) }),
  grantedOrigins: async () => JSON.stringify((await api.permissions.getAll()).origins ?? []),
  syncSelfHosted: () => syncSelfHosted(api, self_hosted_plan),
  download(name, text) {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    link.download = name;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 0);
  },
  openShortcuts: () => api.tabs.create({ url: isFirefox ? "about:addons" : "chrome://extensions/shortcuts" }),
};

/**
 * Mounts the page. `readPolicy` is the team policy's source: the browser's managed storage, or, in
 * the e2e suite, a seeded policy (tests/e2e/tests/options.rs imports this module and mounts again;
 * options-page.js is the page's own boot).
 */
export async function start(readPolicy = () => readManaged(api)) {
  await init({ module_or_path: new URL("./pkg/pages_bg.wasm", import.meta.url) });
  const stored = await api.storage.local.get(null);
  const managed = await readPolicy();
  document.getElementById("boot")?.remove();
  mount_options(JSON.stringify(stored), JSON.stringify(managed), platform);
}
