/**
 * .npy header: parse (safely, with numpy's limits) and read from disk.
 * Format: magic `\x93NUMPY`, version (major, minor), little-endian header
 * length (u16 for 1.0, u32 for 2.0/3.0), then a Python dict literal.
 * See https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
import { closeSync, constants, fstatSync, openSync } from "node:fs";
import { parseDescr, type ByteOrder, type NpyDtype } from "./dtype.js";
import { io, ioFailure as npyErrorIo, npyError } from "./fail.js";
import { readFully } from "./positional.js";
import { LiteralSyntaxError, parsePyLiteral, showPy, type PyValue } from "./literal.js";
import { checkShape, shapeRepr } from "./shape.js";

export type { NpyDtype } from "./dtype.js";
export { encodeNpyHeader } from "./header-encode.js";

export interface NpyHeader {
  version: [number, number];
  descr: string;
  dtype: NpyDtype;
  byteOrder: ByteOrder;
  itemSize: number;
  fortranOrder: boolean;
  shape: number[];
  /** Byte offset of the first data byte. */
  dataOffset: number;
  elementCount: number;
  dataBytes: number;
}

export const NPY_MAGIC = Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59); // \x93NUMPY
/** numpy's `_MAX_HEADER_SIZE`: longer headers are refused as unsafe to parse. */
export const MAX_HEADER_SIZE = 10_000;
/** Enough bytes to hold any header we accept. */
export const MAX_PREFIX = 12 + MAX_HEADER_SIZE;

const RESAVE_HINT = "Re-save it with numpy: np.save(path, np.asarray(a, dtype=np.float32), allow_pickle=False).";
const KEYS = ["descr", "fortran_order", "shape"] as const;
/** The control bytes Python's tokenizer takes as white space (tab, LF, form feed, CR); numpy reads headers holding them. */
const SPACE_CONTROLS = new Set([0x09, 0x0a, 0x0c, 0x0d]);

/** Parse and validate the header from the first bytes of a file of `fileSize` bytes. */
export function parseNpyHeader(prefix: Uint8Array, fileSize: number, file: string): NpyHeader {
  // Too few bytes for the next field: the file is short, or the caller passed a short prefix of a longer file.
  const tooShort = (need: number) => fileSize < need
    ? npyError(file, `truncated header: the file is only ${fileSize} bytes long`, RESAVE_HINT)
    : npyError(file, `header truncated: only ${prefix.length} of ${need} header bytes were given`);
  if (fileSize < 10 || prefix.length < 10) {
    const startsRight = NPY_MAGIC.every((b, i) => i >= prefix.length || prefix[i] === b);
    if (!startsRight) throw npyError(file, "not a .npy file (bad magic bytes)", "Give a file written by numpy.save.");
    throw tooShort(10);
  }
  if (!NPY_MAGIC.every((b, i) => prefix[i] === b)) {
    throw npyError(file, "not a .npy file (bad magic bytes)", "Give a file written by numpy.save (.npz archives must be unpacked first).");
  }
  const major = prefix[6];
  const minor = prefix[7];
  if (!((major === 1 || major === 2 || major === 3) && minor === 0)) {
    throw npyError(file, `unsupported .npy format version ${major}.${minor} (fqc reads 1.0, 2.0 and 3.0)`, RESAVE_HINT);
  }
  const lenBytes = major === 1 ? 2 : 4;
  const headerStart = 8 + lenBytes;
  if (fileSize < headerStart || prefix.length < headerStart) throw tooShort(headerStart);
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const headerLen = lenBytes === 2 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerLen > MAX_HEADER_SIZE) {
    throw npyError(file, `header length ${headerLen} is larger than the ${MAX_HEADER_SIZE}-byte limit (numpy's limit too); refusing to parse it`, RESAVE_HINT);
  }
  const dataOffset = headerStart + headerLen;
  if (dataOffset > fileSize) {
    throw npyError(file, `header longer than the file: it claims ${headerLen} bytes but the file has ${fileSize - headerStart} after the length field`, "The file is truncated or not a .npy file; save it again.");
  }
  if (dataOffset > prefix.length) throw tooShort(dataOffset);
  const bytes = prefix.subarray(headerStart, dataOffset);
  const bad = bytes.findIndex((b) => b > 0x7e || (b < 0x20 && !SPACE_CONTROLS.has(b)));
  if (bad >= 0) {
    throw npyError(file, `header contains a non-ASCII or control byte 0x${bytes[bad].toString(16).padStart(2, "0")} at offset ${headerStart + bad}`, RESAVE_HINT);
  }
  const text = String.fromCharCode(...bytes);
  const info = interpretDict(parseDict(text, file, major <= 2), file);
  const available = fileSize - dataOffset;
  if (available < info.dataBytes) {
    throw npyError(file, `data truncated: shape ${shapeRepr(info.shape)} of ${info.descr} needs ${info.dataBytes} bytes but the file has ${available}`, "The file was cut short (interrupted copy or save?); save it again.");
  }
  if (available > info.dataBytes) {
    throw npyError(file, `${available - info.dataBytes} unexpected trailing bytes after the data (shape ${shapeRepr(info.shape)} of ${info.descr} needs ${info.dataBytes} bytes, the file has ${available})`, "The header does not describe the data; save the array again with np.save.");
  }
  return { version: [major, minor], ...info, dataOffset };
}

