import * as fs from "node:fs";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { FqcError } from "../../src/errors.js";
import { encodeNpyHeader } from "../../src/npy/header.js";
import { numberToHalf } from "../../src/npy/float16.js";
import { NpyRowReader, SCRATCH_BYTES } from "../../src/npy/reader.js";
import { EXPECTED, expectedFloats, fixture, sameValues, tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const FLOAT_FIXTURES = Object.keys(EXPECTED).filter((k) => k.endsWith(".npy") && /^[<>|]f/.test(EXPECTED[k].descr));
const F32_OK = FLOAT_FIXTURES.filter((k) => !EXPECTED[k].descr.endsWith("f8"));

function readAll(path: string, Dest: Float32ArrayConstructor | Float64ArrayConstructor, opts = {}): Float32Array | Float64Array {
  const r = NpyRowReader.open(path, opts);
  try {
    const dest = new Dest(r.rows * r.rowLength);
    r.readRows(0, r.rows, dest);
    return dest;
  } finally {
    r.close();
  }
}

describe("NpyRowReader reads numpy's files in C order", () => {
  it.each(FLOAT_FIXTURES)("%s into a Float64Array", (name) => {
    expect(sameValues(readAll(fixture(name), Float64Array), expectedFloats(name))).toBe(true);
  });
  it.each(F32_OK)("%s into a Float32Array", (name) => {
    expect(sameValues(readAll(fixture(name), Float32Array), expectedFloats(name))).toBe(true);
  });
  it.each(F32_OK)("%s with a tiny scratch buffer (chunked conversion, split Fortran runs)", (name) => {
    expect(sameValues(readAll(fixture(name), Float32Array, { scratchBytes: 8, maxGapBytes: 0 }), expectedFloats(name))).toBe(true);
    expect(sameValues(readAll(fixture(name), Float64Array, { scratchBytes: 12 }), expectedFloats(name))).toBe(true);
  });
  it("every row range of every float fixture matches the same slice of the C-order values", () => {
    for (const name of FLOAT_FIXTURES) {
      const want = expectedFloats(name);
      const dests = EXPECTED[name].descr.endsWith("f8") ? [Float64Array] : [Float64Array, Float32Array];
      for (const [scratchBytes, Dest] of [undefined, 16].flatMap((b) => dests.map((D) => [b, D] as const))) {
        const r = NpyRowReader.open(fixture(name), { scratchBytes });
        for (let start = 0; start <= r.rows; start++) {
          for (let count = 0; start + count <= r.rows; count++) {
            const dest = new Dest(count * r.rowLength + 2).fill(42);
            r.readRows(start, count, dest);
            const slice = want.subarray(start * r.rowLength, (start + count) * r.rowLength);
            expect(sameValues(dest.subarray(0, slice.length), slice), `${name} [${start}, +${count}) into ${Dest.name}`).toBe(true);
            expect([dest[slice.length], dest[slice.length + 1]]).toEqual([42, 42]); // nothing written past the rows
          }
        }
        r.close();
      }
    }
  });
  it("uses the last dimension as the row; 0-d and 1-D are one row", () => {
    const shapes: Record<string, [number, number]> = {
      "scalar_f4.npy": [1, 1], "le_f8_6.npy": [1, 6], "le_f4_3x4.npy": [3, 4], "fortran_f4_2x3x4.npy": [6, 4],
      "fortran_f2_3x2x2x5.npy": [12, 5], "empty_f4_0x4.npy": [0, 4], "empty_f4_3x0.npy": [3, 0],
    };
    for (const [name, [rows, rowLength]] of Object.entries(shapes)) {
      const r = NpyRowReader.open(fixture(name));
      expect([r.rows, r.rowLength], name).toEqual([rows, rowLength]);
      r.close();
    }
  });
  it("reads empty tensors without touching the data", () => {
    const r = NpyRowReader.open(fixture("empty_f4_3x0.npy"));
    r.readRows(0, 3, new Float32Array(0));
    r.close();
  });
  it("keeps float16 NaN payloads when widening into a Float32Array", () => {
    const p = tmp.file("nan16.npy");
    fs.writeFileSync(p, Buffer.concat([encodeNpyHeader({ descr: "<f2", shape: [2] }), Buffer.from(Uint16Array.of(0x7c01, 0xfe00).buffer)]));
    const dest = new Float32Array(2);
    const r = NpyRowReader.open(p);
    r.readRows(0, 1, dest);
    r.close();
    expect(Array.from(new Uint32Array(dest.buffer))).toEqual([0x7f802000, 0xffc00000]);
  });
  it("reads into a Float32Array view on a SharedArrayBuffer at an offset", () => {
    const sab = new SharedArrayBuffer(4 * 20);
    const dest = new Float32Array(sab, 8, 12);
    const r = NpyRowReader.open(fixture("be_f4_3x4.npy"));
    r.readRows(0, 3, dest);
    r.close();
    expect(sameValues(dest, expectedFloats("be_f4_3x4.npy"))).toBe(true);
    expect(new Float32Array(sab, 0, 2)).toEqual(new Float32Array(2));
  });
});

/** Independent C -> Fortran transposition for building test files. */
function toFortran(c: Float32Array, shape: number[]): Float32Array {
  const out = new Float32Array(c.length);
  const nd = shape.length;
  for (let i = 0; i < c.length; i++) {
    let rest = i;
    let f = 0;
    const idx = new Array<number>(nd);
    for (let k = nd - 1; k >= 0; k--) { idx[k] = rest % shape[k]; rest = Math.floor(rest / shape[k]); }
    for (let k = nd - 1; k >= 0; k--) f = f * shape[k] + idx[k];
    out[f] = c[i];
  }
  return out;
}

describe("NpyRowReader on Fortran-order files", () => {
  it("returns the same rows as the C-order file of the same data (fixtures)", () => {
    expect(sameValues(readAll(fixture("fortran_f4_3x4.npy"), Float32Array), readAll(fixture("le_f4_3x4.npy"), Float32Array))).toBe(true);
    expect(sameValues(readAll(fixture("fortran_be_f4_3x4.npy"), Float64Array), expectedFloats("le_f4_3x4.npy"))).toBe(true);
  });
  it("matches C order for random shapes, row ranges, scratch sizes and gap limits (ranks 2-4)", () => {
    let n = 0;
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 2, maxLength: 4 }),
      fc.nat(), fc.nat(), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 0, max: 32 }), fc.boolean(),
      (shape, a, b, scratchItems, gapItems, bigEndian) => {
        const total = shape.reduce((x, y) => x * y, 1);
        const c = Float32Array.from({ length: total }, (_, i) => i + 0.5);
        const fData = toFortran(c, shape);
        const bytes = Buffer.from(fData.buffer);
        if (bigEndian) bytes.swap32();
        const p = tmp.file(`f${n++}.npy`);
        fs.writeFileSync(p, Buffer.concat([encodeNpyHeader({ descr: bigEndian ? ">f4" : "<f4", shape, fortranOrder: true }), bytes]));
        const r = NpyRowReader.open(p, { scratchBytes: scratchItems * 4, maxGapBytes: gapItems * 4 });
        const r0 = a % r.rows;
        const count = b % (r.rows - r0 + 1);
        const dest = new Float32Array(count * r.rowLength);
        r.readRows(r0, count, dest);
        r.close();
        fs.unlinkSync(p);
        expect(Array.from(dest)).toEqual(Array.from(c.subarray(r0 * r.rowLength, (r0 + count) * r.rowLength)));
      },
    ), { numRuns: 200 });
  });
});

