import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonObjectPieces } from "../../src/json-pieces.js";

const key = fc.string({ maxLength: 8 }).filter((k) => !/^(0|[1-9][0-9]*)$/.test(k) && k !== "items" && k !== "__proto__");
const value = fc.jsonValue({ maxDepth: 3 }).map((v) => v as unknown);
const record = fc.dictionary(key, fc.oneof(value, fc.constant(undefined)), { maxKeys: 4 });

describe("jsonObjectPieces", () => {
  it("gives the bytes of JSON.stringify(object, null, 2) + newline, with the array's items one piece each", () => {
    fc.assert(fc.property(record, fc.array(value, { maxLength: 6 }), record, (before, items, after) => {
      const after2 = Object.fromEntries(Object.entries(after).filter(([k]) => !(k in before)));
      const pieces = [...jsonObjectPieces(before, "items", items, (x) => ({ x, text: "a\nb" }), after2)];
      const whole = `${JSON.stringify({ ...before, items: items.map((x) => ({ x, text: "a\nb" })), ...after2 }, null, 2)}\n`;
      expect(pieces.join("")).toBe(whole);
      if (items.length > 1) expect(pieces.length).toBeGreaterThanOrEqual(items.length + 2);
    }), { numRuns: 500 });
  });
});
