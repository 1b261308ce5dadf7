/** The block-YAML reader for large files agrees with the yaml package wherever it answers, and gives up elsewhere. */
import { describe, expect, it } from "vitest";
import { blockYamlSource, BLOCK_YAML_MIN_LENGTH, parseYamlDocument, parseYamlText, type SourceDoc } from "../../src/diagnostics/source.js";
import { childPointer } from "../../src/diagnostics/locate.js";
import { parseBlockYaml } from "../../src/diagnostics/yaml-block.js";

/** A small seeded generator (mulberry32), so a failure names a seed that reproduces it. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const KEYS = ["dtype", "group_size", "a", "b_c", "layer.0.w", "x-y", "_k", "Null_ish", "trueish", "k9"];
const VALUES = ["int4", "32", "0", "-7", "123456789012345", "true", "False", "NULL", "null", "per_group", "SYMMETRIC", "x_1", "Yes", "off"];

/** A random document inside the reader's subset: nested block maps of plain scalars. */
function blockDoc(next: () => number, depth = 0, indent = 0): string {
  const n = 1 + Math.floor(next() * 4);
  const used = new Set<string>();
  let out = "";
  // Comment lines (at any indentation) and blank lines between the keys.
  const filler = () => (next() < 0.15 ? `${" ".repeat(Math.floor(next() * 6))}# note ${Math.floor(next() * 9)}\n` : next() < 0.1 ? `${" ".repeat(Math.floor(next() * 3))}\n` : "");
  for (let i = 0; i < n; i++) {
    out += filler();
    let key = KEYS[Math.floor(next() * KEYS.length)];
    if (used.has(key)) key = `${key}${i}`;
    used.add(key);
    if (depth < 3 && next() < 0.3) {
      out += `${" ".repeat(indent)}${key}:\n${blockDoc(next, depth + 1, indent + 1 + Math.floor(next() * 3))}`;
    } else {
      // Sometimes a comment after the value, after one or more spaces.
      const comment = next() < 0.2 ? `${" ".repeat(1 + Math.floor(next() * 3))}# after ${Math.floor(next() * 9)}` : "";
      out += `${" ".repeat(indent)}${key}: ${VALUES[Math.floor(next() * VALUES.length)]}${comment}\n`;
    }
  }
  return out;
}

function pointers(v: unknown, at = ""): string[] {
  if (v === null || typeof v !== "object") return [at];
  return [at, ...Object.keys(v).flatMap((k) => pointers((v as Record<string, unknown>)[k], childPointer(at, k)))];
}

function expectSame(text: string, fast: SourceDoc, lib: SourceDoc): void {
  expect(fast.value).toStrictEqual(lib.value);
  expect(JSON.stringify(fast.value)).toBe(JSON.stringify(lib.value)); // key order too
  for (const p of [...pointers(lib.value), "/missing"]) {
    for (const part of ["value", "key"] as const) expect(fast.range(p, part), `${p} ${part} in ${JSON.stringify(text)}`).toStrictEqual(lib.range(p, part));
    expect(fast.literal(p)).toBe(lib.literal(p));
    expect(fast.isFloat(p)).toBe(lib.isFloat(p));
    expect(fast.keysInOrder?.(p)).toStrictEqual(lib.keysInOrder?.(p));
  }
}

