import { describe, expect, it } from "vitest";
import { RULES } from "../../src/config/rules.js";
import { validate } from "../../src/config/validate.js";
import { normalizeDocument } from "../../src/config/normalize.js";

const ids = (v: unknown, opts = {}) => validate(v, opts).diagnostics.map((d) => d.ruleId);

describe("rule registry", () => {
  it("has unique ids, a severity, a one-line description and an example for every rule but fqc/schema, which no config reaches", () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    for (const r of RULES) {
      expect(["error", "warning"]).toContain(r.severity);
      expect(r.description.length, r.id).toBeGreaterThan(10);
      expect(r.description, r.id).not.toContain("\n");
      if (r.id !== "fqc/schema") expect(r.example.length, r.id).toBeGreaterThan(0);
    }
  });

  it("every rule's README example triggers that rule, and fqc/schema, a safety net the linter pre-empts, shows none", () => {
    expect(RULES.find((r) => r.id === "fqc/schema")!.example).toBe("");
    for (const r of RULES) {
      // "cli" rules need files and tensors (tested in test/cli).
      if (r.example === "" || r.stage === "cli") continue;
      const found = validate(r.example, { filename: "example.json" }).diagnostics.find((d) => d.ruleId === r.id);
      expect(found, r.id).toBeDefined();
      expect(found!.severity, r.id).toBe(r.severity);
    }
  });

  it("every diagnostic the corpus produces uses a registered rule id", () => {
    const known = new Set(RULES.map((r) => r.id));
    for (const t of ['{"dtype": "x"}', '{"dtype": "int4", "group_size": 1, "eps": -1}', "[1]"]) {
      for (const id of ids(t)) expect(known.has(id), id).toBe(true);
    }
  });
});

describe("forward-stage errors", () => {
  it("flags per_token with the default SYMMETRIC mapping at the granularity, or at the mapping when spelled", () => {
    const d = validate('{"dtype": "int8", "granularity": "per_token"}').diagnostics[0];
    expect(d).toMatchObject({ ruleId: "forward/symmetric-per-token", message: "Symmetric per token is not supported yet", pointer: "/granularity" });
    expect(validate({ dtype: "int8", granularity: { type: "PerToken" }, is_symmetric: true }).diagnostics[0].pointer).toBe("/is_symmetric");
    expect(ids({ dtype: "int8", granularity: "per_token", mapping_type: "ASYMMETRIC" })).toEqual([]);
  });
  it("flags zero_point_domain NONE for per_channel/per_group with torchao's message, and only warns for per_token", () => {
    expect(validate({ dtype: "int4", granularity: "per_channel", zero_point_domain: "NONE" }).diagnostics[0].message).toBe("zero_point should be None when zero_point_domain is NONE");
    expect(ids({ dtype: "int8", granularity: "per_token", is_symmetric: false, zero_point_domain: "NONE" })).toEqual(["lint/per-token-ignores-domain"]);
  });
  it("flags range learning with an integer zero point, the default int32 included", () => {
    expect(ids({ dtype: "int8", granularity: "per_channel", is_dynamic: false, range_learning: true })).toEqual(["forward/range-learning-integer-zero-point"]);
    expect(ids({ dtype: "int8", granularity: "per_channel", is_dynamic: false, range_learning: true, zero_point_precision: "int64" })).toContain("forward/range-learning-integer-zero-point");
    expect(ids({ dtype: "int8", granularity: "per_channel", is_dynamic: false, range_learning: true, zero_point_precision: "float32" })).toEqual([]);
  });
  it("rejects precisions outside the standard's lists although torchao stores them", () => {
    expect(ids({ dtype: "int4", group_size: 32, scale_precision: "int32" })).toEqual(["fqc/precision"]);
    expect(ids({ dtype: "int4", group_size: 32, zero_point_precision: "bool" })).toEqual(["fqc/precision"]);
    expect(ids({ dtype: "int4", group_size: 32, scale_precision: "floaty" })).toEqual(["fqc/enum"]);
  });
});

