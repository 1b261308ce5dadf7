/**
 * `scale_precision: null` is torchao's None ("keep the input dtype", spec §1 and §7):
 * HEAD's inferred configs pass it and config_to_dict writes it as null. The
 * standard accepts it, keeps it null in the canonical form, and refuses a null
 * zero_point_precision, to which the spec gives no meaning.
 */
import { describe, expect, it } from "vitest";
import { canonicalJson, normalize, normalizeDocument } from "../../src/config/normalize.js";
import { validate } from "../../src/config/validate.js";
import { schemaValidator } from "../../src/config/schema-check.js";
import { makePlan } from "../../src/quant/plan.js";
import { TORCHAO_VERSIONS } from "../../src/config/types.js";

const act = { dtype: "int8", granularity: "per_token", is_symmetric: false, scale_precision: null };
const ids = (v: unknown, torchao?: "0.12" | "0.18") => validate(v, { torchao }).diagnostics.map((d) => d.ruleId);

describe("scale_precision null in the linter", () => {
  it("accepts scale_precision null with no diagnostic for every torchao version", () => {
    for (const torchao of TORCHAO_VERSIONS) {
      expect(ids(act, torchao), torchao).toEqual([]);
      expect(ids({ dtype: "int4", group_size: 32, scale_precision: null }, torchao), torchao).toEqual([]);
      expect(ids({ dtype: "uint4", group_size: 32, is_symmetric: false, zero_point_domain: "FLOAT", zero_point_precision: "bfloat16", scale_precision: null }, torchao)).toEqual([]);
    }
  });

  it("the schema accepts a null scale_precision and still refuses a null zero_point_precision", () => {
    const check = schemaValidator();
    expect(check({ dtype: "int4", group_size: 32, scale_precision: null })).toBe(true);
    expect(check({ dtype: "int4", group_size: 32, zero_point_precision: null })).toBe(false);
  });

  it("refuses a null zero_point_precision, saying only scale_precision may be null", () => {
    const d = validate({ dtype: "int4", group_size: 32, zero_point_precision: null }).diagnostics;
    expect(d.map((x) => x.ruleId)).toEqual(["fqc/type"]);
    expect(d[0].message).toContain("`zero_point_precision` must be a dtype name");
    expect(d[0].hint).toMatch(/Only scale_precision may be null/);
    expect(() => normalize({ dtype: "int4", group_size: 32, zero_point_precision: null })).toThrow(/zero_point_precision/);
  });

  it("names null among the accepted values when scale_precision has the wrong type", () => {
    const d = validate({ dtype: "int4", group_size: 32, scale_precision: 32 }).diagnostics;
    expect(d[0].message).toContain("or null");
  });
});

describe("scale_precision null in the canonical form", () => {
  it("normalize keeps null: the canonical form must mean the same for tensors of different dtypes", () => {
    expect(normalize(act).scale_precision).toBeNull();
    const text = canonicalJson(normalizeDocument({ activation: act, weight: { dtype: "int4", group_size: 32 } }));
    const parsed = JSON.parse(text);
    expect(parsed.activation.scale_precision).toBeNull();
    expect(parsed.weight.scale_precision).toBe("float32");
    // Idempotent: the canonical text normalizes to itself.
    expect(canonicalJson(normalizeDocument(parsed))).toBe(text);
  });

  it("reads HEAD's Int8DynamicActivationIntxWeightConfig-style QATConfig whose activation scale_precision is null", () => {
    const dtype = (n: string) => ({ _type: "torch.dtype", _data: n });
    const member = (fields: Record<string, unknown>) => ({
      _type: "IntxFakeQuantizeConfig",
      _version: 1,
      _data: {
        zero_point_precision: dtype("int32"), zero_point_domain: { _type: "ZeroPointDomain", _data: "INT" },
        is_dynamic: true, range_learning: false, eps: null, ...fields,
      },
    });
    const head = {
      _type: "QATConfig",
      _version: 1,
      _data: {
        base_config: null,
        activation_config: member({
          dtype: dtype("int8"), granularity: { _type: "PerToken", _version: 1, _data: {} },
          mapping_type: { _type: "MappingType", _data: "ASYMMETRIC" }, scale_precision: null,
        }),
        weight_config: member({
          dtype: dtype("int4"), granularity: { _type: "PerGroup", _version: 1, _data: { group_size: 32 } },
          mapping_type: { _type: "MappingType", _data: "SYMMETRIC" }, scale_precision: dtype("float32"),
        }),
        step: "prepare",
      },
    };
    expect(validate(head).diagnostics).toEqual([]);
    const doc = normalizeDocument(head);
    expect(doc.kind === "pair" && doc.pair.activation?.scale_precision).toBeNull();
  });
});

describe("scale_precision null in the plan", () => {
  it("holds the scales in the compute dtype: float32, float16, bfloat16 or float64", () => {
    const config = normalize(act);
    for (const compute of ["float32", "float16", "bfloat16", "float64"] as const) {
      expect(makePlan(config, [4, 8], { compute, torchao: "0.12" }).scalePrecision).toBe(compute);
    }
    expect(makePlan(normalize({ ...act, scale_precision: "bfloat16" }), [4, 8], { compute: "float16", torchao: "0.18" }).scalePrecision).toBe("bfloat16");
  });
});

describe("fqc/precision names null", () => {
  it("offers null beside the floating dtypes when scale_precision is an integer dtype", () => {
    const d = validate({ dtype: "int4", group_size: 32, scale_precision: "int32" }).diagnostics;
    expect(d.map((x) => x.ruleId)).toEqual(["fqc/precision"]);
    expect(d[0].message).toBe('`scale_precision` must be one of float32, float16, bfloat16, float64 or null, not "int32"');
  });
});

describe("scale_precision null in the size estimate", () => {
  it("counts one scale per block in the compute dtype: 2 bytes for bfloat16, 4 for float32", async () => {
    const { quantizedSize } = await import("../../src/report/sizes.js");
    const config = normalize({ dtype: "int4", group_size: 8, scale_precision: null });
    // 4 rows × 2 groups, symmetric INT: no zero point stored.
    expect(quantizedSize(makePlan(config, [4, 16], { compute: "bfloat16", torchao: "0.12" })).qparams).toBe(8 * 2);
    expect(quantizedSize(makePlan(config, [4, 16], { compute: "float32", torchao: "0.12" })).qparams).toBe(8 * 4);
  });
});
