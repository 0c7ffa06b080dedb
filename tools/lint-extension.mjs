// Fails when a built package asks for more than docs/permissions.md allows, ships an HTML sink the
// allowlist does not name, or makes web-ext lint report an error or an unlisted warning; or when
// the extension's own JS uses a name before its declaration (functions aside: they are hoisted).
import { readFileSync, readdirSync, statSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";

const [dist] = process.argv.slice(2);
if (!dist) {
  console.error("usage: node tools/lint-extension.mjs <dist folder with chrome/ and firefox/>");
  process.exit(2);
}
const doc = readFileSync(new URL("../docs/permissions.md", import.meta.url), "utf8");
const allow = JSON.parse(doc.match(/```json\n([\s\S]*?)```/)[1]);
const problems = [];
const outside = (list, allowed, what) => {
  for (const item of list ?? []) if (!allowed.includes(item)) problems.push(`${what} not in docs/permissions.md: ${item}`);
};

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

for (const browser of ["chrome", "firefox"]) {
  const dir = join(dist, browser);
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
  outside(manifest.permissions, allow.permissions, `${browser}: permission`);
  outside(manifest.host_permissions, allow.host_permissions, `${browser}: host permission`);
  outside(manifest.optional_host_permissions, allow.optional_host_permissions, `${browser}: optional host permission`);
  // Exactly as listed: which files, to which origins, and only at the per-session URL (MAN-7).
  if (JSON.stringify(manifest.web_accessible_resources) !== JSON.stringify(allow.web_accessible_resources)) {
    problems.push(`${browser}: web_accessible_resources differ from docs/permissions.md: ${JSON.stringify(manifest.web_accessible_resources)}`);
  }
  if (manifest.content_security_policy?.extension_pages !== allow.extension_pages_csp) {
    problems.push(`${browser}: extension_pages CSP is ${JSON.stringify(manifest.content_security_policy)}`);
  }
  for (const file of files(dir).filter((f) => f.endsWith(".js"))) {
    const name = relative(dir, file);
    const source = readFileSync(file, "utf8");
    const sinks = (source.match(/\b(innerHTML|outerHTML|insertAdjacentHTML|document\.write)\b/g) ?? []).length;
    if (sinks !== (allow.inner_html_uses[name] ?? 0)) problems.push(`${browser}: ${name} has ${sinks} HTML sink(s)`);
    if (/\beval\s*\(|\bnew\s+Function\s*\(/.test(source)) problems.push(`${browser}: ${name} evaluates code`);
    // The e2e hooks live in tests/e2e/extension/ and only the tests' copy carries them.
    if (source.includes("pivot-lens:test-")) problems.push(`${browser}: ${name} answers a test hook`);
  }
}

const sources = fileURLToPath(new URL("../extension/", import.meta.url));
const eslint = new ESLint({
  cwd: sources,
  overrideConfigFile: true,
  overrideConfig: {
    languageOptions: { ecmaVersion: "latest", sourceType: "module" },
    rules: { "no-use-before-define": ["error", { functions: false }] },
  },
});
for (const result of await eslint.lintFiles(["*.js", "probe/*.js"])) {
  for (const m of result.messages) problems.push(`extension/${relative(sources, result.filePath)}:${m.line}: ${m.message}`);
}

const report = JSON.parse(execFileSync("node_modules/.bin/web-ext",
  ["lint", "--source-dir", join(dist, "firefox"), "--output=json"], { encoding: "utf8" }));
for (const error of report.errors) problems.push(`web-ext error ${error.code}: ${error.message}`);
const warnings = {};
for (const w of report.warnings) warnings[`${w.code}:${w.file}`] = (warnings[`${w.code}:${w.file}`] ?? 0) + 1;
for (const [key, count] of Object.entries(warnings)) {
  if (count > (allow.web_ext_warnings[key] ?? 0)) problems.push(`web-ext warning ${key} ×${count} is not allowed`);
}

if (problems.length) {
  console.error(problems.map((p) => `  ✗ ${p}`).join("\n"));
  process.exit(1);
}
console.log(`extension lint: both manifests within docs/permissions.md; web-ext: 0 errors, ${report.warnings.length} allowed warning(s)`);
