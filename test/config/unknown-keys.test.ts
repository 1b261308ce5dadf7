/** The unknown keys of one object, and the per-object budget that lists the first N of them and counts the rest. */
import { describe, expect, it } from "vitest";
import { keyBudget, unknownKeys } from "../../src/config/unknown-keys.js";

const known = (k: string) => k === "dtype";

describe("unknownKeys", () => {
  it("without a budget gives every unknown key, in enumeration order", () => {
    expect(unknownKeys({ dtype: 1, b: 1, 7: 1, a: 1 }, "", known, "fqc/unknown-key", undefined)).toEqual(["7", "b", "a"]);
    expect(unknownKeys({ dtype: 1 }, "", known, "fqc/unknown-key", undefined)).toEqual([]);
  });

  it("lists the first perObject unknown keys, counts the rest under the rule, and notes the object", () => {
    const budget = keyBudget(2);
    expect(unknownKeys({ a: 1, dtype: 1, b: 2, c: 3, d: 4 }, "/weight", known, "fqc/unknown-key", budget)).toEqual(["a", "b"]);
    expect(unknownKeys({ x: 1, y: 2, z: 3 }, "/activation", known, "fqc/unknown-key", budget)).toEqual(["x", "y"]);
    expect(budget.skipped).toStrictEqual(new Map([["fqc/unknown-key", 3]]));
    expect(budget.unknownIn.map((u) => u.pointer)).toEqual(["/weight", "/activation"]);
  });

  it("counts nothing for an object with exactly perObject unknown keys, and notes no object without any", () => {
    const budget = keyBudget(2);
    expect(unknownKeys({ a: 1, b: 2 }, "", known, "fqc/unknown-key", budget)).toEqual(["a", "b"]);
    expect(unknownKeys({ dtype: 1 }, "/weight", known, "fqc/unknown-key", budget)).toEqual([]);
    expect(budget.skipped.size).toBe(0);
    expect(budget.unknownIn.map((u) => u.pointer)).toEqual([""]);
  });

  it("keeps at least one key per object: whether a config constructs depends on it having none", () => {
    for (const n of [0, -1]) {
      const budget = keyBudget(n);
      expect(budget.perObject).toBe(1);
      expect(unknownKeys({ a: 1, b: 2 }, "", known, "fqc/unknown-key", budget)).toEqual(["a"]);
    }
    expect(keyBudget().perObject).toBe(Infinity);
  });

  it("with integer-like keys takes the rest in file order from the source, after the first key in enumeration order", () => {
    // Written b, 9, 7, dtype, a: JavaScript enumerates 7, 9, b, dtype, a.
    const value = { b: 1, 9: 1, 7: 1, dtype: 1, a: 1 };
    const inFile = (p: string) => (p === "/w" ? ["b", "9", "7", "dtype", "a"] : undefined);
    const budget = keyBudget(3, inFile);
    expect(unknownKeys(value, "/w", known, "fqc/unknown-key", budget)).toEqual(["7", "b", "9"]);
    expect(budget.skipped.get("fqc/unknown-key")).toBe(1);
    // A source that does not know the object (or lists other keys) leaves enumeration order.
    expect(unknownKeys(value, "/other", known, "fqc/unknown-key", keyBudget(3, inFile))).toEqual(["7", "9", "b"]);
    expect(unknownKeys(value, "/w", known, "fqc/unknown-key", keyBudget(3, () => ["b", "9", "7", "a"]))).toEqual(["7", "9", "b"]);
  });
});
