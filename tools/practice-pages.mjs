// Builds the practice pages (extension pages, no Sentry access needed) from the same sample pages the
// e2e suite serves: each keeps its markup and its `<!-- URL: https://… -->` comment, and loads the
// page probe, which on an extension page reads that URL instead of its own (extension/content.js).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const PAGES = ["event", "trace-span", "logs"];
const [fixtures, out] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
for (const name of PAGES) {
  const html = readFileSync(join(fixtures, `${name}.html`), "utf8");
  if (!html.includes("<!-- URL: https://") || !html.includes("</body>")) throw new Error(`${name}.html: no URL comment or body`);
  const practice = html
    .replace(/<title>/, "<title>Practice: ")
    .replace("</body>", '<script src="../content.js"></script>\n</body>');
  writeFileSync(join(out, `${name}.html`), practice);
}
