/**
 * Given (static) qparams as torchao holds them: a pre-set FakeQuantizer.scale
 * and .zero_point, in scale_precision and zero_point_precision, on an
 * `is_dynamic: false` config (spec §4). Pure: `fqc apply --scale` (from
 * files) and the library's fakeQuantize (from arrays) both go through here.
 */
import { FqcError } from "./errors.js";
import { castToInt, roundTo, type IntDtype } from "./quant/float.js";
import type { QuantPlan } from "./quant/plan.js";

export interface GivenQparams {
  scale: Float64Array;
  zeroPoint: Float64Array;
}

/**
 * Where given qparams come from, for messages: two .npy files (the paths,
 * which errors then name, and in `options` the options that gave them), or a
 * library caller's arrays (labels, no `options`).
 */
export interface QparamSource {
  scale: string;
  zeroPoint: string;
  options?: { scale: string; zeroPoint: string };
}

/** torchao reuses pre-set qparams only on a static config; a dynamic one recomputes them on every call (spec §4). */
export function requireStaticConfig(config: { is_dynamic: boolean }, what: string): void {
  if (!config.is_dynamic) return;
  throw new FqcError("USAGE", `${what} need a static config: a dynamic config (is_dynamic: true) recomputes its qparams on every call`, {
    hint: 'Set "is_dynamic": false in the config.',
  });
}

export function swapHint({ scale, zeroPoint, options }: Required<QparamSource>): string {
  return `Check the order: ${options.scale} ${scale} ${options.zeroPoint} ${zeroPoint}; were the two files swapped?`;
}

/**
 * The qparams torchao holds for these values: scales rounded to
 * scale_precision, zero points cast to zero_point_precision. Values the
 * cast would change beyond rounding (a fractional or out-of-range zero point
 * for an integer precision) or that torchao could never have computed (a
 * scale that is not finite and positive) are refused, naming the first.
 */
export function givenQparams(scaleValues: ArrayLike<number>, zeroPointValues: ArrayLike<number>, plan: QuantPlan, source: QparamSource): GivenQparams {
  const zp = plan.zeroPointPrecision;
  const scale = Float64Array.from(scaleValues, (v) => roundTo(plan.scalePrecision, v));
  checkScales(source, scale, plan.scalePrecision);
  const floatZp = zp === "float32" || zp === "float16" || zp === "bfloat16" || zp === "float64";
  if (!floatZp) checkIntegerZeroPoints(source, zeroPointValues, zp);
  const zeroPoint = Float64Array.from(zeroPointValues, floatZp ? (v) => roundTo(zp, v) : (v) => castToInt(zp, v));
  return { scale, zeroPoint };
}

/**
 * Scales torchao could never have computed (it clamps every scale to at least
 * eps > 0), each of which makes its kernel (r = 1/s, q = round(x·r), y = q·s,
 * spec §3.3) produce garbage without an error: NaN gives NaN for the whole
 * group, +/-inf gives 0·inf = NaN, 0 gives r = inf and outputs of 0 or NaN,
 * and a negative scale mirrors the integer grid (qmin and qmax swap roles).
 * All are refused, naming the first such scale.
 */
function checkScales(source: QparamSource, scale: Float64Array, precision: string): void {
  for (let i = 0; i < scale.length; i++) {
    const s = scale[i];
    if (s > 0 && Number.isFinite(s)) continue;
    const what = Number.isNaN(s) ? "NaN" : !Number.isFinite(s) ? String(s).replace("Infinity", "inf") : s === 0 ? "0" : `negative (${s})`;
    const effect = Number.isNaN(s) || !Number.isFinite(s)
      ? "torchao would output NaN for every element of its group"
      : s === 0 ? "torchao would divide by zero (r = 1/s = inf) and output 0 or NaN" : "torchao would mirror its integer grid (q = round(x / s) changes sign) instead of quantizing";
    throw new FqcError("USAGE", `${source.scale}: scale #${i} is ${what}${s !== 0 && Number.isFinite(s) ? "" : ` (after rounding to ${precision})`}: ${effect}`, {
      file: source.options ? source.scale : undefined,
      hint: "Scales must be finite and greater than 0 (torchao clamps computed scales to at least eps).",
    });
  }
}

/** The values each integer zero_point_precision holds. */
const INT_RANGE: Record<IntDtype, readonly [number, number]> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  int64: [-(2 ** 63), 2 ** 63],
};

/**
 * An integer zero_point_precision changes a zero point it cannot hold: it
 * truncates a fractional one and wraps one outside its range (200 as int8 is
 * −56), silently. Either is a float file, swapped files or a precision too
 * narrow for the values, so both are refused.
 */
function checkIntegerZeroPoints(source: QparamSource, zeroPoint: ArrayLike<number>, precision: IntDtype): void {
  const [lo, hi] = INT_RANGE[precision];
  const fix = source.options
    ? `${swapHint({ ...source, options: source.options })} A float zero point needs a float zero_point_precision in the config.`
    : "A float zero point needs a float zero_point_precision in the config.";
  for (let i = 0; i < zeroPoint.length; i++) {
    const z = zeroPoint[i];
    const file = source.options ? source.zeroPoint : undefined;
    if (!Number.isInteger(z)) {
      throw new FqcError("USAGE", `${source.zeroPoint}: zero point #${i} is ${Number.isNaN(z) ? "NaN" : z}, not an integer: zero_point_precision ${precision} would truncate it`, {
        file,
        hint: fix,
      });
    }
    // int64's upper bound 2^63 is not a double below it: the last double in range is 2^63 − 1024.
    if (z < lo || (precision === "int64" ? z >= hi : z > hi)) {
      // int64's ends in powers of two: JavaScript writes −2^63 as -9223372036854776000, not the int64 it is.
      const range = precision === "int64" ? "[-2^63, 2^63 - 1]" : `[${lo}, ${hi}]`;
      throw new FqcError("USAGE", `${source.zeroPoint}: zero point #${i} is ${z}, outside ${precision}'s range ${range}: zero_point_precision ${precision} would wrap it`, {
        file,
        hint: "Use a zero_point_precision that holds these zero points (int32 holds those of every dtype), or check that the values are zero points.",
      });
    }
  }
}
