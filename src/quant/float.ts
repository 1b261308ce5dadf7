/**
 * Pure IEEE helpers: round half to even, rounding to float16/bfloat16, and
 * the C float→int casts as x86-64 performs them (what torch records).
 */

export type FloatDtype = "float32" | "float16" | "bfloat16" | "float64";
export type IntDtype = "int32" | "int8" | "int16" | "int64" | "uint8";

/** 1.5·2^52: adding and subtracting it rounds a double with |v| < 2^51 to an integer, ties to even. */
const MAGIC = 6755399441055744;
const TWO51 = 2251799813685248;

/** Round half to even; keeps the sign of zero (round(-0.4) = -0) and propagates NaN/±inf. */
export function roundHalfEven(x: number): number {
  if (x < TWO51 && x > -TWO51) {
    const r = (x + MAGIC) - MAGIC;
    return r === 0 ? x * 0 : r; // x*0 is -0 for negative x, like rint
  }
  // |x| ≥ 2^51: the fraction is 0.5 or 0 (always 0 from 2^52 on); NaN and ±inf give x − f = NaN and stay as they are.
  const f = Math.floor(x);
  if (x - f !== 0.5) return x;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * roundHalfEven for a value that is already a float32 (the hot loops' products):
 * every float32 with |v| ≥ 2^23 is an integer, so the 2^51 ≤ |v| < 2^52 case never arises.
 * Small enough for V8 to inline into the kernels.
 */
export function roundHalfEvenF32(v: number): number {
  if (v < TWO51 && v > -TWO51) {
    const r = (v + MAGIC) - MAGIC;
    return r === 0 ? v * 0 : r;
  }
  return v;
}

// Exact powers of two by repeated doubling (Math.pow is not guaranteed exact).
const POW2_OFFSET = 1100;
const POW2 = (() => {
  const t = new Float64Array(2 * POW2_OFFSET + 1);
  t[POW2_OFFSET] = 1;
  for (let k = 1; k <= POW2_OFFSET; k++) {
    t[POW2_OFFSET + k] = t[POW2_OFFSET + k - 1] * 2;
    t[POW2_OFFSET - k] = t[POW2_OFFSET - k + 1] / 2;
  }
  return t;
})();

/** Exact 2^k for |k| ≤ 1100 (0 / inf beyond the double range, as IEEE gives). */
export function pow2(k: number): number {
  return POW2[POW2_OFFSET + k];
}

// Scratch view to read a double's exponent bits; used synchronously only.
const scratchF64 = new Float64Array(1);
const scratchU32 = new Uint32Array(scratchF64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // little-endian → high word at index 1

/** floor(log2(a)) for a finite positive double (double subnormals report −1023, enough for our callers). */
function exponentOf(a: number): number {
  scratchF64[0] = a;
  return ((scratchU32[HI] >>> 20) & 0x7ff) - 1023;
}

/**
 * Round a double to a binary format with `p` significand bits, minimum normal
 * exponent `emin`, rounding to nearest-even; |x| ≥ `overflowAt` becomes ±inf.
 */
function roundToFormat(x: number, p: number, emin: number, overflowAt: number): number {
  if (x !== x || x === 0) return x;
  const a = x < 0 ? -x : x;
  if (a >= overflowAt) return x < 0 ? -Infinity : Infinity;
  let e = exponentOf(a);
  if (e < emin) e = emin; // subnormal range: fixed quantum 2^(emin-p+1)
  const q = pow2(e - p + 1);
  const r = roundHalfEven(a / q) * q; // a/q and r*q are exact (power-of-two scaling)
  return x < 0 ? -r : r;
}

/** float16 max is 65504; values ≥ 65520 (the midpoint to 2^16) round to inf. */
const F16_OVERFLOW = 65520;
/** bfloat16 max is (2−2^-7)·2^127; the midpoint to 2^128 is (2−2^-8)·2^127. */
const BF16_OVERFLOW = (2 - 2 ** -8) * 2 ** 127;

/** Round to nearest-even IEEE half (11-bit significand, subnormals down to 2^-24, overflow → ±inf). */
export function f16round(x: number): number {
  return roundToFormat(x, 11, -14, F16_OVERFLOW);
}

/** Round to nearest-even bfloat16 (8-bit significand, float32's exponent range). */
export function bf16round(x: number): number {
  return roundToFormat(x, 8, -126, BF16_OVERFLOW);
}

// Scratch float32 view for the bit-level narrowing of float32 values.
const scratchF32 = new Float32Array(1);
const scratchF32Bits = new Uint32Array(scratchF32.buffer);

/**
 * f16round for a value that is already a float32 (the common case: torch
 * narrows from float). Same result as f16round; drops 13 mantissa bits with
 * RNE on the float32 bit pattern, which is much faster.
 */
export function f16roundFromF32(v: number): number {
  const a = v < 0 ? -v : v;
  if (!(a >= 6.103515625e-5)) {
    if (a !== a) return v;
    // half subnormal range: fixed quantum 2^-24 (v·2^24 is exact)
    const t = v * 16777216;
    const r = (t + MAGIC) - MAGIC;
    return r === 0 ? v * 0 : r / 16777216;
  }
  if (a >= F16_OVERFLOW) return v < 0 ? -Infinity : Infinity;
  scratchF32[0] = v;
  const b = scratchF32Bits[0];
  scratchF32Bits[0] = (b + 0xfff + ((b >>> 13) & 1)) & 0xffffe000;
  return scratchF32[0];
}

/** bf16round for a value that is already a float32: RNE on the upper 16 bits. */
export function bf16roundFromF32(v: number): number {
  if (v !== v) return v;
  scratchF32[0] = v;
  const b = scratchF32Bits[0];
  scratchF32Bits[0] = (b + 0x7fff + ((b >>> 16) & 1)) & 0xffff0000;
  return scratchF32[0];
}

/**
 * The value a result computed in `dtype` ends up with. torch narrows doubles to
 * half/bfloat16 through float (c10::Half(float)), and 16-bit ops compute in
 * float32 and narrow: so float16/bfloat16 round via float32 first.
 */
export function roundTo(dtype: FloatDtype, x: number): number {
  switch (dtype) {
    case "float64": return x;
    case "float32": return Math.fround(x);
    case "float16": return f16roundFromF32(Math.fround(x));
    case "bfloat16": return bf16roundFromF32(Math.fround(x));
  }
}

const INT32_MIN = -2147483648;
const INT64_MIN = -9223372036854775808;

/**
 * C++ `static_cast<int>(float)` as x86-64 executes it: truncation toward zero;
 * NaN, ±inf and out-of-range values give the "integer indefinite" INT_MIN
 * (cvttss2si). Narrow types go through the 32-bit conversion and wrap.
 * This is implementation-defined in C++; these are the values the corpus records.
 */
export function castToInt(dtype: IntDtype, x: number): number {
  if (dtype === "int64") {
    if (!(x > -9223372036854777856 && x < 9223372036854775808)) return INT64_MIN;
    return Math.trunc(x) + 0;
  }
  const i32 = x > -2147483649 && x < 2147483648 ? Math.trunc(x) | 0 : INT32_MIN;
  switch (dtype) {
    case "int32": return i32;
    case "int16": return (i32 << 16) >> 16;
    case "int8": return (i32 << 24) >> 24;
    case "uint8": return i32 & 0xff;
  }
}

/** Rounds float32 values in place to the compute dtype (what `x.to(dtype)` does). */
export function toComputeDtype(values: Float32Array, compute: "float32" | "float16" | "bfloat16"): void {
  if (compute === "float32") return;
  const n = values.length;
  if (compute === "float16") {
    for (let i = 0; i < n; i++) values[i] = f16roundFromF32(values[i]);
  } else {
    for (let i = 0; i < n; i++) values[i] = bf16roundFromF32(values[i]);
  }
}
