// The page probe's size, file by file, for ./build.sh bench: the bytes as shipped, and its code
// (acorn's tokens, one separator each: the size without comments, blank lines and indentation, as a
// minifier that renames nothing would leave it). The probe's files are the manifest's content
// script, less shared.js (generated data). Prints JSON.
//
//   node tools/probe-size.mjs <extension dir>
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tokenizer } from "acorn";

const [dir] = process.argv.slice(2);
const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
const files = manifest.content_scripts[0].js.filter((file) => file !== "shared.js").map((name) => {
  const source = readFileSync(join(dir, name), "utf8");
  let code = 0;
  for (const token of tokenizer(source, { ecmaVersion: "latest" })) code += token.end - token.start + 1;
  return { name, raw: Buffer.byteLength(source), code };
});
console.log(JSON.stringify(files));
