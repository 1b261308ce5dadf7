/**
 * The WebAssembly SIMD kernel against the JS kernel, bit for bit (outputs,
 * scales, zero points), and against the conformance corpus; plus which plans
 * take the wasm path and that forcing JS gives identical bytes.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DTYPE_NAMES, dtypeInfo } from "../../src/config/dtypes.js";
import type { CanonicalConfig, CanonicalGranularity } from "../../src/config/types.js";
import { SCALE_PRECISIONS, ZERO_POINT_PRECISIONS } from "../../src/config/vocabulary.js";
import { toComputeDtype } from "../../src/quant/float.js";
import { fakeQuantizeRows, kernelFor } from "../../src/quant/kernel.js";
import { makePlan } from "../../src/quant/plan.js";
import { fakeQuantizeRowsWasm, MAX_WASM_GROUP_ELEMENTS, moduleBytes, wasmAvailable, wasmCaseFor, wasmChunkViews } from "../../src/quant/wasm/kernel-wasm.js";
import { canonicalFromKwargs, loadManifest, loadNumbers } from "./corpus.js";
import { pseudoRandom, runInRowChunks, runKernel, type KernelResult } from "./kernel-compare.js";

const f32 = (v: number) => Math.fround(v);
const bitsOf = (v: number) => new Uint32Array(new Float32Array([v]).buffer)[0];

/** Values that stress the kernel: ties, both zeros, subnormals, infinities, NaN, huge and tiny. */
const specialValue = fc.constantFrom(
  0, -0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 3.5, 7.5, -7.5, 127.5, -127.5, 1e-7, -3e-7, 1e-40, -1e-45, 1.4e-45,
  6e-8, 65504, 3.4e38, -3.4e38, 1.7e38, NaN, Infinity, -Infinity,
);
const valueArb = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -8, max: 8, noNaN: true }) },
  { weight: 4, arbitrary: fc.integer({ min: -300, max: 300 }).map((k) => k / 2) }, // ties when the scale is 1
  { weight: 1, arbitrary: specialValue },
  { weight: 1, arbitrary: fc.double({ min: -1e-3, max: 1e-3, noNaN: true }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffffffff }).map((b) => new Float32Array(new Uint32Array([b]).buffer)[0]) },
);
const epsArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.constantFrom(0, 1e-45, 1e-40, 1e-30, 2 ** -23, 1e-6, 0.01, 0.5, 3) },
  { weight: 1, arbitrary: fc.double({ min: 0, max: 2, noNaN: true }) },
);

interface Case {
  config: CanonicalConfig;
  shape: number[];
  torchao: "0.12" | "0.18";
  values: Float32Array;
}

/**
 * Wasm-eligible configs (float32 scale, int32 zero point): symmetric per_group /
 * per_channel in the INT domain, and per_token. Groups are sometimes
 * "anchored" so the scale is exactly 1 and halves are exact rounding ties.
 */
