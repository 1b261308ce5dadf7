import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { bf16round, bf16roundFromF32, castToInt, f16round, f16roundFromF32, pow2, roundHalfEven, roundHalfEvenF32, roundTo, toComputeDtype } from "../../src/quant/float.js";
import { halfBitsToNumber } from "../helpers/fixtures.js";

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function f32FromBits(b: number): number {
  u32[0] = b >>> 0;
  return f32[0];
}
function bitsOfF32(v: number): number {
  f32[0] = v;
  return u32[0];
}

/** All finite non-negative halves in increasing order, with their bit patterns. */
const positiveHalves: number[] = [];
for (let h = 0; h < 0x7c00; h++) positiveHalves.push(halfBitsToNumber(h));

/** Independent float16 rounding: nearest finite half by binary search, ties to the even bit pattern. */
function nearestHalf(x: number): number {
  if (x !== x) return NaN;
  const a = Math.abs(x);
  const sign = x < 0 || Object.is(x, -0) ? -1 : 1;
  if (a >= 65520) return sign * Infinity;
  let lo = 0;
  let hi = positiveHalves.length - 1;
  while (hi - lo > 1) {
    const m = (lo + hi) >> 1;
    if (positiveHalves[m] <= a) lo = m; else hi = m;
  }
  const dl = a - positiveHalves[lo];
  const dh = positiveHalves[hi] - a;
  const pick = dl < dh ? lo : dh < dl ? hi : lo % 2 === 0 ? lo : hi;
  return sign * positiveHalves[pick];
}

/** Independent bfloat16 rounding of a float32 by integer bit arithmetic (the classic RNE trick). */
function bf16FromF32Bits(x: number): number {
  if (x !== x) return NaN;
  const b = bitsOfF32(x);
  const rounded = (b + 0x7fff + ((b >>> 16) & 1)) >>> 0;
  return f32FromBits((rounded >>> 16) << 16);
}

describe("roundHalfEven", () => {
  it("rounds ties to even", () => {
    expect([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5].map(roundHalfEven)).toEqual([0, 2, 2, 4, -0, -2, -2]);
  });
  it("keeps the sign of zero and propagates NaN/inf", () => {
    expect(Object.is(roundHalfEven(-0.4), -0)).toBe(true);
    expect(Object.is(roundHalfEven(-0), -0)).toBe(true);
    expect(Object.is(roundHalfEven(0.4), 0)).toBe(true);
    expect(roundHalfEven(NaN)).toBeNaN();
    expect(roundHalfEven(Infinity)).toBe(Infinity);
    expect(roundHalfEven(-Infinity)).toBe(-Infinity);
  });
  it("is exact for large magnitudes", () => {
    expect(roundHalfEven(2 ** 51 + 0.5)).toBe(2 ** 51);
    expect(roundHalfEven(2 ** 51 + 1.5)).toBe(2 ** 51 + 2);
    expect(roundHalfEven(-(2 ** 51) - 1.5)).toBe(-(2 ** 51) - 2);
    expect(roundHalfEven(1e20)).toBe(1e20);
    expect(roundHalfEven(3.4e38)).toBe(3.4e38);
    // Integers from 2^51 on stay as they are (adding 1.5·2^52 would round the odd ones from 2^52 on).
    for (const v of [2 ** 51 + 1, 2 ** 52 + 1, -(2 ** 52) - 1, 2 ** 53 - 1]) expect(roundHalfEven(v)).toBe(v);
  });
  it("matches floor/ceil distance rule on random doubles", () => {
    fc.assert(fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), (x) => {
      const f = Math.floor(x);
      const d = x - f;
      const want = d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
      const got = roundHalfEven(x);
      return got === want && (got !== 0 || Object.is(got, x < 0 || Object.is(x, -0) ? -0 : 0));
    }), { numRuns: 2000 });
  });
});

describe("roundHalfEvenF32", () => {
  it("equals roundHalfEven on float32 values, the sign of zero included", () => {
    expect(Object.is(roundHalfEvenF32(Math.fround(-0.4)), -0)).toBe(true);
    expect(Object.is(roundHalfEvenF32(-0), -0)).toBe(true);
    // Large float32 values are integers and stay as they are (2^106 − 1.5·2^52 would round below 2^106).
    for (const v of [2 ** 51, -(2 ** 51), 2 ** 106, -(2 ** 106), 3.4e38, Infinity, -Infinity]) expect(roundHalfEvenF32(Math.fround(v))).toBe(Math.fround(v));
    expect(roundHalfEvenF32(NaN)).toBeNaN();
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (bits) => {
      const x = f32FromBits(bits);
      return x !== x ? Number.isNaN(roundHalfEvenF32(x)) : Object.is(roundHalfEvenF32(x), roundHalfEven(x));
    }), { numRuns: 20000 });
  });
});

