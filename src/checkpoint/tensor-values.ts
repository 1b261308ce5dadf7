/**
 * Raw little-endian checkpoint bytes of a floating tensor (F32, F16, BF16)
 * to float32 values and back. Every F16/BF16 value is exactly a float32, so
 * decoding copies bit patterns (NaN payloads included); encoding a value that
 * came out of a float16/bfloat16 computation is exact too, since torch's
 * result is then representable in the tensor's dtype.
 */
import { float32BitsToHalf, halfToFloat32Bits } from "../npy/float16.js";
import { narrowBf16Wasm, widenBf16Wasm } from "../quant/wasm/kernel-wasm.js";
import type { TensorDtype } from "./types.js";

export type FloatTensorDtype = "F32" | "F16" | "BF16";

/** The compute dtype torchao runs in on a tensor of this dtype. */
export const COMPUTE_DTYPE = { F32: "float32", F16: "float16", BF16: "bfloat16" } as const satisfies Record<FloatTensorDtype, string>;

export const ITEM_SIZE: Record<FloatTensorDtype, number> = { F32: 4, F16: 2, BF16: 2 };

export function isFloatTensorDtype(d: TensorDtype): d is FloatTensorDtype {
  return d === "F32" || d === "F16" || d === "BF16";
}

/** Decode `count` items of `raw` (host = little-endian order, 2/4-byte aligned) into dest[0..count). */
export function decodeTensorValues(raw: Uint8Array, dtype: FloatTensorDtype, count: number, dest: Float32Array): void {
  if (dtype === "F32") {
    dest.set(new Float32Array(raw.buffer, raw.byteOffset, count));
    return;
  }
  // BF16 by wasm SIMD where it runs (in place when dest is a wasm chunk view); the loops below are the same bits.
  if (dtype === "BF16" && widenBf16Wasm(raw, count, dest)) return;
  const src = new Uint16Array(raw.buffer, raw.byteOffset, count);
  const bits = new Uint32Array(dest.buffer, dest.byteOffset, count);
  if (dtype === "BF16") {
    for (let k = 0; k < count; k++) bits[k] = src[k] << 16;
  } else {
    const table = halfToFloat32Bits();
    for (let k = 0; k < count; k++) bits[k] = table[src[k]];
  }
}

/**
 * Encode src[0..count) as `dtype` into `out` (aligned). F16 rounds to
 * nearest even and BF16 truncates to the upper half: both exact for values
 * already representable in that dtype, which is what the kernel produces
 * when it computes in the tensor's dtype.
 */
export function encodeTensorValues(src: Float32Array, dtype: FloatTensorDtype, count: number, out: Uint8Array): void {
  if (dtype === "F32") {
    new Float32Array(out.buffer, out.byteOffset, count).set(src.subarray(0, count));
    return;
  }
  if (dtype === "BF16" && narrowBf16Wasm(src, count, out)) return;
  const bits = new Uint32Array(src.buffer, src.byteOffset, count);
  const dst = new Uint16Array(out.buffer, out.byteOffset, count);
  if (dtype === "BF16") {
    for (let k = 0; k < count; k++) dst[k] = bits[k] >>> 16;
  } else {
    for (let k = 0; k < count; k++) dst[k] = float32BitsToHalf(bits[k]);
  }
}