describe("NpyRowReader on Fortran-order float64 and float16 files", () => {
  it.each(["<f8", ">f8", "<f2", ">f2"])("%s: matches C order for random shapes, row ranges, scratch sizes and gap limits", (descr) => {
    const itemSize = Number(descr.slice(2));
    let n = 0;
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 2, maxLength: 4 }),
      fc.nat(), fc.nat(), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 0, max: 32 }), fc.boolean(),
      (shape, a, b, scratchItems, gapItems, intoF64) => {
        const total = shape.reduce((x, y) => x * y, 1);
        const c = Float32Array.from({ length: total }, (_, i) => i - 100.5 * (i % 2)); // exact in float16 too
        const fData = toFortran(c, shape);
        const bytes = itemSize === 8 ? Buffer.from(Float64Array.from(fData).buffer) : Buffer.from(Uint16Array.from(fData, numberToHalf).buffer);
        if (descr[0] === ">") { if (itemSize === 8) bytes.swap64(); else bytes.swap16(); }
        const p = tmp.file(`g${n++}.npy`);
        fs.writeFileSync(p, Buffer.concat([encodeNpyHeader({ descr, shape, fortranOrder: true }), bytes]));
        const r = NpyRowReader.open(p, { scratchBytes: scratchItems * itemSize, maxGapBytes: gapItems * itemSize });
        const r0 = a % r.rows;
        const count = b % (r.rows - r0 + 1);
        const dest = itemSize === 8 || intoF64 ? new Float64Array(count * r.rowLength) : new Float32Array(count * r.rowLength);
        r.readRows(r0, count, dest);
        r.close();
        fs.unlinkSync(p);
        expect(Array.from(dest)).toEqual(Array.from(c.subarray(r0 * r.rowLength, (r0 + count) * r.rowLength)));
      },
    ), { numRuns: 100 });
  });
  it("keeps float16 NaN payloads when widening a Fortran-order file into a Float32Array", () => {
    const p = tmp.file("nan16-fortran.npy");
    // Fortran order: column 0 is (0x7c01, 0x3c00), column 1 is (0xfe00, 0x7d55).
    const halves = Uint16Array.of(0x7c01, 0x3c00, 0xfe00, 0x7d55);
    fs.writeFileSync(p, Buffer.concat([encodeNpyHeader({ descr: "<f2", shape: [2, 2], fortranOrder: true }), Buffer.from(halves.buffer)]));
    const dest = new Float32Array(4);
    const r = NpyRowReader.open(p);
    r.readRows(0, 2, dest);
    r.close();
    expect(Array.from(new Uint32Array(dest.buffer))).toEqual([0x7f802000, 0xffc00000, 0x3f800000, 0x7faaa000]);
  });
  it("reads a 1-D or 0-D array flagged Fortran-order as it reads C order (the same bytes)", () => {
    for (const shape of [[5], []]) {
      const values = Float32Array.from({ length: shape.length ? 5 : 1 }, (_, i) => i + 0.25);
      const p = tmp.file(`fortran-${shape.length}d.npy`);
      fs.writeFileSync(p, Buffer.concat([encodeNpyHeader({ descr: "<f4", shape, fortranOrder: true }), Buffer.from(values.buffer)]));
      const r = NpyRowReader.open(p, { scratchBytes: 8 });
      const dest = new Float64Array(values.length);
      r.readRows(0, 1, dest);
      r.close();
      expect(Array.from(dest), `shape (${shape.join(",")})`).toEqual(Array.from(values));
    }
  });
});

