/** Config text that tries to break the linter: each gets one located diagnostic, never a crash. */
import { afterAll, describe, expect, it } from "vitest";
import { validate } from "../../src/config/validate.js";
import { runFqc, tempDir } from "../helpers/cli.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const only = (text: string, filename = "c.json") => {
  const { diagnostics } = validate(text, { filename });
  expect(diagnostics.length, JSON.stringify(diagnostics)).toBeGreaterThanOrEqual(1);
  return diagnostics[0];
};

describe("hostile config text", () => {
  it("200,000 levels of JSON nesting: a syntax diagnostic, no stack overflow", () => {
    const d = only("[".repeat(200_000) + "]".repeat(200_000));
    expect(d).toMatchObject({ ruleId: "fqc/syntax", line: 1, column: 101 });
    expect(d.message).toContain("nested deeper than 100");
  });

  it("YAML nested deeper than 100 levels is a syntax error at the collection one level too deep, as in JSON", () => {
    const json = only(`{"x": ${"[".repeat(100)}${"]".repeat(100)}}`);
    const flow = only(`x: ${"[".repeat(100)}${"]".repeat(100)}\n`, "c.yaml");
    expect(flow).toMatchObject({ ruleId: "fqc/syntax", line: 1, column: 103, message: "YAML nested deeper than 100 levels (a config file is at most 3 levels deep)" });
    expect(json.message).toBe("JSON nested deeper than 100 levels (a config file is at most 3 levels deep)");
    // Block collections count alike: the map on line 101 is level 101.
    const block = Array.from({ length: 101 }, (_, i) => `${" ".repeat(i)}a:`).join("\n") + " 1\n";
    expect(only(block, "c.yaml")).toMatchObject({ ruleId: "fqc/syntax", line: 101, column: 101 });
    expect(validate(`x: ${"[".repeat(99)}${"]".repeat(99)}\n`, { filename: "c.yaml" }).diagnostics.map((d) => d.ruleId)).not.toContain("fqc/syntax");
  });

  it("YAML nested deep enough to exhaust the YAML parser's stack gets the nesting message, not the stack overflow's", () => {
    for (const text of [`x: ${"[".repeat(5000)}${"]".repeat(5000)}\n`, `x: ${"{a: ".repeat(5000)}1${"}".repeat(5000)}\n`, `${"- ".repeat(5000)}1\n`]) {
      const d = only(text, "c.yaml");
      expect(d.ruleId).toBe("fqc/syntax");
      expect(d.message).toContain("nested deeper than 100 levels");
    }
    // A large file: the entry goes to the package alone, with the same check.
    const big = `dtype: int4\ngroup_size: 32\n${Array.from({ length: 9000 }, (_, i) => `k${i}: ${i}`).join("\n")}\nx: ${"[".repeat(3000)}${"]".repeat(3000)}\n`;
    expect(big.length).toBeGreaterThan(64 * 1024);
    expect(only(big, "c.yaml")).toMatchObject({ ruleId: "fqc/syntax", line: 9003, column: 103, message: expect.stringContaining("nested deeper than 100 levels") });
  });

  it("a YAML tag the core schema does not resolve (!!python/object, a local tag) is a syntax error at the tag, not a string that passes", () => {
    expect(only("dtype: !!python/object:os.system int4\ngroup_size: 32\n", "c.yaml")).toMatchObject({
      ruleId: "fqc/syntax", line: 1, column: 8, endLine: 1, endColumn: 33, message: expect.stringContaining("the tag !!python/object:os.system does not resolve"),
    });
    expect(only("dtype: int4\ngroup_size: !local 32\n", "c.yaml")).toMatchObject({ ruleId: "fqc/syntax", line: 2, column: 13 });
    // The large-file reader hands tagged entries to the yaml package, with the same check.
    const big = `dtype: int4\ngroup_size: 32\n${Array.from({ length: 9000 }, (_, i) => `k${i}: ${i}`).join("\n")}\nx: !!python/name:os.system v\n`;
    expect(big.length).toBeGreaterThan(64 * 1024);
    expect(only(big, "c.yaml")).toMatchObject({ ruleId: "fqc/syntax", line: 9003, column: 4, message: expect.stringContaining("!!python/name:os.system") });
    // The core schema's own tags resolve as before.
    expect(validate("dtype: !!str int4\ngroup_size: !!int 32\neps: !!null ~\nis_dynamic: !!bool true\n", { filename: "c.yaml" }).diagnostics).toEqual([]);
  });

  it("the YAML 1.1 tags the yaml package would still resolve (!!binary, !!set, !!omap, !!pairs, !!timestamp) are syntax errors at the tag, not bytes, sets, maps or dates judged as values", () => {
    for (const [text, line, column] of [
      ["!!binary dtype: int4\ngroup_size: 32\n", 1, 1], // the key would become 3 bytes of base64, named as an unknown key
      ["dtype: !!set {int4}\ngroup_size: 32\n", 1, 8], // a Set, shown as '{}' in torchao's dtype message
      ["!!omap [dtype: int4, group_size: 32]\n", 1, 1], // a Map: "missing required key dtype" although it holds one
      ["!!pairs [dtype: int4, group_size: 32]\n", 1, 1],
      ["dtype: int4\ngroup_size: !!timestamp 2001-12-14\n", 2, 13],
      ["dtype: int4\ngroup_size: 32\neps: !!binary AAAA\n", 3, 6],
      ["%YAML 1.1\n---\ndtype: !!set {int4}\ngroup_size: 32\n", 3, 8], // YAML 1.1's own schema has them too
    ] as const) {
      const tag = /!![a-z]+/.exec(text)![0];
      expect(only(text, "c.yaml"), text).toMatchObject({ ruleId: "fqc/syntax", line, column, message: expect.stringContaining(`the tag ${tag} does not resolve`) });
    }
    const big = `dtype: int4\ngroup_size: 32\n${Array.from({ length: 9000 }, (_, i) => `k${i}: ${i}`).join("\n")}\nx: !!set {a}\n`;
    expect(big.length).toBeGreaterThan(64 * 1024);
    expect(only(big, "c.yaml")).toMatchObject({ ruleId: "fqc/syntax", line: 9003, column: 4, message: expect.stringContaining("the tag !!set does not resolve") });
  });

  it("deep nesting that is also malformed", () => {
    expect(only("{\"a\":".repeat(5000)).ruleId).toBe("fqc/syntax");
  });

  it("duplicate keys are reported at the second occurrence, naming the first", () => {
    const d = only('{\n  "dtype": "int4",\n  "group_size": 32,\n  "group_size": 64\n}');
    expect(d).toMatchObject({ ruleId: "fqc/syntax", line: 4, column: 3 });
    expect(d.message).toContain('duplicate key "group_size" (first at 3:3)');
  });

  it("duplicate keys inside a pair member, even when spelled with escapes", () => {
    const d = only('{"weight": {"dtype": "int4", "group\\u005fsize": 32, "group_size": 32}}');
    expect(d.message).toContain('duplicate key "group_size"');
  });

  it("the same key in different objects is fine", () => {
    expect(validate('{"activation": {"dtype": "int8", "granularity": "per_token", "is_symmetric": false}, "weight": {"dtype": "int4", "group_size": 32}}').diagnostics).toEqual([]);
  });

  it("strings containing braces, quotes and commas do not confuse the scan", () => {
    const d = only('{"dtype": "int4", "group_size": 32, "x{,\\"[": 1}');
    expect(d.ruleId).toBe("fqc/unknown-key");
  });

  it.each([
    ["empty file", ""],
    ["whitespace only", "  \n\t\n"],
    ["binary garbage", String.fromCharCode(...Array.from({ length: 300 }, (_, i) => i % 256))],
    ["a lone string", '"int4"'],
    ["NaN literal", '{"dtype": "int4", "group_size": 32, "eps": NaN}'],
  ])("%s: one diagnostic with a position", (_name, text) => {
    const d = only(text);
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.column).toBeGreaterThanOrEqual(1);
  });

  it("a UTF-8 byte-order mark is accepted", () => {
    expect(validate('\uFEFF{"dtype": "int4", "group_size": 32}').diagnostics).toEqual([]);
  });

  it("YAML alias bombs are refused", () => {
    let y = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n';
    for (const [k, p] of [["b", "a"], ["c", "b"], ["d", "c"], ["e", "d"], ["f", "e"], ["g", "f"]]) y += `${k}: &${k} [${Array(9).fill(`*${p}`).join(",")}]\n`;
    expect(only(y, "bomb.yaml").ruleId).toBe("fqc/syntax");
  });

  it("several YAML documents in one file: one syntax error that says so", () => {
    const d = only("dtype: int4\ngroup_size: 32\n---\ndtype: int8\n", "two.yaml");
    expect(d).toMatchObject({ ruleId: "fqc/syntax", line: 3 });
    expect(d.message).toContain("one YAML document");
  });

  it("deeply nested YAML is refused", () => {
    expect(only(`a: ${"[".repeat(10_000)}${"]".repeat(10_000)}\n`, "deep.yaml").ruleId).toBe("fqc/syntax");
  });

  it("numbers beyond float64 are reported, not crashed on", () => {
    expect(only('{"dtype": "int4", "group_size": 1e400}').ruleId).toBe("forward/group-size");
  });

  it("the CLI exits 2 on absurd nesting with one message and no stack trace", () => {
    const f = tmp.write("deep.json", "[".repeat(100_000) + "]".repeat(100_000));
    const r = runFqc(["validate", f]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("nested deeper than");
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
  });
});
