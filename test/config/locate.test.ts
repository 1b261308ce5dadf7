import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { formatForFile, getAtPointer, locatePointer, nearestRange, parsePointer, START_RANGE, toPointer } from "../../src/diagnostics/locate.js";
import { parseJsonText, parseYamlText } from "../../src/diagnostics/source.js";

describe("JSON pointers", () => {
  it("round-trip segments with ~ and /", () => {
    fc.assert(fc.property(fc.array(fc.string()), (segs) => {
      expect(parsePointer(toPointer(segs))).toEqual(segs);
    }));
    expect(toPointer(["a/b", "c~d", 0])).toBe("/a~1b/c~0d/0");
    expect(getAtPointer({ "a/b": [{ x: 1 }] }, "/a~1b/0/x")).toBe(1);
    expect(getAtPointer({ a: 1 }, "/b")).toBeUndefined();
    expect(() => parsePointer("a/b")).toThrow('not a JSON pointer: "a/b"');
  });
});

describe("getAtPointer", () => {
  it("takes canonical array indices only, and own keys of objects only", () => {
    const v = { a: [10, 20, { b: null }], s: "int4" };
    expect(getAtPointer(v, "/a/1")).toBe(20);
    expect(getAtPointer(v, "/a/0")).toBe(10);
    for (const p of ["/a/01", "/a/1x", "/a/x1", "/a/-1", "/a/", "/a/length", "/s/length", "/toString", "/a/2/b/c", "/s/0"]) expect(getAtPointer(v, p), p).toBeUndefined();
    expect(getAtPointer(v, "/a/2/b")).toBeNull();
    expect(getAtPointer([..."abcdefghijkl"], "/11")).toBe("l");
  });
});

describe("nearestRange", () => {
  it("walks up to the value of the nearest ancestor that has a range, and to 1:1 when none has", () => {
    const at = { line: 2, column: 3, endLine: 2, endColumn: 9 };
    const asked: string[] = [];
    const rangeOf = (p: string, part: string) => (asked.push(`${p} ${part}`), p === "/a" && part === "value" ? at : undefined);
    expect(nearestRange(rangeOf, "/a/b/c", "key")).toBe(at);
    expect(asked).toEqual(["/a/b/c key", "/a/b value", "/a value"]);
    expect(nearestRange(() => undefined, "/x/y")).toEqual(START_RANGE);
  });
});

describe("formatForFile", () => {
  it("reads .yaml and .yml names (any case) as YAML, everything else as JSON", () => {
    expect(["q.yaml", "q.YML", "dir.json/q.yml", "q.json", "q.yaml.bak", "yaml", "q.ymlx", undefined].map(formatForFile)).toEqual(["yaml", "yaml", "yaml", "json", "json", "json", "json", "json"]);
  });
});

describe("source maps", () => {
  it("give JSON value and key ranges (1-based, end exclusive) and float literals", () => {
    const r = parseJsonText('{\n  "a": [1, 2.0],\n  "b": {"c": "x"}\n}');
    if (!r.ok) throw new Error("parse failed");
    expect(r.doc.range("/a/1")).toEqual({ line: 2, column: 12, endLine: 2, endColumn: 15 });
    expect(r.doc.range("/b/c", "key")).toEqual({ line: 3, column: 9, endLine: 3, endColumn: 12 });
    expect(r.doc.isFloat("/a/1")).toBe(true);
    expect(r.doc.isFloat("/a/0")).toBe(false);
    expect(r.doc.range("/nope")).toBeUndefined();
  });

  it("give YAML ranges by line", () => {
    const r = parseYamlText("a:\n  - 1\n  - 2.5\nb: {c: x}\n");
    if (!r.ok) throw new Error("parse failed");
    expect(r.doc.value).toEqual({ a: [1, 2.5], b: { c: "x" } });
    expect(r.doc.range("/a/1")).toEqual({ line: 3, column: 5, endLine: 3, endColumn: 8 });
    expect(r.doc.range("/b/c", "key")).toMatchObject({ line: 4, column: 5 });
    expect(r.doc.isFloat("/a/1")).toBe(true);
  });

  it("find a YAML key that is a collection, an alias or null under the name the value gives it, at the key", () => {
    const r = parseYamlText("a: &k [x]\n? [b, c]\n: 1\n{[d]: 2}: 3\n? - e\n  - f\n: 4\n~: 5\n? *k\n: 6\n");
    if (!r.ok) throw new Error("parse failed");
    expect(Object.keys(r.doc.value as object)).toEqual(["a", "[ b, c ]", "{\n  ? [ d ]\n  : 2\n}", "[ e, f ]", "", "*k"]);
    expect(r.doc.range("/[ b, c ]", "key")).toEqual({ line: 2, column: 3, endLine: 2, endColumn: 9 });
    expect(r.doc.range("/{\n  ? [ d ]\n  : 2\n}", "key")).toEqual({ line: 4, column: 1, endLine: 4, endColumn: 9 });
    expect(r.doc.range("/[ e, f ]", "key")).toMatchObject({ line: 5, column: 3 });
    expect(r.doc.range("/", "key")).toEqual({ line: 8, column: 1, endLine: 8, endColumn: 2 });
    expect(r.doc.range("/*k", "key")).toMatchObject({ line: 9, column: 3 });
    expect(r.doc.range("/[ b, c ]")).toEqual({ line: 3, column: 3, endLine: 3, endColumn: 4 });
    expect(r.doc.keysInOrder!("")).toEqual(Object.keys(r.doc.value as object));
  });

  it("locatePointer finds a pointer in text, or the nearest ancestor with found: false", () => {
    const text = '{\n  "weight": {"dtype": "int4", "group_size": 32}\n}';
    expect(locatePointer(text, "q.json", "/weight/group_size")).toEqual({ line: 2, column: 45, endLine: 2, endColumn: 47, found: true });
    expect(locatePointer(text, "q.json", "/weight/granularity")).toMatchObject({ line: 2, column: 13, found: false });
    expect(locatePointer("weight:\n  dtype: int4\n", "q.yaml", "/weight/dtype")).toMatchObject({ line: 2, column: 10, found: true });
    expect(locatePointer("{", "q.json", "/x")).toMatchObject({ line: 1, column: 1, found: false });
  });
});
