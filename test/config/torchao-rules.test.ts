/**
 * The constructor replay's findings one by one: where each points, its hint, and the fqc type checks of the fields
 * torchao stores without looking. (Its messages and their order against torchao are corpus.test.ts and
 * construct-oracle.test.ts; this file pins what those fixtures cannot show.)
 */
import { describe, expect, it } from "vitest";
import { validate } from "../../src/config/validate.js";
import type { Diagnostic } from "../../src/diagnostics/types.js";

const ds = (text: string) => validate(text, { filename: "c.json" }).diagnostics;
const shown = (d: Diagnostic) => ({ ruleId: d.ruleId, pointer: d.pointer, message: d.message, hint: d.hint });
const only = (text: string) => {
  const all = ds(text);
  expect(all.map((d) => d.ruleId), text).toHaveLength(1);
  return shown(all[0]);
};

describe("torchao's constructor errors: where they point and the fix they suggest", () => {
  it.each([
    [
      '{"dtype": "int8", "granularity": "per_token", "is_symmetric": false, "zero_point_domain": null}',
      "torchao/zero-point-domain-null", "/zero_point_domain", 'Write "zero_point_domain": "NONE", or leave the key out for the default INT.',
    ],
    [
      '{"dtype": "int4", "granularity": {"type": "PerGroup", "group_size": 32}, "group_size": 32}',
      "torchao/group-size-conflict", "/group_size", "Give the group size once: either in the PerGroup object or as `group_size`.",
    ],
    [
      '{"dtype": "int4", "granularity": {"type": "PerToken"}, "group_size": 32}',
      "torchao/group-size-conflict", "/group_size", 'Remove `group_size`, or use "granularity": "per_group".',
    ],
    [
      '{"dtype": "int4", "granularity": "per_channel", "group_size": 32}',
      "torchao/group-size-conflict", "/group_size", 'Remove `group_size`, or use "granularity": "per_group".',
    ],
    ['{"dtype": "int8", "granularity": {"type": "PerRow"}}', "torchao/granularity-unsupported", "/granularity", "Fake quantization supports PerToken, PerAxis(0) and PerGroup."],
    ['{"dtype": "uint4", "granularity": "per_group", "is_symmetric": false}', "torchao/per-group-without-group-size", "/granularity", 'Add e.g. "group_size": 32.'],
    ['{"dtype": "int8", "granularity": "per_tokn"}', "torchao/granularity-unknown-string", "/granularity", 'Did you mean "per_token"?'],
    ['{"dtype": "int8", "granularity": "blockwise"}', "torchao/granularity-unknown-string", "/granularity", undefined],
    [
      '{"dtype": "int8", "granularity": 5}',
      "torchao/granularity-type", "/granularity", 'Use "per_token", "per_channel", "per_group" or an object such as {"type": "PerGroup", "group_size": 32}.',
    ],
    // An explicit null granularity is where the fix goes; without the key, the config itself.
    ['{"dtype": "int8", "granularity": null}', "torchao/granularity-missing", "/granularity", 'Add e.g. "granularity": "per_channel" or "group_size": 32.'],
    ['{"dtype": "int8"}', "torchao/granularity-missing", "", 'Add e.g. "granularity": "per_channel" or "group_size": 32.'],
    [
      '{"dtype": "int4", "group_size": 32, "mapping_type": "SYMMETRIC", "is_symmetric": false}',
      "torchao/mapping-type-and-is-symmetric", "/is_symmetric", "Keep one of them (fqc's canonical form uses mapping_type).",
    ],
    ['{"dtype": "int4", "group_size": 32, "mapping_type": "symmetric"}', "torchao/mapping-type-unsupported", "/mapping_type", 'Did you mean "SYMMETRIC"? Names are case-sensitive.'],
    ['{"dtype": "int4", "group_size": 32, "mapping_type": "bogus"}', "torchao/mapping-type-unsupported", "/mapping_type", "Use SYMMETRIC or ASYMMETRIC."],
    ['{"dtype": "int4", "group_size": 32, "mapping_type": 5}', "torchao/mapping-type-unsupported", "/mapping_type", "Use SYMMETRIC or ASYMMETRIC."],
    ['{"dtype": "Int4", "group_size": 32}', "torchao/dtype-unsupported", "/dtype", 'Did you mean "int4"?'],
    ['{"dtype": "torch.int4", "group_size": 32}', "torchao/dtype-unsupported", "/dtype", 'fqc writes dtypes without torch\'s "torch." prefix: write "int4".'],
    ['{"dtype": "torch.Int4", "group_size": 32}', "torchao/dtype-unsupported", "/dtype", 'Did you mean "int4"?'],
    ['{"dtype": "torch.int16", "group_size": 32}', "torchao/dtype-unsupported", "/dtype", "fqc spells them int1..int8, uint1..uint8."],
    // int3 is one edit from int32 but not the same name: the hint lists fqc's spellings instead of guessing.
    ['{"dtype": "int32", "group_size": 32}', "torchao/dtype-unsupported", "/dtype", "fqc spells them int1..int8, uint1..uint8."],
    ['{"dtype": 4, "group_size": 32}', "torchao/dtype-unsupported", "/dtype", "fqc spells them int1..int8, uint1..uint8."],
    [
      '{"dtype": "int4", "group_size": 32, "range_learning": true, "zero_point_precision": "float32"}',
      "torchao/dynamic-range-learning", "/range_learning", 'is_dynamic defaults to true: add "is_dynamic": false.',
    ],
    [
      '{"dtype": "int4", "group_size": 32, "range_learning": true, "is_dynamic": true, "zero_point_precision": "float32"}',
      "torchao/dynamic-range-learning", "/range_learning", 'Set "is_dynamic": false for range learning.',
    ],
  ])("%s", (text, ruleId, pointer, hint) => {
    expect(shown(ds(text)[0])).toMatchObject({ ruleId, pointer, hint });
  });

  it("shows a Python-style dtype as written, with no second torch. prefix", () => {
    for (const d of ["torch.int4", "torch.int16", "torch.half", "torch.floaty", "torch."]) {
      expect(only(`{"dtype": "${d}", "group_size": 32}`).message).toMatch(new RegExp(`^Unsupported dtype '${d.replace(".", "\\.")}', choose from \\[torch\\.int8, `));
    }
    expect(only('{"dtype": "int9", "group_size": 32}').message).toMatch(/^Unsupported dtype 'torch\.int9', /);
  });

  it("tells a Python-style precision to drop its torch. prefix, naming the dtype it stands for", () => {
    expect(only('{"dtype": "int4", "group_size": 32, "scale_precision": "torch.float32"}')).toEqual({
      ruleId: "fqc/enum", pointer: "/scale_precision",
      message: '`scale_precision` "torch.float32": fqc writes dtypes without torch\'s "torch." prefix', hint: 'Write "float32".',
    });
    // torch's aliases are named by the dtype they stand for.
    expect(only('{"dtype": "int4", "group_size": 32, "zero_point_precision": "torch.int"}')).toMatchObject({ pointer: "/zero_point_precision", hint: 'Write "int32".' });
    // Not a dtype after the prefix either: the usual finding and its guess.
    expect(only('{"dtype": "int4", "group_size": 32, "scale_precision": "torch.floaty"}').message).toBe('`scale_precision` "torch.floaty" is not a torch dtype; did you mean "float32"?');
  });

  it("names a missing dtype at the config, listing fqc's dtype names", () => {
    expect(only('{"group_size": 32}')).toEqual({
      ruleId: "fqc/missing-dtype", pointer: "", message: "missing required key `dtype`",
      hint: 'Add e.g. "dtype": "int4" (one of int1, int2, int3, int4, int5, int6, int7, int8, uint1, uint2, uint3, uint4, uint5, uint6, uint7, uint8).',
    });
  });

  it("words an unexpected keyword as Python's TypeError, adding a suggestion only when a valid key is close", () => {
    expect(only('{"dtype": "int4", "group_size": 32, "bogus_key": 1}')).toMatchObject({
      pointer: "/bogus_key", message: "FakeQuantizeConfig.__init__() got an unexpected keyword argument 'bogus_key'",
    });
    // A key's diagnostic spans the key, not its value.
    const d = ds('{"dtype": "int4", "group_size": 32, "bogus_key": 1}')[0];
    expect([d.line, d.column, d.endColumn]).toEqual([1, 37, 48]);
  });
});

