/**
 * Minimal .npy reader for test fixtures (format 1.0/2.0, little-endian or
 * byte-sized dtypes, C order). The production reader lives in src/npy/;
 * this one only has to read the conformance corpus.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export type NpyData =
  | Float32Array | Float64Array | Uint16Array
  | Int8Array | Int16Array | Int32Array | BigInt64Array | Uint8Array;

export interface NpyArray {
  descr: string;
  shape: number[];
  /** `<f2` data comes back as the raw Uint16Array of half-precision bit patterns. */
  data: NpyData;
}

const CTORS: Record<string, { bytes: number; make: (buf: ArrayBuffer, off: number, n: number) => NpyData }> = {
  "<f2": { bytes: 2, make: (b, o, n) => new Uint16Array(b, o, n) },
  "<f4": { bytes: 4, make: (b, o, n) => new Float32Array(b, o, n) },
  "<f8": { bytes: 8, make: (b, o, n) => new Float64Array(b, o, n) },
  "<i2": { bytes: 2, make: (b, o, n) => new Int16Array(b, o, n) },
  "<i4": { bytes: 4, make: (b, o, n) => new Int32Array(b, o, n) },
  "<i8": { bytes: 8, make: (b, o, n) => new BigInt64Array(b, o, n) },
  "|i1": { bytes: 1, make: (b, o, n) => new Int8Array(b, o, n) },
  "|u1": { bytes: 1, make: (b, o, n) => new Uint8Array(b, o, n) },
};

export function loadNpy(path: string): NpyArray {
  const file = readFileSync(path);
  if (file.toString("latin1", 0, 6) !== "\x93NUMPY") throw new Error(`${path}: not a .npy file`);
  const major = file[6];
  const headerLen = major === 1 ? file.readUInt16LE(8) : file.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const header = file.toString("latin1", headerStart, headerStart + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new Error(`${path}: bad header ${header}`);
  if (fortran === "True") throw new Error(`${path}: fortran order not supported`);
  const shape = shapeText.split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number);
  const ctor = CTORS[descr];
  if (ctor === undefined) throw new Error(`${path}: unsupported dtype ${descr}`);
  const n = shape.reduce((a, b) => a * b, 1);
  const dataStart = headerStart + headerLen;
  // Copy into a fresh, aligned buffer (the Buffer's offset may not be aligned).
  const buf = new ArrayBuffer(n * ctor.bytes);
  new Uint8Array(buf).set(file.subarray(dataStart, dataStart + n * ctor.bytes));
  return { descr, shape, data: ctor.make(buf, 0, n) };
}

/** Decodes an IEEE half bit pattern exactly (independent of src/quant). */
export function halfBitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1024 + frac) * 2 ** (exp - 25);
}

/** Any fixture array as plain numbers (halves decoded, int64 as Number). */
export function npyToNumbers(a: NpyArray): Float64Array {
  const out = new Float64Array(a.data.length);
  if (a.descr === "<f2") {
    const d = a.data as Uint16Array;
    for (let i = 0; i < d.length; i++) out[i] = halfBitsToNumber(d[i]);
  } else if (a.descr === "<i8") {
    const d = a.data as BigInt64Array;
    for (let i = 0; i < d.length; i++) out[i] = Number(d[i]);
  } else {
    const d = a.data as Exclude<NpyData, BigInt64Array | Uint16Array>;
    for (let i = 0; i < d.length; i++) out[i] = d[i];
  }
  return out;
}

export const CONFORMANCE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "conformance");
