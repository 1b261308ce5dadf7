/**
 * Property tests: the kernel (with its fast paths) against the slow per-element
 * reference written from the spec, over random dtypes, granularities, mappings,
 * domains, precisions, eps, shapes and values (ties, zeros, tiny values).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DTYPE_NAMES } from "../../src/config/dtypes.js";
import type { CanonicalConfig, CanonicalGranularity } from "../../src/config/types.js";
import { SCALE_PRECISIONS, ZERO_POINT_PRECISIONS } from "../../src/config/vocabulary.js";
import { fakeQuantizeRows } from "../../src/quant/kernel.js";
import { forwardProblems, makePlan, type ComputeDtype } from "../../src/quant/plan.js";
import { inDtype, referenceFakeQuantize, type Fl } from "./reference.js";

const computeArb = fc.constantFrom<ComputeDtype>("float32", "float32", "float16", "bfloat16", "float64");
const epsArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.constantFrom(0, 1e-30, 1e-6, 1e-2, 0.5, 2 ** -23) },
  { weight: 1, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
);

/** Values that stress rounding: exact ties, zeros of both signs, tiny and subnormal values, big values. */
const specialValue = fc.constantFrom(0, -0, 0.5, -0.5, 1.5, 2.5, -2.5, 3.5, 7.5, 127.5, 1e-7, -3e-7, 1e-40, 6e-8, 1e-5, 65504, 3e38, -3e38, NaN, Infinity, -Infinity);
const valueArb = fc.oneof(
  { weight: 4, arbitrary: fc.double({ min: -8, max: 8, noNaN: true }) },
  { weight: 2, arbitrary: fc.integer({ min: -300, max: 300 }).map((k) => k / 2) }, // halves: ties for power-of-two scales
  { weight: 2, arbitrary: specialValue },
  { weight: 1, arbitrary: fc.double({ min: -1e-3, max: 1e-3, noNaN: true }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffffffff }).map((b) => new Float32Array(new Uint32Array([b]).buffer)[0]) },
);

interface Case {
  config: CanonicalConfig;
  shape: number[];
  compute: ComputeDtype;
  torchao: "0.12" | "0.18";
  values: number[];
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    dtype: fc.constantFrom(...DTYPE_NAMES),
    kind: fc.constantFrom("per_token", "per_channel", "per_group"),
    symmetric: fc.boolean(),
    domain: fc.constantFrom("INT", "FLOAT"),
    // null: scales kept in the compute dtype (torchao's None).
    scale: fc.constantFrom(...SCALE_PRECISIONS, null),
    zp: fc.constantFrom(...ZERO_POINT_PRECISIONS),
    rangeLearning: fc.boolean(),
    eps: epsArb,
    compute: computeArb,
    torchao: fc.constantFrom("0.12" as const, "0.18" as const),
    rows: fc.integer({ min: 1, max: 4 }),
    groups: fc.integer({ min: 1, max: 3 }),
    groupSize: fc.integer({ min: 2, max: 12 }),
    lead: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
    seed: fc.integer(),
  })
  .chain((r) => {
    let granularity: CanonicalGranularity;
    let shape: number[];
    if (r.kind === "per_token") {
      granularity = { type: "PerToken" };
      shape = [...r.lead, r.groupSize * r.groups];
    } else {
      granularity = r.kind === "per_channel" ? { type: "PerAxis", axis: 0 } : { type: "PerGroup", group_size: r.groupSize };
      shape = [r.rows, r.groupSize * r.groups];
    }
    const config: CanonicalConfig = {
      dtype: r.dtype,
      granularity,
      mapping_type: r.kind === "per_token" || !r.symmetric ? "ASYMMETRIC" : "SYMMETRIC",
      scale_precision: r.scale,
      // range learning needs a float zero point
      zero_point_precision: r.rangeLearning && !r.zp.startsWith("float") && r.zp !== "bfloat16" ? "float32" : r.zp,
      zero_point_domain: r.domain as "INT" | "FLOAT",
      is_dynamic: !r.rangeLearning,
      range_learning: r.rangeLearning,
      eps: r.eps,
    };
    const n = shape.reduce((a, b) => a * b, 1);
    return fc.array(valueArb, { minLength: n, maxLength: n }).map((vals) => ({
      config, shape, compute: r.compute, torchao: r.torchao,
      values: vals.map((v) => inDtype(r.compute as Fl, v)),
    }));
  });

function same(a: number, b: number): boolean {
  return a !== a ? b !== b : Object.is(a, b);
}

function runKernel(c: Case, given?: { scale: Float64Array; zeroPoint: Float64Array }) {
  const plan = makePlan(c.config, c.shape, { compute: c.compute, torchao: c.torchao });
  const x = c.compute === "float64" ? Float64Array.from(c.values) : Float32Array.from(c.values);
  const out = c.compute === "float64" ? new Float64Array(x.length) : new Float32Array(x.length);
  const nq = plan.rows * plan.groupsPerRow;
  const scale = given ? given.scale : new Float64Array(nq);
  const zeroPoint = given ? given.zeroPoint : new Float64Array(nq);
  fakeQuantizeRows(plan, x, out, plan.rows, scale, zeroPoint, given ? "given" : "compute");
  return { y: Array.from(out), scale: Array.from(scale), zeroPoint: Array.from(zeroPoint) };
}

