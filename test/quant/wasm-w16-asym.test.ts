/**
 * The 16-bit asymmetric and per-token WebAssembly kernels (asym_groups_w16,
 * asym_tokens_w16) against the JS kernel, bit for bit: outputs (NaN bits
 * included), scales and zero points, computing in bfloat16 and float16, for
 * every dtype, group sizes from 1 to past a vector multiple, and hostile
 * groups (NaN, ±inf, subnormals, all-zero, huge ranges, zero points far from
 * 0 or out of int32's range). Plus which plans they take, the groups they
 * leave to JS, in-place and block-copy runs, and the corpus cases they serve.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DTYPE_NAMES, dtypeInfo } from "../../src/config/dtypes.js";
import type { CanonicalConfig, CanonicalGranularity } from "../../src/config/types.js";
import { toComputeDtype } from "../../src/quant/float.js";
import { fakeQuantizeRows, kernelFor } from "../../src/quant/kernel.js";
import { makePlan } from "../../src/quant/plan.js";
import { fakeQuantizeRowsWasm, wasmCaseFor, wasmChunkViews } from "../../src/quant/wasm/kernel-wasm.js";
import { canonicalFromKwargs, loadManifest } from "./corpus.js";
import { diffBits, expectSameBits, pseudoRandom, runInRowChunks, runKernel } from "./kernel-compare.js";

type W16 = "bfloat16" | "float16";

const run = runKernel;
const expectSame = expectSameBits;

const asymGroupConfig: CanonicalConfig = {
  dtype: "int4", granularity: { type: "PerGroup", group_size: 32 }, mapping_type: "ASYMMETRIC",
  scale_precision: "float32", zero_point_precision: "int32", zero_point_domain: "INT",
  is_dynamic: true, range_learning: false, eps: null,
};
const tokenConfig: CanonicalConfig = { ...asymGroupConfig, dtype: "int8", granularity: { type: "PerToken" } };

/**
 * What one group (or token) holds. Each kind aims at a branch: left to JS (nan, inf, overflow, and zeros
 * or constant with eps ≤ 0), the eps floor (zeros, constant), W's subnormal range (tiny, scaled), float16
 * products near 65504 (huge), exact rounding ties (anchored: s = 1), zero points far from 0 (offset:
 * q − z not exact in W) and beyond int32 (farOffset: z = INT_MIN), one-signed ranges (positive, negative).
 */
const KINDS = ["plain", "zeros", "nan", "inf", "negInf", "tiny", "scaled", "huge", "overflow", "anchored", "ties",
  "offset", "farOffset", "constant", "positive", "negative", "bits"] as const;
type Kind = (typeof KINDS)[number];