const caseArb: fc.Arbitrary<Case> = fc
  .record({
    dtype: fc.constantFrom(...DTYPE_NAMES),
    kind: fc.constantFrom("per_token", "per_channel", "per_group"),
    eps: epsArb,
    torchao: fc.constantFrom("0.12" as const, "0.18" as const),
    rows: fc.integer({ min: 1, max: 5 }),
    groups: fc.integer({ min: 1, max: 4 }),
    groupSize: fc.oneof(fc.integer({ min: 1, max: 13 }), fc.constantFrom(16, 32, 33, 64)),
    lead: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
    anchor: fc.boolean(),
    allZeroGroup: fc.boolean(),
  })
  .chain((r) => {
    let granularity: CanonicalGranularity;
    let shape: number[];
    // per_group/per_channel need a last dim > 1 and per_group a group size > 1 (torchao asserts).
    const groups = r.groupSize * r.groups === 1 && r.kind !== "per_token" ? 2 : r.groups;
    const groupSize = r.kind === "per_group" ? Math.max(2, r.groupSize) : r.groupSize;
    if (r.kind === "per_token") {
      granularity = { type: "PerToken" };
      shape = [...r.lead, groupSize * groups];
      // torchao rejects a last dim of 1 with more than one token.
      if (shape[shape.length - 1] === 1) shape = [1];
    } else {
      granularity = r.kind === "per_channel" ? { type: "PerAxis", axis: 0 } : { type: "PerGroup", group_size: groupSize };
      shape = [r.rows, groupSize * groups];
    }
    const config: CanonicalConfig = {
      dtype: r.dtype, granularity, mapping_type: r.kind === "per_token" ? "ASYMMETRIC" : "SYMMETRIC",
      scale_precision: "float32", zero_point_precision: "int32", zero_point_domain: "INT",
      is_dynamic: true, range_learning: false, eps: r.eps,
    };
    const n = shape.reduce((a, b) => a * b, 1);
    return fc.array(valueArb, { minLength: n, maxLength: n }).map((vals) => {
      const values = Float32Array.from(vals);
      const plan = makePlan(config, shape, { compute: "float32", torchao: r.torchao });
      const g = plan.groupSize;
      for (let k = 0; k * g < n; k++) {
        if (r.allZeroGroup && k % 3 === 1) {
          for (let i = k * g; i < (k + 1) * g; i++) values[i] = i % 2 === 0 ? -0 : 0;
        } else if (r.anchor) {
          // Symmetric: absmax = divisor → s = 1. Per token: range ±(qmax − qmin)/2 → s = 1.
          const info = dtypeInfo(r.dtype);
          if (plan.kind === "per_token") {
            values[k * g] = -(info.qmax - info.qmin) / 2;
            if (g > 1) values[k * g + 1] = (info.qmax - info.qmin) / 2;
          } else {
            const b = info.bits;
            values[k * g + (k % g)] = b === 1 ? 0.5 : (2 ** b - 1) / 2;
          }
        }
      }
      return { config, shape, torchao: r.torchao, values };
    });
  });

type Result = KernelResult;
const run = runKernel;

/** First difference in bit patterns, NaNs included: both kernels write every NaN output as 0x7fc00000. */
function diffF32(a: Float32Array, b: Float32Array): string | null {
  if (a.length !== b.length) return "length";
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) {
    if (ua[i] !== ub[i]) return `[${i}] ${ua[i].toString(16)} vs ${ub[i].toString(16)} (${a[i]} vs ${b[i]})`;
  }
  return null;
}
function diffF64(a: Float64Array, b: Float64Array): string | null {
  if (a.length !== b.length) return "length";
  const ua = new BigUint64Array(a.buffer, a.byteOffset, a.length);
  const ub = new BigUint64Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) {
    if (ua[i] !== ub[i] && !(a[i] !== a[i] && b[i] !== b[i])) return `[${i}] ${ua[i].toString(16)} vs ${ub[i].toString(16)} (${a[i]} vs ${b[i]})`;
  }
  return null;
}
/** The wasm kernel's NaNs are all the quiet positive 0x7fc00000, whatever the input NaN's payload. */
function nonCanonicalNaN(a: Float32Array): string | null {
  const u = new Uint32Array(a.buffer, a.byteOffset, a.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== a[i] && u[i] !== 0x7fc00000) return `[${i}] ${u[i].toString(16)}`;
  return null;
}
/** Value comparison against torchao's files (any NaN matches any NaN, as the corpus README says). */
function diffValues(a: ArrayLike<number>, b: ArrayLike<number>): string | null {
  if (a.length !== b.length) return "length";
  for (let i = 0; i < a.length; i++) {
    if (!(Object.is(a[i], b[i]) || (a[i] !== a[i] && b[i] !== b[i]))) return `[${i}] ${a[i]} vs ${b[i]}`;
  }
  return null;
}

function expectSame(got: Result, want: Result, what = ""): void {
  expect(diffF64(got.scale, want.scale), `${what} scale`).toBeNull();
  expect(diffF64(got.zeroPoint, want.zeroPoint), `${what} zero point`).toBeNull();
  expect(diffF32(got.out, want.out), `${what} output`).toBeNull();
}

const baseConfig: CanonicalConfig = {
  dtype: "int4", granularity: { type: "PerGroup", group_size: 32 }, mapping_type: "SYMMETRIC",
  scale_precision: "float32", zero_point_precision: "int32", zero_point_domain: "INT",
  is_dynamic: true, range_learning: false, eps: null,
};
const tokenConfig: CanonicalConfig = { ...baseConfig, dtype: "int8", granularity: { type: "PerToken" }, mapping_type: "ASYMMETRIC" };