describe("kernel vs spec reference (fast-check)", () => {
  it("casts q to a 16-bit W before subtracting a fractional float zero point (uint8 INT groups, float32 zero point)", () => {
    // Some q + z then carries a fraction that W does not hold: W(q) − z differs from q − z (the third row is a bfloat16 case).
    for (const compute of ["float16", "bfloat16"] as const) {
      const config: CanonicalConfig = {
        dtype: "uint8", granularity: { type: "PerGroup", group_size: 8 }, mapping_type: "ASYMMETRIC",
        scale_precision: "float32", zero_point_precision: "float32", zero_point_domain: "INT",
        is_dynamic: true, range_learning: false, eps: null,
      };
      const c: Case = { config, shape: [3, 8], compute, torchao: "0.12",
        values: [-3.1, 0.7, 100.3, 57.2, -1.9, 12.5, 33.3, 80.1, 5.3, -0.6, 2.2, 9.9, 1.1, -4.4, 7.7, 3.3, 39, 21.625, -16.25, 40.5, -42, -36, -43.25, 43.25].map((v) => inDtype(compute, v)) };
      const got = runKernel(c);
      const want = referenceFakeQuantize(c.config, c.values, c.shape, { compute, torchao: c.torchao });
      expect(got.zeroPoint.some((z) => !Number.isInteger(z)), `${compute}: a fractional zero point`).toBe(true);
      expect(got.scale, compute).toEqual(want.scale);
      expect(got.y, compute).toEqual(want.y);
    }
  });

  it("generated configs are all runnable", () => {
    fc.assert(fc.property(caseArb, (c) => forwardProblems(c.config, c.shape).length === 0), { numRuns: 200 });
  });

  it("computes the same outputs and qparams, bit for bit", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const got = runKernel(c);
        const want = referenceFakeQuantize(c.config, c.values, c.shape, { compute: c.compute as Fl, torchao: c.torchao });
        for (let i = 0; i < want.scale.length; i++) {
          // An exactly-zero scale's sign comes from min/max tie-breaking (implementation-defined in torch),
          // and so does the sign of a zero point computed from it.
          const zeroScale = want.scale[i] === 0 && got.scale[i] === 0;
          if (!zeroScale) {
            expect(same(got.scale[i], want.scale[i]), `scale[${i}] ${got.scale[i]} vs ${want.scale[i]}`).toBe(true);
            expect(same(got.zeroPoint[i], want.zeroPoint[i]), `zp[${i}] ${got.zeroPoint[i]} vs ${want.zeroPoint[i]}`).toBe(true);
          }
        }
        for (let i = 0; i < want.y.length; i++) {
          expect(same(got.y[i], want.y[i]), `y[${i}] x=${c.values[i]} got ${got.y[i]} want ${want.y[i]}`).toBe(true);
        }
      }),
      { numRuns: 600 },
    );
  });

  it("runs the kernel alone with given (static) qparams like the reference", () => {
    const givenArb = caseArb.chain((c) => {
      const plan = makePlan(c.config, c.shape, { compute: c.compute, torchao: c.torchao });
      const nq = plan.rows * plan.groupsPerRow;
      const zfloat = !["int32", "int8", "int16", "int64", "uint8"].includes(c.config.zero_point_precision);
      const sArb = fc.oneof(fc.double({ min: 1e-4, max: 4, noNaN: true }), fc.constantFrom(2 ** -3, 0.1, 1e-6));
      const zArb = zfloat
        ? fc.double({ min: -20, max: 20, noNaN: true }).map((v) => inDtype(c.config.zero_point_precision as Fl, v))
        : fc.integer({ min: plan.qmin, max: plan.qmax });
      return fc.tuple(fc.constant(c), fc.array(sArb, { minLength: nq, maxLength: nq }), fc.array(zArb, { minLength: nq, maxLength: nq }))
        .map(([cc, s, z]) => ({ c: cc, scale: s.map((v) => inDtype((cc.config.scale_precision ?? cc.compute) as Fl, v)), zeroPoint: z }));
    });
    fc.assert(
      fc.property(givenArb, ({ c, scale, zeroPoint }) => {
        const got = runKernel(c, { scale: Float64Array.from(scale), zeroPoint: Float64Array.from(zeroPoint) });
        const want = referenceFakeQuantize(c.config, c.values, c.shape, { compute: c.compute as Fl, torchao: c.torchao, given: { scale, zeroPoint } });
        for (let i = 0; i < want.y.length; i++) {
          expect(same(got.y[i], want.y[i]), `y[${i}] x=${c.values[i]} got ${got.y[i]} want ${want.y[i]}`).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
