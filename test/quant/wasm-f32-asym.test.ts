/**
 * The float32 asymmetric group WebAssembly kernels (asym_groups: INT domain,
 * int32 zero points; asym_float_groups: FLOAT domain, tinygemm, float32 zero
 * points) against the JS kernel, bit for bit: outputs (NaN bits included),
 * scales and zero points (NaN bits included), for every dtype, eps, group
 * sizes that are and are not whole vectors, per_group and per_channel, and
 * hostile groups (NaN with any payload, ±inf, all-zero, subnormal, huge,
 * overflowing ranges, zero points past 2^24 or beyond int32). Plus which
 * plans they take, what they leave to JS, four-groups-at-a-time lanes,
 * in-place and block-copy runs, and the corpus cases they serve.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DTYPE_NAMES, dtypeInfo } from "../../src/config/dtypes.js";
import type { CanonicalConfig } from "../../src/config/types.js";
import { fakeQuantizeRows, kernelFor } from "../../src/quant/kernel.js";
import { makePlan, type QuantPlan } from "../../src/quant/plan.js";
import { fakeQuantizeRowsWasm, wasmCaseFor, wasmChunkViews } from "../../src/quant/wasm/kernel-wasm.js";
import { canonicalFromKwargs, loadManifest, loadNumbers } from "./corpus.js";
import { diffBits, expectSameBits, pseudoRandom, runInRowChunks, runKernel } from "./kernel-compare.js";

const run = runKernel;
const expectSame = expectSameBits;

const fromBits = (b: number) => new Float32Array(new Uint32Array([b >>> 0]).buffer)[0];

const intConfig: CanonicalConfig = {
  dtype: "int4", granularity: { type: "PerGroup", group_size: 32 }, mapping_type: "ASYMMETRIC",
  scale_precision: "float32", zero_point_precision: "int32", zero_point_domain: "INT",
  is_dynamic: true, range_learning: false, eps: null,
};
const floatConfig: CanonicalConfig = { ...intConfig, dtype: "uint4", zero_point_domain: "FLOAT", zero_point_precision: "float32" };

type Domain = "INT" | "FLOAT";
const configFor = (domain: Domain): CanonicalConfig => (domain === "INT" ? intConfig : floatConfig);

/** Values one at a time that stress the kernel: ties, both zeros, subnormals, the largest floats, infinities, NaNs of any payload. */
const CORNER = [0, -0, 0.5, -0.5, 1.5, -2.5, 7.5, -7.5, 127.5, 1e-7, -3e-7, 1e-40, -1e-45, 1.4e-45, 6e-8, 65504, 3.4e38, -3.4e38,
  1.7e38, 16777217, -16777216, 2147483648, NaN, Infinity, -Infinity, fromBits(0xffc00000), fromBits(0x7fa00001), fromBits(0xff812345)];

/**
 * What one group holds. Each kind aims at a branch: a NaN (any payload) or infinite input (all of it: allInf), a range that
 * overflows (s = inf), zeros or a constant (the eps floor; with eps ≤ 0 a zero scale, infinite reciprocal),
 * subnormals (tiny, scaled), exact rounding ties (anchored: s = 1; ties), zero points past 2^24 where
 * q − z is not exact in float32 (offset) and beyond int32 (farOffset: INT_MIN), one-signed ranges, random
 * bit patterns (bits), and corner values mixed one by one (corner).
 */
const KINDS = ["plain", "zeros", "nan", "nanPayload", "inf", "negInf", "allInf", "nanInf", "tiny", "scaled", "huge", "overflow", "anchored", "ties",
  "offset", "farOffset", "constant", "positive", "negative", "bits", "corner"] as const;
type Kind = (typeof KINDS)[number];

