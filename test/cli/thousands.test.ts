import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { countOf, plural } from "../../src/plural.js";
import { withThousands } from "../../src/thousands.js";

describe("withThousands", () => {
  it("writes every safe integer (and 1e21) as toLocaleString('en-US') does", () => {
    fc.assert(fc.property(fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constantFrom(0, -0, 1e21, -1e21, 999, 1000, -1000)), (n) => {
      expect(withThousands(n)).toBe(n.toLocaleString("en-US"));
    }), { numRuns: 2000 });
  });

  it("groups by three from the right", () => {
    expect([0, -0, 7, 999, 1000, 65536, 1048576, -1234567, 1e21].map(withThousands)).toEqual(["0", "-0", "7", "999", "1,000", "65,536", "1,048,576", "-1,234,567", "1,000,000,000,000,000,000,000"]);
  });

  it("writes what is not an integer as String() does", () => {
    expect([NaN, Infinity, -Infinity, 1.5].map(withThousands)).toEqual(["NaN", "Infinity", "-Infinity", "1.5"]);
  });
});

describe("plural and countOf", () => {
  it("give the noun in the singular for exactly one, with the count as shown", () => {
    expect([0, 1, 2].map((n) => plural(n, "tensor"))).toEqual(["0 tensors", "1 tensor", "2 tensors"]);
    expect([1, 1200, 1048576].map((n) => countOf(n, "element"))).toEqual(["1 element", "1,200 elements", "1,048,576 elements"]);
  });
});