describe("wasm kernel availability and dispatch", () => {
  it("decodes the embedded module alike with Node's Buffer and, where there is none, with atob", () => {
    const viaBuffer = moduleBytes();
    const saved = globalThis.Buffer;
    let viaAtob: Uint8Array | null;
    try {
      (globalThis as { Buffer?: unknown }).Buffer = undefined;
      viaAtob = moduleBytes();
    } finally {
      globalThis.Buffer = saved;
    }
    expect(viaBuffer).not.toBeNull();
    expect(viaAtob).toBeInstanceOf(Uint8Array);
    expect(Buffer.compare(Buffer.from(viaAtob!), Buffer.from(viaBuffer!))).toBe(0);
    expect([...viaBuffer!.subarray(0, 4)]).toEqual([0, 0x61, 0x73, 0x6d]); // "\0asm"
  });

  it("is available on this Node (WebAssembly SIMD)", () => {
    expect(wasmAvailable()).toBe(true);
  });

  it("takes the wasm path for float32/float32/int32 INT groups (symmetric or not), per_token and float32 tinygemm groups, computed qparams", () => {
    const plan = (c: Partial<CanonicalConfig>, compute: "float32" | "float16" | "bfloat16" | "float64" = "float32") =>
      makePlan({ ...baseConfig, ...c }, [4, 64], { compute, torchao: "0.12" });
    expect(kernelFor(plan({}), "compute")).toBe("wasm");
    expect(kernelFor(plan({ granularity: { type: "PerAxis", axis: 0 }, dtype: "uint8" }), "compute")).toBe("wasm");
    expect(kernelFor(plan({ ...tokenConfig }), "compute")).toBe("wasm");
    expect(wasmCaseFor(plan({ ...tokenConfig }))).toBe("asym_tokens");
    expect(wasmCaseFor(plan({}))).toBe("sym_groups");
    expect(kernelFor(plan({}), "given")).toBe("js");
    expect(kernelFor(plan({}), "compute", "js")).toBe("js");
    expect(wasmCaseFor(plan({}, "float16"))).toBe("sym_groups_w16");
    expect(wasmCaseFor(plan({ granularity: { type: "PerAxis", axis: 0 } }, "bfloat16"))).toBe("sym_groups_w16");
    expect(wasmCaseFor(plan({ ...tokenConfig }, "bfloat16"))).toBe("asym_tokens_w16");
    expect(wasmCaseFor(plan({ mapping_type: "ASYMMETRIC" }, "float16"))).toBe("asym_groups_w16");
    expect(wasmCaseFor(plan({ mapping_type: "ASYMMETRIC", granularity: { type: "PerAxis", axis: 0 } }, "bfloat16"))).toBe("asym_groups_w16");
    expect(kernelFor(plan({ mapping_type: "ASYMMETRIC", zero_point_domain: "FLOAT" }, "bfloat16"), "compute")).toBe("js");
    expect(kernelFor(plan({ scale_precision: "bfloat16" }, "bfloat16"), "compute")).toBe("js");
    expect(kernelFor(plan({}, "float64"), "compute")).toBe("js");
    expect(wasmCaseFor(plan({ mapping_type: "ASYMMETRIC" }))).toBe("asym_groups");
    expect(wasmCaseFor(plan({ mapping_type: "ASYMMETRIC", zero_point_domain: "FLOAT", zero_point_precision: "float32" }))).toBe("asym_float_groups");
    expect(kernelFor(plan({ mapping_type: "ASYMMETRIC" }), "given")).toBe("js");
    expect(kernelFor(plan({ zero_point_domain: "FLOAT", zero_point_precision: "float32" }), "compute")).toBe("js");
    expect(kernelFor(plan({ scale_precision: "bfloat16" }), "compute")).toBe("js");
    expect(kernelFor(plan({ zero_point_precision: "int8" }), "compute")).toBe("js");
    expect(kernelFor(plan({ zero_point_precision: "float32", range_learning: true, is_dynamic: false }), "compute")).toBe("js");
  });

  it("leaves groups and tokens longer than its limit to JS", () => {
    const at = makePlan(tokenConfig, [2, MAX_WASM_GROUP_ELEMENTS], { compute: "float32", torchao: "0.12" });
    const over = makePlan(tokenConfig, [2, MAX_WASM_GROUP_ELEMENTS + 1], { compute: "float32", torchao: "0.12" });
    expect(kernelFor(at, "compute")).toBe("wasm");
    expect(kernelFor(over, "compute")).toBe("js");
  });

  it("covers every float32-scale / int32-zero-point combination only (vocabulary sweep)", () => {
    for (const sp of SCALE_PRECISIONS) {
      for (const zp of ZERO_POINT_PRECISIONS) {
        const p = makePlan({ ...baseConfig, scale_precision: sp, zero_point_precision: zp }, [2, 64], { compute: "float32", torchao: "0.12" });
        expect(kernelFor(p, "compute"), `${sp}/${zp}`).toBe(sp === "float32" && zp === "int32" ? "wasm" : "js");
      }
    }
  });
});

