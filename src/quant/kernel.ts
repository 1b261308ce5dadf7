/**
 * The hot path: fake-quantize whole rows (quantize then dequantize, spec §3.3).
 * Runs on the main thread and in worker threads: no Node APIs, no I/O, no
 * allocation per element.
 *
 * A general path follows torch's dtype of every op (`rnd(D, a op b)`); a
 * specialised path covers float32 input with float32 scales and an integer or
 * float32 zero point, where every op is a float32 op. Both give the same bits.
 */
import type { QuantPlan } from "./plan.js";
import { BF16, F16, F32, promote, rnd, type DCode } from "./arith.js";
import { bf16roundFromF32, f16roundFromF32, roundHalfEven, roundHalfEvenF32 } from "./float.js";
import { computeQparams, qparamCtx } from "./qparams.js";
import { fakeQuantizeRowsWasm, wasmAvailable, wasmCaseFor, type KernelChoice } from "./wasm/kernel-wasm.js";

export type { KernelChoice } from "./wasm/kernel-wasm.js";

export type QparamMode = "compute" | "given";

/** Which kernel runs: the WebAssembly SIMD one, or the portable JS one. */
export type KernelKind = "wasm" | "js";


export function fakeQuantizeRows(
  plan: QuantPlan,
  x: Float32Array | Float64Array,
  out: Float32Array | Float64Array,
  rowCount: number,
  scale: Float64Array,
  zeroPoint: Float64Array,
  mode: QparamMode,
  kernel: KernelChoice = "auto",
): void {
  // The WebAssembly SIMD kernel covers the hot cases with the same bits.
  if (kernelFor(plan, mode, kernel) === "wasm" && x instanceof Float32Array && out instanceof Float32Array) {
    const left = fakeQuantizeRowsWasm(plan, x, out, rowCount, scale, zeroPoint);
    if (left === 0) return;
    if (left > 0) return runLeftGroups(plan, out, rowCount, scale, zeroPoint);
  }
  const c = qparamCtx(plan);
  const g = plan.groupSize;
  const groups = rowCount * plan.groupsPerRow;
  const w = c.w;
  const sd = c.s;
  const mid = (c.qmax + c.qmin + 1) / 2;
  // The dtype torch computes each per-element op in (spec §3.0 promotion).
  const intP = promote(w, sd); // x · (1/s)
  const intPZ = promote(intP, c.z); // round(...) + z
  const ws = promote(w, sd); // (q − z) · s
  const zs = promote(c.z, sd); // FLOAT: zero_point − scale·mid
  const fb = promote(w, zs); // FLOAT: (x − min_val) / scale (fb ⊇ S)
  const wz = promote(w, c.z); // FLOAT: dequant += zero_point
  const floatDomain = plan.domain === "FLOAT";
  // When every per-element op is a float32 op, the specialised loops apply;
  // the per-block constants (1/s in S, z−s·mid in promote(Z,S)) are still formed by the general rules.
  const fast = w === F32 && ws === F32 && (floatDomain ? fb === F32 && wz === F32 : intP === F32 && intPZ === F32);
  // 16-bit input with float32 scale math (e.g. float16 activations, default precisions).
  const fast16 = !floatDomain && (w === F16 || w === BF16) && intP === F32 && intPZ === F32 && ws === F32;
  for (let k = 0; k < groups; k++) {
    const start = k * g;
    const end = start + g;
    if (mode === "compute") {
      let lo = Infinity;
      let hi = -Infinity;
      let nan = false;
      for (let i = start; i < end; i++) {
        const v = x[i];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
        if (v !== v) nan = true;
      }
      if (nan) { lo = NaN; hi = NaN; }
      computeQparams(c, lo, hi, scale, zeroPoint, k);
    }
    const s = scale[k];
    const z = zeroPoint[k];
    if (!floatDomain) {
      const r = rnd(sd, 1 / s); // `1.0 / scale` is scale.reciprocal(), in S
      if (fast) intBlockF32(x, out, start, end, r, s, Math.fround(z), c.qmin, c.qmax);
      // A zero point of 0 with integer bounds a 16-bit float holds exactly (|q| ≤ 256): q − z is q, no rounding needed.
      else if (fast16 && z === 0 && c.qmin >= -256 && c.qmax <= 256) intBlockW16Zero(x, out, start, end, r, s, c.qmin, c.qmax, w === F16);
      else if (fast16) intBlockW16(x, out, start, end, r, s, Math.fround(z), rnd(w, z), c.qmin, c.qmax, w === F16);
      else intBlock(x, out, start, end, r, s, rnd(intPZ, z), rnd(w, z), c.qmin, c.qmax, w, intP, intPZ, ws);
    } else {
      const base = rnd(zs, rnd(zs, z) - rnd(sd, s * mid));
      if (fast) floatBlockF32(x, out, start, end, base, s, Math.fround(z), mid, c.qmin, c.qmax);
      else floatBlock(x, out, start, end, base, s, rnd(wz, z), mid, c.qmin, c.qmax, w, fb, ws, wz);
    }
    // One NaN, whatever produced it (x86's default NaN of inf·0 has the sign bit set, an input NaN keeps its
    // payload): the bytes then equal the SIMD kernel's. With a finite scale and reciprocal no output is NaN.
    const r = rnd(sd, 1 / s);
    if (!(s - s === 0 && r - r === 0)) canonicalNaN(out, start, end);
  }
}

