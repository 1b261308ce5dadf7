/**
 * Encode numbers as integer/bool .npy items. Values must already be exact
 * integers in the dtype's range: silently truncating a zero point would
 * hide a bug, so the first bad value is reported instead.
 */
import type { NpyDtype } from "./dtype.js";

export type IntDtype = Exclude<NpyDtype, "float16" | "float32" | "float64">;

const RANGE: Record<IntDtype, [bigint, bigint]> = {
  bool: [0n, 1n],
  int8: [-(2n ** 7n), 2n ** 7n - 1n],
  int16: [-(2n ** 15n), 2n ** 15n - 1n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint8: [0n, 2n ** 8n - 1n],
  uint16: [0n, 2n ** 16n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};

/** Host-order typed view for an integer dtype over aligned bytes. */
function viewFor(dtype: IntDtype, out: Uint8Array, count: number): { [i: number]: number | bigint } {
  const b = out.buffer;
  const o = out.byteOffset;
  switch (dtype) {
    case "bool": case "uint8": return new Uint8Array(b, o, count);
    case "int8": return new Int8Array(b, o, count);
    case "int16": return new Int16Array(b, o, count);
    case "uint16": return new Uint16Array(b, o, count);
    case "int32": return new Int32Array(b, o, count);
    case "uint32": return new Uint32Array(b, o, count);
    case "int64": return new BigInt64Array(b, o, count);
    case "uint64": return new BigUint64Array(b, o, count);
  }
}

/**
 * Encode src[srcStart .. srcStart+count) into `out` (aligned, host order).
 * Returns -1, or the index (into src) of the first value that is not an
 * integer in range; nothing useful is in `out` then.
 */
export function encodeInts(src: ArrayLike<number | bigint>, srcStart: number, count: number, dtype: IntDtype, out: Uint8Array): number {
  const [lo, hi] = RANGE[dtype];
  const view = viewFor(dtype, out, count);
  const wide = dtype === "int64" || dtype === "uint64";
  const loN = Number(lo);
  const hiN = Number(hi);
  for (let k = 0; k < count; k++) {
    const v = src[srcStart + k];
    if (typeof v === "bigint") {
      if (v < lo || v > hi) return srcStart + k;
      view[k] = wide ? v : Number(v);
    } else {
      if (!Number.isInteger(v)) return srcStart + k;
      if (wide) {
        const big = BigInt(v);
        if (big < lo || big > hi) return srcStart + k;
        view[k] = big;
      } else {
        if (v < loN || v > hiN) return srcStart + k;
        view[k] = v === 0 ? 0 : v; // -0 stores as 0
      }
    }
  }
  return -1;
}
