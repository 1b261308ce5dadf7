import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FqcError } from "../../src/errors.js";
import { detectFileFormat, openCheckpoint } from "../../src/checkpoint/open.js";
import { craftNpy } from "../npy/helpers.js";
import { collect, safetensorsBytes, tempDir, writeSharded, type ShardSpec } from "./helpers.js";

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => { tmp = tempDir(); });
afterEach(() => tmp.cleanup());

const SHARDS: ShardSpec[] = [
  { file: "model-00001-of-00002.safetensors", tensors: [{ name: "a.weight", dtype: "BF16", shape: [4, 4] }] },
  { file: "model-00002-of-00002.safetensors", tensors: [{ name: "b.weight", dtype: "F16", shape: [2, 4] }] },
];

function write(name: string, bytes: Uint8Array | string): string {
  const p = tmp.file(name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, bytes);
  return p;
}

describe("openCheckpoint: format detection", () => {
  it("opens a .safetensors file", () => {
    const ck = openCheckpoint(write("m.safetensors", safetensorsBytes(SHARDS[0].tensors)));
    expect(ck.format).toBe("safetensors");
    expect(ck.tensors.map((t) => t.name)).toEqual(["a.weight"]);
    ck.close();
  });

  it("opens a safetensors file by its magic whatever its name", () => {
    const p = write("weights.bin", safetensorsBytes(SHARDS[0].tensors));
    expect(detectFileFormat(p)).toBe("safetensors");
    const ck = openCheckpoint(p);
    expect(ck.format).toBe("safetensors");
    ck.close();
  });

  it("opens a sharded checkpoint from its index file and from its directory", () => {
    const index = writeSharded(tmp.file("ck"), SHARDS);
    for (const given of [index, tmp.file("ck")]) {
      const ck = openCheckpoint(given);
      expect(ck.format).toBe("sharded");
      expect(ck.path).toBe(given);
      expect(ck.tensors.map((t) => t.name)).toEqual(["a.weight", "b.weight"]);
      ck.close();
    }
  });

  it("opens a directory holding one .safetensors file", () => {
    write("one/model.safetensors", safetensorsBytes(SHARDS[0].tensors));
    write("one/config.json", "{}");
    const ck = openCheckpoint(tmp.file("one"));
    expect(ck.format).toBe("safetensors");
    expect(ck.path).toBe(tmp.file("one"));
    expect(ck.tensors[0].file).toBe(path.join(tmp.file("one"), "model.safetensors"));
    ck.close();
  });

  it("refuses a directory with two .safetensors files and no index, or with nothing to read", () => {
    write("two/a.safetensors", safetensorsBytes(SHARDS[0].tensors));
    write("two/b.safetensors", safetensorsBytes(SHARDS[1].tensors));
    expect(() => openCheckpoint(tmp.file("two"))).toThrow(/holds 2 .safetensors files and no \*.safetensors.index.json/);
    fs.mkdirSync(tmp.file("empty"));
    expect(() => openCheckpoint(tmp.file("empty"))).toThrow(/holds no checkpoint/);
  });

  it("refuses a directory holding an index and a model.safetensors (transformers loads the file, an index-first reader the shards); each path given alone opens", () => {
    const index = writeSharded(tmp.file("mixed"), SHARDS);
    write("mixed/model.safetensors", safetensorsBytes(SHARDS[0].tensors));
    try {
      openCheckpoint(tmp.file("mixed"));
      throw new Error("accepted");
    } catch (err) {
      const e = err as FqcError;
      expect(e).toBeInstanceOf(FqcError);
      expect(e.message).toMatch(/holds both model\.safetensors and model\.safetensors\.index\.json: transformers loads model\.safetensors/);
      expect(e.hint).toContain(path.join(tmp.file("mixed"), "model.safetensors"));
    }
    for (const [given, format] of [[index, "sharded"], [tmp.file("mixed/model.safetensors"), "safetensors"]] as const) {
      const ck = openCheckpoint(given);
      expect(ck.format).toBe(format);
      ck.close();
    }
  });

  it("refuses a directory with two index files", () => {
    writeSharded(tmp.file("x"), SHARDS);
    writeSharded(tmp.file("x"), SHARDS, { indexName: "other.safetensors.index.json" });
    expect(() => openCheckpoint(tmp.file("x"))).toThrow(/holds 2 index files/);
  });


  it("refuses a directory whose index or shard is a dangling link, a directory or a link to a device, naming it, rather than read the rest as the checkpoint", () => {
    const shard1 = safetensorsBytes(SHARDS[0].tensors);
    const cases: [string, (entry: string) => void, RegExp][] = [
      ["model.safetensors.index.json", (e) => fs.symlinkSync("../blobs/index", e), /is a dangling symbolic link \(to \.\.\/blobs\/index, which does not exist\)/],
      ["model-00002-of-00002.safetensors", (e) => fs.symlinkSync("../blobs/shard", e), /is a dangling symbolic link/],
      ["model.safetensors.index.json", (e) => fs.mkdirSync(e), /is a directory, not a file/],
      ["model.safetensors.index.json", (e) => fs.symlinkSync("/dev/null", e), /is a symbolic link to \/dev\/null, which is not a regular file/],
    ];
    cases.forEach(([name, make, message], i) => {
      // What a half-finished Hugging Face download leaves: one shard on disk, the rest links to blobs not fetched yet.
      write(`hf${i}/model-00001-of-00002.safetensors`, shard1);
      const entry = tmp.file(`hf${i}/${name}`);
      make(entry);
      try {
        openCheckpoint(tmp.file(`hf${i}`)).close();
        throw new Error(`accepted a directory with ${name} unreadable`);
      } catch (err) {
        const e = err as FqcError;
        expect(e).toBeInstanceOf(FqcError);
        expect(e.message.startsWith(`${entry}: `)).toBe(true);
        expect(e.message).toMatch(message);
      }
    });
  });
  it("opens a .npy file as one tensor named after the file, with dtype, byte order and fortran order from its header", () => {
    const data = new Uint8Array(12).map((_, i) => i);
    const p = write("layer.weight.npy", craftNpy("{'descr': '>f2', 'fortran_order': True, 'shape': (2, 3), }", data, { pad: true }));
    const ck = openCheckpoint(p);
    expect(ck.format).toBe("npy");
    const [t] = ck.tensors;
    expect([t.name, t.dtype, t.shape, t.byteLength, t.byteOrder, t.fortranOrder]).toEqual(["layer.weight", "F16", [2, 3], 12, "big", true]);
    expect(collect(ck.stream(t, 5))).toEqual(data);
    ck.close();
  });

  it("maps every .npy dtype to its safetensors name", () => {
    const cases: Array<[string, string]> = [["<f4", "F32"], ["<f8", "F64"], ["|i1", "I8"], ["<i2", "I16"], ["<i4", "I32"], ["<i8", "I64"], ["|u1", "U8"], ["<u2", "U16"], ["<u4", "U32"], ["<u8", "U64"], ["|b1", "BOOL"]];
    for (const [descr, dtype] of cases) {
      const size = Number(descr.slice(2));
      const p = write(`t${dtype}.npy`, craftNpy(`{'descr': '${descr}', 'fortran_order': False, 'shape': (1,), }`, new Uint8Array(size), { pad: true }));
      const ck = openCheckpoint(p);
      expect(ck.tensors[0].dtype).toBe(dtype);
      ck.close();
    }
  });

  it("refuses a malformed .npy with the .npy reader's message", () => {
    const p = write("bad.npy", craftNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", new Uint8Array(3), { pad: true }));
    expect(() => openCheckpoint(p)).toThrow(/data truncated/);
  });

  it("sends .npz archives (by magic or by name) to the npz reader", () => {
    const zip = write("a.npz", Uint8Array.of(0x50, 0x4b, 0x05, 0x06, ...new Uint8Array(18)));
    expect(detectFileFormat(zip)).toBe("npz");
    expect(detectFileFormat(write("b.npz", "not a zip"))).toBe("npz");
    const c = openCheckpoint(zip); // an empty archive: the npz reader opens it
    expect(c.format).toBe("npz");
    expect(c.tensors).toEqual([]);
    c.close();
    expect(() => openCheckpoint(write("c.npz", "not a zip"))).toThrow(FqcError);
  });

  it("refuses a file of unknown format, listing the accepted forms", () => {
    const p = write("notes.txt", "hello world, this is text");
    try {
      openCheckpoint(p);
      throw new Error("accepted");
    } catch (err) {
      const e = err as FqcError;
      expect(e).toBeInstanceOf(FqcError);
      expect(e.message).toMatch(/not a checkpoint fqc can read/);
      expect(e.hint).toMatch(/\.safetensors file.*index\.json.*\.npz.*\.npy/);
    }
  });

  it("refuses a missing path as an I/O error naming it", () => {
    expect(() => openCheckpoint(tmp.file("missing"))).toThrow(/missing: cannot open: no such file or directory/);
  });

  it("reads the path as the format given, skipping detection", () => {
    const p = write("weights.dat", safetensorsBytes(SHARDS[0].tensors));
    const ck = openCheckpoint(p, { format: "safetensors" });
    expect(ck.tensors).toHaveLength(1);
    ck.close();
    expect(() => openCheckpoint(p, { format: "npy" })).toThrow(/not a .npy file/);
  });
});
