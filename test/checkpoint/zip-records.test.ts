import { describe, expect, it } from "vitest";
import {
  U16_MAX, U32_MAX, centralZip64Fields, encodeCentralEntry, encodeEnd, encodeLocalHeader, endNeedsZip64, findEndRecord,
  parseCentralEntry, parseEndRecord, parseLocalHeader, parseZip64End, parseZip64Locator, readU64, splitExtra, ZipRecordError,
  type CentralEntry,
} from "../../src/checkpoint/zip/records.js";
import { deflatedNeedsZip64 } from "../../src/checkpoint/npz-writer.js";

const GiB = 2 ** 30;
const NO_ZIP64 = { uncompressedSize: false, compressedSize: false, localHeaderOffset: false };

function entry(over: Partial<CentralEntry> = {}): CentralEntry {
  return {
    versionMadeBy: 0x032d, versionNeeded: 20, flags: 0, method: 0, modTime: 0, modDate: 33, crc32: 0x12345678,
    compressedSize: 100, uncompressedSize: 100, diskStart: 0, internalAttr: 0, externalAttr: 0o600 << 16, localHeaderOffset: 0,
    nameBytes: new TextEncoder().encode("w.npy"), otherExtra: new Uint8Array(0), comment: new Uint8Array(0), zip64: NO_ZIP64,
    ...over,
  };
}

describe("ZIP64 decisions", () => {
  it("puts a central field in ZIP64 when it reaches 0xFFFFFFFF, and only that field", () => {
    expect(centralZip64Fields({ zip64: NO_ZIP64, uncompressedSize: U32_MAX - 1, compressedSize: 10, localHeaderOffset: 0 })).toEqual(NO_ZIP64);
    expect(centralZip64Fields({ zip64: NO_ZIP64, uncompressedSize: U32_MAX, compressedSize: 10, localHeaderOffset: 0 }))
      .toEqual({ uncompressedSize: true, compressedSize: false, localHeaderOffset: false });
    expect(centralZip64Fields({ zip64: NO_ZIP64, uncompressedSize: 1, compressedSize: 1, localHeaderOffset: 5 * GiB }))
      .toEqual({ uncompressedSize: false, compressedSize: false, localHeaderOffset: true });
  });

  it("keeps a source's ZIP64 choice for small values (mirroring)", () => {
    const z = { uncompressedSize: true, compressedSize: true, localHeaderOffset: false };
    expect(centralZip64Fields({ zip64: z, uncompressedSize: 1, compressedSize: 1, localHeaderOffset: 0 })).toEqual(z);
  });

  it("needs ZIP64 end records for 65535 entries or a directory at or past 4 GiB", () => {
    const small = { entries: 3, cdSize: 200, cdOffset: 1000, zip64: false };
    expect(endNeedsZip64(small)).toBe(false);
    expect(endNeedsZip64({ ...small, entries: U16_MAX })).toBe(true);
    expect(endNeedsZip64({ ...small, cdOffset: U32_MAX })).toBe(true);
    expect(endNeedsZip64({ ...small, cdSize: U32_MAX })).toBe(true);
    expect(endNeedsZip64({ ...small, zip64: true })).toBe(true);
  });

  it("reserves a ZIP64 local header for a deflated member whose compressed size might reach 4 GiB", () => {
    expect(deflatedNeedsZip64(0)).toBe(false);
    expect(deflatedNeedsZip64(4 * GiB - 2 * 2 ** 20)).toBe(false);
    expect(deflatedNeedsZip64(4 * GiB - 1024 * 1024 / 4)).toBe(true);
    expect(deflatedNeedsZip64(5 * GiB)).toBe(true);
  });
});

