/**
 * Everything torchao v0.12's `FakeQuantizer.forward` raises for a config and an
 * input shape, found without reading data, in the order torchao checks it
 * (spec §2.4, §3.5), after fqc's own check of the precisions (fqc/precision).
 * torchao stops at the first; we list all of them.
 */
import type { CanonicalConfig, TorchaoVersion } from "../config/types.js";
import type { ComputeDtype } from "./plan.js";
import { SCALE_PRECISIONS, ZERO_POINT_PRECISIONS } from "../config/vocabulary.js";

export interface ForwardProblem {
  message: string;
  hint?: string;
  /** The Python exception type torchao raises, e.g. "AssertionError". */
  torchaoError?: string;
  /** The config key at fault when it is not the granularity (diagnostics point at it). */
  key?: string;
}

const INT_ZP = new Set(["int32", "int8", "int16", "int64", "uint8"]);

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/**
 * How far the divisor search looks: n comes from a file header and may be
 * up to 2^53 - 1, so the search pairs each small divisor d with n / d and
 * stops at min(sqrt(n), this): at most 65,536 steps whatever n is. Divisors
 * lying between this and n / this (only when n > 2^32) are not suggested.
 */
export const DIVISOR_SEARCH_LIMIT = 65_536;

/** Divisors of n greater than 1 closest to g: up to two below and two above (a bounded search, see DIVISOR_SEARCH_LIMIT). */
export function nearbyDivisors(n: number, g: number): number[] {
  if (!Number.isSafeInteger(n) || n < 2) return [];
  const small: number[] = [];
  const large: number[] = [];
  for (let d = 2; d <= DIVISOR_SEARCH_LIMIT && d * d <= n; d++) {
    if (n % d !== 0) continue;
    small.push(d);
    if (d * d !== n) large.push(n / d);
  }
  const divs = [...small, ...large.reverse(), n].filter((d, i, all) => i === 0 || d !== all[i - 1]);
  const below = divs.filter((d) => d < g).slice(-2);
  const above = divs.filter((d) => d > g).slice(0, 2);
  return [...below, ...above];
}

export function groupAlternatives(c: number, g: number): string {
  if (c <= 1) return `A last dimension of ${c} cannot be grouped; reshape the tensor so the quantized axis is last and longer than 1.`;
  const divs = nearbyDivisors(c, g).filter((d) => d !== c);
  return divs.length > 0
    ? `Use a group_size that divides ${c} and is greater than 1 (e.g. ${divs.join(", ")}), or per_channel (one group of ${c} per row).`
    : `Use per_channel (one group of ${c} per row): ${c} has no other divisor greater than 1.`;
}

/**
 * v0.12 makes the zero point a trainable Parameter, which an integer dtype cannot be.
 * From v0.13 a symmetric config's zero point is zeroed and stays a plain tensor, so only asymmetric ones fail.
 */
function rangeLearningIntZp(config: CanonicalConfig, torchao: TorchaoVersion): ForwardProblem | undefined {
  if (!config.range_learning || !INT_ZP.has(config.zero_point_precision)) return undefined;
  if (torchao !== "0.12" && config.mapping_type === "SYMMETRIC") return undefined;
  return {
    message: "Only Tensors of floating point and complex dtype can require gradients",
    hint: `range_learning makes the zero point a trainable Parameter, which cannot have dtype ${config.zero_point_precision}; set zero_point_precision to float32 (or another float dtype).`,
    torchaoError: "RuntimeError",
  };
}

/** torch.finfo(dtype).max and the C++ type name ATen's Scalar conversion puts in its overflow message. */
const SCALAR_LIMIT: Record<Exclude<ComputeDtype, "float64">, { max: number; cpp: string }> = {
  float32: { max: 3.4028234663852886e38, cpp: "float" },
  float16: { max: 65504, cpp: "at::Half" },
  bfloat16: { max: 3.3895313892515355e38, cpp: "at::BFloat16" },
};