function fill(grp: Float32Array, kind: Kind, compute: W16, dtype: CanonicalConfig["dtype"], seed: number, by: number): void {
  const n = grp.length;
  const at = seed % n;
  const info = dtypeInfo(dtype);
  switch (kind) {
    case "plain": break;
    case "zeros": grp.forEach((_, i) => { grp[i] = (i + seed) % 3 === 0 ? -0 : 0; }); break;
    case "nan": grp[at] = NaN; break;
    case "inf": grp[at] = Infinity; break;
    case "negInf": grp[at] = -Infinity; break;
    // bfloat16: far below 2^-126 (reciprocals overflow with eps 0); float16: its subnormal range.
    case "tiny": grp.forEach((v, i) => { grp[i] = v * (compute === "bfloat16" ? 1e-39 : 2 ** -24); }); break;
    case "scaled": grp.forEach((v, i) => { grp[i] = v * by; }); break;
    case "huge": grp[at] = seed % 2 ? 60000 + (seed % 5505) : -(60000 + (seed % 5505)); break;
    // max − min overflows W: s = inf, left to JS.
    case "overflow": grp[0] = compute === "bfloat16" ? -3e38 : -60000; grp[n - 1] = compute === "bfloat16" ? 3e38 : 60000; break;
    case "anchored": {
      // Values on a half-integer grid spanning exactly 2^b − 1 (groups) or qmax − qmin (tokens): s = 1, exact ties.
      const span = 2 ** info.bits - 1;
      grp.forEach((_, i) => { grp[i] = ((i * 7 + seed) % (2 * span + 1)) / 2 - (seed % 3); });
      grp[0] = -(seed % 3);
      if (n > 1) grp[n - 1] = span - (seed % 3);
      break;
    }
    case "ties": grp.forEach((_, i) => { grp[i] = ((i * 7 + seed) % 15) - 7.5; }); break;
    case "offset": {
      const base = compute === "bfloat16" ? [300, 1000, 5000, 70000, 3e6][seed % 5] : [300, 1000, 5000, 30000, 60000][seed % 5];
      grp.forEach((v, i) => { grp[i] = (seed % 2 ? base : -base) + v * (1 + (seed % 7)); });
      break;
    }
    case "farOffset":
      grp.forEach((v, i) => { grp[i] = compute === "bfloat16" ? (seed % 2 ? 1e10 : -3e12) * (1 + v / 16) : (seed % 2 ? 65000 : -65000) + v * 50; });
      break;
    case "constant": grp.fill([1.5, -3, 1e-3, 300][seed % 4]); break;
    case "positive": grp.forEach((v, i) => { grp[i] = Math.abs(v) + 0.25; }); break;
    case "negative": grp.forEach((v, i) => { grp[i] = -Math.abs(v) - 0.25; }); break;
    case "bits": grp.forEach((_, i) => { grp[i] = new Float32Array(new Uint32Array([Math.imul(seed + i, 2654435761) >>> 0]).buffer)[0]; }); break;
  }
}

interface Case { config: CanonicalConfig; shape: number[]; compute: W16; torchao: "0.12" | "0.18"; values: Float32Array; what: string }

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    dtype: fc.constantFrom(...DTYPE_NAMES),
    kind: fc.constantFrom("per_token", "per_channel", "per_group"),
    compute: fc.constantFrom<W16>("bfloat16", "float16"),
    eps: fc.constantFrom(null, null, null, 0, -0.5, 1e-45, 2 ** -24, 2 ** -14, 1e-6, 0.01, 0.5, 3),
    torchao: fc.constantFrom("0.12" as const, "0.18" as const),
    rows: fc.integer({ min: 1, max: 6 }),
    groups: fc.integer({ min: 1, max: 5 }),
    groupSize: fc.oneof(fc.integer({ min: 1, max: 13 }), fc.constantFrom(16, 32, 33, 64, 128)),
    lead: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
    kinds: fc.array(fc.constantFrom(...KINDS), { minLength: 1, maxLength: 8 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 }),
    by: fc.constantFrom(1, 2 ** -10, 2 ** -14, 2 ** -18, 2 ** -30),
  })
  .map((r) => {
    let granularity: CanonicalGranularity;
    let shape: number[];
    // torchao asserts a group size > 1 and a last dim > 1 for per_group/per_channel.
    const groupSize = r.kind === "per_group" ? Math.max(2, r.groupSize) : r.groupSize;
    const groups = groupSize * r.groups === 1 && r.kind !== "per_token" ? 2 : r.groups;
    if (r.kind === "per_token") {
      granularity = { type: "PerToken" };
      shape = [...r.lead, groupSize * groups];
      if (shape[shape.length - 1] === 1) shape = [1]; // a last dim of 1 takes one token only
    } else {
      granularity = r.kind === "per_channel" ? { type: "PerAxis", axis: 0 } : { type: "PerGroup", group_size: groupSize };
      shape = [r.rows, groupSize * groups];
    }
    const config: CanonicalConfig = { ...asymGroupConfig, dtype: r.dtype, granularity, eps: r.eps };
    const plan = makePlan(config, shape, { compute: r.compute, torchao: r.torchao });
    const values = pseudoRandom(plan.rows * plan.rowLength, r.seed);
    const g = plan.groupSize;
    const used: Kind[] = [];
    for (let k = 0; k * g < values.length; k++) {
      const kind = r.kinds[k % r.kinds.length];
      used.push(kind);
      fill(values.subarray(k * g, (k + 1) * g), kind, r.compute, r.dtype, r.seed + k, r.by);
    }
    // apply hands the kernel values already in the compute dtype
    toComputeDtype(values, r.compute);
    const what = `${r.compute} ${r.dtype} ${r.kind} ${shape.join("x")} eps=${r.eps} ${r.torchao} ${used.join(",")}`;
    return { config, shape, compute: r.compute, torchao: r.torchao, values, what };
  });

