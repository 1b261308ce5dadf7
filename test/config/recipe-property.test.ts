import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Ajv2020 } from "ajv/dist/2020.js";
import { buildSchema } from "../../src/config/schema-source.js";
import { validate } from "../../src/config/validate.js";
import { normalizeDocument, canonicalJson } from "../../src/config/normalize.js";
import { planTensors } from "../../src/tensor-plan/plan-tensors.js";
import type { TensorInfo } from "../../src/checkpoint/types.js";

const schema = new Ajv2020({ strict: true, allErrors: true }).compile(buildSchema("2020-12"));

const configArb = fc.oneof(
  fc.constant({ dtype: "int4", group_size: 32 }),
  fc.constant({ dtype: "int8", granularity: "per_channel" }),
  fc.constant({ dtype: "int8", granularity: "per_token", is_symmetric: false }),
  fc.constant({ dtype: "int4", granularity: "per_channel", group_size: 32 }), // construct error
  fc.constant({ dtype: "int8", granularity: "per_token" }), // forward error
  fc.constant({ dtype: "int16", group_size: 32 }),
  fc.constant({ group_size: 32 }),
  fc.constant({ dtype: "int4", group_size: 32, grup: 1 }),
);
const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  configArb,
  fc.record({ activation: fc.oneof(configArb, fc.constant(null)), weight: fc.oneof(configArb, fc.constant(null)) }, { requiredKeys: [] }),
  fc.constantFrom(3, "int4", true, [1]),
);
const keyArb = fc.oneof(
  fc.constantFrom("_default", "lm_head", "model.layers.0.mlp.up_proj", "model.layers.0.mlp.up_proj.weight", "model.embed_tokens", "0", "__proto__", "a/b~c"),
  fc.constantFrom("re:.*_proj", "re:model\\.layers\\.\\d+\\..*", "re:(a+)+", "re:.*\\.bias"),
  fc.string({ maxLength: 12 }).map((s) => `re:${s}`),
  fc.string({ maxLength: 12 }),
);
const recipeArb = fc.record({ fqn_to_config: fc.dictionary(keyArb, valueArb, { maxKeys: 6 }) });

const TENSORS: TensorInfo[] = [
  { name: "model.embed_tokens.weight", dtype: "BF16", shape: [64, 32], byteLength: 4096 },
  { name: "model.layers.0.mlp.up_proj.weight", dtype: "BF16", shape: [64, 32], byteLength: 4096 },
  { name: "model.layers.0.mlp.up_proj.bias", dtype: "F32", shape: [64], byteLength: 256 },
  { name: "model.layers.0.mlp.up_proj.qweight", dtype: "I32", shape: [8, 32], byteLength: 1024 },
  { name: "lm_head.weight", dtype: "F16", shape: [64, 32], byteLength: 4096 },
];

describe("recipes, property-tested", () => {
  it("validate never throws, explains every schema error itself, and agrees with the JSON Schema unless a pattern fails (which JSON Schema cannot check)", () => {
    fc.assert(fc.property(recipeArb, (r) => {
      const d = validate(JSON.stringify(r), { filename: "r.json" }).diagnostics;
      expect(d.filter((x) => x.ruleId === "fqc/schema")).toEqual([]); // the linter explains every schema error
      if (d.some((x) => x.ruleId === "fqc/recipe-regex")) return;
      expect(schema(r)).toBe(d.every((x) => x.severity !== "error"));
    }), { numRuns: 400 });
  });

  it("a recipe that validates normalizes to a fixed point and plans every tensor without throwing", () => {
    fc.assert(fc.property(recipeArb, (r) => {
      const v = validate(r);
      if (v.document?.kind !== "recipe") return;
      const once = canonicalJson(normalizeDocument(r));
      expect(canonicalJson(normalizeDocument(once))).toBe(once);
      const plan = planTensors(TENSORS, { recipe: v.document.recipe });
      expect(plan.map((e) => e.tensor.name)).toEqual(TENSORS.map((t) => t.name));
      for (const e of plan) expect(e.action === "quantize" ? e.config !== undefined : typeof e.note === "string").toBe(true);
    }), { numRuns: 400 });
  });
});
