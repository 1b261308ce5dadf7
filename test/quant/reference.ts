/**
 * A slow, obviously-correct reference of torchao's fake quantization, written
 * straight from FAKEQUANT.md §3 (per element, one rounding per op, no fast
 * paths). It shares nothing with src/quant except the dtype table: its own
 * 16-bit rounding (float32 bit manipulation), promotion table, rounding and
 * integer casts.
 */
import { dtypeInfo } from "../../src/config/dtypes.js";
import type { CanonicalConfig } from "../../src/config/types.js";

export type Fl = "float64" | "float32" | "float16" | "bfloat16";
type Zt = Fl | "int32" | "int8" | "int16" | "int64" | "uint8";

const buf = new DataView(new ArrayBuffer(8));

/** float32 value → nearest-even half, via the IEEE bit fields of the float32. */
function halfOfFloat32(v: number): number {
  if (Number.isNaN(v)) return NaN;
  buf.setFloat32(0, v);
  const bits = buf.getUint32(0);
  const sign = bits >>> 31 ? -1 : 1;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign * Infinity;
  // value = (mant | implicit) * 2^(exp - 150); the half's quantum is 2^max(e-10, -24)
  const sig = exp === 0 ? mant : mant | 0x800000;
  const e = exp === 0 ? -126 : exp - 127; // unbiased exponent of the leading bit position (for normals)
  const quantumExp = Math.max(e - 10, -24);
  const shift = quantumExp - (exp === 0 ? -149 : exp - 150); // bits of sig below the half's quantum
  let kept: number;
  if (shift <= 0) kept = sig * 2 ** -shift;
  else {
    const whole = Math.floor(sig / 2 ** shift);
    const rest = sig - whole * 2 ** shift;
    const half = 2 ** (shift - 1);
    kept = rest > half || (rest === half && whole % 2 === 1) ? whole + 1 : whole;
  }
  const mag = kept * 2 ** quantumExp;
  if (mag > 65504) return sign * Infinity;
  return sign * mag;
}

/** float32 value → nearest-even bfloat16: round away the low 16 bits of the float32. */
function bfloatOfFloat32(v: number): number {
  if (Number.isNaN(v)) return NaN;
  buf.setFloat32(0, v);
  const bits = buf.getUint32(0);
  const low = bits & 0xffff;
  let high = bits >>> 16;
  if (low > 0x8000 || (low === 0x8000 && (high & 1) === 1)) high += 1;
  buf.setUint32(0, (high << 16) >>> 0);
  return buf.getFloat32(0);
}

/** A result of one op, as held by a tensor of dtype d (16-bit ops compute in float32, then narrow). */
export function inDtype(d: Fl, v: number): number {
  if (d === "float64") return v;
  buf.setFloat32(0, v);
  const f = buf.getFloat32(0);
  if (d === "float32") return f;
  return d === "float16" ? halfOfFloat32(f) : bfloatOfFloat32(f);
}

const RANK: Record<Fl, number> = { float16: 1, bfloat16: 1, float32: 2, float64: 3 };
/** torch type promotion between tensors (floats; ints lose against any float). */
function promote(a: Zt, b: Zt): Fl {
  const fa = a in RANK ? (a as Fl) : null;
  const fb = b in RANK ? (b as Fl) : null;
  if (fa === null) return fb as Fl;
  if (fb === null) return fa;
  if (fa === fb) return fa;
  if (fa === "float64" || fb === "float64") return "float64";
  return "float32";
}

/** Round half to even with the sign of zero kept. */
function rint(v: number): number {
  if (!Number.isFinite(v)) return v;
  const f = Math.floor(v);
  const d = v - f;
  let r = d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
  if (r === 0 && (v < 0 || Object.is(v, -0))) r = -0;
  return r;
}

/** torch.min/max elementwise (NaN wins; the sign of a zero tie is implementation-defined in ATen). */
const tmin = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b));
const tmax = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b));
/**
 * torch.clamp / clamp_min with scalar bounds: ATen's `std::min(std::max(a, lo), hi)`
 * (and its SIMD twin `min(hi, max(lo, a))`) keep `a` on ties, so clamp(-0, 0, …) is -0; NaN stays.
 */
const stdMax = (a: number, b: number) => (a < b ? b : a);
const stdMin = (a: number, b: number) => (b < a ? b : a);
const clamp = (v: number, lo: number, hi: number) => stdMin(stdMax(v, lo), hi);

/** `.to(Z)`: float dtypes round; integer dtypes truncate as x86-64 does (INT_MIN for NaN/inf/out of range, narrow types wrap). */
function toZ(z: Zt, v: number): number {
  if (z in RANK) return inDtype(z as Fl, v);
  if (z === "int64") return Number.isFinite(v) && Math.abs(v) < 2 ** 63 ? Math.trunc(v) + 0 : -(2 ** 63);
  const i = Number.isFinite(v) && v > -(2 ** 31) - 1 && v < 2 ** 31 ? Math.trunc(v) + 0 : -(2 ** 31);
  const mod = z === "int32" ? 2 ** 32 : z === "int16" ? 2 ** 16 : 2 ** 8;
  let w = ((i % mod) + mod) % mod;
  if (z !== "uint8" && w >= mod / 2) w -= mod;
  return w;
}

