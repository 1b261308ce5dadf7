/** YAML 1.2 scalars as the yaml package reads them: plain scalars in the core schema and double-quoted escapes. */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parse } from "yaml";
import { doubleQuotedValue, plainScalarValue } from "../../src/diagnostics/yaml-scalar.js";

const PLAIN = [
  "0", "7", "-7", "+7", "007", "-0", "+0", "0o17", "0o8", "0x1F", "0X1F", "0xg", "1_000", "12345678901234567890", "0.5", ".5", "5.", "-.5", "+1.5",
  "1e3", "1E-3", "-1.5e+3", ".5e1", "1.e2", "1e", "e3", ".", "+", ".inf", "-.Inf", "+.INF", ".nan", ".NaN", ".NAN", "-.nan", "inf", "nan",
  "true", "True", "TRUE", "tRUE", "false", "False", "FALSE", "yes", "on", "null", "Null", "NULL", "nULL", "~", "int4", "per_group", "1.2.3", "1:30",
];

describe("YAML scalars", () => {
  it("reads plain scalars as the yaml package's core schema does (null, bool, octal, decimal, hex, inf/nan, floats, strings)", () => {
    for (const s of PLAIN) expect(plainScalarValue(s), s).toStrictEqual(parse(`a: ${s}\n`).a);
  });

  it("reads generated numeric-looking plain scalars as the yaml package does", () => {
    const piece = fc.constantFrom("0", "1", "9", ".", "e", "E", "-", "+", "x", "o", "f", "_", "inf", "nan");
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 6 }).map((p) => p.join("")), (s) => {
        // Only strings the yaml package reads as one plain scalar (not `-` alone, not `- x`).
        if (/^[-?:]( |$)/.test(s)) return;
        expect(plainScalarValue(s), s).toStrictEqual(parse(`a: ${s}\n`).a);
      }),
      { numRuns: 500 },
    );
  });

  it("resolves double-quoted escapes as the yaml package does, and refuses the ones it reports", () => {
    for (const body of ["plain", "a\\tb\\n", "\\u00e9\\x41\\U0001F600", "\\\\ \\\" \\/ \\_ \\N \\L \\P \\0 \\a \\b \\e \\f \\v \\r \\ ", "\\uD800"]) {
      expect(doubleQuotedValue(body), body).toBe(parse(`a: "${body}"\n`).a);
    }
    for (const body of ["\\q", "\\x4", "\\u00g0", "\\U00110000"]) expect(doubleQuotedValue(body), body).toBeUndefined();
  });
});
