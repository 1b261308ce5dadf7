/**
 * ZIP records (APPNOTE 6.3.x): the local file header, the central directory
 * entry, the end of central directory record and its ZIP64 record and
 * locator. Pure functions from bytes to fields and back; the archive reader
 * and writer decide what is acceptable. 64-bit fields stay exact JS numbers
 * (a value above 2^53 - 1 is refused as unreadable).
 */

export const SIG_LOCAL = 0x04034b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_END = 0x06054b50;
export const SIG_ZIP64_END = 0x06064b50;
export const SIG_ZIP64_LOCATOR = 0x07064b50;

export const LOCAL_FIXED = 30;
export const CENTRAL_FIXED = 46;
export const END_FIXED = 22;
export const ZIP64_END_FIXED = 56;
export const ZIP64_LOCATOR_SIZE = 20;
/** The largest end record: fixed part plus a 65535-byte archive comment. */
export const END_MAX = END_FIXED + 0xffff;

export const U16_MAX = 0xffff;
export const U32_MAX = 0xffffffff;
export const ZIP64_EXTRA_ID = 0x0001;
/** The "version needed to extract" of an entry that uses ZIP64 fields (4.5). */
export const ZIP64_VERSION = 45;

export const FLAG_ENCRYPTED = 0x0001;
export const FLAG_DATA_DESCRIPTOR = 0x0008;
export const FLAG_STRONG_ENCRYPTION = 0x0040;
export const FLAG_UTF8 = 0x0800;

export const METHOD_STORED = 0;
export const METHOD_DEFLATED = 8;

/** A record that cannot be decoded; the reader turns it into a message naming the file. */
export class ZipRecordError extends Error {}

/** Which 32-bit fields of a central entry were 0xFFFFFFFF with the value in the ZIP64 extra field. */
export interface Zip64Fields {
  uncompressedSize: boolean;
  compressedSize: boolean;
  localHeaderOffset: boolean;
}

export interface CentralEntry {
  versionMadeBy: number;
  versionNeeded: number;
  flags: number;
  method: number;
  modTime: number;
  modDate: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  diskStart: number;
  internalAttr: number;
  externalAttr: number;
  localHeaderOffset: number;
  nameBytes: Uint8Array;
  /** Extra fields other than ZIP64's, verbatim. */
  otherExtra: Uint8Array;
  comment: Uint8Array;
  zip64: Zip64Fields;
}

export interface LocalHeader {
  versionNeeded: number;
  flags: number;
  method: number;
  modTime: number;
  modDate: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  nameBytes: Uint8Array;
  otherExtra: Uint8Array;
  /** The header carried a ZIP64 extra field. */
  zip64: boolean;
  /** Bytes from the signature to the first data byte. */
  length: number;
}

export interface EndRecord {
  diskNumber: number;
  cdDisk: number;
  entriesOnDisk: number;
  entries: number;
  cdSize: number;
  cdOffset: number;
  comment: Uint8Array;
}

export interface Zip64End {
  versionMadeBy: number;
  versionNeeded: number;
  diskNumber: number;
  cdDisk: number;
  entriesOnDisk: number;
  entries: number;
  cdSize: number;
  cdOffset: number;
  /** Bytes the record says follow its size field (44 plus extensible data). */
  recordSize: number;
}

