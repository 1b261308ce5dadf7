/**
 * Bulk conversion between raw .npy bytes and Float32Array/Float64Array.
 * Raw buffers passed here must be aligned to the item size; byte order is
 * fixed up in place with Buffer.swapNN (native, fast) before or after.
 */
import { Buffer } from "node:buffer";
import { HOST_ORDER, type ByteOrder } from "./dtype.js";
import { float32ToHalves, float64ToHalves, halfToFloat32, halfToFloat32Bits } from "./float16.js";

export type FloatDtype = "float16" | "float32" | "float64";
export type FloatArray = Float32Array | Float64Array;

/** Swap every `itemSize`-byte item of `bytes` in place (no-op for 1-byte items). */
export function swapInPlace(bytes: Uint8Array, itemSize: number): void {
  if (itemSize === 1 || bytes.length === 0) return;
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (itemSize === 2) b.swap16();
  else if (itemSize === 4) b.swap32();
  else if (itemSize === 8) b.swap64();
  else throw new RangeError(`cannot swap ${itemSize}-byte items`);
}

/** Bring file bytes to host order (or host bytes to file order): the swap is its own inverse. */
export function toFromHostOrder(bytes: Uint8Array, itemSize: number, fileOrder: ByteOrder): void {
  if (fileOrder !== HOST_ORDER) swapInPlace(bytes, itemSize);
}

/**
 * Decode `count` host-order floats starting at item `srcStart` of `raw` into
 * `dest[destStart + k * destStride]`. float16 into a Float32Array copies bit
 * patterns, so the widening is exact including NaN payloads.
 */
export function decodeFloats(
  raw: Uint8Array, dtype: FloatDtype, srcStart: number, count: number,
  dest: FloatArray, destStart: number, destStride: number,
): void {
  if (dtype === "float16") {
    const src = new Uint16Array(raw.buffer, raw.byteOffset, raw.length >> 1);
    if (dest instanceof Float32Array) {
      const d = new Uint32Array(dest.buffer, dest.byteOffset, dest.length);
      const table = halfToFloat32Bits();
      for (let k = 0, j = destStart; k < count; k++, j += destStride) d[j] = table[src[srcStart + k]];
    } else {
      const table = halfToFloat32();
      for (let k = 0, j = destStart; k < count; k++, j += destStride) dest[j] = table[src[srcStart + k]];
    }
    return;
  }
  const src = dtype === "float32"
    ? new Float32Array(raw.buffer, raw.byteOffset, raw.length >> 2)
    : new Float64Array(raw.buffer, raw.byteOffset, raw.length >> 3);
  if (destStride === 1) {
    dest.set(src.subarray(srcStart, srcStart + count), destStart); // same type: bit-exact memcpy; else exact widening
    return;
  }
  for (let k = 0, j = destStart; k < count; k++, j += destStride) dest[j] = src[srcStart + k];
}

/**
 * Encode `src[srcStart .. srcStart+count)` as `dtype` into `out` (aligned, host
 * order). float16 rounds to nearest-even; float64 -> float32 rounds on store.
 */
export function encodeFloats(src: FloatArray, srcStart: number, count: number, dtype: FloatDtype, out: Uint8Array): void {
  if (dtype === "float16") {
    const d = new Uint16Array(out.buffer, out.byteOffset, count);
    if (src instanceof Float32Array) float32ToHalves(src, srcStart, count, d);
    else float64ToHalves(src, srcStart, count, d, HOST_ORDER === "little");
  } else if (dtype === "float32") {
    new Float32Array(out.buffer, out.byteOffset, count).set(src.subarray(srcStart, srcStart + count));
  } else {
    new Float64Array(out.buffer, out.byteOffset, count).set(src.subarray(srcStart, srcStart + count));
  }
}

/** Columns per tile in decodeTransposed: 32 writes land in two cache lines of the destination row. */
const TILE = 32;

/**
 * Transpose-decode a block of `nCols` columns of `len` host-order floats:
 * column jj starts at item `srcStart + jj * srcColStride` of `raw`; element t
 * goes to dest[destStart + t * destRowStride + jj]. Tiled so that both the
 * reads (TILE streams) and the writes (TILE consecutive values) stay cache-friendly.
 */
export function decodeTransposed(
  raw: Uint8Array, dtype: FloatDtype, srcStart: number, srcColStride: number, nCols: number, len: number,
  dest: FloatArray, destStart: number, destRowStride: number,
): void {
  const f16 = dtype === "float16";
  const src: Uint16Array | Float32Array | Float64Array = f16
    ? new Uint16Array(raw.buffer, raw.byteOffset, raw.length >> 1)
    : dtype === "float32"
      ? new Float32Array(raw.buffer, raw.byteOffset, raw.length >> 2)
      : new Float64Array(raw.buffer, raw.byteOffset, raw.length >> 3);
  const bitsDest = f16 && dest instanceof Float32Array ? new Uint32Array(dest.buffer, dest.byteOffset, dest.length) : null;
  const bitsTable = f16 ? halfToFloat32Bits() : null;
  const floatTable = f16 ? halfToFloat32() : null;
  for (let j0 = 0; j0 < nCols; j0 += TILE) {
    const j1 = Math.min(nCols, j0 + TILE);
    for (let t = 0; t < len; t++) {
      const d = destStart + t * destRowStride;
      let s = srcStart + j0 * srcColStride + t;
      if (bitsDest !== null) {
        for (let jj = j0; jj < j1; jj++, s += srcColStride) bitsDest[d + jj] = bitsTable![src[s]];
      } else if (f16) {
        for (let jj = j0; jj < j1; jj++, s += srcColStride) dest[d + jj] = floatTable![src[s]];
      } else {
        for (let jj = j0; jj < j1; jj++, s += srcColStride) dest[d + jj] = src[s];
      }
    }
  }
}
