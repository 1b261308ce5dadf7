/**
 * The library's fakeQuantize with static qparams: the given values are held
 * in scale_precision and zero_point_precision, as torchao's qparam tensors
 * are and as `fqc apply --scale/--zero-point` reads them, so both entry points
 * give the same bits; values torchao could not hold or use are refused alike.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { fakeQuantize } from "../../src/fake-quantize.js";
import { dtypeInfo, DTYPE_NAMES } from "../../src/config/dtypes.js";
import type { CanonicalConfig } from "../../src/config/types.js";
import { SCALE_PRECISIONS, ZERO_POINT_PRECISIONS } from "../../src/config/vocabulary.js";
import { inDtype, referenceFakeQuantize, type Fl } from "../quant/reference.js";

const INT_ZP = new Set(["int32", "int8", "int16", "int64", "uint8"]);

function staticConfig(over: Partial<CanonicalConfig>): CanonicalConfig {
  return {
    dtype: "int8", granularity: { type: "PerToken" }, mapping_type: "ASYMMETRIC", scale_precision: "float32",
    zero_point_precision: "int32", zero_point_domain: "INT", is_dynamic: false, range_learning: false, eps: null, ...over,
  };
}

const same = (a: number, b: number) => (a !== a ? b !== b : Object.is(a, b));

describe("fakeQuantize with static qparams", () => {
  it("rounds a given scale to a bfloat16 scale_precision before using it (0.1 → 0.10009766)", () => {
    const config = staticConfig({ scale_precision: "bfloat16" });
    const x = [0.3, -1.7, 2.2, 0.05].map((v) => Math.fround(v));
    const r = fakeQuantize(config, Float32Array.from(x), { shape: [4], scale: [0.1], zeroPoint: [-3] });
    expect(Array.from(r.scale)).toEqual([0.10009765625]);
    const want = referenceFakeQuantize(config, x, [4], { compute: "float32", torchao: "0.12", given: { scale: [0.10009765625], zeroPoint: [-3] } });
    expect(Array.from(r.output)).toEqual(want.y);
    expect(r.output[0]).toBe(Math.fround(0.30029296875));
  });

  it("holds a zero point in a float zero_point_precision (bfloat16 rounds -3.3 to -3.296875)", () => {
    const config = staticConfig({ zero_point_precision: "bfloat16" });
    const r = fakeQuantize(config, new Float32Array([0.25, -1]), { shape: [2], scale: [0.125], zeroPoint: [-3.3] });
    expect(Array.from(r.zeroPoint)).toEqual([-3.296875]);
  });

  it("matches the spec reference run on the qparams rounded to their precisions, for any config and raw values (fast-check)", () => {
    const caseArb = fc.record({
      dtype: fc.constantFrom(...DTYPE_NAMES),
      kind: fc.constantFrom("per_token", "per_channel", "per_group"),
      symmetric: fc.boolean(),
      domain: fc.constantFrom("INT" as const, "FLOAT" as const),
      scalePrecision: fc.constantFrom(...SCALE_PRECISIONS),
      zeroPointPrecision: fc.constantFrom(...ZERO_POINT_PRECISIONS),
      rows: fc.integer({ min: 1, max: 3 }),
      groups: fc.integer({ min: 1, max: 3 }),
      groupSize: fc.integer({ min: 2, max: 6 }),
    }).chain((r) => {
      const config = staticConfig({
        dtype: r.dtype,
        granularity: r.kind === "per_token" ? { type: "PerToken" } : r.kind === "per_channel" ? { type: "PerAxis", axis: 0 } : { type: "PerGroup", group_size: r.groupSize },
        mapping_type: r.kind !== "per_token" && r.symmetric ? "SYMMETRIC" : "ASYMMETRIC",
        scale_precision: r.scalePrecision,
        zero_point_precision: r.zeroPointPrecision,
        zero_point_domain: r.domain,
      });
      const cols = r.groupSize * r.groups;
      const nq = r.kind === "per_token" ? r.rows : r.kind === "per_channel" ? r.rows : r.rows * r.groups;
      const { qmin, qmax } = dtypeInfo(r.dtype);
      // int8/uint8 zero points hold only part of the uint8/int8 ranges.
      const zInt = r.zeroPointPrecision === "int8" ? fc.integer({ min: Math.max(qmin, -128), max: Math.min(qmax, 127) })
        : r.zeroPointPrecision === "uint8" ? fc.integer({ min: Math.max(qmin, 0), max: qmax })
          : fc.integer({ min: qmin, max: qmax });
      const zArb = INT_ZP.has(r.zeroPointPrecision) ? zInt : fc.double({ min: -20, max: 20, noNaN: true });
      return fc.record({
        config: fc.constant(config),
        shape: fc.constant<number[]>([r.rows, cols]),
        values: fc.array(fc.double({ min: -8, max: 8, noNaN: true }).map(Math.fround), { minLength: r.rows * cols, maxLength: r.rows * cols }),
        scale: fc.array(fc.double({ min: 1e-3, max: 2, noNaN: true }), { minLength: nq, maxLength: nq }),
        zeroPoint: fc.array(zArb, { minLength: nq, maxLength: nq }),
      });
    });
    fc.assert(
      fc.property(caseArb, ({ config, shape, values, scale, zeroPoint }) => {
        const S = config.scale_precision as Fl;
        const Z = config.zero_point_precision;
        const heldScale = scale.map((v) => inDtype(S, v));
        const heldZp = INT_ZP.has(Z) ? zeroPoint : zeroPoint.map((v) => inDtype(Z as Fl, v));
        const got = fakeQuantize(config, Float32Array.from(values), { shape, scale, zeroPoint });
        const want = referenceFakeQuantize(config, values, shape, { compute: "float32", torchao: "0.12", given: { scale: heldScale, zeroPoint: heldZp } });
        expect(Array.from(got.scale)).toEqual(heldScale);
        expect(Array.from(got.zeroPoint)).toEqual(heldZp);
        for (let i = 0; i < want.y.length; i++) {
          expect(same(got.output[i], want.y[i]), `y[${i}] x=${values[i]} got ${got.output[i]} want ${want.y[i]}`).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("refuses static qparams on a dynamic config (torchao recomputes them on every call)", () => {
    const config = staticConfig({ is_dynamic: true });
    expect(() => fakeQuantize(config, new Float32Array([1, 2]), { shape: [2], scale: [0.1], zeroPoint: [0] }))
      .toThrow(/static qparams \(scale, zeroPoint\) need a static config/);
  });

  it("refuses a scale torchao could never use (NaN), naming its index", () => {
    expect(() => fakeQuantize(staticConfig({}), new Float32Array([1, 2, 3, 4]), { shape: [2, 2], scale: [0.1, NaN], zeroPoint: [0, 0] }))
      .toThrow(/^scale: scale #1 is NaN/);
  });

  it("refuses a fractional zero point for an integer zero_point_precision instead of truncating it", () => {
    expect(() => fakeQuantize(staticConfig({}), new Float32Array([1, 2]), { shape: [2], scale: [0.1], zeroPoint: [-3.7] }))
      .toThrow(/zeroPoint: zero point #0 is -3\.7, not an integer: zero_point_precision int32 would truncate it/);
  });

  it("refuses a zero point outside an int8 zero_point_precision instead of wrapping it (200 would become -56)", () => {
    const config = staticConfig({ dtype: "uint8", zero_point_precision: "int8" });
    expect(() => fakeQuantize(config, new Float32Array([1, 2]), { shape: [2], scale: [0.1], zeroPoint: [200] }))
      .toThrow(/zero point #0 is 200, outside int8's range \[-128, 127\]: zero_point_precision int8 would wrap it/);
  });
});

describe("the range each integer zero_point_precision holds", () => {
  const run = (precision: CanonicalConfig["zero_point_precision"], z: number) =>
    fakeQuantize(staticConfig({ zero_point_precision: precision }), new Float32Array([1, 2]), { shape: [2], scale: [0.1], zeroPoint: [z] });

  it("takes both ends of each range, and refuses one past either end, naming the range", () => {
    const RANGES: Array<[CanonicalConfig["zero_point_precision"], number, number, string]> = [
      ["int8", -128, 127, "[-128, 127]"], ["uint8", 0, 255, "[0, 255]"], ["int16", -32768, 32767, "[-32768, 32767]"],
      ["int32", -2147483648, 2147483647, "[-2147483648, 2147483647]"],
    ];
    for (const [precision, lo, hi, range] of RANGES) {
      expect(Array.from(run(precision, lo).zeroPoint), `${precision} ${lo}`).toEqual([lo]);
      expect(Array.from(run(precision, hi).zeroPoint), `${precision} ${hi}`).toEqual([hi]);
      for (const z of [lo - 1, hi + 1]) {
        expect(() => run(precision, z), `${precision} ${z}`).toThrow(`zeroPoint: zero point #0 is ${z}, outside ${precision}'s range ${range}: zero_point_precision ${precision} would wrap it`);
      }
    }
    let e: unknown;
    try {
      run("int8", 200);
    } catch (thrown) {
      e = thrown;
    }
    expect(e).toMatchObject({ code: "USAGE", hint: "Use a zero_point_precision that holds these zero points (int32 holds those of every dtype), or check that the values are zero points." });
    for (const precision of ["int8", "int32"] as const) {
      expect(() => run(precision, 0.5)).toThrow(expect.objectContaining({ code: "USAGE" }));
    }
  });

  it("int64 takes -2^63 and the last double below 2^63, and refuses 2^63 itself (not an int64)", () => {
    expect(Array.from(run("int64", -(2 ** 63)).zeroPoint)).toEqual([-(2 ** 63)]);
    expect(Array.from(run("int64", 2 ** 63 - 1024).zeroPoint)).toEqual([2 ** 63 - 1024]);
    // Its range in powers of two: JavaScript would write -2^63 as -9223372036854776000.
    expect(() => run("int64", 2 ** 63)).toThrow("zeroPoint: zero point #0 is 9223372036854776000, outside int64's range [-2^63, 2^63 - 1]: zero_point_precision int64 would wrap it");
    expect(() => run("int64", -(2 ** 63) - 2048)).toThrow("zero point #0 is -9223372036854778000, outside int64's range [-2^63, 2^63 - 1]");
  });

  it("a NaN zero point is named as NaN, with the hint for a float one", () => {
    let e: unknown;
    try {
      run("int32", NaN);
    } catch (thrown) {
      e = thrown;
    }
    expect((e as Error).message).toBe("zeroPoint: zero point #0 is NaN, not an integer: zero_point_precision int32 would truncate it");
    expect((e as { hint?: string }).hint).toBe("A float zero point needs a float zero_point_precision in the config.");
  });
});

describe("the words for a scale torchao could not use", () => {
  const run = (scale: number, over: Partial<CanonicalConfig> = {}) =>
    fakeQuantize(staticConfig(over), new Float32Array([1, 2]), { shape: [2], scale: [scale], zeroPoint: [0] });
  const refusal = (f: () => unknown): [string, string | undefined] => {
    try {
      f();
    } catch (e) {
      return [(e as Error).message, (e as { hint?: string }).hint];
    }
    throw new Error("expected a refusal");
  };
  const hint = "Scales must be finite and greater than 0 (torchao clamps computed scales to at least eps).";

  it("are usage errors (what the caller passed), as is static qparams on a dynamic config, whose hint says how to make it static", () => {
    expect(() => run(NaN)).toThrow(expect.objectContaining({ code: "USAGE" }));
    expect(() => run(0.1, { is_dynamic: true })).toThrow(expect.objectContaining({
      code: "USAGE", hint: 'Set "is_dynamic": false in the config.',
      message: "static qparams (scale, zeroPoint) need a static config: a dynamic config (is_dynamic: true) recomputes its qparams on every call",
    }));
  });

  it("say what torchao would do with it, and that it was rounded to scale_precision when that made it 0 or infinite", () => {
    expect(refusal(() => run(1e-50))).toEqual(["scale: scale #0 is 0 (after rounding to float32): torchao would divide by zero (r = 1/s = inf) and output 0 or NaN", hint]);
    expect(refusal(() => run(1e6, { scale_precision: "float16" }))).toEqual(["scale: scale #0 is inf (after rounding to float16): torchao would output NaN for every element of its group", hint]);
    expect(refusal(() => run(-Infinity))).toEqual(["scale: scale #0 is -inf (after rounding to float32): torchao would output NaN for every element of its group", hint]);
    expect(refusal(() => run(NaN))).toEqual(["scale: scale #0 is NaN (after rounding to float32): torchao would output NaN for every element of its group", hint]);
    expect(refusal(() => run(-0.5))).toEqual(["scale: scale #0 is negative (-0.5): torchao would mirror its integer grid (q = round(x / s) changes sign) instead of quantizing", hint]);
  });
});