function fill(grp: Float32Array, kind: Kind, dtype: CanonicalConfig["dtype"], seed: number, by: number): void {
  const n = grp.length;
  const at = seed % n;
  const info = dtypeInfo(dtype);
  switch (kind) {
    case "plain": break;
    case "zeros": grp.forEach((_, i) => { grp[i] = (i + seed) % 3 === 0 ? -0 : 0; }); break;
    case "nan": grp[at] = NaN; break;
    // A negative quiet NaN, a signalling one and others with payloads: the outputs' NaN bits must not depend on them.
    case "nanPayload": new Uint32Array(grp.buffer, grp.byteOffset, n)[at] = [0xffc00000, 0x7f800001, 0xff812345, 0x7fc0beef][seed % 4]; break;
    case "inf": grp[at] = Infinity; break;
    case "negInf": grp[at] = -Infinity; break;
    // hi − lo = inf − inf: the scale is the machine's default NaN (negative on x86), not the NaN literal's +NaN.
    case "allInf": grp.fill(seed % 3 === 0 ? -Infinity : Infinity); if (seed % 3 === 2) grp[at] = -Infinity; break;
    case "nanInf": grp.fill(Infinity); grp[at] = NaN; break;
    case "tiny": grp.forEach((v, i) => { grp[i] = v * 1e-40; }); break;
    case "scaled": grp.forEach((v, i) => { grp[i] = v * by; }); break;
    case "huge": grp[at] = seed % 2 ? 3.4e38 : -1.7e38; break;
    // max − min overflows float32: s = inf.
    case "overflow": grp[0] = -3e38; grp[n - 1] = 3e38; break;
    case "anchored": {
      // Values on a half-integer grid spanning exactly 2^b − 1: s = 1, exact ties.
      const span = 2 ** info.bits - 1;
      grp.forEach((_, i) => { grp[i] = ((i * 7 + seed) % (2 * span + 1)) / 2 - (seed % 3); });
      grp[0] = -(seed % 3);
      if (n > 1) grp[n - 1] = span - (seed % 3);
      break;
    }
    case "ties": grp.forEach((_, i) => { grp[i] = ((i * 7 + seed) % 15) - 7.5; }); break;
    case "offset": {
      const base = [300, 1e5, 3e7, 1e9, 2e9][seed % 5];
      grp.forEach((v, i) => { grp[i] = (seed % 2 ? base : -base) + v * (1 + (seed % 7)) * (base > 1e7 ? 64 : 1); });
      break;
    }
    case "farOffset": grp.forEach((v, i) => { grp[i] = (seed % 2 ? 1e10 : -3e12) * (1 + v / 16); }); break;
    case "constant": grp.fill([1.5, -3, 1e-3, 300, 1e-42][seed % 5]); break;
    case "positive": grp.forEach((v, i) => { grp[i] = Math.abs(v) + 0.25; }); break;
    case "negative": grp.forEach((v, i) => { grp[i] = -Math.abs(v) - 0.25; }); break;
    case "bits": grp.forEach((_, i) => { grp[i] = fromBits(Math.imul(seed + i, 2654435761)); }); break;
    case "corner": {
      const u = new Uint32Array(grp.buffer, grp.byteOffset, n);
      const cu = new Uint32Array(Float32Array.from(CORNER).buffer);
      for (let i = 0; i < n; i++) if ((Math.imul(seed + i, 40503) >>> 7) % 3 === 0) u[i] = cu[(seed * 31 + i * 7) % CORNER.length];
      break;
    }
  }
}

interface Case { config: CanonicalConfig; shape: number[]; torchao: "0.12" | "0.18"; values: Float32Array; what: string }

const EPS = [null, null, null, 0, -0.5, 1e-45, 1e-40, 2 ** -23, 1e-6, 0.01, 0.5, 3, 3e38];

const caseArb = (domain: Domain): fc.Arbitrary<Case> => fc
  .record({
    dtype: fc.constantFrom(...DTYPE_NAMES),
    kind: fc.constantFrom("per_channel", "per_group"),
    eps: fc.constantFrom(...EPS),
    torchao: fc.constantFrom("0.12" as const, "0.18" as const),
    rows: fc.integer({ min: 1, max: 6 }),
    groups: fc.integer({ min: 1, max: 5 }),
    groupSize: fc.oneof(fc.integer({ min: 2, max: 13 }), fc.constantFrom(16, 32, 33, 64, 128)),
    kinds: fc.array(fc.constantFrom(...KINDS), { minLength: 1, maxLength: 8 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 }),
    by: fc.constantFrom(1, 2 ** -20, 2 ** -60, 2 ** -126, 2 ** -140, 2 ** 100),
  })
  .map((r) => {
    const granularity = r.kind === "per_channel" ? { type: "PerAxis" as const, axis: 0 as const } : { type: "PerGroup" as const, group_size: r.groupSize };
    const shape = [r.rows, r.groupSize * r.groups];
    const config: CanonicalConfig = { ...configFor(domain), dtype: r.dtype, granularity, eps: r.eps };
    const plan = makePlan(config, shape, { compute: "float32", torchao: r.torchao });
    const values = pseudoRandom(plan.rows * plan.rowLength, r.seed);
    const g = plan.groupSize;
    const used: Kind[] = [];
    for (let k = 0; k * g < values.length; k++) {
      const kind = r.kinds[k % r.kinds.length];
      used.push(kind);
      fill(values.subarray(k * g, (k + 1) * g), kind, r.dtype, r.seed + k, r.by);
    }
    const what = `${domain} ${r.dtype} ${r.kind} ${shape.join("x")} eps=${r.eps} ${r.torchao} by=${r.by} ${used.join(",")}`;
    return { config, shape, torchao: r.torchao, values, what };
  });

