/**
 * Whole-array read/write for small files (qparams, tests): the data comes
 * back as a native typed array in host byte order and C order.
 * float16 has no typed array in Node 20, so it is widened (exactly, bit
 * patterns included) to a Float32Array; bool comes back as 0/1 Uint8Array.
 */
import { closeSync } from "node:fs";
import type { AtomicOptions } from "./atomic.js";
import { toFromHostOrder } from "./convert.js";
import type { NpyDtype } from "./dtype.js";
import { npyError } from "./fail.js";
import { halfToFloat32Bits } from "./float16.js";
import { openRegularFile, readHeaderFromFd, type NpyHeader } from "./header.js";
import { readFully } from "./positional.js";
import { AtomicNpyWriter } from "./writer.js";

export type NpyData =
  | Float32Array | Float64Array
  | Int8Array | Int16Array | Int32Array | BigInt64Array
  | Uint8Array | Uint16Array | Uint32Array | BigUint64Array;

/** Arrays above this go through NpyRowReader instead. */
export const WHOLE_READ_LIMIT = 1 << 30;

export function readNpy(path: string): { header: NpyHeader; data: NpyData } {
  const { fd, size } = openRegularFile(path);
  try {
    const header = readHeaderFromFd(fd, size, path);
    if (header.dataBytes > WHOLE_READ_LIMIT) {
      throw npyError(path, `${header.dataBytes} bytes of data is too large to load whole`, "Stream it with NpyRowReader.");
    }
    const raw = new Uint8Array(new ArrayBuffer(header.dataBytes));
    readFully(fd, raw, header.dataOffset, path);
    toFromHostOrder(raw, header.itemSize, header.byteOrder);
    const data = typedView(header.dtype, raw.buffer, header.elementCount);
    return { header, data: header.fortranOrder && header.shape.length >= 2 ? fortranToC(data, header.shape) : data };
  } finally {
    closeSync(fd);
  }
}

function typedView(dtype: NpyDtype, buf: ArrayBuffer, n: number): NpyData {
  switch (dtype) {
    case "float16": {
      const src = new Uint16Array(buf, 0, n);
      const bits = new Uint32Array(n);
      const table = halfToFloat32Bits();
      for (let i = 0; i < n; i++) bits[i] = table[src[i]];
      return new Float32Array(bits.buffer);
    }
    case "float32": return new Float32Array(buf, 0, n);
    case "float64": return new Float64Array(buf, 0, n);
    case "int8": return new Int8Array(buf, 0, n);
    case "int16": return new Int16Array(buf, 0, n);
    case "int32": return new Int32Array(buf, 0, n);
    case "int64": return new BigInt64Array(buf, 0, n);
    case "uint8": case "bool": return new Uint8Array(buf, 0, n);
    case "uint16": return new Uint16Array(buf, 0, n);
    case "uint32": return new Uint32Array(buf, 0, n);
    case "uint64": return new BigUint64Array(buf, 0, n);
  }
}

/** Reorder column-major data to row-major, same typed-array type. */
export function fortranToC<T extends NpyData>(src: T, shape: readonly number[]): T {
  const n = src.length;
  const out = new (src.constructor as new (len: number) => T)(n);
  const nd = shape.length;
  const fStride: number[] = [];
  let s = 1;
  for (let k = 0; k < nd; k++) { fStride.push(s); s *= shape[k]; }
  const idx = new Array<number>(nd).fill(0);
  let f = 0; // F offset of the current C-order multi-index
  for (let c = 0; c < n; c++) {
    (out as { [i: number]: unknown })[c] = src[f];
    // Odometer over C order: last index fastest.
    for (let k = nd - 1; k >= 0; k--) {
      if (++idx[k] < shape[k]) { f += fStride[k]; break; }
      f -= (shape[k] - 1) * fStride[k];
      idx[k] = 0;
    }
  }
  return out;
}

/**
 * Write `data` (C order) as a .npy of `descr` and `shape`, atomically.
 * Numbers are converted to descr: floats round to nearest-even, integer
 * dtypes (incl. <i8 via BigInt) take exact in-range integers only.
 */
export function writeNpyAtomic(
  path: string, descr: string, shape: readonly number[], data: ArrayLike<number | bigint>, opts: AtomicOptions = {},
): void {
  const w = AtomicNpyWriter.create(path, { descr, shape }, opts);
  try {
    if (data.length !== w.elementCount) {
      throw npyError(path, `cannot write ${data.length} values as shape (${shape.join(", ")}), which holds ${w.elementCount}`);
    }
    w.writeValues(data, data.length);
    w.commit();
  } finally {
    w.abort(); // no-op after commit
  }
}
