/**
 * Error statistics of one fake-quantized tensor (x → y), accumulated in
 * float64 while rows stream past, and the figures derived from them. Pure
 * arithmetic on typed arrays: runs on the main thread and in workers alike.
 *
 * Non-finite values: an element whose input x is NaN or ±inf is counted
 * (NaN, inf) and left out of every sum; so is an element whose x is finite
 * but whose y is not (a NaN or inf elsewhere in its group or token makes the
 * whole block's scale non-finite), counted as a non-finite output. The
 * figures (SQNR, RMSE, max error, zeroed share) are therefore over the
 * elements where both x and y are finite, and the counts say how many were
 * left out: one bad value never turns a tensor's, or the column's, figures
 * into NaN.
 */

/** Slots of one accumulator in a Float64Array (several accumulators sit side by side in one array). */
export const SLOT = {
  /** sum of x^2 over counted elements. */
  SUM_X2: 0,
  /** sum of (x - y)^2 over counted elements. */
  SUM_E2: 1,
  /** max |x - y| over counted elements. */
  MAX_ERR: 2,
  /** Counted elements (x and y finite). */
  COUNTED: 3,
  /** Counted elements with y exactly 0 and x not 0. */
  ZEROED: 4,
  /** Inputs that were NaN. */
  NAN: 5,
  /** Inputs that were +inf or -inf. */
  INF: 6,
  /** Finite inputs whose output was not finite. */
  BAD_OUTPUT: 7,
} as const;

/** Float64 slots per accumulator. */
export const SLOTS = 8;

/** Adds the statistics of x[0..n) → y[0..n) into `acc` at slot offset `at`. */
export function accumulateStats(x: Float32Array, y: Float32Array, n: number, acc: Float64Array, at: number): void {
  // The usual case first: every value finite, one loop without data-dependent branches but the max.
  let sx = 0;
  let se = 0;
  let maxErr = acc[at + SLOT.MAX_ERR];
  let zeroY = 0;
  let zeroBoth = 0;
  for (let i = 0; i < n; i++) {
    const xv = x[i];
    const yv = y[i];
    const e = xv - yv;
    sx += xv * xv;
    se += e * e;
    const a = Math.abs(e);
    maxErr = a > maxErr ? a : maxErr;
    zeroY += yv === 0 ? 1 : 0;
    zeroBoth += yv === 0 && xv === 0 ? 1 : 0;
  }
  // A NaN or inf anywhere makes a sum non-finite: then go over the chunk again, element by element.
  if (sx - sx !== 0 || se - se !== 0) {
    accumulateNonFinite(x, y, n, acc, at);
    return;
  }
  acc[at + SLOT.SUM_X2] += sx;
  acc[at + SLOT.SUM_E2] += se;
  acc[at + SLOT.MAX_ERR] = maxErr;
  acc[at + SLOT.COUNTED] += n;
  acc[at + SLOT.ZEROED] += zeroY - zeroBoth;
}

/**
 * Adds the sums of n elements whose x and y were all finite, computed
 * elsewhere (the wasm loop, report-chunks.ts), as accumulateStats's fast path
 * would add its own: the same terms, summed in another fixed order.
 */
export function addFiniteStats(
  acc: Float64Array, at: number, n: number, sumX2: number, sumE2: number, maxAbsError: number, zeroed: number,
): void {
  acc[at + SLOT.SUM_X2] += sumX2;
  acc[at + SLOT.SUM_E2] += sumE2;
  acc[at + SLOT.MAX_ERR] = Math.max(acc[at + SLOT.MAX_ERR], maxAbsError);
  acc[at + SLOT.COUNTED] += n;
  acc[at + SLOT.ZEROED] += zeroed;
}