/** Groups of whole vectors (g = 4n) run four at a time; mostly plain groups, so a batch often holds exactly one odd lane. */
const batchArb = (domain: Domain) => fc.record({
  g: fc.constantFrom(4, 8, 12, 32, 64),
  kinds: fc.array(fc.oneof(
    { weight: 8, arbitrary: fc.constant<Kind>("plain") },
    { weight: 1, arbitrary: fc.constant<Kind>("offset") },
    { weight: 3, arbitrary: fc.constantFrom(...KINDS) },
  ), { minLength: 1, maxLength: 13 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 }),
  eps: fc.constantFrom(...EPS),
  dtype: fc.constantFrom(...DTYPE_NAMES),
  by: fc.constantFrom(1, 2 ** -60, 2 ** -140, 2 ** 100),
}).map(({ g, kinds, seed, eps, dtype, by }) => {
  const values = pseudoRandom(g * kinds.length, seed);
  kinds.forEach((kind, k) => fill(values.subarray(k * g, (k + 1) * g), kind, dtype, seed + k, by));
  const config: CanonicalConfig = { ...configFor(domain), dtype, eps, granularity: { type: "PerGroup", group_size: g } };
  return { config, shape: [1, values.length], torchao: "0.12" as const, values, what: `${domain} g=${g} ${kinds.join(",")} eps=${eps} ${dtype} by=${by}` };
});

/** Cases whose values are drawn one by one by fast-check (shrinkable), biased toward the corner values. */
const valueArb = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -8, max: 8, noNaN: true }) },
  { weight: 3, arbitrary: fc.integer({ min: -300, max: 300 }).map((k) => k / 2) },
  { weight: 2, arbitrary: fc.constantFrom(...CORNER) },
  { weight: 1, arbitrary: fc.double({ min: -1e-3, max: 1e-3, noNaN: true }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffffffff }).map(fromBits) },
);
const drawnArb = (domain: Domain): fc.Arbitrary<Case> => fc
  .record({
    dtype: fc.constantFrom(...DTYPE_NAMES),
    perChannel: fc.boolean(),
    eps: fc.constantFrom(...EPS),
    rows: fc.integer({ min: 1, max: 4 }),
    groups: fc.integer({ min: 1, max: 4 }),
    groupSize: fc.oneof(fc.integer({ min: 2, max: 9 }), fc.constantFrom(12, 16, 32)),
  })
  .chain((r) => {
    const n = r.rows * r.groups * r.groupSize;
    return fc.array(valueArb, { minLength: n, maxLength: n }).map((vals) => {
      const granularity = r.perChannel ? { type: "PerAxis" as const, axis: 0 as const } : { type: "PerGroup" as const, group_size: r.groupSize };
      const config: CanonicalConfig = { ...configFor(domain), dtype: r.dtype, granularity, eps: r.eps };
      const shape = [r.rows, r.groups * r.groupSize];
      return { config, shape, torchao: "0.12" as const, values: Float32Array.from(vals), what: `${domain} ${r.dtype} ${shape.join("x")} eps=${r.eps}` };
    });
  });

function planOf(c: Case): QuantPlan {
  return makePlan(c.config, c.shape, { compute: "float32", torchao: c.torchao });
}

