import { describe, expect, it } from "vitest";
import { validate } from "../../src/config/validate.js";
import { normalize, normalizeDocument } from "../../src/config/normalize.js";
import type { Diagnostic } from "../../src/diagnostics/types.js";

const pick = (d: Diagnostic) => ({ ruleId: d.ruleId, line: d.line, column: d.column, endLine: d.endLine, endColumn: d.endColumn });
const byRule = (ds: Diagnostic[], id: string) => ds.find((d) => d.ruleId === id);

describe("syntax errors", () => {
  it("reports an unknown YAML key that is a collection at the key's line:col, not at the map", () => {
    const block = validate("dtype: int4\ngroup_size: 32\n? [a, b]\n: 1\n", { filename: "c.yaml" }).diagnostics;
    expect(block.map((d) => [d.ruleId, d.line, d.column, d.endColumn])).toEqual([["fqc/unknown-key", 3, 3, 9]]);
    const flow = validate("{dtype: int4, group_size: 32, {[a]: 1}: 2}\n", { filename: "c.yaml" }).diagnostics;
    expect(flow.map((d) => [d.ruleId, d.line, d.column, d.endColumn])).toEqual([["fqc/unknown-key", 1, 31, 39]]);
  });

  it("reports a JSON syntax error once, at its exact line and column", () => {
    const r = validate('{\n  "dtype": "int4"\n  "group_size": 32\n}', { filename: "w.json" });
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ ruleId: "fqc/syntax", severity: "error", file: "w.json", pointer: "", line: 3, column: 3 });
    expect(r.document).toBeUndefined();
  });

  it("names a trailing comma (JSONC) as such, at the comma, with the fix", () => {
    const r = validate('{\n  "dtype": "int4",\n  "group_size": 32,\n}', { filename: "w.json" });
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({
      ruleId: "fqc/syntax", line: 3, column: 19, endLine: 3, endColumn: 20,
      message: "JSON syntax error: a trailing comma before `}`; JSON allows no comma after the last member",
      hint: "Remove the comma (fqc reads strict JSON, as Python's json module does).",
    });
    const arr = validate('{"dtype": "int4", "granularity": ["PerGroup",\r\n\t]}').diagnostics[0];
    expect(pick(arr)).toEqual({ ruleId: "fqc/syntax", line: 1, column: 45, endLine: 1, endColumn: 46 });
    expect(arr.message).toContain("trailing comma before `]`");
    // A comma with no element before it is not a trailing comma: the parser's own words.
    for (const text of ["[,]", "[1,,]", '{"a":,}', "{,}"]) expect(validate(text).diagnostics[0].message, text).not.toContain("trailing comma");
  });

  it("names a // or /* */ comment (JSONC, as VS Code allows in some .json files) as one, with the fix", () => {
    const line = validate('{\n  // int4 weights\n  "dtype": "int4", "group_size": 32\n}', { filename: "w.json" }).diagnostics;
    expect(line).toHaveLength(1);
    expect(line[0]).toMatchObject({
      ruleId: "fqc/syntax", line: 2, column: 3, endLine: 2, endColumn: 5,
      message: "JSON syntax error: a // comment; JSON has no comments",
      hint: "Remove it (fqc reads strict JSON, as Python's json module does), or write the file as YAML, where # starts a comment.",
    });
    const block = validate('{"dtype": "int4", /* w */ "group_size": 32}').diagnostics[0];
    expect(block).toMatchObject({ line: 1, column: 19, message: "JSON syntax error: a /* */ comment; JSON has no comments" });
    // A slash that starts no comment is some other error.
    expect(validate('{"dtype": /int4/}').diagnostics[0].message).toBe("JSON syntax error: Unexpected character '/' found.");
  });

  it("locates a bad token in the middle of a line", () => {
    const d = validate('{"dtype": "int4",\n "group_size": 3 2}').diagnostics[0];
    expect(pick(d)).toEqual({ ruleId: "fqc/syntax", line: 2, column: 18, endLine: 2, endColumn: 19 });
  });

  it("calls an empty JSON file empty (exit-2 syntax error), and says an empty or comments-only YAML file is the document null", () => {
    for (const text of ["", "\n", "  \r\n\t\n"]) {
      const [d, ...more] = validate(text, { filename: "e.fqc.json" }).diagnostics;
      expect(more, JSON.stringify(text)).toEqual([]);
      expect(d, JSON.stringify(text)).toMatchObject({ ruleId: "fqc/syntax", message: "JSON syntax error: the file is empty", hint: 'A config file holds a JSON object, e.g. {"dtype": "int4", "group_size": 32}.' });
    }
    for (const text of ["", "# yaml-language-server: $schema=./fqc.schema.json\n"]) {
      const d = validate(text, { filename: "e.fqc.yaml" }).diagnostics;
      expect(d.map((x) => [x.ruleId, x.message, x.hint]), JSON.stringify(text)).toEqual([[
        "fqc/document", "a config file must hold a JSON object, not null",
        'Write e.g. {"dtype": "int4", "group_size": 32} (a YAML file that is empty or holds only comments is null).',
      ]]);
    }
    expect(validate("[1]", { filename: "a.fqc.json" }).diagnostics[0].hint).toBe('Write e.g. {"dtype": "int4", "group_size": 32}.');
  });

  it("puts an unexpected end of input at the end of the text", () => {
    const d = validate('{\n  "dtype": "int4",').diagnostics[0];
    expect(d).toMatchObject({ ruleId: "fqc/syntax", line: 2, column: 18 });
  });

  it("tells a YAML file with lone-CR line breaks so, at the line an editor shows, instead of the yaml package's error at 1:8", () => {
    const ds = validate("dtype: int4\rgroup_size: 48\rgranularity: per_channel\r", { filename: "mac.yaml" }).diagnostics;
    expect(ds.map(pick)).toEqual([{ ruleId: "fqc/syntax", line: 1, column: 12, endLine: 1, endColumn: 13 }]);
    expect(ds[0].message).toContain("this line ends with a lone carriage return (CR)");
    expect(ds[0].hint).toContain("LF");
    // CR LF is a line break.
    expect(validate("dtype: int4\r\ngroup_size: 32\r\n", { filename: "w.yaml" }).diagnostics).toEqual([]);
  });

  it("reports YAML syntax errors with their line (duplicate key, unclosed flow sequence)", () => {
    const dup = validate("dtype: int4\ngroup_size: 32\ndtype: int8\n", { filename: "c.yaml" }).diagnostics;
    expect(dup).toHaveLength(1);
    expect(dup[0]).toMatchObject({ ruleId: "fqc/syntax", line: 3, column: 1 });
    expect(dup[0].message).toMatch(/unique/);
    const flow = validate("dtype: int4\ngranularity: [per_token\n", { format: "yaml" }).diagnostics;
    expect(flow[0]).toMatchObject({ ruleId: "fqc/syntax", line: 3 });
  });
});