describe("what torchao refuses is not read further", () => {
  it("a mapping torchao refuses feeds no forward rule (per_token with SYMMETRIC would be one)", () => {
    for (const text of [
      '{"dtype": "int8", "granularity": "per_token", "mapping_type": "SYMMETRIC", "is_symmetric": true}',
      '{"dtype": "int8", "granularity": "per_token", "mapping_type": "SYMMETRIC_NO_CLIPPING_ERR"}',
    ]) {
      expect(ds(text).map((d) => d.ruleId), text).toEqual([expect.stringMatching(/^torchao\/mapping-type-/)]);
    }
  });

  it("a group_size of the wrong JSON type is reported once, not again by the forward rules", () => {
    for (const text of [
      '{"dtype": "int4", "group_size": "32"}',
      '{"dtype": "int4", "granularity": "per_group", "group_size": "32"}',
      '{"dtype": "int4", "granularity": {"type": "PerGroup", "group_size": "32"}}',
    ]) {
      expect(ds(text).map((d) => d.ruleId), text).toEqual(["fqc/type"]);
    }
  });

  it("a null zero_point_domain is torchao's error alone, not also a type error", () => {
    expect(only('{"dtype": "int8", "granularity": "per_token", "is_symmetric": false, "zero_point_domain": null}').ruleId).toBe("torchao/zero-point-domain-null");
  });
});