describe("wasm kernel vs JS kernel (fast-check, bit for bit)", () => {
  it("gives the same outputs, scales and zero points", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const plan = makePlan(c.config, c.shape, { compute: "float32", torchao: c.torchao });
        expect(kernelFor(plan, "compute")).toBe("wasm");
        const got = run(plan, c.values, "auto");
        expectSame(got, run(plan, c.values, "js"));
        expect(nonCanonicalNaN(got.out)).toBeNull();
      }),
      { numRuns: 1000 },
    );
  });

  it("gives the same outputs, scales and zero points computing in bfloat16 and float16 (symmetric groups)", () => {
    const w16 = caseArb.filter((c) => c.config.granularity.type !== "PerToken");
    fc.assert(
      // Scaled down too, so float16 scales and outputs reach its subnormal range (below 2^-14).
      fc.property(w16, fc.constantFrom("bfloat16" as const, "float16" as const), fc.constantFrom(1, 2 ** -10, 2 ** -14, 2 ** -18), (c, compute, by) => {
        const plan = makePlan(c.config, c.shape, { compute, torchao: c.torchao });
        expect(kernelFor(plan, "compute")).toBe("wasm");
        // apply hands the kernel values already in the compute dtype (toComputeDtype)
        const x = Float32Array.from(c.values, (v) => v * by);
        toComputeDtype(x, compute);
        const got = run(plan, x, "auto");
        expectSame(got, run(plan, x, "js"));
      }),
      { numRuns: 1000 },
    );
  });

  it("gives the same bits in place on a SharedArrayBuffer view at an offset", () => {
    for (const cfg of [baseConfig, tokenConfig, { ...baseConfig, dtype: "uint3" as const, granularity: { type: "PerGroup" as const, group_size: 7 } }]) {
      const rows = 9;
      const plan = makePlan(cfg, [rows, 224], { compute: "float32", torchao: "0.12" });
      const x = pseudoRandom(rows * 224, 11);
      x[5] = NaN; x[300] = Infinity; x[700] = -0; x[1001] = 1e-42;
      const want = run(plan, x, "js");
      const nq = rows * plan.groupsPerRow;
      const sab = new SharedArrayBuffer(16 + x.length * 4);
      const view = new Float32Array(sab, 12, x.length);
      view.set(x);
      const qsab = new SharedArrayBuffer(8 + nq * 16);
      const scale = new Float64Array(qsab, 8, nq);
      const zeroPoint = new Float64Array(qsab, 8 + nq * 8, nq);
      fakeQuantizeRows(plan, view, view, rows, scale, zeroPoint, "compute");
      expectSame({ out: Float32Array.from(view), scale: Float64Array.from(scale), zeroPoint: Float64Array.from(zeroPoint) }, want, cfg.dtype);
    }
  });

  it("gives the same bits in place in its own memory (wasmChunkViews), with no copies", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const plan = makePlan(c.config, c.shape, { compute: "float32", torchao: c.torchao });
        const nq = plan.rows * plan.groupsPerRow;
        const views = wasmChunkViews(c.values.length, nq);
        expect(views).not.toBeNull();
        views!.values.set(c.values);
        fakeQuantizeRows(plan, views!.values, views!.values, plan.rows, views!.scale, views!.zeroPoint, "compute");
        const got = { out: Float32Array.from(views!.values), scale: Float64Array.from(views!.scale), zeroPoint: Float64Array.from(views!.zeroPoint) };
        expectSame(got, run(plan, c.values, "js"));
        // The copying path, used meanwhile for other arrays, must leave the views alone.
        views!.values.set(c.values);
        const before = Float32Array.from(views!.values);
        run(plan, c.values, "auto");
        expect(diffF32(views!.values, before)).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it("copies other arrays through its own memory: growing it for a large token neither detaches nor touches live views", () => {
    const rows = 2;
    const plan = makePlan(tokenConfig, [rows, 3_000_000], { compute: "float32", torchao: "0.12" });
    const x = pseudoRandom(rows * 3_000_000, 5);
    const views = wasmChunkViews(16, 1)!;
    views.values.fill(1.5);
    // A 3,000,000-value token (12 MB) needs more memory than any earlier copy here.
    expectSame(run(plan, x, "auto"), run(plan, x, "js"));
    expect(Array.from(views.values)).toEqual(new Array(16).fill(1.5));
  });

  it("gives the same bits across block boundaries and for rows longer than a block", () => {
    const cases: Array<[CanonicalConfig, number[]]> = [
      [baseConfig, [300, 1024]], // several 64K-element blocks of groups
      [tokenConfig, [3, 70001]], // one token longer than a block, odd length (scalar tail)
      [{ ...baseConfig, granularity: { type: "PerAxis", axis: 0 } }, [5, 100003]],
      [tokenConfig, [257, 257]],
    ];
    for (const [cfg, shape] of cases) {
      const plan = makePlan(cfg, shape, { compute: "float32", torchao: "0.18" });
      const x = pseudoRandom(shape[0] * shape[1], shape[1]);
      expectSame(run(plan, x, "auto"), run(plan, x, "js"), shape.join("x"));
      // Row chunks give the same as one call (row 0 of a chunk is row 0 of its qparams).
      const whole = run(plan, x, "auto");
      expectSame(runInRowChunks(plan, x, 2), whole, `${shape.join("x")} chunked`);
    }
  });

  // Symmetric groups of whole vectors (g = 4n) run four at a time, each group in one lane of the
  // scale computation; every group of a batch here draws its own kind, so any lane can be the odd one.
  it("gives the same bits when groups run four at a time, whatever kind of group sits in each lane", () => {
    const groupKind = fc.constantFrom("plain", "zeros", "nan", "inf", "tiny", "huge", "ties");
    const batchArb = fc.record({
      g: fc.constantFrom(4, 8, 12, 32, 64),
      kinds: fc.array(groupKind, { minLength: 1, maxLength: 13 }),
      seed: fc.integer({ min: 0, max: 2 ** 31 }),
      eps: fc.constantFrom(null, 0, 1e-45, 1e-40, 2 ** -23, 0.5),
      dtype: fc.constantFrom("int4", "int8", "int1", "uint4", "uint8", "int2"),
      firstSign: fc.boolean(),
    });
    fc.assert(
      fc.property(batchArb, ({ g, kinds, seed, eps, dtype, firstSign }) => {
        const x = pseudoRandom(g * kinds.length, seed);
        kinds.forEach((kind, k) => {
          const grp = x.subarray(k * g, (k + 1) * g);
          const at = (seed + k) % g;
          if (kind === "zeros") grp.forEach((_, i) => { grp[i] = (i + seed) % 3 === 0 ? -0 : 0; });
          if (kind === "zeros") grp[0] = firstSign ? -0 : 0;
          if (kind === "nan") grp[at] = NaN;
          if (kind === "inf") grp[at] = (seed + k) % 2 ? Infinity : -Infinity;
          if (kind === "tiny") grp.forEach((v, i) => { grp[i] = v * 1e-44; });
          if (kind === "huge") grp[at] = 3.4e38;
          if (kind === "ties") grp.forEach((_, i) => { grp[i] = ((i * 7 + k) % 15) - 7.5; });
        });
        const config: CanonicalConfig = { ...baseConfig, dtype, eps, granularity: { type: "PerGroup", group_size: g } };
        const plan = makePlan(config, [1, x.length], { compute: "float32", torchao: "0.12" });
        expect(kernelFor(plan, "compute", "auto")).toBe("wasm");
        const wasm = run(plan, x, "auto");
        expectSame(wasm, run(plan, x, "js"), `g=${g} ${kinds.join(",")} eps=${eps} ${dtype}`);
        expect(nonCanonicalNaN(wasm.out)).toBeNull();
      }),
      { numRuns: 500 },
    );
  });

  // The same for the 16-bit kernel: lane j of a batch can hold a group the kernel leaves to JS (NaN,
  // infinity, a scale or reciprocal that is not finite), a zero group, float16 outputs that overflow
  // (|q|·s ≥ 65520), or values deep in float16's subnormal range, while the other lanes run on.
  it("gives the same bits when groups run four at a time computing in bfloat16 and float16, whatever kind of group sits in each lane", () => {
    const groupKind = fc.constantFrom("plain", "zeros", "nan", "inf", "tiny", "huge", "ties", "scaled", "outputTies");
    const batchArb = fc.record({
      g: fc.constantFrom(4, 8, 12, 32, 64),
      kinds: fc.array(groupKind, { minLength: 1, maxLength: 13 }),
      seed: fc.integer({ min: 0, max: 2 ** 31 }),
      eps: fc.constantFrom(null, 0, -0.5, 1e-45, 2 ** -24, 2 ** -23, 0.5, 3),
      dtype: fc.constantFrom("int4", "int8", "int1", "uint4", "uint8", "int2"),
      compute: fc.constantFrom("bfloat16" as const, "float16" as const),
      by: fc.constantFrom(2 ** -14, 2 ** -15, 2 ** -16, 2 ** -17, 2 ** -18),
      firstSign: fc.boolean(),
    });
    fc.assert(
      fc.property(batchArb, ({ g, kinds, seed, eps, dtype, compute, by, firstSign }) => {
        const x = pseudoRandom(g * kinds.length, seed);
        kinds.forEach((kind, k) => {
          const grp = x.subarray(k * g, (k + 1) * g);
          const at = (seed + k) % g;
          if (kind === "zeros") grp.forEach((_, i) => { grp[i] = (i + seed) % 3 === 0 ? -0 : 0; });
          if (kind === "zeros") grp[0] = firstSign ? -0 : 0;
          if (kind === "nan") grp[at] = NaN;
          if (kind === "inf") grp[at] = (seed + k) % 2 ? Infinity : -Infinity;
          // bfloat16: scales far below 2^-126 whose reciprocal overflows (with eps 0); float16: subnormal results.
          if (kind === "tiny") grp.forEach((v, i) => { grp[i] = v * (compute === "bfloat16" ? 1e-39 : 2 ** -24); });
          if (kind === "scaled") grp.forEach((v, i) => { grp[i] = v * by; });
          // Near float16's largest value: q·s overflows to ±inf when s rounds down (60000..65504).
          if (kind === "huge") grp[at] = (seed + k) % 2 ? 60000 + ((seed * 7 + k * 131) % 5505) : -(60000 + ((seed + k * 977) % 5505));
          if (kind === "ties") grp.forEach((_, i) => { grp[i] = ((i * 7 + k) % 15) - 7.5; });
          // s = 1 + 3 ulp of W (times 2^(k mod 4)) and x = q·s: an odd q ≥ 3 makes q·s fall halfway
          // between two W values, half of them with an even last bit (where rounding up would differ).
          if (kind === "outputTies") {
            const s = (compute === "float16" ? 1 + 3 * 2 ** -10 : 1 + 3 * 2 ** -7) * 2 ** (k % 4);
            const info = dtypeInfo(dtype);
            grp.forEach((_, i) => { grp[i] = (((i * 5 + k) % (info.qmax - info.qmin + 1)) + info.qmin) * s; });
            grp[at] = ((info.qmax - info.qmin) / 2) * s;
          }
        });
        toComputeDtype(x, compute);
        const config: CanonicalConfig = { ...baseConfig, dtype, eps, granularity: { type: "PerGroup", group_size: g } };
        const plan = makePlan(config, [1, x.length], { compute, torchao: "0.12" });
        expect(kernelFor(plan, "compute", "auto")).toBe("wasm");
        expectSame(run(plan, x, "auto"), run(plan, x, "js"), `${compute} g=${g} ${kinds.join(",")} eps=${eps} ${dtype} by=${by}`);
      }),
      { numRuns: 1000 },
    );
  });

  it("leaves a 16-bit group whose input, scale or reciprocal is not finite untouched, counts it, and runs the rest (every lane)", () => {
    const g = 8;
    const plan = makePlan({ ...baseConfig, eps: 0, granularity: { type: "PerGroup", group_size: g } }, [1, 6 * g], { compute: "bfloat16", torchao: "0.12" });
    // One bad group in each of the lanes 0..3 of the first batch of four, then a batch-of-two tail (one group alone).
    const bad = [[1, NaN, 2, 3, 4, 5, 6, 7], [-0, 0, 0, -0, 0, 0, 0, 0], [1, 2, 3, Infinity, 4, 5, 6, 7], [1e-39, 0, -1e-39, 0, 0, 0, 0, 0]];
    for (let lane = 0; lane < 4; lane++) {
      const x = pseudoRandom(6 * g, lane);
      x.set(bad[lane], lane * g);
      x.set(bad[(lane + 1) % 4], 5 * g);
      toComputeDtype(x, "bfloat16");
      const out = Float32Array.from(x);
      const scale = new Float64Array(6);
      const zeroPoint = new Float64Array(6);
      expect(fakeQuantizeRowsWasm(plan, out, out, 1, scale, zeroPoint)).toBe(2);
      for (let k = 0; k < 6; k++) {
        const isLeft = k === lane || k === 5;
        const r = Math.fround(1 / scale[k]);
        expect(Number.isFinite(scale[k]) && Number.isFinite(r), `group ${k}`).toBe(!isLeft);
        const same = diffF32(out.subarray(k * g, (k + 1) * g), x.subarray(k * g, (k + 1) * g)) === null;
        expect(same, `group ${k} untouched`).toBe(isLeft);
      }
      // The caller's rerun in JS completes them: the same bits as the JS kernel throughout.
      expectSame(run(plan, x, "auto"), run(plan, x, "js"), `lane ${lane}`);
    }
  });

  it("handles ties, signed zeros, NaN and infinities as the JS kernel does (hand-picked groups)", () => {
    const groups = [
      [7.5, 2.5, -2.5, 0.5, -0.5, 1.5, -3.5, 6.5], // s = 1: exact ties
      [0, -0, 0, -0, 0, 0, 0, 0], // all zero, +0 first
      [-0, 0, -0, 0, 0, 0, 0, 0], // all zero, −0 first
      [1, 2, NaN, 3, 4, 5, 6, 7], // NaN → NaN group
      [1, 2, 3, 4, 5, 6, 7, Infinity], // +inf → s = inf
      [-Infinity, 2, 3, 4, 5, 6, 7, 8],
      [3.4e38, -3.4e38, 1, 2, 3, 4, 5, 6], // max − min overflows (per token)
      [1e-45, -1e-45, 0, 0, 1e-44, 0, 0, 0], // subnormal range, scale underflow with eps 0
      [-0.4, -0.2, -0.1, -0.05, 0.01, -0.01, 0.3, 7.5], // −0 results become +0 through + z
    ].flat();
    const x = Float32Array.from(groups);
    for (const eps of [null, 0, 1e-45]) {
      for (const dtype of ["int4", "uint4", "int1", "uint1", "int8", "uint8"] as const) {
        for (const cfg of [baseConfig, tokenConfig]) {
          const c: CanonicalConfig = { ...cfg, dtype, eps, granularity: cfg.granularity.type === "PerToken" ? cfg.granularity : { type: "PerGroup", group_size: 8 } };
          const plan = makePlan(c, [9, 8], { compute: "float32", torchao: "0.12" });
          expectSame(run(plan, x, "auto"), run(plan, x, "js"), `${dtype} ${cfg.granularity.type} eps=${eps}`);
        }
      }
    }
    // Sanity on the values themselves (not only agreement): s = 1 ties round to even, the zero group's scale sign.
    const plan = makePlan({ ...baseConfig, eps: 0, granularity: { type: "PerGroup", group_size: 8 } }, [9, 8], { compute: "float32", torchao: "0.12" });
    const r = run(plan, x, "auto");
    expect(Array.from(r.out.subarray(0, 8))).toEqual([7, 2, -2, 0, 0, 2, -4, 6]);
    expect(Object.is(r.scale[1], -0)).toBe(true);
    expect(Object.is(r.scale[2], 0)).toBe(true);
    expect(r.scale[3]).toBeNaN();
    expect(bitsOf(r.out[8 * 8])).toBe(bitsOf(f32(0))); // −0.4 → rhe → −0, + 0 → +0, then ·s
  });
});