/** The careful loop, for chunks holding a non-finite input or output. */
function accumulateNonFinite(x: Float32Array, y: Float32Array, n: number, acc: Float64Array, at: number): void {
  let sx = 0;
  let se = 0;
  let maxErr = acc[at + SLOT.MAX_ERR];
  let counted = 0;
  let zeroed = 0;
  let nan = 0;
  let inf = 0;
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const xv = x[i];
    const yv = y[i];
    // v − v is 0 for every finite v and NaN for NaN and ±inf: one test for both.
    if (xv - xv !== 0) {
      if (xv !== xv) nan++;
      else inf++;
      continue;
    }
    const e = xv - yv;
    if (e - e !== 0) {
      bad++;
      continue;
    }
    sx += xv * xv;
    se += e * e;
    const a = e < 0 ? -e : e;
    if (a > maxErr) maxErr = a;
    if (yv === 0 && xv !== 0) zeroed++;
    counted++;
  }
  acc[at + SLOT.SUM_X2] += sx;
  acc[at + SLOT.SUM_E2] += se;
  acc[at + SLOT.MAX_ERR] = maxErr;
  acc[at + SLOT.COUNTED] += counted;
  acc[at + SLOT.ZEROED] += zeroed;
  acc[at + SLOT.NAN] += nan;
  acc[at + SLOT.INF] += inf;
  acc[at + SLOT.BAD_OUTPUT] += bad;
}

/** Adds accumulator `from` (at `fromAt`) into `into` (at `intoAt`). Merged in a fixed order, the float64 sums are the same for any thread count. */
export function mergeStats(into: Float64Array, intoAt: number, from: Float64Array, fromAt: number): void {
  for (let k = 0; k < SLOTS; k++) {
    if (k === SLOT.MAX_ERR) into[intoAt + k] = Math.max(into[intoAt + k], from[fromAt + k]);
    else into[intoAt + k] += from[fromAt + k];
  }
}

/** The raw sums of one tensor and column, as plain numbers. */
export interface StatSums {
  sumX2: number;
  sumE2: number;
  maxAbsError: number;
  counted: number;
  zeroed: number;
  nanInputs: number;
  infInputs: number;
  nonFiniteOutputs: number;
}

export function statSums(acc: Float64Array, at = 0): StatSums {
  return {
    sumX2: acc[at + SLOT.SUM_X2],
    sumE2: acc[at + SLOT.SUM_E2],
    maxAbsError: acc[at + SLOT.MAX_ERR],
    counted: count(acc[at + SLOT.COUNTED]),
    zeroed: count(acc[at + SLOT.ZEROED]),
    nanInputs: count(acc[at + SLOT.NAN]),
    infInputs: count(acc[at + SLOT.INF]),
    nonFiniteOutputs: count(acc[at + SLOT.BAD_OUTPUT]),
  };
}

/**
 * The same count, as an int32 where it fits: V8 then keeps it inline in the object, where a number read from a
 * Float64Array is boxed (16 bytes each; five counts per tensor and column of a report).
 */
function count(v: number): number {
  return v <= 0x7fffffff ? v | 0 : v;
}

/**
 * torchao's compute_error: 20·log10(‖x‖ / ‖x − y‖) = 10·log10(Σx² / Σe²).
 * +Infinity when y = x (Σe² = 0); null when there is nothing to compare
 * (no counted element). An all-zero x with some error gives −Infinity, as
 * torch would.
 */
export function sqnrDb(sumX2: number, sumE2: number, counted = 1): number | null {
  if (counted === 0) return null;
  if (sumE2 === 0) return Infinity;
  return 10 * Math.log10(sumX2 / sumE2);
}

/** The figures of one tensor and column. */
export interface ErrorFigures {
  /** dB; Infinity when y = x; null when no element could be compared. */
  sqnrDb: number | null;
  /** sqrt(Σe² / counted); null when nothing was counted. */
  rmse: number | null;
  maxAbsError: number | null;
  /** Share of counted elements that became exactly 0 while x was not. */
  zeroedShare: number | null;
}

export function errorFigures(s: StatSums): ErrorFigures {
  if (s.counted === 0) return { sqnrDb: null, rmse: null, maxAbsError: null, zeroedShare: null };
  return {
    sqnrDb: sqnrDb(s.sumX2, s.sumE2, s.counted),
    rmse: Math.sqrt(s.sumE2 / s.counted),
    maxAbsError: s.maxAbsError,
    zeroedShare: s.zeroed / s.counted,
  };
}
