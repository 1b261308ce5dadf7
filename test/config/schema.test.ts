import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Ajv2020 } from "ajv/dist/2020.js";
import { Ajv } from "ajv";
import type { ValidateFunction } from "ajv";
import fc from "fast-check";
import { projectConfigSchema } from "../../src/config/project-config.js";
import { buildSchema, EDITOR_KEYWORDS, SCHEMA_ID_2020 } from "../../src/config/schema-source.js";
import { validate } from "../../src/config/validate.js";
import { CANONICAL_KEYS, SHORTHAND_KEYS } from "../../src/config/vocabulary.js";
import invalid from "../fixtures/conformance/invalid.json" with { type: "json" };
import normalizeCases from "../fixtures/conformance/normalize.json" with { type: "json" };
import manifest from "../fixtures/conformance/manifest.json" with { type: "json" };
import forwardErrors from "../fixtures/conformance/forward_errors.json" with { type: "json" };

const root = new URL("../../", import.meta.url);
const readSchema = (name: string) => JSON.parse(readFileSync(new URL(`schema/${name}`, root), "utf8")) as Record<string, unknown>;

/** Strict ajv (every strict option on) whose warnings are collected instead of printed. */
function strictCompile(draft: "2020-12" | "draft-07", schema: object): { validate: ValidateFunction; warnings: unknown[] } {
  const warnings: unknown[] = [];
  const logger = { log: (...a: unknown[]) => warnings.push(a), warn: (...a: unknown[]) => warnings.push(a), error: (...a: unknown[]) => warnings.push(a) };
  const opts = { strict: true, strictTypes: true, strictTuples: true, strictRequired: true, allErrors: true, logger, keywords: [...EDITOR_KEYWORDS] };
  const ajv = draft === "2020-12" ? new Ajv2020(opts) : new Ajv(opts);
  return { validate: ajv.compile(schema), warnings };
}

const v2020 = strictCompile("2020-12", readSchema("fqc.schema.json"));
const v07 = strictCompile("draft-07", readSchema("fqc.draft-07.schema.json"));

const ALL_CONFIGS: Array<[string, unknown]> = [
  ...(manifest as { cases: Array<{ id: string; config: unknown }> }).cases.map((c) => [c.id, c.config] as [string, unknown]),
  ...(invalid as Array<{ id: string; config: unknown }>).map((c) => [c.id, c.config] as [string, unknown]),
  ...(normalizeCases as Array<{ id: string; config: unknown }>).map((c) => [c.id, c.config] as [string, unknown]),
  ...(forwardErrors as Array<{ id: string; config: unknown }>).map((c) => [c.id, c.config] as [string, unknown]),
];