export interface Zip64Locator {
  zip64EndDisk: number;
  zip64EndOffset: number;
  totalDisks: number;
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** A little-endian u64 as an exact number; above 2^53 - 1 is refused. */
export function readU64(dv: DataView, at: number, what: string): number {
  const lo = dv.getUint32(at, true);
  const hi = dv.getUint32(at + 4, true);
  const v = hi * 2 ** 32 + lo;
  if (!Number.isSafeInteger(v)) throw new ZipRecordError(`${what} ${BigInt(hi) * 2n ** 32n + BigInt(lo)} is beyond 2^53 - 1`);
  return v;
}

export function writeU64(dv: DataView, at: number, v: number): void {
  dv.setUint32(at, v % 2 ** 32, true);
  dv.setUint32(at + 4, Math.floor(v / 2 ** 32), true);
}

function need(b: Uint8Array, at: number, n: number, what: string): void {
  if (at + n > b.length) throw new ZipRecordError(`${what} is cut short`);
}

/** Split an extra-field block into its ZIP64 field (if any) and the others, verbatim. */
export function splitExtra(extra: Uint8Array, what: string): { zip64: Uint8Array | null; others: Uint8Array } {
  const dv = view(extra);
  let zip64: Uint8Array | null = null;
  const others: Uint8Array[] = [];
  let at = 0;
  while (at < extra.length) {
    if (at + 4 > extra.length) throw new ZipRecordError(`${what}: extra field block ends inside a field header`);
    const id = dv.getUint16(at, true);
    const size = dv.getUint16(at + 2, true);
    if (at + 4 + size > extra.length) throw new ZipRecordError(`${what}: extra field 0x${id.toString(16).padStart(4, "0")} runs past the end of its block`);
    if (id === ZIP64_EXTRA_ID) {
      if (zip64 !== null) throw new ZipRecordError(`${what}: two ZIP64 extra fields`);
      zip64 = extra.subarray(at + 4, at + 4 + size);
    } else {
      others.push(extra.subarray(at, at + 4 + size));
    }
    at += 4 + size;
  }
  return { zip64, others: concat(others) };
}

/**
 * Shared by every empty field (most members have no comment and no other extra field): an archive of
 * 50,000 members kept ~6 small buffers each, ~1 KB of heap per member. Empty, so never written to.
 */
const EMPTY = new Uint8Array(0);

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 0) return EMPTY;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** Read the ZIP64 values of the fields that were 0xFFFFFFFF, in APPNOTE order. */
function takeZip64(zip64: Uint8Array | null, wanted: readonly string[], what: string): number[] {
  if (wanted.length === 0) return [];
  if (zip64 === null) throw new ZipRecordError(`${what}: ${wanted.join(", ")} 0xFFFFFFFF but there is no ZIP64 extra field`);
  if (zip64.length < 8 * wanted.length) throw new ZipRecordError(`${what}: ZIP64 extra field of ${zip64.length} bytes is too short for ${wanted.join(", ")}`);
  const dv = view(zip64);
  return wanted.map((w, i) => readU64(dv, 8 * i, `${what}: ZIP64 ${w}`));
}

/** Parse the central directory entry at `at` of `cd`; returns it and where the next one starts. */
export function parseCentralEntry(cd: Uint8Array, at: number, what: string): { entry: CentralEntry; next: number } {
  need(cd, at, CENTRAL_FIXED, what);
  const dv = view(cd);
  if (dv.getUint32(at, true) !== SIG_CENTRAL) throw new ZipRecordError(`${what} has no central directory signature`);
  const nameLen = dv.getUint16(at + 28, true);
  const extraLen = dv.getUint16(at + 30, true);
  const commentLen = dv.getUint16(at + 32, true);
  const end = at + CENTRAL_FIXED + nameLen + extraLen + commentLen;
  need(cd, at, end - at, what);
  const nameBytes = cd.slice(at + CENTRAL_FIXED, at + CENTRAL_FIXED + nameLen);
  const extra = cd.subarray(at + CENTRAL_FIXED + nameLen, at + CENTRAL_FIXED + nameLen + extraLen);
  const { zip64, others } = splitExtra(extra, what);
  const csize32 = dv.getUint32(at + 20, true);
  const usize32 = dv.getUint32(at + 24, true);
  const offset32 = dv.getUint32(at + 42, true);
  const flagged: Zip64Fields = { uncompressedSize: usize32 === U32_MAX, compressedSize: csize32 === U32_MAX, localHeaderOffset: offset32 === U32_MAX };
  const wanted = (["uncompressedSize", "compressedSize", "localHeaderOffset"] as const).filter((k) => flagged[k]);
  const values = takeZip64(zip64, wanted.map((w) => w.replace(/[A-Z]/g, (c) => " " + c.toLowerCase())), what);
  const value = (k: keyof Zip64Fields, v32: number) => (flagged[k] ? values[wanted.indexOf(k)] : v32);
  return {
    entry: {
      versionMadeBy: dv.getUint16(at + 4, true),
      versionNeeded: dv.getUint16(at + 6, true),
      flags: dv.getUint16(at + 8, true),
      method: dv.getUint16(at + 10, true),
      modTime: dv.getUint16(at + 12, true),
      modDate: dv.getUint16(at + 14, true),
      crc32: dv.getUint32(at + 16, true),
      compressedSize: value("compressedSize", csize32),
      uncompressedSize: value("uncompressedSize", usize32),
      diskStart: dv.getUint16(at + 34, true),
      internalAttr: dv.getUint16(at + 36, true),
      externalAttr: dv.getUint32(at + 38, true),
      localHeaderOffset: value("localHeaderOffset", offset32),
      nameBytes,
      otherExtra: others,
      comment: commentLen === 0 ? EMPTY : cd.slice(end - commentLen, end),
      zip64: flagged,
    },
    next: end,
  };
}

