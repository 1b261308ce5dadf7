/**
 * Bulk conversion between raw .npy bytes and Float32Array/Float64Array.
 * Raw buffers passed here must be aligned to the item size; byte order is
 * fixed up in place with Buffer.swapNN (native, fast) before or after.
 */
import { Buffer } from "node:buffer";
import { HOST_ORDER, type ByteOrder } from "./dtype.js";
import { HALF_TO_FLOAT32, HALF_TO_FLOAT32_BITS, numberToHalf } from "./float16.js";

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
      for (let k = 0, j = destStart; k < count; k++, j += destStride) d[j] = HALF_TO_FLOAT32_BITS[src[srcStart + k]];
    } else {
      for (let k = 0, j = destStart; k < count; k++, j += destStride) dest[j] = HALF_TO_FLOAT32[src[srcStart + k]];
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
    for (let k = 0; k < count; k++) {
      const v = src[srcStart + k];
      d[k] = v === v ? numberToHalf(v) : nanToHalf(src, srcStart + k);
    }
  } else if (dtype === "float32") {
    new Float32Array(out.buffer, out.byteOffset, count).set(src.subarray(srcStart, srcStart + count));
  } else {
    new Float64Array(out.buffer, out.byteOffset, count).set(src.subarray(srcStart, srcStart + count));
  }
}

/** NaN keeps its sign and top payload bits, like numpy's npy_floatbits_to_halfbits / npy_doublebits_to_halfbits. */
function nanToHalf(src: FloatArray, i: number): number {
  let sign: number;
  let payload: number;
  if (src instanceof Float32Array) {
    const bits = new Uint32Array(src.buffer, src.byteOffset + i * 4, 1)[0];
    sign = (bits >>> 16) & 0x8000;
    payload = (bits & 0x7fffff) >>> 13;
  } else {
    const words = new Uint32Array(src.buffer, src.byteOffset + i * 8, 2);
    const hi = HOST_ORDER === "little" ? words[1] : words[0];
    sign = (hi >>> 16) & 0x8000;
    payload = (hi & 0xfffff) >>> 10; // top 10 of the 52 fraction bits
  }
  return sign | 0x7c00 | (payload === 0 ? 1 : payload);
}
