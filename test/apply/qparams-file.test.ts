/**
 * The --qparams-out header is written member by member; it must be the JSON of the object
 * { __metadata__, <tensor>.scale, <tensor>.zero_point, ... } exactly, names of any characters included.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, describe, expect, it, vi } from "vitest";
import { QparamsFile, qparamTensorDtype, type QparamsEntry } from "../../src/apply/qparams-file.js";
import { ITEM_BYTES } from "../../src/apply/tensor-io.js";
import { FqcError } from "../../src/errors.js";
import { AtomicFile } from "../../src/npy/atomic.js";
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

  it("is the same text when written in several pieces (a header of ~2.5 MB), and each tensor's target is where the header says", () => {
    const entries: QparamsEntry[] = Array.from({ length: 12_000 }, (_, i) => ({
      tensor: `model.layers.${i}.é\u{1F600}"q\\proj.weight`,
      shape: i % 3 === 0 ? [i % 7, 2] : [1 + (i % 5)],
      scalePrecision: (["float32", "bfloat16", "float16", "float64"] as const)[i % 4],
      zeroPointPrecision: (["int32", "int8", "float32", "bfloat16"] as const)[i % 4],
    }));
    const path = tmp.path("many.safetensors");
    const file = QparamsFile.create(path, entries);
    const targets = entries.map((e) => file.target(e.tensor)!);
    expect(file.target("not there")).toBeUndefined();
    file.commit();
    const bytes = readFileSync(path);
    const length = Number(bytes.readBigUInt64LE(0));
    expect(length).toBeGreaterThan(2 << 20);
    const text = bytes.subarray(8, 8 + length).toString("utf8");
    expect(text.trimEnd()).toBe(reference(entries));
    const header = JSON.parse(text) as Record<string, { dtype: string; data_offsets: [number, number] }>;
    entries.forEach((e, i) => {
      expect(targets[i].scale).toMatchObject({ dataOffset: 8 + length + header[`${e.tensor}.scale`].data_offsets[0], dtype: header[`${e.tensor}.scale`].dtype });
      expect(targets[i].zeroPoint).toMatchObject({ dataOffset: 8 + length + header[`${e.tensor}.zero_point`].data_offsets[0], dtype: header[`${e.tensor}.zero_point`].dtype });
    });
  });
});

describe("QparamsFile.create failing", () => {
  it("while the header is written leaves no temp file and no output", () => {
    mkdirSync(tmp.path("failing"));
    const path = tmp.path("failing/q.safetensors");
    const write = vi.spyOn(AtomicFile.prototype, "write").mockImplementationOnce(() => {
      throw new FqcError("IO", `${path}: cannot write: no space left on device`);
    });
    try {
      expect(() => QparamsFile.create(path, [{ tensor: "w", shape: [4, 1], scalePrecision: "float32", zeroPointPrecision: "int32" }])).toThrow(/no space left/);
    } finally {
      write.mockRestore();
    }
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(tmp.path("failing"))).toEqual([]);
  });
});
