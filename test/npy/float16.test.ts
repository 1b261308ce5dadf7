import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { float32BitsToHalf, float32ToHalves, float64ToHalves, halfToFloat32Bits, halfToNumber, numberToHalf } from "../../src/npy/float16.js";
import { EXPECTED, hexToF64 } from "./helpers.js";

const R = EXPECTED.float16_rounding;

describe("float16 conversion", () => {
  it("widens every half exactly and narrows it back to the same bits (all 65536 patterns)", () => {
    let bad = 0;
    for (let h = 0; h < 65536; h++) {
      const v = halfToNumber(h);
      const back = Number.isNaN(v) ? -1 : numberToHalf(v);
      if (!Number.isNaN(v) && back !== h) bad++;
    }
    expect(bad).toBe(0);
  });
  it("decodes the landmarks", () => {
    expect(halfToNumber(0x3c00)).toBe(1);
    expect(halfToNumber(0x0001)).toBe(2 ** -24);
    expect(halfToNumber(0x03ff)).toBe(1023 * 2 ** -24);
    expect(halfToNumber(0x0400)).toBe(2 ** -14);
    expect(halfToNumber(0x7bff)).toBe(65504);
    expect(halfToNumber(0x7c00)).toBe(Infinity);
    expect(halfToNumber(0xfc00)).toBe(-Infinity);
    expect(Object.is(halfToNumber(0x8000), -0)).toBe(true);
    expect(halfToNumber(0x7e00)).toBeNaN();
  });
  it("keeps NaN payloads and signs in the float32 bit table", () => {
    expect(halfToFloat32Bits()[0x7c01]).toBe(0x7f802000);
    expect(halfToFloat32Bits()[0xfe00]).toBe(0xffc00000);
  });
  it("rounds float64 values exactly like numpy's astype(float16) (ties to even, subnormals, overflow, no double rounding)", () => {
    const got = R.f64_inputs.map((hx) => numberToHalf(hexToF64(hx)));
    expect(got).toEqual(R.f64_to_f2_bits);
  });
  it("rounds float32 values exactly like numpy's float32 -> float16", () => {
    const got = R.f32_inputs.map((hx) => numberToHalf(Math.fround(hexToF64(hx))));
    expect(got).toEqual(R.f32_to_f2_bits);
  });
  it("rounds halfway cases to even and overflows at 65520", () => {
    expect(numberToHalf(1 + 2 ** -11)).toBe(0x3c00); // tie between 1 and 1+2^-10 -> even (1)
    expect(numberToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie -> even mantissa 2
    expect(numberToHalf(65519.99)).toBe(0x7bff);
    expect(numberToHalf(65520)).toBe(0x7c00);
    expect(numberToHalf(-1e9)).toBe(0xfc00);
    expect(numberToHalf(2 ** -25)).toBe(0); // tie with 0 -> even (0)
    expect(numberToHalf(3 * 2 ** -25)).toBe(2); // tie between 1 and 2 subnormal units -> 2
    expect(numberToHalf(2 ** -14 - 2 ** -26)).toBe(0x0400); // rounds up into the normal range
    expect(numberToHalf(-0)).toBe(0x8000);
    expect(numberToHalf(-1e-30)).toBe(0x8000);
    expect(numberToHalf(NaN)).toBe(0x7e00);
  });

  it("bulk float64 -> half matches numpy on the fixture values", () => {
    const src = Float64Array.from(R.f64_inputs, hexToF64);
    const out = new Uint16Array(src.length);
    float64ToHalves(src, 0, src.length, out, true);
    expect(Array.from(out)).toEqual(R.f64_to_f2_bits);
  });
  it("bulk float32 -> half (integer port) matches numpy on the fixture values", () => {
    const src = Float32Array.from(R.f32_inputs, hexToF64);
    const out = new Uint16Array(src.length);
    float32ToHalves(src, 0, src.length, out);
    expect(Array.from(out)).toEqual(R.f32_to_f2_bits);
  });
  it("float32 bit port agrees with the arithmetic rounding on a sweep of ~1M float32 bit patterns", () => {
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    let bad = 0;
    for (let bits = 0; bits < 0x100000000; bits += 4093) {
      u[0] = bits;
      if (Number.isNaN(f[0])) continue;
      if (float32BitsToHalf(bits) !== numberToHalf(f[0])) bad++;
    }
    expect(bad).toBe(0);
  });
  it("float32 bit port rounds every halfway point and its float32 neighbours like the arithmetic rounding", () => {
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    let bad = 0;
    for (let h = 0; h < 0x7bff; h++) { // 0x7bff..inf has no finite midpoint; 65520 is tested above
      f[0] = (halfToNumber(h) + halfToNumber(h + 1)) / 2; // exact in float32
      const tie = u[0];
      for (const bits of [tie - 1, tie, tie + 1, (tie | 0x80000000) >>> 0]) {
        u[0] = bits;
        if (float32BitsToHalf(bits) !== numberToHalf(f[0])) bad++;
      }
    }
    expect(bad).toBe(0);
  });
  it("bulk float64 -> half agrees with the arithmetic rounding on random doubles (property)", () => {
    fc.assert(fc.property(fc.array(fc.double({ noNaN: true, min: -70000, max: 70000 }), { minLength: 1, maxLength: 50 }), fc.array(fc.double({ noNaN: true }), { maxLength: 10 }), (a, b) => {
      const src = Float64Array.from([...a, ...b, ...a.map((x) => x * 2 ** -20)]);
      const out = new Uint16Array(src.length);
      float64ToHalves(src, 0, src.length, out, true);
      expect(Array.from(out)).toEqual(Array.from(src, numberToHalf));
    }), { numRuns: 500 });
  });
  it("bulk conversions read count values from start and write exactly count halves", () => {
    const f32 = Float32Array.of(7, 1, 2, 3, 9);
    const o32 = new Uint16Array(5).fill(0xabcd);
    float32ToHalves(f32, 1, 3, o32);
    expect(Array.from(o32)).toEqual([0x3c00, 0x4000, 0x4200, 0xabcd, 0xabcd]);
    const f64 = Float64Array.of(7, 1, 2, 3, 9);
    const o64 = new Uint16Array(5).fill(0xabcd);
    float64ToHalves(f64, 1, 3, o64, true);
    expect(Array.from(o64)).toEqual([0x3c00, 0x4000, 0x4200, 0xabcd, 0xabcd]);
  });
  it("bulk conversions keep NaN sign and payload like numpy, and never turn a NaN into infinity", () => {
    const f32 = new Float32Array(3);
    new Uint32Array(f32.buffer).set([0xffc00000, 0x7f802000, 0x7f800001]);
    const o32 = new Uint16Array(3);
    float32ToHalves(f32, 0, 3, o32);
    expect(Array.from(o32)).toEqual([0xfe00, 0x7c01, 0x7c01]);
    const f64 = new Float64Array(2);
    new Uint32Array(f64.buffer).set([0, 0xfff80000, 1, 0x7ff00000]);
    const o64 = new Uint16Array(2);
    float64ToHalves(f64, 0, 2, o64, true);
    expect(Array.from(o64)).toEqual([0xfe00, 0x7c01]);
  });
});
