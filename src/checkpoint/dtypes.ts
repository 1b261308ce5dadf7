/**
 * safetensors' element types and their sizes in bits (some are narrower
 * than a byte: a tensor of them must still fill whole bytes).
 */
import type { TensorDtype } from "./types.js";

export const DTYPE_BITS: Readonly<Record<TensorDtype, number>> = {
  BOOL: 8, U8: 8, I8: 8, U16: 16, I16: 16, U32: 32, I32: 32, U64: 64, I64: 64,
  F16: 16, BF16: 16, F32: 32, F64: 64,
  F8_E4M3: 8, F8_E5M2: 8, F8_E8M0: 8, F8_E4M3FNUZ: 8, F8_E5M2FNUZ: 8,
  F4: 4, F6_E2M3: 6, F6_E3M2: 6,
  C64: 64,
};

export function isTensorDtype(name: string): name is TensorDtype {
  return Object.prototype.hasOwnProperty.call(DTYPE_BITS, name);
}

export type ByteLengthCheck = { ok: true; byteLength: number } | { ok: false; what: string };

/** shape × bits / 8, exactly (BigInt), refusing a result past 2^53 - 1 or one that ends inside a byte. */
export function tensorByteLength(dtype: TensorDtype, shape: readonly number[]): ByteLengthCheck {
  // In Numbers while every product stays exact (the usual case); BigInt otherwise.
  let small = DTYPE_BITS[dtype];
  for (const d of shape) small = small <= Number.MAX_SAFE_INTEGER / Math.max(d, 1) ? small * d : Infinity;
  if (small <= Number.MAX_SAFE_INTEGER && small % 8 === 0) return { ok: true, byteLength: small / 8 };
  let elements = 1n;
  for (const d of shape) elements *= BigInt(d);
  const bits = elements * BigInt(DTYPE_BITS[dtype]);
  if (bits % 8n !== 0n) return { ok: false, what: `${elements} elements of ${dtype} (${DTYPE_BITS[dtype]} bits each) do not fill whole bytes` };
  const bytes = bits / 8n;
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, what: `shape × ${dtype} size is ${bytes} bytes, more than 2^53 - 1` };
  return { ok: true, byteLength: Number(bytes) };
}