describe("granularity objects that cannot be built", () => {
  it("reports only the object's own problem: no group_size conflict or type error for an object never built", () => {
    expect(only('{"dtype": "int4", "granularity": {"type": "Bogus"}, "group_size": 32}')).toMatchObject({ ruleId: "fqc/granularity-object", pointer: "/granularity/type" });
    expect(only('{"dtype": "int4", "granularity": {"type": "PerGroup"}, "group_size": 32}')).toEqual({
      ruleId: "fqc/granularity-object", pointer: "/granularity", message: "a PerGroup granularity needs `group_size`",
      hint: 'Use {"type": "PerToken"}, {"type": "PerAxis", "axis": 0} or {"type": "PerGroup", "group_size": 32}.',
    });
    expect(only('{"dtype": "int4", "granularity": {"type": "PerToken", "axis": 0}, "group_size": 32}')).toMatchObject({ ruleId: "fqc/granularity-object", pointer: "/granularity/axis" });
    // A field another class takes is an unknown key here, not also a type error of that class's field.
    expect(only('{"dtype": "int4", "granularity": {"type": "PerToken", "group_size": "32"}}')).toMatchObject({ ruleId: "fqc/granularity-object", pointer: "/granularity/group_size" });
    expect(only('{"dtype": "int4", "granularity": {"type": "PerToken", "axis": false}}')).toMatchObject({ ruleId: "fqc/granularity-object", pointer: "/granularity/axis" });
  });

  it("prints a type that is not a string as JSON, with no suggestion", () => {
    expect(only('{"dtype": "int4", "granularity": {"type": 5}}')).toMatchObject({ ruleId: "fqc/granularity-object", message: "unknown granularity type 5" });
    expect(only('{"dtype": "int4", "granularity": {"type": null}}')).toMatchObject({ message: "unknown granularity type null" });
  });

  it("names an unknown field at its key, with the fields the class takes", () => {
    const text = '{"dtype": "int4", "granularity": {"type": "PerGroup", "group_size": 32, "gruop_size": 1}}';
    expect(only(text)).toEqual({
      ruleId: "fqc/granularity-object", pointer: "/granularity/gruop_size",
      message: "unknown key `gruop_size` in a PerGroup granularity; did you mean `group_size`?", hint: "PerGroup takes `group_size`.",
    });
    const d = ds(text)[0];
    expect([d.column, d.endColumn]).toEqual([73, 85]);
    expect(only('{"dtype": "int4", "granularity": {"type": "PerToken", "axis": 0}}')).toMatchObject({
      message: "unknown key `axis` in a PerToken granularity", hint: "PerToken takes no fields.",
    });
  });

  it("takes PerAxis(axis=False) as torchao does (False == 0) and reports only the JSON type", () => {
    expect(only('{"dtype": "int8", "granularity": {"type": "PerAxis", "axis": false}}')).toEqual({
      ruleId: "fqc/type", pointer: "/granularity/axis", message: "`axis` must be the integer 0, not false", hint: undefined,
    });
  });

  it("requires a PerGroup object's group_size to be an integer", () => {
    expect(only('{"dtype": "int4", "granularity": {"type": "PerGroup", "group_size": "32"}}')).toEqual({
      ruleId: "fqc/type", pointer: "/granularity/group_size", message: '`group_size` must be an integer, not "32"', hint: undefined,
    });
  });
});

