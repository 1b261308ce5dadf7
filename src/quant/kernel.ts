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
import { F32, INT, promote, rnd, type DCode } from "./arith.js";
import { roundHalfEven } from "./float.js";
import { computeQparams, qparamCtx, type QparamCtx } from "./qparams.js";

export type QparamMode = "compute" | "given";

const MAGIC = 6755399441055744; // 1.5·2^52
const TWO51 = 2251799813685248;

export function fakeQuantizeRows(
  plan: QuantPlan,
  x: Float32Array | Float64Array,
  out: Float32Array | Float64Array,
  rowCount: number,
  scale: Float64Array,
  zeroPoint: Float64Array,
  mode: QparamMode,
): void {
  const c = qparamCtx(plan);
  const g = plan.groupSize;
  const groups = rowCount * plan.groupsPerRow;
  const fast = c.w === F32 && c.s === F32 && (c.z === INT || c.z === F32);
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
    if (plan.domain === "INT") {
      if (fast) intBlockF32(x, out, start, end, s, z, c.qmin, c.qmax);
      else intBlock(c, x, out, start, end, s, z);
    } else {
      if (fast) floatBlockF32(x, out, start, end, s, z, c.qmin, c.qmax);
      else floatBlock(c, x, out, start, end, s, z);
    }
  }
}

/**
 * INT domain, W = S = float32, Z int or float32:
 * q = clamp(rhe(f32(x·f32(1/s))) ⊕ z, qmin, qmax); y = f32(f32(q − z)·s).
 */
function intBlockF32(
  x: Float32Array | Float64Array, out: Float32Array | Float64Array,
  start: number, end: number, s: number, z: number, qmin: number, qmax: number,
): void {
  const r = Math.fround(1 / s);
  const zf = Math.fround(z); // int32 → float32 for the add (exact for |z| ≤ 2^24)
  for (let i = start; i < end; i++) {
    const p = Math.fround(x[i] * r);
    let q: number;
    if (p < TWO51 && p > -TWO51) {
      q = (p + MAGIC) - MAGIC;
      if (q === 0) q = p * 0; // keep the sign of zero; + z below decides the final sign
    } else {
      q = p; // |p| ≥ 2^51 is an integer already (or NaN/inf)
    }
    q = Math.fround(q + zf);
    q = q < qmin ? qmin : q > qmax ? qmax : q;
    out[i] = Math.fround(Math.fround(q - zf) * s);
  }
}

/** FLOAT domain (tinygemm), W = S = float32: q = clamp(rhe((x − (z − s·mid))/s)); y = (q − mid)·s + z. */
function floatBlockF32(
  x: Float32Array | Float64Array, out: Float32Array | Float64Array,
  start: number, end: number, s: number, z: number, qmin: number, qmax: number,
): void {
  const mid = (qmax + qmin + 1) / 2;
  const zf = Math.fround(z);
  const base = Math.fround(zf - Math.fround(s * mid));
  for (let i = start; i < end; i++) {
    const t = Math.fround(Math.fround(x[i] - base) / s);
    let q: number;
    if (t < TWO51 && t > -TWO51) {
      q = (t + MAGIC) - MAGIC;
      if (q === 0) q = t * 0;
    } else {
      q = t;
    }
    q = q < qmin ? qmin : q > qmax ? qmax : q;
    out[i] = Math.fround(Math.fround(Math.fround(q - mid) * s) + zf);
  }
}

/** INT domain, any dtypes: every op rounded to the dtype torch computes it in. */
function intBlock(
  c: QparamCtx, x: Float32Array | Float64Array, out: Float32Array | Float64Array,
  start: number, end: number, s: number, z: number,
): void {
  const w = c.w;
  const sd = c.s;
  const p = promote(w, sd); // x · (1/s)
  const pz = promote(p, c.z); // round(...) + z
  const ws = promote(w, sd); // (q − z) · s
  const r = rnd(sd, 1 / s); // `1.0 / scale` is scale.reciprocal(), in S
  const zPZ = rnd(pz, z);
  const zW = rnd(w, z);
  const qmin = c.qmin;
  const qmax = c.qmax;
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
  c: QparamCtx, x: Float32Array | Float64Array, out: Float32Array | Float64Array,
  start: number, end: number, s: number, z: number,
): void {
  const w = c.w;
  const sd = c.s;
  const qmin = c.qmin;
  const qmax = c.qmax;
  const mid = (qmax + qmin + 1) / 2;
  const zs: DCode = promote(c.z, sd); // zero_point − scale·mid
  const b = promote(w, zs); // (x − min_val) / scale; zs ⊇ S, so b ⊇ S
  const ws = promote(w, sd); // dequant *= scale (in place: narrowed to W)
  const wz = promote(w, c.z); // dequant += zero_point
  const base = rnd(zs, rnd(zs, z) - rnd(sd, s * mid));
  const zWZ = rnd(wz, z);
  for (let i = start; i < end; i++) {
    let q = roundHalfEven(rnd(b, rnd(b, x[i] - base) / s));
    q = q < qmin ? qmin : q > qmax ? qmax : q;
    let d = rnd(w, rnd(b, q - mid));
    d = rnd(w, rnd(ws, d * s));
    out[i] = rnd(w, rnd(wz, d + zWZ));
  }
}
