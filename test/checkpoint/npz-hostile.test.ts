import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { deflateRawSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { FqcError, exitCodeFor } from "../../src/errors.js";
import { openNpz } from "../../src/checkpoint/npz.js";
import { MAX_CENTRAL_DIRECTORY } from "../../src/checkpoint/zip/directory.js";
import { encodeNpyHeader } from "../../src/npy/header.js";
import { craftZip, npyF32, npzFixture, readTensor, type CraftMember } from "./npz-helpers.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fqc-npz-hostile-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let serial = 0;

/** Open (and stream every tensor of) `bytes` as an .npz; return the refusal. */
function refusal(bytes: Uint8Array): FqcError & { path: string } {
  const file = path.join(tmp, `case-${++serial}.npz`);
  fs.writeFileSync(file, bytes);
  try {
    const ck = openNpz(file);
    try {
      for (const t of ck.tensors) readTensor(ck, t, 1 << 16);
    } finally {
      ck.close();
    }
  } catch (err) {
    expect(err).toBeInstanceOf(FqcError);
    const e = err as FqcError;
    expect(exitCodeFor(e.code)).toBe(2);
    expect(e.message).not.toContain("\n");
    expect(e.message.startsWith(`${file}: `)).toBe(true);
    expect(e.file).toBe(file);
    expect(e.hint).toBeTruthy();
    return Object.assign(e, { path: file });
  }
  throw new Error("the archive was accepted");
}

const W = npyF32([1, 2, 3, 4], [2, 2]);
const B = npyF32([5, 6]);
const ok = (over: Partial<CraftMember> = {}): CraftMember[] => [{ name: "w.npy", payload: W, ...over }, { name: "b.npy", payload: B }];

describe("the crafter itself", () => {
  it("makes archives the reader accepts when nothing lies", () => {
    for (const method of [0, 8]) {
      const file = path.join(tmp, `good-${method}.npz`);
      fs.writeFileSync(file, craftZip([{ name: "w.npy", payload: W, method }, { name: "b.npy", payload: B, method }]));
      const ck = openNpz(file);
      expect(ck.tensors.map((t) => [t.name, t.shape])).toEqual([["w", [2, 2]], ["b", [2]]]);
      expect(new Float32Array(readTensor(ck, ck.tensors[1]).buffer)).toEqual(Float32Array.of(5, 6));
      ck.close();
    }
  });
});

describe("member names", () => {
  it.each([
    ["../evil.npy", /member '\.\.\/evil\.npy': has a '\.\.' component \(path traversal\)/],
    ["a/../../evil.npy", /path traversal/],
    ["/etc/evil.npy", /member '\/etc\/evil\.npy': has an absolute name/],
    ["a\\b.npy", /has a backslash in its name/],
    ["C:evil.npy", /has a drive letter/],
    ["", /has an empty name/],
    ["a\nb.npy", /member 'a\\u000ab\.npy': has a control character in its name/],
    ["a\u2028b.npy", /member 'a\\u2028b\.npy': has a control character/],
  ])("refuses the member name %j", (name, re) => {
    expect(refusal(craftZip(ok({ name }))).message).toMatch(re);
  });

  it("refuses two members with the same name", () => {
    const e = refusal(craftZip([{ name: "w.npy", payload: W }, { name: "w.npy", payload: B }]));
    expect(e.message).toMatch(/member 'w\.npy': appears twice in the archive/);
  });

  it("refuses a member that is not a .npy array", () => {
    expect(refusal(craftZip([{ name: "readme.txt", payload: new TextEncoder().encode("hi") }])).message)
      .toMatch(/member 'readme\.txt' is not a \.npy array/);
    expect(refusal(craftZip([{ name: ".npy", payload: W }])).message).toMatch(/member '\.npy' is not a \.npy array/);
  });

  it("refuses a name flagged UTF-8 that is not UTF-8, and a legacy code-page name", () => {
    const z = craftZip([{ name: "w.npy", payload: W, flags: 0x800 }]);
    const at = z.length - 22 - 5; // the central entry's name
    z[at] = 0xff;
    expect(refusal(z).message).toMatch(/member #1: its name is flagged UTF-8 but is not valid UTF-8/);
    const legacy = craftZip([{ name: "w.npy", payload: W }]);
    legacy[legacy.length - 22 - 5] = 0xe9;
    expect(refusal(legacy).message).toMatch(/member #1: its name has non-ASCII bytes without the UTF-8 flag/);
    legacy[legacy.length - 22 - 5] = 0x80; // the lowest non-ASCII byte
    expect(refusal(legacy).message).toMatch(/member #1: its name has non-ASCII bytes without the UTF-8 flag/);
  });
});

describe("local header against central directory", () => {
  it("refuses a local header naming another member", () => {
    expect(refusal(craftZip(ok({ local: { name: "x.npy" } }))).message)
      .toMatch(/member 'w\.npy': its local header and central directory disagree on the name/);
  });
  it("refuses a local header whose name is a prefix of the central one", () => {
    expect(refusal(craftZip(ok({ local: { name: "w.np" } }))).message)
      .toMatch(/member 'w\.npy': its local header and central directory disagree on the name \('w\.np' vs 'w\.npy'\)/);
  });
  it("refuses a local header with another compression method", () => {
    expect(refusal(craftZip(ok({ local: { method: 8 } }))).message).toMatch(/disagree on the compression method \(8 vs 0\)/);
  });
  it("refuses a local header with another CRC-32", () => {
    expect(refusal(craftZip(ok({ local: { crc: 1234 } }))).message).toMatch(/disagree on the CRC-32/);
  });
  it("refuses a local header that leaves its CRC-32 and sizes zero without the data descriptor flag", () => {
    expect(refusal(craftZip(ok({ local: { crc: 0 } }))).message).toMatch(/member 'w\.npy': its local header and central directory disagree on the CRC-32 \(0 vs \d+\)/);
    expect(refusal(craftZip(ok({ local: { usize: 0, csize: 0 } }))).message).toMatch(/disagree on the compressed size \(0 vs \d+\)/);
  });
  it("refuses a local header whose name and extra field run into the central directory", () => {
    const z = craftZip(ok());
    new DataView(z.buffer, z.byteOffset).setUint16(28, 60_000, true); // w.npy's local extra field length
    expect(refusal(z).message).toMatch(/member 'w\.npy': its local header runs into the central directory/);
  });
  it("refuses a local header with other sizes", () => {
    expect(refusal(craftZip(ok({ local: { usize: W.length + 4, csize: W.length + 4 } }))).message)
      .toMatch(/disagree on the compressed size/);
  });
  it("refuses a local header whose encryption flag differs", () => {
    expect(refusal(craftZip(ok({ local: { flags: 1 } }))).message).toMatch(/disagree on the encryption flag/);
  });
});

describe("sizes and ranges", () => {
  it("refuses sizes that lie past the central directory, before reading any data", () => {
    const e = refusal(craftZip(ok({ usize: 10_000, csize: 10_000, local: { usize: 10_000, csize: 10_000 } })));
    expect(e.message).toMatch(/member 'w\.npy': its 10000 data bytes at offset 35 run past the start of the central directory/);
  });

  it("refuses a stored member whose compressed and uncompressed sizes differ", () => {
    expect(refusal(craftZip(ok({ usize: W.length - 1, local: { usize: W.length - 1 } }))).message)
      .toMatch(/is stored \(uncompressed\) but its compressed size \d+ differs from its size \d+/);
  });

  it("refuses members that overlap", () => {
    // b's entry points inside w's data; its local header there is crafted to agree.
    const inner = craftZip([{ name: "b.npy", payload: B }]);
    const innerLocal = inner.subarray(0, 30 + 5 + B.length);
    const wPayload = new Uint8Array(W.length + innerLocal.length);
    wPayload.set(W);
    wPayload.set(innerLocal, W.length);
    const z = craftZip([
      { name: "w.npy", payload: wPayload },
      { name: "b.npy", payload: B, offset: 30 + 5 + W.length },
    ]);
    expect(refusal(z).message).toMatch(/members 'w\.npy' and 'b\.npy' overlap/);
  });

  it("refuses a local header offset at or past the central directory", () => {
    expect(refusal(craftZip(ok({ offset: 1_000_000 }))).message).toMatch(/its local header offset 1000000 is not before the central directory/);
  });

  it("refuses a member whose .npy data is shorter than its header's shape needs", () => {
    const short = W.subarray(0, W.length - 4);
    expect(refusal(craftZip([{ name: "w.npy", payload: short }])).message)
      .toMatch(/member 'w\.npy': data truncated: shape \(2, 2\) of <f4 needs 16 bytes but the file has 12/);
  });

  it("refuses a member whose .npy data is longer than its header's shape needs", () => {
    const long = new Uint8Array(W.length + 3);
    long.set(W);
    expect(refusal(craftZip([{ name: "w.npy", payload: long }])).message)
      .toMatch(/member 'w\.npy': 3 unexpected trailing bytes after the data/);
  });

  it("refuses a pickled object member without reading it", () => {
    const h = encodeNpyHeader({ descr: "<f4", shape: [1] });
    const text = Buffer.from(h).toString("latin1").replace("'<f4'", "'|O' ");
    const pickled = new Uint8Array([...Buffer.from(text, "latin1"), 0x80, 0x04, 0x4e, 0x2e]);
    const e = refusal(craftZip([{ name: "obj.npy", payload: pickled }]));
    expect(e.message).toMatch(/member 'obj\.npy': object dtype \(a pickle\): fqc never loads pickled data/);
  });

  it("keeps a refusal on one line when the member's .npy header holds line breaks", () => {
    const h = Buffer.from(encodeNpyHeader({ descr: "<f4", shape: [1] })).toString("latin1").replace("'<f4'", "'\r\n4'");
    const e = refusal(craftZip([{ name: "w.npy", payload: new Uint8Array([...Buffer.from(h, "latin1"), 0, 0, 128, 63]) }]));
    expect(e.message).toMatch(/member 'w\.npy': header is not a Python dict literal: .*\\n/);
  });

  it("refuses a member that is not a .npy file inside", () => {
    expect(refusal(craftZip([{ name: "w.npy", payload: new TextEncoder().encode("not numpy at all") }])).message)
      .toMatch(/member 'w\.npy': not a \.npy file \(bad magic bytes\)/);
  });
});

describe("the end of the archive", () => {
  const good = craftZip(ok());

  it("refuses an archive cut short (no end record)", () => {
    expect(refusal(good.subarray(0, good.length - 10)).message).toMatch(/not a ZIP archive \(or truncated\): no end of central directory record/);
  });

  it("refuses an archive missing bytes in the middle", () => {
    const cut = new Uint8Array([...good.subarray(0, 20), ...good.subarray(40)]);
    expect(refusal(cut).message).toMatch(/does not end where the end record starts|not before the central directory|run past/);
  });

  it("refuses a file too short to be a ZIP archive", () => {
    expect(refusal(new Uint8Array(10)).message).toMatch(/not a ZIP archive: 10 bytes is too short/);
  });

  it("opens the 22 bytes of an empty archive (np.savez with no arrays) as no tensors", () => {
    const file = path.join(tmp, "empty.npz");
    fs.writeFileSync(file, craftZip([]));
    expect(fs.statSync(file).size).toBe(22);
    const ck = openNpz(file);
    expect(ck.tensors).toEqual([]);
    ck.close();
  });

  it("refuses a central directory larger than the cap, before reading it", () => {
    // A sparse file: a directory of one byte past the cap, all zeros (a hole), then an end record saying so.
    const file = path.join(tmp, "huge-cd.npz");
    const end = craftZip([]);
    const cdSize = MAX_CENTRAL_DIRECTORY + 1;
    new DataView(end.buffer, end.byteOffset).setUint32(12, cdSize, true);
    const fd = fs.openSync(file, "w");
    fs.writeSync(fd, end, 0, end.length, cdSize);
    fs.closeSync(fd);
    try {
      openNpz(file).close();
      throw new Error("the archive was accepted");
    } catch (err) {
      expect((err as Error).message).toBe(`${file}: central directory of ${cdSize} bytes is larger than the ${MAX_CENTRAL_DIRECTORY}-byte limit`);
    }
  });

  it("refuses an end record with a wrong central directory offset", () => {
    expect(refusal(craftZip(ok(), { cdOffset: 3 })).message).toMatch(/the central directory \(offset 3, \d+ bytes\) does not end where the end record starts/);
  });

  it("refuses an end record counting more entries than the directory holds", () => {
    expect(refusal(craftZip(ok(), { entries: 40 })).message).toMatch(/counts 40 entries, more than a \d+-byte central directory can hold/);
  });

  it("refuses an end record whose count of entries on this disk differs from its total", () => {
    const z = craftZip(ok());
    new DataView(z.buffer, z.byteOffset).setUint16(z.length - 22 + 8, 1, true);
    expect(refusal(z).message).toMatch(/the end record counts 1 entries on this disk but 2 in all/);
  });

  it("refuses an end record counting fewer entries than the directory holds", () => {
    expect(refusal(craftZip(ok(), { entries: 1 })).message).toMatch(/the central directory has \d+ bytes after its 1 entries/);
  });

  it("refuses an end record whose comment length runs past the end", () => {
    const z = craftZip(ok());
    new DataView(z.buffer, z.byteOffset).setUint16(z.length - 2, 5, true);
    expect(refusal(z).message).toMatch(/no end of central directory record/);
  });

  it("refuses a multi-disk archive", () => {
    const z = craftZip(ok());
    new DataView(z.buffer, z.byteOffset).setUint16(z.length - 22 + 4, 1, true);
    expect(refusal(z).message).toMatch(/multi-disk \(spanned\) archives are not supported/);
  });

  it("refuses a member that starts on another disk", () => {
    const z = craftZip(ok());
    const dv = new DataView(z.buffer, z.byteOffset);
    const cdOffset = dv.getUint32(z.length - 22 + 16, true);
    dv.setUint16(cdOffset + 34, 1, true); // w.npy's central entry: disk number start
    expect(refusal(z).message).toMatch(/multi-disk \(spanned\) archives are not supported/);
  });

  it("refuses a ZIP64 locator pointing at no ZIP64 end record", () => {
    const z = new Uint8Array(fs.readFileSync(npzFixture("zip64.npz")));
    const dv = new DataView(z.buffer);
    dv.setUint32(z.length - 22 - 20 + 8, 0, true); // locator's record offset -> 0 (a local header)
    expect(refusal(z).message).toMatch(/ZIP64 end record claims|ZIP64 end record has no signature/);
  });

  it("refuses a ZIP64 end record that disagrees with the end record", () => {
    const z = new Uint8Array(fs.readFileSync(npzFixture("zip64.npz")));
    const dv = new DataView(z.buffer);
    dv.setUint16(z.length - 22 + 10, 3, true); // classic entry count 3, ZIP64 says 9
    expect(refusal(z).message).toMatch(/the end record and the ZIP64 end record disagree/);
  });

  it.each([["central directory size", 12], ["central directory offset", 16]])("refuses a classic %s that is neither all ones nor the ZIP64 value", (_, field) => {
    const z = new Uint8Array(fs.readFileSync(npzFixture("zip64.npz")));
    new DataView(z.buffer).setUint32(z.length - 22 + field, 5, true);
    expect(refusal(z).message).toMatch(/the end record and the ZIP64 end record disagree on the central directory/);
  });

  it.each([["its own disk", 16], ["the directory's disk", 20]])("refuses a ZIP64 end record that puts %s past disk 0", (_, field) => {
    const z = new Uint8Array(fs.readFileSync(npzFixture("zip64.npz")));
    new DataView(z.buffer).setUint32(z.length - 22 - 20 - 56 + field, 1, true);
    expect(refusal(z).message).toMatch(/multi-disk \(spanned\) archives are not supported/);
  });

  it.each([["on another disk", 4, 1], ["counting two disks", 16, 2]])("refuses a ZIP64 locator %s", (_, field, value) => {
    const z = new Uint8Array(fs.readFileSync(npzFixture("zip64.npz")));
    new DataView(z.buffer).setUint32(z.length - 22 - 20 + field, value, true);
    expect(refusal(z).message).toMatch(/multi-disk \(spanned\) archives are not supported/);
  });

  it("refuses a ZIP64 locator whose end record would not fit before it", () => {
    const z = new Uint8Array(fs.readFileSync(npzFixture("zip64.npz")));
    const locPos = z.length - 22 - 20;
    new DataView(z.buffer).setUint32(locPos + 8, locPos - 10, true);
    expect(refusal(z).message).toMatch(new RegExp(`ZIP64 end record at ${locPos - 10} does not fit before its locator at ${locPos}`));
  });

  it("refuses a ZIP64 entry whose extra field is too short for its 0xFFFFFFFF fields", () => {
    const z = craftZip(ok({ usize: 0xffffffff, csize: 0xffffffff }));
    expect(refusal(z).message).toMatch(/central directory entry #1: uncompressed size, compressed size 0xFFFFFFFF but there is no ZIP64 extra field/);
  });
});

describe("flags and methods", () => {
  it("refuses an encrypted member", () => {
    expect(refusal(craftZip(ok({ flags: 1 }))).message).toMatch(/member 'w\.npy': is encrypted/);
  });
  it("refuses a member with strong encryption", () => {
    expect(refusal(craftZip(ok({ flags: 0x41 }))).message).toMatch(/is encrypted/);
  });
  it.each([[12, "bzip2"], [14, "lzma"], [93, "zstd"]])("refuses compression method %i (%s)", (method) => {
    expect(refusal(craftZip(ok({ method, raw: W }))).message).toMatch(new RegExp(`uses compression method ${method}; fqc reads stored \\(0\\) and deflated \\(8\\)`));
  });
});

describe("inflating", () => {
  it("stops a deflate bomb at its declared size: 1 KiB declared, 100 MB inside", () => {
    const header = encodeNpyHeader({ descr: "<f4", shape: [(1024 - 128) / 4] });
    expect(header.length).toBe(128);
    const bomb = new Uint8Array(100_000_000);
    bomb.set(header);
    const raw = new Uint8Array(deflateRawSync(bomb));
    const payload = bomb.subarray(0, 1024);
    const t0 = performance.now();
    const e = refusal(craftZip([{ name: "bomb.npy", payload, method: 8, raw }]));
    expect(e.message).toMatch(/member 'bomb\.npy': inflates to more than its declared 1024 bytes \(a deflate bomb, or sizes that lie\); stopped there/);
    // Inflating 100 MB takes seconds here; stopping at 1 KiB takes a few milliseconds.
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it("refuses a deflated member that inflates to fewer bytes than declared", () => {
    const e = refusal(craftZip([{ name: "w.npy", payload: W, method: 8, raw: new Uint8Array(deflateRawSync(W.subarray(0, 100))) }]));
    expect(e.message).toMatch(/member 'w\.npy': inflates to 100 bytes, fewer than its declared 144|header truncated|data truncated/);
  });

  it("refuses a deflate stream cut short", () => {
    const full = new Uint8Array(deflateRawSync(W, { level: 0 }));
    const e = refusal(craftZip([{ name: "w.npy", payload: W, method: 8, raw: full.subarray(0, full.length - 10) }]));
    expect(e.message).toMatch(/member 'w\.npy': its deflate stream is cut short/);
  });

  it("refuses bytes after the end of the deflate stream", () => {
    const raw = new Uint8Array([...deflateRawSync(W), 1, 2, 3]);
    expect(refusal(craftZip([{ name: "w.npy", payload: W, method: 8, raw }])).message)
      .toMatch(/member 'w\.npy': its deflate stream ends 3 bytes before its declared compressed size/);
  });

  it("refuses corrupt deflate data", () => {
    const raw = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(refusal(craftZip([{ name: "w.npy", payload: W, method: 8, raw }])).message).toMatch(/member 'w\.npy': corrupt deflate data/);
  });
});

describe("CRC-32", () => {
  it("refuses a stored member whose bytes do not match its CRC-32, when streamed", () => {
    const z = craftZip(ok());
    z[30 + 5 + W.length - 1] ^= 0x40; // last data byte of w.npy
    expect(refusal(z).message).toMatch(/member 'w\.npy': CRC-32 mismatch: the data gives 0x[0-9a-f]{8}, the directory says 0x[0-9a-f]{8}/);
  });

  it("refuses a deflated member whose CRC-32 does not match, when streamed", () => {
    expect(refusal(craftZip(ok({ method: 8, crc: 0xdeadbeef }))).message).toMatch(/member 'w\.npy': CRC-32 mismatch.*0xdeadbeef/);
  });
});