describe("NpyRowReader's memory", () => {
  it("converts through one scratch buffer of at most SCRATCH_BYTES, however large the file", () => {
    // 64 MiB of float32 (a sparse file: no disk used) read into float64: the conversion goes through the scratch buffer.
    const p = tmp.file("big-sparse.npy");
    const header = encodeNpyHeader({ descr: "<f4", shape: [16, 1 << 20] });
    fs.writeFileSync(p, header);
    fs.truncateSync(p, header.length + 64 * 2 ** 20);
    const dest = new Float64Array(1 << 20);
    const r = NpyRowReader.open(p);
    try {
      const before = process.memoryUsage().arrayBuffers;
      r.readRows(3, 1, dest);
      const grown = process.memoryUsage().arrayBuffers - before;
      expect(grown).toBeLessThanOrEqual(SCRATCH_BYTES + (1 << 20));
      expect(dest.every((v) => v === 0)).toBe(true);
    } finally {
      r.close();
      fs.unlinkSync(p);
    }
  });
});

describe("NpyRowReader refuses what it cannot read", () => {
  it("validates the header against the file size on open", () => {
    const p = tmp.file("trail.npy");
    fs.writeFileSync(p, Buffer.concat([fs.readFileSync(fixture("le_f4_3x4.npy")), Buffer.from([0, 0, 0, 0])]));
    expect(() => NpyRowReader.open(p)).toThrow("4 unexpected trailing bytes");
  });
  it.skipIf(!fs.existsSync("/proc/self/fd"))("closes the file when the header is refused", () => {
    const p = tmp.file("trail-fds.npy");
    fs.writeFileSync(p, Buffer.concat([fs.readFileSync(fixture("le_f4_3x4.npy")), Buffer.from([0, 0, 0, 0])]));
    const before = fs.readdirSync("/proc/self/fd").length;
    expect(() => NpyRowReader.open(p)).toThrow("trailing bytes");
    expect(fs.readdirSync("/proc/self/fd").length).toBe(before);
  });
  it("integer tensors are an NPY error naming the dtype", () => {
    const r = NpyRowReader.open(fixture("qparams_i4_3x2.npy"));
    try {
      r.readRows(0, 1, new Float32Array(2));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FqcError);
      expect((e as FqcError).message).toContain("dtype <i4 (int32) is not a float tensor");
      expect((e as FqcError).hint).toBe("Give a float16, float32 or float64 array.");
    } finally {
      r.close();
    }
  });
  it("float64 into a Float32Array is refused (it would round)", () => {
    const r = NpyRowReader.open(fixture("be_f8_2x3.npy"));
    expect(() => r.readRows(0, 1, new Float32Array(3))).toThrow(expect.objectContaining({
      message: expect.stringContaining("cannot be read into float32 without rounding"), hint: "Read it into a Float64Array." }));
    r.close();
  });
  it("row ranges outside the tensor and short destinations are caller bugs (RangeError)", () => {
    const r = NpyRowReader.open(fixture("le_f4_3x4.npy"));
    expect(() => r.readRows(2, 2, new Float32Array(8))).toThrow(new RangeError(`${r.path}: rows [2, 4) are outside 0..3`));
    expect(() => r.readRows(1, -1, new Float32Array(4))).toThrow(new RangeError(`${r.path}: rows [1, 0) are outside 0..3`));
    expect(() => r.readRows(-1, 1, new Float32Array(4))).toThrow(RangeError);
    expect(() => r.readRows(0.5, 1, new Float32Array(4))).toThrow(RangeError);
    expect(() => r.readRows(0, 2, new Float32Array(7))).toThrow("destination holds 7 values, 8 needed");
    r.close();
  });
  it("a closed reader cannot read; close twice is fine", () => {
    const r = NpyRowReader.open(fixture("le_f4_3x4.npy"));
    r.close();
    r.close();
    expect(() => r.readRows(0, 1, new Float32Array(4))).toThrow("closed");
  });
  it("a file truncated after open is reported, not silently zero-filled", () => {
    const p = tmp.file("shrink.npy");
    fs.copyFileSync(fixture("le_f4_3x4.npy"), p);
    const r = NpyRowReader.open(p);
    fs.truncateSync(p, 140);
    expect(() => r.readRows(0, 3, new Float32Array(12))).toThrow("file ended early");
    r.close();
  });
  it("a second reader over the same descriptor reads the same rows and leaves the descriptor open", () => {
    const owner = NpyRowReader.open(fixture("le_f4_3x4.npy"));
    const second = NpyRowReader.overDescriptor(owner.path, owner.fd, owner.header);
    const a = new Float32Array(8);
    const b = new Float32Array(8);
    second.readRows(1, 2, b);
    owner.readRows(1, 2, a);
    expect(Array.from(b)).toEqual(Array.from(a));
    second.close();
    expect(() => fs.fstatSync(owner.fd)).not.toThrow(); // still open: the owner closes it
    owner.readRows(0, 1, a);
    const fd = owner.fd;
    owner.close();
    expect(() => fs.fstatSync(fd)).toThrow();
    expect(() => owner.fd).toThrow("closed");
  });
  it("missing files and directories are IO errors", () => {
    expect(() => NpyRowReader.open(tmp.file("nope.npy"))).toThrow(expect.objectContaining({ code: "IO" }));
    expect(() => NpyRowReader.open(tmp.dir)).toThrow("is a directory");
  });
});
