/** What normalize and normalizeDocument throw: torchao's first error as an FqcError CONFIG, with the hint and where it is. */
import { describe, expect, it } from "vitest";
import { normalize, normalizeDocument } from "../../src/config/normalize.js";
import { FqcError } from "../../src/errors.js";
import { js, thrownFqcError } from "../helpers/js-callers.js";

const thrown = thrownFqcError;
const W = { dtype: "int4", group_size: 32 };
const brief = (e: FqcError) => ({ code: e.code, message: e.message, hint: e.hint, file: e.file });

describe("normalize's errors", () => {
  it("carries the finding's hint followed by its pointer, or the pointer alone, or neither at the top level", () => {
    expect(brief(thrown(() => normalize('{"dtype": "int4", "group_size": 32, "mapping_type": "bogus"}')))).toEqual({
      code: "CONFIG", message: "MappingType 'bogus' is not supported", hint: "Use SYMMETRIC or ASYMMETRIC. (at /mapping_type)", file: undefined,
    });
    expect(thrown(() => normalize('{"dtype": "int4", "group_size": 32, "eps": "x"}')).hint).toBe("(at /eps)");
    expect(thrown(() => normalize('{"group_size": 32}')).hint).toBe(
      'Add e.g. "dtype": "int4" (one of int1, int2, int3, int4, int5, int6, int7, int8, uint1, uint2, uint3, uint4, uint5, uint6, uint7, uint8).',
    );
    expect(brief(thrown(() => normalizeDocument('{"activation": null}')))).toEqual({
      code: "CONFIG", message: "a QAT pair needs at least one of `activation`, `weight`", hint: undefined, file: undefined,
    });
  });

  it("refuses a file name that is not a string (a JavaScript caller's mistake)", () => {
    for (const f of [() => js(normalize)(W, { filename: 5 }), () => js(normalizeDocument)(W, { filename: ["c.yaml"] })]) {
      expect(brief(thrown(f))).toMatchObject({ code: "USAGE", message: expect.stringMatching(/^normalize: options\.filename must be a string, not /) });
    }
  });

  it("names a syntax error's line and column, and the file", () => {
    expect(brief(thrown(() => normalize('{"dtype": ', { filename: "x.json" })))).toEqual({
      code: "CONFIG", message: "JSON syntax error: Unexpected end of input found.", hint: "at line 1, column 11", file: "x.json",
    });
  });

  it("refuses a value that is not an object, saying what it is", () => {
    expect(brief(thrown(() => normalize(null)))).toEqual({ code: "CONFIG", message: "a config must be an object, not null", hint: undefined, file: undefined });
    expect(thrown(() => normalize([])).message).toBe("a config must be an object, not an array");
    expect(thrown(() => normalize(5)).message).toBe("a config must be an object, not the number 5");
    expect(thrown(() => normalize('"int4"')).message).toBe('a config must be an object, not the string "int4"');
  });

  it("normalizeDocument words a granularity as torchao v0.12 does, the reference", () => {
    expect(thrown(() => normalizeDocument('{"dtype": "int8", "granularity": {"type": "PerRow"}}')).message).toBe("Granularity 'PerRow()' is not supported");
    expect(thrown(() => normalizeDocument('{"weight": {"dtype": "int8", "granularity": {"type": "PerRow"}, "group_size": 32}}')).message).toBe(
      "`group_size` conflicts with granularity 'PerRow()'",
    );
  });

  it("in a QAT pair, leads with what Python raises first inside the member, not with the first finding listed", () => {
    // PerAxis() is built before the call that gets the unexpected keyword.
    const e = thrown(() => normalizeDocument({ weight: { dtype: "int16", granularity: { type: "PerAxis" }, group_sise: 32 } }));
    expect(e.message).toBe("a PerAxis granularity needs `axis`");
    expect(e.hint).toMatch(/ \(at \/weight\/granularity\)$/);
    // The activation config is built first: its error, though torchao ranks a weight's granularity error before a dtype error.
    expect(thrown(() => normalizeDocument({ activation: { dtype: "int16", group_size: 32 }, weight: { dtype: "int4", granularity: "bogus" } })).message).toMatch(
      /^Unsupported dtype 'torch\.int16'/,
    );
  });
});
