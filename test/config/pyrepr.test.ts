import { describe, expect, it } from "vitest";
import { pyFloatRepr, pyRepr, pyStr, pyStringRepr, pyTruthy, pyTypeName } from "../../src/config/pyrepr.js";

describe("pyFloatRepr prints floats as Python's repr does", () => {
  it.each([
    [32, "32.0"], [0, "0.0"], [-0, "-0.0"], [1e-6, "1e-06"], [1e16, "1e+16"], [1e15, "1000000000000000.0"],
    [0.0001, "0.0001"], [0.00001, "1e-05"], [1.1920928955078125e-7, "1.1920928955078125e-07"], [1.5, "1.5"],
    [123456789012345678, "1.2345678901234568e+17"], [-2.5e-10, "-2.5e-10"], [0.1, "0.1"], [1e22, "1e+22"],
    [Infinity, "inf"], [-Infinity, "-inf"], [NaN, "nan"], [5e-324, "5e-324"], [1.7976931348623157e308, "1.7976931348623157e+308"],
  ])("%s → %s", (x, want) => {
    expect(pyFloatRepr(x)).toBe(want);
  });
});

describe("pyRepr / pyStr", () => {
  it("prints containers, strings and constants like Python", () => {
    expect(pyRepr(["per_token"])).toBe("['per_token']");
    expect(pyRepr([1, 2.5, true, null, "a'b"])).toBe(`[1, 2.5, True, None, "a'b"]`);
    expect(pyRepr({ type: "PerGroup", group_size: 32 })).toBe("{'type': 'PerGroup', 'group_size': 32}");
    expect(pyStringRepr("a\nb\\")).toBe("'a\\nb\\\\'");
    expect(pyStringRepr(`it's "x"`)).toBe(`'it\\'s "x"'`);
    expect(pyStr("per_token")).toBe("per_token");
    expect(pyStr(true)).toBe("True");
  });

  it("escapes what Python's str.isprintable() refuses, as repr does: \\xNN, \\uNNNN, \\UNNNNNNNN (python3 repr() of the same text)", () => {
    const text = "\u00a0\u00ad\u200b\u2028\u3000\ue000\ufeff\u0378\ud800 é😀\u{E0001}\u{F0000}\n\x00\x7f\x85";
    expect(pyStringRepr(text)).toBe("'\\xa0\\xad\\u200b\\u2028\\u3000\\ue000\\ufeff\\u0378\\ud800 é😀\\U000e0001\\U000f0000\\n\\x00\\x7f\\x85'");
  });

  it("uses the source's number kinds: a float literal is a Python float, a big int literal stays exact", () => {
    const kinds = { isFloat: (p: string) => p === "/0", literal: (p: string) => (p === "/1" ? "123456789012345678901" : undefined) };
    expect(pyRepr([32, 123456789012345678901], "", kinds)).toBe("[32.0, 123456789012345678901]");
    expect(pyTypeName(32, "/0", kinds)).toBe("<class 'float'>");
    expect(pyTypeName(32)).toBe("<class 'int'>");
    expect(pyTypeName(false)).toBe("<class 'bool'>");
    expect(pyTypeName([])).toBe("<class 'list'>");
  });

  it("applies Python truthiness", () => {
    for (const v of [null, false, 0, "", [], {}]) expect(pyTruthy(v)).toBe(false);
    for (const v of [true, 1, -0.5, "no", [0], { a: 1 }, NaN]) expect(pyTruthy(v)).toBe(true);
  });
});
