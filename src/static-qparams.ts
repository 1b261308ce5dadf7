/**
 * Static qparams supplied by the user (`--scale`, `--zero-point`): torchao's
 * only form of given qparams is a pre-set FakeQuantizer.scale/.zero_point on an
 * `is_dynamic: false` config. fqc requires the canonical shapes (spec §4).
 */
import { FqcError } from "./errors.js";
import { readNpy } from "./npy/whole.js";
import { castToInt, roundTo } from "./quant/float.js";
import type { QuantPlan } from "./quant/plan.js";

export interface GivenQparams {
  scale: Float64Array;
  zeroPoint: Float64Array;
}

export function loadGivenQparams(
  opts: { scaleIn?: string; zeroPointIn?: string; config: { is_dynamic: boolean } },
  plan: QuantPlan,
): GivenQparams | undefined {
  const { scaleIn, zeroPointIn } = opts;
  if (!scaleIn && !zeroPointIn) return undefined;
  if (!scaleIn || !zeroPointIn) {
    throw new FqcError("USAGE", "--scale and --zero-point go together: torchao reuses static qparams only when both are set", {
      hint: "Pass both files, or neither to compute the qparams from the tensor.",
    });
  }
  if (opts.config.is_dynamic) {
    throw new FqcError("USAGE", "--scale/--zero-point need a static config: a dynamic config (is_dynamic: true) recomputes its qparams on every call", {
      hint: 'Set "is_dynamic": false in the config.',
    });
  }
  const zp = plan.zeroPointPrecision;
  const floatZp = zp === "float32" || zp === "float16" || zp === "bfloat16" || zp === "float64";
  const scaleFile = readNpy(scaleIn);
  const zpFile = readNpy(zeroPointIn);
  const swapHint = `Check the order: --scale ${scaleIn} --zero-point ${zeroPointIn}; were the two files swapped?`;
  if (!scaleFile.header.dtype.startsWith("float")) {
    throw new FqcError("USAGE", `${scaleIn}: scales of dtype ${scaleFile.header.dtype}: torchao's scales are floating point (scale_precision ${plan.scalePrecision})`, {
      file: scaleIn,
      hint: zpFile.header.dtype.startsWith("float") ? swapHint : `Save the scales as ${plan.scalePrecision}.`,
    });
  }
  const scale = readQparam(scaleIn, scaleFile, plan, (v) => roundTo(plan.scalePrecision, v));
  checkScales(scaleIn, scale, plan.scalePrecision);
  const rawZp = readQparam(zeroPointIn, zpFile, plan, (v) => v);
  if (!floatZp) checkIntegerZeroPoints(zeroPointIn, rawZp, zp, swapHint);
  const zeroPoint = rawZp.map(floatZp ? (v) => roundTo(zp, v) : (v) => castToInt(zp, v));
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
function checkScales(path: string, scale: Float64Array, precision: string): void {
  for (let i = 0; i < scale.length; i++) {
    const s = scale[i];
    if (s > 0 && Number.isFinite(s)) continue;
    const what = Number.isNaN(s) ? "NaN" : !Number.isFinite(s) ? String(s).replace("Infinity", "inf") : s === 0 ? "0" : `negative (${s})`;
    const effect = Number.isNaN(s) || !Number.isFinite(s)
      ? "torchao would output NaN for every element of its group"
      : s === 0 ? "torchao would divide by zero (r = 1/s = inf) and output 0 or NaN" : "torchao would mirror its integer grid (q = round(x / s) changes sign) instead of quantizing";
    throw new FqcError("USAGE", `${path}: scale #${i} is ${what}${s !== 0 && Number.isFinite(s) ? "" : ` (after rounding to ${precision})`}: ${effect}`, {
      file: path,
      hint: "Scales must be finite and greater than 0 (torchao clamps computed scales to at least eps).",
    });
  }
}

/** An integer zero_point_precision truncates a fractional zero point silently: a fractional one is a float file or swapped files. */
function checkIntegerZeroPoints(path: string, zeroPoint: Float64Array, precision: string, swapHint: string): void {
  for (let i = 0; i < zeroPoint.length; i++) {
    const z = zeroPoint[i];
    if (Number.isInteger(z)) continue;
    throw new FqcError("USAGE", `${path}: zero point #${i} is ${Number.isNaN(z) ? "NaN" : z}, not an integer: zero_point_precision ${precision} would truncate it`, {
      file: path,
      hint: `${swapHint} A float zero point needs a float zero_point_precision in the config.`,
    });
  }
}

function readQparam(path: string, { header, data }: ReturnType<typeof readNpy>, plan: QuantPlan, convert: (v: number) => number): Float64Array {
  const want = plan.qparamShape;
  if (header.shape.length !== want.length || header.shape.some((d, i) => d !== want[i])) {
    throw new FqcError("USAGE", `${path}: qparams of shape (${header.shape.join(", ")}) do not fit: this config and tensor need shape (${want.join(", ")})`, {
      file: path,
      hint: plan.kind === "per_token"
        ? "per_token qparams have the tensor's shape without its last dimension."
        : "per_group/per_channel qparams have shape (rows, columns / group_size).",
    });
  }
  if (header.dtype === "bool" || header.dtype.startsWith("uint") && header.dtype !== "uint8") {
    throw new FqcError("NPY", `${path}: dtype ${header.dtype} cannot hold qparams`, { file: path });
  }
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = convert(Number(data[i]));
  return out;
}