describe("conformance corpus through the wasm path", () => {
  const cases = loadManifest();
  const eligible = (c: (typeof cases)[number]) => {
    const cfg = canonicalFromKwargs(c.config);
    if (c.mode === "range_learning_init") return false;
    const w16 = c.input_dtype === "float16" || c.input_dtype === "bfloat16";
    // 16-bit tinygemm groups: asymmetric FLOAT domain, scale and zero point both float32 or both the input dtype.
    if (w16 && cfg.granularity.type !== "PerToken" && cfg.mapping_type === "ASYMMETRIC" && cfg.zero_point_domain === "FLOAT") {
      return c.scale_dtype === c.zero_point_dtype && (c.scale_dtype === "float32" || c.scale_dtype === c.input_dtype);
    }
    // float32 tinygemm groups: asymmetric FLOAT domain, float32 scale and zero point.
    if (c.input_dtype === "float32" && cfg.granularity.type !== "PerToken" && cfg.mapping_type === "ASYMMETRIC" && cfg.zero_point_domain === "FLOAT") {
      return c.scale_dtype === "float32" && c.zero_point_dtype === "float32";
    }
    if (c.scale_dtype !== "float32" || c.zero_point_dtype !== "int32") return false;
    // The 16-bit kernels: INT-domain groups (symmetric or not) and per_token.
    if (c.input_dtype === "float16" || c.input_dtype === "bfloat16") return cfg.granularity.type === "PerToken" || cfg.zero_point_domain === "INT";
    return c.input_dtype === "float32" && (cfg.granularity.type === "PerToken" || cfg.zero_point_domain === "INT");
  };

  it("routes exactly the float32/float32/int32 INT-group and per_token cases, float32 tinygemm groups (and 16-bit INT groups, tokens and tinygemm groups) to wasm, and some of each", () => {
    let groupsWasm = 0;
    let tokensWasm = 0;
    let w16Wasm = 0;
    for (const c of cases) {
      const plan = makePlan(canonicalFromKwargs(c.config), c.input_shape, { compute: c.input_dtype, torchao: "0.12" });
      const k = kernelFor(plan, "compute");
      expect(k, c.id).toBe(eligible(c) ? "wasm" : "js");
      if (k === "wasm" && plan.kind === "per_token") tokensWasm++;
      if (k === "wasm" && plan.kind === "per_group") groupsWasm++;
      if (k === "wasm" && plan.compute !== "float32") w16Wasm++;
    }
    expect(w16Wasm).toBeGreaterThan(5);
    expect(groupsWasm).toBeGreaterThan(10);
    expect(tokensWasm).toBeGreaterThan(10);
  });

  it.each(cases.filter(eligible).map((c) => [c.id, c] as const))("%s: wasm matches torchao's files and the forced-JS bits", (_id, c) => {
    const plan = makePlan(canonicalFromKwargs(c.config), c.input_shape, { compute: c.input_dtype, torchao: "0.12" });
    const x = Float32Array.from(loadNumbers(c.input).values);
    const got = run(plan, x, "auto");
    const js = run(plan, x, "js");
    expectSame(got, js, "forced JS");
    expect(diffValues(got.out, loadNumbers(c.expected).values), "vs torchao").toBeNull();
    expect(diffValues(got.scale, loadNumbers(c.scale as string).values), "scale vs torchao").toBeNull();
    expect(diffValues(got.zeroPoint, loadNumbers(c.zero_point as string).values), "zero point vs torchao").toBeNull();
  });
});
