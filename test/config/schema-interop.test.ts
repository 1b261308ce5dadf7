/**
 * The published schemas read the same in a second, independent validator: @hyperjump/json-schema (an interpreter
 * written to the specification by one of its authors, where ajv compiles schemas to code) gives ajv's verdict on
 * every document of the corpus, for the 2020-12 file, its draft-07 twin and the settings' schema. Python's
 * jsonschema runs the same corpus in schema-python.test.ts.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Ajv2020 } from "ajv/dist/2020.js";
import { Ajv } from "ajv";
import * as hyperjump2020 from "@hyperjump/json-schema/draft-2020-12";
import * as hyperjump07 from "@hyperjump/json-schema/draft-07";
import { EDITOR_KEYWORDS } from "../../src/config/schema-source.js";
import { ROOT } from "../helpers/cli.js";
import { parseDoc, schemaCorpus } from "../helpers/schema-corpus.js";

const readSchema = (name: string) => JSON.parse(readFileSync(path.join(ROOT, "schema", name), "utf8")) as { $id: string };
const files = { "2020-12": readSchema("fqc.schema.json"), "draft-07": readSchema("fqc.draft-07.schema.json"), settings: readSchema("fqc.config.schema.json") };
// As README tells a user to run ajv: the editor annotations declared, nothing else.
const ajv = {
  "2020-12": new Ajv2020({ keywords: [...EDITOR_KEYWORDS] }).compile(files["2020-12"]),
  "draft-07": new Ajv({ keywords: [...EDITOR_KEYWORDS] }).compile(files["draft-07"]),
  settings: new Ajv2020().compile(files.settings),
};
hyperjump2020.registerSchema(files["2020-12"] as hyperjump2020.JsonSchemaDraft202012);
hyperjump2020.registerSchema(files.settings as hyperjump2020.JsonSchemaDraft202012);
hyperjump07.registerSchema(files["draft-07"] as hyperjump07.JsonSchemaDraft07);

/**
 * The keywords the files use, all read alike by ajv, hyperjump, Python's jsonschema and editors, in both drafts.
 * Left out on purpose: `pattern` and `patternProperties` (a regex means different things in ECMA-262 with and
 * without the u flag, which editors differ on, in Python's re and in RE2 or Java), `format` (an assertion in some
 * validators, an annotation in others), and the 2019-09/2020-12 keywords the draft-07 copy could not say the same way
 * (`$dynamicRef`, `unevaluatedProperties`, `dependentSchemas`, `prefixItems`, ...).
 */
const INTEROPERABLE_KEYWORDS = new Set([
  "$schema", "$id", "$ref", "$defs", "definitions", "$comment", "title", "description", "default", "examples", "enumDescriptions", "errorMessage",
  "type", "enum", "const", "minimum", "maximum", "exclusiveMaximum", "minLength", "properties", "required", "additionalProperties", "propertyNames",
  "items", "allOf", "anyOf", "not", "if", "then", "else",
]);
const SUBSCHEMA_MAPS = new Set(["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"]);
const SUBSCHEMA_LISTS = new Set(["allOf", "anyOf", "oneOf", "prefixItems"]);
const SUBSCHEMAS = new Set(["not", "if", "then", "else", "items", "additionalProperties", "propertyNames", "contains", "unevaluatedProperties", "unevaluatedItems"]);

/** Every schema object in `schema` (keyword values that are data, such as `enum` or `examples`, are not entered). */
function* schemaObjects(schema: unknown): Generator<Record<string, unknown>> {
  if (schema === null || typeof schema !== "object") return;
  const s = schema as Record<string, unknown>;
  yield s;
  for (const [k, v] of Object.entries(s)) {
    if (SUBSCHEMA_MAPS.has(k)) for (const x of Object.values(v as object)) yield* schemaObjects(x);
    else if (SUBSCHEMA_LISTS.has(k)) for (const x of v as unknown[]) yield* schemaObjects(x);
    else if (SUBSCHEMAS.has(k)) yield* schemaObjects(v);
  }
}

describe("the published schemas use only what every validator reads alike", () => {
  it.each(Object.entries(files))("%s: keywords from the interoperable list", (_name, schema) => {
    const used = new Set([...schemaObjects(schema)].flatMap((s) => Object.keys(s)));
    expect([...used].filter((k) => !INTEROPERABLE_KEYWORDS.has(k))).toEqual([]);
  });

  it("draft-07: no keyword beside a $ref (draft-07 ignores them; ajv does not)", () => {
    const withSiblings = [...schemaObjects(files["draft-07"])].filter((s) => "$ref" in s && Object.keys(s).length > 1);
    expect(withSiblings).toEqual([]);
  });
});

describe("@hyperjump/json-schema and ajv on the published schemas", () => {
  it("hyperjump compiles each file, checking it against its draft's metaschema", async () => {
    for (const [draft, schema] of Object.entries(files)) {
      const compile = draft === "draft-07" ? hyperjump07.validate : hyperjump2020.validate;
      await expect(compile(schema.$id), draft).resolves.toBeTypeOf("function");
    }
  });

  it("give the same verdict on every document of the corpus, in both drafts", async () => {
    const hj = {
      "2020-12": await hyperjump2020.validate(files["2020-12"].$id),
      "draft-07": await hyperjump07.validate(files["draft-07"].$id),
      settings: await hyperjump2020.validate(files.settings.$id),
    };
    const tally = { valid: 0, invalid: 0 };
    const disagreements: string[] = [];
    const docs = schemaCorpus();
    for (const d of docs) {
      const value = parseDoc(d);
      const drafts = d.schema === "settings" ? (["settings"] as const) : (["2020-12", "draft-07"] as const);
      for (const draft of drafts) {
        const ok = ajv[draft](value);
        tally[ok ? "valid" : "invalid"]++;
        // hyperjump's types say Json; YAML's NaN and infinities are numbers to both validators all the same.
        if (hj[draft](value as never).valid !== ok) disagreements.push(`${draft}: ajv says ${ok ? "valid" : "invalid"} on ${d.id}:\n${d.text}`);
      }
    }
    expect(disagreements).toEqual([]);
    // Both verdicts well exercised, or the comparison proves little.
    expect(docs.length).toBeGreaterThan(3000);
    expect(tally.valid).toBeGreaterThan(2500);
    expect(tally.invalid).toBeGreaterThan(2500);
  });
});
