import * as fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { encodeNpyHeader } from "../../src/npy/header.js";
import { fortranToC, readNpy, WHOLE_READ_LIMIT, writeNpyAtomic } from "../../src/npy/whole.js";
import { EXPECTED, expectedFloats, fixture, sameValues, tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const NAMES = Object.keys(EXPECTED).filter((k) => k.endsWith(".npy"));

describe("readNpy", () => {
  it.each(NAMES)("%s: values in C order, host byte order", (name) => {
    const { header, data } = readNpy(fixture(name));
    const want = EXPECTED[name];
    expect(header.shape).toEqual(want.shape);
    if (header.dtype.startsWith("float")) expect(sameValues(data as Float32Array, expectedFloats(name))).toBe(true);
    else expect(Array.from(data as ArrayLike<number | bigint>, String)).toEqual(want.values);
  });
  it.each([
    ["le_f2_2x5.npy", Float32Array], ["le_f4_3x4.npy", Float32Array], ["be_f8_2x3.npy", Float64Array], ["int_i1_4.npy", Int8Array],
    ["int_i2_2x2.npy", Int16Array], ["qparams_i4_3x2.npy", Int32Array], ["int_i8_3.npy", BigInt64Array], ["int_u1_3.npy", Uint8Array],
    ["bool_4.npy", Uint8Array],
  ] as const)("%s comes back as a %s", (name, T) => {
    expect(readNpy(fixture(name)).data).toBeInstanceOf(T);
  });
  it("keeps int64 values beyond 2^53 exact", () => {
    expect(Array.from(readNpy(fixture("int_i8_3.npy")).data as BigInt64Array)).toEqual([-(2n ** 63n), 2n ** 53n + 1n, 2n ** 63n - 1n]);
  });
  it("transposes Fortran-order integer data to C order", () => {
    expect(Array.from(readNpy(fixture("fortran_i4_2x3.npy")).data as Int32Array)).toEqual([0, 1, 2, 3, 4, 5]);
  });
  it("fortranToC handles rank 3 and 0-size shapes", () => {
    // F order of shape (2, 3, 2): element (i, j, k) at i + 2j + 6k; value = C index.
    const f = new Float64Array(12);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 2; k++) f[i + 2 * j + 6 * k] = i * 6 + j * 2 + k;
    expect(Array.from(fortranToC(f, [2, 3, 2]))).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(fortranToC(new Float32Array(0), [0, 3]).length).toBe(0);
  });
  it("refuses to load huge arrays whole (checked before reading the data)", () => {
    const p = tmp.file("huge.npy");
    const header = encodeNpyHeader({ descr: "<f4", shape: [WHOLE_READ_LIMIT / 4 + 1] });
    fs.writeFileSync(p, header);
    fs.truncateSync(p, header.length + WHOLE_READ_LIMIT + 4); // sparse: no disk used
    expect(() => readNpy(p)).toThrow("too large to load whole");
  });
  it("refuses hostile files like the header parser does", () => {
    const p = tmp.file("pickle.npy");
    fs.writeFileSync(p, Buffer.concat([encodeNpyHeader({ descr: "<f8", shape: [1] }).map((b) => b), Buffer.alloc(8)]).toString("latin1").replace("<f8", "|O8"), "latin1");
    expect(() => readNpy(p)).toThrow("pickle");
  });
});

describe("writeNpyAtomic", () => {
  it.each(["qparams_i4_3x2.npy", "int_i1_4.npy", "int_i2_2x2.npy", "int_u1_3.npy", "bool_4.npy", "int_i8_3.npy", "le_f2_2x5.npy", "le_f4_3x4.npy", "be_f8_2x3.npy"])(
    "rewrites %s byte for byte like numpy",
    (name) => {
      const { header, data } = readNpy(fixture(name));
      const p = tmp.file(`w-${name}`);
      writeNpyAtomic(p, header.descr, header.shape, data);
      expect(fs.readFileSync(p)).toEqual(fs.readFileSync(fixture(name)));
    },
  );
  it("takes plain number arrays, including int64 via BigInt conversion", () => {
    const p = tmp.file("i8.npy");
    writeNpyAtomic(p, "<i8", [2], [-5, 2 ** 53 - 1]);
    expect(Array.from(readNpy(p).data as BigInt64Array)).toEqual([-5n, 2n ** 53n - 1n]);
    writeNpyAtomic(p, "<f2", [3], [0.1, 70000, -0]);
    expect(Array.from(readNpy(p).data as Float32Array)).toEqual([0.0999755859375, Infinity, -0]);
  });
  it("refuses a length that does not match the shape, leaving no temp file", () => {
    const p = tmp.file("len.npy");
    expect(() => writeNpyAtomic(p, "<i4", [2, 2], [1, 2, 3])).toThrow("cannot write 3 values as shape (2, 2), which holds 4");
    expect(fs.readdirSync(tmp.dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(fs.existsSync(p)).toBe(false);
  });
  it("refuses values an integer dtype cannot hold", () => {
    expect(() => writeNpyAtomic(tmp.file("b.npy"), "|b1", [1], [2])).toThrow("cannot be stored as bool");
    expect(() => writeNpyAtomic(tmp.file("b.npy"), "<i8", [1], [0.5])).toThrow("cannot be stored as int64");
    expect(() => writeNpyAtomic(tmp.file("b.npy"), "<u8", [1], [-1n])).toThrow("cannot be stored as uint64");
  });
  it("honours protect and force", () => {
    const p = tmp.file("in.npy");
    writeNpyAtomic(p, "<i4", [1], [1]);
    expect(() => writeNpyAtomic(p, "<i4", [1], [2], { protect: [p] })).toThrow("is the same file as the input");
    writeNpyAtomic(p, "<i4", [1], [2], { protect: [p], force: true });
    expect(Array.from(readNpy(p).data as Int32Array)).toEqual([2]);
  });
});
