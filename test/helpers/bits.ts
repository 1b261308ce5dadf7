/** Bit-exact comparison of typed arrays, as the conformance README defines it. */

type Numeric = ArrayLike<number> | ArrayLike<bigint>;

/**
 * Returns undefined when equal, else a short description of the first mismatch.
 * Any NaN matches any NaN; +0/-0 must match unless ignoreZeroSign.
 */
export function sameBits(got: Numeric, want: Numeric, opts: { ignoreZeroSign?: boolean } = {}): string | undefined {
  if (got.length !== want.length) return `length ${got.length} != ${want.length}`;
  let bad = 0;
  let first = -1;
  for (let i = 0; i < got.length; i++) {
    const a = Number(got[i]);
    const b = Number(want[i]);
    const equal = Number.isNaN(a) ? Number.isNaN(b) : opts.ignoreZeroSign ? a === b : Object.is(a, b);
    if (!equal) {
      bad++;
      if (first < 0) first = i;
    }
  }
  return bad === 0 ? undefined : `${bad} of ${got.length} differ; first at ${first}: got ${Number(got[first])}, want ${Number(want[first])}`;
}
