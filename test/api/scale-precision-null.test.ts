/**
 * The library's fakeQuantize with `scale_precision: null` (torchao's None): scales are computed and kept in
 * the compute dtype, checked against the spec reference, which treats null as "the cast to S is the identity".
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { fakeQuantize } from "../../src/fake-quantize.js";
import { normalize } from "../../src/config/normalize.js";
import { inDtype, referenceFakeQuantize, type Fl } from "../quant/reference.js";

const same = (a: number, b: number) => (a !== a ? b !== b : Object.is(a, b));

describe("fakeQuantize with scale_precision null", () => {
  it("matches the spec reference with scales kept in the compute dtype, for float32, float16 and bfloat16 (fast-check)", () => {
    const arb = fc.record({
      compute: fc.constantFrom<Fl>("float32", "float16", "bfloat16"),
      fields: fc.constantFrom<Record<string, unknown>>(
        { dtype: "int8", granularity: "per_token", is_symmetric: false },
        { dtype: "int4", group_size: 4 },
        { dtype: "uint4", group_size: 4, is_symmetric: false, zero_point_domain: "FLOAT", zero_point_precision: "bfloat16" },
        { dtype: "int2", granularity: "per_channel" },
      ),
      torchao: fc.constantFrom("0.12" as const, "0.18" as const),
      values: fc.array(fc.double({ min: -4, max: 4, noNaN: true }), { minLength: 24, maxLength: 24 }),
    });
    fc.assert(
      fc.property(arb, ({ compute, fields, torchao, values }) => {
        const config = normalize({ ...fields, scale_precision: null });
        const x = values.map((v) => inDtype(compute, v));
        const got = fakeQuantize(config, Float32Array.from(x), { shape: [3, 8], computeDtype: compute, torchao });
        const want = referenceFakeQuantize(config, x, [3, 8], { compute, torchao });
        want.scale.forEach((s, i) => expect(same(got.scale[i], s), `scale[${i}]`).toBe(true));
        want.y.forEach((y, i) => expect(same(got.output[i], y), `y[${i}]`).toBe(true));
        // The scales are values of the compute dtype.
        for (const s of got.scale) expect(same(inDtype(compute, s), s)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("gives a float32 tensor exactly the scale_precision float32 result", () => {
    const x = Float32Array.from({ length: 64 }, (_, i) => Math.fround(Math.sin(i * 1.3) * 3));
    for (const fields of [{ dtype: "int8", granularity: "per_token", is_symmetric: false }, { dtype: "int4", group_size: 16 }]) {
      const a = fakeQuantize({ ...fields, scale_precision: null }, x, { shape: [4, 16] });
      const b = fakeQuantize({ ...fields, scale_precision: "float32" }, x, { shape: [4, 16] });
      expect(Array.from(a.output)).toEqual(Array.from(b.output));
      expect(Array.from(a.scale)).toEqual(Array.from(b.scale));
    }
  });

  it("holds static scales in the compute dtype: 0.1 becomes bfloat16's 0.10009766 under computeDtype bfloat16", () => {
    const config = { dtype: "int8", granularity: "per_token", is_symmetric: false, is_dynamic: false, scale_precision: null };
    const x = Float32Array.from([0.25, -1.5, 2, 0.5]);
    const bf = fakeQuantize(config, x, { shape: [4], computeDtype: "bfloat16", scale: [0.1], zeroPoint: [0] });
    expect(Array.from(bf.scale)).toEqual([0.10009765625]);
    const f32 = fakeQuantize(config, x, { shape: [4], scale: [0.1], zeroPoint: [0] });
    expect(Array.from(f32.scale)).toEqual([Math.fround(0.1)]);
  });
});