describe("positions", () => {
  const text = ['{', '  "dtype": "int4",', '  "symmetric": true,', '  "granularity": {', '    "type": "PerGroup",', '    "group_size": 1', '  }', '}'].join("\n");
  const ds = validate(text, { filename: "p.json" }).diagnostics;

  it("points an unknown key at the key itself and suggests the closest valid key", () => {
    const d = byRule(ds, "fqc/unknown-key")!;
    expect(d.message).toBe("FakeQuantizeConfig.__init__() got an unexpected keyword argument 'symmetric'; did you mean `is_symmetric`?");
    expect(pick(d)).toEqual({ ruleId: "fqc/unknown-key", line: 3, column: 3, endLine: 3, endColumn: 14 });
    expect(d.pointer).toBe("/symmetric");
  });

  it("points a wrong value at the value, end = end of the value", () => {
    const d = byRule(ds, "forward/group-size")!;
    expect(pick(d)).toEqual({ ruleId: "forward/group-size", line: 6, column: 19, endLine: 6, endColumn: 20 });
    expect(d.pointer).toBe("/granularity/group_size");
  });

  it("spans a multi-line object value", () => {
    const d = validate('{\n  "dtype": "int4",\n  "granularity": {\n    "type": "PerRow"\n  }\n}').diagnostics[0];
    expect(pick(d)).toEqual({ ruleId: "torchao/granularity-unsupported", line: 3, column: 18, endLine: 5, endColumn: 4 });
  });

  it("gives YAML positions by line and column", () => {
    const y = ["# an fqc config", "dtype: int4", "granularity: per_token", "group_size: 32", "zero_point_domain: null", "is_symmetric: false", ""].join("\n");
    const r = validate(y, { filename: "c.yml" }).diagnostics;
    expect(r[0]).toMatchObject({ ruleId: "torchao/zero-point-domain-null", pointer: "/zero_point_domain", line: 5, column: 20, endLine: 5, endColumn: 24 });
    expect(byRule(r, "torchao/group-size-conflict")).toMatchObject({ line: 4, column: 13, endColumn: 15 });
    const k = validate("dtype: int4\ngroup_size: 32\ngroupsize: 32\n", { filename: "c.yaml" }).diagnostics[0];
    expect(k).toMatchObject({ ruleId: "fqc/unknown-key", line: 3, column: 1, endColumn: 10 });
    expect(k.message).toContain("did you mean `group_size`?");
  });

  it("reports a missing key on the object that lacks it", () => {
    const d = validate('{\n  "group_size": 32\n}').diagnostics[0];
    expect(pick(d)).toEqual({ ruleId: "fqc/missing-dtype", line: 1, column: 1, endLine: 3, endColumn: 2 });
  });

  it("puts every diagnostic at 1:1 for an already-parsed value", () => {
    const r = validate({ dtype: "int4", group_size: 1, symmetric: true }, { filename: "obj" });
    expect(r.diagnostics.length).toBeGreaterThan(1);
    for (const d of r.diagnostics) expect(pick(d)).toMatchObject({ line: 1, column: 1, endLine: 1, endColumn: 1 });
    expect(r.diagnostics[0].file).toBe("obj");
  });
});

