import { describe, expect, it } from "vitest";
import { Ajv2020 } from "ajv/dist/2020.js";
import { Ajv } from "ajv";
import { buildSchema, EDITOR_KEYWORDS } from "../../src/config/schema-source.js";
import { validate } from "../../src/config/validate.js";
import { canonicalJson, normalizeDocument } from "../../src/config/normalize.js";
import { canonicalFileText } from "../../src/canonical-text.js";

const W = { dtype: "int4", group_size: 32 };
const A = { dtype: "int8", granularity: "per_token", is_symmetric: false };

const v2020 = new Ajv2020({ strict: true, allErrors: true, keywords: [...EDITOR_KEYWORDS] }).compile(buildSchema("2020-12"));
const v07 = new Ajv({ strict: true, allErrors: true, keywords: [...EDITOR_KEYWORDS] }).compile(buildSchema("draft-07"));

describe("the schema's recipe form", () => {
  it("accepts configs, QAT pairs with a weight config and null as values, with $schema beside fqn_to_config", () => {
    const r = { $schema: "x", fqn_to_config: { "re:.*_proj": W, lm_head: { activation: A, weight: W }, "model.embed_tokens": null, _default: { weight: W } } };
    for (const v of [v2020, v07]) expect(v(r)).toBe(true);
  });
  it("accepts an empty fqn_to_config (the linter warns)", () => {
    for (const v of [v2020, v07]) expect(v({ fqn_to_config: {} })).toBe(true);
  });
  it("rejects activation-only pairs, unknown keys at either level, non-object tables and wrong value types", () => {
    const bad = [
      { fqn_to_config: { x: { activation: A } } },
      { fqn_to_config: { x: { activation: A, weight: null } } },
      { fqn_to_config: { x: W }, dtype: "int4" },
      { fqn_to_config: { x: { ...W, grup: 1 } } },
      { fqn_to_config: { x: { weight: W, bias: W } } },
      { fqn_to_config: [] },
      { fqn_to_config: { x: "int4" } },
      { fqn_to_config: { x: { dtype: "int4", granularity: "per_channel", group_size: 32 } } },
    ];
    for (const r of bad) for (const v of [v2020, v07]) expect(v(r), JSON.stringify(r)).toBe(false);
  });
  it("agrees with validate() on each of those", () => {
    const cases = [
      { fqn_to_config: { "re:a": W, b: null } },
      { fqn_to_config: { x: { activation: A } } },
      { fqn_to_config: { x: W }, extra: 1 },
      { fqn_to_config: { x: { ...W, grup: 1 } } },
      { fqn_to_config: { x: 5 } },
    ];
    for (const c of cases) {
      const ok = validate(c).diagnostics.every((d) => d.severity !== "error");
      expect(v2020(c), JSON.stringify(c)).toBe(ok);
    }
  });
});

const TEXT = `{
  "fqn_to_config": {
    "re:model\\\\.layers\\\\.(\\\\d+\\\\.mlp": {"dtype": "int4", "group_size": 32},
    "lm_head": {"dtype": "int8", "granularity": "per_channel", "symetric": true},
    "x": {"activation": {"dtype": "int8", "granularity": "per_token", "is_symmetric": false}},
    "y": {"dtype": "int8", "granularity": "per_token"},
    "z": {"weight": {"dtype": "int4", "group_size": 32, "granularity": "per_channel"}},
    "w": "int4"
  },
  "fqn_to_confg": {}
}
`;

