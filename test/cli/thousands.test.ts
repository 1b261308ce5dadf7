import fc from "fast-check";
import { describe, expect, it } from "vitest";
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