describe("ordering and completeness", () => {
  it("keeps torchao's first error first, then sorts the rest by position", () => {
    const text = '{\n  "range_learning": true,\n  "group_size": 32,\n  "dtype": "int16",\n  "eps": 0\n}';
    const ds = validate(text).diagnostics;
    expect(ds[0].ruleId).toBe("torchao/dtype-unsupported");
    expect(ds.slice(1).map((d) => d.ruleId)).toEqual(["torchao/dynamic-range-learning", "forward/range-learning-integer-zero-point", "lint/eps"]);
    const lines = ds.slice(1).map((d) => d.line);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });

  it("reports further independent problems after torchao's first one", () => {
    const ds = validate('{"dtype": "float32", "granularity": "per_tensor", "mapping_type": "symmetric", "is_dynamic": "yes"}').diagnostics;
    expect(ds[0].message).toBe("Unexpected granularity: 'per_tensor', must be one of ['per_token', 'per_channel', 'per_group']");
    expect(ds.map((d) => d.ruleId)).toEqual(expect.arrayContaining(["torchao/mapping-type-unsupported", "torchao/dtype-unsupported", "fqc/type"]));
  });

  it("leads with Python's TypeError for an unexpected keyword, as the call raises it before torchao's checks", () => {
    const ds = validate('{\n  "dtype": "int16",\n  "group_sise": 32\n}').diagnostics;
    expect(ds.map((d) => d.ruleId)).toEqual(["fqc/unknown-key", "torchao/granularity-missing", "torchao/dtype-unsupported"]);
    expect(ds[0].message).toBe("FakeQuantizeConfig.__init__() got an unexpected keyword argument 'group_sise'; did you mean `group_size`?");
    expect(() => normalize('{"dtype": "int16", "group_sise": 32}')).toThrow(/^FakeQuantizeConfig.__init__\(\) got an unexpected keyword argument 'group_sise'/);
  });

  it("leads with the argument errors Python raises before the constructor body: the granularity object, then the missing dtype", () => {
    // FakeQuantizeConfig(granularity="per_token", group_size=32): TypeError for the missing dtype before any ValueError.
    const missing = validate('{"granularity": "per_token", "group_size": 32}').diagnostics;
    expect(missing.map((d) => d.ruleId)).toEqual(["fqc/missing-dtype", "torchao/group-size-conflict"]);
    expect(() => normalize('{"granularity": "per_token", "group_size": 32}')).toThrow("missing required key `dtype`");
    // PerAxis() is built (and raises) before the call: before an unexpected keyword and torchao's ValueErrors.
    const gObj = validate('{"dtype": "int16", "granularity": {"type": "PerAxis"}, "group_sise": 32, "group_size": 32}').diagnostics;
    expect(gObj[0]).toMatchObject({ ruleId: "fqc/granularity-object", message: "a PerAxis granularity needs `axis`" });
    expect(gObj.map((d) => d.ruleId)).toContain("fqc/unknown-key");
    expect(gObj.map((d) => d.ruleId)).toContain("torchao/dtype-unsupported");
  });

  it("sorts purely by position when the first problem is fqc's own type check", () => {
    const ds = validate('{"dtype": "int4", "group_size": 32, "is_symmetric": "yes", "zero_point_domain": "int"}').diagnostics;
    expect(ds.map((d) => d.ruleId)).toEqual(["fqc/type", "fqc/enum"]);
    expect(ds[1].message).toContain('did you mean "INT"?');
  });

  it("returns no diagnostics and the canonical document for a clean file", () => {
    const r = validate('{"dtype": "int8", "granularity": "per_token", "mapping_type": "ASYMMETRIC"}');
    expect(r.diagnostics).toEqual([]);
    expect(r.document).toMatchObject({ kind: "single", config: { granularity: { type: "PerToken" }, mapping_type: "ASYMMETRIC" } });
  });

  it("returns the document for a config that constructs but fails at forward, with the forward error", () => {
    const r = validate('{"dtype": "int8", "granularity": "per_token"}');
    expect(r.diagnostics.map((d) => [d.ruleId, d.severity])).toEqual([["forward/symmetric-per-token", "error"]]);
    expect(r.document?.kind).toBe("single");
  });
});

