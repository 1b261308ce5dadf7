/**
 * The hand vectors of FAKEQUANT.md §9, as readable unit tests.
 * Values are float32 (shortest round-trip decimals); expected values are compared bit-exactly.
 */
import { describe, expect, it } from "vitest";
import type { CanonicalConfig } from "../../src/config/types.js";
import { fakeQuantizeRows } from "../../src/quant/kernel.js";
import { makePlan, type ComputeDtype } from "../../src/quant/plan.js";

const DEFAULTS: CanonicalConfig = {
  dtype: "int8", granularity: { type: "PerToken" }, mapping_type: "ASYMMETRIC",
  scale_precision: "float32", zero_point_precision: "int32", zero_point_domain: "INT",
  is_dynamic: true, range_learning: false, eps: null,
};
const perToken = (over: Partial<CanonicalConfig> = {}): CanonicalConfig => ({ ...DEFAULTS, ...over });
const group = (g: number, over: Partial<CanonicalConfig> = {}): CanonicalConfig =>
  ({ ...DEFAULTS, dtype: "int4", granularity: { type: "PerGroup", group_size: g }, mapping_type: "SYMMETRIC", ...over });

function fq(config: CanonicalConfig, input: number[], shape: number[] = [input.length], opts: { compute?: ComputeDtype; torchao?: "0.12" | "0.18" } = {}) {
  const plan = makePlan(config, shape, { compute: opts.compute ?? "float32", torchao: opts.torchao ?? "0.12" });
  const x = Float32Array.from(input);
  const nq = plan.rows * plan.groupsPerRow;
  const scale = new Float64Array(nq);
  const zp = new Float64Array(nq);
  fakeQuantizeRows(plan, x, x, plan.rows, scale, zp, "compute"); // in place
  return { y: Array.from(x), scale: Array.from(scale), zp: Array.from(zp) };
}
const f32 = (v: number[]) => v.map(Math.fround);

