import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FqcError } from "../../src/errors.js";
import { openNpz } from "../../src/checkpoint/npz.js";
import { EXPECTED_NPZ, decodeValues, npzFixture, readTensor } from "./npz-helpers.js";

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

  it("closes its descriptor once, and refuses to stream after close", () => {
    const ck = openNpz(npzFixture("stored.npz"));
    ck.close();
    ck.close();
    expect(() => ck.stream(ck.tensors[0], 16)).toThrow(/closed/);
  });
});
