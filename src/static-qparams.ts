/**
 * Static qparams supplied by the user (`--scale`, `--zero-point`): torchao's
 * only form of given qparams is a pre-set FakeQuantizer.scale/.zero_point on an
 * `is_dynamic: false` config. fqc requires the canonical shapes (spec §4).
 */
import type { CallerWords } from "./caller-words.js";
import { FqcError } from "./errors.js";
import { readNpy } from "./npy/whole.js";
import { givenQparams, requireStaticConfig, swapHint, type GivenQparams } from "./given-qparams.js";
import type { QuantPlan } from "./quant/plan.js";

export function loadGivenQparams(
  opts: { scaleIn?: string; zeroPointIn?: string; config: { is_dynamic: boolean } },
  plan: QuantPlan,
  words: CallerWords,
): GivenQparams | undefined {
  const { scaleIn, zeroPointIn } = opts;
  if (!scaleIn && !zeroPointIn) return undefined;
  const options = { scale: words.file.scaleIn, zeroPoint: words.file.zeroPointIn };
  if (!scaleIn || !zeroPointIn) {
    throw new FqcError("USAGE", `${options.scale} and ${options.zeroPoint} go together: torchao reuses static qparams only when both are set`, {
      hint: "Pass both files, or neither to compute the qparams from the tensor.",
    });
  }
  requireStaticConfig(opts.config, `${options.scale}/${options.zeroPoint}`);
  const scaleFile = readNpy(scaleIn);
  const zpFile = readNpy(zeroPointIn);
  if (!scaleFile.header.dtype.startsWith("float")) {
    throw new FqcError("USAGE", `${scaleIn}: scales of dtype ${scaleFile.header.dtype}: torchao's scales are floating point (scale_precision ${plan.scalePrecision})`, {
      file: scaleIn,
      hint: zpFile.header.dtype.startsWith("float") ? swapHint({ scale: scaleIn, zeroPoint: zeroPointIn, options }) : `Save the scales as ${plan.scalePrecision}.`,
    });
  }
  const scale = readQparam(scaleIn, scaleFile, plan);
  const zeroPoint = readQparam(zeroPointIn, zpFile, plan);
  return givenQparams(scale, zeroPoint, plan, { scale: scaleIn, zeroPoint: zeroPointIn, options });
}

function readQparam(path: string, { header, data }: ReturnType<typeof readNpy>, plan: QuantPlan): Float64Array {
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
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  return out;
}
