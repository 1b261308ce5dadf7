/**
 * Quantization parameters of one block (token or group), spec §3.1/§3.2/§4.
 * All qparam math runs in the compute dtype W; the results are cast to the
 * scale dtype S and zero-point dtype Z at the very end, as torchao does.
 */
import type { QuantPlan } from "./plan.js";
import { castToInt, roundHalfEven, type IntDtype } from "./float.js";
import { INT, dcode, rnd, type DCode } from "./arith.js";

/** Dtype codes and constants of a plan, resolved once per kernel call. */
export interface QparamCtx {
  w: DCode;
  s: DCode;
  z: DCode;
  zInt: IntDtype | null;
  qmin: number;
  qmax: number;
  eps: number;
  kind: 0 | 1 | 2; // 0 per_token asym, 1 group symmetric, 2 group asymmetric
  /** per_token: qmax − qmin; group sym: (c − a)/2 of the signed range; group asym: 2^b − 1. */
  divisor: number;
  /** group asym: 2^(b−1), the tinygemm mid point. */
  mid: number;
  rangeLearningInit: boolean;
  /** Range learning's scale floor 1e-9, in S. */
  rlScaleMin: number;
}

export function qparamCtx(plan: QuantPlan): QparamCtx {
  const zCode = dcode(plan.zeroPointPrecision);
  const s = dcode(plan.scalePrecision);
  const kind = plan.kind === "per_token" ? 0 : plan.symmetric ? 1 : 2;
  const b = plan.bits;
  // Symmetric groups use the *signed* range even for uintN: (−1, 0) for 1 bit.
  const symLo = -(2 ** (b - 1));
  const symHi = 2 ** (b - 1) - 1;
  const divisor = kind === 0 ? plan.qmax - plan.qmin : kind === 1 ? (symHi - symLo) / 2 : 2 ** b - 1;
  return {
    w: dcode(plan.compute),
    s,
    z: zCode,
    zInt: zCode === INT ? (plan.zeroPointPrecision as IntDtype) : null,
    qmin: plan.qmin,
    qmax: plan.qmax,
    eps: plan.eps,
    kind,
    divisor,
    mid: 2 ** (b - 1),
    rangeLearningInit: plan.rangeLearningInit,
    rlScaleMin: rnd(s, 1e-9),
  };
}

/**
 * NaN-propagating min/max like torch.min/torch.max (elementwise). On a tie
 * (−0 vs +0) they return the first argument, as ATen's scalar loop
 * (`std::min`/`std::max`) does for these small qparam tensors on x86: that is
 * what makes the corpus's symmetric eps=0 zero-row scales −0.
 */
function minNaN(a: number, b: number): number {
  return a !== a || b !== b ? NaN : b < a ? b : a;
}
function maxNaN(a: number, b: number): number {
  return a !== a || b !== b ? NaN : a < b ? b : a;
}
/** torch.clamp(v, min=lo): NaN stays NaN. */
function clampMin(v: number, lo: number): number {
  return v < lo ? lo : v;
}
function clampNaN(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

function castZ(c: QparamCtx, v: number): number {
  return c.zInt !== null ? castToInt(c.zInt, v) : rnd(c.z, v);
}

/**
 * Computes the stored (scale, zero point) of a block from its min and max
 * (NaN if the block has a NaN) and writes them at `scale[i]`, `zeroPoint[i]`.
 */
export function computeQparams(
  c: QparamCtx, lo: number, hi: number, scale: Float64Array, zeroPoint: Float64Array, i: number,
): void {
  const w = c.w;
  let sOut: number;
  let zOut: number;
  if (c.kind === 0) {
    // choose_qparams_affine, ASYMMETRIC, preserve_zero: the range always includes 0.
    const loN = minNaN(lo, 0);
    const hiP = maxNaN(hi, 0);
    let s = rnd(w, rnd(w, hiP - loN) / c.divisor);
    s = clampMin(s, c.eps);
    // True division by the W-precision scale, before its cast to S.
    const t = roundHalfEven(rnd(w, loN / s));
    const z = clampNaN(rnd(w, c.qmin - t), c.qmin, c.qmax);
    sOut = rnd(c.s, s);
    zOut = castZ(c, z);
  } else if (c.kind === 1) {
    // get_group_qparams_symmetric: max |v| including 0, over the signed range's half width.
    const m = maxNaN(-minNaN(lo, 0), maxNaN(hi, 0));
    const s = clampMin(rnd(w, m / c.divisor), c.eps);
    sOut = rnd(c.s, s);
    zOut = castZ(c, 0);
  } else {
    // get_groupwise_affine_qparams (tinygemm): zero not forced into the range, float zero point.
    const s = clampMin(rnd(w, rnd(w, hi - lo) / c.divisor), c.eps);
    const zf = rnd(w, lo + rnd(w, s * c.mid));
    sOut = rnd(c.s, s);
    zOut = castZ(c, rnd(c.s, zf)); // the zero point is held in S before FakeQuantizer casts it to Z
  }
  if (c.rangeLearningInit) {
    // _maybe_update_qparams_for_range_learning (v0.12): clamp(scale, min=1e-9),
    // clamp(round(zp), qmin, qmax), both in their own dtypes (Z is a float here).
    sOut = clampMin(sOut, c.rlScaleMin);
    zOut = clampNaN(roundHalfEven(zOut), c.qmin, c.qmax);
  }
  scale[i] = sOut;
  zeroPoint[i] = zOut;
}