describe("16-bit asymmetric and per-token wasm kernels: dispatch", () => {
  const plan = (c: Partial<CanonicalConfig>, compute: W16, shape = [4, 64]) =>
    makePlan({ ...asymGroupConfig, ...c }, shape, { compute, torchao: "0.12" });

  it("runs asymmetric INT groups (per_group and per_channel) and per_token on wasm in bfloat16 and float16", () => {
    for (const compute of ["bfloat16", "float16"] as const) {
      expect(wasmCaseFor(plan({}, compute))).toBe("asym_groups_w16");
      expect(wasmCaseFor(plan({ granularity: { type: "PerAxis", axis: 0 }, dtype: "uint8" }, compute))).toBe("asym_groups_w16");
      expect(wasmCaseFor(plan({ ...tokenConfig }, compute, [2, 3, 5]))).toBe("asym_tokens_w16");
      expect(wasmCaseFor(plan({ ...tokenConfig, dtype: "uint4" }, compute, [7]))).toBe("asym_tokens_w16");
      expect(kernelFor(plan({}, compute), "compute")).toBe("wasm");
      expect(kernelFor(plan({ ...tokenConfig }, compute), "compute")).toBe("wasm");
    }
  });

  it("runs asymmetric FLOAT-domain (tinygemm) groups on wasm when scale and zero point are both float32 or both the compute dtype", () => {
    for (const compute of ["bfloat16", "float16"] as const) {
      expect(wasmCaseFor(plan({ zero_point_domain: "FLOAT", zero_point_precision: "float32" }, compute))).toBe("asym_float_groups_w16");
      expect(wasmCaseFor(plan({ dtype: "uint4", zero_point_domain: "FLOAT", scale_precision: compute, zero_point_precision: compute }, compute)))
        .toBe("asym_float_groups_w16");
      expect(wasmCaseFor(plan({ zero_point_domain: "FLOAT", zero_point_precision: "float32", granularity: { type: "PerAxis", axis: 0 } }, compute)))
        .toBe("asym_float_groups_w16");
      const other = compute === "bfloat16" ? "float16" : "bfloat16";
      expect(kernelFor(plan({ zero_point_domain: "FLOAT", scale_precision: other, zero_point_precision: other }, compute), "compute")).toBe("js");
      expect(kernelFor(plan({ zero_point_domain: "FLOAT", scale_precision: compute, zero_point_precision: "float32" }, compute), "compute")).toBe("js");
      expect(kernelFor(plan({ zero_point_domain: "FLOAT", mapping_type: "SYMMETRIC", zero_point_precision: "float32" }, compute), "compute")).toBe("js");
    }
    // float32 compute runs FLOAT-domain groups on its own kernel (wasm-f32-asym.test.ts).
    expect(wasmCaseFor(makePlan({ ...asymGroupConfig, zero_point_domain: "FLOAT", zero_point_precision: "float32" }, [4, 64],
      { compute: "float32", torchao: "0.12" }))).toBe("asym_float_groups");
  });

  it("leaves other scale/zero-point dtypes, the FLOAT domain with an int zero point, range learning and given qparams to JS", () => {
    for (const compute of ["bfloat16", "float16"] as const) {
      expect(kernelFor(plan({ zero_point_domain: "FLOAT" }, compute), "compute")).toBe("js");
      expect(kernelFor(plan({ zero_point_precision: "float32" }, compute), "compute")).toBe("js");
      expect(kernelFor(plan({ scale_precision: "bfloat16" }, compute), "compute")).toBe("js");
      expect(kernelFor(plan({ ...tokenConfig, scale_precision: "float16" }, compute), "compute")).toBe("js");
      expect(kernelFor(plan({ zero_point_precision: "int8" }, compute), "compute")).toBe("js");
      expect(kernelFor(plan({ zero_point_precision: "float32", range_learning: true, is_dynamic: false }, compute), "compute")).toBe("js");
      expect(kernelFor(plan({}, compute), "given")).toBe("js");
    }
  });
});