/** Encode a central entry; a field goes to the ZIP64 extra when `zip64` flags it or its value needs it. */
export function encodeCentralEntry(e: CentralEntry): Uint8Array {
  const z = centralZip64Fields(e);
  const zipCount = Number(z.uncompressedSize) + Number(z.compressedSize) + Number(z.localHeaderOffset);
  const zip64Len = zipCount === 0 ? 0 : 4 + 8 * zipCount;
  const extraLen = zip64Len + e.otherExtra.length;
  if (extraLen > U16_MAX) throw new ZipRecordError("central directory extra fields longer than 65535 bytes");
  const out = new Uint8Array(CENTRAL_FIXED + e.nameBytes.length + extraLen + e.comment.length);
  const dv = view(out);
  dv.setUint32(0, SIG_CENTRAL, true);
  dv.setUint16(4, e.versionMadeBy, true);
  dv.setUint16(6, zipCount > 0 ? Math.max(e.versionNeeded, ZIP64_VERSION) : e.versionNeeded, true);
  dv.setUint16(8, e.flags, true);
  dv.setUint16(10, e.method, true);
  dv.setUint16(12, e.modTime, true);
  dv.setUint16(14, e.modDate, true);
  dv.setUint32(16, e.crc32, true);
  dv.setUint32(20, z.compressedSize ? U32_MAX : e.compressedSize, true);
  dv.setUint32(24, z.uncompressedSize ? U32_MAX : e.uncompressedSize, true);
  dv.setUint16(28, e.nameBytes.length, true);
  dv.setUint16(30, extraLen, true);
  dv.setUint16(32, e.comment.length, true);
  dv.setUint16(34, e.diskStart, true);
  dv.setUint16(36, e.internalAttr, true);
  dv.setUint32(38, e.externalAttr, true);
  dv.setUint32(42, z.localHeaderOffset ? U32_MAX : e.localHeaderOffset, true);
  let at = CENTRAL_FIXED;
  out.set(e.nameBytes, at);
  at += e.nameBytes.length;
  if (zipCount > 0) {
    dv.setUint16(at, ZIP64_EXTRA_ID, true);
    dv.setUint16(at + 2, 8 * zipCount, true);
    at += 4;
    for (const k of ["uncompressedSize", "compressedSize", "localHeaderOffset"] as const) {
      if (z[k]) { writeU64(dv, at, e[k]); at += 8; }
    }
  }
  out.set(e.otherExtra, at);
  out.set(e.comment, at + e.otherExtra.length);
  return out;
}

/** The decision: a central field is written as ZIP64 when asked to (mirroring a source) or when it does not fit 32 bits. */
export function centralZip64Fields(e: Pick<CentralEntry, "zip64" | "uncompressedSize" | "compressedSize" | "localHeaderOffset">): Zip64Fields {
  return {
    uncompressedSize: e.zip64.uncompressedSize || e.uncompressedSize >= U32_MAX,
    compressedSize: e.zip64.compressedSize || e.compressedSize >= U32_MAX,
    localHeaderOffset: e.zip64.localHeaderOffset || e.localHeaderOffset >= U32_MAX,
  };
}

