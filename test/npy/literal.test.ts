import { describe, expect, it } from "vitest";
import { LiteralSyntaxError, parsePyLiteral, showPy } from "../../src/npy/literal.js";

const parse = (t: string) => showPy(parsePyLiteral(t));

describe("parsePyLiteral (the restricted header grammar)", () => {
  it("parses numpy's header dict with its trailing comma and padding", () => {
    expect(parse("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }      \n")).toBe(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4)}",
    );
  });
  it("distinguishes (), (5,) and the parenthesised int (5)", () => {
    expect(parsePyLiteral("()")).toEqual({ kind: "tuple", items: [] });
    expect(parsePyLiteral("(5,)")).toEqual({ kind: "tuple", items: [{ kind: "int", value: 5n }] });
    expect(parsePyLiteral("(5)")).toEqual({ kind: "int", value: 5n });
  });
  it("accepts double-quoted strings and simple escapes", () => {
    expect(parsePyLiteral(`"a\\'b"`)).toEqual({ kind: "str", value: "a'b" });
  });
  it("keeps huge and negative ints exact as bigints", () => {
    expect(parsePyLiteral("123456789012345678901234567890")).toEqual({ kind: "int", value: 123456789012345678901234567890n });
    expect(parsePyLiteral("-3")).toEqual({ kind: "int", value: -3n });
  });
  it("drops Python 2's L suffix on ints", () => {
    expect(parsePyLiteral("(3L, 4L)")).toEqual({ kind: "tuple", items: [{ kind: "int", value: 3n }, { kind: "int", value: 4n }] });
    expect(parsePyLiteral("(1024L, +7L)")).toEqual({ kind: "tuple", items: [{ kind: "int", value: 1024n }, { kind: "int", value: 7n }] });
    expect(parsePyLiteral("(1024L,)", { longSuffix: true })).toEqual({ kind: "tuple", items: [{ kind: "int", value: 1024n }] });
    expect(() => parsePyLiteral("(1024L,)", { longSuffix: false })).toThrow("Python 2's 'L' suffix on an int (NumPy reads it in format 1.0 and 2.0 headers only), found 'L' at offset 5");
    expect(parsePyLiteral("(1024,)", { longSuffix: false })).toEqual({ kind: "tuple", items: [{ kind: "int", value: 1024n }] });
  });
  it("parses floats as floats (so a shape of 3.0 can be refused)", () => {
    expect(parsePyLiteral("3.0")).toEqual({ kind: "float", text: "3.0" });
    expect(parsePyLiteral("1e3")).toEqual({ kind: "float", text: "1e3" });
    expect(parse("(3.25, 3., 1e-3, 2.5E+10, 1e10, -0.125e-12)")).toBe("(3.25, 3., 1e-3, 2.5E+10, 1e10, -0.125e-12)");
  });
  it("decodes the escapes it accepts as Python does", () => {
    expect(parsePyLiteral(String.raw`'\\ \' \" \n \t \r \0'`)).toEqual({ kind: "str", value: "\\ ' \" \n \t \r \0" });
    expect(parsePyLiteral(String.raw`'\08 \0'`)).toEqual({ kind: "str", value: "\x008 \0" }); // 8 is no octal digit
    expect(parsePyLiteral(String.raw`'\n1 \\0'`)).toEqual({ kind: "str", value: "\n1 \\0" }); // only \0 starts an octal escape
  });
  it("takes white space around every token, as Python does", () => {
    expect(parse(" { 'a' : ( 1 , 2 , ) , 'b' : [ 3 , ] , 'c' :\f( ) , } ")).toBe("{'a': (1, 2), 'b': [3], 'c': ()}");
  });
  it("parses lists and nested tuples (structured descrs)", () => {
    expect(parse("[('a', '<f4'), ('b', '<i4', (2,))]")).toBe("[('a', '<f4'), ('b', '<i4', (2,))]");
  });
  it("parses True, False and None", () => {
    expect(parse("(True, False, None)")).toBe("(True, False, None)");
  });
  it.each([
    ["__import__('os').system('x')", "expected a Python literal"],
    ["{'a': 1", "expected ',' or '}'"],
    ["{'a' 1}", "expected ':'"],
    ["'unterminated", "unterminated string"],
    ["'a\\qb'", "unsupported escape"],
    ["{} {}", "unexpected text after the literal"],
    ["(1 2)", "expected ',' or ')'"],
    ["1.5L", "unexpected 'L' after a float"],
    ["", "expected a Python literal"],
    ["{'a': true}", "expected a Python literal"],
  ])("rejects %j with %j", (text, msg) => {
    expect(() => parsePyLiteral(text)).toThrow(LiteralSyntaxError);
    expect(() => parsePyLiteral(text)).toThrow(msg);
  });
  it("limits nesting depth instead of overflowing the stack", () => {
    expect(() => parsePyLiteral("(".repeat(5000) + ")".repeat(5000))).toThrow("nesting too deep");
    expect(() => parsePyLiteral("[".repeat(5000) + "]".repeat(5000))).toThrow("nesting too deep");
    expect(() => parsePyLiteral("{'a': ".repeat(5000) + "1" + "}".repeat(5000))).toThrow("nesting too deep");
    expect(() => parsePyLiteral("{(".repeat(5000))).toThrow("nesting too deep"); // dict keys count too
  });
  it("accepts 33 levels of nesting and refuses 34", () => {
    expect(parsePyLiteral("(".repeat(33) + ")".repeat(33))).toBeDefined();
    expect(() => parsePyLiteral("(".repeat(34) + ")".repeat(34))).toThrow("nesting too deep, found '(' at offset 33");
  });
  it.each([
    ["'unterminated", "unterminated string, found end of header at offset 13"],
    ["'a\nb'", "newline in string, found '\n' at offset 2"],
    ["{'a': 1", "expected ',' or '}', found end of header at offset 7"],
    ["(-)", "expected a number, found '-' at offset 1"],
    ["(+x5)", "expected a number, found '+' at offset 1"],
    ["1.5L", "unexpected 'L' after a float, found 'L' at offset 3"],
    ["(1, 04)", "leading zeros in the integer 04 (Python, and so NumPy, refuses them), found '0' at offset 4"],
    ["(@True,)", "expected a Python literal, found '@' at offset 1"],
    [String.raw`'\012'`, "unsupported escape in string, found '0' at offset 2"], // an octal escape to Python, not NUL and "12"
  ])("says what is wrong with %j and where", (text, message) => {
    const offset = Number(/at offset (\d+)$/.exec(message)![1]);
    expect(() => parsePyLiteral(text)).toThrow(new LiteralSyntaxError(message, offset));
  });
  it("reports the offset of the error", () => {
    try {
      parsePyLiteral("{'a': @}");
      expect.unreachable();
    } catch (e) {
      expect((e as LiteralSyntaxError).offset).toBe(6);
    }
  });
});

describe("integers written with leading zeros (issue 13)", () => {
  it("refuses a dimension written 04, as Python and so NumPy do; accepts 0 and 00", () => {
    for (const t of ["04", "-04", "007", "04L"]) expect(() => parsePyLiteral(`(${t}, 2)`), t).toThrow(/leading zeros/);
    expect(parsePyLiteral("(0, 00)")).toBeDefined();
  });
});