describe("16-bit asymmetric and per-token wasm kernels vs the JS kernel (fast-check, bit for bit)", () => {
  it("give the same outputs, scales and zero points for any dtype, granularity, eps and mix of hostile groups", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const plan = makePlan(c.config, c.shape, { compute: c.compute, torchao: c.torchao });
        expect(kernelFor(plan, "compute")).toBe("wasm");
        expectSame(run(plan, c.values, "auto"), run(plan, c.values, "js"), c.what);
      }),
      { numRuns: 1500 },
    );
  });

  it("give the same bits in place in their own memory (wasmChunkViews), with no copies", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const plan = makePlan(c.config, c.shape, { compute: c.compute, torchao: c.torchao });
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

  // Asymmetric groups of whole vectors (g = 4n) run four at a time, each group in one lane of the qparam
  // computation, when all four run on wasm's exact path: mostly plain groups here, so that a batch often
  // holds exactly one odd group (left to JS, a far zero point, the eps floor...) in any lane.
  it("give the same bits when asymmetric groups run four at a time, whatever kind of group sits in each lane", () => {
    const kindArb = fc.oneof(
      { weight: 8, arbitrary: fc.constant<Kind>("plain") },
      { weight: 1, arbitrary: fc.constant<Kind>("offset") }, // a far zero point is the one odd lane that needs no JS
      { weight: 2, arbitrary: fc.constantFrom(...KINDS) },
    );
    const batchArb = fc.record({
      g: fc.constantFrom(4, 8, 12, 32, 64),
      kinds: fc.array(kindArb, { minLength: 1, maxLength: 13 }),
      seed: fc.integer({ min: 0, max: 2 ** 31 }),
      eps: fc.constantFrom(null, 0, -0.5, 1e-45, 2 ** -24, 1e-6, 0.5, 3),
      dtype: fc.constantFrom(...DTYPE_NAMES),
      compute: fc.constantFrom<W16>("bfloat16", "float16"),
      by: fc.constantFrom(1, 2 ** -14, 2 ** -18, 2 ** -30),
    });
    fc.assert(
      fc.property(batchArb, ({ g, kinds, seed, eps, dtype, compute, by }) => {
        const x = pseudoRandom(g * kinds.length, seed);
        kinds.forEach((kind, k) => fill(x.subarray(k * g, (k + 1) * g), kind, compute, dtype, seed + k, by));
        toComputeDtype(x, compute);
        const config: CanonicalConfig = { ...asymGroupConfig, dtype, eps, granularity: { type: "PerGroup", group_size: g } };
        const plan = makePlan(config, [1, x.length], { compute, torchao: "0.12" });
        expect(wasmCaseFor(plan)).toBe("asym_groups_w16");
        expectSame(run(plan, x, "auto"), run(plan, x, "js"), `${compute} g=${g} ${kinds.join(",")} eps=${eps} ${dtype} by=${by}`);
      }),
      { numRuns: 1500 },
    );
  });
});