describe("float32 asymmetric group wasm kernels: dispatch", () => {
  const plan = (c: Partial<CanonicalConfig>, shape = [4, 64]) => makePlan({ ...intConfig, ...c }, shape, { compute: "float32", torchao: "0.12" });

  it("runs asymmetric INT-domain groups (per_group and per_channel, float32 scales, int32 zero points) on asym_groups", () => {
    expect(wasmCaseFor(plan({}))).toBe("asym_groups");
    expect(wasmCaseFor(plan({ dtype: "uint8", granularity: { type: "PerAxis", axis: 0 } }))).toBe("asym_groups");
    expect(wasmCaseFor(plan({ dtype: "int1", granularity: { type: "PerGroup", group_size: 7 } }, [3, 21]))).toBe("asym_groups");
    expect(kernelFor(plan({}), "compute")).toBe("wasm");
  });

  it("runs asymmetric FLOAT-domain (tinygemm) groups with float32 scales and zero points on asym_float_groups", () => {
    expect(wasmCaseFor(plan({ zero_point_domain: "FLOAT", zero_point_precision: "float32" }))).toBe("asym_float_groups");
    expect(wasmCaseFor(plan({ zero_point_domain: "FLOAT", zero_point_precision: "float32", granularity: { type: "PerAxis", axis: 0 } })))
      .toBe("asym_float_groups");
    expect(kernelFor(plan({ dtype: "uint4", zero_point_domain: "FLOAT", zero_point_precision: "float32" }), "compute")).toBe("wasm");
  });

  it("leaves other scale/zero-point dtypes, symmetric FLOAT domain, range learning and given qparams to JS", () => {
    for (const c of [
      { zero_point_domain: "FLOAT" }, // an int32 zero point in the FLOAT domain
      { zero_point_domain: "FLOAT", scale_precision: "bfloat16", zero_point_precision: "bfloat16" },
      { zero_point_domain: "FLOAT", zero_point_precision: "float16" },
      { zero_point_domain: "FLOAT", scale_precision: "float64", zero_point_precision: "float64" },
      { zero_point_domain: "FLOAT", zero_point_precision: "float32", mapping_type: "SYMMETRIC" },
      { zero_point_precision: "float32" }, // INT domain with a float zero point
      { scale_precision: "bfloat16" },
      { zero_point_precision: "int8" },
      { zero_point_precision: "float32", range_learning: true, is_dynamic: false },
      { zero_point_domain: "FLOAT", zero_point_precision: "float32", range_learning: true, is_dynamic: false },
    ] as Array<Partial<CanonicalConfig>>) {
      expect(kernelFor(plan(c), "compute"), JSON.stringify(c)).toBe("js");
    }
    expect(kernelFor(plan({}), "given")).toBe("js");
    expect(kernelFor(plan({ zero_point_domain: "FLOAT", zero_point_precision: "float32" }), "given")).toBe("js");
  });
});

describe("float32 asymmetric group wasm kernels vs the JS kernel (fast-check, bit for bit)", () => {
  for (const domain of ["INT", "FLOAT"] as const) {
    it(`${domain} domain: the same outputs, scales and zero points for any dtype, granularity, eps and mix of hostile groups`, () => {
      fc.assert(
        fc.property(caseArb(domain), (c) => {
          const plan = planOf(c);
          expect(wasmCaseFor(plan)).toBe(domain === "INT" ? "asym_groups" : "asym_float_groups");
          expect(kernelFor(plan, "compute")).toBe("wasm");
          expectSame(run(plan, c.values, "auto"), run(plan, c.values, "js"), c.what);
        }),
        { numRuns: 1500 },
      );
    });

    it(`${domain} domain: the same bits when groups run four at a time, whatever kind of group sits in each lane`, () => {
      fc.assert(
        fc.property(batchArb(domain), (c) => {
          const plan = planOf(c);
          expect(kernelFor(plan, "compute")).toBe("wasm");
          expectSame(run(plan, c.values, "auto"), run(plan, c.values, "js"), c.what);
        }),
        { numRuns: 1500 },
      );
    });

    it(`${domain} domain: the same bits for values drawn one by one, biased toward ties, zeros, subnormals, extremes and NaNs`, () => {
      fc.assert(
        fc.property(drawnArb(domain), (c) => {
          const plan = planOf(c);
          expectSame(run(plan, c.values, "auto"), run(plan, c.values, "js"), c.what);
        }),
        { numRuns: 1500 },
      );
    });

    it(`${domain} domain: the same bits in place in its own memory (wasmChunkViews), with no copies`, () => {
      fc.assert(
        fc.property(caseArb(domain), (c) => {
          const plan = planOf(c);
          const nq = plan.rows * plan.groupsPerRow;
          const views = wasmChunkViews(c.values.length, nq)!;
          expect(views).not.toBeNull();
          views.values.set(c.values);
          fakeQuantizeRows(plan, views.values, views.values, plan.rows, views.scale, views.zeroPoint, "compute");
          const got = { out: Float32Array.from(views.values), scale: Float64Array.from(views.scale), zeroPoint: Float64Array.from(views.zeroPoint) };
          expectSame(got, run(plan, c.values, "js"), c.what);
        }),
        { numRuns: 300 },
      );
    });
  }
});

