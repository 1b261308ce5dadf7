/**
 * safetensors header: read and validate, before any tensor data is touched.
 * Layout: u64 little-endian header length N, N bytes of UTF-8 JSON (an
 * object; may be padded with trailing spaces), then the data buffer.
 * Every check the reference implementation makes is made here, once, and
 * some more (unknown fields, duplicate keys, integer spelling); after this,
 * the rest of fqc trusts the layout.
 * See https://github.com/huggingface/safetensors#format
 */
import { checkHeaderHeap } from "./heap-need.js";
import { readFully } from "../npy/positional.js";
import { DTYPE_BITS, isTensorDtype, tensorByteLength } from "./dtypes.js";
import { checkpointError } from "./fail.js";
import type { SourceBytes } from "./source-bytes.js";
import { crc32Update } from "./zip/crc.js";
import { jsonKind, JsonMemberTooLargeError, jsonNonNegativeInteger, JsonSyntaxError, parseStrictJson, quoteName, type JsonValue } from "./strict-json.js";
import type { TensorDtype } from "./types.js";
import { withThousands } from "../thousands.js";

/** The reference implementation's limit on the header length. */
export const MAX_SAFETENSORS_HEADER = 100_000_000;

const RESAVE = "The file is damaged or was not written by a safetensors library; save it again with safetensors (e.g. safetensors.torch.save_file).";
const TENSOR_KEYS = ["dtype", "shape", "data_offsets"] as const;

export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: TensorDtype;
  readonly shape: readonly number[];
  /** data_offsets, relative to the data buffer. */
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  readonly metadata: Readonly<Record<string, string>> | null;
  /** In data-offset order (ties, i.e. empty tensors at one offset, in header order). */
  readonly tensors: readonly SafetensorsEntry[];
}

export interface SafetensorsLayout extends SafetensorsHeader {
  /** The length field and the header, as a writer copies them from the file. */
  readonly head: SourceBytes;
  /** Absolute offset of the data buffer: 8 + N. */
  readonly dataStart: number;
}

/** Read and validate the layout of an open safetensors file of `size` bytes; `heapHeld`: see checkHeaderHeap's `held`. */
export function readSafetensorsLayout(fd: number, size: number, file: string, heapHeld = 0): SafetensorsLayout {
  if (size < 8) {
    throw checkpointError(file, `not a safetensors file: ${size} bytes, too short for the 8-byte header length`, RESAVE);
  }
  const lengthField = new Uint8Array(8);
  readFully(fd, lengthField, 0, file);
  const declared = new DataView(lengthField.buffer).getBigUint64(0, true);
  if (declared > BigInt(MAX_SAFETENSORS_HEADER)) {
    throw checkpointError(file, `header length ${declared} is larger than the ${MAX_SAFETENSORS_HEADER}-byte limit (the reference implementation's); refusing to read it`, RESAVE);
  }
  const n = Number(declared);
  if (n > size - 8) {
    throw checkpointError(file, `header length ${n} runs past the end of the file (${size - 8} bytes follow the length field)`, "The file is truncated or not a safetensors file; download or save it again.");
  }
  checkHeaderHeap(file, n, "header", undefined, heapHeld);
  const prefix = new Uint8Array(8 + n);
  prefix.set(lengthField);
  readFully(fd, prefix.subarray(8), 8, file);
  const header = parseSafetensorsHeader(prefix.subarray(8), size - 8 - n, file);
  return { ...header, head: { file, length: prefix.length, crc: crc32Update(prefix) }, dataStart: 8 + n };
}

/**
 * Dimensions the fast path reads; a longer shape goes the general way. Unbounded, the pattern's repeat
 * overflowed V8's regex stack on a shape of 10 million dimensions ("Maximum call stack size exceeded").
 */
const MAX_USUAL_DIMS = 64;
/**
 * JSON values one root member's tree may hold (parseStrictJson's maxMemberValues): a tensor entry holds a
 * few plus its shape, safetensors writers' `__metadata__` a few dozen strings; 3 million metadata strings
 * (35 MB) took ~700 MB of heap to parse. ~10 MB of heap at most.
 */
export const MAX_MEMBER_VALUES = 100_000;

/** JSON whitespace, and a non-negative integer as JSON writes it, of at most 15 digits (exact as a Number). */
const WS = "[ \\t\\n\\r]*";
const INT = "(?:0|[1-9][0-9]{0,14})";
/**
 * A tensor entry as safetensors writers write it: dtype, shape, data_offsets in that order, plain
 * integers, no escapes. What it matches is valid JSON and reads to the same values as the strict parser
 * gives; anything else (another key order, an escape, a 16-digit offset) goes the general way.
 */