describe("f16round", () => {
  it("round-trips all 65536 half bit patterns", () => {
    for (let h = 0; h < 65536; h++) {
      const v = halfBitsToNumber(h);
      const r = f16round(v);
      if (v !== v) expect(r).toBeNaN();
      else expect(Object.is(r, v), `pattern 0x${h.toString(16)}`).toBe(true);
    }
  });
  it("rounds every midpoint between neighbouring halves to the even one", () => {
    for (let h = 0; h < 0x7bff; h++) {
      const a = halfBitsToNumber(h);
      const b = halfBitsToNumber(h + 1);
      const mid = (a + b) / 2;
      expect(f16round(mid)).toBe(h % 2 === 0 ? a : b);
      expect(f16round(-mid)).toBe(h % 2 === 0 ? -a : -b);
      // just off the midpoint goes to the nearer one
      const eps = (b - a) / 1024;
      expect(f16round(mid - eps)).toBe(a);
      expect(f16round(mid + eps)).toBe(b);
    }
  });
  it("handles subnormals, underflow and overflow", () => {
    expect(f16round(2 ** -24)).toBe(2 ** -24);
    expect(f16round(2 ** -25)).toBe(0); // tie → even (0)
    expect(f16round(1.5 * 2 ** -24)).toBe(2 ** -23); // tie → even (2)
    expect(Object.is(f16round(-1e-10), -0)).toBe(true);
    expect(f16round(65504)).toBe(65504);
    expect(f16round(65519.99)).toBe(65504);
    expect(f16round(65520)).toBe(Infinity);
    expect(f16round(-1e6)).toBe(-Infinity);
    expect(f16round(NaN)).toBeNaN();
  });
  it("matches an independent nearest-half search on random float32 values", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (bits) => {
      const x = f32FromBits(bits);
      const got = f16round(x);
      const want = nearestHalf(x);
      return x !== x ? got !== got : Object.is(got, want);
    }), { numRuns: 20000 });
  });
});

describe("bf16round", () => {
  it("matches integer-bit RNE on random float32 bit patterns", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (bits) => {
      const x = f32FromBits(bits);
      const got = bf16round(x);
      return x !== x ? got !== got : Object.is(got, bf16FromF32Bits(x));
    }), { numRuns: 20000 });
  });
  it("rounds ties to even and overflows to inf", () => {
    expect(bf16round(1 + 2 ** -8)).toBe(1); // tie between 1 and 1+2^-7 → even
    expect(bf16round(1 + 3 * 2 ** -8)).toBe(1 + 2 ** -6);
    expect(bf16round(3.4e38)).toBe(Infinity);
    expect(bf16round(3.3895313892515355e38)).toBe(3.3895313892515355e38);
    expect(bf16round(2 ** -133)).toBe(2 ** -133); // smallest bf16 subnormal
    expect(bf16round(2 ** -134)).toBe(0);
  });
});

describe("fast float32 narrowing", () => {
  it("f16roundFromF32 equals f16round on every float32 with a 16-bit-aligned pattern and on random float32s", () => {
    for (let hi = 0; hi < 65536; hi++) {
      const x = f32FromBits((hi << 16) >>> 0);
      const want = f16round(x);
      const got = f16roundFromF32(x);
      if (x !== x) expect(got).toBeNaN();
      else expect(Object.is(got, want), `x=${x}`).toBe(true);
    }
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (bits) => {
      const x = f32FromBits(bits);
      return x !== x ? f16roundFromF32(x) !== f16roundFromF32(x) : Object.is(f16roundFromF32(x), f16round(x));
    }), { numRuns: 50000 });
  });
  it("keep the sign of zero", () => {
    for (const f of [f16round, bf16round, f16roundFromF32, bf16roundFromF32]) expect(Object.is(f(-0), -0), f.name).toBe(true);
  });
  it("bf16roundFromF32 rounds ties to even from an odd and from an even upper half", () => {
    // 1 + 2^-8 lies between 1 and 1 + 2^-7 (even below); 1 + 3·2^-8 between 1 + 2^-7 and 1 + 2^-6 (even above).
    expect(bf16roundFromF32(1 + 2 ** -8)).toBe(1);
    expect(bf16roundFromF32(1 + 3 * 2 ** -8)).toBe(1 + 2 ** -6);
    expect(bf16roundFromF32(-(1 + 3 * 2 ** -8))).toBe(-(1 + 2 ** -6));
    // Just above a tie (the lowest float32 bit set) rounds up whatever the parity.
    expect(bf16roundFromF32(1 + 2 ** -8 + 2 ** -23)).toBe(1 + 2 ** -7);
  });
  it("bf16roundFromF32 equals bf16round on random float32s", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (bits) => {
      const x = f32FromBits(bits);
      return x !== x ? Number.isNaN(bf16roundFromF32(x)) : Object.is(bf16roundFromF32(x), bf16round(x));
    }), { numRuns: 50000 });
  });
});