describe("torchao's Python formatting in messages", () => {
  const first = (text: string) => validate(text).diagnostics[0].message;
  it("prints a float literal granularity as a Python float", () => {
    expect(first('{"dtype": "int4", "granularity": 32.0}')).toBe("Granularity '32.0' has unexpected type <class 'float'>");
    expect(first('{"dtype": "int4", "granularity": 32}')).toBe("Granularity '32' has unexpected type <class 'int'>");
    expect(first('{"dtype": "int4", "granularity": 1e-6}')).toBe("Granularity '1e-06' has unexpected type <class 'float'>");
    expect(first('{"dtype": "int4", "granularity": 1E16}')).toBe("Granularity '1e+16' has unexpected type <class 'float'>");
  });
  it("knows YAML float literals too", () => {
    expect(validate("dtype: int4\ngranularity: 32.0\n", { filename: "x.yaml" }).diagnostics[0].message).toBe("Granularity '32.0' has unexpected type <class 'float'>");
    expect(validate("dtype: int4\ngranularity: [per_token, 2]\n", { filename: "x.yaml" }).diagnostics[0].message).toBe("Granularity '['per_token', 2]' has unexpected type <class 'list'>");
  });
  it("prints booleans, None and raw mapping types as Python does", () => {
    expect(first('{"dtype": "int4", "granularity": false}')).toBe("Granularity 'False' has unexpected type <class 'bool'>");
    expect(first('{"dtype": null, "group_size": 32}')).toMatch(/^Unsupported dtype 'None', choose from \[torch\.int8, /);
    expect(first('{"dtype": "int4", "group_size": 32, "mapping_type": 1.0}')).toBe("MappingType '1.0' is not supported");
    expect(first('{"dtype": "int4", "group_size": 32, "mapping_type": ["SYMMETRIC"]}')).toBe("MappingType '['SYMMETRIC']' is not supported");
    expect(first('{"dtype": "int4", "granularity": {"type": "PerGroup", "group_size": 32.0}, "group_size": 32}')).toBe(
      "`group_size` conflicts with granularity 'PerGroup(group_size=32.0)'",
    );
  });
});

describe("granularity objects", () => {
  const ds = (text: string) => validate(text).diagnostics;
  it("prints PerRow as the chosen torchao version does: PerRow() in v0.12, the dataclass PerRow(dim=-1) from v0.13", () => {
    for (const [torchao, repr] of [["0.12", "PerRow()"], ["0.18", "PerRow(dim=-1)"]] as const) {
      const ds = validate('{"dtype": "int8", "granularity": {"type": "PerRow"}, "group_size": 32}', { torchao }).diagnostics;
      expect(ds.map((d) => d.message)).toEqual([`\`group_size\` conflicts with granularity '${repr}'`, `Granularity '${repr}' is not supported`]);
    }
    expect(() => normalize('{"dtype": "int8", "granularity": {"type": "PerRow"}}')).toThrow(/^Granularity 'PerRow\(\)' is not supported$/);
  });

  it("rejects an unknown granularity type and suggests the supported one", () => {
    const d = ds('{"dtype": "int4", "granularity": {"type": "PerChannel"}}')[0];
    expect(d).toMatchObject({ ruleId: "fqc/granularity-object", pointer: "/granularity/type" });
    expect(d.message).toBe('unknown granularity type "PerChannel"; did you mean "PerAxis"?');
    expect(ds('{"dtype": "int4", "granularity": {"type": "PerGroups", "group_size": 32}}')[0].message).toContain('did you mean "PerGroup"?');
  });
  it("rejects objects without a type, with missing fields and with unknown fields", () => {
    // Without a `type` the object names no class: torchao receives a dict, a wrong type, and says so in its own words.
    expect(ds('{"dtype": "int4", "granularity": {"group_size": 32.0}}')[0]).toMatchObject({
      ruleId: "torchao/granularity-type", message: "Granularity '{'group_size': 32.0}' has unexpected type <class 'dict'>",
    });
    expect(ds('{"dtype": "int4", "granularity": {}, "group_size": 32}')[0]).toMatchObject({ ruleId: "torchao/group-size-conflict", message: "`group_size` conflicts with granularity '{}'" });
    expect(ds('{"dtype": "int4", "granularity": {"type": "PerGroup"}}')[0].message).toBe("a PerGroup granularity needs `group_size`");
    const extra = ds('{"dtype": "int4", "granularity": {"type": "PerAxis", "axis": 0, "dim": 0}}')[0];
    expect(extra).toMatchObject({ ruleId: "fqc/granularity-object", pointer: "/granularity/dim" });
  });
  it("accepts axis 0 written as 0.0 (Python equality) and rejects the string '0'", () => {
    expect(ds('{"dtype": "int8", "granularity": {"type": "PerAxis", "axis": 0.0}}')).toEqual([]);
    expect(ds('{"dtype": "int8", "granularity": {"type": "PerAxis", "axis": "0"}}')[0].message).toBe("Only axis=0 is supported for PerAxis granularity");
  });
});

describe("shorthand of the wrong JSON type", () => {
  const ds = (v: unknown) => validate(v).diagnostics;
  it("requires group_size to be an integer greater than 1", () => {
    expect(ds({ dtype: "int4", group_size: "32" })[0]).toMatchObject({ ruleId: "fqc/type", pointer: "/group_size", message: '`group_size` must be an integer or null, not "32"' });
    expect(ds({ dtype: "int4", group_size: 2.5 })[0]).toMatchObject({ ruleId: "forward/group-size", message: "`group_size` must be an integer, got 2.5" });
    expect(ds({ dtype: "int4", group_size: 0 })[0]).toMatchObject({ ruleId: "forward/group-size", severity: "error" });
    // Python's bool is an int: torchao stores group_size=True (normalize keeps it) and fails at forward.
    expect(ds({ dtype: "int4", group_size: true })[0]).toMatchObject({ ruleId: "forward/group-size", severity: "error" });
    expect(ds({ dtype: "int4", group_size: true })[0].message).toContain("Python's True == 1");
    expect(normalize({ dtype: "int4", group_size: true }).granularity).toEqual({ type: "PerGroup", group_size: true });
    expect(ds({ dtype: "int4", granularity: { type: "PerGroup", group_size: true }, group_size: 32 })[0].message).toBe(
      "`group_size` conflicts with granularity 'PerGroup(group_size=True)'",
    );
  });
  it("refuses a group_size past 2^53, which cannot be read exactly and which no tensor's last dimension reaches", () => {
    for (const [text, filename, literal] of [
      ['{"dtype": "int4", "group_size": 1152921504606846977}', "c.json", "1152921504606846977"],
      ['{"dtype": "int4", "granularity": {"type": "PerGroup", "group_size": 9007199254740992}}', "c.json", "9007199254740992"],
      ["dtype: int4\ngroup_size: 1152921504606846977\n", "c.yaml", "1152921504606846977"],
    ]) {
      const [d, ...rest] = validate(text, { filename }).diagnostics;
      expect(rest).toEqual([]);
      expect(d).toMatchObject({ ruleId: "forward/group-size", severity: "error" });
      expect(d.message).toBe(`\`group_size\` must be at most 9007199254740991, got ${literal}: no tensor's last dimension is that long, so torchao fails at every forward`);
    }
    expect(validate('{"dtype": "int4", "group_size": 9007199254740991}', { filename: "c.json" }).diagnostics).toEqual([]);
  });
  it("refuses a group_size written as a float (32.0, 3.2e1): a Python float, which torchao's first forward cannot use as a size", () => {
    for (const [text, filename, literal] of [
      ['{"dtype": "int4", "group_size": 32.0}', "c.json", "32.0"],
      ['{"dtype": "int4", "granularity": {"type": "PerGroup", "group_size": 3.2e1}}', "c.json", "3.2e1"],
      ["dtype: int4\ngroup_size: 32.0\n", "c.yaml", "32.0"],
    ]) {
      const [d, ...rest] = validate(text, { filename }).diagnostics;
      expect(rest).toEqual([]);
      expect(d).toMatchObject({ ruleId: "forward/group-size", severity: "error", message: `\`group_size\` must be an integer, got ${literal}` });
      expect(d.hint).toContain("Write 32");
    }
    // A parsed value cannot tell 32.0 from 32.
    expect(ds({ dtype: "int4", group_size: 32.0 })).toEqual([]);
  });
  it("reads a numeric is_symmetric by truthiness like torchao, with a warning; a string is an error", () => {
    const zero = validate({ dtype: "int8", granularity: "per_token", is_symmetric: 0 });
    expect(zero.diagnostics.map((d) => [d.ruleId, d.severity])).toEqual([["lint/is-symmetric-number", "warning"]]);
    expect(zero.diagnostics[0].message).toContain("ASYMMETRIC");
    expect(normalize({ dtype: "int4", group_size: 32, is_symmetric: 0 }).mapping_type).toBe("ASYMMETRIC");
    expect(normalize({ dtype: "int4", group_size: 32, is_symmetric: 2 }).mapping_type).toBe("SYMMETRIC");
    const str = ds({ dtype: "int4", group_size: 32, is_symmetric: "false" })[0];
    expect(str).toMatchObject({ ruleId: "fqc/type", pointer: "/is_symmetric" });
    expect(str.hint).toContain('"false" included');
    expect(() => normalize({ dtype: "int4", group_size: 32, is_symmetric: "false" })).toThrow(/is_symmetric/);
  });
});

describe("pair files and $schema", () => {
  it("validates both members and points into them", () => {
    const text = '{\n  "activation": {"dtype": "int8", "granularity": "per_token", "is_symmetric": false},\n  "weight": {"dtype": "int4", "group_size": 32, "symmetric": true}\n}';
    const r = validate(text, { filename: "qat.json" });
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ ruleId: "fqc/unknown-key", pointer: "/weight/symmetric", line: 3, column: 49, endColumn: 60 });
    expect(r.document).toBeUndefined();
  });
  it("returns a pair document with absent or null sides left out", () => {
    const r = validate({ activation: null, weight: { dtype: "int4", group_size: 32 } });
    expect(r.diagnostics).toEqual([]);
    expect(r.document).toEqual({ kind: "pair", pair: { weight: expect.objectContaining({ dtype: "int4" }) } });
  });
  it("rejects an empty pair, non-object members and unknown pair keys", () => {
    expect(validate({ activation: null }).diagnostics).toEqual([expect.objectContaining({ ruleId: "fqc/document" })]); // and no schema error contradicting the null
    expect(validate('{"activation": null, "weight": null}').diagnostics.map((d) => d.ruleId)).toEqual(["fqc/document"]);
    expect(validate({ weight: "int4" }).diagnostics[0]).toMatchObject({ ruleId: "fqc/type", pointer: "/weight" });
    const d = validate({ weight: { dtype: "int4", group_size: 32 }, activations: {} }).diagnostics[0];
    expect(d).toMatchObject({ ruleId: "fqc/unknown-key", pointer: "/activations" });
    expect(d.message).toContain("did you mean `activation`?");
  });
  it("reports the first member's torchao error first", () => {
    const ds = validate({ activation: { dtype: "int8", granularity: "per-token" }, weight: { dtype: "int16", group_size: 32 } }).diagnostics;
    expect(ds[0].message).toBe("Unexpected granularity: 'per-token', must be one of ['per_token', 'per_channel', 'per_group']");
    expect(ds.some((d) => d.pointer === "/weight/dtype")).toBe(true);
  });
  it("leads with the activation's torchao error over an argument error of the weight, which Python never reaches", () => {
    const ds = validate({ activation: { dtype: "int8", granularity: "per-token" }, weight: { dtype: "int4", group_size: 32, group_sise: 32 } }).diagnostics;
    expect(ds[0]).toMatchObject({ ruleId: "torchao/granularity-unknown-string", pointer: "/activation/granularity" });
    expect(ds.some((d) => d.ruleId === "fqc/unknown-key" && d.pointer === "/weight/group_sise")).toBe(true);
    expect(() => normalizeDocument({ weight: { dtype: "int4", group_sise: 32 }, activation: { dtype: "int16", granularity: "per_token" } }))
      .toThrow(/^Unsupported dtype 'torch.int16'/);
  });

  it("allows a top-level $schema string in single and pair files, and nothing else at that key", () => {
    expect(validate('{"$schema": "https://fqc.dev/schema/v1/fqc.schema.json", "dtype": "int4", "group_size": 32}').diagnostics).toEqual([]);
    expect(validate({ $schema: "x", weight: { dtype: "int4", group_size: 32 } }).diagnostics).toEqual([]);
    expect(validate({ $schema: 1, dtype: "int4", group_size: 32 }).diagnostics[0]).toMatchObject({ ruleId: "fqc/type", pointer: "/$schema" });
    expect(validate({ weight: { $schema: "x", dtype: "int4", group_size: 32 } }).diagnostics[0]).toMatchObject({ ruleId: "fqc/unknown-key", pointer: "/weight/$schema" });
  });
  it("rejects a document that is not an object", () => {
    for (const t of ["[]", "42", '"int4"', "null"]) expect(validate(t).diagnostics[0].ruleId).toBe("fqc/document");
    expect(validate("", { filename: "e.yaml" }).diagnostics[0].ruleId).toBe("fqc/document");
  });
});

