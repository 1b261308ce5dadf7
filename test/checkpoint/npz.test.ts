import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FqcError } from "../../src/errors.js";
import { openNpz } from "../../src/checkpoint/npz.js";
import { encodeNpyHeader } from "../../src/npy/header.js";
import { EXPECTED_NPZ, craftZip, decodeValues, npzFixture, readTensor } from "./npz-helpers.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fqc-npz-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const DTYPE: Record<string, string> = { "<f4": "F32", ">f4": "F32", "<f2": "F16", "|i1": "I8", "|b1": "BOOL", "<f8": "F64" };

describe.each(["stored.npz", "compressed.npz", "zip64.npz", "streamed.npz"])("reading numpy's %s", (file) => {
  it("lists every member as a tensor, in archive order, with numpy's dtype, shape and layout", () => {
    const ck = openNpz(npzFixture(file));
    try {
      expect(ck.format).toBe("npz");
      expect(ck.metadata).toBeNull();
      expect(ck.tensors.map((t) => t.name)).toEqual(Object.keys(EXPECTED_NPZ));
      for (const t of ck.tensors) {
        const want = EXPECTED_NPZ[t.name];
        expect(t.shape).toEqual(want.shape);
        expect(t.dtype).toBe(DTYPE[want.descr]);
        expect(t.byteOrder).toBe(want.descr[0] === ">" ? "big" : "little");
        expect(t.fortranOrder).toBe(want.fortran_order);
        expect(t.file).toBe(npzFixture(file));
        expect(t.byteLength).toBe(want.values.length * Number(want.descr.slice(2)));
      }
    } finally {
      ck.close();
    }
  });

  it("streams every tensor's values as numpy saved them, in pieces of at most maxBytes", () => {
    const ck = openNpz(npzFixture(file));
    try {
      for (const t of ck.tensors) {
        const want = EXPECTED_NPZ[t.name];
        for (const maxBytes of [1, 7, 1 << 20]) {
          const got = decodeValues(readTensor(ck, t, maxBytes), want.descr);
          expect(got).toEqual(want.values.map((v) => (want.descr.endsWith("f4") ? Math.fround(v) : v)));
        }
      }
    } finally {
      ck.close();
    }
  });
});

describe("dtypes", () => {
  it("names every numeric numpy dtype as safetensors does (int16 → I16 … uint64 → U64)", () => {
    const descrs: Record<string, string> = {
      "<f2": "F16", "<f4": "F32", "<f8": "F64", "|i1": "I8", "<i2": "I16", "<i4": "I32", "<i8": "I64",
      "|u1": "U8", "<u2": "U16", "<u4": "U32", "<u8": "U64", "|b1": "BOOL",
    };
    const members = Object.keys(descrs).map((descr, i) => {
      const header = encodeNpyHeader({ descr, shape: [0] });
      return { name: `t${i}.npy`, payload: header };
    });
    const file = path.join(tmp, "dtypes.npz");
    fs.writeFileSync(file, craftZip(members));
    const ck = openNpz(file);
    try {
      expect(ck.tensors.map((t) => t.dtype)).toEqual(Object.values(descrs));
    } finally {
      ck.close();
    }
  });
});

describe("data offsets", () => {
  it("gives stored members their absolute data offset, where the file holds the tensor's bytes", () => {
    const ck = openNpz(npzFixture("stored.npz"));
    const bytes = fs.readFileSync(npzFixture("stored.npz"));
    try {
      for (const t of ck.tensors) {
        expect(t.dataOffset).not.toBeNull();
        expect(new Uint8Array(bytes.subarray(t.dataOffset!, t.dataOffset! + t.byteLength))).toEqual(readTensor(ck, t, 1 << 20));
      }
    } finally {
      ck.close();
    }
  });

  it("gives deflated members no data offset (they can only be streamed)", () => {
    const ck = openNpz(npzFixture("compressed.npz"));
    try {
      expect(ck.tensors.every((t) => t.dataOffset === null)).toBe(true);
    } finally {
      ck.close();
    }
  });
});