function parseDict(text: string, file: string, longSuffix: boolean): Map<string, PyValue> {
  let value: PyValue;
  try {
    value = parsePyLiteral(text, { longSuffix });
  } catch (err) {
    if (err instanceof LiteralSyntaxError) throw npyError(file, `header is not a Python dict literal: ${err.message}`, RESAVE_HINT);
    throw err;
  }
  if (value.kind !== "dict") throw npyError(file, `header is not a dictionary: ${showPy(value)}`, RESAVE_HINT);
  const dict = new Map<string, PyValue>();
  for (const [k, v] of value.entries) {
    if (k.kind !== "str") throw npyError(file, `header has a non-string key ${showPy(k)}`, RESAVE_HINT);
    if (dict.has(k.value)) throw npyError(file, `header has the key '${k.value}' twice`, RESAVE_HINT);
    dict.set(k.value, v);
  }
  for (const key of KEYS) {
    if (!dict.has(key)) throw npyError(file, `header is missing the key '${key}'`, RESAVE_HINT);
  }
  for (const key of dict.keys()) {
    if (!(KEYS as readonly string[]).includes(key)) {
      throw npyError(file, `header has an unexpected key '${key}' (expected exactly 'descr', 'fortran_order', 'shape')`, RESAVE_HINT);
    }
  }
  return dict;
}

function interpretDict(dict: Map<string, PyValue>, file: string): Omit<NpyHeader, "version" | "dataOffset"> {
  const descrV = dict.get("descr")!;
  if (descrV.kind === "list") {
    throw npyError(file, "structured dtype (a list of fields) is not supported", "Save each field as its own numeric array.");
  }
  if (descrV.kind !== "str") throw npyError(file, `descr is not a dtype string: ${showPy(descrV)}`, RESAVE_HINT);
  const parsed = parseDescr(descrV.value);
  if (!parsed.ok) throw npyError(file, parsed.what, parsed.hint);

  const fortranV = dict.get("fortran_order")!;
  if (fortranV.kind !== "bool") throw npyError(file, `fortran_order is not True or False: ${showPy(fortranV)}`, RESAVE_HINT);

  const shapeV = dict.get("shape")!;
  if (shapeV.kind !== "tuple") throw npyError(file, `shape is not a tuple: ${showPy(shapeV)}`, RESAVE_HINT);
  const dims: bigint[] = [];
  for (const [i, d] of shapeV.items.entries()) {
    if (d.kind !== "int") throw npyError(file, `dimension ${i} of shape ${showPy(shapeV)} is not an integer`, RESAVE_HINT);
    dims.push(d.value);
  }
  const counts = checkShape(dims, parsed.info.itemSize);
  if (!counts.ok) throw npyError(file, counts.what, RESAVE_HINT);
  return {
    descr: descrV.value,
    ...parsed.info,
    fortranOrder: fortranV.value,
    shape: dims.map(Number),
    elementCount: counts.elementCount,
    dataBytes: counts.dataBytes,
  };
}

/** Open `path`, check it is a regular file (`kind` names what was expected), and return its fd and size. The caller closes the fd. */
export function openRegularFile(path: string, kind: string = ".npy file"): { fd: number; size: number } {
  // O_NONBLOCK: opening a FIFO (or a device) for reading would otherwise wait for a writer, forever;
  // this way it opens at once and fstat rejects it. Regular files ignore the flag.
  const fd = io(path, "open", () => openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)));
  try {
    const st = io(path, "stat", () => fstatSync(fd));
    if (st.isDirectory()) throw npyErrorIo(path, "is a directory", `Give the path of a ${kind}, not a directory.`);
    if (!st.isFile()) throw npyErrorIo(path, "is not a regular file", `Give the path of a ${kind} on disk.`);
    return { fd, size: st.size };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** Read the header of an open file: at most MAX_PREFIX bytes, never the data. */
export function readHeaderFromFd(fd: number, size: number, path: string): NpyHeader {
  const prefix = new Uint8Array(Math.min(size, MAX_PREFIX));
  readFully(fd, prefix, 0, path);
  return parseNpyHeader(prefix, size, path);
}

/** Read and validate the header of the .npy file at `path` (reads only the header bytes). */
export function readNpyHeader(path: string): NpyHeader {
  const { fd, size } = openRegularFile(path);
  try {
    return readHeaderFromFd(fd, size, path);
  } finally {
    closeSync(fd);
  }
}
