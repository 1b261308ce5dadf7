/**
 * In-memory fake quantization for library users: the same plan and kernel as
 * `fqc apply`, on one typed array, on the calling thread.
 */
import { normalize } from "./config/normalize.js";
import type { TorchaoVersion } from "./config/types.js";
import { FqcError } from "./errors.js";
import { float64Hint } from "./input-dtype.js";
import { LIBRARY_WORDS } from "./caller-words.js";
import { toComputeDtype } from "./quant/float.js";
import { fakeQuantizeRows } from "./quant/kernel.js";
import { makePlan, type ComputeDtype } from "./quant/plan.js";
import { givenQparams, requireStaticConfig } from "./given-qparams.js";
import { checkComputeDtype, checkFloatData, checkNumberList, checkReadableValue, checkShape, checkTorchao, optionNames, optionsObject } from "./library-args.js";

/** Every option fakeQuantize takes, for its check of a caller's keys. */
const OPTION_NAMES = optionNames<FakeQuantizeOptions>()(["shape", "computeDtype", "torchao", "scale", "zeroPoint"]);

export interface FakeQuantizeOptions {
  shape: readonly number[];
  /** Default: float32 for a Float32Array; a Float64Array needs an explicit choice (torchao refuses float64). */
  computeDtype?: ComputeDtype;
  torchao?: TorchaoVersion;
  /**
   * Static qparams (is_dynamic: false configs), in the canonical qparam shape, row-major: the scales are
   * rounded to scale_precision and the zero points cast to zero_point_precision, as `fqc apply --scale` does.
   */
  scale?: ArrayLike<number>;
  zeroPoint?: ArrayLike<number>;
}

export interface FakeQuantizeResult {
  /** Same length as the input; Float64Array only for float64 compute. */
  output: Float32Array | Float64Array;
  scale: Float64Array;
  zeroPoint: Float64Array;
  qparamShape: number[];
}

/** Fake-quantizes `data` (row-major, `opts.shape`) with a config in any accepted spelling. */
export function fakeQuantize(config: unknown, data: Float32Array | Float64Array, opts: FakeQuantizeOptions): FakeQuantizeResult {
  checkReadableValue(config, "fakeQuantize: the config");
  const canonical = normalize(config);
  opts = optionsObject<FakeQuantizeOptions>(opts, "fakeQuantize", true, OPTION_NAMES);
  const shape = checkShape(opts.shape, "fakeQuantize: options.shape");
  checkFloatData(data, "fakeQuantize: data");
  const torchao = checkTorchao(opts.torchao, "fakeQuantize: options.torchao");
  checkNumberList(opts.scale, "fakeQuantize: options.scale");
  checkNumberList(opts.zeroPoint, "fakeQuantize: options.zeroPoint");
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new FqcError("USAGE", `fakeQuantize: data has ${data.length} elements but options.shape (${shape.join(", ")}) needs ${count}`);
  }
  let compute = checkComputeDtype(opts.computeDtype, "fakeQuantize: options.computeDtype");
  if (!compute) {
    if (data instanceof Float64Array) throw new FqcError("FORWARD", "Unsupported input dtype: torch.float64", { hint: float64Hint(LIBRARY_WORDS, "array") });
    compute = "float32";
  }
  const given = opts.scale !== undefined || opts.zeroPoint !== undefined;
  const plan = makePlan(canonical, shape, { compute, torchao: torchao ?? "0.12", qparamsGiven: given });
  const output = compute === "float64" ? Float64Array.from(data) : Float32Array.from(data);
  if (compute === "float16" || compute === "bfloat16") toComputeDtype(output as Float32Array, compute);
  const groups = plan.rows * plan.groupsPerRow;
  const scale = new Float64Array(groups);
  const zeroPoint = new Float64Array(groups);
  if (given) {
    if (!opts.scale || !opts.zeroPoint || opts.scale.length !== groups || opts.zeroPoint.length !== groups) {
      throw new FqcError("USAGE", `static qparams need both scale and zeroPoint with ${groups} elements (shape (${plan.qparamShape.join(", ")}))`);
    }
    requireStaticConfig(canonical, "static qparams (scale, zeroPoint)");
    // Held in scale_precision and zero_point_precision, as torchao's qparam tensors are (and as `fqc apply --scale` reads them).
    const held = givenQparams(opts.scale, opts.zeroPoint, plan, { scale: "scale", zeroPoint: "zeroPoint" });
    scale.set(held.scale);
    zeroPoint.set(held.zeroPoint);
  }
  fakeQuantizeRows(plan, output, output, plan.rows, scale, zeroPoint, given ? "given" : "compute");
  return { output, scale, zeroPoint, qparamShape: plan.qparamShape };
}