export interface RefResult { y: number[]; scale: number[]; zeroPoint: number[] }

export interface RefOptions {
  compute: Fl;
  torchao: "0.12" | "0.18";
  /** Static qparams to use instead of computing them. */
  given?: { scale: number[]; zeroPoint: number[] };
}

/** torch.finfo(W).eps / smallest_normal. */
const FINFO: Record<Fl, [number, number]> = {
  float64: [2 ** -52, 2 ** -1022], float32: [2 ** -23, 2 ** -126], float16: [2 ** -10, 2 ** -14], bfloat16: [2 ** -7, 2 ** -126],
};

export function referenceFakeQuantize(cfg: CanonicalConfig, x: number[], shape: number[], opts: RefOptions): RefResult {
  const W = opts.compute;
  // null is torchao's None: `.to(None)` leaves the scale tensor in W, so every cast to S is the identity.
  const S = (cfg.scale_precision ?? W) as Fl;
  const Z = cfg.zero_point_precision as Zt;
  const { qmin, qmax, bits } = dtypeInfo(cfg.dtype);
  const gran = cfg.granularity;
  const perToken = gran.type === "PerToken";
  const sym = cfg.mapping_type === "SYMMETRIC";
  const N = shape[shape.length - 1];
  const g = gran.type === "PerGroup" ? Number(gran.group_size) : N;
  const defaultEps = !perToken && !sym ? 1e-6 : FINFO[W][opts.torchao === "0.12" ? 0 : 1];
  const E = inDtype(W, cfg.eps ?? defaultEps);
  const y: number[] = [];
  const scales: number[] = [];
  const zps: number[] = [];
  const blocks = x.length / g;
  for (let b = 0; b < blocks; b++) {
    const v = x.slice(b * g, (b + 1) * g);
    let sStar: number;
    let zStar: number;
    if (opts.given) {
      sStar = opts.given.scale[b];
      zStar = opts.given.zeroPoint[b];
    } else {
      const lo = v.reduce(tmin);
      const hi = v.reduce(tmax);
      if (perToken) {
        // §3.1
        const loN = tmin(lo, 0);
        const hiP = tmax(hi, 0);
        let s = inDtype(W, inDtype(W, hiP - loN) / (qmax - qmin));
        s = stdMax(s, E);
        const z = clamp(inDtype(W, qmin - rint(inDtype(W, loN / s))), qmin, qmax);
        sStar = inDtype(S, s);
        zStar = toZ(Z, z);
      } else if (sym) {
        // §3.2 symmetric: signed range even for uintN
        const [a, c] = bits === 1 ? [-1, 0] : [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1];
        const m = tmax(-tmin(lo, 0), tmax(hi, 0));
        let s = inDtype(W, m / ((c - a) / 2));
        s = stdMax(s, E);
        sStar = inDtype(S, s);
        zStar = toZ(Z, 0);
      } else {
        // §3.2 asymmetric (tinygemm)
        let s = inDtype(W, inDtype(W, hi - lo) / (2 ** bits - 1));
        s = stdMax(s, E);
        const zf = inDtype(W, lo + inDtype(W, s * 2 ** (bits - 1)));
        sStar = inDtype(S, s);
        zStar = toZ(Z, inDtype(S, zf));
      }
      if (cfg.range_learning) {
        // §4, v0.12 init: clamp(scale, min=1e-9) in S; clamp(round(zp), qmin, qmax) in Z
        const floor = inDtype(S, 1e-9);
        sStar = stdMax(sStar, floor);
        zStar = clamp(rint(zStar), qmin, qmax);
      }
    }
    scales.push(sStar);
    zps.push(zStar);
    const floatDomain = !perToken && cfg.zero_point_domain === "FLOAT";
    for (const xi of v) {
      if (!floatDomain) {
        // §3.3 INT
        const P = promote(W, S);
        const PZ = promote(P, Z);
        const r = inDtype(S, 1 / sStar);
        let q = rint(inDtype(P, xi * r));
        q = clamp(inDtype(PZ, q + inDtype(PZ, zStar)), qmin, qmax);
        const d = inDtype(W, inDtype(W, q) - inDtype(W, zStar));
        y.push(inDtype(W, inDtype(promote(W, S), d * sStar)));
      } else {
        // §3.3 FLOAT
        const mid = (qmax + qmin + 1) / 2;
        const ZS = promote(Z, S);
        const base = inDtype(ZS, inDtype(ZS, zStar) - inDtype(S, sStar * mid));
        const B = promote(W, ZS);
        const B2 = promote(B, S);
        let q = rint(inDtype(B2, inDtype(B, xi - base) / sStar));
        q = clamp(q, qmin, qmax);
        let d = inDtype(W, inDtype(B2, q - mid));
        d = inDtype(W, inDtype(promote(W, S), d * sStar));
        d = inDtype(W, inDtype(promote(W, Z), d + inDtype(promote(W, Z), zStar)));
        y.push(d);
      }
    }
  }
  return { y, scale: scales, zeroPoint: zps };
}
