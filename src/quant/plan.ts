/**
 * The plan: everything the kernel needs, derived once from a canonical config
 * and the input shape (block layout, bounds, resolved eps). Plain data so it
 * can be posted to worker threads.
 */
import type { CanonicalConfig, DtypeName, ScalePrecision, TorchaoVersion, ZeroPointPrecision } from "../config/types.js";
import { dtypeInfo } from "../config/dtypes.js";
import { FqcError } from "../errors.js";
import { checkComputeDtype, checkShape, checkTorchao, optionsObject } from "../library-args.js";
import { checkCanonicalConfig } from "../config/canonical-check.js";
import { roundTo, pow2 } from "./float.js";
import { findForwardProblems, type ForwardProblem } from "./forward-problems.js";

export type { ForwardProblem } from "./forward-problems.js";

export type ComputeDtype = "float32" | "float16" | "bfloat16" | "float64";

export interface QuantPlan {
  dtype: DtypeName;
  bits: number;
  qmin: number;
  qmax: number;
  /** per_channel is per_group with groupSize = rowLength. */
  kind: "per_token" | "per_group";
  symmetric: boolean;
  /** per_token always runs the INT kernel (torchao ignores the domain there). */
  domain: "INT" | "FLOAT";
  compute: ComputeDtype;
  /** The dtype scales are held in: the config's scale_precision, or the compute dtype when that is null (torchao's None). */
  scalePrecision: ScalePrecision;
  zeroPointPrecision: ZeroPointPrecision;
  /** Minimum scale: user eps or the torchao-version default, already rounded to the compute dtype. */
  eps: number;
  shape: number[];
  rows: number;
  rowLength: number;
  groupSize: number;
  groupsPerRow: number;
  /** per_token: shape[:-1] ([] for 1-D, or when the last dim is 1); per_group/per_channel: [R, C/g]. */
  qparamShape: number[];
  /** config.range_learning: freshly computed qparams get the one-time init post-processing (spec §4). */
  rangeLearningInit: boolean;
}

/** torch.finfo(dtype).eps and .smallest_normal. */
const FINFO: Record<ComputeDtype, { eps: number; smallestNormal: number }> = {
  float32: { eps: pow2(-23), smallestNormal: pow2(-126) },
  float16: { eps: pow2(-10), smallestNormal: pow2(-14) },
  bfloat16: { eps: pow2(-7), smallestNormal: pow2(-126) },
  float64: { eps: pow2(-52), smallestNormal: pow2(-1022) },
};

/** Default eps of the asymmetric per_group/per_channel path (get_groupwise_affine_qparams), all versions. */
const ASYM_GROUP_DEFAULT_EPS = 1e-6;

/** The scale floor, rounded to the compute dtype as torch.clamp does with a Python float. */
export function resolveEps(config: CanonicalConfig, compute: ComputeDtype, torchao: TorchaoVersion): number {
  let eps: number;
  if (config.eps !== null) eps = config.eps;
  else if (config.granularity.type !== "PerToken" && config.mapping_type === "ASYMMETRIC") eps = ASYM_GROUP_DEFAULT_EPS;
  else eps = torchao === "0.12" ? FINFO[compute].eps : FINFO[compute].smallestNormal;
  return roundTo(compute, eps);
}

/**
 * scale_precision null is torchao's None, "keep the input dtype": the scales
 * are computed in the compute dtype and their cast to S is the identity.
 */
export function resolveScalePrecision(scalePrecision: ScalePrecision | null, compute: ComputeDtype): ScalePrecision {
  return scalePrecision ?? compute;
}

/**
 * Everything torchao raises at forward for this config and shape, in torchao's
 * order, without reading data. `opts.compute` (the dtype torchao would see), when
 * known, adds the eps check that depends on it; `opts.qparamsGiven` (static
 * qparams supplied) drops it. The float64-input assertion belongs to the file
 * layer (fqc runs float64 on request).
 */
const FORWARD_OPTION_NAMES = ["torchao", "compute", "qparamsGiven"];

export function forwardProblems(
  config: CanonicalConfig,
  shape: readonly number[],
  opts: { torchao?: TorchaoVersion; compute?: ComputeDtype; qparamsGiven?: boolean } = {},
): ForwardProblem[] {
  // A misspelt option (computeDtype is fakeQuantize's name for compute) would skip the eps check without a word.
  opts = optionsObject(opts, "forwardProblems", false, FORWARD_OPTION_NAMES);
  checkCanonicalConfig(config, "forwardProblems: config");
  const dims = checkShape(shape, "forwardProblems: shape");
  checkTorchao(opts?.torchao, "forwardProblems: options.torchao");
  if (opts?.compute !== undefined) checkComputeDtype(opts.compute, "forwardProblems: options.compute");
  return findForwardProblems(config, dims, opts?.torchao, opts?.compute, opts?.qparamsGiven === true);
}

export function makePlan(
  config: CanonicalConfig,
  shape: readonly number[],
  opts: { compute: ComputeDtype; torchao: TorchaoVersion; qparamsGiven?: boolean },
): QuantPlan {
  opts = optionsObject(opts, "makePlan", true, FORWARD_OPTION_NAMES);
  // Both required: the eps default depends on them.
  if (opts.compute === undefined) throw new FqcError("USAGE", "makePlan: options.compute must be given (the dtype the kernel computes in)");
  if (opts.torchao === undefined) throw new FqcError("USAGE", "makePlan: options.torchao must be given (the torchao version whose default eps applies)");
  checkComputeDtype(opts.compute, "makePlan: options.compute");
  checkTorchao(opts.torchao, "makePlan: options.torchao");
  checkCanonicalConfig(config, "makePlan: config");
  // The shape as checked (a copy), so what is planned is what the forward checks saw.
  shape = checkShape(shape, "makePlan: shape");
  // forwardProblems' own checks are the ones above: each argument is checked (and the config normalized again) once.
  const problems = findForwardProblems(config, shape, opts.torchao, opts.compute, opts.qparamsGiven === true);
  if (problems.length > 0) throw new FqcError("FORWARD", problems[0].message, { hint: problems[0].hint });
  const info = dtypeInfo(config.dtype);
  const rowLength = shape[shape.length - 1];
  const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const perToken = config.granularity.type === "PerToken";
  const groupSize = perToken || config.granularity.type === "PerAxis"
    ? rowLength
    : (config.granularity as { group_size: number }).group_size;
  const groupsPerRow = rowLength / groupSize;
  // With a last dim of 1 torch reduces over every dim and stores a 0-d scale.
  const qparamShape = perToken
    ? (rowLength === 1 ? [] : shape.slice(0, -1))
    : [rows, groupsPerRow];
  return {
    dtype: config.dtype,
    bits: info.bits,
    qmin: info.qmin,
    qmax: info.qmax,
    kind: perToken ? "per_token" : "per_group",
    symmetric: config.mapping_type === "SYMMETRIC",
    domain: !perToken && config.zero_point_domain === "FLOAT" ? "FLOAT" : "INT",
    compute: opts.compute,
    // forwardProblems above refused precisions outside the standard's lists.
    scalePrecision: resolveScalePrecision(config.scale_precision as ScalePrecision | null, opts.compute),
    zeroPointPrecision: config.zero_point_precision as ZeroPointPrecision,
    eps: resolveEps(config, opts.compute, opts.torchao),
    shape: [...shape],
    rows,
    rowLength,
    groupSize,
    groupsPerRow,
    qparamShape,
    rangeLearningInit: config.range_learning,
  };
}
