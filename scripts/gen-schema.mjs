// Write schema/fqc.schema.json (2020-12) and schema/fqc.draft-07.schema.json from
// the vocabulary (src/config/schema-source.ts, compiled to dist/ by `npm run build`),
// and schema/fqc.config.schema.json (project settings) from src/config/project-config.ts.
// `--check` exits 1 if the committed files are stale instead of writing them.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { buildSchema } = await import(pathToFileURL(path.join(root, "dist/config/schema-source.js")).href);
const { projectConfigSchema } = await import(pathToFileURL(path.join(root, "dist/config/project-config.js")).href);

const outputs = [
  ["schema/fqc.schema.json", buildSchema("2020-12")],
  ["schema/fqc.draft-07.schema.json", buildSchema("draft-07")],
  ["schema/fqc.config.schema.json", projectConfigSchema()],
];
const check = process.argv.includes("--check");
let stale = 0;
mkdirSync(path.join(root, "schema"), { recursive: true });
for (const [rel, schema] of outputs) {
  const file = path.join(root, rel);
  const text = `${JSON.stringify(schema, null, 2)}\n`;
  if (check) {
    let old = "";
    try { old = readFileSync(file, "utf8"); } catch { /* missing counts as stale */ }
    if (old !== text) { stale++; console.error(`${rel} is stale; run npm run build && npm run schema`); }
  } else {
    writeFileSync(file, text);
    console.log(`wrote ${rel}`);
  }
}
if (stale) process.exitCode = 1;
