/**
 * IEEE binary16 <-> JS numbers. Narrowing rounds to nearest, ties to even,
 * straight from the double (no double rounding through float32), with
 * subnormals and overflow to infinity, like numpy's npy_double_to_half.
 */

let halfBits: Uint32Array | undefined;
let halfFloats: Float32Array | undefined;

/**
 * float32 bit patterns of all 65536 halves; exact widening, NaN payloads kept.
 * Built on first use: building costs ~6 ms, paid otherwise by every start of
 * the CLI and of each worker, most of which never see a float16 value.
 */
export function halfToFloat32Bits(): Uint32Array {
  if (!halfBits) {
    halfBits = new Uint32Array(65536);
    for (let h = 0; h < 65536; h++) halfBits[h] = halfBitsToFloat32Bits(h);
  }
  return halfBits;
}

/** The same table read as float32 values. */
export function halfToFloat32(): Float32Array {
  return (halfFloats ??= new Float32Array(halfToFloat32Bits().buffer));
}

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
  return halfToFloat32()[h & 0xffff];
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

/**
 * Bulk float32 -> half bits, a port of numpy's npy_floatbits_to_halfbits
 * (integer ops only; round to nearest even; NaN keeps sign and top payload bits).
 */
export function float32ToHalves(src: Float32Array, start: number, count: number, out: Uint16Array): void {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let k = 0; k < count; k++) out[k] = float32BitsToHalf(bits[start + k]);
}

export function float32BitsToHalf(f: number): number {
  const sgn = (f >>> 16) & 0x8000;
  const exp = f & 0x7f800000;
  if (exp >= 0x47800000) {
    if (exp === 0x7f800000 && (f & 0x7fffff) !== 0) {
      const ret = 0x7c00 + ((f & 0x7fffff) >>> 13);
      return sgn + (ret === 0x7c00 ? 0x7c01 : ret); // stay a NaN
    }
    return sgn + 0x7c00; // inf, or overflow
  }
  if (exp <= 0x38000000) {
    if (exp < 0x33000000) return sgn; // below 2^-25: signed zero
    const e = exp >>> 23;
    let sig = (0x800000 + (f & 0x7fffff)) >>> (113 - e);
    // Round half to even; the shift may drop up to 11 bits, checked in the original.
    if ((sig & 0x3fff) !== 0x1000 || (f & 0x7ff) !== 0) sig += 0x1000;
    return sgn + (sig >>> 13); // a carry into the exponent gives the smallest normal, correctly
  }
  let sig = f & 0x7fffff;
  if ((sig & 0x3fff) !== 0x1000) sig += 0x1000;
  return sgn + ((exp - 0x38000000) >>> 13) + (sig >>> 13); // carry may overflow to inf, correctly
}

/**
 * Bulk float64 -> half bits, following numpy's npy_doublebits_to_halfbits
 * (one rounding from the double; no detour through float32).
 */
export function float64ToHalves(src: Float64Array, start: number, count: number, out: Uint16Array, littleEndianHost: boolean): void {
  const words = new Uint32Array(src.buffer, src.byteOffset, src.length * 2);
  const hiOff = littleEndianHost ? 1 : 0;
  for (let k = 0; k < count; k++) {
    const i = start + k;
    const hi = words[2 * i + hiOff];
    const lo = words[2 * i + 1 - hiOff];
    const sgn = (hi >>> 16) & 0x8000;
    const exp = (hi >>> 20) & 0x7ff;
    if (exp >= 0x40f) {
      const sigHi = hi & 0xfffff;
      if (exp === 0x7ff && (sigHi | lo) !== 0) {
        const ret = 0x7c00 + (sigHi >>> 10);
        out[k] = sgn + (ret === 0x7c00 ? 0x7c01 : ret);
      } else {
        out[k] = sgn + 0x7c00;
      }
    } else if (exp <= 0x3f0) {
      if (exp < 0x3e6) {
        out[k] = sgn;
      } else {
        // Subnormal half: count units of 2^-24; the scaling is exact, the magic add rounds half to even.
        out[k] = sgn + ((Math.abs(src[i]) * 16777216 + MAGIC) - MAGIC);
      }
    } else {
      let sig = (hi & 0xfffff) * 4294967296 + lo; // 52-bit significand, exact in a double
      if (sig % 8796093022208 !== 2199023255552) sig += 2199023255552; // low 43 bits != 2^41: add half an ulp
      out[k] = sgn + ((exp - 1008) << 10) + Math.floor(sig / 4398046511104);
    }
  }
}