/** Parse a local header's fixed part and its name and extra (`b` holds at least LOCAL_FIXED + name + extra bytes). */
export function parseLocalHeader(b: Uint8Array, what: string): LocalHeader {
  need(b, 0, LOCAL_FIXED, what);
  const dv = view(b);
  if (dv.getUint32(0, true) !== SIG_LOCAL) throw new ZipRecordError(`${what} has no local header signature`);
  const nameLen = dv.getUint16(26, true);
  const extraLen = dv.getUint16(28, true);
  need(b, 0, LOCAL_FIXED + nameLen + extraLen, what);
  const { zip64, others } = splitExtra(b.subarray(LOCAL_FIXED + nameLen, LOCAL_FIXED + nameLen + extraLen), what);
  const csize32 = dv.getUint32(18, true);
  const usize32 = dv.getUint32(22, true);
  // APPNOTE 4.5.3: a local ZIP64 field holds both sizes, uncompressed first, when either header field is 0xFFFFFFFF.
  let usize = usize32;
  let csize = csize32;
  if (usize32 === U32_MAX || csize32 === U32_MAX) {
    [usize, csize] = takeZip64(zip64, ["uncompressed size", "compressed size"], what);
  }
  return {
    versionNeeded: dv.getUint16(4, true),
    flags: dv.getUint16(6, true),
    method: dv.getUint16(8, true),
    modTime: dv.getUint16(10, true),
    modDate: dv.getUint16(12, true),
    crc32: dv.getUint32(14, true),
    compressedSize: csize,
    uncompressedSize: usize,
    nameBytes: b.slice(LOCAL_FIXED, LOCAL_FIXED + nameLen),
    otherExtra: others,
    zip64: zip64 !== null,
    length: LOCAL_FIXED + nameLen + extraLen,
  };
}

/** Encode a local header (`length` ignored); with `zip64` both sizes go to a ZIP64 extra field, as Python's zipfile writes them. */
export function encodeLocalHeader(h: Omit<LocalHeader, "length">): Uint8Array {
  const zip64 = h.zip64 || h.uncompressedSize >= U32_MAX || h.compressedSize >= U32_MAX;
  const extraLen = (zip64 ? 20 : 0) + h.otherExtra.length;
  if (extraLen > U16_MAX) throw new ZipRecordError("local header extra fields longer than 65535 bytes");
  const out = new Uint8Array(LOCAL_FIXED + h.nameBytes.length + extraLen);
  const dv = view(out);
  dv.setUint32(0, SIG_LOCAL, true);
  dv.setUint16(4, zip64 ? Math.max(h.versionNeeded, ZIP64_VERSION) : h.versionNeeded, true);
  dv.setUint16(6, h.flags, true);
  dv.setUint16(8, h.method, true);
  dv.setUint16(10, h.modTime, true);
  dv.setUint16(12, h.modDate, true);
  dv.setUint32(14, h.crc32, true);
  dv.setUint32(18, zip64 ? U32_MAX : h.compressedSize, true);
  dv.setUint32(22, zip64 ? U32_MAX : h.uncompressedSize, true);
  dv.setUint16(26, h.nameBytes.length, true);
  dv.setUint16(28, extraLen, true);
  out.set(h.nameBytes, LOCAL_FIXED);
  let at = LOCAL_FIXED + h.nameBytes.length;
  if (zip64) {
    dv.setUint16(at, ZIP64_EXTRA_ID, true);
    dv.setUint16(at + 2, 16, true);
    writeU64(dv, at + 4, h.uncompressedSize);
    writeU64(dv, at + 12, h.compressedSize);
    at += 20;
  }
  out.set(h.otherExtra, at);
  return out;
}

/** Parse the end record at `at` of `b` (which ends exactly where the archive does). */
export function parseEndRecord(b: Uint8Array, at: number): EndRecord {
  const dv = view(b);
  return {
    diskNumber: dv.getUint16(at + 4, true),
    cdDisk: dv.getUint16(at + 6, true),
    entriesOnDisk: dv.getUint16(at + 8, true),
    entries: dv.getUint16(at + 10, true),
    cdSize: dv.getUint32(at + 12, true),
    cdOffset: dv.getUint32(at + 16, true),
    comment: b.slice(at + END_FIXED, at + END_FIXED + dv.getUint16(at + 20, true)),
  };
}

/**
 * Find the end record in the archive's last bytes: the last signature whose
 * comment length reaches exactly to the end. -1 when there is none.
 */
export function findEndRecord(tail: Uint8Array): number {
  const dv = view(tail);
  for (let at = tail.length - END_FIXED; at >= 0; at--) {
    if (dv.getUint32(at, true) === SIG_END && at + END_FIXED + dv.getUint16(at + 20, true) === tail.length) return at;
  }
  return -1;
}

export function parseZip64Locator(b: Uint8Array, what: string): Zip64Locator {
  need(b, 0, ZIP64_LOCATOR_SIZE, what);
  const dv = view(b);
  if (dv.getUint32(0, true) !== SIG_ZIP64_LOCATOR) throw new ZipRecordError(`${what} has no signature`);
  return { zip64EndDisk: dv.getUint32(4, true), zip64EndOffset: readU64(dv, 8, `${what}: offset`), totalDisks: dv.getUint32(16, true) };
}

