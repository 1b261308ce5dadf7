import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DTYPE_BITS, tensorByteLength } from "../../src/checkpoint/dtypes.js";
import { jsonNonNegativeInteger } from "../../src/checkpoint/strict-json.js";
import type { TensorDtype } from "../../src/checkpoint/types.js";

/** shape × bits / 8 in BigInt throughout: the obviously exact reference. */
function reference(dtype: TensorDtype, shape: readonly number[]): { ok: true; byteLength: number } | { ok: false } {
  const bits = shape.reduce((a, d) => a * BigInt(d), BigInt(DTYPE_BITS[dtype]));
  if (bits % 8n !== 0n || bits / 8n > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false };
  return { ok: true, byteLength: Number(bits / 8n) };
}

describe("tensorByteLength", () => {
  it("is the exact byte count, or a refusal, as BigInt arithmetic gives it", () => {
    const dim = fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 2 ** 20 }), fc.constantFrom(2 ** 26, 2 ** 30 - 1, 2 ** 40, 2 ** 50, Number.MAX_SAFE_INTEGER));
    fc.assert(fc.property(fc.constantFrom(...(Object.keys(DTYPE_BITS) as TensorDtype[])), fc.array(dim, { maxLength: 5 }), (dtype, shape) => {
      const got = tensorByteLength(dtype, shape);
      const want = reference(dtype, shape);
      expect(got.ok).toBe(want.ok);
      if (got.ok && want.ok) expect(got.byteLength).toBe(want.byteLength);
    }), { numRuns: 3000 });
  });
});

describe("jsonNonNegativeInteger", () => {
  it("reads digit strings exactly up to 2^53 - 1 and refuses longer values", () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 60n }), fc.nat(3), (n, zeros) => {
      const text = n.toString();
      const r = jsonNonNegativeInteger({ kind: "number", text });
      if (n <= BigInt(Number.MAX_SAFE_INTEGER)) expect(r).toEqual({ ok: true, value: Number(n) });
      else expect(r.ok).toBe(false);
      // Leading zeros are not JSON, but the reader only sees what the parser accepted; they still read exactly.
      const padded = jsonNonNegativeInteger({ kind: "number", text: "0".repeat(zeros) + text });
      if (n <= BigInt(Number.MAX_SAFE_INTEGER)) expect(padded).toEqual({ ok: true, value: Number(n) });
    }), { numRuns: 2000 });
  });
});
