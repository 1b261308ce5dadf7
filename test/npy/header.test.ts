import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { FqcError } from "../../src/errors.js";
import { encodeNpyHeader, MAX_HEADER_SIZE, parseNpyHeader, readNpyHeader } from "../../src/npy/header.js";
import { wrapHeaderText } from "../../src/npy/header-encode.js";
import { craftNpy, EXPECTED, f32Bytes, fixture, tempDir } from "./helpers.js";

const hasMkfifo = process.platform !== "win32" && spawnSync("mkfifo", ["--version"], { stdio: "ignore" }).status === 0;
const hasProcFd = fs.existsSync("/proc/self/fd");
const DICT = (descr: string, shape: string, fortran = "False") => `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;

/** Parse crafted bytes as a whole file and return the FqcError it throws. */
function errorOf(bytes: Uint8Array, fileSize = bytes.length): FqcError {
  try {
    parseNpyHeader(bytes, fileSize, "t.npy");
  } catch (e) {
    expect(e).toBeInstanceOf(FqcError);
    return e as FqcError;
  }
  throw new Error("expected parseNpyHeader to throw");
}

describe("parseNpyHeader on numpy-written files", () => {
  const fixtures = Object.keys(EXPECTED).filter((k) => k.endsWith(".npy"));
  it.each(fixtures)("%s: descr, shape and order match numpy", (name) => {
    const bytes = fs.readFileSync(fixture(name));
    const h = parseNpyHeader(bytes, bytes.length, name);
    const want = EXPECTED[name];
    expect(h.descr).toBe(want.descr);
    expect(h.shape).toEqual(want.shape);
    expect(h.fortranOrder).toBe(want.fortran_order);
    expect(h.elementCount).toBe(want.values.length);
    expect(h.dataOffset + h.dataBytes).toBe(bytes.length);
  });
  it("reports version, dtype, byte order and sizes", () => {
    const bytes = fs.readFileSync(fixture("be_f2_2x5.npy"));
    expect(parseNpyHeader(bytes, bytes.length, "x")).toEqual({
      version: [1, 0], descr: ">f2", dtype: "float16", byteOrder: "big", itemSize: 2, fortranOrder: false,
      shape: [2, 5], dataOffset: 128, elementCount: 10, dataBytes: 20,
    });
  });
  it("reads version 2.0 and 3.0 headers (u32 length)", () => {
    for (const [name, v] of [["v2_f4_2x3.npy", [2, 0]], ["v3_f4_4.npy", [3, 0]]] as const) {
      const bytes = fs.readFileSync(fixture(name));
      const h = parseNpyHeader(bytes, bytes.length, name);
      expect(h.version).toEqual(v);
      expect(h.dataOffset).toBe(bytes.length - h.dataBytes);
    }
  });
  it("accepts an unpadded header (old writers) and a 0-d shape", () => {
    const h = parseNpyHeader(craftNpy(DICT("<f4", "()"), f32Bytes([1])), 10 + DICT("<f4", "()").length + 4, "t");
    expect(h.shape).toEqual([]);
    expect(h.elementCount).toBe(1);
  });
  it("accepts tabs, form feeds and CRs between the tokens (Python's white space: numpy reads such headers)", () => {
    const text = "{'descr':\t'<f4',\f'fortran_order':\r\nFalse,\t'shape':\f(2,)}\t\n";
    expect(parseNpyHeader(craftNpy(text, f32Bytes([1, 2])), 10 + text.length + 8, "t").shape).toEqual([2]);
  });
  it("accepts a header of exactly numpy's 10,000-byte limit", () => {
    const text = DICT("<f4", "(1,)");
    const bytes = craftNpy(text + " ".repeat(MAX_HEADER_SIZE - text.length - 1) + "\n", f32Bytes([1]), { version: [2, 0] });
    expect(parseNpyHeader(bytes, bytes.length, "t").dataOffset).toBe(12 + MAX_HEADER_SIZE);
  });
  it("reads Python 2's L suffix in format 1.0 and 2.0 headers and refuses it in 3.0, as numpy does", () => {
    const text = DICT("<f4", "(2L,)");
    for (const version of [[1, 0], [2, 0]] as Array<[number, number]>) {
      const bytes = craftNpy(text, f32Bytes([1, 2]), { version });
      expect(parseNpyHeader(bytes, bytes.length, "t").shape, version.join(".")).toEqual([2]);
    }
    expect(errorOf(craftNpy(text, f32Bytes([1, 2]), { version: [3, 0] })).message).toContain(
      "header is not a Python dict literal: Python 2's 'L' suffix on an int (NumPy reads it in format 1.0 and 2.0 headers only), found 'L' at offset");
  });
  it("accepts keys in any order and double quotes", () => {
    const text = `{"shape": (2,), "fortran_order": False, "descr": "<f4"}`;
    expect(parseNpyHeader(craftNpy(text, f32Bytes([1, 2])), 10 + text.length + 8, "t").shape).toEqual([2]);
  });
});

describe("parseNpyHeader refuses hostile or broken headers with one clear message", () => {
  const ok = (text: string, data: Uint8Array = new Uint8Array(0), opts: Parameters<typeof craftNpy>[2] = {}) => craftNpy(text, data, opts);

  it("bad magic: not an npy file", () => {
    const e = errorOf(Buffer.from("PK\x03\x04 this is a zip file....."));
    expect(e.code).toBe("NPY");
    expect(e.message).toBe("t.npy: not a .npy file (bad magic bytes)");
    expect(e.file).toBe("t.npy");
    expect(e.hint).toContain("numpy.save");
  });
  it("quotes header characters that would break the message's line escaped (\\n, \\r)", () => {
    expect(errorOf(ok(DICT("\rf4", "(1,)"), f32Bytes([1]))).message).toBe("t.npy: dtype '\\rf4' is not a numpy type string");
    const e = errorOf(ok("{'descr': '<f4\n', 'fortran_order': False, 'shape': (1,), }", f32Bytes([1])));
    expect(e.message).not.toMatch(/[\n\r]/);
    expect(e.message).toContain("\\n");
  });
  it("magic bytes wrong in one byte only", () => {
    const b = ok(DICT("<f4", "(1,)"), f32Bytes([0]));
    b[5] = 0x5a; // \x93NUMPZ
    expect(errorOf(b).message).toBe("t.npy: not a .npy file (bad magic bytes)");
  });
  it("empty and tiny files", () => {
    expect(errorOf(new Uint8Array(0)).message).toContain("truncated header: the file is only 0 bytes long");
    expect(errorOf(Uint8Array.of(0x93, 0x4e, 0x55)).message).toContain("truncated header");
    const e = errorOf(Uint8Array.of(0x50, 0x4b));
    expect(e.message).toContain("bad magic");
    expect(e.hint).toContain("numpy.save");
  });
  it("a file that ends right after the length field: an empty header, not a truncated one", () => {
    // 10 bytes (v1) and 12 bytes (v2) hold every field but the header text, whose length is 0.
    for (const version of [[1, 0], [2, 0]] as Array<[number, number]>) {
      expect(errorOf(ok("", new Uint8Array(0), { version })).message, version.join(".")).toBe(
        "t.npy: header is not a Python dict literal: expected a Python literal, found end of header at offset 0");
    }
  });
  it("a prefix shorter than the fixed fields of a file that holds them is said to be short, not the file", () => {
    const b = ok(DICT("<f4", "(1,)"), f32Bytes([0]), { version: [2, 0] });
    expect(errorOf(b.subarray(0, 6), b.length).message).toBe("t.npy: header truncated: only 6 of 10 header bytes were given");
    expect(errorOf(b.subarray(0, 11), b.length).message).toBe("t.npy: header truncated: only 11 of 12 header bytes were given");
    expect(errorOf(b.subarray(0, 6), 10).message).toBe("t.npy: header truncated: only 6 of 10 header bytes were given");
  });
  it("unsupported version", () => {
    const b = ok(DICT("<f4", "()"), f32Bytes([1]), { version: [4, 0] });
    const e = errorOf(b);
    expect(e.message).toContain("unsupported .npy format version 4.0");
    expect(e.hint).toContain("Re-save it with numpy: np.save(");
    expect(errorOf(ok(DICT("<f4", "()"), f32Bytes([1]), { version: [1, 1] })).message).toContain("version 1.1");
  });
  it("truncated in the v2 length field", () => {
    const b = ok(DICT("<f4", "()"), f32Bytes([1]), { version: [2, 0] }).subarray(0, 10);
    expect(errorOf(b).message).toContain("truncated header");
  });
  it("header_len longer than the file", () => {
    const b = ok(DICT("<f4", "(1,)"), new Uint8Array(0), { headerLen: 5000 });
    const e = errorOf(b);
    expect(e.message).toBe(`t.npy: header longer than the file: it claims 5000 bytes but the file has ${b.length - 10} after the length field`);
    expect(e.hint).toContain("truncated");
  });
  it("absurd header_len (over numpy's 10,000-byte cap), even in v2", () => {
    const b = ok(DICT("<f4", "(1,)"), new Uint8Array(0), { version: [2, 0], headerLen: 0xffffffff });
    expect(errorOf(b, 2 ** 40).message).toContain(`header length 4294967295 is larger than the ${MAX_HEADER_SIZE}-byte limit`);
    const long = ok(DICT("<f4", "(1,)") + " ".repeat(MAX_HEADER_SIZE), f32Bytes([0]), { version: [2, 0] });
    expect(errorOf(long).message).toContain("larger than the");
  });
  it("a prefix shorter than the header (caller passed too few bytes)", () => {
    const b = ok(DICT("<f4", "(1,)"), f32Bytes([0]));
    expect(() => parseNpyHeader(b.subarray(0, 20), b.length, "t")).toThrow("header truncated: only 20 of");
  });
  it("non-ASCII bytes in a v1 header, with the byte's offset in the file", () => {
    const b = ok(DICT("<f4", "(1,)").replace("descr", "d\u00e9scr"), f32Bytes([0]));
    expect(errorOf(b).message).toMatch(/non-ASCII or control byte 0xe9 at offset 13$/);
    const first = ok("\u00ff" + DICT("<f4", "(1,)"), f32Bytes([0]));
    expect(errorOf(first).message).toMatch(/non-ASCII or control byte 0xff at offset 10$/);
  });
  it("control bytes that are not Python white space (vertical tab, ESC)", () => {
    expect(errorOf(ok(DICT("<f4", "(1,)").replace(", 'shape'", ",\v'shape'"), f32Bytes([0]))).message).toContain("control byte 0x0b at offset");
    expect(errorOf(ok(DICT("<f4", "(1,)").replace(", 'shape'", ",\x1b'shape'"), f32Bytes([0]))).message).toContain("control byte 0x1b at offset");
  });
  it("DEL (0x7f) is a control byte; '~' (0x7e) is printable and left to the dtype check", () => {
    expect(errorOf(ok(DICT("<f4", "(1,)") + "\x7f", f32Bytes([0]))).message).toContain("control byte 0x7f at offset");
    expect(errorOf(ok(DICT("~f4", "(1,)"), f32Bytes([0]))).message).toBe("t.npy: dtype '~f4' is not a numpy type string");
  });
  it("control bytes (NUL) in a header", () => {
    expect(errorOf(ok(DICT("<f4", "(1,)") + "\0", f32Bytes([0]))).message).toContain("control byte 0x00");
  });
  it("a header that is code, not a literal", () => {
    const e = errorOf(ok("__import__('os').system('rm -rf /')", f32Bytes([0])));
    expect(e.message).toContain("header is not a Python dict literal: expected a Python literal");
  });
  it("a literal that is not a dict", () => {
    expect(errorOf(ok("('<f4', False, (1,))", f32Bytes([0]))).message).toContain("header is not a dictionary: ('<f4', False, (1,))");
  });
  it("missing keys", () => {
    expect(errorOf(ok("{'descr': '<f4', 'shape': (1,)}", f32Bytes([0]))).message).toContain("header is missing the key 'fortran_order'");
    expect(errorOf(ok("{}", f32Bytes([0]))).message).toContain("missing the key 'descr'");
  });
  it("extra keys", () => {
    const e = errorOf(ok("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'meta': 1}", f32Bytes([0])));
    expect(e.message).toContain("unexpected key 'meta'");
  });
  it("duplicate keys", () => {
    const e = errorOf(ok("{'descr': '<f4', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}", f32Bytes([0])));
    expect(e.message).toContain("the key 'descr' twice");
  });
  it("non-string keys", () => {
    expect(errorOf(ok("{1: 2}", f32Bytes([0]))).message).toContain("non-string key 1");
  });
  it("object dtype: a pickle, never loaded", () => {
    const e = errorOf(ok(DICT("|O", "(1,)"), new Uint8Array(8)));
    expect(e.message).toContain("object dtype (a pickle)");
    expect(e.hint).toContain("allow_pickle=False");
  });
  it("structured dtypes (list descr)", () => {
    const e = errorOf(ok("{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False, 'shape': (1,)}", new Uint8Array(8)));
    expect(e.message).toContain("structured dtype");
    expect(e.hint).toBe("Save each field as its own numeric array.");
  });
  it.each([["<c8", "complex"], ["<U3", "unicode-string"], ["<M8[ns]", "units"], ["|S4", "byte-string"]])("unsupported dtype %s", (d, what) => {
    expect(errorOf(ok(DICT(d, "(1,)"), new Uint8Array(16))).message).toContain(what);
  });
  it("descr that is not a string", () => {
    expect(errorOf(ok(DICT("<f4", "(1,)").replace("'<f4'", "4"), f32Bytes([0]))).message).toContain("descr is not a dtype string: 4");
  });
  it("fortran_order that is not a bool", () => {
    expect(errorOf(ok(DICT("<f4", "(1,)", "0"), f32Bytes([0]))).message).toContain("fortran_order is not True or False: 0");
  });
  it("shape that is not a tuple", () => {
    expect(errorOf(ok(DICT("<f4", "[1]"), f32Bytes([0]))).message).toContain("shape is not a tuple: [1]");
    expect(errorOf(ok(DICT("<f4", "(1)"), f32Bytes([0]))).message).toContain("shape is not a tuple: 1");
  });
  it("negative dimensions", () => {
    expect(errorOf(ok(DICT("<f4", "(2, -1)"), f32Bytes([0]))).message).toContain("dimension 1 is negative (-1)");
  });
  it("non-integer dimensions", () => {
    expect(errorOf(ok(DICT("<f4", "(2.0,)"), f32Bytes([0, 0]))).message).toContain("dimension 0 of shape (2.0,) is not an integer");
    expect(errorOf(ok(DICT("<f4", "('2',)"), f32Bytes([0, 0]))).message).toContain("is not an integer");
  });
  it("a dimension beyond 2^53", () => {
    expect(errorOf(ok(DICT("<f4", "(99999999999999999999,)"))).message).toContain("dimension 0 (99999999999999999999) is too large");
  });
  it("an element count beyond 2^53 - 1", () => {
    expect(errorOf(ok(DICT("<f4", "(4294967296, 4294967296)"))).message).toContain("18446744073709551616 elements, more than 2^53 - 1");
  });
  it("a byte count beyond 2^53 - 1", () => {
    expect(errorOf(ok(DICT("<f8", "(4503599627370496,)"))).message).toContain("needs 36028797018963968 bytes");
  });
  it("more than 64 dimensions", () => {
    expect(errorOf(ok(DICT("<f4", `(${Array(65).fill(1).join(", ")})`), f32Bytes([0]))).message).toContain("65 dimensions");
  });
  it("accepts the limits themselves: 64 dimensions, and a dimension, element count and byte count of 2^53 - 1", () => {
    const dims64 = ok(DICT("<f4", `(${Array(64).fill(1).join(", ")})`), f32Bytes([0]));
    expect(parseNpyHeader(dims64, dims64.length, "t.npy").shape).toEqual(Array(64).fill(1));
    const max = Number.MAX_SAFE_INTEGER;
    // The shape passes both encoder and parser; only the missing data is left to refuse.
    const header = encodeNpyHeader({ descr: "|u1", shape: [max] });
    expect(errorOf(header).message).toBe(`t.npy: data truncated: shape (${max},) of |u1 needs ${max} bytes but the file has 0`);
  });
  it("data shorter than the shape says (truncated)", () => {
    const e = errorOf(ok(DICT("<f4", "(3,)"), f32Bytes([1, 2])));
    expect(e.message).toBe("t.npy: data truncated: shape (3,) of <f4 needs 12 bytes but the file has 8");
    expect(e.hint).toContain("cut short");
  });
  it("data longer than the shape says (trailing bytes)", () => {
    const e = errorOf(ok(DICT("<f4", "(1,)"), f32Bytes([1, 2])));
    expect(e.message).toContain("4 unexpected trailing bytes after the data");
    expect(e.hint).toContain("does not describe the data");
  });
  it("checks sizes even for empty shapes", () => {
    expect(errorOf(ok(DICT("<f4", "(0, 4)"), f32Bytes([1]))).message).toContain("trailing bytes");
    expect(parseNpyHeader(ok(DICT("<f4", "(0, 99999999999)")), 10 + DICT("<f4", "(0, 99999999999)").length, "t").elementCount).toBe(0);
  });
});

describe("encodeNpyHeader", () => {
  it.each(["le_f4_3x4.npy", "be_f4_3x4.npy", "le_f2_2x5.npy", "be_f8_2x3.npy", "le_f8_6.npy", "scalar_f4.npy", "empty_f4_0x4.npy",
    "empty_f4_3x0.npy", "qparams_i4_3x2.npy", "int_i1_4.npy", "int_u1_3.npy", "bool_4.npy", "int_i8_3.npy", "fortran_f4_3x4.npy",
    "fortran_f4_2x3x4.npy"])("writes the same header bytes as numpy for %s", (name) => {
    const file = fs.readFileSync(fixture(name));
    const want = EXPECTED[name];
    const enc = encodeNpyHeader({ descr: want.descr, shape: want.shape, fortranOrder: want.fortran_order });
    expect(Buffer.from(enc).toString("latin1")).toBe(file.subarray(0, enc.length).toString("latin1"));
    expect(enc.length % 64).toBe(0);
    expect(parseNpyHeader(file, file.length, name).dataOffset).toBe(enc.length);
  });
  it("leaves numpy's growth room for the first dim (C order) or the last (Fortran order): the header length numpy writes", () => {
    // Long shapes (a 0 dim keeps them valid) whose header lands near a 64-byte boundary, so the growth room decides
    // the length; 128 is what numpy 2's _write_array_header gives for both.
    for (const [shape, fortranOrder] of [[[218621064865, 1000000, 29800980, 18082951, 0], false], [[0, 423349175499, 10000, 100000, 60803380602], true]] as const) {
      const enc = encodeNpyHeader({ descr: "<f4", shape, fortranOrder });
      expect(enc.length, shape.join("x")).toBe(128);
      const parsed = parseNpyHeader(enc, enc.length, "t.npy");
      expect([parsed.shape, parsed.fortranOrder, parsed.dataOffset]).toEqual([shape, fortranOrder, 128]);
    }
  });
  it("spells one-byte descrs with '|' like numpy", () => {
    expect(Buffer.from(encodeNpyHeader({ descr: "<i1", shape: [2] })).toString("latin1")).toContain("'descr': '|i1'");
  });
  it("refuses unsupported descrs and bad shapes", () => {
    expect(() => encodeNpyHeader({ descr: "|O", shape: [1] })).toThrow("pickle");
    expect(() => encodeNpyHeader({ descr: "<f4", shape: [-1] })).toThrow("negative");
    expect(() => encodeNpyHeader({ descr: "<f4", shape: [1.5] })).toThrow("cannot write .npy: dimension 0 is 1.5, not an integer");
  });
  it("switches to version 2.0 only when the header needs a u32 length", () => {
    const small = wrapHeaderText("{}");
    expect([small[6], small[7]]).toEqual([1, 0]);
    const big = wrapHeaderText("{" + " ".repeat(70_000) + "}");
    expect([big[6], big[7]]).toEqual([2, 0]);
    expect(big.length % 64).toBe(0);
    expect(new DataView(big.buffer).getUint32(8, true)).toBe(big.length - 12);
    expect(big[big.length - 1]).toBe(0x0a);
  });
});

describe("readNpyHeader", () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  it("reads only the header of a file", () => {
    expect(readNpyHeader(fixture("fortran_f4_2x3x4.npy")).shape).toEqual([2, 3, 4]);
  });
  it("gives IO errors with a clear message for a missing file and a directory", () => {
    expect(() => readNpyHeader(tmp.file("missing.npy"))).toThrow(/missing\.npy: cannot open: no such file or directory$/);
    try {
      readNpyHeader(tmp.dir);
      expect.unreachable();
    } catch (e) {
      expect((e as FqcError).code).toBe("IO");
      expect((e as FqcError).message).toBe(`${tmp.dir}: is a directory`);
      expect((e as FqcError).hint).toBe("Give the path of a .npy file, not a directory.");
    }
  });
  it.skipIf(!hasMkfifo)("refuses a FIFO at once instead of waiting for a writer", () => {
    const fifo = tmp.file("pipe.npy");
    execFileSync("mkfifo", [fifo]);
    // Were the open to wait for a writer, this one comes after 10 s: the test then fails instead of hanging.
    const writer = spawn("sh", ["-c", 'sleep 10; exec 3>"$1"', "sh", fifo], { stdio: "ignore" });
    try {
      const start = Date.now();
      const e = (() => { try { readNpyHeader(fifo); } catch (err) { return err as FqcError; } })();
      expect(Date.now() - start, "opening the FIFO waited for a writer").toBeLessThan(5000);
      expect([e?.code, e?.message, e?.hint]).toEqual(["IO", `${fifo}: is not a regular file`, "Give the path of a .npy file on disk."]);
    } finally {
      writer.kill();
    }
  });
  it.skipIf(!hasProcFd)("closes the file it opened, whether it reads the header or refuses the file", () => {
    const openFds = () => fs.readdirSync("/proc/self/fd").length;
    const before = openFds();
    readNpyHeader(fixture("le_f4_3x4.npy"));
    expect(openFds()).toBe(before);
    const cut = tmp.file("cut-for-fds.npy");
    fs.writeFileSync(cut, fs.readFileSync(fixture("le_f4_3x4.npy")).subarray(0, 150));
    expect(() => readNpyHeader(cut)).toThrow("data truncated");
    expect(openFds()).toBe(before);
    expect(() => readNpyHeader(tmp.dir)).toThrow("is a directory");
    expect(openFds()).toBe(before);
  });
  it("validates the data size against the real file size", () => {
    const p = tmp.file("cut.npy");
    fs.writeFileSync(p, fs.readFileSync(fixture("le_f4_3x4.npy")).subarray(0, 150));
    expect(() => readNpyHeader(p)).toThrow("data truncated");
  });
  it("works on files shorter than the maximal header prefix", () => {
    expect(readNpyHeader(fixture("empty_f4_0x4.npy")).shape).toEqual([0, 4]);
  });
});