describe("roundTo / toComputeDtype", () => {
  it("narrows through float32 like c10::Half(float)", () => {
    // A double just above a half midpoint that float32 rounds onto the midpoint → ties-to-even.
    const mid = 1 + 2 ** -11;
    const x = mid + 2 ** -40;
    expect(f16round(x)).toBe(1 + 2 ** -10);
    expect(roundTo("float16", x)).toBe(1);
    expect(roundTo("float16", 0.1)).toBe(f16round(Math.fround(0.1)));
    expect(roundTo("float16", 0.1)).not.toBe(bf16round(Math.fround(0.1)));
    expect(roundTo("float32", 0.1)).toBe(Math.fround(0.1));
    expect(roundTo("float64", 0.1)).toBe(0.1);
    expect(roundTo("bfloat16", 0.1)).toBe(bf16FromF32Bits(Math.fround(0.1)));
  });
  it("rounds arrays in place", () => {
    const a = Float32Array.from([0.1, 65520, -1e-9]);
    toComputeDtype(a, "float16");
    expect(Array.from(a)).toEqual([f16round(Math.fround(0.1)), Infinity, -0]);
    const b = Float32Array.from([0.1, 1 + 2 ** -8]);
    toComputeDtype(b, "bfloat16");
    expect(Array.from(b)).toEqual([bf16FromF32Bits(Math.fround(0.1)), 1]);
    const c = Float32Array.from([0.1, 1 + 2 ** -8, 65520]);
    toComputeDtype(c, "float32");
    expect(Array.from(c)).toEqual([Math.fround(0.1), 1 + 2 ** -8, 65520]);
  });
});

describe("castToInt (x86-64 behaviour)", () => {
  it("truncates toward zero", () => {
    expect(castToInt("int32", 2.9)).toBe(2);
    expect(castToInt("int32", -2.9)).toBe(-2);
    expect(Object.is(castToInt("int32", -0.5), 0)).toBe(true);
  });
  it("gives INT_MIN for NaN, inf and out of range", () => {
    for (const v of [NaN, Infinity, -Infinity, 2 ** 31, -(2 ** 31) - 1, 1e30]) expect(castToInt("int32", v)).toBe(-(2 ** 31));
    expect(castToInt("int32", -(2 ** 31))).toBe(-(2 ** 31));
    expect(castToInt("int32", 2 ** 31 - 1)).toBe(2 ** 31 - 1);
    expect(castToInt("int64", NaN)).toBe(-(2 ** 63));
    expect(castToInt("int64", 2 ** 40 + 0.5)).toBe(2 ** 40);
    // int64's range is [−2^63, 2^63): the doubles just outside it (2^63, and −2^63 − 2048 below) give INT64_MIN.
    for (const v of [Infinity, -Infinity, 2 ** 63, -(2 ** 63) - 2048, 1e30]) expect(castToInt("int64", v)).toBe(-(2 ** 63));
    expect(castToInt("int64", -(2 ** 63))).toBe(-(2 ** 63));
    expect(castToInt("int64", 2 ** 63 - 1024)).toBe(2 ** 63 - 1024);
    expect(Object.is(castToInt("int64", -0.5), 0)).toBe(true);
  });
  it("wraps narrow integer types through the 32-bit conversion", () => {
    expect(castToInt("int8", 200)).toBe(-56);
    expect(castToInt("uint8", -1)).toBe(255);
    expect(castToInt("int16", 40000)).toBe(-25536);
    expect(castToInt("int8", NaN)).toBe(0);
  });
});

describe("pow2", () => {
  it("is exact", () => {
    expect(pow2(-1074)).toBe(5e-324);
    expect(pow2(1023)).toBe(8.98846567431158e307);
    expect(pow2(-24)).toBe(1 / 16777216);
  });
  it("covers |k| ≤ 1100, with IEEE's 0 and infinity beyond the double range", () => {
    expect(pow2(1024)).toBe(Infinity);
    expect(pow2(1100)).toBe(Infinity);
    expect(pow2(-1075)).toBe(0);
    expect(pow2(-1100)).toBe(0);
  });
});

describe("arith.rnd (one op in a dtype)", () => {
  it("computes 16-bit ops in float32 and then narrows (double rounding)", async () => {
    const { rnd, F16, BF16, F32, F64 } = await import("../../src/quant/arith.js");
    const x = 1 + 2 ** -11 + 2 ** -40; // float32 rounds it onto the half midpoint, which ties to 1
    expect(rnd(F16, x)).toBe(1);
    expect(rnd(BF16, 1 + 2 ** -8 + 2 ** -40)).toBe(1);
    expect(rnd(F32, x)).toBe(1 + 2 ** -11);
    expect(rnd(F64, x)).toBe(x);
  });
});