describe("block YAML reader", () => {
  it("gives the yaml package's value, ranges, literals and key order on 500 generated documents", () => {
    let read = 0;
    let readWithCommentAfterValue = 0;
    for (let seed = 1; seed <= 500; seed++) {
      const text = blockDoc(rng(seed));
      const lib = parseYamlDocument(text);
      const block = parseBlockYaml(text);
      expect(lib.ok, `seed ${seed}`).toBe(true);
      // A comment or blank line just before a nested map ends is left to the yaml package; without them, all is read.
      if (!/#|\n *\n/.test(text)) expect(block, `seed ${seed}: ${JSON.stringify(text)}`).toBeDefined();
      if (lib.ok && block) {
        read++;
        if (/\S +# after/.test(text)) readWithCommentAfterValue++;
        expectSame(text, blockYamlSource(text, block), lib.doc);
      }
    }
    expect(read).toBeGreaterThan(250);
    expect(readWithCommentAfterValue).toBeGreaterThan(50);
  });

  it("reads a comment after a value with the yaml package's value and positions", () => {
    for (const text of [
      "dtype: int4  # note\ngroup_size: 32\n",
      "a: 1 # one\nb:\n  c: x   # deep\n  d: 2\ne: true # last",
      "a: b # c # d\n",
      "a:\n  b: 1 # x\n  c: 2\n",
    ]) {
      const lib = parseYamlDocument(text);
      const block = parseBlockYaml(text);
      expect(lib.ok, JSON.stringify(text)).toBe(true);
      expect(block, JSON.stringify(text)).toBeDefined();
      if (lib.ok && block) expectSame(text, blockYamlSource(text, block), lib.doc);
    }
  });

  it("without a final line break, or with comments and blank lines around, every map ends where the yaml package says", () => {
    for (const text of [
      "a: 1\nb:\n  c:\n    d: x\n  e: 2",
      "# top\na: 1\n# mid\nb:\n  c: 2\n  # in\n\n  d: 3\ne: 4\n# end\n",
      "a:\n  b: 1\n# low\n  c: 2\nd: 3\n   \n",
      "\n# only comments before\n\na: 1\n",
      "\n\na:\n  # first\n  b: 1\n",
    ]) {
      const lib = parseYamlDocument(text);
      const block = parseBlockYaml(text);
      expect(lib.ok, JSON.stringify(text)).toBe(true);
      expect(block, JSON.stringify(text)).toBeDefined();
      if (lib.ok && block) expectSame(text, blockYamlSource(text, block), lib.doc);
    }
  });

  it("reads quotes, flow collections (over several lines too, or as the whole document), sequences, floats and other plain scalars with the yaml package's value and positions", () => {
    for (const text of [
      "a: 1#c\n", "a: 'q'\n", 'a: "q"\n', "a: [1]\n", "a: {b: 1}\n", "a:\n  - 1\n", "a: 1.5\n", "a: 1e3\n", "a: 007\n", "a: 0x1F\n",
      "a: .inf\n", "a: ~\n", "a: b c\n", "a: 1 \n", "a:  1\n", "a: -0\n", "a: +1\n", "a: 1234567890123456\n", "a: 0o17\n", "a: -.5e-3\n",
      "a: 1.\n", "a: .NaN\n", "a: http://x.y/z\n", "a: x:y\n", "a: b]\n", "a: é 日本\n", '"k y": 1\n', "'it''s': 'x''y'\n", '"": 1\n',
      'a: "t\\tb\\n\\u00e9\\x41\\U0001F600\\\\\\"\\/\\_\\0"\n', "a: ['x', \"y\", [], {}, [1, [2]], ]\n", 'a: {"b":1, c: [x , y], \'d\': {e: f}}\n',
      "a:\n- 1\n- x\nb: 2\n", "- a: 1\n  b: [1]\n- - x\n  - 'y'\n-   c: 3\n", "a:\n  - b:\n      c: 1\n  - d\n", "- a:\n  - 1\n  b: 2\n",
      "a: [1, 2] # c\nb: 'x'  # d\n",
      "a: [1,\n  2]\n", "a: [1, # c\n  2]\n", "a: [\n  1,\n\n  2,\n ]\n", 'a: {"b":\n   1}\n', "x: 1\na: [1,\n  2] # c\nb: 2\n", "- [1,\n  2]\n- 3\n",
      '{\n  "dtype": "int4",\n  "group_size": 32,\n  "x": [1, {"y": null}]\n}\n', "[1,\n# c\n2]\n", '{"a": 1} # c\n\n', "a:\n  - b: [1,\n      2]\n    c: 3\n",
      "a:\n  b: 1\n\nc: 2\n", "a:\n  b: 1 # ends the nested map\nc: 2\n", "a:\n  b: 1\n  # before the map ends\nc: 2\n",
      "a:\n  b:\n    c: 1\n      # deeper\n\n      # counted in the value\nd: 2\n", "a:\n  b: 1\n# x\n  c: 2\n", "a: 1\n  # x\n", "a:\n  b: 1\n# at the end\n", "a:\n  b:\n    c:\n      e: 1\n# x\n  d: 2\n", "a:\n\n  # before\n  b: 1\n", "a:\n  b: 1\n  # x\n      # deeper after a shallower one\nc: 2\n", "a:\n  - 1\n   \n\nc:\n  d:\n    e: 1\n\n  f: [1,\n\n    2]\n\n",
      "# a\ttab\na: 1 #\tx\nb:\n  # \t\n  - [1, # \t\n    2]\n",
      "a: 1\r\n", "a: 1\r\nb:\r\n  - 'x' # c\r\n  - [1,\r\n   2]\r\nc: \"d\"", "a:\r\n  b: 1\r\n\r\n  c: 2\r\nd: 3\r\n# end\r\n",
    ]) {
      const lib = parseYamlDocument(text);
      const block = parseBlockYaml(text);
      expect(lib.ok, JSON.stringify(text)).toBe(true);
      expect(block, JSON.stringify(text)).toBeDefined();
      if (lib.ok && block) expectSame(text, blockYamlSource(text, block), lib.doc);
    }
  });

  it("reads tabs in values and between tokens, plain scalars over several lines and block scalars with the yaml package's value and positions", () => {
    for (const text of [
      "a:\t1\n", "a: 1\t# c\n", "a: 'x\ty'\n", 'a: "x\ty"\n', "a:\tb\n", "a: x\ty \t\nb: 2\n", "- \tx\n- y\n", "a:\t\n  b: 1\n",
      "a: b\n  c\n", "a: word\n\n  more\n\n\nb: 1\n", "a: word   \n   more  \n", "- a\n b\n- c\n", "a: x\n  y #c\nb: 1\n", "a: x\n \ty\n", "x:\n  a: p\n    q\n\n\ny: 1\n",
      "a: |\n  text\n", "a: >\n  text\n", "a: |\n  x\n  y\n\nb: 1\n", "a: |-\n  x\n\n\nb: 1\n", "- >\n  x\n  y\n\n  z\n- 2\n", "a: |2\n   x\n  y\n", "a: |+\n  x\n\n\nb: 1\n",
      "x:\n  a: |\n    t\n\n  # c\n  b: 1\n", "a: >\n  x\n   y\n  z\n", "a: |\n\n  x\nb: 1\n", "a: |\n  x\n  \ty\nb: 1\n", "a: |\n  x",
      "a: |\n  x\n # c\nb: 1\n", "a: | # hi\n  x\n", "a: |-2\n   x\n", "a: |2-\n   x\n", "k:\n  - |1\n    x\n", "k:\n- |1\n  x\n", "a: \t|\n x\n", "a: |2\n \n   x\n", "- a: |\n    x\n  b: 1\n",
      // A line indented less than the block scalar's text ends it.
      "a:\n  b: |\n     deep\n  c: 1\n", "a: |\n    x\n   # less\nb: 1\n", "a: >\n    x\n\n    y\nb: 1\n",
      // A comment line after a block scalar, deeper than its mapping: not in the mapping's range.
      "- a: |\n      two\n   # c\n- x\n", "- - \"d\": |\n      two\n     # c\n  \n  - x\n",
    ]) {
      const lib = parseYamlDocument(text);
      const block = parseBlockYaml(text);
      expect(block, JSON.stringify(text)).toBeDefined();
      if (lib.ok && block) expectSame(text, blockYamlSource(text, block), lib.doc);
      else expect(lib.ok, JSON.stringify(text)).toBe(true);
    }
  });

  it("leaves tabs that indent, lines of white space with a tab inside a scalar, and doubtful block scalars to the yaml package", () => {
    for (const text of [
      "a: x\n\ty\n", "a: x\n  \n\t\n  y\n", "a: |\n   \n  x\nb: 1\n", "a: |\n\tx\n", "a: |\n  x\n \t\n", "a: |+\n  x", "a: |\nb: 1\n", "a: |x\n  y\n", "a: |0\n  y\n",
      "a: 1\n  \t \nb: 2\n", "a: |2\n   \n   x\n", "a: |\n  x\n\n  \n   \nb: 1\n", "dtype:\n- |1\n  indented\n  \n", "- \t- x\n", "- \ta: 1\n", "- \t&x y\n", "- \t&x\n", "a: x\n  - y\n", "a: x\n  y: z\n", "a: x\n  [y]\n", "a: x\r  y\n", "a: |\r  x\n",
      // Less indented than the block scalar's text, yet inside its collection: the yaml package's error.
      "a:\n  b: |\n     deep\n   less\n", "a: |\n    x\n  y\n",
    ]) {
      expect(parseBlockYaml(text), JSON.stringify(text)).toBeUndefined();
    }
  });

  it("gives up on what it does not take: quoted scalars over several lines, flow collections not indented past their block, tags, empty values, odd indentation", () => {
    for (const text of [
      "a: # comment\n", "# c\n", "a:\n  b:\n    c: 1\n    # before two maps end\nd: 2\n", "a:\n  b:\n  - 1\n  # x\nc: 2\n",
      "a:\n  b:\n    c: 1\n  # x\n# y\n", "a: 1\rb: 2\n", "a: 1\r", "a: 1 # x\ry: 2\n", "\ta: 1\n", "a:\n\t- 1\n", "a: [1,\t2]\n", "a: 1\n\t\n", "a: [1,\r  2]\n", "a: 1\na: 2\n", "a: 1\n  b: 2\n", "  a: 1\n", "a:\n", "a:\nb: 1\n",
      "true: 1\n", "null: 1\n", "1: a\n", "a:b\n", "a : 1\n", "---\na: 1\n", "scalar\n", "", "a:\n  b: 1\n c: 2\n", "$schema: x\n",
      'a: "unclosed\n', "a: 'unclosed\n", 'a: "two\n  lines"\n', "a: [1,\n2]\n", "a: [1,\n  2\n]\n", "a:\n  b: [1,\n  2]\n", "a: [x\n  y]\n", "a: {b\n  : 1}\n", "{a: 1}\nb: 2\n", " {a: 1}\n", "a: [1,\n", "[1] [2]\n",
      "- a: [1,\n  2]\n", "a: {b: 1\n", "a: [1, 2\n", "a: !!str 1\n",
      "a:\n  -\n", "-\n  a: 1\n", "a: - 1\n", "a: b: c\n", "a: [b: 1]\n", "a: {b}\n", "a: [1,,2]\n", "a: [,]\n",
      'a: "\\q"\n', 'a: "\\x4"\n', 'a: "\\U00110000"\n', 'a: "x"y\n', "a: [1]x\n", "a: 'x'#c\n", "a: @x\n", "a: `x\n", "a: %x\n", "? a\n: 1\n",
      "a:\n- 1\n  - 2\n", "a:\n  - 1\n- 2\n", "- 1\na: 2\n", "a: 1\n- 2\n", "a: {b: 1, b: 2}\n", `${"k".repeat(1030)}: 1\n`, `a: {${"k".repeat(1030)}: 1}\n`,
      "a: \u0085x\n", "a: x\u2028y\n", "a: \ufeffx\n", "\ufeffa: 1\n", "a: x\u0007\n", "a: [a:b]\n", "a: {b:1}\n", "a:\n  - b: 1\n   c: 2\n",
      "a: [-]\n", "a: [-, 1]\n", "a: {b: -}\n", "a: [1 # c]\n", "a: [1] [2]\n",
    ]) {
      expect(parseBlockYaml(text), JSON.stringify(text)).toBeUndefined();
    }
  });

  it("reads a document nested at most 100 levels deep, flow collections included (deeper ones go to the yaml package)", () => {
    const nest = (n: number) => Array.from({ length: n }, (_, i) => `${" ".repeat(i)}k:`).join("\n") + `\n${" ".repeat(n)}v: 1\n`;
    expect(parseBlockYaml(nest(99))).toBeDefined();
    expect(parseBlockYaml(nest(101))).toBeUndefined();
    // Flow collections count as levels too: a map holding 99 nested sequences is 100 levels.
    const flow = (n: number) => `x: ${"[".repeat(n)}0${"]".repeat(n)}\n`;
    const deep = parseBlockYaml(flow(99));
    const lib = parseYamlDocument(flow(99));
    expect(deep).toBeDefined();
    if (deep && lib.ok) expectSame(flow(99), blockYamlSource(flow(99), deep), lib.doc);
    expect(parseBlockYaml(flow(100))).toBeUndefined();
    expect(parseBlockYaml(`a:\n - b:\n   - ${"[".repeat(96)}0${"]".repeat(96)}\n`)).toBeDefined();
    expect(parseBlockYaml(`a:\n - b:\n   - ${"[".repeat(97)}0${"]".repeat(97)}\n`)).toBeUndefined();
  });

  it("reads a YAML file of 200,000 keys and places its last key on its line", () => {
    const text = `dtype: int4\ngroup_size: 32\n${Array.from({ length: 200_000 }, (_, i) => `key_${i}: ${i % 10}`).join("\n")}\n`;
    expect(text.length).toBeGreaterThan(BLOCK_YAML_MIN_LENGTH);
    const parsed = parseYamlText(text);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(Object.keys(parsed.doc.value as object)).toHaveLength(200_002);
      expect(parsed.doc.range("/key_199999", "key")).toStrictEqual({ line: 200_002, column: 1, endLine: 200_002, endColumn: 11 });
      expect(parsed.doc.keysInOrder?.("")?.slice(0, 3)).toStrictEqual(["dtype", "group_size", "key_0"]);
    }
  });
});