describe("float32 asymmetric group wasm kernels: edge cases", () => {
  const g = 8;
  const bad = [[1, NaN, 2, 3, 4, 5, 6, 7], [1, 2, 3, Infinity, 4, 5, 6, 7], [-Infinity, 2, 3, 4, 5, 6, 7, 8],
    [-3e38, 1, 2, 3, 4, 5, 6, 3e38], [0, -0, 0, 0, -0, 0, 0, 0]];

  it("INT domain: runs every group itself, NaN and infinite ones included (none left to JS), with canonical NaNs, a NaN scale and INT_MIN", () => {
    for (const groupSize of [g, 9]) {
      const plan = makePlan({ ...intConfig, eps: 0, granularity: { type: "PerGroup", group_size: groupSize } }, [7, groupSize], { compute: "float32", torchao: "0.12" });
      const x = pseudoRandom(7 * groupSize, 3);
      bad.forEach((b, k) => x.set(b, (k + 1) * groupSize));
      new Uint32Array(x.buffer)[3 * groupSize] = 0xff812345; // a NaN with a payload and the sign bit, in the −inf group
      const out = Float32Array.from(x);
      const scale = new Float64Array(7);
      const zeroPoint = new Float64Array(7);
      expect(fakeQuantizeRowsWasm(plan, out, out, 7, scale, zeroPoint)).toBe(0);
      const bits = new Uint32Array(out.buffer);
      for (const k of [1, 3]) {
        expect(scale[k], `group ${k}`).toBeNaN();
        expect(zeroPoint[k], `group ${k}`).toBe(-2147483648);
        for (let i = k * groupSize; i < (k + 1) * groupSize; i++) expect(bits[i], `group ${k} [${i}]`).toBe(0x7fc00000);
      }
      expect(scale[4]).toBe(Infinity); // hi − lo overflows
      expectSame(run(plan, x, "auto"), run(plan, x, "js"), `g=${groupSize}`);
    }
  });

  it("FLOAT domain: leaves a group with a NaN or infinite input, a scale, reciprocal or zero point that is not finite untouched and counts it", () => {
    for (const eps of [0, 3e38]) {
      const plan = makePlan({ ...floatConfig, eps, granularity: { type: "PerGroup", group_size: g } }, [1, 7 * g], { compute: "float32", torchao: "0.12" });
      const x = pseudoRandom(7 * g, 9);
      bad.forEach((b, k) => x.set(b, (k + 1) * g));
      const out = Float32Array.from(x);
      const scale = new Float64Array(7);
      const zeroPoint = new Float64Array(7);
      // eps 0: the zero group's scale is 0 (infinite reciprocal); eps 3e38: every finite group's s·8 overflows the zero point.
      const left = fakeQuantizeRowsWasm(plan, out, out, 1, scale, zeroPoint);
      expect(left, `eps=${eps}`).toBe(eps === 0 ? bad.length : 7);
      for (let k = 0; k < 7; k++) {
        const isLeft = eps !== 0 || (k >= 1 && k <= bad.length);
        expect(Number.isNaN(scale[k]), `eps=${eps} group ${k}`).toBe(isLeft);
        expect(diffBits(out.subarray(k * g, (k + 1) * g), x.subarray(k * g, (k + 1) * g)) === null, `eps=${eps} group ${k} untouched`).toBe(isLeft);
      }
      // The caller's JS rerun completes them: the JS kernel's bytes throughout.
      expectSame(run(plan, x, "auto"), run(plan, x, "js"), `eps=${eps}`);
    }
  });

  it("INT domain: casts a zero point beyond int32 to INT_MIN and one past 2^24 (q − z not exact in float32) as JS does", () => {
    for (const base of [1e10, -3e12, 3e7, -3e7, 1e9, 2.1e9]) {
      const x = Float32Array.from({ length: 64 }, (_, i) => base * (1 + ((i % 16) - 5) / 64) + (i >> 4));
      const plan = makePlan({ ...intConfig, granularity: { type: "PerGroup", group_size: 16 } }, [1, 64], { compute: "float32", torchao: "0.12" });
      const got = run(plan, x, "auto");
      if (Math.abs(base) > 2.2e9) expect(got.zeroPoint[0], `${base}`).toBe(-2147483648);
      else expect(Math.abs(got.zeroPoint[0]), `${base}`).toBeGreaterThan(2 ** 24);
      expectSame(got, run(plan, x, "js"), `base ${base}`);
    }
  });

  it("reproduces torchao's values on small cases: asymmetric INT groups map [1, 2, 3, 4] to 1s (TV-F); tinygemm uint4 keeps 0..15", () => {
    const intPlan = makePlan({ ...intConfig, granularity: { type: "PerGroup", group_size: 4 } }, [1, 4], { compute: "float32", torchao: "0.12" });
    const a = run(intPlan, Float32Array.from([1, 2, 3, 4]), "auto");
    expect(Array.from(a.out)).toEqual([1, 1, 1, 1]);
    expect(a.zeroPoint[0]).toBe(2);
    expect(a.scale[0]).toBe(Math.fround(3 / 15));
    const floatPlan = makePlan({ ...floatConfig, granularity: { type: "PerGroup", group_size: 16 } }, [1, 16], { compute: "float32", torchao: "0.12" });
    const grid = Float32Array.from({ length: 16 }, (_, i) => 15 - i);
    const b = run(floatPlan, grid, "auto");
    expect(Array.from(b.out)).toEqual(Array.from(grid));
    expect([b.scale[0], b.zeroPoint[0]]).toEqual([1, 8]);
  });

  it("gives the same bits across block boundaries, for rows longer than a block, and chunk by chunk", () => {
    const cases: Array<[CanonicalConfig, number[]]> = [
      [intConfig, [300, 1024]], // several 64K-element blocks of groups
      [{ ...intConfig, dtype: "uint8", granularity: { type: "PerAxis", axis: 0 } }, [5, 100003]], // rows longer than a block, odd
      [floatConfig, [300, 1024]],
      [{ ...floatConfig, dtype: "int4", granularity: { type: "PerAxis", axis: 0 } }, [3, 70004]],
      [{ ...floatConfig, granularity: { type: "PerGroup", group_size: 33 } }, [40, 33 * 60]],
    ];
    for (const [cfg, shape] of cases) {
      const plan = makePlan(cfg, shape, { compute: "float32", torchao: "0.18" });
      const x = pseudoRandom(shape[0] * shape[1], shape[1]);
      x[777] = NaN; // one group left to JS (FLOAT) or canonicalised (INT)
      const whole = run(plan, x, "auto");
      const what = `${cfg.zero_point_domain} ${shape.join("x")}`;
      expectSame(whole, run(plan, x, "js"), what);
      expectSame(runInRowChunks(plan, x, 2), whole, `${what} chunked`);
    }
  });
});