describe("16-bit tinygemm (FLOAT zero-point domain) wasm kernel vs the JS kernel (fast-check, bit for bit)", () => {
  const floatCaseArb = fc.record({
    c: caseArb.filter((c) => c.config.granularity.type !== "PerToken"),
    qparams: fc.constantFrom("float32" as const, "compute" as const),
  }).map(({ c, qparams }) => {
    const p = qparams === "float32" ? "float32" : c.compute;
    const config: CanonicalConfig = { ...c.config, zero_point_domain: "FLOAT", scale_precision: p, zero_point_precision: p };
    return { ...c, config, what: `${c.what} FLOAT ${p}` };
  });

  it("gives the same outputs, scales and zero points for any dtype, eps, qparam dtype and mix of hostile groups", () => {
    fc.assert(
      fc.property(floatCaseArb, (c) => {
        const plan = makePlan(c.config, c.shape, { compute: c.compute, torchao: c.torchao });
        expect(wasmCaseFor(plan)).toBe("asym_float_groups_w16");
        expectSame(run(plan, c.values, "auto"), run(plan, c.values, "js"), c.what);
      }),
      { numRuns: 1500 },
    );
  });

  it("gives the same bits in place in its own memory (wasmChunkViews)", () => {
    fc.assert(
      fc.property(floatCaseArb, (c) => {
        const plan = makePlan(c.config, c.shape, { compute: c.compute, torchao: c.torchao });
        const nq = plan.rows * plan.groupsPerRow;
        const views = wasmChunkViews(c.values.length, nq)!;
        views.values.set(c.values);
        fakeQuantizeRows(plan, views.values, views.values, plan.rows, views.scale, views.zeroPoint, "compute");
        const got = { out: Float32Array.from(views.values), scale: Float64Array.from(views.scale), zeroPoint: Float64Array.from(views.zeroPoint) };
        expectSame(got, run(plan, c.values, "js"), c.what);
      }),
      { numRuns: 300 },
    );
  });

  it("rounds an output past float16's largest value to infinity, as JS does (a group spanning [0, 65504])", () => {
    for (const p of ["float32", "float16"] as const) {
      for (const dtype of ["uint4", "int4", "uint8"] as const) {
        const plan = makePlan({ ...asymGroupConfig, dtype, zero_point_domain: "FLOAT", scale_precision: p, zero_point_precision: p,
          granularity: { type: "PerGroup", group_size: 16 } }, [1, 64], { compute: "float16", torchao: "0.12" });
        const x = Float32Array.from({ length: 64 }, (_, i) => (i % 16 === 15 ? 65504 : (i % 16) * 4096 + (i >> 4)));
        toComputeDtype(x, "float16");
        const got = run(plan, x, "auto");
        expectSame(got, run(plan, x, "js"), `${p} ${dtype}`);
        if (dtype === "uint4") expect(got.out.some((v) => v === Infinity), `${p} ${dtype} overflows`).toBe(true);
      }
    }
  });

  it("keeps an output of 65504, float16's largest value, finite in groups shorter than a vector", () => {
    // Groups of 3 run only the one-value tail loop, whose float16 rounding sends |y| ≥ 65520 (not 65504) to infinity.
    const plan = makePlan({ ...asymGroupConfig, dtype: "uint4", zero_point_domain: "FLOAT", scale_precision: "float32", zero_point_precision: "float32",
      granularity: { type: "PerGroup", group_size: 3 } }, [2, 3], { compute: "float16", torchao: "0.12" });
    const x = Float32Array.from([65504, 65472, 65472, -65472, -65504, -65472]);
    const got = run(plan, x, "auto");
    expectSame(got, run(plan, x, "js"), "tail");
    expect(Array.from(got.out)).toEqual([65504, 65472, 65472, -65472, -65504, -65472]);
  });

  it("leaves a group with a NaN or infinite input, or a scale that is not finite, untouched and counts it", () => {
    const g = 8;
    const bad = [[1, NaN, 2, 3, 4, 5, 6, 7], [1, 2, 3, Infinity, 4, 5, 6, 7], [-3e38, 1, 2, 3, 4, 5, 6, 3e38], [0, -0, 0, 0, -0, 0, 0, 0]];
    const plan = makePlan({ ...asymGroupConfig, eps: 0, zero_point_domain: "FLOAT", zero_point_precision: "float32", granularity: { type: "PerGroup", group_size: g } },
      [1, 6 * g], { compute: "bfloat16", torchao: "0.12" });
    const x = pseudoRandom(6 * g, 9);
    bad.forEach((b, k) => x.set(b, (k + 1) * g));
    toComputeDtype(x, "bfloat16");
    const out = Float32Array.from(x);
    const scale = new Float64Array(6);
    const zeroPoint = new Float64Array(6);
    expect(fakeQuantizeRowsWasm(plan, out, out, 1, scale, zeroPoint)).toBe(bad.length);
    for (let k = 0; k < 6; k++) {
      const isLeft = k >= 1 && k <= bad.length;
      expect(Number.isFinite(scale[k]), `group ${k}`).toBe(!isLeft);
      expect(diffBits(out.subarray(k * g, (k + 1) * g), x.subarray(k * g, (k + 1) * g)) === null, `group ${k} untouched`).toBe(isLeft);
    }
    expectSame(run(plan, x, "auto"), run(plan, x, "js"), "tinygemm");
  });
});