describe("central entries", () => {
  it("round-trips a small entry without a ZIP64 field", () => {
    const bytes = encodeCentralEntry(entry());
    expect(bytes.length).toBe(46 + 5);
    const { entry: got, next } = parseCentralEntry(bytes, 0, "entry");
    expect(next).toBe(bytes.length);
    expect(got).toEqual(entry());
  });

  it("writes sizes and offset past 4 GiB to a ZIP64 extra field (0xFFFFFFFF in the classic fields) and reads them back", () => {
    const big = entry({ compressedSize: 5 * GiB, uncompressedSize: 6 * GiB + 7, localHeaderOffset: 9 * GiB + 3 });
    const bytes = encodeCentralEntry(big);
    const dv = new DataView(bytes.buffer);
    expect(dv.getUint32(20, true)).toBe(U32_MAX);
    expect(dv.getUint32(24, true)).toBe(U32_MAX);
    expect(dv.getUint32(42, true)).toBe(U32_MAX);
    expect(dv.getUint16(6, true)).toBe(45); // version needed bumped for ZIP64
    expect(dv.getUint16(46 + 5, true)).toBe(1);
    expect(dv.getUint16(46 + 5 + 2, true)).toBe(24);
    const { entry: got } = parseCentralEntry(bytes, 0, "entry");
    expect(got.uncompressedSize).toBe(6 * GiB + 7);
    expect(got.compressedSize).toBe(5 * GiB);
    expect(got.localHeaderOffset).toBe(9 * GiB + 3);
    expect(got.zip64).toEqual({ uncompressedSize: true, compressedSize: true, localHeaderOffset: true });
  });

  it("orders ZIP64 values as APPNOTE does: only the offset when only it is large", () => {
    const bytes = encodeCentralEntry(entry({ localHeaderOffset: 4 * GiB }));
    const dv = new DataView(bytes.buffer);
    expect(dv.getUint16(46 + 5 + 2, true)).toBe(8);
    expect(readU64(dv, 46 + 5 + 4, "offset")).toBe(4 * GiB);
    expect(parseCentralEntry(bytes, 0, "entry").entry.localHeaderOffset).toBe(4 * GiB);
  });

  it("keeps other extra fields and comments verbatim", () => {
    const otherExtra = Uint8Array.of(0x55, 0x54, 1, 0, 7);
    const comment = new TextEncoder().encode("hi");
    const got = parseCentralEntry(encodeCentralEntry(entry({ otherExtra, comment, uncompressedSize: 5 * GiB, compressedSize: 5 * GiB })), 0, "e").entry;
    expect(got.otherExtra).toEqual(otherExtra);
    expect(got.comment).toEqual(comment);
  });

  it("refuses a 64-bit value beyond 2^53 - 1", () => {
    const bytes = encodeCentralEntry(entry({ uncompressedSize: 5 * GiB, compressedSize: 5 * GiB }));
    new DataView(bytes.buffer).setUint32(46 + 5 + 4 + 4, 0xffffffff, true);
    expect(() => parseCentralEntry(bytes, 0, "entry")).toThrow(ZipRecordError);
    expect(() => parseCentralEntry(bytes, 0, "entry")).toThrow(/beyond 2\^53 - 1/);
  });

  it("refuses a ZIP64 extra field too short for the fields marked 0xFFFFFFFF", () => {
    // Only the offset is in the ZIP64 field (8 bytes); marking the compressed size too asks for 16.
    const bytes = encodeCentralEntry(entry({ localHeaderOffset: 4 * GiB }));
    new DataView(bytes.buffer).setUint32(20, U32_MAX, true);
    expect(() => parseCentralEntry(bytes, 0, "entry")).toThrow(/entry: ZIP64 extra field of 8 bytes is too short for compressed size, local header offset/);
  });

  it("refuses an entry whose name, extra field or comment runs past the directory", () => {
    const bytes = encodeCentralEntry(entry({ comment: new TextEncoder().encode("hi") }));
    expect(() => parseCentralEntry(bytes.subarray(0, bytes.length - 1), 0, "entry")).toThrow(/entry is cut short/);
  });

  it("refuses extra fields that run past their block and a second ZIP64 field", () => {
    expect(() => splitExtra(Uint8Array.of(1, 0, 9, 0, 0), "e")).toThrow(/runs past the end of its block/);
    expect(() => splitExtra(Uint8Array.of(1, 0), "e")).toThrow(/ends inside a field header/);
    expect(() => splitExtra(Uint8Array.of(1, 0, 0, 0, 1, 0, 0, 0), "e")).toThrow(/two ZIP64 extra fields/);
  });
});

