/**
 * The --qparams-out header is written member by member; it must be the JSON of the object
 * { __metadata__, <tensor>.scale, <tensor>.zero_point, ... } exactly, names of any characters included.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { QparamsFile, qparamTensorDtype, type QparamsEntry } from "../../src/apply/qparams-file.js";
import { ITEM_BYTES } from "../../src/apply/tensor-io.js";
import type { ScalePrecision, ZeroPointPrecision } from "../../src/config/types.js";
import { tempDir } from "../helpers/cli.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** The header as an object stringified: the obviously right text. */
function reference(entries: readonly QparamsEntry[]): string {
  const header: Record<string, unknown> = { __metadata__: { format: "pt" } };
  let offset = 0;
  for (const e of entries) {
    const count = e.shape.reduce((a, b) => a * b, 1);
    const scale = qparamTensorDtype(e.scalePrecision);
    const zp = qparamTensorDtype(e.zeroPointPrecision);
    const s = count * ITEM_BYTES[scale];
    const z = count * ITEM_BYTES[zp];
    header[`${e.tensor}.scale`] = { dtype: scale, shape: e.shape, data_offsets: [offset, offset + s] };
    header[`${e.tensor}.zero_point`] = { dtype: zp, shape: e.shape, data_offsets: [offset + s, offset + s + z] };
    offset += s + z;
  }
  return JSON.stringify(header);
}

let n = 0;
describe("QparamsFile header", () => {
  it("is JSON.stringify of the header object, padded to 8 bytes", () => {
    const entry = fc.record({
      tensor: fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !/^(0|[1-9][0-9]*)$/.test(s)),
      shape: fc.array(fc.nat(4), { maxLength: 2 }),
      scalePrecision: fc.constantFrom<ScalePrecision>("float32", "bfloat16", "float16", "float64"),
      zeroPointPrecision: fc.constantFrom<ZeroPointPrecision>("int32", "int8", "float32", "bfloat16"),
    });
    fc.assert(fc.property(fc.uniqueArray(entry, { selector: (e) => e.tensor, maxLength: 6 }), (entries) => {
      const path = tmp.path(`q${n++}.safetensors`);
      const file = QparamsFile.create(path, entries);
      file.commit();
      const bytes = readFileSync(path);
      const length = Number(bytes.readBigUInt64LE(0));
      const text = bytes.subarray(8, 8 + length).toString("utf8");
      expect(length % 8).toBe(0);
      expect(text.trimEnd()).toBe(reference(entries));
    }), { numRuns: 200 });
  });
});