/** Every NaN in out[start..end) becomes the quiet positive NaN (0x7fc00000 as float32). */
function canonicalNaN(out: Float32Array | Float64Array, start: number, end: number): void {
  for (let i = start; i < end; i++) if (out[i] !== out[i]) out[i] = NaN;
}

/**
 * The groups the wasm kernel left in `out` as they were (a non-finite scale
 * or reciprocal), each run alone by the JS kernel, which computes their
 * qparams anew from the same values.
 */
function runLeftGroups(plan: QuantPlan, out: Float32Array, rowCount: number, scale: Float64Array, zeroPoint: Float64Array): void {
  const g = plan.groupSize;
  const one: QuantPlan = { ...plan, rows: 1, rowLength: g, groupsPerRow: 1, shape: [1, g], qparamShape: [1, 1] };
  for (let k = 0; k < rowCount * plan.groupsPerRow; k++) {
    const s = scale[k];
    const r = Math.fround(1 / s);
    if (Number.isFinite(s) && Number.isFinite(r)) continue;
    const values = out.subarray(k * g, (k + 1) * g);
    fakeQuantizeRows(one, values, values, 1, scale.subarray(k, k + 1), zeroPoint.subarray(k, k + 1), "compute", "js");
  }
}

/** The kernel fakeQuantizeRows runs for this plan on this thread. */
export function kernelFor(plan: QuantPlan, mode: QparamMode, kernel: KernelChoice = "auto"): KernelKind {
  return kernel === "auto" && mode === "compute" && wasmCaseFor(plan) !== null && wasmAvailable() ? "wasm" : "js";
}

/**
 * INT domain, every op in float32 (W = float32, S and Z no wider):
 * q = clamp(rhe(f32(x·r)) ⊕ z, qmin, qmax); y = f32(f32(q − z)·s).
 */
function intBlockF32(
  x: Float32Array | Float64Array, out: Float32Array | Float64Array,
  start: number, end: number, r: number, s: number, zf: number, qmin: number, qmax: number,
): void {
  for (let i = start; i < end; i++) {
    const p = Math.fround(x[i] * r);
    let q = roundHalfEvenF32(p);
    q = Math.fround(q + zf);
    q = q < qmin ? qmin : q > qmax ? qmax : q;
    out[i] = Math.fround(Math.fround(q - zf) * s);
  }
}

/**
 * INT domain, 16-bit W whose products promote to float32 (S float32):
 * like intBlockF32, but q − z and the final product are narrowed to W.
 */
