import { describe, expect, it } from "vitest";
import { indexJsonPositions, keysInSourceOrder, MAX_INDEXED_DEPTH, MAX_INDEXED_ELEMENTS } from "../../src/diagnostics/json-positions.js";

/** The text of a recorded node, and of its key. */
const textAt = (text: string, spans: ReturnType<typeof indexJsonPositions>, pointer: string) => {
  const s = spans.get(pointer);
  if (s === undefined) return undefined;
  return s.keyStart === undefined ? [text.slice(s.start, s.end)] : [text.slice(s.start, s.end), text.slice(s.keyStart, s.keyEnd)];
};

describe("indexJsonPositions", () => {
  // A byte-order mark, an escaped quote in a value, an escaped key, literals, and a duplicate key (the last wins, as in JSON.parse).
  const text = '\ufeff{"a": [1, true, "x\\"y"], "k\\u00e9": {"n": null}, "a": -2.5e3}';

  it("gives every value's span (UTF-16 offsets, end exclusive) and an object member's key span, under its decoded name", () => {
    const spans = indexJsonPositions(text);
    expect(textAt(text, spans, "")).toEqual([text.slice(1)]);
    expect(textAt(text, spans, "/ké")).toEqual(['{"n": null}', '"k\\u00e9"']);
    expect(textAt(text, spans, "/ké/n")).toEqual(["null", '"n"']);
    expect(textAt(text, spans, "/a")).toEqual(["-2.5e3", '"a"']);
    expect(spans.get("/a")).toEqual({ start: 55, end: 61, keyStart: 50, keyEnd: 53 });
  });

  it("gives array elements their index and no key", () => {
    const t = '[1, true, "x\\"y", [], {}]';
    const spans = indexJsonPositions(t);
    expect([0, 1, 2, 3, 4].map((i) => textAt(t, spans, `/${i}`))).toEqual([["1"], ["true"], ['"x\\"y"'], ["[]"], ["{}"]]);
    expect(spans.has("/5")).toBe(false);
  });

  it("records only the wanted pointers, with the same spans", () => {
    const all = indexJsonPositions(text);
    const some = indexJsonPositions(text, new Set(["", "/ké", "/ké/n"]));
    expect(some.size).toBe(3);
    for (const p of ["", "/ké", "/ké/n"]) expect(some.get(p)).toEqual(all.get(p));
    expect(some.has("/a")).toBe(false);
  });

  it("records nodes down to MAX_INDEXED_DEPTH and the first MAX_INDEXED_ELEMENTS elements of an array", () => {
    const deep = '{"a": '.repeat(MAX_INDEXED_DEPTH + 2) + "1" + "}".repeat(MAX_INDEXED_DEPTH + 2);
    const spans = indexJsonPositions(deep);
    expect(spans.has("/a".repeat(MAX_INDEXED_DEPTH))).toBe(true);
    expect(spans.has("/a".repeat(MAX_INDEXED_DEPTH + 1))).toBe(false);
    const long = `[${Array.from({ length: MAX_INDEXED_ELEMENTS + 5 }, (_, i) => i).join(",")}]`;
    const el = indexJsonPositions(long);
    expect(textAt(long, el, `/${MAX_INDEXED_ELEMENTS - 1}`)).toEqual([String(MAX_INDEXED_ELEMENTS - 1)]);
    expect(el.has(`/${MAX_INDEXED_ELEMENTS}`)).toBe(false);
  });
});

describe("keysInSourceOrder", () => {
  it("lists an object's keys in file order, integer-like ones where they stand", () => {
    const t = '{"x": {"2": 1, "b": [{"z": 0}], "1": {"q": 1}, "\\u0063": 3}, "y": [{"k": 1, "j": 2}]}';
    expect(keysInSourceOrder(t, "/x")).toEqual(["2", "b", "1", "c"]);
    expect(keysInSourceOrder(t, "/y/0")).toEqual(["k", "j"]);
    expect(keysInSourceOrder(t, "")).toEqual(["x", "y"]);
  });

  it("gives undefined for an array or a missing pointer", () => {
    const t = '{"y": [1], "z": {"a": 1}}';
    expect(keysInSourceOrder(t, "/y")).toBeUndefined();
    expect(keysInSourceOrder(t, "/w")).toBeUndefined();
    expect(keysInSourceOrder(t, "/z/a")).toBeUndefined();
  });
});