describe("FAKEQUANT.md §9 hand vectors", () => {
  it("A: ties round half to even", () => {
    const r = fq(perToken(), [0, 2.5, 3.5, 255]);
    expect(r.y).toEqual([0, 2, 4, 255]);
    expect(r.scale).toEqual([1]);
    expect(r.zp).toEqual([-128]);
  });
  it("B: the zero point uses round(-1.5) = -2", () => {
    const r = fq(perToken(), [-1.5, 0.5, 253.5]);
    expect(r.y).toEqual([-2, 0, 253]);
    expect(r.zp).toEqual([-126]);
  });
  it("C / C2: INT multiplies by the reciprocal, FLOAT divides", () => {
    const x = [11.375, 9.858333587646484, 0, -1];
    const c = fq(group(4), x, [1, 4]);
    expect(c.y).toEqual(f32([10.616667, 10.616667, 0, -1.5166667]));
    expect(c.scale).toEqual(f32([1.5166667]));
    const c2 = fq(group(4, { zero_point_domain: "FLOAT" }), x, [1, 4]);
    expect(c2.y).toEqual(f32([10.616667, 9.1, 0, -1.5166667]));
  });
  it("D / D' / D'': all-zero blocks floor the scale at eps (version-dependent); eps=0 gives NaN", () => {
    const z = [0, 0, 0, 0];
    expect(fq(perToken(), z)).toEqual({ y: z, scale: f32([1.1920929e-7]), zp: [-128] });
    expect(fq(group(2), z, [1, 4])).toEqual({ y: z, scale: f32([1.1920929e-7, 1.1920929e-7]), zp: [0, 0] });
    expect(fq(group(2, { mapping_type: "ASYMMETRIC" }), z, [1, 4])).toEqual({ y: z, scale: f32([1e-6, 1e-6]), zp: [0, 0] });
    expect(fq(perToken(), z, [4], { torchao: "0.18" }).scale).toEqual(f32([1.1754944e-38]));
    expect(fq(group(2), z, [1, 4], { torchao: "0.18" }).scale).toEqual(f32([1.1754944e-38, 1.1754944e-38]));
    expect(fq(perToken({ eps: 0 }), z).y.every(Number.isNaN)).toBe(true);
  });
  it("E / E2: bfloat16 and float16 scales", () => {
    const x = [1, 0.3, -0.7, 0.45];
    const e = fq(group(4, { scale_precision: "bfloat16" }), x, [1, 4]);
    expect(e.y).toEqual(f32([0.93652344, 0.26757812, -0.6689453, 0.4013672]));
    expect(e.scale).toEqual(f32([0.13378906]));
    const e2 = fq(group(4, { scale_precision: "float16" }), x, [1, 4]);
    expect(e2.y).toEqual(f32([0.93310547, 0.26660156, -0.6665039, 0.39990234]));
    expect(e2.scale).toEqual(f32([0.13330078]));
  });
  it("F / F2 / F3: asymmetric groups (truncated INT zero point; tinygemm FLOAT)", () => {
    const f = fq(group(4, { mapping_type: "ASYMMETRIC" }), [1, 2, 3, 4], [1, 4]);
    expect(f.y).toEqual([1, 1, 1, 1]);
    expect(f.scale).toEqual(f32([0.2]));
    expect(f.zp).toEqual([2]);
    const f2 = fq(group(4, { dtype: "uint4", mapping_type: "ASYMMETRIC", zero_point_domain: "FLOAT", scale_precision: "bfloat16", zero_point_precision: "bfloat16" }), [1, 2, 3, 4], [1, 4]);
    expect(f2.y).toEqual(f32([0.9921875, 1.9931641, 2.9941406, 3.9951172]));
    expect(f2.scale).toEqual(f32([0.20019531]));
    expect(f2.zp).toEqual(f32([2.59375]));
    const f3 = fq(group(4, { mapping_type: "ASYMMETRIC" }), [-1, -0.2, 0.4, 1], [1, 4]);
    expect(f3.y).toEqual(f32([-0.9333334, -0.13333334, 0.40000004, 0.9333334]));
  });
  it("G / G2: per_token on 1-D and 3-D input", () => {
    expect(fq(perToken(), [1, 2, 3, 4]).y).toEqual(f32([1.0039216, 1.992157, 2.9960785, 4]));
    const g2 = fq(perToken(), [-1, 0.5, 2, 4, 0, 0, -3, -6], [2, 2, 2]);
    expect(g2.y).toEqual(f32([-1, 0.5, 1.992157, 4, 0, 0, -3.0117648, -6]));
    expect(g2.scale).toEqual(f32([0.005882353, 0.015686275, 1.1920929e-7, 0.023529412]));
    expect(g2.zp).toEqual([42, -128, -128, 127]);
  });
  it("H: a float16 reciprocal overflows to inf and 0·inf is NaN", () => {
    const h = fq(group(4, { scale_precision: "float16" }), [0, 1e-5, -2e-5, 3e-5], [1, 4]);
    expect(h.y[0]).toBeNaN();
    expect(h.y.slice(1)).toEqual(f32([2.7954578e-5, -3.194809e-5, 2.7954578e-5]));
  });
  it("I / J: symmetric unsigned and int1", () => {
    const x = [-1, 0.5, 1, -0.25];
    expect(fq(group(4, { dtype: "uint4" }), x, [1, 4]).y).toEqual(f32([0, 0.53333336, 0.9333334, 0]));
    const j = fq(group(4, { dtype: "int1" }), x, [1, 4]);
    expect(j.y).toEqual([0, 0, 0, 0]);
    expect(j.scale).toEqual([2]);
  });
  it("K: per_channel", () => {
    const k = fq({ ...group(4, { dtype: "int8" }), granularity: { type: "PerAxis", axis: 0 } }, [0.1, -0.2, 0.3, -0.4, 10, 20, -30, 5], [2, 4]);
    expect(k.y).toEqual(f32([0.100392155, -0.20078431, 0.30117646, -0.40156862, 9.882353, 20, -30.117647, 4.9411764]));
    expect(k.scale).toEqual(f32([0.0031372549, 0.23529412]));
  });
  it("L: tiny values see the eps floor in v0.12 but not in v0.18", () => {
    const x = [1e-7, -3e-7, 2e-7, 0];
    expect(fq(group(4), x, [1, 4]).y).toEqual(f32([1.1920929e-7, -3.5762787e-7, 2.3841858e-7, 0]));
    expect(fq(group(4), x, [1, 4], { torchao: "0.18" }).y).toEqual(f32([8e-8, -3.2e-7, 2e-7, 0]));
  });
  it("M / N / O: user eps, uint8 and int4 per_token", () => {
    const m = fq(perToken({ eps: 0.00123 }), [0.001, -0.002, 0.0005, 0]);
    expect(m.y).toEqual(f32([0.00123, -0.00246, 0, 0]));
    expect(m.zp).toEqual([-126]);
    expect(fq(perToken({ dtype: "uint8" }), [-1, 0, 1, 2])).toEqual({ y: [-1, 0, 1, 2], scale: f32([0.011764706]), zp: [85] });
    expect(fq(perToken({ dtype: "int4" }), [-1, 0, 1, 2])).toEqual({ y: [-1, 0, 1, 2], scale: f32([0.2]), zp: [-3] });
  });
  it("P / Q: overflow gives NaN; the INT kernel never outputs -0", () => {
    expect(fq(perToken(), [-3e38, 3e38]).y.every(Number.isNaN)).toBe(true);
    const q = fq(perToken(), [-0, -0.01, 1]);
    expect(Object.is(q.y[0], 0)).toBe(true);
    expect(q.y.slice(1)).toEqual(f32([-0.011882352, 0.99811757]));
    expect(q.zp).toEqual([-125]);
  });
  it("R: float32 zero point", () => {
    const r = fq(perToken({ zero_point_precision: "float32" }), [-0.3, 0.1, 0.7, 1.9]);
    expect(r.y).toEqual(f32([-0.3019608, 0.10352941, 0.6988235, 1.8980392]));
    expect(r.zp).toEqual([-93]);
  });
  it("S: NaN or +inf poisons the whole block; the int32 zero point is INT_MIN on x86", () => {
    const nan = fq(perToken(), [1, NaN, -2, 0.5]);
    expect(nan.y.every(Number.isNaN)).toBe(true);
    expect(nan.zp).toEqual([-2147483648]);
    expect(fq(group(4), [1, Infinity, -2, 0.5], [1, 4]).y.every(Number.isNaN)).toBe(true);
  });
});
