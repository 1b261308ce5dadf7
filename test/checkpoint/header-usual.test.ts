/**
 * Most tensor entries of a safetensors header are read straight from the text (the usual
 * dtype/shape/data_offsets form); the rest go through the JSON tree. Both ways must give the same
 * tensors, the same metadata and the same first error, whatever the header.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseSafetensorsHeader } from "../../src/checkpoint/safetensors-header.js";

const ws = fc.array(fc.constantFrom("", " ", "\n", "\t", "\r", "  "), { maxLength: 2 }).map((a) => a.join(""));
const int = fc.oneof(
  fc.nat(64).map(String),
  fc.constantFrom("0", "00", "01", "-1", "1.0", "1e2", "123456789012345", "1234567890123456", "9007199254740993", "4"),
);
const dtype = fc.constantFrom("F32", "F16", "BF16", "I64", "U8", "BOOL", "F4", "F6_E2M3", "X", "f32", "F8_E4M3FNUZ");
const name = fc.constantFrom("a", "b", "layers.0.weight", "w\\u0041", "__metadata__", "c", "a\\\"q");

function entryText(g: { d: string; shape: string[]; b: string; e: string; w: string[]; order: number }): string {
  const [w0, w1, w2, w3] = g.w;
  const dt = `"dtype"${w0}:${w1}"${g.d}"`;
  const sh = `"shape"${w1}:${w2}[${w2}${g.shape.join(`${w3},${w0}`)}${w3}]`;
  const of = `"data_offsets"${w2}:[${w0}${g.b}${w1},${w2}${g.e}${w3}]`;
  const parts = g.order === 0 ? [dt, sh, of] : g.order === 1 ? [sh, dt, of] : g.order === 2 ? [dt, of] : [dt, sh, of, `"x":1`];
  return `{${w0}${parts.join(`${w1},${w2}`)}${w3}}`;
}

const entry = fc.record({ d: dtype, shape: fc.array(int, { maxLength: 3 }), b: int, e: int, w: fc.array(ws, { minLength: 4, maxLength: 4 }), order: fc.oneof(fc.constant(0), fc.constant(0), fc.nat(3)) });
const BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, I64: 8, U8: 1, BOOL: 1 };
/** Entries whose offsets hold their shape exactly (the usual form passes every check but the data buffer's bounds). */
const sized = fc.record({ d: fc.constantFrom("F32", "F16", "BF16", "I64", "U8"), shape: fc.array(fc.nat(4), { maxLength: 3 }), b: fc.nat(70), w: fc.array(ws, { minLength: 4, maxLength: 4 }), order: fc.constant(0) })
  .map((g) => entryText({ ...g, shape: g.shape.map(String), b: String(g.b), e: String(g.b + g.shape.reduce((a, x) => a * x, 1) * BYTES[g.d]) }));
const value = fc.oneof(
  { weight: 5, arbitrary: entry.map(entryText) },
  { weight: 5, arbitrary: sized },
  { weight: 1, arbitrary: fc.constantFrom('{"format":"pt"}', "null", "[]", '"s"', "{}", '{"dtype":"F32"}') },
);
const header = fc.tuple(fc.array(fc.tuple(name, ws, value), { maxLength: 8 }), fc.constantFrom("", "", ",", " x")).map(([members, tail]) =>
  `{${members.map(([n, w, v]) => `"${n}"${w}:${w}${v}`).join(",")}${tail}}`);

function outcome(text: string, dataLength: number, usualEntries: boolean): unknown {
  try {
    return parseSafetensorsHeader(new TextEncoder().encode(text), dataLength, "m.safetensors", { usualEntries });
  } catch (e) {
    return { error: (e as Error).message };
  }
}

describe("safetensors header entries read straight from the text", () => {
  it("give what the JSON tree gives: tensors, metadata and the first error", () => {
    fc.assert(fc.property(header, fc.constantFrom(0, 4, 16, 64, 128, 1 << 20), (text, dataLength) => {
      expect(outcome(text, dataLength, true)).toEqual(outcome(text, dataLength, false));
    }), { numRuns: 3000 });
  });

  it("give the same tensors for valid headers in any spacing and key order", () => {
    const tensor = fc.record({ d: fc.constantFrom("F32", "BF16", "U8", "I64"), shape: fc.array(fc.nat(5), { maxLength: 3 }), w: fc.array(ws, { minLength: 4, maxLength: 4 }), order: fc.nat(1) });
    fc.assert(fc.property(fc.array(tensor, { minLength: 1, maxLength: 10 }), fc.boolean(), (ts, metadataFirst) => {
      let at = 0;
      const members = ts.map((t, i) => {
        const size = t.shape.reduce((a, b) => a * b, 1) * ({ F32: 4, BF16: 2, U8: 1, I64: 8 } as Record<string, number>)[t.d];
        const text = entryText({ d: t.d, shape: t.shape.map(String), b: String(at), e: String(at + size), w: t.w, order: t.order });
        at += size;
        return `"t${i}":${text}`;
      });
      const meta = `"__metadata__":{"format":"pt"}`;
      const text = `{${(metadataFirst ? [meta, ...members] : [...members, meta]).join(",")}}`;
      const fast = outcome(text, at, true) as { tensors: unknown[] };
      expect(fast).toEqual(outcome(text, at, false));
      expect(fast.tensors).toHaveLength(ts.length);
    }), { numRuns: 1000 });
  });

  it("take the usual entries (a header of them parses to tensors)", () => {
    const text = `{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2, 2],"data_offsets":[0,16]},"b":{ "dtype" : "BF16" , "shape" : [ ] , "data_offsets" : [ 16 , 18 ] }}`;
    const r = parseSafetensorsHeader(new TextEncoder().encode(text), 18, "m.safetensors");
    expect(r.tensors).toEqual([{ name: "a", dtype: "F32", shape: [2, 2], begin: 0, end: 16 }, { name: "b", dtype: "BF16", shape: [], begin: 16, end: 18 }]);
    expect(r.metadata).toEqual({ format: "pt" });
  });
});
