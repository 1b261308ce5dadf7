/**
 * Read and check a ZIP archive's directory before any member is inflated:
 * the end record (and the ZIP64 record through its locator), every central
 * entry, and every member's local header. What is refused: encryption,
 * methods other than stored/deflated, unsafe or duplicate names, a local
 * header that disagrees with its central entry, data outside the file or
 * overlapping another member or the directory, and a directory that does not
 * end where the end record says.
 */
import { checkArchiveHeap } from "../heap-need.js";
import { FqcError } from "../../errors.js";
import { oneLine } from "../../diagnostics/one-line.js";
import { readFully } from "../../npy/positional.js";
import {
  CENTRAL_FIXED, END_FIXED, END_MAX, FLAG_DATA_DESCRIPTOR, FLAG_ENCRYPTED, FLAG_STRONG_ENCRYPTION, FLAG_UTF8, LOCAL_FIXED,
  METHOD_DEFLATED, METHOD_STORED, SIG_ZIP64_LOCATOR, U16_MAX, U32_MAX, ZIP64_END_FIXED, ZIP64_LOCATOR_SIZE, ZipRecordError,
  findEndRecord, parseCentralEntry, parseEndRecord, parseLocalHeader, parseZip64End, parseZip64Locator,
  type CentralEntry, type EndRecord, type LocalHeader, type Zip64End,
} from "./records.js";

/** A central directory larger than this is refused (a 10,000-member .npz needs about 1 MB). */
export const MAX_CENTRAL_DIRECTORY = 64 << 20;

export const RESAVE_NPZ_HINT = "Save the archive again with np.savez or np.savez_compressed.";

export interface ZipMember {
  name: string;
  central: CentralEntry;
  local: LocalHeader;
  /** Absolute offset of the local header. */
  localOffset: number;
  /** Absolute offset of the first (compressed) data byte. */
  dataOffset: number;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
}

export interface ZipDirectory {
  members: ZipMember[];
  end: EndRecord;
  zip64End: Zip64End | null;
  cdOffset: number;
  cdSize: number;
}

/** Every refusal of an archive: one line naming the file (exit 2). */
export function zipError(file: string, what: string, hint: string = RESAVE_NPZ_HINT): FqcError {
  return new FqcError("NPY", `${file}: ${oneLine(what)}`, { file, hint });
}

/** C0, DEL, C1 and the Unicode line/paragraph separators: anything a terminal could take as a line break or command. */
const CONTROL = /[\x00-\x1f\x7f-\x9f\u2028\u2029]/g;

/** A member name as messages show it: control characters escaped, so a message stays one line. */
export function showName(name: string): string {
  return `'${name.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}'`;
}

export function memberError(file: string, member: string, what: string, hint?: string): FqcError {
  return zipError(file, `member ${showName(member)}: ${what}`, hint);
}

/** Read `n` bytes at `at`; the caller has checked the range lies in the file. */
function readAt(fd: number, at: number, n: number, file: string): Uint8Array {
  const b = new Uint8Array(n);
  readFully(fd, b, at, file);
  return b;
}

/** Why a member name is unsafe to use, or null. Names are paths inside the archive; tensors keep them, extraction tools would not. */
export function unsafeNameReason(name: string): string | null {
  if (name.length === 0) return "an empty name";
  if (name.search(CONTROL) >= 0) return "a control character in its name";
  if (name.includes("\\")) return "a backslash in its name (a Windows path separator)";
  if (name.startsWith("/")) return "an absolute name";
  if (/^[A-Za-z]:/.test(name)) return "a drive letter";
  if (name.split("/").includes("..")) return "a '..' component (path traversal)";
  return null;
}

function decodeName(entry: CentralEntry, index: number, file: string): string {
  const shown = `#${index + 1}`;
  if (entry.flags & FLAG_UTF8) {
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(entry.nameBytes);
    } catch {
      throw zipError(file, `member ${shown}: its name is flagged UTF-8 but is not valid UTF-8`);
    }
  }
  if (entry.nameBytes.some((b) => b >= 0x80)) {
    throw zipError(file, `member ${shown}: its name has non-ASCII bytes without the UTF-8 flag (a legacy code page)`,
      "Save the archive with np.savez, which writes UTF-8 names.");
  }
  // ASCII (checked above); decoded, not spread into fromCharCode: a name may be 65,535 bytes.
  return new TextDecoder().decode(entry.nameBytes);
}