describe("opening", () => {
  it("refuses a directory, naming an .npz archive in the hint", () => {
    const err = (() => { try { openNpz(tmp); } catch (e) { return e; } })() as FqcError;
    expect(err).toBeInstanceOf(FqcError);
    expect(err.message).toContain("is a directory");
    expect(err.hint).toContain(".npz archive");
  });

  it("refuses a missing file as an I/O error naming it", () => {
    expect(() => openNpz(path.join(tmp, "nope.npz"))).toThrow(/nope\.npz: cannot open: no such file/);
  });

  it("refuses to stream a tensor of another archive, or in pieces of less than a byte", () => {
    const ck = openNpz(npzFixture("stored.npz"));
    try {
      expect(() => ck.stream({ ...ck.tensors[0], name: "other" }, 16)).toThrow(/tensor 'other' is not from this archive/);
      expect(() => ck.stream(ck.tensors[0], 0)).toThrow(/maxBytes must be at least 1, got 0/);
      expect(() => ck.stream(ck.tensors[0], NaN)).toThrow(/maxBytes must be at least 1, got NaN/);
    } finally {
      ck.close();
    }
  });

  it("closes its descriptor once, and refuses to stream after close", () => {
    const ck = openNpz(npzFixture("stored.npz"));
    ck.close();
    ck.close();
    expect(() => ck.stream(ck.tensors[0], 16)).toThrow(/closed/);
  });
});

describe("a real ZIP64 archive past 4 GiB (a sparse file: the data is a hole)", () => {
  it("reads a stored member of 4 GiB + 64 bytes whose central directory lies past 4 GiB", () => {
    const file = path.join(tmp, "sparse-zip64.npz");
    const count = 2 ** 30 + 16; // float32 items: 4 GiB + 64 bytes
    const npy = encodeNpyHeader({ descr: "<f4", shape: [count] });
    const usize = npy.length + count * 4;
    const name = Buffer.from("w.npy");
    const local = Buffer.alloc(30 + name.length + 20);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(45, 4);
    local.writeUInt16LE(33, 12);
    local.writeUInt32LE(0xffffffff, 18);
    local.writeUInt32LE(0xffffffff, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(20, 28);
    name.copy(local, 30);
    local.writeUInt16LE(1, 35);
    local.writeUInt16LE(16, 37);
    local.writeBigUInt64LE(BigInt(usize), 39);
    local.writeBigUInt64LE(BigInt(usize), 47);
    const cdOffset = local.length + usize;
    const central = Buffer.alloc(46 + name.length + 20);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x032d, 4);
    central.writeUInt16LE(45, 6);
    central.writeUInt16LE(33, 14);
    central.writeUInt32LE(0xffffffff, 20);
    central.writeUInt32LE(0xffffffff, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(20, 30);
    name.copy(central, 46);
    central.writeUInt16LE(1, 51);
    central.writeUInt16LE(16, 53);
    central.writeBigUInt64LE(BigInt(usize), 55);
    central.writeBigUInt64LE(BigInt(usize), 63);
    const end = Buffer.alloc(56 + 20 + 22);
    end.writeUInt32LE(0x06064b50, 0);
    end.writeBigUInt64LE(44n, 4);
    end.writeUInt16LE(45, 12);
    end.writeUInt16LE(45, 14);
    end.writeBigUInt64LE(1n, 24);
    end.writeBigUInt64LE(1n, 32);
    end.writeBigUInt64LE(BigInt(central.length), 40);
    end.writeBigUInt64LE(BigInt(cdOffset), 48);
    end.writeUInt32LE(0x07064b50, 56);
    end.writeBigUInt64LE(BigInt(cdOffset + central.length), 64);
    end.writeUInt32LE(1, 72);
    end.writeUInt32LE(0x06054b50, 76);
    end.writeUInt16LE(1, 84);
    end.writeUInt16LE(1, 86);
    end.writeUInt32LE(central.length, 88);
    end.writeUInt32LE(0xffffffff, 92);
    const fd = fs.openSync(file, "w");
    try {
      fs.writeSync(fd, local, 0, local.length, 0);
      fs.writeSync(fd, npy, 0, npy.length, local.length);
      fs.writeSync(fd, central, 0, central.length, cdOffset);
      fs.writeSync(fd, end, 0, end.length, cdOffset + central.length);
    } finally {
      fs.closeSync(fd);
    }
    const ck = openNpz(file);
    try {
      const [t] = ck.tensors;
      expect([t.name, t.dtype, t.shape, t.byteLength]).toEqual(["w", "F32", [count], count * 4]);
      expect(t.dataOffset).toBe(local.length + npy.length);
      expect(ck.directory.zip64End?.cdOffset).toBe(cdOffset);
      const first = ck.stream(t, 64)[Symbol.iterator]().next();
      expect(first.value).toEqual(new Uint8Array(64));
    } finally {
      ck.close();
      fs.rmSync(file);
    }
  });
});
