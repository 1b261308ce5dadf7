import { describe, expect, it } from "vitest";
import type { CanonicalConfig } from "../../src/config/types.js";
import { fakeQuantizeRows } from "../../src/quant/kernel.js";
import { makePlan } from "../../src/quant/plan.js";

const cfg: CanonicalConfig = {
  dtype: "uint4", granularity: { type: "PerGroup", group_size: 8 }, mapping_type: "ASYMMETRIC",
  scale_precision: "bfloat16", zero_point_precision: "bfloat16", zero_point_domain: "FLOAT",
  is_dynamic: true, range_learning: false, eps: null,
};

function data(n: number): Float32Array {
  const x = new Float32Array(n);
  let s = 7;
  for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) >>> 0; x[i] = (s / 2 ** 32 - 0.4) * 5; }
  return x;
}

describe("fakeQuantizeRows", () => {
  const plan = makePlan(cfg, [10, 24], { compute: "float32", torchao: "0.12" });
  const x = data(240);

  it("gives the same result for row chunks as for one call (row 0 of x is row 0 of the qparams)", () => {
    const whole = new Float32Array(240);
    const s = new Float64Array(30);
    const z = new Float64Array(30);
    fakeQuantizeRows(plan, x, whole, 10, s, z, "compute");
    const chunked = new Float32Array(240);
    const s2 = new Float64Array(30);
    const z2 = new Float64Array(30);
    for (const [r0, r1] of [[0, 3], [3, 4], [4, 10]]) {
      fakeQuantizeRows(plan, x.subarray(r0 * 24, r1 * 24), chunked.subarray(r0 * 24, r1 * 24), r1 - r0,
        s2.subarray(r0 * 3, r1 * 3), z2.subarray(r0 * 3, r1 * 3), "compute");
    }
    expect(chunked).toEqual(whole);
    expect(s2).toEqual(s);
    expect(z2).toEqual(z);
  });

  it("works in place and with given qparams", () => {
    const out = new Float32Array(240);
    const s = new Float64Array(30);
    const z = new Float64Array(30);
    fakeQuantizeRows(plan, x, out, 10, s, z, "compute");
    const y = Float32Array.from(x);
    fakeQuantizeRows(plan, y, y, 10, s, z, "given");
    expect(y).toEqual(out);
  });

  it("range-learning init rounds and clamps the float zero point and floors the scale at 1e-9", () => {
    const rl = makePlan({ ...cfg, scale_precision: "float32", zero_point_precision: "float32", is_dynamic: false, range_learning: true }, [1, 8], { compute: "float32", torchao: "0.12" });
    const s = new Float64Array(1);
    const z = new Float64Array(1);
    const out = new Float32Array(8);
    // Constant block with eps 1e-6: the scale stays 1e-6 (> 1e-9); zf = 3 + 8e-6 → round → 3.
    fakeQuantizeRows(rl, new Float32Array(8).fill(3), out, 1, s, z, "compute");
    expect(z[0]).toBe(3);
    expect(s[0]).toBe(Math.fround(1e-6));
    const tiny = makePlan({ ...cfg, scale_precision: "float32", zero_point_precision: "float32", is_dynamic: false, range_learning: true, eps: 0 }, [1, 8], { compute: "float32", torchao: "0.12" });
    fakeQuantizeRows(tiny, new Float32Array(8).fill(100), out, 1, s, z, "compute");
    expect(s[0]).toBe(Math.fround(1e-9));
    expect(z[0]).toBe(15); // zf = 100 clamps to qmax
  });

  it("plans are structured-cloneable plain data", () => {
    expect(structuredClone(plan)).toEqual(plan);
  });
});