/** Locate and check the end record (and ZIP64 record); returns the central directory's place. */
function readEnd(fd: number, size: number, file: string): { end: EndRecord; zip64End: Zip64End | null; cdOffset: number; cdSize: number; entries: number } {
  if (size < END_FIXED) throw zipError(file, `not a ZIP archive: ${size} bytes is too short to hold an end of central directory record`);
  const tailStart = Math.max(0, size - END_MAX);
  const tail = readAt(fd, tailStart, size - tailStart, file);
  const at = findEndRecord(tail);
  if (at < 0) throw zipError(file, "not a ZIP archive (or truncated): no end of central directory record at its end");
  const endPos = tailStart + at;
  const end = parseEndRecord(tail, at);

  let zip64End: Zip64End | null = null;
  let cdEnd = endPos;
  if (endPos >= ZIP64_LOCATOR_SIZE) {
    const locBytes = readAt(fd, endPos - ZIP64_LOCATOR_SIZE, ZIP64_LOCATOR_SIZE, file);
    if (new DataView(locBytes.buffer).getUint32(0, true) === SIG_ZIP64_LOCATOR) {
      try {
        const loc = parseZip64Locator(locBytes, "ZIP64 end locator");
        if (loc.zip64EndDisk !== 0 || loc.totalDisks !== 1) throw zipError(file, "multi-disk (spanned) archives are not supported");
        const locPos = endPos - ZIP64_LOCATOR_SIZE;
        if (loc.zip64EndOffset + ZIP64_END_FIXED > locPos) throw zipError(file, `ZIP64 end record at ${loc.zip64EndOffset} does not fit before its locator at ${locPos}`);
        zip64End = parseZip64End(readAt(fd, loc.zip64EndOffset, ZIP64_END_FIXED, file), "ZIP64 end record");
        if (loc.zip64EndOffset + 12 + zip64End.recordSize !== locPos) {
          throw zipError(file, `ZIP64 end record claims ${zip64End.recordSize} bytes, but its locator is ${locPos - loc.zip64EndOffset - 12} bytes after its size field`);
        }
        cdEnd = loc.zip64EndOffset;
      } catch (err) {
        if (err instanceof ZipRecordError) throw zipError(file, err.message);
        throw err;
      }
    }
  }
  const disks = zip64End ? [zip64End.diskNumber, zip64End.cdDisk] : [end.diskNumber, end.cdDisk];
  if (disks.some((d) => d !== 0)) throw zipError(file, "multi-disk (spanned) archives are not supported");
  let { entries, cdSize, cdOffset } = end;
  let entriesOnDisk = end.entriesOnDisk;
  if (zip64End) {
    // The classic fields hold the value or the all-ones marker (Python writes min(value, max)).
    const agree = (v32: number, v64: number, max: number) => v32 === max || v32 === v64;
    if (!agree(end.entries, zip64End.entries, U16_MAX) || !agree(end.cdSize, zip64End.cdSize, U32_MAX) || !agree(end.cdOffset, zip64End.cdOffset, U32_MAX)) {
      throw zipError(file, "the end record and the ZIP64 end record disagree on the central directory");
    }
    ({ entries, cdSize, cdOffset, entriesOnDisk } = zip64End);
  }
  if (entriesOnDisk !== entries) throw zipError(file, `the end record counts ${entriesOnDisk} entries on this disk but ${entries} in all`);
  if (cdOffset + cdSize !== cdEnd) {
    throw zipError(file, `the central directory (offset ${cdOffset}, ${cdSize} bytes) does not end where the end record starts (${cdEnd})`);
  }
  if (cdSize > MAX_CENTRAL_DIRECTORY) {
    throw zipError(file, `central directory of ${cdSize} bytes is larger than the ${MAX_CENTRAL_DIRECTORY}-byte limit`);
  }
  if (entries * CENTRAL_FIXED > cdSize) throw zipError(file, `the end record counts ${entries} entries, more than a ${cdSize}-byte central directory can hold`);
  return { end, zip64End, cdOffset, cdSize, entries };
}

function checkEntry(e: CentralEntry, name: string, file: string): void {
  if (e.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) {
    throw memberError(file, name, "is encrypted; fqc reads only unencrypted archives", "Save the archive again without a password (np.savez).");
  }
  if (e.method !== METHOD_STORED && e.method !== METHOD_DEFLATED) {
    throw memberError(file, name, `uses compression method ${e.method}; fqc reads stored (0) and deflated (8) members, as np.savez and np.savez_compressed write them`);
  }
  if (e.method === METHOD_STORED && e.compressedSize !== e.uncompressedSize) {
    throw memberError(file, name, `is stored (uncompressed) but its compressed size ${e.compressedSize} differs from its size ${e.uncompressedSize}`);
  }
  if (e.diskStart !== 0) throw zipError(file, "multi-disk (spanned) archives are not supported");
}

