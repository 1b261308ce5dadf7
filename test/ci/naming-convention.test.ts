/** One naming convention for config files, *.fqc.json / *.fqc.yaml / *.fqc.yml, everywhere a tool finds them. */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { globSync } from "tinyglobby";
import { parse } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { SCHEMA_ID_DRAFT07 } from "../../src/config/schema-source.js";
import { ACTION_DEFAULT_FILES } from "../helpers/action-steps.js";
import { ROOT, tempDir } from "../helpers/cli.js";

const catalog = JSON.parse(readFileSync(path.join(ROOT, "schemastore/catalog-entry.json"), "utf8"));
const hooks: { id: string; files: string; language: string; entry: string; types_or?: string[] }[] = parse(readFileSync(path.join(ROOT, ".pre-commit-hooks.yaml"), "utf8"));
const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
const PATTERNS = ["*.fqc.json", "*.fqc.yaml", "*.fqc.yml"];

/** SchemaStore fileMatch semantics for patterns without a slash: the glob matches the file's base name. */
const fileMatchRegex = (glob: string) => new RegExp(`^${glob.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]*")}$`);
const matchesCatalog = (file: string) => catalog.fileMatch.some((g: string) => fileMatchRegex(g).test(path.posix.basename(file)));

const SAMPLES = [
  "a.fqc.json", "qat/llama-8da4w.fqc.yaml", "deep/er/w.fqc.yml", ".fqc.json", "x.y.fqc.json", ".config/w.fqc.yaml", // configs
  "a.json", "fqc.json", "fqc.config.json", "a.fqc.json.bak", "a-fqc.json", "a.fqcjson", "a.fqc.jsonc", "a.FQC.json", "a.fqc.yamll", "fqc.yaml/readme.md", // not
];

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("the config file naming convention", () => {
  it("is the SchemaStore catalog entry's fileMatch, with name, description and the draft-07 schema's $id as url", () => {
    expect(catalog.fileMatch).toEqual(PATTERNS);
    expect(Object.keys(catalog).sort()).toEqual(["description", "fileMatch", "name", "url"]);
    expect(catalog.name.length).toBeGreaterThan(0);
    expect(catalog.description.length).toBeGreaterThan(0);
    expect(catalog.url).toBe(SCHEMA_ID_DRAFT07);
    expect(JSON.parse(readFileSync(path.join(ROOT, "schema/fqc.draft-07.schema.json"), "utf8")).$id).toBe(catalog.url);
  });

  it("has a catalog description naming every top-level form the schema takes: a config, a QAT pair and a recipe", () => {
    const schema = JSON.parse(readFileSync(path.join(ROOT, "schema/fqc.draft-07.schema.json"), "utf8"));
    for (const form of ["FakeQuantizeConfig", "pair", "recipe"]) {
      expect(schema.description, form).toContain(form);
      expect(catalog.description, form).toContain(form);
    }
  });

  it("is what every pre-commit hook's files pattern matches, file by file, for JSON and YAML files", () => {
    expect(hooks.map((h) => h.id)).toEqual(["fqc-validate", "fqc-normalize-check", "fqc-normalize"]);
    for (const h of hooks) {
      expect(h.language).toBe("node");
      expect(h.types_or).toEqual(["json", "yaml"]);
      // pre-commit uses Python's re.search on the repository-relative path.
      const re = new RegExp(h.files);
      expect(SAMPLES.filter((f) => re.test(f)), h.id).toEqual(SAMPLES.filter(matchesCatalog));
    }
    expect(SAMPLES.filter(matchesCatalog)).toEqual(SAMPLES.slice(0, 6));
  });

  it("is what the GitHub Action's default files glob finds, as fqc expands it", () => {
    for (const f of SAMPLES) {
      mkdirSync(path.dirname(path.join(tmp.dir, f)), { recursive: true });
      writeFileSync(path.join(tmp.dir, f), "{}");
    }
    const found = globSync(ACTION_DEFAULT_FILES, { cwd: tmp.dir, dot: false, onlyFiles: true, expandDirectories: false });
    // A dot file (".fqc.json") or one in a dot directory is hidden from globs, as everywhere in fqc's glob expansion (the README says so).
    expect(found.sort()).toEqual(SAMPLES.filter(matchesCatalog).filter((f) => !f.split("/").some((part) => part.startsWith("."))).sort());
  });

  it("is the one the README recommends", () => {
    for (const p of PATTERNS) expect(readme).toContain(`\`${p}\``);
    expect(readme).toContain(ACTION_DEFAULT_FILES);
  });
});