describe("local headers", () => {
  const base = { versionNeeded: 20, flags: 0, method: 8, modTime: 0, modDate: 33, crc32: 1, nameBytes: new TextEncoder().encode("a.npy"), otherExtra: new Uint8Array(0) };

  it("writes both sizes to a ZIP64 field when asked (as numpy's force_zip64 does) and reads them back", () => {
    const bytes = encodeLocalHeader({ ...base, compressedSize: 10, uncompressedSize: 20, zip64: true });
    expect(bytes.length).toBe(30 + 5 + 20);
    const h = parseLocalHeader(bytes, "local");
    expect([h.uncompressedSize, h.compressedSize, h.zip64, h.length, h.versionNeeded]).toEqual([20, 10, true, 55, 45]);
  });

  it("switches to ZIP64 by itself for a member of 4 GiB or more", () => {
    const h = parseLocalHeader(encodeLocalHeader({ ...base, compressedSize: 3 * GiB, uncompressedSize: 4 * GiB, zip64: false }), "local");
    expect([h.uncompressedSize, h.compressedSize, h.zip64]).toEqual([4 * GiB, 3 * GiB, true]);
  });

  it("reads both sizes from the ZIP64 field when only one header field is 0xFFFFFFFF (APPNOTE 4.5.3)", () => {
    const bytes = encodeLocalHeader({ ...base, compressedSize: 10, uncompressedSize: 20, zip64: true });
    new DataView(bytes.buffer).setUint32(18, 10, true); // the compressed size back in the header field, the uncompressed one still 0xFFFFFFFF
    const h = parseLocalHeader(bytes, "local");
    expect([h.uncompressedSize, h.compressedSize]).toEqual([20, 10]);
  });

  it("stays classic when small", () => {
    const h = parseLocalHeader(encodeLocalHeader({ ...base, compressedSize: 10, uncompressedSize: 20, zip64: false }), "local");
    expect([h.uncompressedSize, h.compressedSize, h.zip64, h.length]).toEqual([20, 10, false, 35]);
  });
});

describe("end records", () => {
  it("writes a classic end record when nothing needs ZIP64", () => {
    const b = encodeEnd({ entries: 2, cdSize: 100, cdOffset: 500, comment: new Uint8Array(0), zip64: false });
    expect(b.length).toBe(22);
    expect(findEndRecord(b)).toBe(0);
    expect(parseEndRecord(b, 0)).toMatchObject({ entries: 2, cdSize: 100, cdOffset: 500 });
  });

  it("writes the ZIP64 record and locator, and min(value, max) in the classic fields, past the classic limits", () => {
    const b = encodeEnd({ entries: 70_000, cdSize: 6 * GiB, cdOffset: 8 * GiB, comment: Uint8Array.of(65, 66), zip64: false });
    expect(b.length).toBe(56 + 20 + 22 + 2);
    const z = parseZip64End(b.subarray(0, 56), "zip64 end");
    expect(z).toMatchObject({ entries: 70_000, entriesOnDisk: 70_000, cdSize: 6 * GiB, cdOffset: 8 * GiB, recordSize: 44, versionNeeded: 45 });
    const loc = parseZip64Locator(b.subarray(56, 76), "locator");
    expect(loc).toEqual({ zip64EndDisk: 0, zip64EndOffset: 14 * GiB, totalDisks: 1 });
    const at = findEndRecord(b);
    expect(at).toBe(76);
    expect(parseEndRecord(b, at)).toMatchObject({ entries: U16_MAX, cdSize: U32_MAX, cdOffset: U32_MAX, comment: Uint8Array.of(65, 66) });
  });

  it("writes all-ones classic fields when mirroring a source that did", () => {
    const b = encodeEnd({ entries: 2, cdSize: 100, cdOffset: 500, comment: new Uint8Array(0), zip64: true, allOnes: { entries: true, cdSize: false, cdOffset: true } });
    expect(parseEndRecord(b, 76)).toMatchObject({ entries: U16_MAX, cdSize: 100, cdOffset: U32_MAX });
  });

  it("finds the end record behind an archive comment, and not a signature inside the comment", () => {
    const comment = new Uint8Array(30);
    comment.set([0x50, 0x4b, 0x05, 0x06], 4);
    const b = encodeEnd({ entries: 1, cdSize: 46, cdOffset: 0, comment, zip64: false });
    expect(findEndRecord(b)).toBe(0);
    expect(findEndRecord(b.subarray(0, b.length - 1))).toBe(-1);
  });
});
