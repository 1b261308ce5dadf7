/**
 * The precompiled schema validator (scripts/gen-sources.mjs) appends a referenced schema's errors in place
 * instead of ajv's `concat`, which copied every earlier error at each call (quadratic for a recipe of
 * failing entries). Its error list must stay exactly the one ajv compiles at run time.
 */
import { describe, expect, it } from "vitest";
import { Ajv2020 } from "ajv/dist/2020.js";
import { buildSchema, EDITOR_KEYWORDS } from "../../src/config/schema-source.js";
import { schemaValidator } from "../../src/config/schema-check.js";

const runtime = new Ajv2020({ strict: true, allErrors: true, keywords: [...EDITOR_KEYWORDS] }).compile(buildSchema("2020-12"));

describe("the precompiled schema validator", () => {
  it("gives the same errors, in the same order, as ajv compiling the schema, for recipes, pairs and configs with many problems", () => {
    const bad = (i: number) =>
      [
        { dtype: "int4", group_size: 33, granularity: "per_channel" },
        { dtype: "int9", grup: 1 },
        { activation: { dtype: "int8", granularity: "per_token" }, weight: { dtype: 4 } },
        { weight: { dtype: "int4", group_size: 1, mapping_type: "SYMMETRIC", is_symmetric: true } },
        null,
        "int4",
      ][i % 6];
    const docs: unknown[] = [
      { fqn_to_config: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`l.${i}`, bad(i)])), extra: 1 },
      { activation: bad(0), weight: bad(1) },
      { dtype: "int4", group_size: 1, granularity: "per_token", zero_point_domain: "NONE", range_learning: true },
    ];
    const precompiled = schemaValidator();
    for (const doc of docs) {
      expect(precompiled(doc)).toBe(runtime(doc));
      const strip = (errors: typeof runtime.errors) => (errors ?? []).map(({ instancePath, schemaPath, keyword, params }) => ({ instancePath, schemaPath, keyword, params }));
      expect(strip(precompiled.errors).length).toBeGreaterThan(0);
      expect(strip(precompiled.errors)).toStrictEqual(strip(runtime.errors));
    }
  });

  it("lists each entry's errors once for a recipe of 20,000 failing entries", () => {
    const doc = { fqn_to_config: Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`l.${i}`, { dtype: "int4", group_size: 33, granularity: "per_channel" }])) };
    const validate = schemaValidator();
    expect(validate(doc)).toBe(false);
    const perEntry = validate.errors!.filter((e) => e.instancePath.startsWith("/fqn_to_config/l.0/") || e.instancePath === "/fqn_to_config/l.0").length;
    expect(perEntry).toBeGreaterThan(0);
    expect(validate.errors!.filter((e) => e.instancePath.startsWith("/fqn_to_config/")).length).toBe(perEntry * 20_000);
  });
});
