import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RULES } from "../../src/config/rules.js";
import { BEYOND_SCHEMA, SCHEMA_STRICTER, SCHEMA_TORCHAO } from "../../src/config/beyond-schema.js";
import { CANONICAL_KEYS, DEFAULTS, FIELD_DOCS, SHORTHAND_KEYS } from "../../src/config/vocabulary.js";
// @ts-expect-error -- plain ESM script without types
import { renderBeyondSchema, renderFields, renderRules, replaceSection } from "../../scripts/readme-sections.mjs";
import { ROOT, runFqc } from "../helpers/cli.js";

const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");

describe("README", () => {
  it("has the generated field and rule tables and the list of what the linter checks beyond the schema up to date (node scripts/readme-sections.mjs)", () => {
    let expected = replaceSection(readme, "fields", renderFields(FIELD_DOCS, DEFAULTS, CANONICAL_KEYS, SHORTHAND_KEYS));
    expected = replaceSection(expected, "rules", renderRules(RULES));
    expected = replaceSection(expected, "beyond-schema", renderBeyondSchema(BEYOND_SCHEMA, SCHEMA_STRICTER, SCHEMA_TORCHAO));
    expect(readme).toBe(expected);
  });

  it("documents every rule with an anchor for SARIF helpUri links", () => {
    for (const r of RULES) expect(readme).toContain(`<a id="${r.id.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}"></a>`);
  });

  it("shows `fqc --help` exactly as the CLI prints it", () => {
    const r = runFqc(["--help"]);
    expect(readme).toContain(`$ fqc --help\n${r.stdout}`);
  });

  it("shows the broken examples' report exactly as the CLI prints it (paths relative, as typed)", () => {
    const r = runFqc(["validate", "examples/broken/group-size-vs-per-channel.json", "examples/broken/per-token-symmetric.yaml", "examples/broken/typo-group-size.json"]);
    expect(r.code).toBe(1);
    expect(readme).toContain(r.stdout);
  });

  it("shows the report of the demo checkpoint exactly as the CLI prints it", () => {
    const r = runFqc(["report", "examples/llama-tiny/model.safetensors", "-c", "examples/8da4w.json", "-c", "examples/int8-per-channel.json"]);
    expect(r.code).toBe(0);
    expect(readme).toContain(`$ fqc report examples/llama-tiny/model.safetensors -c examples/8da4w.json -c examples/int8-per-channel.json\n${r.stdout}`);
    expect(readme).toContain("](docs/report-demo.png)");
  });

  it("gives every example's $schema as a path an editor loads to a schema file fqc ships (the https $id is not served yet)", () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
    const blocks = [...readme.matchAll(/```(json|yaml)\n([\s\S]*?)```/g)].map((m) => m[2]);
    const named = blocks.flatMap((text) =>
      [...text.matchAll(/"\$schema": "([^"]*)"|\$schema=(\S+)/g)].map((m) => ({ text, url: m[1] ?? m[2] })));
    expect(named.length).toBeGreaterThanOrEqual(4);
    for (const { text, url } of named) {
      expect(url, url).not.toMatch(/^[a-z][a-z0-9+.-]*:/i);
      // In a user's project, beside node_modules; or, like the README's copies of examples/, from examples/.
      const installed = /^(?:\.\.?\/)+node_modules\/fqc\/(.+)$/.exec(url);
      const shipped = installed ? installed[1] : path.posix.relative(".", path.posix.join("examples", url));
      expect(existsSync(path.join(ROOT, shipped)), url).toBe(true);
      expect(pkg.files.some((f: string) => shipped.startsWith(f)), url).toBe(true);
      // The project settings (a "rules" key) have a schema of their own.
      expect(path.basename(shipped), url).toBe(text.includes('"rules"') ? "fqc.config.schema.json" : "fqc.schema.json");
    }
  });

  it("keeps the two-command quick start", () => {
    const quick = readme.split("## Quick start")[1]?.split("\n## ")[0] ?? "";
    expect(quick).toContain("npm ci && npm run demo");
    expect(quick).toContain("npm test");
  });
});
