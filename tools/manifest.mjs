// Writes one browser's manifest from the single source manifest.json, keeping only the keys that
// browser uses so that neither warns: Chromium runs a service worker, Firefox an event page.
import { readFileSync, writeFileSync } from "node:fs";

const [source, browser, out] = process.argv.slice(2);
const manifest = JSON.parse(readFileSync(source, "utf8"));
// Docking: Chrome's side panel (a permission) and Firefox's sidebar (a manifest key).
if (browser === "chrome") {
  delete manifest.background.scripts;
  delete manifest.browser_specific_settings;
  delete manifest.sidebar_action;
} else if (browser === "firefox") {
  delete manifest.background.service_worker;
  delete manifest.side_panel;
  manifest.permissions = manifest.permissions.filter((permission) => permission !== "sidePanel");
  delete manifest.storage; // Firefox reads team policies from enterprise policies (3rdparty), not a schema file

} else {
  throw new Error(`unknown browser ${browser}`);
}
writeFileSync(out, `${JSON.stringify(manifest, null, 2)}\n`);