describe("published schema files", () => {
  it("are exactly what buildSchema produces (regenerate with npm run build && npm run schema)", () => {
    expect(readSchema("fqc.schema.json")).toEqual(buildSchema("2020-12"));
    expect(readSchema("fqc.draft-07.schema.json")).toEqual(buildSchema("draft-07"));
  });

  it("include the settings' schema exactly as projectConfigSchema produces it (its rule list grows with the rules)", () => {
    expect(readSchema("fqc.config.schema.json")).toEqual(projectConfigSchema());
  });

  it("declare their draft and a stable versioned $id", () => {
    const s = readSchema("fqc.schema.json");
    expect(s.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(s.$id).toBe(SCHEMA_ID_2020);
    expect(s.$id).toMatch(/\/v1\/[^#]+$/);
    const d = readSchema("fqc.draft-07.schema.json");
    expect(d.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(JSON.stringify(d)).not.toContain("$defs");
  });

  it("compile under ajv strict mode with no warnings, in both drafts", () => {
    expect(v2020.warnings).toEqual([]);
    expect(v07.warnings).toEqual([]);
  });

  it("document every config property with description, default (except the required dtype) and examples", () => {
    const defs = (buildSchema("2020-12") as { $defs: Record<string, { properties: Record<string, Record<string, unknown>> }> }).$defs;
    for (const name of ["config", "configFile"]) {
      const props = defs[name].properties;
      for (const key of [...CANONICAL_KEYS, ...SHORTHAND_KEYS]) {
        expect(props[key], key).toBeDefined();
        expect(typeof props[key].description, key).toBe("string");
        expect(Array.isArray(props[key].examples), key).toBe(true);
        if (key !== "dtype") expect(props[key], key).toHaveProperty("default");
      }
    }
  });
});

describe("schema verdicts on the conformance corpus", () => {
  it("accepts every manifest config as-is", () => {
    for (const c of (manifest as { cases: Array<{ id: string; config: unknown }> }).cases) {
      expect(v2020.validate(c.config), c.id).toBe(true);
      expect(v07.validate(c.config), c.id).toBe(true);
    }
  });

  it("rejects every invalid.json config", () => {
    for (const c of invalid as Array<{ id: string; config: unknown }>) {
      expect(v2020.validate(c.config), c.id).toBe(false);
      expect(v07.validate(c.config), c.id).toBe(false);
    }
  });

  it("the draft-07 copy agrees with the 2020-12 schema, and the schema agrees with validate(), on every corpus config", () => {
    for (const [id, config] of ALL_CONFIGS) {
      const ok = v2020.validate(config);
      expect(v07.validate(config), id).toBe(ok);
      const errors = validate(config).diagnostics.filter((d) => d.severity === "error");
      expect(errors.length === 0, id).toBe(ok);
    }
  });

  it("accepts a QAT pair and a `$schema` key at top level, and rejects `$schema` inside a pair member", () => {
    const w = { dtype: "int4", group_size: 32 };
    const a = { dtype: "int8", granularity: "per_token", is_symmetric: false };
    for (const v of [v2020.validate, v07.validate]) {
      expect(v({ $schema: SCHEMA_ID_2020, ...w })).toBe(true);
      expect(v({ $schema: SCHEMA_ID_2020, activation: a, weight: w })).toBe(true);
      expect(v({ weight: w })).toBe(true);
      expect(v({ activation: a, weight: null })).toBe(true);
      expect(v({ activation: null, weight: null })).toBe(false);
      expect(v({ weight: { $schema: "x", ...w } })).toBe(false);
      expect(v({ weight: w, dtype: "int4" })).toBe(false);
      expect(v({ ...w, symmetric: true })).toBe(false);
    }
  });
});

describe("schema bounds the linter also enforces", () => {
  it.each([
    [{ dtype: "int4", group_size: Number.MAX_SAFE_INTEGER }, true],
    [{ dtype: "int4", group_size: Number.MAX_SAFE_INTEGER + 1 }, false],
    [{ dtype: "int4", granularity: { type: "PerGroup", group_size: 2 ** 60 } }, false],
    [{ dtype: "int4", group_size: 1e300 }, false],
  ])("refuses a group_size past 2^53 - 1 as forward/group-size does, in both drafts (%#)", (doc, ok) => {
    expect(v2020.validate(doc)).toBe(ok);
    expect(v07.validate(doc)).toBe(ok);
    const errors = validate(doc).diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => d.ruleId)).toEqual(ok ? [] : ["forward/group-size"]);
  });

  it("bounds eps, is_symmetric and torchao's _version to finite numbers and refuses NaN, for validators that take 1e400, .inf or .nan as numbers", () => {
    const defs = (buildSchema("2020-12") as { $defs: Record<string, { properties: Record<string, { anyOf?: Array<Record<string, unknown>> }> }> }).$defs;
    const finite = { minimum: -Number.MAX_VALUE, maximum: Number.MAX_VALUE, not: { minimum: 0, exclusiveMaximum: 0 } };
    for (const key of ["eps", "is_symmetric"]) expect(defs.config.properties[key].anyOf!.find((s) => s.type === "number"), key).toMatchObject(finite);
    expect(defs.torchaoFile.properties._version).toMatchObject({ type: "integer", ...finite });
    expect(v2020.validate({ dtype: "int4", group_size: 32, eps: Number.MAX_VALUE, is_symmetric: -Number.MAX_VALUE })).toBe(true);
    expect(v2020.validate({ dtype: "int4", group_size: 32, eps: 0, is_symmetric: -0 })).toBe(true);
    expect(v2020.validate({ _type: "FakeQuantizeConfig", _version: 1, _data: {} })).toBe(true);
  });
});

/** Configs from valid vocabulary only (many combinations are still invalid across fields). */
const validishArb = fc.record(
  {
    dtype: fc.constantFrom("int1", "int2", "int4", "int8", "uint1", "uint4", "uint8"),
    granularity: fc.constantFrom<unknown>(null, "per_token", "per_channel", "per_group", { type: "PerToken" }, { type: "PerAxis", axis: 0 }, { type: "PerGroup", group_size: 64 }),
    mapping_type: fc.constantFrom<unknown>(null, "SYMMETRIC", "ASYMMETRIC", "ASYMMETRIC"),
    scale_precision: fc.constantFrom("float32", "float16", "bfloat16", "float64"),
    zero_point_precision: fc.constantFrom("int32", "float32", "bfloat16", "int8", "uint8", "int16"),
    zero_point_domain: fc.constantFrom("INT", "FLOAT", "NONE"),
    is_dynamic: fc.boolean(),
    range_learning: fc.constantFrom(false, false, true),
    eps: fc.constantFrom<unknown>(null, 1e-6, 0),
    group_size: fc.constantFrom<unknown>(null, 32, 128),
    is_symmetric: fc.constantFrom<unknown>(null, true, false),
  },
  { requiredKeys: ["dtype"] },
);

/** Configs built from the vocabulary plus some wrong values, to compare schema, draft-07 and validate(). */
const wildArb = fc.record(
  {
    dtype: fc.constantFrom("int1", "int4", "int8", "uint1", "uint4", "uint8", "int16", "float32", 4),
    granularity: fc.constantFrom<unknown>(
      null, "per_token", "per_channel", "per_group", "per_tensor", 5, true, ["per_token"],
      { type: "PerToken" }, { type: "PerAxis", axis: 0 }, { type: "PerAxis", axis: 1 }, { type: "PerGroup", group_size: 32 },
      { type: "PerGroup", group_size: 1 }, { type: "PerRow" }, { type: "PerTensor" }, { type: "Nope" }, { type: "PerGroup" },
    ),
    mapping_type: fc.constantFrom<unknown>(null, "SYMMETRIC", "ASYMMETRIC", "SYMMETRIC_NO_CLIPPING_ERR", "symmetric", 1),
    scale_precision: fc.constantFrom("float32", "float16", "bfloat16", "float64", "int32", "nope"),
    zero_point_precision: fc.constantFrom("int32", "float32", "bfloat16", "int8", "uint8", "int16", "bool"),
    zero_point_domain: fc.constantFrom<unknown>("INT", "FLOAT", "NONE", null, "int"),
    is_dynamic: fc.constantFrom<unknown>(true, false, "yes"),
    range_learning: fc.constantFrom<unknown>(true, false),
    eps: fc.constantFrom<unknown>(null, 0, 1e-6, -1, "small"),
    group_size: fc.constantFrom<unknown>(null, 32, 1, 0, -8, 2.5, "32"),
    is_symmetric: fc.constantFrom<unknown>(null, true, false, 1),
    symetric: fc.constant(true),
  },
  { requiredKeys: [] },
);

const configArb = fc.oneof(validishArb, wildArb);

describe("schema and linter agree on generated configs", () => {
  it("2020-12, draft-07 and validate() give the same verdict", () => {
    const verdicts = { valid: 0, invalid: 0 };
    fc.assert(
      fc.property(configArb, fc.boolean(), (cfg, asPair) => {
        const doc = asPair ? { weight: cfg } : cfg;
        const ok = v2020.validate(doc);
        verdicts[ok ? "valid" : "invalid"]++;
        expect(v07.validate(doc)).toBe(ok);
        const diags = validate(doc).diagnostics;
        expect(diags.some((d) => d.severity === "error")).toBe(!ok);
        // The linter explains every schema error itself: no raw schema leftovers.
        expect(diags.filter((d) => d.ruleId === "fqc/schema")).toEqual([]);
      }),
      { numRuns: 3000 },
    );
    // Both verdicts must be exercised, or the comparison proves nothing.
    expect(verdicts.valid).toBeGreaterThan(20);
    expect(verdicts.invalid).toBeGreaterThan(20);
  });
});