/**
 * The qparam functions call torch.clamp(scale, min=eps) on a tensor of the input dtype; ATen converts the Python
 * float to that dtype with an overflow check (c10::checked_convert), so a finite eps beyond the dtype's range
 * raises instead of becoming inf. Only when qparams are computed: static ones skip the clamp. float64 compute is
 * fqc's extension, where no JSON number can overflow.
 */
function epsOverflow(config: CanonicalConfig, compute: ComputeDtype | undefined): ForwardProblem | undefined {
  if (config.eps === null || compute === undefined || compute === "float64") return undefined;
  const { max, cpp } = SCALAR_LIMIT[compute];
  if (!Number.isFinite(config.eps) || Math.abs(config.eps) <= max) return undefined;
  return {
    message: `value cannot be converted to type ${cpp} without overflow`,
    hint: `torchao clamps the ${compute} scale at eps, and eps ${config.eps} is outside the ${compute} range (±${max}); use a small positive eps, or null for torchao's default.`,
    torchaoError: "RuntimeError",
    key: "eps",
  };
}

function perTokenProblems(config: CanonicalConfig, shape: readonly number[], torchao: TorchaoVersion, eps?: ForwardProblem): ForwardProblem[] {
  const out: ForwardProblem[] = [];
  if (config.mapping_type === "SYMMETRIC") {
    out.push({
      message: "Symmetric per token is not supported yet",
      hint: 'torchao only implements asymmetric per_token fake quantization; set mapping_type to "ASYMMETRIC" (or is_symmetric: false).',
      torchaoError: "NotImplementedError",
    });
  }
  if (shape.length === 0) {
    out.push({
      message: "per_token needs an input with at least one dimension; got a 0-d scalar",
      hint: "Save the value as a 1-D array (np.atleast_1d).",
      torchaoError: "IndexError",
    });
    return out;
  }
  const n = shape[shape.length - 1];
  const tokens = shape.slice(0, -1).reduce((a, b) => a * b, 1);
  // With N = 1 the block covers one element, torch reduces over *all* dims (empty dim list).
  const reducedCount = n === 1 ? tokens : n;
  if (n === 0 || reducedCount === 0) {
    out.push({
      message: `per_token cannot compute min/max over an empty dimension (input shape ${shapeText(shape)})`,
      hint: "Every token needs at least one element.",
      torchaoError: "RuntimeError",
    });
  }
  // choose_qparams_affine (the clamp) runs before range learning's init and the token-count check.
  if (eps) out.push(eps);
  const rl = rangeLearningIntZp(config, torchao);
  if (rl) out.push(rl);
  if (n === 1 && tokens !== 1) {
    out.push({
      message: `num_tokens: ${tokens} scales: torch.Size([])`,
      hint: `per_token with a last dimension of 1 fails in torchao when there is more than one token (shape ${shapeText(shape)}): torch reduces over all dims and makes a single scale. Reshape so the quantized axis is last and longer than 1.`,
      torchaoError: "AssertionError",
    });
  }
  return out;
}