function checkLocal(m: { name: string; central: CentralEntry; local: LocalHeader }, file: string): void {
  const { name, central: c, local: l } = m;
  const differs = (what: string, lv: number | string, cv: number | string) =>
    memberError(file, name, `its local header and central directory disagree on the ${what} (${lv} vs ${cv})`);
  if (l.nameBytes.length !== c.nameBytes.length || l.nameBytes.some((b, i) => b !== c.nameBytes[i])) {
    throw differs("name", showName(new TextDecoder().decode(l.nameBytes)), showName(name));
  }
  if (l.method !== c.method) throw differs("compression method", l.method, c.method);
  if ((l.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== (c.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION))) {
    throw differs("encryption flag", l.flags & FLAG_ENCRYPTED, c.flags & FLAG_ENCRYPTED);
  }
  // With a data descriptor the local header may leave the CRC and sizes at zero (they follow the data).
  const deferred = (l.flags & FLAG_DATA_DESCRIPTOR) !== 0;
  const check = (what: string, lv: number, cv: number) => {
    if (lv !== cv && !(deferred && lv === 0)) throw differs(what, lv, cv);
  };
  check("CRC-32", l.crc32, c.crc32);
  check("compressed size", l.compressedSize, c.compressedSize);
  check("uncompressed size", l.uncompressedSize, c.uncompressedSize);
}

/** Read the whole directory of the archive open as `fd` (`size` bytes) and check it. */
export function readZipDirectory(fd: number, size: number, file: string): ZipDirectory {
  const { end, zip64End, cdOffset, cdSize, entries } = readEnd(fd, size, file);
  checkArchiveHeap(file, entries, cdSize);
  const cd = readAt(fd, cdOffset, cdSize, file);
  const centrals: { name: string; central: CentralEntry }[] = [];
  const seen = new Set<string>();
  let at = 0;
  for (let i = 0; i < entries; i++) {
    let central: CentralEntry;
    try {
      ({ entry: central, next: at } = parseCentralEntry(cd, at, `central directory entry #${i + 1}`));
    } catch (err) {
      if (err instanceof ZipRecordError) throw zipError(file, err.message);
      throw err;
    }
    const name = decodeName(central, i, file);
    const unsafe = unsafeNameReason(name);
    if (unsafe) throw memberError(file, name, `has ${unsafe}; refusing it`, "Member names must be relative paths inside the archive; save the arrays under plain names.");
    if (seen.has(name)) throw memberError(file, name, "appears twice in the archive", "Each member name must be unique; save the archive again.");
    seen.add(name);
    checkEntry(central, name, file);
    centrals.push({ name, central });
  }
  if (at !== cdSize) throw zipError(file, `the central directory has ${cdSize - at} bytes after its ${entries} entries`);

  const members: ZipMember[] = centrals.map(({ name, central }) => {
    const localOffset = central.localHeaderOffset;
    if (localOffset + LOCAL_FIXED > cdOffset) {
      throw memberError(file, name, `its local header offset ${localOffset} is not before the central directory (${cdOffset})`);
    }
    const fixed = readAt(fd, localOffset, LOCAL_FIXED, file);
    const dv = new DataView(fixed.buffer);
    const varLen = dv.getUint16(26, true) + dv.getUint16(28, true);
    if (localOffset + LOCAL_FIXED + varLen > cdOffset) throw memberError(file, name, "its local header runs into the central directory");
    const whole = new Uint8Array(LOCAL_FIXED + varLen);
    whole.set(fixed);
    readFully(fd, whole.subarray(LOCAL_FIXED), localOffset + LOCAL_FIXED, file);
    let local: LocalHeader;
    try {
      local = parseLocalHeader(whole, "local header");
    } catch (err) {
      if (err instanceof ZipRecordError) throw memberError(file, name, err.message);
      throw err;
    }
    checkLocal({ name, central, local }, file);
    const dataOffset = localOffset + local.length;
    if (dataOffset + central.compressedSize > cdOffset) {
      throw memberError(file, name, `its ${central.compressedSize} data bytes at offset ${dataOffset} run past the start of the central directory (${cdOffset}): sizes lie or the archive is truncated`);
    }
    return {
      name, central, local, localOffset, dataOffset,
      method: central.method, compressedSize: central.compressedSize, uncompressedSize: central.uncompressedSize, crc32: central.crc32,
    };
  });

  const byOffset = [...members].sort((a, b) => a.localOffset - b.localOffset);
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1];
    const cur = byOffset[i];
    if (prev.dataOffset + prev.compressedSize > cur.localOffset) {
      throw zipError(file, `members ${showName(prev.name)} and ${showName(cur.name)} overlap (bytes ${cur.localOffset}..${prev.dataOffset + prev.compressedSize})`,
        "A ZIP member's bytes must be its own; this archive is crafted or corrupt. Save it again.");
    }
  }
  return { members, end, zip64End, cdOffset, cdSize };
}
