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
  const scale = readQparam(scaleIn, plan, (v) => roundTo(plan.scalePrecision, v));
  const zp = plan.zeroPointPrecision;
  const zeroPoint = readQparam(zeroPointIn, plan, zp === "float32" || zp === "float16" || zp === "bfloat16" || zp === "float64"
    ? (v) => roundTo(zp, v)
    : (v) => castToInt(zp, v));
  return { scale, zeroPoint };
}

function readQparam(path: string, plan: QuantPlan, convert: (v: number) => number): Float64Array {
  const { header, data } = readNpy(path);
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