describe("warnings", () => {
  it("warns about asymmetric per_group/per_channel with the INT domain", () => {
    expect(ids({ dtype: "int4", group_size: 32, is_symmetric: false })).toEqual(["lint/asymmetric-int-domain"]);
    expect(ids({ dtype: "uint4", group_size: 32, is_symmetric: false, zero_point_domain: "FLOAT", zero_point_precision: "bfloat16" })).toEqual([]);
  });
  it("warns that symmetric 1-bit configs always give 0, except uint1 in the FLOAT domain", () => {
    expect(ids({ dtype: "int1", group_size: 16 })).toEqual(["lint/symmetric-1bit"]);
    expect(ids({ dtype: "int1", group_size: 16, zero_point_domain: "FLOAT", zero_point_precision: "float32" })).toEqual(["lint/symmetric-1bit"]);
    expect(ids({ dtype: "uint1", group_size: 16 })).toEqual(["lint/symmetric-1bit"]);
    expect(ids({ dtype: "uint1", group_size: 16, zero_point_domain: "FLOAT", zero_point_precision: "float32" })).toEqual([]);
  });
  it("warns that symmetric unsigned INT-domain configs clip negatives, not FLOAT-domain ones", () => {
    expect(ids({ dtype: "uint4", granularity: "per_channel" })).toEqual(["lint/symmetric-unsigned"]);
    expect(ids({ dtype: "uint4", granularity: "per_channel", zero_point_domain: "FLOAT", zero_point_precision: "float32" })).toEqual([]);
  });
  it("warns about eps 0 and negative eps", () => {
    expect(ids({ dtype: "int4", group_size: 32, eps: 0 })).toEqual(["lint/eps"]);
    expect(ids({ dtype: "int4", group_size: 32, eps: -1e-6 })).toEqual(["lint/eps"]);
    expect(ids({ dtype: "int4", group_size: 32, eps: 1e-9 })).toEqual([]);
  });
  it.each([
    ["dtype: int4\ngroup_size: 32\neps: .nan\n", "c.yaml", "`eps` must be a finite number or null, not NaN: JSON has no such number", 3, 6],
    ["dtype: int4\ngroup_size: 32\neps: -.inf\n", "c.yaml", "`eps` must be a finite number or null, not -infinity: JSON has no such number", 3, 6],
    ['{"dtype": "int4", "group_size": 32, "eps": 1e400}', "c.json", "`eps` must be a finite number or null, not infinity: JSON has no such number", 1, 44],
    ["dtype: int4\ngroup_size: 32\nis_symmetric: .nan\n", "c.yaml", "`is_symmetric` must be true, false, a finite number or null, not NaN: JSON has no such number", 3, 15],
    ['{"dtype": "int4", "group_size": 32, "is_symmetric": -1e999}', "c.json", "`is_symmetric` must be true, false, a finite number or null, not -infinity: JSON has no such number", 1, 53],
  ])("refuses a NaN or infinite eps or is_symmetric as fqc/type, the one error, and normalize refuses it too (%s)", (text, filename, message, line, column) => {
    // The schema refuses them as well (no JSON number is infinite); normalize would otherwise print null (the default) for an infinite eps.
    expect(validate(text, { filename }).diagnostics).toMatchObject([{ ruleId: "fqc/type", severity: "error", message, line, column }]);
    expect(() => normalizeDocument(text, { filename })).toThrow(message);
  });
  it("warns about float16 scales", () => {
    expect(ids({ dtype: "int4", group_size: 32, scale_precision: "float16" })).toEqual(["lint/float16-scale"]);
  });
  it("warns about narrow zero-point precisions only where the zero point can overflow", () => {
    const pt = { granularity: "per_token", is_symmetric: false };
    expect(ids({ dtype: "uint8", ...pt, zero_point_precision: "int8" })).toEqual(["lint/zero-point-overflow"]);
    expect(ids({ dtype: "int8", ...pt, zero_point_precision: "uint8" })).toEqual(["lint/zero-point-overflow"]);
    expect(ids({ dtype: "int8", ...pt, zero_point_precision: "int8" })).toEqual([]);
    expect(ids({ dtype: "uint8", ...pt, zero_point_precision: "int16" })).toEqual([]);
    expect(ids({ dtype: "int4", group_size: 32, zero_point_precision: "int8" })).toEqual([]);
    expect(ids({ dtype: "int4", group_size: 32, is_symmetric: false, zero_point_domain: "FLOAT", zero_point_precision: "int16" })).toContain("lint/zero-point-overflow");
  });
});