const ENTRY = new RegExp(
  `\\{${WS}"dtype"${WS}:${WS}"([A-Z0-9_]{1,16})"${WS},${WS}"shape"${WS}:${WS}\\[${WS}(${INT}(?:${WS},${WS}${INT}){0,${MAX_USUAL_DIMS - 1}})?${WS}\\]${WS},` +
  `${WS}"data_offsets"${WS}:${WS}\\[${WS}(${INT})${WS},${WS}(${INT})${WS}\\]${WS}\\}`, "y");
const DIGITS = /[0-9]+/g;

/**
 * The entry at `at` read straight from the text when it has the usual shape and passes every check of
 * readTensor; null otherwise (readTensor then reads it, with its message for whatever is wrong).
 */
function readUsualTensor(name: string, text: string, at: number, dataLength: number): { entry: SafetensorsEntry; end: number } | null {
  ENTRY.lastIndex = at;
  const m = ENTRY.exec(text);
  if (!m || !isTensorDtype(m[1])) return null;
  const dtype = m[1];
  const shape = m[2] === undefined ? [] : m[2].match(DIGITS)!.map(Number);
  const begin = Number(m[3]);
  const end = Number(m[4]);
  if (extentProblem(dtype, shape, begin, end, dataLength)) return null;
  return { entry: { name: detached(name), dtype, shape, begin, end }, end: ENTRY.lastIndex };
}

/** What is wrong with a tensor's data_offsets for its dtype and shape in a data buffer of `dataLength` bytes; null when nothing. */
function extentProblem(dtype: TensorDtype, shape: readonly number[], begin: number, end: number, dataLength: number): { what: string; hint?: string } | null {
  if (end < begin) return { what: `data_offsets [${begin}, ${end}] end before they begin` };
  if (end > dataLength) {
    return { what: `data_offsets [${begin}, ${end}] run past the end of the data buffer (${dataLength} bytes)`, hint: "The file is truncated or its header is wrong; download or save it again." };
  }
  const size = tensorByteLength(dtype, shape);
  if (!size.ok) return { what: size.what };
  if (size.byteLength !== end - begin) return { what: `shape [${shape.join(", ")}] of ${dtype} needs ${size.byteLength} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}` };
  return null;
}

/**
 * Validate header bytes against a data buffer of `dataLength` bytes. Pure. `usualEntries: false` reads
 * every entry through the JSON tree (the tests compare both ways).
 */
export function parseSafetensorsHeader(bytes: Uint8Array, dataLength: number, file: string, opts: { usualEntries?: boolean } = {}): SafetensorsHeader {
  // A text that begins with '{' parses to an object or not at all: no other kind of root to refuse later.
  if (bytes.length === 0 || bytes[0] !== 0x7b) {
    const found = bytes.length === 0 ? "is empty" : `begins with byte 0x${bytes[0].toString(16).padStart(2, "0")}`;
    throw checkpointError(file, `not a safetensors file: the header ${found}, not '{'`, RESAVE);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw checkpointError(file, "the header is not valid UTF-8", RESAVE);
  }
  let metadata: Record<string, string> | null = null;
  const entries: SafetensorsEntry[] = [];
  // The first problem of a member, thrown once the whole header has parsed: a syntax error anywhere is reported first, as it was.
  let memberError: { error: unknown } | undefined;
  try {
    parseStrictJson(text, {
      maxMemberValues: MAX_MEMBER_VALUES,
      // Most entries are read straight from the text, without a JSON tree each: 300,000 of them parse ~15% faster (0.96 s vs 1.13 s).
      readRootMember: opts.usualEntries === false ? undefined : (name, t, at) => {
        if (name === "__metadata__") return -1;
        const usual = readUsualTensor(name, t, at, dataLength);
        if (!usual) return -1;
        if (!memberError) entries.push(usual.entry);
        return usual.end;
      },
      onRootMember: (name, value) => {
        if (memberError) return;
        try {
          if (name === "__metadata__") metadata = readMetadata(value, file);
          else entries.push(readTensor(name, value, dataLength, file));
        } catch (error) {
          memberError = { error };
        }
      },
    });
  } catch (err) {
    if (err instanceof JsonMemberTooLargeError) {
      const what = err.key === "__metadata__" ? "__metadata__" : `tensor ${quoteName(err.key)}`;
      throw checkpointError(file, `${what} holds more than ${withThousands(err.limit)} JSON values (at character ${err.offset} of the header); refusing to read it`, RESAVE);
    }
    if (err instanceof JsonSyntaxError) {
      throw checkpointError(file, `the header is not valid JSON: ${err.message} (at character ${err.offset} of the header)`, RESAVE);
    }
    throw err;
  }
  if (memberError) throw memberError.error;
  // Array.prototype.sort is stable: entries with equal offsets keep header order.
  const tensors = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  checkCoverage(tensors, dataLength, file);
  return { metadata, tensors };
}

