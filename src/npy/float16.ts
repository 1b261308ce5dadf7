/**
 * IEEE binary16 <-> JS numbers. Narrowing rounds to nearest, ties to even,
 * straight from the double (no double rounding through float32), with
 * subnormals and overflow to infinity, like numpy's npy_double_to_half.
 */

/** float32 bit patterns of all 65536 halves; exact widening, NaN payloads kept. */
export const HALF_TO_FLOAT32_BITS: Uint32Array = (() => {
  const t = new Uint32Array(65536);
  for (let h = 0; h < 65536; h++) t[h] = halfBitsToFloat32Bits(h);
  return t;
})();

/** The same table read as float32 values. */
export const HALF_TO_FLOAT32: Float32Array = new Float32Array(HALF_TO_FLOAT32_BITS.buffer);

function halfBitsToFloat32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0; // inf / NaN (payload kept)
  if (exp !== 0) return (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
  if (mant === 0) return sign >>> 0;
  // Subnormal half: normalise into a float32 exponent.
  let e = 113;
  let m = mant;
  while ((m & 0x400) === 0) { m <<= 1; e--; }
  return (sign | (e << 23) | ((m & 0x3ff) << 13)) >>> 0;
}

/** Decode one half bit pattern to a number. */
export function halfToNumber(h: number): number {
  return HALF_TO_FLOAT32[h & 0xffff];
}

const MAGIC = 6755399441055744; // 1.5 * 2^52: (x + MAGIC) - MAGIC rounds half to even for |x| < 2^51

/** floor(log2(a)) for finite a > 0, exact (Math.log2 can be off by one near powers of two). */
function exponentOf(a: number): number {
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  return e;
}

/** Round a number to the nearest half (ties to even) and return its bit pattern. */
export function numberToHalf(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a === Infinity) return sign | 0x7c00;
  if (a < 2 ** -14) {
    // Subnormal range: units of 2^-24; scaling by a power of two is exact.
    const q = (a * 2 ** 24 + MAGIC) - MAGIC; // may round up to 1024 = smallest normal, same bits
    return sign | q;
  }
  const e = exponentOf(a);
  if (e > 15) return sign | 0x7c00;
  const ulp = 2 ** (e - 10);
  const q = ((a / ulp + MAGIC) - MAGIC) * ulp; // exact: a/ulp is exact, < 2^11
  if (q > 65504) return sign | 0x7c00; // >= 65520 rounds past the largest half
  const qe = exponentOf(q); // rounding may carry into the next binade
  const mant = q / 2 ** (qe - 10) - 1024;
  return sign | ((qe + 15) << 10) | mant;
}
