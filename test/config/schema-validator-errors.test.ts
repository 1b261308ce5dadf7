/**
 * The precompiled schema validator (scripts/gen-sources.mjs) appends a referenced schema's errors in place
 * instead of ajv's `concat`, which copied every earlier error at each call (quadratic for a recipe of
 * failing entries). Its error list must stay exactly the one ajv compiles at run time.
 */
import { describe, expect, it } from "vitest";
import { Ajv2020 } from "ajv/dist/2020.js";
import { buildSchema, EDITOR_KEYWORDS } from "../../src/config/schema-source.js";
import { schemaFindings, schemaValidator } from "../../src/config/schema-check.js";

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

describe("schemaFindings on a large recipe (checked a few thousand entries at a time)", () => {
  const bad = [{ dtype: "int9" }, { dtype: "int4", group_size: "32" }, "int4", { weight: { dtype: 4 } }];
  /** Schema findings, with no linter finding to explain them: every schema error shows. */
  const findingsOf = (entries: Array<[string, unknown]>) =>
    schemaFindings({ fqn_to_config: Object.fromEntries(entries), extra: 1 }, [], [])
      .map((f) => `${f.pointer} ${f.message}`)
      .sort();

  it("finds the errors of entries past the first part, as in a recipe small enough to check whole", () => {
    const good = { dtype: "int4", group_size: 32 };
    for (const at of [[4_500], [9_998], [4_500, 9_998]]) {
      const large: Array<[string, unknown]> = Array.from({ length: 10_000 }, (_, i) => [`l.${i}`, at.includes(i) ? bad[at.indexOf(i)] : good]);
      const small: Array<[string, unknown]> = at.map((i, j) => [`l.${i}`, bad[j]]);
      const found = findingsOf(large);
      expect(found).toEqual(findingsOf(small));
      expect(found.some((f) => f.startsWith("/fqn_to_config"))).toBe(true);
      // The document's own keys are judged once, not once per part.
      expect(found.filter((f) => f.startsWith("/extra"))).toHaveLength(1);
    }
  });
});