function intBlockW16(
  x: Float32Array | Float64Array, out: Float32Array | Float64Array,
  start: number, end: number, r: number, s: number, zf: number, zW: number, qmin: number, qmax: number, half: boolean,
): void {
  for (let i = start; i < end; i++) {
    const p = Math.fround(x[i] * r);
    let q = roundHalfEvenF32(p);
    q = Math.fround(q + zf);
    q = q < qmin ? qmin : q > qmax ? qmax : q;
    // q is cast to W first: it is not an integer when a float zero point is fractional.
    if (half) {
      const d = f16roundFromF32(Math.fround(f16roundFromF32(q) - zW));
      out[i] = f16roundFromF32(Math.fround(d * s));
    } else {
      const d = bf16roundFromF32(Math.fround(bf16roundFromF32(q) - zW));
      out[i] = bf16roundFromF32(Math.fround(d * s));
    }
  }
}

/**
 * intBlockW16 with a zero point of 0 (symmetric mappings) and bounds within
 * ±256: q is an integer that float16 and bfloat16 hold exactly, so casting it
 * to W and subtracting the zero point leave it unchanged (q is never −0 here:
 * q + 0 is +0 for a −0 q); only the final product is narrowed.
 */
function intBlockW16Zero(
  x: Float32Array | Float64Array, out: Float32Array | Float64Array,
  start: number, end: number, r: number, s: number, qmin: number, qmax: number, half: boolean,
): void {
  if (half) {
    for (let i = start; i < end; i++) {
      let q = roundHalfEvenF32(Math.fround(x[i] * r)) + 0;
      q = q < qmin ? qmin : q > qmax ? qmax : q;
      out[i] = f16roundFromF32(Math.fround(q * s));
    }
  } else {
    for (let i = start; i < end; i++) {
      let q = roundHalfEvenF32(Math.fround(x[i] * r)) + 0;
      q = q < qmin ? qmin : q > qmax ? qmax : q;
      out[i] = bf16roundFromF32(Math.fround(q * s));
    }
  }
}

/** FLOAT domain (tinygemm), every op in float32: q = clamp(rhe((x − base)/s)); y = (q − mid)·s + z. */
function floatBlockF32(
  x: Float32Array | Float64Array, out: Float32Array | Float64Array,
  start: number, end: number, base: number, s: number, zf: number, mid: number, qmin: number, qmax: number,
): void {
  for (let i = start; i < end; i++) {
    const t = Math.fround(Math.fround(x[i] - base) / s);
    let q = roundHalfEvenF32(t);
    q = q < qmin ? qmin : q > qmax ? qmax : q;
    out[i] = Math.fround(Math.fround(Math.fround(q - mid) * s) + zf);
  }
}

/** INT domain, any dtypes: every op rounded to the dtype torch computes it in. */
function intBlock(
  x: Float32Array | Float64Array, out: Float32Array | Float64Array,
  start: number, end: number, r: number, s: number, zPZ: number, zW: number, qmin: number, qmax: number,
  w: DCode, p: DCode, pz: DCode, ws: DCode,
): void {
  for (let i = start; i < end; i++) {
    let q = roundHalfEven(rnd(p, x[i] * r));
    q = rnd(pz, q + zPZ);
    q = q < qmin ? qmin : q > qmax ? qmax : q;
    const d = rnd(w, rnd(w, q) - zW);
    out[i] = rnd(w, rnd(ws, d * s));
  }
}

/** FLOAT domain, any dtypes. */
function floatBlock(
  x: Float32Array | Float64Array, out: Float32Array | Float64Array,
  start: number, end: number, base: number, s: number, zWZ: number, mid: number, qmin: number, qmax: number,
  w: DCode, b: DCode, ws: DCode, wz: DCode,
): void {
  for (let i = start; i < end; i++) {
    let q = roundHalfEven(rnd(b, rnd(b, x[i] - base) / s));
    q = q < qmin ? qmin : q > qmax ? qmax : q;
    let d = rnd(w, rnd(b, q - mid));
    d = rnd(w, rnd(ws, d * s));
    out[i] = rnd(w, rnd(wz, d + zWZ));
  }
}