describe("16-bit asymmetric and per-token wasm kernels: edge cases", () => {
  it("matches JS for zero points far from 0, where q − z is not exact in the 16-bit dtype", () => {
    for (const compute of ["bfloat16", "float16"] as const) {
      for (const base of [300, -300, 1003, -1003, 5000, 30001, -30001]) {
        const x = Float32Array.from({ length: 64 }, (_, i) => base + (i % 16) * 0.37 - (i >> 4) * 2);
        toComputeDtype(x, compute);
        for (const dtype of ["int4", "uint8", "int8", "int2"] as const) {
          const plan = makePlan({ ...asymGroupConfig, dtype, granularity: { type: "PerGroup", group_size: 16 } }, [1, 64], { compute, torchao: "0.12" });
          const got = run(plan, x, "auto");
          // The general path runs: |z| is far beyond what q − z can span exactly.
          expect(Math.abs(got.zeroPoint[0]), `${compute} ${base} ${dtype}`).toBeGreaterThan(256);
          expectSame(got, run(plan, x, "js"), `${compute} base ${base} ${dtype}`);
        }
      }
    }
  });

  it("casts a bfloat16 zero point beyond int32 to INT_MIN, as x86 does, and quantizes with it as JS does", () => {
    const x = Float32Array.from({ length: 32 }, (_, i) => 1e10 * (1 + i / 64));
    toComputeDtype(x, "bfloat16");
    const plan = makePlan(asymGroupConfig, [1, 32], { compute: "bfloat16", torchao: "0.12" });
    const got = run(plan, x, "auto");
    expect(got.zeroPoint[0]).toBe(-2147483648);
    expectSame(got, run(plan, x, "js"), "INT_MIN zero point");
  });

  it("leaves a group or token with a NaN or infinite input, or a scale or reciprocal that is not finite, untouched and counts it", () => {
    const g = 8;
    const bad = [[1, NaN, 2, 3, 4, 5, 6, 7], [1, 2, 3, Infinity, 4, 5, 6, 7], [-Infinity, 2, 3, 4, 5, 6, 7, 8],
      [-3e38, 1, 2, 3, 4, 5, 6, 3e38], [0, -0, 0, 0, -0, 0, 0, 0]];
    for (const cfg of [asymGroupConfig, tokenConfig]) {
      const plan = makePlan({ ...cfg, eps: 0, granularity: cfg === tokenConfig ? { type: "PerToken" } : { type: "PerGroup", group_size: g } },
        [7, g], { compute: "bfloat16", torchao: "0.12" });
      const x = pseudoRandom(7 * g, 3);
      bad.forEach((b, k) => x.set(b, (k + 1) * g));
      toComputeDtype(x, "bfloat16");
      const out = Float32Array.from(x);
      const scale = new Float64Array(7);
      const zeroPoint = new Float64Array(7);
      expect(fakeQuantizeRowsWasm(plan, out, out, 7, scale, zeroPoint)).toBe(bad.length);
      for (let k = 0; k < 7; k++) {
        const isLeft = k >= 1 && k <= bad.length;
        expect(Number.isFinite(scale[k]) && Number.isFinite(Math.fround(1 / scale[k])), `group ${k}`).toBe(!isLeft);
        expect(diffBits(out.subarray(k * g, (k + 1) * g), x.subarray(k * g, (k + 1) * g)) === null, `group ${k} untouched`).toBe(isLeft);
      }
      // The caller's JS rerun completes them: canonical NaNs and all, the JS kernel's bytes.
      expectSame(run(plan, x, "auto"), run(plan, x, "js"), plan.kind);
    }
  });

  it("gives the same bits across block boundaries, for tokens longer than a block, and chunk by chunk", () => {
    const cases: Array<[CanonicalConfig, number[], W16]> = [
      [asymGroupConfig, [300, 1024], "bfloat16"], // several 64K-element blocks of groups
      [{ ...asymGroupConfig, dtype: "uint8", granularity: { type: "PerAxis", axis: 0 } }, [5, 100003], "float16"],
      [tokenConfig, [3, 70001], "bfloat16"], // one token longer than a block, odd length (scalar tail)
      [{ ...tokenConfig, dtype: "int4" }, [257, 257], "float16"],
    ];
    for (const [cfg, shape, compute] of cases) {
      const plan = makePlan(cfg, shape, { compute, torchao: "0.18" });
      const x = pseudoRandom(shape[0] * shape[1], shape[1]);
      toComputeDtype(x, compute);
      const whole = run(plan, x, "auto");
      expectSame(whole, run(plan, x, "js"), `${compute} ${shape.join("x")}`);
      expectSame(runInRowChunks(plan, x, 2), whole, `${compute} ${shape.join("x")} chunked`);
    }
  });

  it("reproduces torchao's asymmetric-INT group values on a small case (TV-F: every output of [1,2,3,4] is 1)", () => {
    for (const compute of ["bfloat16", "float16"] as const) {
      const plan = makePlan({ ...asymGroupConfig, granularity: { type: "PerGroup", group_size: 4 } }, [1, 4], { compute, torchao: "0.12" });
      const got = run(plan, Float32Array.from([1, 2, 3, 4]), "auto");
      expect(Array.from(got.out)).toEqual([1, 1, 1, 1]);
      expect(got.zeroPoint[0]).toBe(2);
    }
  });
});

describe("16-bit asymmetric and per-token wasm kernels: conformance corpus", () => {
  it("serve the corpus's 16-bit asymmetric INT group and per_token cases (float32 scales, int32 zero points) and its tinygemm cases", () => {
    const counts = { asym_groups_w16: 0, asym_tokens_w16: 0, asym_float_groups_w16: 0 };
    for (const c of loadManifest()) {
      if (c.input_dtype === "float32") continue;
      const plan = makePlan(canonicalFromKwargs(c.config), c.input_shape, { compute: c.input_dtype, torchao: "0.12" });
      const which = wasmCaseFor(plan);
      if (which === "asym_groups_w16" || which === "asym_tokens_w16" || which === "asym_float_groups_w16") counts[which]++;
    }
    expect(counts.asym_groups_w16).toBeGreaterThanOrEqual(10);
    expect(counts.asym_tokens_w16).toBeGreaterThanOrEqual(50);
    expect(counts.asym_float_groups_w16).toBeGreaterThanOrEqual(15);
  });
});
