import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { validate } from "../../src/config/validate.js";
import { ROOT } from "../helpers/cli.js";
import { USE_SECTION } from "../helpers/readme-snippets.js";

const schemaWarnings = (schema: string, body = '"dtype": "int4", "group_size": 32') =>
  validate(`{"$schema": ${JSON.stringify(schema)}, ${body}}`, { filename: "w.fqc.json" }).diagnostics.filter((d) => d.ruleId === "lint/schema-url");

describe("lint/schema-url", () => {
  it("accepts the $schema values the README tells users to write and the schemas' own $id", () => {
    const ids = ["fqc.schema.json", "fqc.draft-07.schema.json"].map((f) => JSON.parse(readFileSync(path.join(ROOT, "schema", f), "utf8")).$id as string);
    const catalog = JSON.parse(readFileSync(path.join(ROOT, "schemastore/catalog-entry.json"), "utf8")).url as string;
    const fromReadme = [...USE_SECTION.matchAll(/\$schema=(\S+)/g)].map((m) => m[1]);
    expect(fromReadme.length).toBeGreaterThan(0);
    const mentioned = [...USE_SECTION.matchAll(/`(\.\.?\/node_modules\/fqc\/schema\/[\w.-]+)`/g)].map((m) => m[1]);
    for (const s of [...ids, catalog, ...fromReadme, ...mentioned, "./fqc.schema.json", "../../schema/fqc.schema.json", "https://fqc.dev/schema/v1/fqc.schema.json#"]) {
      expect(schemaWarnings(s), s).toEqual([]);
    }
  });

  it("warns, at the value, on a URL that is not fqc's schema, the meta-schema, the settings' schema or an empty value", () => {
    const [typo] = schemaWarnings("https://fqc.dev/schema/v1/fqc.schema.jsn");
    expect(typo).toMatchObject({
      severity: "warning", pointer: "/$schema", line: 1, column: 13, endColumn: 55,
      message: '`$schema` "https://fqc.dev/schema/v1/fqc.schema.jsn" is not fqc\'s schema for config files: editors check this file against another schema',
      hint: 'Use "https://fqc.dev/schema/v1/fqc.schema.json", or the path of node_modules/fqc/schema/fqc.schema.json relative to this file.',
    });
    expect(schemaWarnings("http://json-schema.org/draft-07/schema#")[0].message).toContain("JSON Schema's meta-schema");
    for (const s of ["https://fqc.dev/schema/v1/fqc.config.schema.json", "./node_modules/fqc/schema/fqc.config.schema.json"]) {
      expect(schemaWarnings(s)[0].message, s).toContain("the schema of fqc.config.json");
    }
    expect(schemaWarnings(" ")[0].message).toBe("`$schema` is empty: editors check this file against no schema");
  });

  it("takes a local path under another name as a copy of the schema (it cannot tell), a Windows path included", () => {
    for (const s of ["./schema.json", "schemas/quant.json", "C:\\schemas\\quant.json"]) expect(schemaWarnings(s), s).toEqual([]);
  });

  it("checks pairs, recipes and YAML alike, and leaves a file without $schema alone", () => {
    expect(schemaWarnings("https://example.com/x.json", '"weight": {"dtype": "int4", "group_size": 32}')).toHaveLength(1);
    expect(schemaWarnings("https://example.com/x.json", '"fqn_to_config": {"_default": null}')).toHaveLength(1);
    const yaml = validate("$schema: https://example.com/x.json\ndtype: int4\ngroup_size: 32\n", { filename: "w.fqc.yaml" }).diagnostics;
    expect(yaml.map((d) => [d.ruleId, d.line, d.column])).toEqual([["lint/schema-url", 1, 10]]);
    expect(validate('{"dtype": "int4", "group_size": 32}').diagnostics).toEqual([]);
  });

  it("comes after torchao's errors: a broken config still leads with torchao's first error", () => {
    const d = validate('{"$schema": "https://example.com/x.json", "dtype": "int9", "group_size": 32}').diagnostics;
    expect(d.map((x) => x.ruleId)).toEqual(["torchao/dtype-unsupported", "lint/schema-url"]);
  });

  it("checks a YAML file's yaml-language-server modeline as the README writes it, placed at its URL", () => {
    const yamlWarnings = (text: string) => validate(text, { filename: "w.fqc.yaml" }).diagnostics.filter((d) => d.ruleId === "lint/schema-url");
    const body = "dtype: int4\ngroup_size: 32\n";
    const readmeModelines = [...USE_SECTION.matchAll(/^# yaml-language-server: .*$/gm)].map((m) => m[0]);
    expect(readmeModelines.length).toBeGreaterThan(0);
    for (const line of readmeModelines) expect(yamlWarnings(`${line}\n${body}`), line).toEqual([]);
    const [d] = yamlWarnings(`# QAT weights\n# yaml-language-server: $schema=https://fqc.dev/schema/v1/fqc.config.schema.json\r\n${body}`);
    expect(d).toMatchObject({
      severity: "warning", line: 2, column: 33, endLine: 2, endColumn: 81,
      message: 'the yaml-language-server modeline\'s `$schema` "https://fqc.dev/schema/v1/fqc.config.schema.json" is the schema of fqc.config.json (fqc\'s settings), not of config files: editors check this file against another schema',
    });
    // With a byte-order mark, the columns are the editor's (the mark is not one).
    expect(yamlWarnings(`\uFEFF# yaml-language-server: $schema=https://example.com/x.json\n${body}`)[0]).toMatchObject({ line: 1, column: 33, endColumn: 59 });
    // Only the comments a file starts with: a modeline after the first key is not read by the YAML extension either.
    expect(yamlWarnings(`${body}# yaml-language-server: $schema=https://example.com/x.json\n`)).toEqual([]);
    // Placed by its line, it sorts with the others, and a project setting turns it off like any lint rule.
    const both = validate(`# yaml-language-server: $schema=https://example.com/x.json\ndtype: int4\ngroup_size: 32\nis_symmetric: false\n`, { filename: "w.fqc.yaml" }).diagnostics;
    expect(both.map((x) => [x.ruleId, x.line])).toEqual([["lint/schema-url", 1], ["lint/asymmetric-int-domain", 4]]);
    const off = validate(`# yaml-language-server: $schema=https://example.com/x.json\n${body}`, { filename: "w.fqc.yaml", ruleSettings: new Map([["lint/schema-url", "off"]]) });
    expect(off.diagnostics).toEqual([]);
  });
});