describe("linting a recipe", () => {
  const d = validate(TEXT, { filename: "r.json" }).diagnostics;
  const at = (ruleId: string) => d.filter((x) => x.ruleId === ruleId).map((x) => `${x.line}:${x.column}`);

  it("reports a pattern that does not translate at its key's line:col, with the position in the pattern", () => {
    expect(at("fqc/recipe-regex")).toEqual(["3:5"]);
    expect(d.find((x) => x.ruleId === "fqc/recipe-regex")!.message).toMatch(/unterminated subpattern \(at position 24 of the pattern\)/);
  });
  it("runs every config rule on inner configs, at the right positions", () => {
    expect(d.find((x) => x.ruleId === "fqc/unknown-key" && x.line === 4)).toMatchObject({ column: 64, message: expect.stringMatching(/symetric/) });
    expect(at("forward/symmetric-per-token")).toContain("6:43");
    expect(at("torchao/group-size-conflict")).toEqual(["7:53"]);
  });
  it("refuses an activation-only pair at its value", () => {
    expect(at("fqc/recipe-activation-only")).toEqual(["5:10"]);
  });
  it("refuses a value that is neither an object nor null", () => {
    expect(d.find((x) => x.ruleId === "fqc/type" && x.line === 8)).toMatchObject({ column: 10, message: expect.stringMatching(/config object, a QAT pair or null/) });
  });
  it("reports an unknown top-level key with a suggestion", () => {
    expect(d.find((x) => x.ruleId === "fqc/unknown-key" && x.line === 10)).toMatchObject({ column: 3, message: expect.stringMatching(/did you mean `fqn_to_config`/) });
  });
  it("warns about an empty table, and gives no document-level error for it", () => {
    const r = validate('{"fqn_to_config": {}}');
    expect(r.diagnostics.map((x) => [x.ruleId, x.severity])).toEqual([["lint/recipe-empty", "warning"]]);
    expect(r.document).toEqual({ kind: "recipe", recipe: { entries: [] } });
  });
  it("warns at the key about a pattern that can backtrack exponentially", () => {
    const r = validate('{"fqn_to_config": {\n  "re:(a+)+": null}}', { filename: "r.json" });
    expect(r.diagnostics).toMatchObject([{ ruleId: "lint/recipe-regex-backtracking", severity: "warning", line: 2, column: 3 }]);
  });
  it("places diagnostics in YAML recipes too", () => {
    const y = "fqn_to_config:\n  're:a(': null\n  b: {dtype: int4, group_size: 32, grup: 1}\n";
    const r = validate(y, { filename: "r.yaml" }).diagnostics;
    // (torchao's own first error leads the report; the rest follow by position)
    expect(r.map((x) => [x.ruleId, x.line, x.column]).sort((a, b) => Number(a[1]) - Number(b[1]))).toEqual([["fqc/recipe-regex", 2, 3], ["fqc/unknown-key", 3, 36]]);
  });
  it("reads a clean recipe into entries in file order, a pair keeping both sides", () => {
    const r = validate({ fqn_to_config: { "re:b": W, a: { activation: A, weight: W }, c: null } });
    expect(r.diagnostics).toEqual([]);
    expect(r.document?.kind).toBe("recipe");
    const entries = r.document?.kind === "recipe" ? r.document.recipe.entries : [];
    expect(entries.map((e) => [e.key, e.value?.kind ?? null])).toEqual([["re:b", "config"], ["a", "pair"], ["c", null]]);
  });
});

describe("normalizing a recipe", () => {
  const src = { $schema: "s", fqn_to_config: { "re:.*_proj": W, lm_head: { weight: { dtype: "int8", granularity: "per_channel" }, activation: A }, emb: null } };
  it("writes every value canonical, keys in file order, a pair as a canonical pair (activation first)", () => {
    const text = canonicalJson(normalizeDocument(src));
    const v = JSON.parse(text) as { fqn_to_config: Record<string, Record<string, unknown> | null> };
    expect(Object.keys(v)).toEqual(["fqn_to_config"]);
    expect(Object.keys(v.fqn_to_config)).toEqual(["re:.*_proj", "lm_head", "emb"]);
    expect(v.fqn_to_config["re:.*_proj"]).toMatchObject({ dtype: "int4", granularity: { type: "PerGroup", group_size: 32 }, mapping_type: "SYMMETRIC" });
    expect(Object.keys(v.fqn_to_config.lm_head!)).toEqual(["activation", "weight"]);
    expect(v.fqn_to_config.emb).toBeNull();
  });
  it("round-trips: the canonical text normalizes to itself, in JSON and YAML, keeping $schema", () => {
    const text = canonicalFileText(normalizeDocument(src), JSON.stringify(src), "r.json");
    expect(JSON.parse(text).$schema).toBe("s");
    expect(canonicalFileText(normalizeDocument(text), text, "r.json")).toBe(text);
    const yaml = canonicalFileText(normalizeDocument(src), "fqn_to_config: {}\n", "r.yaml");
    expect(canonicalFileText(normalizeDocument(yaml, { filename: "r.yaml" }), yaml, "r.yaml")).toBe(yaml);
  });
  it("throws torchao's first constructor error from an inner config", () => {
    expect(() => normalizeDocument({ fqn_to_config: { x: { dtype: "int4", granularity: "per_group" } } })).toThrow(/Granularity was 'per_group' but no `group_size` was set/);
  });
});

describe("picking a recipe or a config out of a document", () => {
  it("selectRole refuses a recipe, naming the file", async () => {
    const { selectRole } = await import("../../src/config-file.js");
    const recipe = normalizeDocument({ fqn_to_config: { a: null } });
    expect(() => selectRole(recipe, undefined, "r.json")).toThrow(/r\.json is a recipe \(fqn_to_config\), not a config/);
  });
});