export function parseZip64End(b: Uint8Array, what: string): Zip64End {
  need(b, 0, ZIP64_END_FIXED, what);
  const dv = view(b);
  if (dv.getUint32(0, true) !== SIG_ZIP64_END) throw new ZipRecordError(`${what} has no signature`);
  return {
    recordSize: readU64(dv, 4, `${what}: record size`),
    versionMadeBy: dv.getUint16(12, true),
    versionNeeded: dv.getUint16(14, true),
    diskNumber: dv.getUint32(16, true),
    cdDisk: dv.getUint32(20, true),
    entriesOnDisk: readU64(dv, 24, `${what}: entry count`),
    entries: readU64(dv, 32, `${what}: entry count`),
    cdSize: readU64(dv, 40, `${what}: central directory size`),
    cdOffset: readU64(dv, 48, `${what}: central directory offset`),
  };
}

export interface EndLayout {
  entries: number;
  cdSize: number;
  cdOffset: number;
  comment: Uint8Array;
  /** Write the ZIP64 record and locator even if nothing needs them (mirroring a source that had them). */
  zip64: boolean;
  /** Version fields of the ZIP64 record (Python's zipfile writes 45, 45). */
  zip64Versions?: { madeBy: number; needed: number };
  /**
   * With ZIP64, write these classic fields as all ones (0xFFFF / 0xFFFFFFFF)
   * instead of min(value, max), mirroring a source that did.
   */
  allOnes?: { entries: boolean; cdSize: boolean; cdOffset: boolean };
}

/** The decision for the end: ZIP64 records when asked to or when a count or position does not fit the classic record. */
export function endNeedsZip64(l: Pick<EndLayout, "entries" | "cdSize" | "cdOffset" | "zip64">): boolean {
  return l.zip64 || l.entries >= U16_MAX || l.cdSize >= U32_MAX || l.cdOffset >= U32_MAX;
}

/**
 * Encode what follows the central directory: [ZIP64 end record, locator,]
 * end record. With ZIP64, the classic fields hold min(value, max), as
 * Python's zipfile writes them (readers take the ZIP64 values).
 */
export function encodeEnd(l: EndLayout): Uint8Array {
  const zip64 = endNeedsZip64(l);
  const zipLen = zip64 ? ZIP64_END_FIXED + ZIP64_LOCATOR_SIZE : 0;
  if (l.comment.length > U16_MAX) throw new ZipRecordError("archive comment longer than 65535 bytes");
  const out = new Uint8Array(zipLen + END_FIXED + l.comment.length);
  const dv = view(out);
  if (zip64) {
    const v = l.zip64Versions ?? { madeBy: ZIP64_VERSION, needed: ZIP64_VERSION };
    dv.setUint32(0, SIG_ZIP64_END, true);
    writeU64(dv, 4, ZIP64_END_FIXED - 12);
    dv.setUint16(12, v.madeBy, true);
    dv.setUint16(14, v.needed, true);
    dv.setUint32(16, 0, true);
    dv.setUint32(20, 0, true);
    writeU64(dv, 24, l.entries);
    writeU64(dv, 32, l.entries);
    writeU64(dv, 40, l.cdSize);
    writeU64(dv, 48, l.cdOffset);
    const loc = ZIP64_END_FIXED;
    dv.setUint32(loc, SIG_ZIP64_LOCATOR, true);
    dv.setUint32(loc + 4, 0, true);
    writeU64(dv, loc + 8, l.cdOffset + l.cdSize);
    dv.setUint32(loc + 16, 1, true);
  }
  const at = zipLen;
  const ones = zip64 ? l.allOnes : undefined;
  const entries = ones?.entries ? U16_MAX : Math.min(l.entries, U16_MAX);
  dv.setUint32(at, SIG_END, true);
  dv.setUint16(at + 4, 0, true);
  dv.setUint16(at + 6, 0, true);
  dv.setUint16(at + 8, entries, true);
  dv.setUint16(at + 10, entries, true);
  dv.setUint32(at + 12, ones?.cdSize ? U32_MAX : Math.min(l.cdSize, U32_MAX), true);
  dv.setUint32(at + 16, ones?.cdOffset ? U32_MAX : Math.min(l.cdOffset, U32_MAX), true);
  dv.setUint16(at + 20, l.comment.length, true);
  out.set(l.comment, at + END_FIXED);
  return out;
}
