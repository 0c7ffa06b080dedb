// Builds the packaged practice pages (extension pages, no Sentry access needed) from their sources in
// extension/practice/, which the e2e suite also serves as fixture pages: each keeps its markup and
// its `<!-- URL: https://… -->` comment, and loads the page probe, which on an extension page reads
// that URL instead of its own (extension/probe/main.js). Their stylesheet, `/__fixtures__/sentry.css`
// on the fixture server, is copied next to them and linked relatively: an extension page cannot
// load /__fixtures__/.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const PAGES = ["event", "trace-span", "logs"];
// The page probe's files, in the order the manifest's content script loads them.
const PROBE = JSON.parse(readFileSync(new URL("../manifest.json", import.meta.url), "utf8")).content_scripts[0].js;
const STYLESHEET = "sentry.css";
const [sources, out] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
copyFileSync(join(sources, STYLESHEET), join(out, STYLESHEET));
for (const name of PAGES) {
  const html = readFileSync(join(sources, `${name}.html`), "utf8");
  if (!html.includes("<!-- URL: https://") || !html.includes("</body>")) throw new Error(`${name}.html: no URL comment or body`);
  const practice = html
    .replace(/<title>/, "<title>Practice: ")
    .replaceAll(/(["'])\/__fixtures__\/sentry\.css\1/g, `$1${STYLESHEET}$1`)
    .replace("</body>", `${PROBE.map((file) => `<script src="../${file}"></script>`).join("\n")}\n</body>`);
  if (practice.includes("/__fixtures__/")) console.warn(`${name}.html: still loads /__fixtures__/ (not on an extension page)`);
  writeFileSync(join(out, `${name}.html`), practice);
}