describe("float32 asymmetric group wasm kernels: conformance corpus", () => {
  const f32Cases = loadManifest().filter((c) => c.input_dtype === "float32" && c.mode === "dynamic").map((c) => {
    const plan = makePlan(canonicalFromKwargs(c.config), c.input_shape, { compute: "float32", torchao: "0.12" });
    return { c, plan, which: wasmCaseFor(plan) };
  }).filter(({ which }) => which === "asym_groups" || which === "asym_float_groups");

  it("serves the corpus's float32 asymmetric INT group cases (float32 scales, int32 zero points) and its float32 tinygemm cases", () => {
    expect(f32Cases.filter(({ which }) => which === "asym_groups").length).toBeGreaterThanOrEqual(90);
    expect(f32Cases.filter(({ which }) => which === "asym_float_groups").length).toBeGreaterThanOrEqual(60);
  });

  it("gives each of them torchao's values and the forced-JS bits, NaN bits of outputs, scales and zero points included", () => {
    for (const { c, plan } of f32Cases) {
      const x = Float32Array.from(loadNumbers(c.input).values);
      const got = run(plan, x, "auto");
      expectSame(got, run(plan, x, "js"), c.id);
      const want = loadNumbers(c.expected).values;
      for (let i = 0; i < want.length; i++) {
        if (!(Object.is(got.out[i], want[i]) || (got.out[i] !== got.out[i] && want[i] !== want[i]))) {
          expect.fail(`${c.id} [${i}] ${got.out[i]} vs torchao ${want[i]}`);
        }
      }
    }
  });
});