function readMetadata(value: JsonValue, file: string): Record<string, string> | null {
  // The reference implementation reads `"__metadata__": null` as no metadata.
  if (value.kind === "null") return null;
  if (value.kind !== "object") throw checkpointError(file, `__metadata__ is ${jsonKind(value)}, not an object of strings`, RESAVE);
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, v] of value.entries) {
    if (v.kind !== "string") {
      throw checkpointError(file, `__metadata__ ${quoteName(key)} is ${jsonKind(v)}: every metadata value must be a string`, "Store metadata values as strings (e.g. json.dumps the structured ones) and save again.");
    }
    out[key] = v.value;
  }
  return out;
}

function readTensor(name: string, value: JsonValue, dataLength: number, file: string): SafetensorsEntry {
  // The name is quoted only for a message: per tensor it cost more than reading the entry.
  const bad = (what: string, hint = RESAVE) => checkpointError(file, `tensor ${quoteName(name)}: ${what}`, hint);
  if (value.kind !== "object") throw bad(`its entry is ${jsonKind(value)}, not an object {dtype, shape, data_offsets}`);
  // The parser refused duplicate keys, so three known keys are all three.
  let dtypeV: JsonValue | undefined;
  let shapeV: JsonValue | undefined;
  let offV: JsonValue | undefined;
  for (const [key, v] of value.entries) {
    if (key === "dtype") dtypeV = v;
    else if (key === "shape") shapeV = v;
    else if (key === "data_offsets") offV = v;
    else throw bad(`unexpected field ${quoteName(key)} (a tensor has exactly dtype, shape and data_offsets)`);
  }
  if (!dtypeV || !shapeV || !offV) throw bad(`the field "${TENSOR_KEYS.find((key) => !value.entries.some(([k]) => k === key))}" is missing`);

  if (dtypeV.kind !== "string") throw bad(`dtype is ${jsonKind(dtypeV)}, not a dtype name`);
  if (!isTensorDtype(dtypeV.value)) {
    throw bad(`unknown dtype ${quoteName(dtypeV.value)}`, `safetensors dtypes are ${Object.keys(DTYPE_BITS).join(", ")}.`);
  }
  const dtype = dtypeV.value;

  if (shapeV.kind !== "array") throw bad(`shape is ${jsonKind(shapeV)}, not an array of dimensions`);
  // map, not push: an array grown by push keeps room for 17 items, ~130 bytes more per tensor of a large header.
  const shape = shapeV.items.map((d, i) => {
    const dim = jsonNonNegativeInteger(d);
    if (!dim.ok) throw bad(`dimension ${i} of the shape is ${dim.why}`);
    return dim.value;
  });

  if (offV.kind !== "array" || offV.items.length !== 2) throw bad(`data_offsets is ${jsonKind(offV)}${offV.kind === "array" ? ` of ${offV.items.length} items` : ""}, not [begin, end]`);
  const [beginR, endR] = offV.items.map(jsonNonNegativeInteger);
  if (!beginR.ok) throw bad(`data_offsets begin is ${beginR.why}`);
  if (!endR.ok) throw bad(`data_offsets end is ${endR.why}`);
  const begin = beginR.value;
  const end = endR.value;
  const problem = extentProblem(dtype, shape, begin, end, dataLength);
  if (problem) throw bad(problem.what, problem.hint);
  return { name: detached(name), dtype, shape, begin, end };
}

/**
 * A copy of `s` that does not keep the header's text alive: V8 cuts a key out
 * of the text as a slice that holds on to all of it (32 MB behind the names of
 * 300,000 tensors). Concatenating and slicing again leaves a slice of the
 * short, flattened concatenation instead.
 */
function detached(s: string): string {
  return (" " + s).slice(1);
}

/** Sorted tensors must tile the data buffer: from 0, each where the previous ended, the last at its end. */
function checkCoverage(tensors: readonly SafetensorsEntry[], dataLength: number, file: string): void {
  let at = 0;
  let previous: SafetensorsEntry | null = null;
  for (const t of tensors) {
    if (t.begin < at) {
      throw checkpointError(file, `tensor ${quoteName(t.name)}: data_offsets [${t.begin}, ${t.end}] overlap tensor ${quoteName(previous!.name)} [${previous!.begin}, ${previous!.end}]`, RESAVE);
    }
    if (t.begin > at) {
      const after = previous ? `after tensor ${quoteName(previous.name)}` : "at the start of the data buffer";
      throw checkpointError(file, `tensor ${quoteName(t.name)}: data_offsets [${t.begin}, ${t.end}] leave ${t.begin - at} bytes unused ${after} (the data buffer must have no holes)`, RESAVE);
    }
    at = t.end;
    // An empty tensor at the current offset does not advance it; keep the last one that did as "previous".
    if (t.end > t.begin || previous === null) previous = t;
  }
  if (at !== dataLength) {
    const last = previous ? ` after tensor ${quoteName(previous.name)}` : " and no tensor covers them";
    throw checkpointError(file, `${dataLength - at} bytes of the data buffer are not covered by any tensor${last} (the data buffer must end where the last tensor ends)`, RESAVE);
  }
}
