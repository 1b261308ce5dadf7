import * as fs from "node:fs";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { halfToNumber, numberToHalf } from "../../src/npy/float16.js";
import { NpyRowReader } from "../../src/npy/reader.js";
import { AtomicNpyWriter } from "../../src/npy/writer.js";
import { tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const DESCRS = ["<f2", ">f2", "<f4", ">f4", "<f8", ">f8"] as const;
/** What a value becomes once stored as `descr`. */
const stored = (descr: string, v: number) => (descr.endsWith("f2") ? halfToNumber(numberToHalf(v)) : descr.endsWith("f4") ? Math.fround(v) : v);
const same = (a: number, b: number) => (Number.isNaN(a) ? Number.isNaN(b) : Object.is(a, b));

describe("writer -> reader round trip (property)", () => {
  it("any shape, descr, source type, write chunking and read chunking gives back the stored values", () => {
    let n = 0;
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 3 }),
      fc.constantFrom(...DESCRS),
      fc.boolean(),
      fc.array(fc.double(), { minLength: 200, maxLength: 200 }),
      fc.integer({ min: 1, max: 7 }),
      fc.integer({ min: 1, max: 4 }),
      (shape, descr, f32Source, pool, writeChunk, readRowsPerCall) => {
        const total = shape.reduce((a, b) => a * b, 1);
        const values = Array.from({ length: total }, (_, i) => pool[i % pool.length]);
        const src = f32Source ? Float32Array.from(values) : Float64Array.from(values);
        const p = tmp.file(`rt${n++}.npy`);
        const w = AtomicNpyWriter.create(p, { descr, shape });
        for (let i = 0; i < total; i += writeChunk) w.writeRows(src.subarray(i), Math.min(writeChunk, total - i));
        w.commit();

        const r = NpyRowReader.open(p, { scratchBytes: 24 });
        expect(r.header.shape).toEqual(shape);
        expect(r.header.descr).toBe(descr);
        const wide = !f32Source || descr.endsWith("f8");
        const got = wide ? new Float64Array(total) : new Float32Array(total);
        const buf = wide ? new Float64Array(readRowsPerCall * r.rowLength) : new Float32Array(readRowsPerCall * r.rowLength);
        for (let row = 0; row < r.rows; row += readRowsPerCall) {
          const k = Math.min(readRowsPerCall, r.rows - row);
          r.readRows(row, k, buf);
          got.set(buf.subarray(0, k * r.rowLength), row * r.rowLength);
        }
        r.close();
        fs.unlinkSync(p);
        for (let i = 0; i < total; i++) {
          if (!same(got[i], stored(descr, src[i]))) throw new Error(`${descr} ${i}: ${got[i]} != ${stored(descr, src[i])} (from ${src[i]})`);
        }
      },
    ), { numRuns: 300 });
  });
});
