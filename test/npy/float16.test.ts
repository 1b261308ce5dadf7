import { describe, expect, it } from "vitest";
import { HALF_TO_FLOAT32_BITS, halfToNumber, numberToHalf } from "../../src/npy/float16.js";
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
    expect(HALF_TO_FLOAT32_BITS[0x7c01]).toBe(0x7f802000);
    expect(HALF_TO_FLOAT32_BITS[0xfe00]).toBe(0xffc00000);
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
});