describe("fqc's type checks of the fields torchao stores without looking", () => {
  it("turns YAML 1.1 booleans written as strings into the fix, for boolean fields only", () => {
    const hint = (field: string, value: string) =>
      ds(`{"dtype": "int4", "group_size": 32, "${field}": ${JSON.stringify(value)}}`).find((d) => d.ruleId === "fqc/type" || d.ruleId === "fqc/enum")!.hint;
    expect(hint("is_dynamic", "yes")).toBe("Write true without quotes (lower case).");
    expect(hint("range_learning", "ON")).toBe("Write true without quotes (lower case).");
    expect(hint("is_dynamic", "off")).toBe("Write false without quotes (lower case).");
    expect(hint("is_dynamic", "N")).toBe("Write false without quotes (lower case).");
    // A word that only contains one is no boolean; nor is a boolean word in a field that wants no boolean.
    for (const v of ["maybe", "xyes", "yesx", "noon"]) expect(hint("is_dynamic", v), v).toBeUndefined();
    expect(hint("zero_point_domain", "yes")).toBeUndefined();
    expect(hint("eps", "no")).toBeUndefined();
    // Nor is a list holding one.
    expect(only('{"dtype": "int4", "group_size": 32, "is_dynamic": [true]}')).toEqual({
      ruleId: "fqc/type", pointer: "/is_dynamic", message: "`is_dynamic` must be true or false, not [true]", hint: undefined,
    });
  });

  it("words each field's expected type", () => {
    const one = (field: string, value: string) => only(`{"dtype": "int4", "group_size": 32, "${field}": ${value}}`);
    expect(one("is_dynamic", '"maybe"')).toEqual({ ruleId: "fqc/type", pointer: "/is_dynamic", message: '`is_dynamic` must be true or false, not "maybe"', hint: undefined });
    expect(one("eps", '"x"')).toEqual({ ruleId: "fqc/type", pointer: "/eps", message: '`eps` must be a number or null, not "x"', hint: undefined });
    expect(one("eps", "[1]")).toMatchObject({ message: "`eps` must be a number or null, not [1]" });
    expect(one("zero_point_domain", "5")).toEqual({ ruleId: "fqc/type", pointer: "/zero_point_domain", message: "`zero_point_domain` must be one of INT, FLOAT, NONE, not 5", hint: undefined });
    expect(one("is_symmetric", "[1]")).toEqual({ ruleId: "fqc/type", pointer: "/is_symmetric", message: "`is_symmetric` must be true, false or null, not [1]", hint: undefined });
    expect(one("scale_precision", "5")).toEqual({ ruleId: "fqc/type", pointer: "/scale_precision", message: '`scale_precision` must be a dtype name such as "float32", or null, not 5', hint: undefined });
    // Only scales have a meaning for null: a zero point's precision is never "or null", and its null gets the why.
    expect(one("zero_point_precision", "5")).toEqual({ ruleId: "fqc/type", pointer: "/zero_point_precision", message: '`zero_point_precision` must be a dtype name such as "int32", not 5', hint: undefined });
  });

  it("gives NaN and infinities the fix for their field", () => {
    expect(only('{"dtype": "int4", "group_size": 32, "eps": 1e400}').hint).toBe("Use a small positive eps such as 1e-6, or null for torchao's default.");
    expect(only('{"dtype": "int4", "group_size": 32, "is_symmetric": 1e400}').hint).toBe("Write true or false.");
  });

  it("suggests a precision's torch dtype name only when one is close, and lists the standard's", () => {
    expect(only('{"dtype": "int4", "group_size": 32, "scale_precision": "flaot32"}')).toEqual({
      ruleId: "fqc/enum", pointer: "/scale_precision", message: '`scale_precision` "flaot32" is not a torch dtype; did you mean "float32"?',
      hint: "Use one of float32, float16, bfloat16, float64.",
    });
    expect(only('{"dtype": "int4", "group_size": 32, "zero_point_precision": "qqqqqqqq"}')).toMatchObject({
      message: '`zero_point_precision` "qqqqqqqq" is not a torch dtype', hint: expect.stringMatching(/^Use one of int32, /),
    });
  });

  it("suggests a zero_point_domain only when one is close", () => {
    expect(only('{"dtype": "int4", "group_size": 32, "zero_point_domain": "none"}').message).toBe('`zero_point_domain` must be one of INT, FLOAT, NONE, not "none"; did you mean "NONE"?');
    expect(only('{"dtype": "int4", "group_size": 32, "zero_point_domain": "qqqqqqqq"}').message).toBe('`zero_point_domain` must be one of INT, FLOAT, NONE, not "qqqqqqqq"');
  });
});