function perGroupProblems(config: CanonicalConfig, shape: readonly number[], torchao: TorchaoVersion, eps?: ForwardProblem): ForwardProblem[] {
  const out: ForwardProblem[] = [];
  const perChannel = config.granularity.type === "PerAxis";
  const gran = perChannel ? "per_channel" : "per_group";
  const rank = shape.length;
  const rankProblem: ForwardProblem = {
    message: `${gran} needs a 2-D input (rows, columns); got shape ${shapeText(shape)} (torchao raises a bare AssertionError)`,
    hint: rank > 2
      ? `Reshape to 2-D, e.g. ${shapeText([shape.slice(0, -1).reduce((a, b) => a * b, 1), shape[rank - 1]])}, or use per_token, which accepts any rank.`
      : "Reshape to 2-D (e.g. one row: [1, N]), or use per_token, which accepts any rank.",
    torchaoError: "AssertionError",
  };
  if (rank === 0) {
    out.push({ ...rankProblem, torchaoError: "IndexError" });
    return out;
  }
  const c = shape[rank - 1];
  const g = perChannel ? c : (config.granularity as { group_size: number }).group_size;
  const g1 = Math.min(g, c); // get_group_qparams_* clamp the group to the row ("needed for GPTQ with padding")
  const where = `the last dimension (${c}) of input shape ${shapeText(shape)}`;

  if (!(g1 > 1)) {
    if (perChannel || c <= 1) {
      out.push({
        message: `${gran} needs more than one element per row, but ${where} is ${c} (torchao raises a bare AssertionError)`,
        hint: `A last dimension of ${c} cannot be grouped; reshape the tensor so the quantized axis is last and longer than 1.`,
        torchaoError: "AssertionError",
      });
    } else {
      out.push({
        message: `group_size ${g} is invalid: it must be greater than 1 (torchao raises a bare AssertionError)`,
        hint: groupAlternatives(c, g),
        torchaoError: "AssertionError",
      });
    }
  } else if (c % g1 !== 0) {
    out.push({
      message: `group_size ${g} does not divide ${where} (torchao raises a bare AssertionError)`,
      hint: groupAlternatives(c, g),
      torchaoError: "AssertionError",
    });
  }
  if (rank !== 2) out.push(rankProblem);
  // The qparam functions assert the shape, then clamp the scale at eps.
  if (eps) out.push(eps);
  const rl = rangeLearningIntZp(config, torchao);
  if (rl) out.push(rl);
  // _fake_quantize_per_channel_group re-checks with the unclamped group size.
  if (g1 > 1 && c % g1 === 0 && g > c) {
    out.push({
      message: `group_size ${g} is larger than ${where} (torchao raises a bare AssertionError)`,
      hint: groupAlternatives(c, g),
      torchaoError: "AssertionError",
    });
  }
  if (config.zero_point_domain === "NONE") {
    out.push({
      message: "zero_point should be None when zero_point_domain is NONE",
      hint: `torchao's fake-quant path always creates a zero point for ${gran}, so zero_point_domain NONE cannot run; use "INT" or "FLOAT".`,
      torchaoError: "ValueError",
    });
  }
  return out;
}

/**
 * validate's fqc/precision: torchao constructs with any torch dtype (so normalize keeps it), but only these compute
 * meaningfully; without this check a library caller's int32 scales would run and a complex64 one would crash.
 */
function precisionProblems(config: CanonicalConfig): ForwardProblem[] {
  const out: ForwardProblem[] = [];
  for (const [key, allowed] of [["scale_precision", SCALE_PRECISIONS], ["zero_point_precision", ZERO_POINT_PRECISIONS]] as const) {
    const v = config[key];
    if (v === null && key === "scale_precision") continue; // torchao's None: keep the compute dtype
    if (v === null || !(allowed as readonly string[]).includes(v)) {
      out.push({ message: `\`${key}\` must be one of ${allowed.join(", ")}${key === "scale_precision" ? " or null" : ""}, not "${v}"`, hint: "fqc validate reports it as fqc/precision: torchao does not check the precisions, and other dtypes do not compute meaningfully." });
    }
  }
  return out;
}

/**
 * `compute`: the dtype torchao would see (the tensor's, or --compute-dtype), when known; `qparamsGiven`: static
 * qparams are supplied, so none are computed. Both only matter for the eps check.
 */
export function findForwardProblems(
  config: CanonicalConfig,
  shape: readonly number[],
  torchao: TorchaoVersion = "0.12",
  compute?: ComputeDtype,
  qparamsGiven = false,
): ForwardProblem[] {
  const precision = precisionProblems(config);
  const eps = qparamsGiven ? undefined : epsOverflow(config, compute);
  const rest = config.granularity.type === "PerToken"
    ? perTokenProblems(config, shape, torchao, eps)
    : perGroupProblems(config, shape, torchao, eps);
  return precision.length > 0 ? [...precision, ...rest] : rest;
}
